import json
import os
import re
import time

import pandas as pd
import pytest
from conftest import require_chromium, write

from analysis.cli import main
from analysis.present.report import highlight, render_report, safe_url

XSS_TITLE = "<script>alert('t')</script><img src=x onerror=alert(1)></textarea>"
XSS_URL = "javascript:alert(document.domain)"
EVALUATION = {"n": 276, "accuracy": 0.9, "macro_f1": 0.9, "spearman": 0.8}


def test_safe_url_only_http():
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", " vbscript:x", 'https://x"onmouseover=1',
                None, ""):
        assert safe_url(bad) is None


def test_highlight_escapes_text_and_marks_cues():
    html = str(highlight("<b>Turkey</b> signed a deal", json.dumps([[14, 20, "sign_agreement", 8.0, "dyad"]])))
    assert html.startswith("&lt;b&gt;Turkey&lt;/b&gt; ")
    assert '<mark class="c" title="sign_agreement +8.00">signed</mark>' in html


def test_seed_report_sections_and_size(seeds_results):
    html = render_report(seeds_results, EVALUATION, command="test")
    for section in ("summary", "topics", "heatmap", "comparison", "articles", "quality", "method", "manifest"):
        assert f'id="{section}"' in html
    assert html.count("<script>") == 2  # plotly.js once, then the page script
    assert "cdn" not in html.lower().split("<script>")[0]
    assert len(html.encode()) < 5_000_000
    assert "too short" in html  # the change-point refusal is shown, not hidden
    assert "sha256" in html and "relationship-dynamics 0.1.0" in html


def _hostile_corpus(tmp_path):
    corpus = tmp_path / "hostile"
    write(corpus / "a.txt", f"# {XSS_TITLE}\n\nMarch 3, 2022\n\nTurkey and Russia signed a deal <script>alert('s')</script> "
                            f"in </textarea> Ankara.\n\nOriginal url: {XSS_URL}\n")
    write(corpus / "b.txt", "# Normal Headline About Ties\n\nMay 5, 2023\n\nTurkey condemned Russia over the "
                            "<img src=x onerror=alert('b')> attack.\n\nhttps://example.com/2023/05/05/story\n")
    return corpus


