import datetime as dt
import json
import os

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, ROOT, write

from analysis.errors import ConfigError, InputError
from analysis.ingest import load_corpus, parse_text_article
from analysis.ingest import read_corpus as ingest

TODAY = dt.date(2026, 1, 1)


def one(tmp_path, text, name="a.txt", **options):
    write(tmp_path / "corpus" / name, text)
    result = ingest(tmp_path / "corpus", reference_date=TODAY, **options)
    return result.articles.iloc[0], result.skipped


# ------------------------------------------------------------------ the seeds

EXPECTED_SEEDS = {
    "000_493e7e0ca3dfd0f6.txt": ("2025-03-28", "explicit", "themoscowtimes.com",
                                 "Erdogan Tells Putin Cooperation With Russia Key to Resolving Regional Conflicts"),
    "001_df8253b35ba7dfe3.txt": ("2025-09-01", "override", "Caliber.Az",
                                 "Putin, Erdoğan discuss Middle East, North Africa, South Caucasus Video / Updated"),
    "002_d22284e7f4469652.txt": ("2021-08-27", "override", "", ""),
    "003_66d5f61bff40c495.txt": ("2025-05-27", "override", "", ""),
    "004_364b73e1dbbcb9fe.txt": ("2020-10-28", "explicit", "parstoday.ir", "Putin, Erdogan discuss Karabakh, Syria, Libya"),
}


def test_seeds_give_five_dated_articles_with_metadata():
    result = ingest(ROOT / "seeds")
    articles = result.articles.set_index("path")
    assert sorted(articles.index) == sorted(EXPECTED_SEEDS)
    for path, (published, source_kind, source, title) in EXPECTED_SEEDS.items():
        row = articles.loc[path]
        assert str(row["published"].date()) == published, path
        assert row["date_source"] == source_kind, path
        assert row["source"] == source, path
        assert row["title"] == title, path
    assert articles.loc["000_493e7e0ca3dfd0f6.txt", "byline"] == "AFP"
    assert articles.loc["000_493e7e0ca3dfd0f6.txt", "url"].startswith("https://www.themoscowtimes.com/2025/03/28/")
    assert articles.loc["004_364b73e1dbbcb9fe.txt", "url"].startswith("https://parstoday.ir/en/news/")
    assert (articles["duplicate_of"] == "").all()
    assert result.skipped.empty


def test_seed_text_drops_metadata_lines_but_keeps_the_article():
    articles = load_corpus(ROOT / "seeds").set_index("path")
    text = articles.loc["000_493e7e0ca3dfd0f6.txt", "text"]
    assert "Original url" not in text and "Related article" not in text and "March 28, 2025" not in text
    # the quotation broken by a stray blank line is joined again
    assert "Black Sea initiative for safe navigation" in text
    assert "(last modified" not in articles.loc["004_364b73e1dbbcb9fe.txt", "text"]


def test_article_ids_are_stable_and_from_content(tmp_path):
    write(tmp_path / "c" / "b.txt", "Turkey and Russia met.\n")
    write(tmp_path / "c" / "a.txt", "Ankara and Moscow talked.\n")
    first = ingest(tmp_path / "c").articles.set_index("path")["article_id"]
    (tmp_path / "c" / "a.txt").rename(tmp_path / "c" / "z.txt")
    second = ingest(tmp_path / "c").articles.set_index("path")["article_id"]
    assert first["b.txt"] == second["b.txt"]
    assert first["a.txt"] == second["z.txt"]


# ------------------------------------------------------------------ metadata rules

def test_markdown_heading_is_the_title():
    parsed = parse_text_article("\n# Turkey, Russia Sign Deal\n\nBody text here.")
    assert parsed["title"] == "Turkey, Russia Sign Deal"
    assert "Turkey, Russia Sign Deal" not in parsed["text"]


def test_first_line_is_title_only_when_it_reads_as_a_headline():
    assert parse_text_article("Putin, Erdogan Discuss Syria\nThe leaders spoke.")["title"] == "Putin, Erdogan Discuss Syria"
    assert parse_text_article("Foreign Minister Fidan met Lavrov in Moscow on Tuesday.\nMore.")["title"] == ""


def test_byline_url_site_and_reports():
    parsed = parse_text_article("# T T T\n\nBy [Reuters](#)\n\nText. Anadolu Agency reports that talks went on.")
    assert parsed["byline"] == "Reuters"
    assert parsed["source"] == "Anadolu Agency"
    parsed = parse_text_article("Text here.\n\nOriginal url:\n\n<https://www.dailysabah.com/politics/2024/01/02/x>")
    assert parsed["url"] == "https://www.dailysabah.com/politics/2024/01/02/x"
    assert parsed["source"] == "dailysabah.com"
    parsed = parse_text_article("See [the story](https://tass.com/politics/123) for more.")
    assert parsed["url"] == "https://tass.com/politics/123"
    parsed = parse_text_article("Bare link https://aa.com.tr/en/world/x-y/123 in text.")
    assert parsed["url"] == "https://aa.com.tr/en/world/x-y/123"


def test_dateline_explicit_and_not_a_mentioned_date():
    parsed = parse_text_article("# Headline Words Here\n\nMarch 28, 2025\n\nThey agreed on March 5, 2020, to halt.")
    assert (parsed["published"], parsed["date_source"]) == (dt.date(2025, 3, 28), "explicit")
    parsed = parse_text_article("Turkey and Russia agreed on March 5, 2020, to halt fighting.\nMore text.")
    assert (parsed["published"], parsed["date_source"]) == (None, "unknown")


def test_last_modified_is_not_the_publication_date():
    parsed = parse_text_article("Headline Of The Story\n(last modified 2021-04-13T07:22:40+00:00 )\n"
                                "Oct 28, 2020 13:32 UTC\nBody.")
    assert parsed["published"] == dt.date(2020, 10, 28)
    assert parsed["date_source"] == "explicit"


