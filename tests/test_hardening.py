"""Bad input, faults and hostile text: nothing crashes, nothing is lost, nothing is injected."""

import json
import subprocess
import sys
import threading

import pandas as pd
import pytest
from conftest import require_chromium, write

from analysis.cli import main

GOOD = "# Turkey And Russia Sign A Deal\n\nMarch 3, 2022\n\nTurkey and Russia signed a gas deal in Ankara.\n"


def bad_corpus(folder):
    """One file per kind of bad input, plus two good articles."""
    write(folder / "good1.txt", GOOD)
    write(folder / "good2.md", GOOD.replace("gas deal", "grain deal").replace("March 3", "May 4"))
    write(folder / "empty.txt", b"")
    write(folder / "blank.txt", b"  \n\t \n")
    write(folder / "binary.txt", bytes(range(256)) * 40)
    write(folder / "renamed.txt", b"%PDF-1.7\n%\xb5\xb5\xb5\xb5\n1 0 obj<<>>endobj")
    write(folder / "cp1252.txt", "Ankara’s “talks” with Moscow – café. Turkey and Russia agreed.", encoding="cp1252")
    write(folder / "latin1.txt", "Café talks: Turkey and Russia agreed à Ankara.", encoding="latin-1")
    write(folder / "utf16.txt", "Turkey and Russia agreed on Çanakkale.".encode("utf-16"))
    write(folder / "huge.txt", "Turkey and Russia met. " * 2_300_000)  # ~50 MB
    write(folder / "oneline.txt", "turkey and russia " * 60_000)  # 1 MB, no punctuation
    write(folder / "scripts.html", "<html><head><script>alert(1)</script><style>p{}</style></head><body></body></html>")
    write(folder / "future.txt", GOOD.replace("March 3, 2022", "March 3, 2099"))
    write(folder / "ancient.txt", GOOD.replace("March 3, 2022", "March 3, 1850"))
    write(folder / "neither.txt", "# Weather Report For The Coast\n\nJune 1, 2021\n\nIt rained in Lisbon all day.\n")
    write(folder / "metadata.csv", "file,published,title,source,url,note\nnot-there.txt,2021-01-01,,,,\n")


