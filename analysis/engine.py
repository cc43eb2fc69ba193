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
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .errors import AnalysisError
from .schema import SENTENCES
from .score import Scorer

__all__ = ["score_at_scale", "ScoreCache", "BatchScorer", "ENGINES"]

ENGINES = ("local", "dask")
_COLUMNS = [*SENTENCES, "cue_spans"]


def _params(scorer: Scorer) -> tuple:
    return (str(scorer.dyad) if scorer.dyad else None, str(scorer.topics) if scorer.topics else None,
            str(scorer.cues) if scorer.cues else None, str(scorer.modifiers) if scorer.modifiers else None,
            str(scorer.settings) if scorer.settings else None, bool(scorer.tone))


@lru_cache(maxsize=4)
def _worker_scorer(params: tuple) -> Scorer:
    dyad, topics, cues, modifiers, settings, tone = params
    return Scorer(dyad, topics, cues, modifiers, settings, tone=tone).compile()


def _packed(task: str, batch: list[tuple[str, str, str]], params: tuple) -> bytes:
    """A batch task's result pickled: Dask moves one bytes object far faster
    than it walks a list of dicts."""
    import pickle

    return pickle.dumps(_TASKS[task](batch, params), protocol=pickle.HIGHEST_PROTOCOL)


def _score_batch(batch: list[tuple[str, str, str]], params: tuple) -> list[dict]:
    """Score one batch of (article_id, content_hash, text) in whatever process runs it."""
    scorer = _worker_scorer(params)
    records = []
    for article_id, content_hash, text in batch:
        for record in scorer.score_text(article_id, text):
            record["content_hash"] = content_hash
            records.append(record)
    return records


class ScoreCache:
    """Scored sentences on disk, per scorer fingerprint and article content hash."""

    def __init__(self, directory: str | Path, fingerprint: str):
        self.root = Path(directory) / fingerprint
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise AnalysisError(f"{self.root}: cannot create the cache folder ({error.strerror}); "
                                f"pass --cache DIR or --no-cache.") from None

    def _shards(self) -> list[Path]:
        return sorted(self.root.glob("*.parquet"))

    def known(self) -> set[str]:
        """Content hashes already scored."""
        import pyarrow.parquet as pq

        hashes: set[str] = set()
        for shard in self._shards():
            try:
                hashes.update(pq.read_table(shard, columns=["content_hash"]).column(0).to_pylist())
            except Exception:  # a damaged shard is ignored and its articles rescored
                continue
        return hashes

    def load(self, wanted: set[str]) -> pd.DataFrame:
        """Cached sentence rows of the wanted content hashes."""
        import pyarrow.parquet as pq

        frames = []
        for shard in self._shards():
            try:
                table = pq.read_table(shard, filters=[("content_hash", "in", sorted(wanted))])
            except Exception:
                continue
            if table.num_rows:
                frames.append(table.to_pandas())
        if not frames:
            return pd.DataFrame(columns=[*_COLUMNS, "content_hash"])
        frame = pd.concat(frames, ignore_index=True)
        return frame.drop_duplicates(["content_hash", "sentence"], keep="first")

    @staticmethod
    def _name(hashes) -> str:
        return hashlib.sha256("\n".join(sorted(set(hashes))).encode()).hexdigest()[:24] + ".parquet"

    def load_piece(self, key: str) -> dict | None:
        """A streaming run's stored result for one piece of a corpus, or None."""
        import pickle

        path = self.root / f"piece-{key}.pickle"
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
            return None

    def store_piece(self, key: str, result: dict) -> None:
        """Keep one piece's result (atomically)."""
        import pickle

        path = self.root / f"piece-{key}.pickle"
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)

    def store(self, records: list[dict]) -> None:
        """Add one shard (atomically) holding ``records``."""
        if not records:
            return
        frame = pd.DataFrame.from_records(records, columns=[*_COLUMNS, "content_hash"])
        target = self.root / self._name(frame["content_hash"])
        temporary = self.root / f".{target.stem}.{os.getpid()}.tmp"
        table = frame.copy()
        for column in table.columns:
            if table[column].dtype == object:
                table[column] = table[column].astype("string")
        table.to_parquet(temporary, index=False)
        temporary.replace(target)