def test_date_from_url_when_no_dateline():
    parsed = parse_text_article("Body text.\nOriginal url: https://example.com/2019/07/12/s-400-arrives")
    assert (parsed["published"], parsed["date_source"]) == (dt.date(2019, 7, 12), "url")


def test_override_file_wins_and_unknown_dates_are_reported(tmp_path):
    write(tmp_path / "c" / "a.txt", "Body one about Turkey.\n")
    write(tmp_path / "c" / "b.txt", "# Some Headline Here\n\nMay 2, 2019\n\nBody two about Russia.\n")
    write(tmp_path / "c" / "metadata.csv", "file,published,title,source,url,note\n"
                                           "a.txt,2024-02-01,A Title,Outlet,,researched\n"
                                           "missing.txt,2024-02-01,,,,\n")
    result = ingest(tmp_path / "c", reference_date=TODAY)
    rows = result.articles.set_index("path")
    assert rows.loc["a.txt", "date_source"] == "override"
    assert rows.loc["a.txt", "title"] == "A Title"
    assert rows.loc["b.txt", "date_source"] == "explicit"
    reasons = " ".join(result.skipped["reason"])
    assert "missing.txt" in reasons and "not in the corpus" in reasons


def test_undated_article_is_kept_and_listed(tmp_path):
    row, skipped = one(tmp_path, "Turkey and Russia talked.\n")
    assert pd.isna(row["published"]) and row["date_source"] == "unknown"
    assert (skipped["action"] == "kept").all() and "date unknown" in skipped["reason"].iloc[0]


def test_inferred_dates_only_when_asked(tmp_path):
    text = "Turkey and Russia agreed on March 5, 2020, and met again on 7 June 2021.\n"
    row, _ = one(tmp_path, text)
    assert row["date_source"] == "unknown"
    row, skipped = one(tmp_path, text, infer_dates=True)
    assert row["date_source"] == "inferred" and str(row["published"].date()) == "2021-06-07"
    assert any("inferred" in reason for reason in skipped["reason"])


@pytest.mark.parametrize("line,why", [("January 2, 2099", "after the latest"), ("January 2, 1850", "before the earliest"),
                                      ("January 2, 2020", None)])
def test_impossible_dates_are_rejected(tmp_path, line, why):
    row, skipped = one(tmp_path, f"# A Headline For It\n\n{line}\n\nBody text.\n")
    assert (row["date_source"] == "explicit") is (why is None)
    if why:
        assert why in " ".join(skipped["reason"])


# ------------------------------------------------------------------ encodings and bad files

def test_encodings(tmp_path):
    text = "Türkiye’s Çavuşoğlu met Lavrov — “talks” went well.\n"
    write(tmp_path / "c" / "utf8bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    write(tmp_path / "c" / "utf16.txt", text.encode("utf-16"))
    write(tmp_path / "c" / "cp1252.txt", "Ankara’s “talks” with Moscow – and more café talk. " * 5, encoding="cp1252")
    write(tmp_path / "c" / "latin1.txt", "Café in Ankara: Moscow's señor said à bientôt. " * 5, encoding="latin-1")
    articles = ingest(tmp_path / "c").articles.set_index("path")
    assert articles.loc["utf8bom.txt", "text"].startswith("Türkiye’s")
    assert "Çavuşoğlu" in articles.loc["utf16.txt", "text"]
    assert "Ankara’s “talks”" in articles.loc["cp1252.txt", "text"]
    assert "Café" in articles.loc["latin1.txt", "text"]


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"), (b"   \n\t\n", "empty"), (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (bytes(range(256)) * 20, "binary"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
])
def test_bad_files_are_skipped_with_a_reason(tmp_path, content, reason):
    write(tmp_path / "c" / "bad.txt", content)
    write(tmp_path / "c" / "good.txt", "Turkey and Russia met.\n")
    result = ingest(tmp_path / "c")
    assert list(result.articles["path"]) == ["good.txt"]
    skipped = result.skipped[result.skipped["action"] == "skipped"]
    assert list(skipped["path"]) == ["bad.txt"]
    assert reason.lower() in skipped["reason"].iloc[0].lower()


def test_html_extraction_drops_scripts_and_styles(tmp_path):
    page = ("<html><head><title>Turkey, Russia Talk</title><meta property='article:published_time' "
            "content='2022-03-10T08:00:00Z'><style>p{color:red}</style><script>alert('x')</script></head>"
            "<body><nav>Menu</nav><p>Turkey and Russia held talks.</p><script>var a=1;</script></body></html>")
    write(tmp_path / "c" / "a.html", page)
    write(tmp_path / "c" / "only.htm", "<html><script>alert(1)</script><style>p{}</style></html>")
    result = ingest(tmp_path / "c")
    row = result.articles.set_index("path").loc["a.html"]
    assert row["title"] == "Turkey, Russia Talk"
    assert row["text"] == "Turkey and Russia held talks."
    assert str(row["published"].date()) == "2022-03-10"
    assert "only.htm" in set(result.skipped["path"])


def test_other_suffixes_are_listed_not_silently_dropped(tmp_path):
    write(tmp_path / "c" / "notes.docx", b"PK\x03\x04")
    write(tmp_path / "c" / "a.txt", "Turkey.\n")
    result = ingest(tmp_path / "c")
    assert "notes.docx" in set(result.skipped["path"])