@pytest.mark.slow
def test_bad_input_corpus_runs_and_lists_everything(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    bad_corpus(corpus)
    assert main(["report", "--corpus", str(corpus), "--out", str(out), "--n-boot", "50", "--quiet", "--no-tone"]) == 0
    skipped = pd.read_csv(out / "data" / "skipped.csv")
    by_path = skipped.groupby("path")["reason"].apply(" | ".join)
    for name, reason in [("empty.txt", "empty"), ("blank.txt", "empty"), ("binary.txt", "binary"),
                         ("renamed.txt", "PDF"), ("scripts.html", "no article text"), ("huge.txt", "truncated"),
                         ("future.txt", "after the latest"), ("ancient.txt", "before the earliest")]:
        assert reason.lower() in by_path[name].lower(), name
    assert any("not-there.txt" in r for r in skipped["reason"])
    articles = pd.read_csv(out / "data" / "articles.csv")
    for name in ("good1.txt", "good2.md", "cp1252.txt", "latin1.txt", "utf16.txt", "oneline.txt", "neither.txt", "huge.txt"):
        assert name in set(articles["path"]), name
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "renamed.txt" in html and "neither.txt" in html  # listed in Data quality
    sentences = pd.read_csv(out / "data" / "sentences.csv", usecols=["end", "start"])
    assert ((sentences["end"] - sentences["start"]) <= 1000).all()


def test_jsonl_problems_and_duplicate_ids(tmp_path):
    rows = [json.dumps({"id": "7", "text": "Turkey and Russia agreed.", "date": "2021-01-01"}), "{broken",
            json.dumps({"id": "7", "text": "Ankara and Moscow talked.", "date": "not a date"}),
            json.dumps({"id": "8", "date": "2021-01-03"})]
    path = write(tmp_path / "c.jsonl", "\n".join(rows) + "\n")
    out = tmp_path / "out"
    assert main(["report", "--corpus", str(path), "--out", str(out), "--n-boot", "50", "--quiet"]) == 0
    skipped = pd.read_csv(out / "data" / "skipped.csv")
    reasons = dict(zip(skipped["line"], skipped["reason"], strict=False))
    assert "malformed JSON" in reasons[2]
    assert "repeats the id" in " ".join(skipped["reason"]) and "unparseable date" in " ".join(skipped["reason"])
    assert "no text" in reasons[4]


@pytest.mark.parametrize("name,content,message", [
    ("topics.yaml", "topics: [\n", "YAML syntax error"),
    ("topics.yaml", "topics:\n  - id: x\n    terms: [a]\n    colour: red\n", "unknown key"),
    ("dyad.yaml", "sides:\n  - {id: a, aliases: [A]}\n  - {id: b, aliases: [B]}\nfriends: []\n", "unknown key"),
])
def test_configuration_errors_stop_at_once(tmp_path, name, content, message):
    path = write(tmp_path / name, content)
    option = "--topics" if name.startswith("topics") else "--dyad"
    result = subprocess.run([sys.executable, "-m", "analysis", "report", option, str(path), "--out", str(tmp_path / "o")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert str(path) in result.stderr
    assert not (tmp_path / "o" / "report.html").exists()


@pytest.mark.slow
def test_a_failed_run_leaves_the_previous_report_intact(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet", "--n-boot", "50"]) == 0
    before = {p.name: p.read_bytes() for p in [out / "report.html", *sorted((out / "data").iterdir())]}

    import analysis.io

    real = analysis.io.write_table
    calls = {"n": 0}

    def failing(frame, directory, name):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # killed half-way: topic_periods (changed by --n-boot) is already written
        return real(frame, directory, name)

    monkeypatch.setattr(analysis.io, "write_table", failing)
    assert main(["report", "--out", str(out), "--quiet", "--n-boot", "60"]) == 130
    after = {p.name: p.read_bytes() for p in [out / "report.html", *sorted((out / "data").iterdir())]}
    assert after == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".staging")]


@pytest.mark.slow
def test_two_runs_at_once_do_not_corrupt_anything(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "analysis", "report", "--out", str(out), "--quiet", "--n-boot", "100"]
    results = []
    threads = [threading.Thread(target=lambda: results.append(subprocess.run(command, capture_output=True)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0]
    reference = tmp_path / "ref"
    assert main(["report", "--out", str(reference), "--quiet", "--n-boot", "100"]) == 0
    assert (out / "data" / "sentences.csv").read_bytes() == (reference / "data" / "sentences.csv").read_bytes()
    assert (out / "report.html").read_text().endswith("</html>\n")


# OWASP XSS filter-evasion cheat sheet, the forms that matter for text, attributes and URLs.
PAYLOADS = [
    "<script>alert('x1')</script>", "<img src=x onerror=alert('x2')>", "<svg onload=alert('x3')>",
    "\"><script>alert('x4')</script>", "'><img src=x onerror=alert('x5')>", "</textarea><script>alert('x6')</script>",
    "</script><script>alert('x7')</script>", "<iframe src=javascript:alert('x8')>", "<body onload=alert('x9')>",
    "<a href=\"javascript:alert('x10')\">x</a>", "<math><mtext><table><mglyph><style><img src=x onerror=alert('x11')>",
    "{{7*7}} ${alert('x12')}", "<details open ontoggle=alert('x13')>", "<input autofocus onfocus=alert('x14')>",
]
URLS = ["javascript:alert('u1')", "JaVaScRiPt:alert('u2')", "data:text/html,<script>alert('u3')</script>",
        "https://example.com/\"><script>alert('u4')</script>"]


@pytest.mark.browser
def test_owasp_payloads_do_not_execute(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    corpus = tmp_path / "payloads"
    for index, payload in enumerate(PAYLOADS):
        url = URLS[index % len(URLS)]
        write(corpus / f"p{index:02d}.txt", f"# {payload}\n\nMarch {index + 1}, 2022\n\nTurkey and Russia signed a deal {payload} "
                                            f"in Ankara. Erdogan praised Putin {payload}.\n\nOriginal url: {url}\n")
    out = tmp_path / "out"
    assert main(["report", "--corpus", str(corpus), "--out", str(out), "--n-boot", "50", "--quiet", "--no-tone"]) == 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=["--no-sandbox", "--disable-gpu",
                                             "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto((out / "report.html").as_uri())
        page.wait_for_timeout(500)
        summaries = page.locator("details.article > summary")
        for row in range(summaries.count()):
            summaries.nth(row).click()
        page.locator("#chart-articles").hover()
        page.wait_for_timeout(300)
        assert dialogs == []
        for selector in ("iframe", "svg[onload]", "img[onerror]", "body[onload]", "details[ontoggle]", "input[onfocus]",
                         "a[href^='javascript' i]", "a[href^='data' i]", "mglyph"):
            assert page.locator(selector).count() == 0, selector
        assert page.evaluate("Array.from(document.scripts).filter(s => s.type !== 'application/json').length") == 2
        browser.close()


# --- Output faults: one `error:` line with the README's exit code, the previous output intact ---------------------


def _fake_run(monkeypatch, *, dated: bool = True):
    """Make ``report`` and ``figures`` skip the pipeline: the tests here are about writing what it gives."""
    from types import SimpleNamespace

    import analysis.engine.pipeline
    import analysis.io
    import analysis.present.report
    import analysis.validate

    tables = {attribute: pd.DataFrame({"run": ["x"]}) for attribute in analysis.io.TABLES.values()}
    tables["articles"] = pd.DataFrame({"article_id": ["a"], "duplicate_of": [""],
                                       "published": pd.to_datetime(["2021-01-01" if dated else None])})
    tables["skipped"] = pd.DataFrame({"path": [], "line": [], "reason": [], "action": []})
    tables["topic_periods"] = pd.DataFrame({"topic": ["all"] if dated else [], "n_articles": [1] if dated else []})
    results = SimpleNamespace(**tables, config=SimpleNamespace(cache=""))
    # What the CLI calls on them: the real writer, over these tables.
    results.write = lambda out=None, command="": analysis.engine.pipeline.Results.write(results, out, command=command)
    monkeypatch.setattr(analysis.engine.pipeline, "run", lambda config, progress=False: results)
    monkeypatch.setattr(analysis.present.report, "render_report",
                        lambda results, evaluation, command="": f"{analysis.io.REPORT_MARKER}\n<html></html>\n")
    monkeypatch.setattr(analysis.validate, "evaluate", lambda **kwargs: SimpleNamespace(as_dict=dict))
    return results


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_a_report_html_folder_is_one_error_line(tmp_path, monkeypatch, capsys):
    _fake_run(monkeypatch)
    out = tmp_path / "out"
    (out / "report.html").mkdir(parents=True)
    (out / "report.html" / "mine.txt").write_text("keep", encoding="utf-8")
    assert main(["report", "--out", str(out), "--quiet"]) == 1
    assert "is a folder" in _one_error_line(capsys)
    assert (out / "report.html" / "mine.txt").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]


def test_disk_full_while_writing_parquet_is_one_error_line(tmp_path, monkeypatch, capsys):
    import errno
    import os

    _fake_run(monkeypatch)
    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in [out / "report.html", *sorted((out / "data").iterdir())]}
    calls = {"n": 0}
    real = pd.DataFrame.to_parquet

    def filling(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", filling)
    assert main(["report", "--out", str(out), "--quiet"]) == 1
    assert "No space left on device" in _one_error_line(capsys)
    assert {p.name: p.read_bytes() for p in [out / "report.html", *sorted((out / "data").iterdir())]} == before
    assert not [p for p in out.rglob("*") if ".tmp" in p.name or p.name.startswith(("next-", ".staging"))]


def test_figures_of_an_undated_corpus_is_one_error_line(tmp_path, monkeypatch, capsys):
    _fake_run(monkeypatch, dated=False)
    figures = tmp_path / "figures"
    assert main(["figures", "--figures", str(figures), "--quiet"]) == 4  # the README's "series too short"
    assert "no dated, scored article" in _one_error_line(capsys)
    assert not figures.exists()  # nothing half-written


# --- stream: one lock per output folder, leftovers of killed runs removed -------------------------------------------


def test_stream_takes_turns_with_another_run_into_the_same_folder(tmp_path):
    """Two concurrent streams into one folder mixed two corpora: stream held no lock."""
    import time

    from conftest import DATA

    from analysis.engine.stream import stream, stream_lock

    out = tmp_path / "out"
    order = []
    held = threading.Event()

    def other_run():
        with stream_lock(out):
            held.set()
            time.sleep(1.0)
            order.append("other run")

    thread = threading.Thread(target=other_run)
    thread.start()
    held.wait()
    stream(DATA / "corpora_sample.jsonl", out, jobs=1)
    order.append("stream")
    thread.join()
    assert order == ["other run", "stream"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no lock file left beside it


def test_stream_removes_what_killed_runs_left(tmp_path):
    import os

    from conftest import DATA

    from analysis.engine.stream import stream

    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    leftovers = [tmp_path / f".out.tmp-{finished.pid}", tmp_path / f".out.old-{finished.pid}"]
    kept = [tmp_path / f".out.tmp-{os.getppid()}", tmp_path / f".other.tmp-{finished.pid}", tmp_path / "notes"]
    for folder in leftovers + kept:
        (folder / "sentences").mkdir(parents=True)
    stream(DATA / "corpora_sample.jsonl", tmp_path / "out", jobs=1)
    assert [p for p in leftovers if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


# --- Size: the article cap on table rows, the report's sentences per article ----------------------------------------


@pytest.fixture
def small_article_cap(monkeypatch):
    import analysis.ingest.records as records

    real = records.ingest_settings()
    monkeypatch.setattr(records, "ingest_settings", lambda: {**real, "max_article_chars": 120})
    return 120


def test_table_rows_are_cut_at_the_article_cap_like_files(tmp_path, small_article_cap):
    """Files were cut at max_article_chars; a table row (one 20 MB JSONL line) was kept whole."""
    from analysis.engine.stream import stream
    from analysis.ingest import read_corpus

    text = "Turkey and Russia met in Ankara. " * 20
    path = write(tmp_path / "c.jsonl", json.dumps({"id": "1", "text": text, "date": "2021-01-01"}) + "\n")
    result = read_corpus(path)
    assert result.articles["text"].str.len().tolist() == [small_article_cap]
    assert "longer than 120; truncated" in " ".join(result.skipped["reason"])
    streamed = stream(path, tmp_path / "out", jobs=1)
    assert streamed.articles["n_chars"].tolist() == [small_article_cap]
    assert "longer than 120; truncated" in " ".join(streamed.skipped["reason"])


def test_the_report_embeds_at_most_report_max_sentences_per_article(seeds_results):
    """Every scored sentence was embedded: one 20 MB article of direct sentences made a 107 MB report."""
    import dataclasses

    from analysis.present.report import render_report

    capped = render_report(dataclasses.replace(seeds_results, config=seeds_results.config.with_options(
        report_max_sentences=1)), {}, command="x")
    full = render_report(seeds_results, {}, command="x")
    assert "more scored sentences in data/sentences.csv" in capped and len(capped) < len(full)
    assert "more scored sentence" not in full  # no seed article reaches the default cap: the report is unchanged
