"""Scoring at scale: batches, an incremental on-disk cache, all cores, or a Dask cluster.

Every engine scores the same batches with the same pure function and puts the
results back in input order, so ``jobs=1``, ``jobs=N``, Dask and a cache hit
give identical tables.

The cache keeps scored sentences in Parquet shards under
``CACHE/<scorer fingerprint>/``, keyed by each article's content hash. The
fingerprint hashes the dyad, taxonomy, lexicon, modifiers, scorer settings,
the tone switch and the scorer's code version, so changing any of them starts
a fresh cache and rescores everything that could have changed (everything),
while an unchanged scorer rescoring a grown corpus scores only the new
articles. A shard is written to a temporary name and renamed, after each
batch: an interrupted run leaves a valid cache that the next run resumes from.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..score import Scorer
from .cache import ScoreCache
from .tasks import (
    SCORED_COLUMNS,
    TASKS,
    normalise_types,
    packed,
    run_task,
    scorer_params,
    split_unscored,
)

__all__ = ["score_at_scale", "BatchScorer", "ENGINES", "exit_with_parent", "give_back_memory"]

ENGINES = ("local", "dask")


def _batches(items: list[tuple[str, str, str]], batch_size: int) -> list[list[tuple[str, str, str]]]:
    return [items[i:i + batch_size] for i in range(0, len(items), batch_size)]


def score_at_scale(articles: pd.DataFrame, scorer: Scorer, *, jobs: int | None = None, engine: str = "local",
                   scheduler: str | None = None, cache: str | Path | None = None, batch_size: int = 200,
                   progress: Callable[[int], None] | None = None,
                   return_reasons: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    """Score the articles' sentences with the chosen engine, reusing and filling the cache.

    Parameters
    ----------
    articles
        Articles to score (article_id, text); duplicates should
        already be removed.
    jobs
        Processes (local engine) or workers (a Dask LocalCluster); default:
        all cores.
    engine
        "local" (a process pool; one process when ``jobs`` is 1 or there is
        one batch) or "dask" (``scheduler`` address of a running cluster, or a
        LocalCluster with ``jobs`` workers).
    cache
        Cache folder, or None for no cache.
    return_reasons
        Also return why each article without sentence rows was not scored.

    Returns
    -------
    pandas.DataFrame
        The sentences table, in article order then sentence order.
    pandas.Series
        With ``return_reasons``: the reason (the scorer's prefilter, e.g.
        "names neither side") per unscored article_id.
    """
    if engine not in ENGINES:
        raise AnalysisError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
    scorer.compile()
    give_back_memory()  # what reading the corpus freed, before the sentences are built
    jobs = max(1, jobs or os.cpu_count() or 1)
    # The cache is keyed by the exact text scored, not the dedup hash of its normalised form: an
    # article edited only in case or punctuation has the same content_hash, but its offsets moved.
    keys = [text_key(text) for text in articles["text"]]
    items = list(zip(articles["article_id"], keys, articles["text"], strict=True))
    store = ScoreCache(cache, scorer.fingerprint()) if cache else None
    cached = pd.DataFrame(columns=[*SCORED_COLUMNS, "content_hash"])
    if store is not None:
        known = store.known()
        hits = {h for _, h, _ in items if h in known}
        cached = store.load(hits)
        items_to_score = [item for item in items if item[1] not in hits]
    else:
        items_to_score = items
    batches = _batches(items_to_score, batch_size)
    params = scorer_params(scorer)
    # Sentences are kept as columns, not as one dict per sentence: a dict of 25 keys costs about
    # 1.2 KB, a row of columns 200 bytes; on a 220 MB corpus the dicts alone took gigabytes.
    names = [*SCORED_COLUMNS, "content_hash"]
    columns: dict[str, list] = {name: [] for name in names}
    for records in _run(batches, params, jobs=jobs, engine=engine, scheduler=scheduler):
        if store is not None:
            store.store(records)
        for name, values in columns.items():
            if name in _REPEATED_COLUMNS:  # one string object per distinct value, not one per sentence
                values.extend(_interned(record.get(name)) for record in records)
            else:
                values.extend(record.get(name) for record in records)
        if progress:
            progress(len({r["content_hash"] for r in records}))
        del records
    fresh = pd.DataFrame({name: _column(name, columns.pop(name)) for name in names}, columns=names)
    frame = fresh if not len(cached) else pd.concat([cached, fresh], ignore_index=True)
    del fresh, cached
    # Cached rows carry the id the text had when scored; re-key by the text key.
    id_of = dict(zip(keys, articles["article_id"], strict=False))
    ids = frame["content_hash"].map(id_of)
    order = {article_id: index for index, article_id in enumerate(articles["article_id"])}
    # One reordering copy (article order, then sentence; ties keep their order), not one per step.
    kept = np.flatnonzero(ids.notna().to_numpy())
    rank = ids.iloc[kept].map(order).to_numpy(dtype="int64")
    sentence = frame["sentence"].iloc[kept].to_numpy(dtype="int64")
    positions = kept[np.lexsort((sentence, rank))]
    frame = frame.drop(columns=["content_hash"]).assign(article_id=ids).take(positions).reset_index(drop=True)
    sentences, reasons = split_unscored(normalise_types(frame))
    give_back_memory()
    return (sentences, reasons) if return_reasons else sentences


# The text columns of the sentences table: built as Python objects at once. Left to pandas they
# became Arrow strings (a copy of every text) and then Python strings again (another copy).
_OBJECT_COLUMNS = {"article_id", "text", "sides", "third_parties", "relevance", "topics", "quad", "evidence",
                   "cue_spans", "source", "target", "direction"}


# Columns of a few distinct short values ("direct", "a_to_b", "turkey;russia"): every unpickled row
# brought its own copy of each, about 450 bytes a sentence in all.
_REPEATED_COLUMNS = {"sides", "third_parties", "relevance", "topics", "quad", "source", "target", "direction"}


def _interned(value):
    return sys.intern(value) if type(value) is str else value


def _column(name: str, values: list) -> pd.Series:
    if name not in _OBJECT_COLUMNS:
        return pd.Series(values)
    column = pd.Series(values, dtype=object)
    return column.where(column.notna(), np.nan)  # a missing value is NaN, as the Arrow round trip made it


def text_key(text: str) -> str:
    """The score cache's key of an article: the SHA-256 of its exact text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def give_back_memory() -> None:
    """Return memory freed by a stage to the system.

    pandas keeps text in Arrow buffers, whose pool (mimalloc) holds on to
    what was freed, and glibc keeps freed heap too; neither can reuse the
    other's, so between stages both are handed back (on 10,000 articles,
    a third of the process's memory after reading the corpus).
    """
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):
            pass