def test_tables_inside_a_folder_are_read_with_their_names(tmp_path):
    # A folder of monthly dumps: each row is an article named by its table and
    # line; a table that is not an article table is listed, and the rest is read.
    write(tmp_path / "c" / "2021" / "jan.jsonl",
          json.dumps({"id": "1", "date": "2021-01-05", "text": "Turkey met Russia."}) + "\n{not json\n"
          + json.dumps({"id": "2", "date": "2021-01-06", "text": "Ankara and Moscow talked."}) + "\n")
    write(tmp_path / "c" / "feb.csv", "id,date,body\n3,2021-02-01,Russia and Turkey signed a deal.\n")
    write(tmp_path / "c" / "notes.csv", "a,b\n1,2\n")
    write(tmp_path / "c" / "a.txt", "Turkey.\n")
    result = ingest(tmp_path / "c")
    rows = result.articles.sort_values(["path", "line"])
    assert list(zip(rows["path"], rows["line"].astype(object), rows["source_id"], strict=True)) == [
        ("2021/jan.jsonl", 1, "1"), ("2021/jan.jsonl", 3, "2"), ("a.txt", pd.NA, ""), ("feb.csv", 2, "3")]
    problems = {(p, r.split(" (")[0]) for p, r in zip(result.skipped["path"], result.skipped["reason"], strict=True)}
    assert ("2021/jan.jsonl", "malformed JSON line") in problems
    assert any(p == "notes.csv" and r.startswith("no text column") for p, r in problems)


# ------------------------------------------------------------------ tabular inputs

def test_jsonl_with_broken_line_and_missing_text(tmp_path):
    lines = [json.dumps({"id": "1", "title": "T1", "date": "2021-02-03", "text": "Turkey met Russia.", "url": None}),
             "{not json",
             json.dumps({"id": "2", "title": "T2", "date": "2021-02-04"}),
             json.dumps({"id": "3", "title": "T3", "published": "2021-02-05", "body": "Ankara and Moscow."})]
    path = write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")
    result = ingest(path)
    assert list(result.articles["source_id"]) == ["1", "3"]
    assert list(result.articles["date_source"]) == ["column", "column"]
    problems = result.skipped.set_index("line")
    assert "malformed JSON" in problems.loc[2, "reason"]
    assert "no text" in problems.loc[3, "reason"]


def test_csv_with_quoted_newlines_and_other_delimiter(tmp_path):
    path = write(tmp_path / "c.csv", 'headline;body;pubdate\n"Deal";"Turkey and Russia\nsigned a deal.";2020-01-02\n'
                                    '"Row two";"Ankara, Moscow";2020-01-03\n')
    articles = ingest(path).articles
    assert list(articles["title"]) == ["Deal", "Row two"]
    assert articles["text"].iloc[0] == "Turkey and Russia\nsigned a deal."


def test_csv_without_text_column_is_a_clear_error(tmp_path):
    path = write(tmp_path / "c.csv", "a|b\n1|2\n")
    with pytest.raises(InputError, match="no text column"):
        ingest(path)


def test_column_mapping_and_parquet(tmp_path):
    frame = pd.DataFrame({"story": ["Turkey and Russia agreed."], "when": ["2023-05-06"], "hed": ["Agreement"]})
    path = tmp_path / "c.parquet"
    frame.to_parquet(path)
    articles = ingest(path, columns={"text": "story", "published": "when", "title": "hed"}).articles
    assert articles["title"].iloc[0] == "Agreement"
    assert str(articles["published"].iloc[0].date()) == "2023-05-06"


def test_missing_corpus_and_bad_metadata_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        ingest(tmp_path / "nowhere")
    write(tmp_path / "c" / "a.txt", "Turkey.\n")
    write(tmp_path / "c" / "metadata.csv", "name,date\nx,y\n")
    with pytest.raises(ConfigError, match="'file' column"):
        ingest(tmp_path / "c")


def test_real_corpus_sample_ingests_cleanly():
    result = ingest(DATA / "corpora_sample.jsonl")
    assert len(result.articles) == 7
    assert result.articles["published"].notna().all()
    assert result.skipped.empty


# ------------------------------------------------------------------ duplicates

STORY = ("Turkish and Russian officials met in Ankara on Monday to discuss the war in Syria, the grain corridor "
         "in the Black Sea and the construction of the Akkuyu nuclear power plant, which Rosatom is building. "
         "The ministers agreed to keep talking and said the joint patrols in Idlib would continue for months. ")


def test_exact_and_near_duplicates_are_marked(tmp_path):
    # a wire story of ~250 distinct words; the near copy changes two of them (true Jaccard of 5-shingles ≈ 0.93)
    story = " ".join(f"Paragraph {i}: {STORY}" for i in range(1, 4)).replace("Monday", "Monday, 3 March,")
    story = " ".join(f"{word}{i % 7}" if i % 5 == 0 else word for i, word in enumerate(story.split()))
    write(tmp_path / "c" / "1.txt", story)
    write(tmp_path / "c" / "2.txt", story)
    near = story.replace("Ankara", "Ankara's capital", 1).replace("continue", "go on", 1)
    write(tmp_path / "c" / "3.txt", near)
    write(tmp_path / "c" / "4.txt", "A different story: Russia and Turkey clashed over Libya and Karabakh. " * 5)
    from analysis.ingest.dedup import _shingle_hashes
    from analysis.ingest.dedup import normalise as _normalise

    a, b = _shingle_hashes(_normalise(story)), _shingle_hashes(_normalise(near))
    assert 0.85 < len(set(a) & set(b)) / len(set(a) | set(b)) < 0.97
    articles = ingest(tmp_path / "c").articles.set_index("path")
    original = articles.loc["1.txt", "article_id"]
    assert articles.loc["1.txt", "duplicate_of"] == ""
    assert articles.loc["2.txt", "duplicate_of"] == original
    assert articles.loc["3.txt", "duplicate_of"] == original
    assert articles.loc["4.txt", "duplicate_of"] == ""
    assert articles["article_id"].is_unique


def test_iso_dates_take_the_fast_path_with_dateutils_answers():
    from dateutil import parser

    from analysis.ingest.dates import parse_date

    for text in ["2019-03-04", " 2020-01-01 ", "2020-01-01T00:00:00Z", "2020-01-01 00:00:00+00:00"]:
        assert parse_date(text) == parser.parse(text).date()
    assert parse_date("2019-02-30") is None  # not a day
    assert parse_date("2020-01-01T23:30:00-05:00") == parser.parse("2020-01-01T23:30:00-05:00").date()


