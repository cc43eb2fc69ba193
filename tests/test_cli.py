import re
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT, write

from analysis.cli import COMMANDS, build_parser, main


def test_every_command_and_make_target_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"python -m analysis {command}" in readme or f"relationship-dynamics {command}" in readme, command
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):.*?## (.+)$", makefile, flags=re.M)
    assert {t for t, _ in targets} >= {"help", "report", "figures", "test", "bench", "lint", "clean"}
    for target, _ in targets:
        assert f"make {target}" in readme, target
    help_text = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target, _ in targets:
        assert f"make {target}" in help_text


def test_parser_knows_every_command():
    parser = build_parser()
    for command in COMMANDS:
        assert parser.parse_args([command] + (["--a", "2020", "--b", "2021"] if command == "compare" else []))


def test_ingest_command_writes_five_seed_rows(tmp_path, capsys):
    out = tmp_path / "articles.csv"
    assert main(["ingest", str(ROOT / "seeds"), "--output", str(out)]) == 0
    frame = pd.read_csv(out)
    assert len(frame) == 5
    assert sorted(frame["published"]) == ["2020-10-28", "2021-08-27", "2025-03-28", "2025-05-27", "2025-09-01"]
    assert "5 articles" in capsys.readouterr().out


def test_score_command(tmp_path):
    out = tmp_path / "sentences.csv"
    assert main(["score", str(ROOT / "seeds"), "--output", str(out), "--no-tone"]) == 0
    frame = pd.read_csv(out)
    assert frame["article_id"].nunique() == 5 and frame["net"].between(-1, 1).all()


def test_evaluate_command(tmp_path, capsys):
    gold = write(tmp_path / "gold.csv", "sentence,gold\nTurkey and Russia signed a treaty.,cooperation\n"
                                        "Russia attacked Turkish troops.,friction\nThe minister spoke.,neutral\n")
    predictions = tmp_path / "pred.csv"
    assert main(["evaluate", str(gold), "--text-column", "sentence", "--label-column", "gold",
                 "--goldstein-column", "", "--predictions", str(predictions)]) == 0
    out = capsys.readouterr().out
    assert "accuracy = 1.000" in out and "macro-F1" in out
    assert list(pd.read_csv(predictions)["label_pred"]) == ["cooperation", "friction", "neutral"]


def test_evaluate_compares_the_quad_class_when_cameo_codes_are_given(tmp_path, capsys):
    # Codes keep their leading zero; the quad class is GDELT's, by root.
    gold = write(tmp_path / "gold.csv", "text,label,cameo_code\nThe two ministers met in Ankara.,cooperation,040\n"
                                        "Russia shelled the town.,friction,190\n"
                                        "Turkey protested to Moscow.,friction,040\n")
    assert main(["evaluate", str(gold), "--goldstein-column", ""]) == 0
    out = capsys.readouterr().out
    assert "quad class agreement (GDELT convention, by CAMEO root) = 0.667  (n = 3)" in out, out
    from analysis.validate import cameo_quads
    assert list(cameo_quads(pd.Series(["0256", "14", "190", "99", None]))) == [
        "verbal_cooperation", "material_conflict", "material_conflict", None, None]


