"""`make bench`: throughput and peak memory of ingestion and scoring on generated corpora.

Sizes can be changed with BENCH_INGEST (default 100000 articles),
BENCH_SCORE (default 2000 articles, one core) and BENCH_SCALE (default
"10000": comma-separated corpus sizes for the --jobs 1 / --jobs 2 / Dask /
cache rows; "10000,100000,1000000" for the full table). Each measurement runs in a fresh
subprocess so that peak RSS belongs to that step alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BUILD = Path("build/bench")


def _child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints a JSON dict; add peak RSS."""
    wrapped = code + ("\nimport resource, json as _j\nprint(_j.dumps({**RESULT, "
                      "'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
                      "'child_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")
    output = subprocess.run([sys.executable, "-c", wrapped], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _generated(n: int, seed: int) -> Path:
    """Where the generated corpus of ``n`` articles lives; the name changes with the generator's code."""
    import hashlib

    digest = hashlib.sha256(Path("bench/corpus.py").read_bytes()).hexdigest()[:8]
    return BUILD / f"generated_{digest}_{seed}_{n}.jsonl"


def main() -> None:
    from bench.corpus import write_jsonl

    n_ingest = int(os.environ.get("BENCH_INGEST", 100_000))
    n_score = int(os.environ.get("BENCH_SCORE", 2_000))
    corpus = _generated(n_ingest, 2024)
    if not corpus.exists():
        started = time.perf_counter()
        write_jsonl(corpus, n_ingest)
        print(f"generated {n_ingest:,} articles ({corpus.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    size_mb = corpus.stat().st_size / 1e6

    rows = []
    result = _child(f"""
import time
from analysis.ingest import iter_records, Problems as _Problems
started = time.perf_counter(); n = 0
for record in iter_records({str(corpus)!r}, problems=_Problems()):
    n += 1
RESULT = {{'seconds': time.perf_counter() - started, 'n': n}}
""")
    rows.append(("ingest, streaming (records, no table)", result, size_mb))
    result = _child(f"""
import time
from analysis.ingest import read_corpus as ingest
started = time.perf_counter(); r = ingest({str(corpus)!r})
RESULT = {{'seconds': time.perf_counter() - started, 'n': len(r.articles)}}
""")
    rows.append(("ingest, full table + duplicate detection", result, size_mb))

    sample = _generated(n_score, 7)
    if not sample.exists():
        write_jsonl(sample, n_score, seed=7)
    for label, tone in (("score, without tone", False), ("score, with VADER tone", True)):
        result = _child(f"""
import time
from analysis.ingest import read_corpus as ingest
from analysis.score import Scorer
from analysis.score.segment import split_sentences
articles = ingest({str(sample)!r}).articles
scorer = Scorer(tone={tone}).compile()
started = time.perf_counter(); n = 0
for article_id, text in zip(articles['article_id'], articles['text']):
    n += len(scorer.score_text(article_id, text))
RESULT = {{'seconds': time.perf_counter() - started, 'n': len(articles), 'sentences': n,
          'mb': sum(len(t.encode()) for t in articles['text']) / 1e6}}
""")
        rows.append((label, result, result["mb"]))
    result = _child(f"""
import time
from analysis.ingest import read_corpus as ingest
from analysis.score.segment import split_sentences
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
articles = ingest({str(sample)!r}).articles
vader = SentimentIntensityAnalyzer()
started = time.perf_counter(); n = 0
for text in articles['text']:
    for s, e in split_sentences(text):
        vader.polarity_scores(text[s:e]); n += 1
RESULT = {{'seconds': time.perf_counter() - started, 'n': len(articles), 'sentences': n,
          'mb': sum(len(t.encode()) for t in articles['text']) / 1e6}}
""")
    rows.append(("VADER alone (same sentences)", result, result["mb"]))
    vader_mb_s = result["mb"] / result["seconds"]
    # What any scorer written in Python pays before its first rule: the
    # sentence split and one output row per sentence, then the actor and
    # topic scans. Against 10x VADER this shows why the target needs a
    # compiled scorer (see the README, "Throughput").
    floors = {"floor: split + one empty row per sentence": False,
              "floor: the same + actor and topic scans": True}
    for label, scans in floors.items():
        result = _child(f"""
import time
from analysis.ingest import read_corpus as ingest
from analysis.score.matcher import Prepared
from analysis.score import Scorer
from analysis.score.scorer import _EMPTY
from analysis.score.segment import split_sentences
articles = ingest({str(sample)!r}).articles
scorer = Scorer(tone=False).compile()
started = time.perf_counter(); out = []
for article_id, text in zip(articles['article_id'], articles['text']):
    if {scans}:
        prepared = Prepared(text)
        scorer.actor_matcher_.find(text, prepared=prepared)
        scorer.topic_matcher_.find(text, overlapping=True, prepared=prepared)
    for index, (start, end) in enumerate(split_sentences(text)):
        out.append(dict(_EMPTY, article_id=article_id, sentence=index, start=start, end=end,
                        text=text[start:end], third_parties='', topics='', tone=0.0))
RESULT = {{'seconds': time.perf_counter() - started, 'n': len(articles), 'sentences': len(out),
          'mb': sum(len(t.encode()) for t in articles['text']) / 1e6}}
""")
        rows.append((label, result, result["mb"]))

    for n_scale in [int(x) for x in os.environ.get("BENCH_SCALE", "10000").split(",") if x]:
        scale_corpus = _generated(n_scale, 11)
        if not scale_corpus.exists():
            write_jsonl(scale_corpus, n_scale, seed=11)
        cache = BUILD / f"cache_{n_scale}"
        out = BUILD / f"stream_{n_scale}"
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        for label, options, folder in (
                (f"{n_scale:,}: stream --jobs 1", "jobs=1", "jobs1"),
                (f"{n_scale:,}: stream --jobs 2", "jobs=2", "jobs2"),
                (f"{n_scale:,}: stream dask, 2 workers", "jobs=2, engine='dask'", "dask"),
                (f"{n_scale:,}: cold run filling the cache (2 jobs)", f"jobs=2, cache={str(cache)!r}", "cold"),
                (f"{n_scale:,}: new folder, all pieces cached", f"jobs=2, cache={str(cache)!r}", "cached"),
                (f"{n_scale:,}: rerun, nothing changed (up to date)", f"jobs=2, cache={str(cache)!r}", "cached")):
            target = out / folder
            if folder != "cached" or "new folder" in label:
                shutil.rmtree(target, ignore_errors=True)
            # The whole streaming run: reading, duplicates, scoring, writing.
            result = _child(f"""
import time
from analysis.engine.stream import stream
from analysis.score import Scorer
started = time.perf_counter()
r = stream({str(scale_corpus)!r}, {str(target)!r}, scorer=Scorer(tone=False), {options})
RESULT = {{'seconds': time.perf_counter() - started, 'n': r.n_articles, 'sentences': r.n_sentences,
          'mb': {scale_corpus.stat().st_size / 1e6}}}
""")
            rows.append((label, result, result["mb"]))

    print(f"\n{'step':44s} {'articles':>9s} {'seconds':>8s} {'articles/s':>11s} {'MB/s':>7s} {'sent./s':>9s} "
          f"{'peak RSS MB':>12s} {'worker MB':>10s}")
    for label, result, mb in rows:
        per_second = result["n"] / result["seconds"]
        sentences = f"{result['sentences'] / result['seconds']:9.0f}" if "sentences" in result else f"{'':9s}"
        print(f"{label:44s} {result['n']:9,d} {result['seconds']:8.1f} {per_second:11,.0f} {mb / result['seconds']:7.2f} "
              f"{sentences} {result['peak_rss_mb']:12.0f} {result.get('child_rss_mb', 0):10.0f}")
    scorer_mb_s = next(r["mb"] / r["seconds"] for label, r, _ in rows if label == "score, without tone")
    floor_mb_s = [r["mb"] / r["seconds"] for label, r, _ in rows if label in floors]
    print(f"\nScorer without tone: {scorer_mb_s / vader_mb_s:.2f}x VADER (target 10x = {10 * vader_mb_s:.1f} MB/s). "
          f"Python floors: {floor_mb_s[0] / vader_mb_s:.1f}x and {floor_mb_s[1] / vader_mb_s:.1f}x VADER.")
    print("\nScoring rows are without tone. Stream rows time the whole run (reading, duplicates, scoring, writing); "
          "MB/s there is of the JSONL file. Peak RSS: the step's own process; worker MB: the largest pool process "
          "(0 when none; Dask workers are not its children).")


if __name__ == "__main__":
    main()