@pytest.mark.parametrize("kind", ["jsonl", "parquet", "folder"])
def test_partitions_read_together_are_the_whole_corpus(tmp_path, kind):
    from analysis.ingest import Problems as _Problems
    from analysis.ingest import iter_partition, iter_records, partitions

    rows = [{"id": str(i), "date": f"2020-01-{i % 28 + 1:02d}", "text": f"Article {i}. Turkey and Russia met {i} times."}
            for i in range(40)]
    if kind == "jsonl":
        lines = [json.dumps(r) for r in rows]
        lines[7], lines[20] = "{broken", ""
        path = tmp_path / "c.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8")  # no final newline
        pieces = partitions(path, target_bytes=300)
    elif kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = tmp_path / "c.parquet"
        pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=7)
        pieces = partitions(path)
    else:
        path = tmp_path / "folder"
        for i in range(12):
            write(path / f"sub{i % 3}" / f"a{i:02d}.txt", f"Title {i}\n\nTurkey and Russia met {i} times.\n")
        write(path / "notes.pdf", "%PDF-1.4 not an article")
        pieces = partitions(path, files_per_partition=5)
    assert len(pieces) > 2
    whole_problems, piece_problems = _Problems(), _Problems()
    whole = list(iter_records(path, problems=whole_problems))
    pieced = [record for piece in pieces for record in iter_partition(piece, problems=piece_problems)]
    assert pieced == whole
    assert piece_problems.rows == whole_problems.rows
    assert partitions(tmp_path / "nothing.csv") is None


def test_find_duplicates_on_arrays_only_matches_articles_that_share_a_band_and_are_similar():
    from analysis.ingest import find_duplicates

    rng = np.random.default_rng(5)
    signatures = rng.integers(0, 2**32, size=(300, 64), dtype=np.uint32)  # no two share a band by chance
    hashes = np.array([f"h{i}" for i in range(300)], dtype=object)
    signatures[10] = signatures[3]
    signatures[10, :6] += 1  # 58/64 equal, bands 2–15 shared: a near copy of 3
    signatures[20] = signatures[5]
    signatures[20, ::3][:20] += 1  # 44/64 equal (< 0.8) although bands 14–15 are shared: not a copy
    hashes[30] = hashes[7]  # the same text: an exact copy of 7, whatever its signature
    signatures[40] = signatures[3]
    signatures[40, 60:] += 1  # a near copy of 3 and of 10; 10 is itself a copy, so 3 is the original
    signatures[50] = signatures[60]  # identical min-hashes, but 60 comes later: 60 repeats 50
    original = find_duplicates(hashes, signatures)
    expected = np.full(300, -1)
    expected[[10, 30, 40, 60]] = [3, 7, 3, 50]
    np.testing.assert_array_equal(original, expected)
    # 58/64 and 60/64 are below a threshold of 0.95
    assert (find_duplicates(hashes, signatures, threshold=0.95)[[10, 40]] == -1).all()


# ------------------------------------------------------------------ ingest that loses nothing (issues 20, 23)

def _reasons(skipped, path=None):
    rows = skipped if path is None else skipped[skipped["path"] == path]
    return " | ".join(rows["reason"])


