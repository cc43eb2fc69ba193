import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from conftest import DATA, ROOT, write

import analysis.engine.tasks as engine
from analysis.engine.cache import ScoreCache
from analysis.engine.pool import BatchScorer, score_at_scale
from analysis.errors import AnalysisError
from analysis.ingest import read_corpus as ingest
from analysis.score import Scorer


@pytest.fixture(scope="module")
def articles():
    frames = [ingest(ROOT / "seeds").articles, ingest(DATA / "corpora_sample.jsonl").articles]
    frame = pd.concat(frames, ignore_index=True)
    return frame[frame["duplicate_of"] == ""].reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(articles):
    return score_at_scale(articles, Scorer(tone=False), jobs=1, batch_size=3)


def test_processes_give_identical_results(articles, reference):
    parallel = score_at_scale(articles, Scorer(tone=False), jobs=2, batch_size=3)
    pd.testing.assert_frame_equal(parallel, reference)
    assert list(dict.fromkeys(reference["article_id"])) == list(articles["article_id"])


def test_matches_the_plain_scorer(articles, reference):
    plain = Scorer(tone=False).score_articles(articles)
    pd.testing.assert_frame_equal(reference[plain.columns.tolist()], plain, check_dtype=False)


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_results(articles, reference):
    pytest.importorskip("distributed")
    result = score_at_scale(articles, Scorer(tone=False), jobs=2, engine="dask", batch_size=3)
    pd.testing.assert_frame_equal(result, reference)


@pytest.mark.slow
def test_local_dask_workers_keep_the_sliding_mmap_threshold_off():
    """Dask's MALLOC_TRIM_THRESHOLD_ alone made workers map every buffer over 128 KB afresh."""
    pytest.importorskip("distributed")
    scorer = BatchScorer(engine.scorer_params(Scorer(tone=False)), jobs=1, engine="dask")
    try:
        import os

        environ = scorer.client.run(lambda: dict(os.environ))
    finally:
        scorer.close()
    (worker,) = environ.values()
    assert worker["MALLOC_MMAP_THRESHOLD_"] == str(32 << 20)