# Dask starts its workers with MALLOC_TRIM_THRESHOLD_ set, and a fixed trim
# threshold switches off glibc's sliding mmap threshold: every buffer over
# 128 KB is then mapped and unmapped afresh. Scoring a piece of the corpus
# allocates many such buffers (9x the page faults of a pool process, 30%
# slower in all). A fixed 32 MB mmap threshold gives the pool's behaviour
# back; the statistical profiler (a thread sampling every 10 ms) is off.
# A remote cluster's workers take the same settings from their own config.
_LOCAL_CLUSTER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 32 << 20,
                         "distributed.worker.profile.enabled": False}


class BatchScorer:
    """Score batches in whatever process runs them: inline (one job), a process
    pool, or a Dask cluster (``scheduler`` address, or a LocalCluster of
    ``jobs`` workers). :meth:`map` yields results in submission order with at
    most ``2 × jobs`` batches in flight, so memory is bounded by the batches."""

    def __init__(self, params: tuple, *, jobs: int, engine: str = "local", scheduler: str | None = None,
                 task: str = "score"):
        self.params, self.jobs, self.task = params, jobs, task
        self.pool = self.client = self.cluster = None
        if engine == "dask":
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError:
                raise AnalysisError("the dask engine needs dask and distributed: "
                                    "pip install 'relationship-dynamics[dask]'.") from None
            if scheduler:
                self.client = Client(scheduler)
            else:
                import dask

                # dashboard_address=None still serves the scheduler's HTTP
                # routes on port 8787, with a warning when another cluster
                # (a second run, a notebook's) holds it: take any free local port.
                with dask.config.set(_LOCAL_CLUSTER_CONFIG):
                    self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                dashboard_address="127.0.0.1:0")
                self.client = Client(self.cluster)
        elif jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=jobs, initializer=exit_with_parent, initargs=(os.getpid(),))

    @property
    def ahead(self) -> int:
        """How many batches may wait in flight: none when scoring inline."""
        return 0 if self.pool is None and self.client is None else 2 * self.jobs

    def submit(self, batch: list[tuple[str, str, str]]):
        """Start scoring ``batch``; :meth:`result` waits for it."""
        if self.client is not None:
            # Dask moves one pickled bytes object far faster than a list of dicts.
            return self.client.submit(packed, self.task, batch, self.params, pure=False)
        if self.pool is not None:
            return self.pool.submit(run_task, self.task, batch, self.params)
        return TASKS[self.task](batch, self.params)

    def result(self, handle) -> list[dict]:
        if self.client is not None:
            import pickle

            return pickle.loads(handle.result())
        return handle.result() if self.pool is not None else handle

    def map(self, batches: Iterable[list[tuple[str, str, str]]]) -> Iterator[list[dict]]:
        in_flight: deque = deque()
        for batch in batches:
            in_flight.append(self.submit(batch))
            while len(in_flight) > self.ahead:
                yield self.result(in_flight.popleft())
        while in_flight:
            yield self.result(in_flight.popleft())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def exit_with_parent(main: int) -> None:
    """In a worker: end this process when the process that started the pool (``main``) dies.

    A worker waits on a pipe that its siblings also hold open, so when the
    main process is killed (``kill -9``, the OOM killer) the pipe never
    closes and the worker would wait forever under PID 1. On Linux the kernel
    kills it when its parent dies (``PR_SET_PDEATHSIG``); everywhere, a daemon
    thread checks once a second that its parent is still the one it started
    with (the main process, or a fork server that ends with it) and that the
    main process is alive.
    """
    import signal
    import threading
    import time

    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the thread below still watches

    def orphaned() -> bool:
        if os.getppid() != parent:
            return True
        try:
            os.kill(main, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        return False

    if orphaned():  # the main process died before this worker was ready
        os._exit(1)

    def watch() -> None:
        while not orphaned():
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run(batches: list, params: tuple, *, jobs: int, engine: str, scheduler: str | None) -> Iterable[list[dict]]:
    if not batches:
        return
    if engine == "local" and len(batches) == 1:
        jobs = 1  # no pool for one batch
    scorer = BatchScorer(params, jobs=jobs, engine=engine, scheduler=scheduler)
    try:
        yield from scorer.map(batches)
    finally:
        scorer.close()