def test_a_jsonl_row_without_title_does_not_lose_the_title_of_later_rows(tmp_path):
    rows = [{"id": "1", "title": "T1", "date": "2021-02-03", "source": "S1", "url": "https://a.com/1", "text": "One."},
            {"id": "2", "date": "2021-02-04", "text": "Two."},
            {"id": "3", "title": "T3", "date": "2021-02-05", "source": "S3", "url": "https://a.com/3", "text": "Three."}]
    path = write(tmp_path / "c.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    articles = ingest(path, reference_date=TODAY).articles
    assert list(articles["title"]) == ["T1", "", "T3"]
    assert list(articles["source"]) == ["S1", "", "S3"]
    assert list(articles["url"]) == ["https://a.com/1", "", "https://a.com/3"]
    assert [str(d.date()) for d in articles["published"]] == ["2021-02-03", "2021-02-04", "2021-02-05"]


def test_a_jsonl_row_without_text_is_skipped_alone(tmp_path):
    rows = [{"id": "0", "title": "T0", "text": "Zero."}, {"id": "x", "title": "no text here"}]
    rows += [{"id": str(i), "title": f"T{i}", "text": f"Article {i}."} for i in range(1, 9)]
    path = write(tmp_path / "c.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    result = ingest(path, reference_date=TODAY)
    assert list(result.articles["source_id"]) == ["0", *map(str, range(1, 9))]
    assert list(result.articles["title"]) == ["T0", *(f"T{i}" for i in range(1, 9))]
    skipped = result.skipped[result.skipped["action"] == "skipped"]
    assert list(skipped["line"]) == [2] and "no text" in skipped["reason"].iloc[0]
    assert "None" not in skipped["reason"].iloc[0]


def test_a_csv_field_over_131072_characters_is_read_and_later_rows_too(tmp_path):
    long_text = "Turkey and Russia met. " * 10_000  # 230,000 characters
    path = write(tmp_path / "c.csv", f'id,text\n1,"{long_text}"\n2,Second article.\n3,Third article.\n')
    result = ingest(path, reference_date=TODAY)
    assert list(result.articles["source_id"]) == ["1", "2", "3"]
    assert result.articles["text"].iloc[0] == long_text


def test_a_csv_field_over_the_article_cap_is_truncated_and_listed(tmp_path, monkeypatch):
    from analysis.ingest import readers

    settings = dict(readers.ingest_settings())
    monkeypatch.setattr(readers, "ingest_settings", lambda: {**settings, "max_article_chars": 1000})
    path = write(tmp_path / "c.csv", f'id,text\n1,"{"x" * 5000}"\n2,Second article.\n')
    result = ingest(path, reference_date=TODAY)
    assert list(result.articles["source_id"]) == ["1", "2"]
    assert len(result.articles["text"].iloc[0]) == 1000
    kept = result.skipped[result.skipped["reason"].str.contains("truncated")]
    assert list(kept["line"]) == [2] and list(kept["action"]) == ["kept"]


def test_an_unterminated_quote_in_csv_loses_only_its_own_row(tmp_path):
    path = write(tmp_path / "c.csv", 'id,title,text\n1,A,"First article.\n2,B,Second article.\n3,"C",Third article.\n'
                                     '4,D,"Fourth article."\n')
    result = ingest(path, reference_date=TODAY)
    assert list(result.articles["source_id"]) == ["2", "3", "4"]
    assert list(result.articles["text"]) == ["Second article.", "Third article.", "Fourth article."]
    skipped = result.skipped[result.skipped["action"] == "skipped"]
    assert list(skipped["line"]) == [2] and "quote" in skipped["reason"].iloc[0]


def test_an_unterminated_quote_running_to_the_end_of_the_csv_is_listed(tmp_path):
    path = write(tmp_path / "c.csv", 'id,text\n1,First article.\n2,"Second article.\n3,Third article.\n4,Fourth.\n')
    result = ingest(path, reference_date=TODAY)
    assert list(result.articles["source_id"]) == ["1", "3", "4"]
    skipped = result.skipped[result.skipped["action"] == "skipped"]
    assert list(skipped["line"]) == [3] and "quote" in skipped["reason"].iloc[0]


def test_a_quoted_multiline_csv_field_is_one_article(tmp_path):
    path = write(tmp_path / "c.csv", 'id,title,text\n1,A,"Turkey, Russia and Iran met in Astana, officials said.\n'
                                     '2,B,Second line of the same article."\n3,C,Third.\n')
    result = ingest(path, reference_date=TODAY)
    assert list(result.articles["source_id"]) == ["1", "3"]
    assert result.skipped[result.skipped["action"] == "skipped"].empty


def _unreadable_folder_test_applies():
    return hasattr(os, "geteuid") and os.geteuid() != 0


def test_symlinks_fifos_and_special_files_are_listed_and_outside_links_refused(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "good.txt", "Turkey and Russia met.\n")
    secret = write(tmp_path / "secret.txt", "Password file content that must not be read.\n")
    (corpus / "outside.txt").symlink_to(secret)
    (corpus / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (corpus / "inside.txt").symlink_to(corpus / "good.txt")
    os.mkfifo(corpus / "pipe.txt")
    result = ingest(corpus, reference_date=TODAY)
    assert sorted(result.articles["path"]) == ["good.txt", "inside.txt"]
    assert "outside the corpus folder" in _reasons(result.skipped, "outside.txt")
    assert "broken symbolic link" in _reasons(result.skipped, "dangling.txt")
    assert "FIFO" in _reasons(result.skipped, "pipe.txt")
    assert not result.articles["text"].str.contains("Password").any()


@pytest.mark.skipif(not _unreadable_folder_test_applies(), reason="root reads a chmod 000 folder anyway")
def test_an_unreadable_subfolder_is_listed(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "good.txt", "Turkey and Russia met.\n")
    write(corpus / "locked" / "a.txt", "Ankara and Moscow.\n")
    (corpus / "locked").chmod(0)
    try:
        result = ingest(corpus, reference_date=TODAY)
    finally:
        (corpus / "locked").chmod(0o755)
    assert "cannot be read" in _reasons(result.skipped, "locked")


def test_cp1252_and_latin1_are_decoded_as_cp1252_with_a_warning(tmp_path):
    write(tmp_path / "c" / "a.txt", "A naïve plan: Türkiye’s “talks” with Moscow – and more.\n", encoding="cp1252")
    write(tmp_path / "c" / "b.txt", "Plain UTF-8 text about Türkiye.\n")
    result = ingest(tmp_path / "c", reference_date=TODAY)
    articles = result.articles.set_index("path")
    assert articles.loc["a.txt", "text"] == "A naïve plan: Türkiye’s “talks” with Moscow – and more."
    warned = result.skipped[result.skipped["action"] == "warned"]
    assert list(warned["path"]) == ["a.txt"] and "cp1252" in warned["reason"].iloc[0]


def test_decoder_rules():
    from analysis.ingest import decode_text

    assert decode_text("naïve Türkiye".encode("cp1252")).text == "naïve Türkiye"
    assert decode_text("naïve Türkiye".encode("cp1252")).encoding == "cp1252"
    assert decode_text("naïve".encode()).encoding == "utf-8" and decode_text("naïve".encode()).warnings == []
    assert decode_text(codecs_bom("utf-16") + "Türkiye".encode("utf-16-le")).text == "Türkiye"
    assert decode_text(b"\xef\xbb\xbfT\xc3\xbcrkiye").text == "Türkiye"
    assert decode_text(b"a \x81 b").text == "a \x81 b"  # undefined in cp1252: latin-1
    assert decode_text("CAFÉ’s naïve".encode("cp1252")).text == "CAFÉ’s naïve"  # É’ alone is valid UTF-8 (ɒ)
    damaged = "Türkiye, Çavuşoğlu, İstanbul and Moskova: ".encode() * 5 + b"\xe9"  # one stray byte in UTF-8
    assert decode_text(damaged).text == "Türkiye, Çavuşoğlu, İstanbul and Moskova: " * 5 + "é"
    assert decode_text(b"Turkey\x00 and Russia").text == "Turkey and Russia"
    assert "NUL" in decode_text(b"Turkey\x00 and Russia").warnings[0]


def codecs_bom(name):
    import codecs

    return {"utf-16": codecs.BOM_UTF16_LE}[name]


def test_one_nul_byte_does_not_reject_an_article(tmp_path):
    body = "Turkey and Russia agreed on a ceasefire in Idlib after talks in Moscow. " * 20
    write(tmp_path / "c" / "a.txt", body.encode() + b"\x00" + body.encode())
    result = ingest(tmp_path / "c", reference_date=TODAY)
    assert list(result.articles["path"]) == ["a.txt"]
    assert "\x00" not in result.articles["text"].iloc[0]
    assert "NUL" in _reasons(result.skipped[result.skipped["action"] == "warned"], "a.txt")


def test_a_single_text_file_is_read_alone(tmp_path):
    write(tmp_path / "README.md", "# Readme Of The Project\n\nTurkey and Russia.\n")
    write(tmp_path / "other.txt", "Another article in the same folder.\n")
    write(tmp_path / "sub" / "deep.txt", "A third one, deeper.\n")
    write(tmp_path / "sub" / "empty.txt", b"")  # were the folder read, this would be listed
    result = ingest(tmp_path / "README.md", reference_date=TODAY)
    assert list(result.articles["path"]) == ["README.md"]
    assert result.skipped[result.skipped["action"] == "skipped"].empty


def test_an_unsupported_single_file_is_a_clear_error(tmp_path):
    path = write(tmp_path / "slides.pdf", b"%PDF-1.4")
    with pytest.raises(InputError, match="slides.pdf"):
        ingest(path)


def test_compressed_tables_and_texts_in_a_folder_and_alone(tmp_path):
    import bz2
    import gzip
    import lzma
    import zipfile

    row = lambda i: json.dumps({"id": str(i), "date": "2021-01-05", "text": f"Article {i} on Turkey."}) + "\n"  # noqa: E731
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.jsonl.gz").write_bytes(gzip.compress((row(1) + row(2)).encode()))
    (corpus / "b.csv.bz2").write_bytes(bz2.compress(b"id,text\n3,Article 3 on Russia.\n"))
    (corpus / "c.txt.xz").write_bytes(lzma.compress(b"Article four on Ankara.\n"))
    (corpus / "d.txt.gz").write_bytes(gzip.compress(b"Article five on Moscow.\n"))
    with zipfile.ZipFile(corpus / "e.zip", "w") as archive:
        archive.writestr("x/one.txt", "Article six in a zip.\n")
        archive.writestr("rows.jsonl", row(7))
    result = ingest(corpus, reference_date=TODAY)
    got = list(zip(result.articles["path"], result.articles["line"].astype(object), result.articles["text"], strict=True))
    assert got == [("a.jsonl.gz", 1, "Article 1 on Turkey."), ("a.jsonl.gz", 2, "Article 2 on Turkey."),
                   ("b.csv.bz2", 2, "Article 3 on Russia."), ("c.txt.xz", pd.NA, "Article four on Ankara."),
                   ("d.txt.gz", pd.NA, "Article five on Moscow."), ("e.zip!rows.jsonl", 1, "Article 7 on Turkey."),
                   ("e.zip!x/one.txt", pd.NA, "Article six in a zip.")]
    assert result.skipped[result.skipped["action"] != "kept"].empty
    alone = ingest(corpus / "a.jsonl.gz", reference_date=TODAY).articles
    assert list(alone["source_id"]) == ["1", "2"]
    assert list(ingest(corpus / "e.zip", reference_date=TODAY).articles["path"]) == ["e.zip!rows.jsonl", "e.zip!x/one.txt"]


def test_a_damaged_gzip_is_listed_with_the_rows_read_before(tmp_path):
    import gzip

    data = gzip.compress("".join(json.dumps({"id": str(i), "text": f"Article {i}. " * 50}) + "\n"
                                 for i in range(200)).encode())
    write(tmp_path / "c" / "a.jsonl.gz", data[: len(data) // 2])
    write(tmp_path / "c" / "b.txt", "Turkey and Russia.\n")
    result = ingest(tmp_path / "c", reference_date=TODAY)
    assert "b.txt" in set(result.articles["path"])
    assert "damaged" in _reasons(result.skipped, "a.jsonl.gz")


def _corrupt_parquet(path):
    """A Parquet file whose second row group has a damaged data page header."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = [f"Article {i}: " + "Turkey and Russia agreed on grain. " * 30 for i in range(300)]
    pq.write_table(pa.table({"id": [str(i) for i in range(300)], "text": texts}), path, compression="snappy",
                   row_group_size=100)
    offset = pq.ParquetFile(path).metadata.row_group(1).column(1).data_page_offset
    data = bytearray(path.read_bytes())
    data[offset + 20:offset + 60] = b"\xff" * 40
    path.write_bytes(bytes(data))


def test_a_corrupt_parquet_is_one_clear_problem_not_a_traceback(tmp_path):
    (tmp_path / "c").mkdir()
    _corrupt_parquet(tmp_path / "c" / "bad.parquet")
    write(tmp_path / "c" / "good.txt", "Turkey and Russia.\n")
    result = ingest(tmp_path / "c", reference_date=TODAY)
    assert "good.txt" in set(result.articles["path"])
    rows = result.articles[result.articles["path"] == "bad.parquet"]
    assert list(rows["source_id"]) == [*map(str, range(100)), *map(str, range(200, 300))]  # the damaged group only is lost
    problems = result.skipped[(result.skipped["path"] == "bad.parquet") & (result.skipped["action"] != "kept")]
    assert list(problems["action"]) == ["skipped"] and list(problems["line"]) == [101]
    assert "Parquet" in problems["reason"].iloc[0] and "101" in problems["reason"].iloc[0]
    alone = ingest(tmp_path / "c" / "bad.parquet", reference_date=TODAY)
    assert len(alone.articles) == 200 and len(alone.skipped[alone.skipped["action"] == "skipped"]) == 1


@pytest.mark.parametrize("content", [None, b"", b"%PDF-1.4 only"])
def test_a_corpus_without_a_usable_article_is_an_input_error(tmp_path, content):
    (tmp_path / "c").mkdir()
    if content is not None:
        write(tmp_path / "c" / "a.txt", content)
    with pytest.raises(InputError) as raised:
        ingest(tmp_path / "c")
    assert raised.value.exit_code == 3


def test_page_furniture_is_removed_during_ingest_and_counted(tmp_path):
    text = "Erdogan and Putin met in Sochi on Friday.\nHide Caption 3 of 6 Photos\nThe two leaders agreed to meet again.\n"
    write(tmp_path / "c" / "a.txt", text)
    write(tmp_path / "c" / "t.jsonl", json.dumps({"text": "Ankara and Moscow talked.\nAdvertisement\nMore talks."}) + "\n")
    articles = ingest(tmp_path / "c", reference_date=TODAY).articles.set_index("path")
    assert "Hide Caption" not in articles.loc["a.txt", "text"]
    assert articles.loc["t.jsonl", "text"] == "Ankara and Moscow talked.\nMore talks."
    from analysis.ingest import iter_records

    counted = {record["path"]: record["clutter_lines"] for record in iter_records(tmp_path / "c")}
    assert counted == {"a.txt": 1, "t.jsonl": 1}
    assert dict(articles["clutter_lines"]) == {"a.txt": 1, "t.jsonl": 1}


def test_the_seeds_texts_are_unchanged_by_the_furniture_patterns():
    import hashlib

    articles = ingest(ROOT / "seeds").articles
    # sha256 of each seed's text before furniture removal was hooked in (main at c748a19)
    assert [hashlib.sha256(text.encode()).hexdigest()[:16] for text in articles["text"]] == [
        "a8f4345a961b778b", "647e550d10ea7ef3", "4884fe570ab2a5da", "e087c468d34b7ee4", "c54c14af6b7bacbe"]
    assert list(articles["clutter_lines"]) == [0, 0, 0, 0, 0]


# ------------------------------------------------------------------ the bad-input corpus, end to end

# Every input of tests/data/bad_input (and of the entries made at run time): an article with its
# (source_id or title) or, for an input that is skipped, a word of its reason. Nothing else may appear.
BAD_INPUT_ARTICLES = {
    ("archive.zip!inner/story.txt", None): "",
    ("archive.zip!rows.jsonl", 1): "z1",
    ("cp1252.txt", None): "",
    ("huge_field.csv", 2): "h1",
    ("huge_field.csv", 3): "h2",
    ("missing_keys.jsonl", 1): "k1",
    ("missing_keys.jsonl", 2): "k2",
    ("missing_keys.jsonl", 5): "k4",
    ("missing_keys.jsonl", 6): "k5",
    ("one_nul.txt", None): "",
    ("rows.jsonl.gz", 1): "g1",
    ("rows.jsonl.gz", 2): "g2",
    ("unterminated_quote.csv", 3): "q2",
    ("unterminated_quote.csv", 4): "q3",
    ("utf16.txt", None): "",
    ("inside_link.txt", None): "",
}
BAD_INPUT_SKIPPED = {
    ("archive.zip!empty.txt", None): "empty file",
    ("binary.txt", None): "binary file",
    ("empty.txt", None): "empty file",
    ("missing_keys.jsonl", 3): "no text",
    ("missing_keys.jsonl", 4): "malformed JSON",
    ("unterminated_quote.csv", 2): "unterminated quote",
    ("dangling_link.txt", None): "broken symbolic link",
    ("outside_link.txt", None): "outside the corpus folder",
    ("pipe.txt", None): "FIFO",
    ("locked", None): "cannot be read",
}
BAD_INPUT_WARNED = {"cp1252.txt": "cp1252", "utf16.txt": "utf-16", "one_nul.txt": "NUL"}


def test_the_bad_input_corpus_loses_nothing(tmp_path):
    import shutil

    corpus = tmp_path / "bad_input"
    shutil.copytree(DATA / "bad_input", corpus)
    # Made at run time: links and a FIFO cannot be committed portably, and a link to /etc must not be.
    (corpus / "outside_link.txt").symlink_to("/etc/passwd" if os.path.exists("/etc/passwd") else tmp_path)
    (corpus / "dangling_link.txt").symlink_to(tmp_path / "gone.txt")
    (corpus / "inside_link.txt").symlink_to(corpus / "cp1252.txt")
    os.mkfifo(corpus / "pipe.txt")
    skipped_expected = dict(BAD_INPUT_SKIPPED)
    if _unreadable_folder_test_applies():
        write(corpus / "locked" / "a.txt", "Turkey.\n")
        (corpus / "locked").chmod(0)
    else:
        del skipped_expected[("locked", None)]  # root reads a chmod 000 folder anyway
    try:
        result = ingest(corpus, reference_date=TODAY)
    finally:
        if (corpus / "locked").exists():
            (corpus / "locked").chmod(0o755)

    def key(path, line):
        return path, None if pd.isna(line) else int(line)

    articles = {key(p, line): (source_id, text) for p, line, source_id, text
                in zip(result.articles["path"], result.articles["line"], result.articles["source_id"],
                       result.articles["text"], strict=True)}
    assert sorted(articles, key=str) == sorted(BAD_INPUT_ARTICLES, key=str)
    for where, source_id in BAD_INPUT_ARTICLES.items():
        assert articles[where][0] == source_id, where
    skipped = result.skipped[result.skipped["action"] == "skipped"]
    got_skipped = {key(p, line): reason for p, line, reason in zip(skipped["path"], skipped["line"], skipped["reason"],
                                                                   strict=True)}
    assert len(got_skipped) == len(skipped)  # one row per skipped input
    assert sorted(got_skipped, key=str) == sorted(skipped_expected, key=str)
    for where, word in skipped_expected.items():
        assert word in got_skipped[where], (where, got_skipped[where])
    assert not set(articles) & set(got_skipped)
    rows_in = len(BAD_INPUT_ARTICLES) + len(skipped_expected)
    assert rows_in == len(result.articles) + len(skipped)
    warned = result.skipped[result.skipped["action"] == "warned"]
    for path, word in BAD_INPUT_WARNED.items():
        assert word in " ".join(warned[warned["path"] == path]["reason"]), path
    texts = dict(zip(result.articles["path"], result.articles["text"], strict=False))
    assert texts["cp1252.txt"].startswith("A naïve plan: Türkiye’s “talks”")
    assert texts["utf16.txt"].startswith("Türkiye and Russia agreed on Çanakkale")
    assert "\x00" not in texts["one_nul.txt"] and len(texts["one_nul.txt"]) > 1000
    assert "root:" not in " ".join(result.articles["text"])
    long_text = result.articles.set_index("source_id").loc["h1", "text"]
    assert long_text == "Turkey and Russia met. " * 6000  # 138,000 characters, over the csv module's 131,072


def test_folder_pieces_list_what_cannot_be_read_and_never_name_it_for_opening(tmp_path):
    import gzip
    import shutil

    from analysis.ingest import Problems as _Problems
    from analysis.ingest import iter_partition, iter_records, partitions

    corpus = tmp_path / "c"
    shutil.copytree(DATA / "bad_input", corpus)
    for i in range(7):
        write(corpus / f"sub{i % 2}" / f"a{i}.txt", f"Title {i}\n\nTurkey and Russia met {i} times.\n")
    (corpus / "big.jsonl.gz").write_bytes(gzip.compress(b'{"text": "Ankara and Moscow."}\n'))
    (corpus / "outside.txt").symlink_to(tmp_path)
    (corpus / "sub0" / "dangling.txt").symlink_to(tmp_path / "gone")
    os.mkfifo(corpus / "sub1" / "pipe.txt")
    pieces = partitions(corpus, files_per_partition=4)
    assert len(pieces) > 3
    opened = {name for piece in pieces if piece[0] == "files" for name in piece[2]}
    assert not opened & {"outside.txt", "sub0/dangling.txt", "sub1/pipe.txt"}
    whole_problems, piece_problems = _Problems(quiet=True), _Problems(quiet=True)
    whole = list(iter_records(corpus, problems=whole_problems))
    pieced = [record for piece in pieces for record in iter_partition(piece, problems=piece_problems)]
    assert pieced == whole
    assert piece_problems.rows == whole_problems.rows
    assert {"outside.txt", "sub0/dangling.txt", "sub1/pipe.txt"} <= {row["path"] for row in whole_problems.rows}


def test_a_cp1252_table_is_one_warning_not_one_per_row(tmp_path):
    rows = "".join(f"{i},Café talks number {i} in Türkiye.\n" for i in range(1, 6))
    write(tmp_path / "c" / "t.csv", "id,text\n" + rows, encoding="cp1252")
    write(tmp_path / "c" / "t.jsonl", "".join(json.dumps({"id": str(i), "text": f"Café {i}"}, ensure_ascii=False) + "\n"
                                             for i in range(3)), encoding="cp1252")
    write(tmp_path / "c" / "u.csv", "id,text\n1,Türkiye and Russia.\n", encoding="utf-16")
    result = ingest(tmp_path / "c", reference_date=TODAY)
    texts = dict(zip(zip(result.articles["path"], result.articles["line"], strict=True), result.articles["text"],
                     strict=True))
    assert texts[("t.csv", 3)] == "Café talks number 2 in Türkiye." and texts[("t.jsonl", 2)] == "Café 1"
    assert texts[("u.csv", 2)] == "Türkiye and Russia."
    warned = result.skipped[result.skipped["action"] == "warned"]
    assert list(zip(warned["path"], warned["line"].astype(object), strict=True)) == [
        ("t.csv", 2), ("t.jsonl", 1), ("u.csv", pd.NA)]
    assert "5 rows, lines 2–6" in warned["reason"].iloc[0] and "utf-16" in warned["reason"].iloc[2]


def test_a_cr_inside_an_unquoted_csv_field_is_text_and_old_mac_lines_still_split(tmp_path):
    path = write(tmp_path / "c.csv", "id,text\n1,Turkey\rand Russia.\n2,Ankara.\n")
    assert list(ingest(path, reference_date=TODAY).articles["text"]) == ["Turkey\nand Russia.", "Ankara."]
    path = write(tmp_path / "mac.csv", "id,text\r1,Turkey and Russia.\r2,\"Ankara\rand Moscow.\"\r")
    assert list(ingest(path, reference_date=TODAY).articles["text"]) == ["Turkey and Russia.", "Ankara\nand Moscow."]


def test_json_tables_arrays_or_lines_plain_or_gzipped(tmp_path):
    import gzip

    rows = [{"id": "1", "text": "Turkey and Russia."}, {"id": "2", "title": "No text"}, {"id": "3", "text": "Ankara."}]
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "array.json.gz").write_bytes(gzip.compress(json.dumps(rows).encode()))
    write(tmp_path / "c" / "lines.json", "".join(json.dumps(row) + "\n" for row in rows))
    result = ingest(tmp_path / "c", reference_date=TODAY)
    assert list(zip(result.articles["path"], result.articles["line"], result.articles["source_id"], strict=True)) == [
        ("array.json.gz", 1, "1"), ("array.json.gz", 3, "3"), ("lines.json", 1, "1"), ("lines.json", 3, "3")]
    skipped = result.skipped[result.skipped["action"] == "skipped"]
    assert list(zip(skipped["path"], skipped["line"], strict=True)) == [("array.json.gz", 2), ("lines.json", 2)]