def test_hostile_text_stays_text(tmp_path):
    out = tmp_path / "out"
    assert main(["report", "--corpus", str(_hostile_corpus(tmp_path)), "--out", str(out), "--n-boot", "50", "--quiet",
                 "--config", os.devnull if False else str(tmp_path / "none.toml")]) == 2  # missing config: clear error
    assert main(["report", "--corpus", str(_hostile_corpus(tmp_path)), "--out", str(out), "--n-boot", "50", "--quiet"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    body = html.split("<script>")[0]
    assert "<img src=x" not in body and "<script>alert" not in body and "</textarea>" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert 'href="javascript:' not in html
    assert 'href="https://example.com/2023/05/05/story"' in html
    for blob in re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, flags=re.S):
        assert "<" not in blob and ">" not in blob
        json.loads(blob)


@pytest.mark.slow
def test_data_files_written_with_parquet_twins(tmp_path, seeds_results):
    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet"]) == 0
    names = sorted(p.name for p in (out / "data").iterdir())
    for table in ("articles", "sentences", "article_topics", "topic_periods", "comparisons", "skipped", "trends", "changes"):
        assert f"{table}.csv" in names and f"{table}.parquet" in names
    sentences = pd.read_csv(out / "data" / "sentences.csv")
    assert {"article_id", "sentence", "text", "sides", "third_parties", "relevance", "topics", "cooperation",
            "friction", "net", "quad", "evidence", "tone"} <= set(sentences.columns)
    first = (out / "report.html").read_bytes()
    assert main(["report", "--out", str(out), "--quiet"]) == 0
    assert (out / "report.html").read_bytes() == first


def test_foreign_report_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    write(out / "report.html", "<html>my own notes</html>")
    assert main(["report", "--out", str(out), "--quiet"]) == 1
    assert (out / "report.html").read_text() == "<html>my own notes</html>"


def test_read_only_output_folder_is_a_clear_error(tmp_path, capsys):
    if os.geteuid() == 0:
        target = "/proc/relationship-dynamics-test"  # not writable even for root
    else:
        target = str(tmp_path / "ro")
        os.makedirs(target)
        os.chmod(target, 0o500)
    assert main(["report", "--out", target, "--quiet"]) == 1
    assert "error:" in capsys.readouterr().err


# ------------------------------------------------------------------ in a real browser

def _browser(playwright):
    return playwright.chromium.launch(executable_path=require_chromium(), args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"])


@pytest.mark.browser
def test_report_renders_in_chromium(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet"]) == 0
    screenshot_dir = os.environ.get("SCREENSHOT_DIR", "build")
    os.makedirs(screenshot_dir, exist_ok=True)
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        started = time.monotonic()
        page.goto((out / "report.html").as_uri())
        page.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= document.querySelectorAll('.chart').length")
        elapsed = time.monotonic() - started
        charts = page.locator(".chart").count()
        assert charts >= 6
        assert page.locator(".chart svg.main-svg").count() >= charts
        assert errors == []
        page.screenshot(path=os.path.join(screenshot_dir, "report.png"), full_page=True)
        rows = page.locator("#article-table > tbody > tr")
        assert rows.count() == 5
        page.fill("#article-search", "karabakh")
        visible = [r for r in range(rows.count()) if rows.nth(r).is_visible()]
        assert len(visible) == 1
        page.fill("#article-search", "")
        page.click("#article-table th:nth-child(4)")
        first_net = float(rows.nth(0).locator(":scope > td").nth(3).inner_text())
        last_net = float(rows.nth(4).locator(":scope > td").nth(3).inner_text())
        assert first_net <= last_net
        browser.close()
    assert elapsed < 10  # the target is 2 s on an idle machine; CI machines are shared


@pytest.mark.browser
def test_xss_payloads_do_not_execute(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    out = tmp_path / "out"
    assert main(["report", "--corpus", str(_hostile_corpus(tmp_path)), "--out", str(out), "--n-boot", "50", "--quiet"]) == 0
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto((out / "report.html").as_uri())
        page.wait_for_timeout(500)
        for row in range(page.locator("details.article > summary").count()):
            page.locator("details.article > summary").nth(row).click()
        page.hover(".chart >> nth=0")
        page.wait_for_timeout(300)
        assert dialogs == []
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        executable = page.evaluate("Array.from(document.scripts).filter(s => s.type !== 'application/json')"
                                   ".map(s => s.textContent)")
        assert len(executable) == 2  # plotly.js and the page's own script, nothing injected
        assert not any(payload in code for code in executable for payload in ("alert('t')", "alert('s')", "alert(1)"))
        browser.close()


def test_large_corpora_keep_the_report_small(seeds_results):
    import dataclasses

    capped = dataclasses.replace(seeds_results, config=seeds_results.config.with_options(report_max_articles=2,
                                                                                            report_max_points=3))
    html = render_report(capped, EVALUATION, command="x")
    assert html.count('<details class="article">') == 2
    assert "of 5; every article is in data/articles.csv" in html
    assert "3 of 5: most dyad sentences" in html
    full = render_report(seeds_results, EVALUATION, command="x")
    assert full.count('<details class="article">') == 5
    # only dyad-relevant sentences are embedded; the others are counted
    assert "other sentences that carry no dyad score" in full


# ------------------------------------------------------------------ data quality, headline, comparisons

def _jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_data_quality_counts_everything_lists_a_page_and_names_the_row(tmp_path):
    rows = [{"id": f"u{i}", "title": f"Undated story {i}", "date": "", "text": f"Story {i}: Turkey and Russia signed a trade deal in "
             f"Ankara on energy number {i}. Turkey praised Russia."} for i in range(60)]
    rows += [{"id": "co", "title": "A co-mention", "date": "2021-03-01",
              "text": "Turkey held elections. Separately, Russia launched a satellite. Nothing else happened."},
             {"id": "one", "title": "One side", "date": "2021-03-02", "text": "Turkey held elections. It rained."},
             {"id": "none", "title": "Neither side", "date": "2021-03-03", "text": "It rained in Paris all week."}]
    corpus = _jsonl(tmp_path / "corpus.jsonl", rows)
    out = tmp_path / "out"
    assert main(["report", "--corpus", str(corpus), "--out", str(out), "--n-boot", "50", "--quiet", "--no-cache"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    quality = html[html.index('id="quality"'):html.index('id="method"')]
    assert "60 undated articles" in quality and "and 10 more (all in data/articles.csv)" in quality
    assert "corpus.jsonl:1 — Undated story 0" in quality  # the row and its title, not the bare file path
    assert "names both sides, never in the same sentence (a co-mention)" in quality
    assert "names only Turkey" in quality and "names neither side" in quality
    assert "1 articles" not in html and "1 undated articles" not in html


def test_report_leads_with_the_headline_and_shows_the_event_study_from_data(seeds_results):
    import dataclasses

    evidence = seeds_results.headline_evidence.copy()
    evidence.loc[evidence["measure"] == seeds_results.headline, "mean_signed_z"] = 0.4321
    evidence.attrs["corpora"] = ["corpus-one", "corpus-two"]
    html = render_report(dataclasses.replace(seeds_results, headline_evidence=evidence), EVALUATION, command="x")
    from markupsafe import escape

    from analysis.events import MEASURES

    assert f"Headline measure: {escape(MEASURES[seeds_results.headline].label)}" in html
    method = html[html.index('id="method-headline"'):]
    assert "+0.43" in method and "corpus-one, corpus-two" in method and "(headline)" in method
    assert 'id="events"' in html and "distinct event" in html
    assert "2015-11-24 (crisis): Turkey shoots down a Russian Su-24" in html  # the dated events and their sources


def test_report_takes_a_and_b_and_writes_the_period_labels(tmp_path):
    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet", "--a", "2021", "--b", "2025", "--n-boot", "50"]) == 0
    comparisons = pd.read_csv(out / "data" / "comparisons.csv", dtype=str)
    assert set(comparisons["period_a"]) == {"2021"} and set(comparisons["period_b"]) == {"2025"}
    assert main(["report", "--out", str(out), "--quiet", "--a", "2021"]) == 2
    for table in ("events", "event_periods", "perspective_periods", "directed_lags"):
        assert (out / "data" / f"{table}.csv").exists() and (out / "data" / f"{table}.parquet").exists()


def test_empty_configured_periods_fall_back_to_the_data_and_say_so(tmp_path):
    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet", "--a", "1990", "--b", "1991", "--n-boot", "50"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "The configured periods hold 0 and 0 scored articles (A = 1990, B = 1991)" in html
    comparisons = pd.read_csv(out / "data" / "comparisons.csv", dtype=str)
    assert set(comparisons["period_a"]) != {"1990"}


@pytest.mark.browser
def test_search_covers_the_sentences_and_links_land_below_the_sticky_header(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--quiet", "--n-boot", "50"]) == 0
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto((out / "report.html").as_uri())
        rows = page.locator("#article-table > tbody > tr")
        # a word in an embedded dyad sentence, in no title, source, topic or path
        page.fill("#article-search", "tianjin")
        visible = [r for r in range(rows.count()) if rows.nth(r).is_visible()]
        assert len(visible) == 1
        page.fill("#article-search", "")
        link = page.locator("#topics .evidence a").first
        target = link.get_attribute("href")
        link.click()
        page.wait_for_timeout(300)
        nav_bottom = page.evaluate("document.querySelector('nav').getBoundingClientRect().bottom")
        row = page.locator(target)
        top = page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top", target[1:])
        assert top >= nav_bottom - 1  # the article's title is not hidden under the sticky navigation
        assert row.locator("details.article").evaluate("d => d.open")
        assert page.locator(f"{target} summary").is_visible()
        browser.close()
