"""Property tests of what leaves the program: text from the corpus is never markup in the report, and CSV reads back."""

import csv
import dataclasses
import json
from html.parser import HTMLParser

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.io import write_table

# Pieces of markup, script, template and spreadsheet syntax, mixed with any text at all.
HOSTILE = ["<script>", "</script>", "<img src=x onerror=alert(1)>", "\"", "'", "&", "&amp;", "<!--", "-->", "]]>",
           "</textarea>", "<svg onload=alert(1)>", "javascript:", "{{7*7}}", "{% raw %}", "${x}", "=cmd|' /C calc'!A0",
           "+1", "-1", "@SUM(A1)", "\t", "\r", "\n", "\r\n", ",", "\u2028", "</style>", "<a href='x'>", "`", "\\"]
PIECE = st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))
HOSTILE_TEXT = st.lists(PIECE, min_size=1, max_size=8).map("".join)


def _csv_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(HOSTILE_TEXT, min_size=1, max_size=6))
def test_csv_reads_back_as_written_but_for_the_formula_quote(tmp_path, texts):
    frame = pd.DataFrame({"title": texts, "net": [-0.5] * len(texts)})
    write_table(frame, tmp_path, "t")
    header, *rows = _csv_rows(tmp_path / "t.csv")
    assert header == ["title", "net"]
    expected = ["'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text for text in texts]
    assert [row[0] for row in rows] == expected
    assert {row[1] for row in rows} == {"-0.5"}  # a number is never quoted away
    assert pd.read_parquet(tmp_path / "t.parquet")["title"].tolist() == texts


class _Structure(HTMLParser):
    """Every element and attribute name of a page, in order: what markup a text could add."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(name for name, _ in attrs)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def _structure(html: str) -> list:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser.tags


def _with_text(results, titles, sentences, source):
    """The seeds' results with every title, sentence, source and skip reason replaced (cue offsets dropped)."""
    articles = results.articles.assign(title=[titles[i % len(titles)] for i in range(len(results.articles))],
                                       source=source, byline=source)
    scored = results.sentences.assign(text=[sentences[i % len(sentences)] for i in range(len(results.sentences))],
                                      cue_spans="[]")
    skipped = results.skipped.assign(reason=source)
    return dataclasses.replace(results, articles=articles, sentences=scored, skipped=skipped)


@pytest.mark.slow  # two renders of the seeds' report per example
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(titles=st.lists(HOSTILE_TEXT, min_size=1, max_size=5), sentences=st.lists(HOSTILE_TEXT, min_size=1, max_size=7),
       source=HOSTILE_TEXT)
def test_no_text_becomes_markup_in_the_report(seeds_results, titles, sentences, source):
    from analysis.present.report import render_report

    page = render_report(_with_text(seeds_results, titles, sentences, source), {}, command="x")
    plain = render_report(_with_text(seeds_results, ["x"] * len(titles), ["x"] * len(sentences), "x"), {}, command="x")
    # The same elements with the same attributes, in the same order, whatever the text: none came from it.
    assert _structure(page) == _structure(plain)
    for blob in page.split('<script type="application/json"')[1:]:
        data = blob.split(">", 1)[1].split("</script>", 1)[0]
        assert "<" not in data and ">" not in data
        json.loads(data)