def test_cache_hit_is_identical_and_scores_only_new_articles(articles, reference, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = score_at_scale(articles.iloc[:8], Scorer(tone=False), jobs=1, cache=cache, batch_size=3)
    pd.testing.assert_frame_equal(first, reference[reference["article_id"].isin(articles["article_id"][:8])].reset_index(drop=True))

    scored = []
    real = engine.score_batch

    def counting(batch, params):
        scored.extend(article_id for article_id, _, _ in batch)
        return real(batch, params)

    monkeypatch.setattr(engine, "score_batch", counting)
    again = score_at_scale(articles, Scorer(tone=False), jobs=1, cache=cache, batch_size=3)
    assert sorted(scored) == sorted(articles["article_id"][8:])  # only the new ones
    pd.testing.assert_frame_equal(again, reference)
    scored.clear()
    score_at_scale(articles, Scorer(tone=False), jobs=1, cache=cache)
    assert scored == []  # nothing changed, nothing scored


def test_a_lexicon_change_rescored_what_it_had_to(articles, tmp_path, monkeypatch):
    from analysis.vocab import data_path

    cache = tmp_path / "cache"
    score_at_scale(articles, Scorer(tone=False), jobs=1, cache=cache)
    lexicon = write(tmp_path / "cues.yaml", data_path("cues.yaml").read_text(encoding="utf-8").replace(
        "weight: 8.0\n    mode: verbal\n    verbs: [sign,", "weight: 9.0\n    mode: verbal\n    verbs: [sign,"))
    scored = []
    real = engine.score_batch
    monkeypatch.setattr(engine, "score_batch", lambda batch, params: scored.extend(b[0] for b in batch) or real(batch, params))
    changed = score_at_scale(articles, Scorer(cues=lexicon, tone=False), jobs=1, cache=cache)
    assert sorted(scored) == sorted(articles["article_id"])  # new fingerprint: everything rescored
    fresh = Scorer(cues=lexicon, tone=False).score_articles(articles)
    pd.testing.assert_series_equal(changed["net"], fresh["net"], check_names=False)
    assert len(list(cache.iterdir())) == 2  # one folder per scorer fingerprint


def test_an_interrupted_run_leaves_a_valid_cache(articles, reference, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    real = engine.score_batch
    calls = {"n": 0}

    def dying(batch, params):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(batch, params)

    monkeypatch.setattr(engine, "score_batch", dying)
    with pytest.raises(KeyboardInterrupt):
        score_at_scale(articles, Scorer(tone=False), jobs=1, cache=cache, batch_size=3)
    store = ScoreCache(cache, Scorer(tone=False).fingerprint())
    assert len(store.known()) == 6  # two complete batches kept
    monkeypatch.setattr(engine, "score_batch", real)
    pd.testing.assert_frame_equal(score_at_scale(articles, Scorer(tone=False), jobs=1, cache=cache, batch_size=3), reference)


def test_unknown_engine():
    with pytest.raises(AnalysisError, match="unknown engine"):
        score_at_scale(pd.DataFrame({"article_id": [], "content_hash": [], "text": []}), Scorer(), engine="spark")


def _broad_articles():
    """A kept article, one naming neither side, one naming only Russia: what a broad corpus mostly holds."""
    texts = {"pair": "Turkey and Russia signed a gas deal in Ankara. The deal runs for ten years.",
             "neither": "The central bank raised interest rates. Markets fell on Monday.",
             "one": "Russia raised its export duty on wheat. Farmers protested in Rostov."}
    return pd.DataFrame({"article_id": list(texts), "content_hash": [f"h-{k}" for k in texts],
                         "text": list(texts.values())})


def test_articles_that_cannot_relate_the_pair_give_no_rows_and_their_reason():
    sentences, reasons = score_at_scale(_broad_articles(), Scorer(tone=False), jobs=1, return_reasons=True)
    assert set(sentences["article_id"]) == {"pair"}
    assert (sentences["sentence"] >= 0).all()
    assert reasons.to_dict() == {"neither": "names neither side",
                                 "one": "names only Russia (and no phrase for the pair)"}


def test_unscored_articles_are_cached_too(tmp_path, monkeypatch):
    """Before the cache kept a mark for them, every rerun scored the unscored articles again."""
    cache = tmp_path / "cache"
    first = score_at_scale(_broad_articles(), Scorer(tone=False), jobs=1, cache=cache, return_reasons=True)
    scored = []
    real = engine.score_batch
    monkeypatch.setattr(engine, "score_batch", lambda batch, params: scored.extend(b[0] for b in batch) or real(batch, params))
    again = score_at_scale(_broad_articles(), Scorer(tone=False), jobs=1, cache=cache, return_reasons=True)
    assert scored == []
    pd.testing.assert_frame_equal(again[0], first[0])
    pd.testing.assert_series_equal(again[1].sort_index(), first[1].sort_index())


def test_mark_scored_names_why_an_article_was_not_scored():
    from analysis.engine.pipeline import mark_scored
    from analysis.schema import ARTICLES, SCORED_ARTICLES

    articles = _broad_articles().assign(duplicate_of=["", "", "pair"])
    articles = articles.assign(**{c: "" for c in ARTICLES if c not in articles})[list(ARTICLES)]
    marked = mark_scored(articles, pd.Series({"neither": "names neither side"}))
    assert marked["scored"].tolist() == [True, False, False]
    assert marked["unscored_reason"].tolist() == ["", "names neither side", "duplicate of pair"]
    assert tuple(marked.columns[:len(SCORED_ARTICLES)]) == SCORED_ARTICLES


_HOLD_A_POOL = """
import time
from analysis.engine import tasks
from analysis.engine.pool import BatchScorer

tasks.TASKS["nothing"] = lambda batch, params: []  # the workers are forked after this: they know it
pool = BatchScorer((), jobs=2, task="nothing")
for handle in [pool.submit([]), pool.submit([])]:
    pool.result(handle)
print("ready", flush=True)
time.sleep(120)
"""


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found += [int(child) for child in handle.read().split()]
    return found


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow  # starts a Python that imports the package: about 5 s
@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads the process tree from /proc (Linux)")
def test_workers_end_when_the_main_process_is_killed():
    """After kill -9 of the main process (an OOM kill) its workers waited on a pipe forever, under PID 1."""
    main = subprocess.Popen([sys.executable, "-c", _HOLD_A_POOL], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert main.stdout.readline().strip() == "ready"
        workers = _children(main.pid)
        assert len(workers) == 2
    finally:
        main.kill()
        main.wait()
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in workers if _running(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_an_edit_in_case_or_punctuation_is_scored_again(tmp_path):
    """The cache was keyed by the dedup hash of the normalised text: an article edited only in case or
    punctuation kept that hash, and a rerun returned its old sentences, offsets into the old text."""
    import hashlib

    from analysis.ingest import normalise

    def content_hash(text):  # as ingestion computes it
        return hashlib.sha256(normalise(text).encode()).hexdigest()

    before = "Turkey and Russia signed a gas deal. Talks went well."
    after = "TURKEY and Russia signed a gas deal!!! Talks went well."
    assert content_hash(before) == content_hash(after)  # the same article for de-duplication
    cache = tmp_path / "cache"
    for text in (before, after):
        articles = pd.DataFrame({"article_id": ["a"], "content_hash": [content_hash(text)], "text": [text]})
        sentences = score_at_scale(articles, Scorer(tone=False), jobs=1, cache=cache)
        assert [text[s:e] for s, e in zip(sentences["start"], sentences["end"], strict=True)] == \
            sentences["text"].tolist()
