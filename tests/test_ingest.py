import datetime as dt
import json

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
