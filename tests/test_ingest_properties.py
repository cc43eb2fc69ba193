"""Property-based tests of ingestion (hypothesis): no row is lost or changed on the way in.

Example counts rise under CI (``CI`` set in the environment): the ``ingest-ci``
profile; the fast loop uses ``ingest``. Both inherit the session's ``project``
profile (no example database, see conftest.py).
"""

import csv
import datetime as dt
import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.ingest import decode_text
from analysis.ingest import read_corpus as ingest
from analysis.ingest.clutter import remove_clutter
from analysis.ingest.decoding import UTF8_SEQUENCE

settings.register_profile("ingest", parent=settings.get_profile("project"), max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("ingest-ci", parent=settings.get_profile("ingest"), max_examples=200)
PROFILE = settings.get_profile("ingest-ci" if os.environ.get("CI") else "ingest")
TODAY = dt.date(2026, 1, 1)

WORDS = ["Turkey", "Russia", "met", "in", "Ankara", "and", "Moscow", "talks", "grain", "deal", "Erdoğan", "Putin",
         "naïve", "“quoted”", "S-400", ",", ";", "|"]
ARTICLE = st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(lambda words: " ".join(words) + ".")
FIELD = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


def _row_strategy():
    keys = st.fixed_dictionaries({}, optional={
        "id": st.integers(0, 10**6).map(str), "title": FIELD, "source": FIELD,
        "date": st.dates(dt.date(1990, 1, 1), dt.date(2025, 12, 31)).map(str), "text": ARTICLE,
        "extra": FIELD})
    return keys


@PROFILE
@given(st.lists(_row_strategy(), min_size=1, max_size=12))
def test_jsonl_rows_with_any_keys_keep_their_own_fields(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("jsonl") / "rows.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    with_text = [(number, row) for number, row in enumerate(rows, start=1) if "text" in row]
    if not with_text:
        with pytest.raises(InputError):
            ingest(path, reference_date=TODAY)
        return
    result = ingest(path, reference_date=TODAY)
    articles = result.articles
    assert list(articles["line"]) == [number for number, _ in with_text]
    for (_, row), (_, article) in zip(with_text, articles.iterrows(), strict=True):
        assert article["text"] == row["text"]
        assert article["title"] == row.get("title", "").strip()
        assert article["source"] == row.get("source", "").strip()
        assert article["source_id"] == row.get("id", "")
        expected_date = row.get("date")
        assert (str(article["published"].date()) if article["date_source"] == "column" else None) == expected_date
    skipped = result.skipped[result.skipped["action"] == "skipped"]
    assert list(skipped["line"]) == [number for number, row in enumerate(rows, start=1) if "text" not in row]


CSV_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=200),
    st.tuples(ARTICLE, st.integers(1, 6_000)).map(lambda pair: pair[0] * pair[1]),  # fields of up to ~1 MB
)


@PROFILE
@given(delimiter=st.sampled_from([",", ";", "\t", "|"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
       line_end=st.sampled_from(["\r\n", "\n"]),
       rows=st.lists(st.tuples(st.integers(0, 10**6).map(str), FIELD, CSV_TEXT), min_size=1, max_size=8))
def test_what_csv_writer_wrote_is_read_back_exactly(tmp_path_factory, delimiter, quoting, line_end, rows):
    if quoting == csv.QUOTE_MINIMAL and line_end == "\n":
        # Python 3.11's writer then leaves a CR unquoted: a text ending in CR before
        # the LF is a CRLF line end to any reader. Such a text gets a last character.
        rows = [(id_, title, text + "." if text.endswith("\r") else text) for id_, title, text in rows]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=line_end)
    writer.writerow(["id", "title", "text"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "rows.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))

    def cleaned(text):
        return remove_clutter(text.replace("\r\n", "\n").replace("\r", "\n"))[0]

    expected = [(number, row) for number, row in zip(_first_lines(rows, line_end), rows, strict=True)
                if cleaned(row[2]).strip()]
    if not expected:
        with pytest.raises(InputError):
            ingest(path, reference_date=TODAY)
        return
    result = ingest(path, reference_date=TODAY)
    assert result.skipped[result.skipped["action"] == "warned"].empty
    got = list(zip(result.articles["line"], result.articles["source_id"], result.articles["title"],
                   result.articles["text"], strict=True))
    assert got == [(number, row[0], row[1].strip(), cleaned(row[2])) for number, row in expected]


def _first_lines(rows, line_end):
    """The physical line each CSV row starts on (line 1 is the header)."""
    numbers, line = [], 2
    for row in rows:
        numbers.append(line)
        text = "".join(row)
        # Lines are counted by their LF (a CR inside a line of an LF or CRLF file is text).
        line += 1 + text.count("\n")
    return numbers


@PROFILE
@given(st.binary(max_size=3000))
def test_the_decoder_never_raises_on_any_bytes(data):
    decoded = decode_text(data)
    assert isinstance(decoded.text, str)
    assert (decoded.reason is None) == bool(decoded.text.strip())


UTF8_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=2000).filter(
    lambda text: text.strip() and not text.startswith(("\ufeff", "%PDF", "GIF8")))


@PROFILE
@given(UTF8_TEXT)
def test_utf8_decodes_exactly_and_without_warnings(text):
    decoded = decode_text(text.encode("utf-8"))
    assert (decoded.text, decoded.encoding, decoded.warnings) == (text, "utf-8", [])


@PROFILE
@given(st.text(st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f"), min_size=1, max_size=500)
       .filter(lambda text: text.strip() and not text.startswith(("%PDF", "GIF8"))))
def test_cp1252_text_decodes_to_itself(text):
    data = text.encode("cp1252", errors="ignore")
    if not data.strip():
        return
    if UTF8_SEQUENCE.search(data):
        return  # then the rule may read it as damaged UTF-8: see test_ingest.py for that case
    assert decode_text(data).text == data.decode("cp1252")