def _batches(items: list[tuple[str, str, str]], batch_size: int) -> list[list[tuple[str, str, str]]]:
    return [items[i:i + batch_size] for i in range(0, len(items), batch_size)]


def score_at_scale(articles: pd.DataFrame, scorer: Scorer, *, jobs: int | None = None, engine: str = "local",
                   scheduler: str | None = None, cache: str | Path | None = None, batch_size: int = 200,
                   progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Score the articles' sentences with the chosen engine, reusing and filling the cache.

    Parameters
    ----------
    articles
        Articles to score (article_id, content_hash, text); duplicates should
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

    Returns
    -------
    pandas.DataFrame
        The sentences table, in article order then sentence order.
    """
    if engine not in ENGINES:
        raise AnalysisError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
    scorer.compile()
    jobs = max(1, jobs or os.cpu_count() or 1)
    items = list(zip(articles["article_id"], articles["content_hash"], articles["text"], strict=True))
    store = ScoreCache(cache, scorer.fingerprint()) if cache else None
    cached = pd.DataFrame(columns=[*_COLUMNS, "content_hash"])
    if store is not None:
        known = store.known()
        hits = {h for _, h, _ in items if h in known}
        cached = store.load(hits)
        items_to_score = [item for item in items if item[1] not in hits]
    else:
        items_to_score = items
    batches = _batches(items_to_score, batch_size)
    params = _params(scorer)
    fresh: list[dict] = []
    for records in _run(batches, params, jobs=jobs, engine=engine, scheduler=scheduler):
        if store is not None:
            store.store(records)
        fresh.extend(records)
        if progress:
            progress(len({r["content_hash"] for r in records}))
    frame = pd.concat([cached, pd.DataFrame.from_records(fresh, columns=[*_COLUMNS, "content_hash"])], ignore_index=True)
    # Cached rows carry the id the text had when scored; re-key by content hash.
    id_of = dict(zip(articles["content_hash"], articles["article_id"], strict=False))
    frame["article_id"] = frame["content_hash"].map(id_of)
    order = {article_id: index for index, article_id in enumerate(articles["article_id"])}
    frame = frame[frame["article_id"].notna()]
    frame = frame.assign(_order=frame["article_id"].map(order)).sort_values(["_order", "sentence"], kind="stable")
    frame = frame.drop(columns=["_order", "content_hash"]).reset_index(drop=True)
    return _normalise_types(frame)


def _normalise_types(frame: pd.DataFrame) -> pd.DataFrame:
    """The same dtypes whether rows came from the cache (Parquet) or were just scored."""
    for column in ("sentence", "start", "end"):
        frame[column] = frame[column].astype("int64")
    for column in ("weight", "cooperation", "friction", "net", "third_party_cooperation", "third_party_friction", "tone"):
        frame[column] = frame[column].astype("float64")
    for column in ("article_id", "text", "sides", "third_parties", "relevance", "topics", "quad", "evidence", "cue_spans"):
        frame[column] = frame[column].astype(object)
    return frame


def _run_task(task: str, batch: list[tuple[str, str, str]], params: tuple):
    return _TASKS[task](batch, params)


def _read_and_score(task: tuple, params: tuple) -> dict:
    from .stream import _read_and_score as read_and_score

    piece, options = task
    return read_and_score(piece, options, params)


_TASKS = {"score": lambda batch, params: _score_batch(batch, params),
          "read_and_score": lambda task, params: _read_and_score(task, params)}


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

            self.pool = ProcessPoolExecutor(max_workers=jobs)

    @property
    def ahead(self) -> int:
        """How many batches may wait in flight: none when scoring inline."""
        return 0 if self.pool is None and self.client is None else 2 * self.jobs

    def submit(self, batch: list[tuple[str, str, str]]):
        """Start scoring ``batch``; :meth:`result` waits for it."""
        if self.client is not None:
            # Dask moves one pickled bytes object far faster than a list of dicts.
            return self.client.submit(_packed, self.task, batch, self.params, pure=False)
        if self.pool is not None:
            return self.pool.submit(_run_task, self.task, batch, self.params)
        return _TASKS[self.task](batch, self.params)

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
