"""`make bench`: throughput and peak memory of ingestion and scoring, on corpora shaped like real ones.

Sections (BENCH_SECTIONS, comma-separated; default "shapes,floors,dask,scale";
`make bench-full` adds "report"):

- shapes: per corpus — a generated *broad* news feed (BENCH_BROAD articles,
  default 3000: 15% name a side, 1% relate both), a generated *dense* one
  (BENCH_DENSE, default 1000: every article about the pair) and the shared
  real corpora in ../shared/corpora (at most BENCH_REAL articles each,
  default 2000; skipped when absent) — MB/s and sentences/s on one core of
  the scorer without and with tone, of VADER (polarity_scores on every
  sentence) on the same text in the same run, the ratio to VADER, and peak
  memory per input MB;
- floors: ingestion, and what any scorer written in Python pays before its
  first rule (on the dense sample);
- dask: the per-task overhead of a Dask LocalCluster against the local
  process pool (2 workers each, empty tasks and the same small corpus in
  batches of several sizes), to size partitions;
- scale: whole `stream` runs on BENCH_SCALE articles (default "10000";
  "10000,100000,1000000" for the full table): --jobs 1 / --jobs 2 / Dask / cache;
- report: `report` on a broad corpus of BENCH_REPORT articles (default 33000,
  about 210 MB) with --jobs 2: cold wall time, peak memory, cached rerun.

Each measurement runs in a fresh subprocess so that peak RSS belongs to that step alone.
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


def _generated(n: int, seed: int, shape: str = "dense") -> Path:
    """The generated corpus of ``n`` articles (written on first use); the name changes with the generator's code."""
    import hashlib

    from bench.corpus import write_jsonl

    digest = hashlib.sha256(Path("bench/corpus.py").read_bytes()).hexdigest()[:8]
    path = BUILD / f"generated_{shape}_{digest}_{seed}_{n}.jsonl"
    if not path.exists():
        started = time.perf_counter()
        write_jsonl(path, n, seed=seed, shape=shape)
        print(f"generated {n:,} {shape} articles ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    return path


SHARED = Path("../shared/corpora")
REAL = {"fakes_syria": "fakes_syria.jsonl", "wh_briefings": "wh_briefings.turkey_russia.jsonl",
        "reuters_pairs": "reuters_2006_2013.pairs.jsonl.gz", "ukraine_media": "ukraine_media_2022.jsonl.gz"}


def _real(name: str, limit: int) -> Path | None:
    """The first ``limit`` articles of a shared corpus as plain JSONL under build/ (never in the repository)."""
    import gzip

    source = SHARED / REAL[name]
    if not source.exists():
        return None
    target = BUILD / f"real_{name}_{limit}.jsonl"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        opener = gzip.open if source.suffix == ".gz" else open
        with opener(source, "rt", encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
            for index, line in enumerate(lines):
                if index >= limit:
                    break
                out.write(line)
    return target


# One core: the production batch function (prefilter, scoring, tone), after the scorer is compiled and before
# the corpus is read, so that peak RSS minus the RSS then is what scoring this input costs.
_SHAPE_CHILD = """
import resource, time
from analysis.engine.tasks import score_batch, scorer_params
from analysis.ingest import read_corpus
from analysis.score import Scorer
from analysis.score.segment import split_sentences
MODE = {mode!r}
if MODE == 'vader':
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    vader = SentimentIntensityAnalyzer()
else:
    params = scorer_params(Scorer(tone=MODE == 'tone'))
    score_batch([], params)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
articles = read_corpus({path!r}).articles
articles = articles[articles['duplicate_of'] == '']
texts = articles['text'].tolist()
spans = [split_sentences(t) for t in texts]
n_sentences = sum(map(len, spans))
started = time.perf_counter()
if MODE == 'vader':
    for text, found in zip(texts, spans):
        for s, e in found:
            vader.polarity_scores(text[s:e])
else:
    rows = score_batch(list(zip(articles['article_id'], articles['content_hash'], texts)), params)
seconds = time.perf_counter() - started
RESULT = {{'seconds': seconds, 'n': len(texts), 'sentences': n_sentences, 'base_rss_mb': base,
          'mb': sum(len(t.encode()) for t in texts) / 1e6}}
"""


def _shapes() -> list[tuple[str, dict, dict, dict]]:
    """(corpus, without tone, with tone, VADER) measurements per corpus shape."""
    corpora = {"broad (generated)": _generated(int(os.environ.get("BENCH_BROAD", 3000)), 5, "broad"),
               "dense (generated)": _generated(int(os.environ.get("BENCH_DENSE", 1000)), 7, "dense")}
    limit = int(os.environ.get("BENCH_REAL", 2000))
    for name in REAL:
        path = _real(name, limit)
        if path is None:
            print(f"skipped the real corpus {name}: {SHARED / REAL[name]} is absent", flush=True)
        else:
            corpora[f"{name} (real)"] = path
    found = []
    for label, path in corpora.items():
        plain, tone, vader = (_child(_SHAPE_CHILD.format(mode=mode, path=str(path))) for mode in ("plain", "tone", "vader"))
        found.append((label, plain, tone, vader))
        print(f"  measured {label}", flush=True)
    return found


def _print_shapes(found: list) -> None:
    print("\nOne core, per corpus: the scorer without / with tone, and VADER on every sentence of the same text.")
    print(f"{'corpus':24s} {'articles':>8s} {'MB':>6s} {'sent.':>8s} | {'MB/s':>6s} {'sent/s':>8s} {'xVADER':>6s} | "
          f"{'MB/s':>6s} {'sent/s':>8s} {'xVADER':>6s} | {'MB/s':>6s} {'sent/s':>8s} | {'MB/MB':>6s} {'peak':>6s}")
    print(f"{'':24s} {'':8s} {'':6s} {'':8s} | {'without tone':^24s} | {'with tone':^24s} | {'VADER':^15s} | "
          f"{'memory':^13s}")
    for label, plain, tone, vader in found:
        rate = {key: r["mb"] / r["seconds"] for key, r in (("plain", plain), ("tone", tone), ("vader", vader))}
        sentences = {key: r["sentences"] / r["seconds"] for key, r in (("plain", plain), ("tone", tone), ("vader", vader))}
        # Peak memory of the scoring step per MB of input text: what it adds over the compiled scorer.
        per_mb = max(plain["peak_rss_mb"] - plain["base_rss_mb"], tone["peak_rss_mb"] - tone["base_rss_mb"]) / plain["mb"]
        peak = max(plain["peak_rss_mb"], tone["peak_rss_mb"])
        print(f"{label:24s} {plain['n']:8,d} {plain['mb']:6.1f} {plain['sentences']:8,d} | "
              f"{rate['plain']:6.2f} {sentences['plain']:8,.0f} {rate['plain'] / rate['vader']:6.2f} | "
              f"{rate['tone']:6.2f} {sentences['tone']:8,.0f} {rate['tone'] / rate['vader']:6.2f} | "
              f"{rate['vader']:6.2f} {sentences['vader']:8,.0f} | {per_mb:6.1f} {peak:6.0f}")
    targets = {"broad (generated)": 10.0, "dense (generated)": 1.5}
    for label, _, tone, vader in found:
        if label in targets:
            ratio = (tone["mb"] / tone["seconds"]) / (vader["mb"] / vader["seconds"])
            verdict = "met" if ratio >= targets[label] else "NOT met"
            print(f"target {label.split()[0]}: >= {targets[label]:g}x VADER per core with the default scorer "
                  f"(model and tone on): {ratio:.2f}x, {verdict}")
    print("xVADER: the scorer's MB/s over VADER's on the same text. MB/MB: peak RSS of the scoring step above the "
          "compiled scorer, per MB of input text; peak: the step's peak RSS (MB).")


def _floors() -> tuple[list, float, dict]:
    """Ingestion rows, the dense sample's scorer and VADER rows, and the Python floors."""
    n_ingest = int(os.environ.get("BENCH_INGEST", 100_000))
    n_score = int(os.environ.get("BENCH_SCORE", 2_000))
    corpus = _generated(n_ingest, 2024)
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
    return rows, vader_mb_s, floors


def _scale() -> list:
    rows = []
    for n_scale in [int(x) for x in os.environ.get("BENCH_SCALE", "10000").split(",") if x]:
        scale_corpus = _generated(n_scale, 11)
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
    return rows


def _print_rows(rows: list) -> None:
    print(f"\n{'step':44s} {'articles':>9s} {'seconds':>8s} {'articles/s':>11s} {'MB/s':>7s} {'sent./s':>9s} "
          f"{'peak RSS MB':>12s} {'worker MB':>10s}")
    for label, result, mb in rows:
        per_second = result["n"] / result["seconds"]
        sentences = f"{result['sentences'] / result['seconds']:9.0f}" if "sentences" in result else f"{'':9s}"
        print(f"{label:44s} {result['n']:9,d} {result['seconds']:8.1f} {per_second:11,.0f} {mb / result['seconds']:7.2f} "
              f"{sentences} {result['peak_rss_mb']:12.0f} {result.get('child_rss_mb', 0):10.0f}")


# The same batches through the process pool and a Dask LocalCluster (2 workers each): empty tasks give the
# per-task overhead alone; the scorer is compiled in every worker before the clock starts.
_DASK_CHILD = """
import time
from analysis.engine.pool import BatchScorer
from analysis.engine.tasks import scorer_params
from analysis.ingest import read_corpus
from analysis.score import Scorer
articles = read_corpus({path!r}).articles
items = list(zip(articles['article_id'], articles['content_hash'], articles['text']))
from analysis.score.compiled import compile_cached
scorer = compile_cached(Scorer(tone=False))  # as a run does: forked pool workers inherit it, Dask workers compile
params = scorer_params(scorer)
RESULT = {{'n': len(items), 'mb': sum(len(t.encode()) for t in articles['text']) / 1e6}}
def keep(key, seconds):  # two rounds, engines alternating, the faster kept: other load on the machine varies
    RESULT[key] = min(RESULT.get(key, seconds), seconds)
for engine in ('local', 'dask', 'local', 'dask'):
    started = time.perf_counter()
    runner = BatchScorer(params, jobs=2, engine=engine)
    list(runner.map([items[:1]] * 16))
    keep(engine + ':startup', time.perf_counter() - started)
    started = time.perf_counter()
    list(runner.map([[]] * {empty}))
    keep(engine + ':empty', (time.perf_counter() - started) / {empty})
    for size in {sizes!r}:
        batches = [items[i:i + size] for i in range(0, len(items), size)]
        started = time.perf_counter()
        list(runner.map(batches))
        keep(engine + ':' + str(size), time.perf_counter() - started)
    runner.close()
"""
_DASK_SIZES = (5, 25, 100)


def _dask() -> dict:
    corpus = _generated(int(os.environ.get("BENCH_DASK", 400)), 13)
    return _child(_DASK_CHILD.format(path=str(corpus), empty=400, sizes=_DASK_SIZES))


def _print_dask(result: dict) -> None:
    n = result["n"]
    print(f"\nDask LocalCluster against the local process pool, 2 workers each, {n:,} dense articles "
          f"({result['mb']:.1f} MB), no tone:")
    print(f"{'':34s} {'pool':>9s} {'dask':>9s}")
    print(f"{'start-up (workers compile the scorer)':34s} {result['local:startup']:8.2f}s {result['dask:startup']:8.2f}s")
    print(f"{'per task, empty task':34s} {1e3 * result['local:empty']:7.2f}ms {1e3 * result['dask:empty']:7.2f}ms")
    for size in _DASK_SIZES:
        tasks = -(-n // size)
        local, dask = result[f"local:{size}"], result[f"dask:{size}"]
        print(f"{f'{tasks} tasks of {size} articles':34s} {local:8.2f}s {dask:8.2f}s   "
              f"dask costs {1e3 * (dask - local) / tasks:+.1f} ms per task")
    per_article = result[f"local:{_DASK_SIZES[-1]}"] / n * 2  # seconds of one worker per article
    overhead = result["dask:empty"] - result["local:empty"]
    print(f"One article takes a worker {1e3 * per_article:.1f} ms; Dask adds {1e3 * overhead:.1f} ms per task over the "
          f"pool, so partitions of >= {max(1, round(100 * overhead / per_article))} articles keep its overhead under 1%.")


_REPORT_CHILD = """
import contextlib, io, time
from analysis.cli import main
argv = ['report', '--corpus', {corpus!r}, '--out', {out!r}, '--cache', {cache!r}, '--jobs', '2', '--quiet']
started = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    code = main(argv)
assert code == 0, code
RESULT = {{'seconds': time.perf_counter() - started, 'n': {n}, 'mb': {mb}}}
"""


def _report() -> list:
    n = int(os.environ.get("BENCH_REPORT", 33_000))
    corpus = _generated(n, 17, "broad")
    mb = corpus.stat().st_size / 1e6
    cache, out = BUILD / f"report_cache_{n}", BUILD / f"report_{n}"
    shutil.rmtree(cache, ignore_errors=True)
    found = []
    for label in ("cold (empty cache)", "rerun (cache warm)"):
        found.append((label, _child(_REPORT_CHILD.format(corpus=str(corpus), out=str(out), cache=str(cache), n=n, mb=mb))))
    return found


def _print_report(found: list) -> None:
    cold, warm = found[0][1], found[1][1]
    print(f"\n`report --jobs 2` on a broad corpus of {cold['n']:,} articles ({cold['mb']:.0f} MB of JSONL):")
    for label, result in found:
        total = result["peak_rss_mb"] + result["child_rss_mb"]
        print(f"{label:20s} {result['seconds']:7.1f} s wall   peak RSS: main {result['peak_rss_mb']:5.0f} MB, "
              f"largest worker {result['child_rss_mb']:5.0f} MB (together at most {total:5.0f} MB)")
    print(f"targets: cold <= 120 s ({'met' if cold['seconds'] <= 120 else 'NOT met'}), "
          f"<= 1 GB ({'met' if cold['peak_rss_mb'] + cold['child_rss_mb'] <= 1024 else 'NOT met'}), "
          f"cached <= 20 s ({'met' if warm['seconds'] <= 20 else 'NOT met'})")


def main() -> None:
    sections = {s.strip() for s in os.environ.get("BENCH_SECTIONS", "shapes,floors,dask,scale").split(",") if s.strip()}
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start "
          "(other work on the machine slows every row).", flush=True)
    if "shapes" in sections:
        _print_shapes(_shapes())
    rows = []
    if "floors" in sections:
        floor_rows, vader_mb_s, floors = _floors()
        rows += floor_rows
    if "scale" in sections:
        rows += _scale()
    if rows:
        _print_rows(rows)
    if "floors" in sections:
        scorer_mb_s = next(r["mb"] / r["seconds"] for label, r, _ in rows if label == "score, without tone")
        floor_mb_s = [r["mb"] / r["seconds"] for label, r, _ in rows if label in floors]
        print(f"\nScorer without tone: {scorer_mb_s / vader_mb_s:.2f}x VADER (target 10x = {10 * vader_mb_s:.1f} MB/s). "
              f"Python floors: {floor_mb_s[0] / vader_mb_s:.1f}x and {floor_mb_s[1] / vader_mb_s:.1f}x VADER.")
    if rows:
        print("\nScoring rows are without tone. Stream rows time the whole run (reading, duplicates, scoring, writing); "
              "MB/s there is of the JSONL file. Peak RSS: the step's own process; worker MB: the largest pool process "
              "(0 when none; Dask workers are not its children).")
    if "dask" in sections:
        _print_dask(_dask())
    if "report" in sections:
        _print_report(_report())
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end.")


if __name__ == "__main__":
    main()
