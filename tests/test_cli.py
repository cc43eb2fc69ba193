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
    pytest.param(["compare", "--a", "the nineties", "--b", "2025"], 1, "cannot read period", marks=pytest.mark.slow),
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
