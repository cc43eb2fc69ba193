"""The streaming run gives the in-memory pipeline's tables, in bounded memory."""

import json

import pandas as pd
import pytest
from conftest import DATA

import analysis.engine.tasks as engine
from analysis.aggregation import article_topics
from analysis.engine.pipeline import mark_scored
from analysis.engine.pool import score_at_scale
from analysis.engine.stream import stream
from analysis.errors import AnalysisError
from analysis.ingest import read_corpus as ingest
from analysis.score import Scorer


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The sample corpus plus an exact copy dated earlier (so the later row is the
    original), a near copy, an undated article and a broken line."""
    rows = [json.loads(line) for line in (DATA / "corpora_sample.jsonl").read_text(encoding="utf-8").splitlines()]
    copy = dict(rows[0], id="copy", date="2014-01-02")
    near = dict(rows[1], id="near", text=rows[1]["text"].replace("Syrian", "Syrian-backed", 1))
    undated = {"id": "undated", "title": "Talks", "text": "Turkey and Russia signed a gas deal in Ankara on Monday."}
    lines = [json.dumps(r) for r in [*rows, copy, near, undated]]
    lines.insert(3, "{not json")
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def in_memory(corpus):
    result = ingest(corpus)
    articles = result.articles
    sentences = score_at_scale(articles[articles["duplicate_of"] == ""], Scorer(tone=False), jobs=1)
    return result, sentences, article_topics(sentences, articles)


def _same_topics(streamed, expected):
    got = streamed[expected.columns.tolist()].sort_values(["article_id", "topic"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected.sort_values(["article_id", "topic"]).reset_index(drop=True))


@pytest.mark.parametrize("jobs", [1, 2])
def test_stream_gives_the_in_memory_tables(corpus, in_memory, tmp_path, jobs):
    result, sentences, topics = in_memory
    out = stream(corpus, tmp_path / "out", jobs=jobs, batch_size=2)
    _same_topics(out.article_topics, topics)
    _, reasons = score_at_scale(result.articles[result.articles["duplicate_of"] == ""], Scorer(tone=False), jobs=1,
                                return_reasons=True)
    expected = mark_scored(result.articles, reasons).drop(columns=["text"])
    pd.testing.assert_frame_equal(out.articles[expected.columns.tolist()], expected)
    assert (out.articles["duplicate_of"] != "").sum() == 2  # the exact and the near copy
    assert (out.n_articles, out.n_duplicates) == (len(out.articles), 2)  # counted without loading the table
    assert out.skipped["reason"].tolist() == result.skipped["reason"].tolist()
    parts = pd.read_parquet(out.sentences)
    assert len(parts) == out.n_sentences >= len(sentences)  # near copies are scored, then dropped
    # Every article_topics row leads to its sentences, under the original's id
    # (here the exact copy dated earlier, read after the text it repeats).
    assert set(out.article_topics["article_id"]) <= set(parts["article_id"])
    mine = parts[parts["article_id"].isin(sentences["article_id"])]
    key = ["article_id", "sentence"]
    pd.testing.assert_frame_equal(mine.sort_values(key).reset_index(drop=True)[["article_id", "sentence", "text", "net"]],
                                  sentences.sort_values(key).reset_index(drop=True)[["article_id", "sentence", "text", "net"]],
                                  check_dtype=False)  # a folder of parts reads back with pandas' string dtype
    written = sorted(p.name for p in out.folder.iterdir())
    assert written == [".relationship-dynamics-stream", "article_topics.parquet", "articles.parquet", "sentences",
                       "skipped.csv"]


@pytest.mark.slow
def test_stream_on_a_dask_cluster_gives_the_same_tables(corpus, in_memory, tmp_path):
    pytest.importorskip("distributed")
    out = stream(corpus, tmp_path / "out", jobs=2, engine="dask", batch_size=2)
    _same_topics(out.article_topics, in_memory[2])


@pytest.mark.slow
def test_stream_cache_rescoring_only_new_pieces(corpus, in_memory, tmp_path, monkeypatch):
    scored = []
    real = engine.score_batch
    monkeypatch.setattr(engine, "score_batch", lambda batch, params: scored.extend(b[0] for b in batch) or real(batch, params))
    mine = tmp_path / "corpus.jsonl"
    mine.write_text(corpus.read_text(encoding="utf-8"), encoding="utf-8")
    stream(mine, tmp_path / "out", jobs=1, cache=tmp_path / "cache", piece_bytes=2000)
    assert len(scored) == 10  # every article read (exact copies too; only the first counts)
    scored.clear()
    again = stream(mine, tmp_path / "elsewhere", jobs=1, cache=tmp_path / "cache", piece_bytes=2000)
    assert scored == []  # nothing changed: every piece read back from the cache
    _same_topics(again.article_topics, in_memory[2])
    with mine.open("a", encoding="utf-8") as handle:  # the corpus grows by one article
        handle.write(json.dumps({"id": "new", "date": "2024-05-05",
                                 "text": "Ankara and Moscow agreed to extend the grain corridor."}) + "\n")
    grown = stream(mine, tmp_path / "out", jobs=1, cache=tmp_path / "cache", piece_bytes=2000)
    assert 1 <= len(scored) <= 2  # only the last piece, which now ends with the new article, is read again
    assert "new" in set(grown.articles["source_id"])


@pytest.mark.slow
def test_stream_cache_rescores_every_piece_after_a_lexicon_change(corpus, tmp_path, monkeypatch):
    from conftest import write

    from analysis.vocab import data_path

    stream(corpus, tmp_path / "before", jobs=1, cache=tmp_path / "cache", piece_bytes=2000)
    lexicon = write(tmp_path / "cues.yaml", data_path("cues.yaml").read_text(encoding="utf-8").replace(
        "weight: 8.0\n    mode: verbal\n    verbs: [sign,", "weight: 9.0\n    mode: verbal\n    verbs: [sign,"))
    scored = []
    real = engine.score_batch
    monkeypatch.setattr(engine, "score_batch", lambda batch, params: scored.extend(b[0] for b in batch) or real(batch, params))
    changed = stream(corpus, tmp_path / "after", scorer=Scorer(cues=lexicon, tone=False), jobs=1,
                     cache=tmp_path / "cache", piece_bytes=2000)
    assert len(scored) == 10  # a new scorer fingerprint: no piece is taken from the cache
    fresh = stream(corpus, tmp_path / "fresh", scorer=Scorer(cues=lexicon, tone=False), jobs=1, piece_bytes=2000)
    _same_topics(changed.article_topics, fresh.article_topics)
    before = stream(corpus, tmp_path / "before", jobs=1, cache=tmp_path / "cache", piece_bytes=2000).article_topics
    assert not before["net"].equals(changed.article_topics["net"])  # the weight change reached the scores


def test_stream_never_replaces_a_foreign_folder_and_leaves_nothing_half_written(corpus, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(AnalysisError, match="not written by a streaming run"):
        stream(corpus, mine, jobs=1)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"

    out = tmp_path / "out"
    stream(corpus, out, jobs=1, batch_size=2)
    before = sorted(p.name for p in out.rglob("*"))

    def dying(batch, params):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "score_batch", dying)
    with pytest.raises(KeyboardInterrupt):
        stream(corpus, out, jobs=1, batch_size=3)
    assert sorted(p.name for p in out.rglob("*")) == before  # the earlier run's folder is intact
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folder left


@pytest.mark.slow
def test_an_up_to_date_folder_is_not_recomputed(corpus, tmp_path, monkeypatch):
    import analysis.engine.stream as streaming

    out = tmp_path / "out"
    first = stream(corpus, out, jobs=1, batch_size=2)
    real = streaming.ingest.partitions

    def reading(*args, **kwargs):
        reading.calls += 1
        return real(*args, **kwargs)

    reading.calls = 0
    monkeypatch.setattr(streaming.ingest, "partitions", reading)
    again = stream(corpus, out, jobs=1, batch_size=2)
    assert reading.calls == 0
    pd.testing.assert_frame_equal(again.article_topics, first.article_topics)
    pd.testing.assert_frame_equal(again.articles, first.articles)
    pd.testing.assert_frame_equal(again.skipped, first.skipped)
    assert again.n_sentences == first.n_sentences
    # One changed byte of input, or another scorer setting, and the run is redone.
    corpus_changed = tmp_path / "changed.jsonl"
    corpus_changed.write_text(corpus.read_text(encoding="utf-8").replace("Syrian", "Syrians", 1), encoding="utf-8")
    stream(corpus_changed, out, jobs=1, batch_size=2)
    assert reading.calls == 1
    stream(corpus_changed, out, jobs=1, batch_size=2, near_duplicate_threshold=0.9)
    assert reading.calls == 2


@pytest.mark.slow
def test_a_day_later_only_what_depends_on_the_date_is_redone(corpus, tmp_path, monkeypatch):
    # Dates after today are rejected, so a cached piece or an output folder
    # holds on a later day unless some date in it was rejected as future.
    import datetime as dt

    import analysis.engine.stream as streaming

    day = {"today": dt.date(2030, 1, 1)}
    monkeypatch.setattr(streaming.ingest, "date_limits", lambda: (dt.date(1990, 1, 1), day["today"]))
    scored = []
    real = engine.score_batch
    monkeypatch.setattr(engine, "score_batch", lambda batch, params: scored.extend(b[0] for b in batch) or real(batch, params))
    mine = tmp_path / "corpus.jsonl"
    mine.write_text(corpus.read_text(encoding="utf-8"), encoding="utf-8")
    first = stream(mine, tmp_path / "out", jobs=1, cache=tmp_path / "cache", piece_bytes=2000)
    assert len(scored) == 10
    scored.clear()
    day["today"] = dt.date(2030, 1, 2)
    assert stream(mine, tmp_path / "out", jobs=1, cache=tmp_path / "cache", piece_bytes=2000).n_sentences == first.n_sentences
    stream(mine, tmp_path / "elsewhere", jobs=1, cache=tmp_path / "cache", piece_bytes=2000)
    assert scored == []  # the folder was up to date and every piece came from the cache

    with mine.open("a", encoding="utf-8") as handle:  # an article dated tomorrow
        handle.write(json.dumps({"id": "early", "date": "2030-01-03",
                                 "text": "Ankara and Moscow agreed to extend the grain corridor."}) + "\n")
    before = stream(mine, tmp_path / "out", jobs=1, cache=tmp_path / "cache", piece_bytes=2000)
    assert before.articles.set_index("source_id").loc["early", "date_source"] == "unknown"
    assert any("after the latest date accepted (2030-01-02)" in r for r in before.skipped["reason"])
    scored.clear()
    day["today"] = dt.date(2030, 1, 3)
    after = stream(mine, tmp_path / "out", jobs=1, cache=tmp_path / "cache", piece_bytes=2000)
    assert 1 <= len(scored) <= 2  # only the piece holding the article dated in the future is read again
    assert str(after.articles.set_index("source_id").loc["early", "published"].date()) == "2030-01-03"
    assert not any("after the latest" in r for r in after.skipped["reason"])


def test_a_piece_with_no_usable_article_is_not_an_error(tmp_path):
    # A JSONL cut into pieces where one piece holds only broken lines: that
    # piece has no article, and the run still gives ingest's tables.
    rows = (DATA / "corpora_sample.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join([*rows[:2], *["{broken line " + "x" * 60] * 80, *rows[2:]]) + "\n", encoding="utf-8")
    expected = ingest(corpus)
    out = stream(corpus, tmp_path / "out", jobs=1, piece_bytes=2000)
    assert out.articles["article_id"].tolist() == expected.articles["article_id"].tolist()
    assert (out.skipped["reason"].str.startswith("malformed JSON line")).sum() == 80


@pytest.mark.parametrize("kind", ["folder", "csv", "mixed"])
def test_stream_reads_folders_and_csv_like_ingest(kind, tmp_path):
    # A folder is cut into runs of files read by the workers (metadata overrides
    # go with their files); a CSV cannot be cut and is read by the client. A
    # JSONL table inside a folder is cut into pieces of its own ("mixed").
    import shutil

    from conftest import ROOT

    if kind in ("folder", "mixed"):
        corpus = tmp_path / "seeds"
        shutil.copytree(ROOT / "seeds", corpus)
        (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 binary")
        with (corpus / "metadata.csv").open("a", encoding="utf-8") as handle:
            handle.write("missing.txt,2020-01-01,,,,\n")
    if kind == "mixed":
        lines = (DATA / "corpora_sample.jsonl").read_text(encoding="utf-8").splitlines()
        (corpus / "b_dump.jsonl").write_text("\n".join([*lines[:3], "{not json", *lines[3:]]) + "\n", encoding="utf-8")
        (corpus / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    else:
        rows = [json.loads(line) for line in (DATA / "corpora_sample.jsonl").read_text(encoding="utf-8").splitlines()]
        corpus = tmp_path / "corpus.csv"
        pd.DataFrame(rows + [{"id": "x", "text": ""}]).to_csv(corpus, index=False)
    expected = ingest(corpus)
    articles = expected.articles
    topics = article_topics(score_at_scale(articles[articles["duplicate_of"] == ""], Scorer(tone=False), jobs=1),
                            articles)
    out = stream(corpus, tmp_path / "out", jobs=1, batch_size=3, piece_bytes=4000)
    _same_topics(out.article_topics, topics)
    pd.testing.assert_frame_equal(out.articles[articles.columns.drop("text").tolist()], articles.drop(columns=["text"]))
    assert out.skipped.drop(columns=["line"]).values.tolist() == expected.skipped.drop(columns=["line"]).values.tolist()
    assert len(out.skipped) >= 1  # the PDF, the unknown metadata row, the empty CSV row