def test_compare_command_prints_the_table(capsys):
    assert main(["compare", "--a", "2020-2021", "--b", "2025", "--n-boot", "100", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "A = 2020-2021" in out and "ukraine" in out


@pytest.mark.parametrize("argv,code,message", [
    (["report", "--corpus", "/nonexistent/corpus", "--out", "{tmp}/o"], 3, "no such file"),
    (["report", "--dyad", "{tmp}/bad.yaml", "--out", "{tmp}/o"], 2, "YAML syntax error"),
    (["report", "--config", "{tmp}/bad.toml", "--out", "{tmp}/o"], 2, "unknown setting"),
    (["compare", "--a", "the nineties", "--b", "2025"], 2, "cannot read period"),
    (["evaluate", "{tmp}/missing.csv"], 3, "cannot read"),
])
def test_errors_are_one_line_without_traceback(tmp_path, argv, code, message):
    write(tmp_path / "bad.yaml", "sides: [a,\n")
    write(tmp_path / "bad.toml", "[analysis]\ncolour = 'red'\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    result = subprocess.run([sys.executable, "-m", "analysis", *argv], capture_output=True, text=True)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error:")


# ------------------------------------------------------------------ options checked before any work

@pytest.mark.parametrize("setting,message", [
    ('infer_dates = "false"', "infer_dates must be true or false, found 'false'"),  # was read as True
    ('tone = "no"', "tone must be true or false, found 'no'"),  # left tone on
    ("n_boot = true", "n_boot must be a whole number"),
    ("report_max_articles = -1", "report_max_articles must be at least 1"),  # listed 4 of 5
    ('freq = "XX"', "unknown period frequency 'XX'"),
    ('engine = "spark"', "engine must be one of local, dask"),
    ("dyad = 3", "dyad must be a string"),
    ('[analysis.compare]\na = "2025"\nb = "2021"', "starts after period B"),
    ('[analysis.columns]\nbody = "text"', "unknown column role 'body'"),
])
def test_a_bad_setting_in_the_config_file_is_one_error_line_naming_file_and_key(tmp_path, capsys, monkeypatch,
                                                                                setting, message):
    import analysis.engine.pipeline as pipeline

    monkeypatch.setattr(pipeline, "read_corpus", lambda *a, **k: pytest.fail("the corpus was read"))
    config = write(tmp_path / "mine.toml", f"[analysis]\n{setting}\n")
    assert main(["report", "--config", str(config), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {config}: ") and message in err[0], err


@pytest.mark.parametrize("argv,code,message", [
    (["report", "--freq", "XX"], 2, "--freq: unknown period frequency 'XX'"),
    (["report", "--engine", "spark"], 2, "invalid choice: 'spark'"),
    (["report", "--n-boot", "0"], 2, "--n-boot must be at least 1, found 0"),
    (["report", "--n-boot", "-5"], 2, "--n-boot must be at least 1, found -5"),
    (["report", "--seed", "-1"], 2, "--seed must be at least 0, found -1"),
    (["report", "--n-boot", "many"], 2, "invalid int value: 'many'"),
    (["report", "--a", "2025", "--b", "2021"], 2, "starts after period B"),
    (["compare", "--a", "2025", "--b", "2020"], 2, "starts after period B"),
    (["compare", "--a", "2020-2019", "--b", "2025"], 2, "ends (2019-12-31) before it starts"),
    (["compare", "--a", "the nineties", "--b", "2025"], 2, "--a: cannot read period 'the nineties'"),
    (["report", "--column", "body"], 2, "--column takes ROLE=NAME"),
    (["figures", "--formats", "gif"], 2, "--formats takes"),
    (["stream", "--batch-size", "0"], 2, "--batch-size must be at least 1"),
    (["report", "--engine", "dask", "--scheduler", "not an address:x"], 2, "is not a Dask scheduler address"),
    (["report", "--bogus"], 2, "unrecognized arguments: --bogus"),
    (["evaluate", "--dyad", "mine.yaml"], 2, "evaluate --dyad needs a gold CSV"),
    (["evaluate", "--dyad", "mine.yaml", "gold.csv", "--n-boot", "0"], 2, "--n-boot must be at least 1"),
])
def test_a_bad_option_is_one_error_line_before_the_corpus_is_read(tmp_path, capsys, monkeypatch, argv, code, message):
    import analysis.engine.pipeline as pipeline

    monkeypatch.setattr(pipeline, "read_corpus", lambda *a, **k: pytest.fail("the corpus was read"))
    assert main([*argv, "--corpus", str(tmp_path / "nowhere")] if argv[0] != "stream" else
                [argv[0], str(tmp_path / "nowhere"), *argv[1:]]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err


def test_an_unreachable_scheduler_is_one_error_line(tmp_path, capsys):
    import socket

    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    pytest.importorskip("distributed")
    code = main(["report", "--corpus", str(tmp_path), "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "cannot reach the Dask scheduler" in err[0], err


def test_the_column_option_the_error_suggests_is_one_the_cli_takes(tmp_path, capsys):
    corpus = write(tmp_path / "corpus.csv", "words,when\nTurkey and Russia signed a trade deal in Ankara.,2021-03-04\n")
    out = tmp_path / "articles.csv"
    assert main(["ingest", str(corpus), "--output", str(out)]) == 3
    assert "--column text=NAME" in capsys.readouterr().err
    assert main(["ingest", str(corpus), "--output", str(out), "--column", "text=words", "--column", "published=when"]) == 0
    assert list(pd.read_csv(out)["published"]) == ["2021-03-04"]


def test_compare_warns_when_a_period_holds_no_article(capsys, caplog):
    with caplog.at_level("WARNING"):
        assert main(["compare", "--a", "1990", "--b", "2025", "--n-boot", "20", "--no-tone"]) == 0
    assert any("no scored article falls in 1990" in r.getMessage() for r in caplog.records)


def test_settings_from_a_notebook_are_checked_and_paths_may_be_paths(tmp_path):
    from pathlib import Path

    from analysis.config import Config
    from analysis.errors import ConfigError

    assert Config().with_options(corpus=Path("seeds"), n_boot=10).corpus == "seeds"
    for bad in ({"tone": "no"}, {"n_boot": 0}, {"seed": -1}, {"jobs": True}, {"engine": "spark"}):
        with pytest.raises(ConfigError, match="^--"):
            Config().with_options(**bad)


def test_quiet_prints_nothing_and_leaves_no_lock(tmp_path, capsys):
    """--quiet printed the summary line anyway, and an empty lock file stayed in the output folder."""
    corpus = write(tmp_path / "corpus" / "a.txt", "Title: Talks\nDate: 2021-03-01\n\n"
                   "Turkey and Russia signed a gas deal in Ankara on Monday.\n")
    out = tmp_path / "out"
    assert main(["report", "--corpus", str(corpus.parent), "--out", str(out), "--quiet", "--no-cache",
                 "--n-boot", "50"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (out / "report.html").exists()
    assert not [p.name for p in out.iterdir() if "lock" in p.name]
    assert main(["report", "--corpus", str(corpus.parent), "--out", str(out), "--no-cache", "--n-boot", "50"]) == 0
    assert "articles" in capsys.readouterr().out  # without --quiet: the one summary line


def test_ingest_and_score_csvs_are_formula_safe(tmp_path):
    """The CLI's own CSVs were written raw: a title starting with '=' ran as a formula in a spreadsheet."""
    corpus = write(tmp_path / "corpus.jsonl", '{"title": "=HYPERLINK(\\"http://x\\")", "date": "2021-01-02", '
                   '"text": "Turkey and Russia signed a gas deal in Ankara on Monday."}\n')
    output = tmp_path / "articles.csv"
    assert main(["ingest", str(corpus), "--output", str(output), "--quiet"]) == 0
    assert "'=HYPERLINK" in output.read_text(encoding="utf-8")
