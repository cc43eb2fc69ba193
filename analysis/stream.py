"""Scoring a corpus of any size in memory bounded by a batch.

:func:`stream` reads the corpus one record at a time, scores batches of
articles on all cores (or a Dask cluster), writes every scored sentence to
Parquet parts as it goes and keeps only what aggregation needs: per article,
its metadata and about 300 bytes for duplicate detection; per article and
topic, one row of ``article_topics``. What it writes::

    OUT/articles.parquet        every article (no text), with duplicate_of
    OUT/article_topics.parquet  the table :func:`analysis.aggregate` and
                                :func:`analysis.compare_periods` take
    OUT/sentences/part-*.parquet  every sentence of every scored article
    OUT/skipped.csv             every file or row skipped or kept with a caveat

Results are the same as the in-memory pipeline's (:func:`analysis.ingest`
then :func:`analysis.engine.score_at_scale` then
:func:`analysis.score.article_topics`): exact copies of a text are scored
once, near copies are scored and then dropped from ``article_topics`` once
the whole corpus has been seen (the earliest published copy is the
original). The folder appears complete or not at all: everything is written
to a temporary sibling folder that replaces OUT at the end.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import json
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .engine import _COLUMNS, ENGINES, BatchScorer, ScoreCache, _normalise_types, _params
from .errors import AnalysisError
from .schema import ARTICLE_TOPICS, SKIPPED, check
from .score import Scorer, article_topics

__all__ = ["stream", "StreamResult", "STREAM_MARKER"]

_ingest = importlib.import_module("analysis.ingest")  # the module; analysis.ingest is also a function name
STREAM_MARKER = ".relationship-dynamics-stream"
_DATE_DTYPE = pd.to_datetime(pd.Series([datetime.date(2020, 1, 1)]), errors="coerce").dtype  # as ingest makes them
_METADATA = ["article_id", "path", "line", "source_id", "title", "source", "byline", "url", "published",
             "date_source", "n_chars", "content_hash"]


@dataclass
class StreamResult:
    """What :func:`stream` wrote, with the compact tables loaded."""

    articles: pd.DataFrame  # metadata of every article (no text), with duplicate_of
    article_topics: pd.DataFrame
    skipped: pd.DataFrame
    folder: Path
    n_sentences: int

    @property
    def sentences(self) -> Path:
        """The folder of sentence parts: ``pandas.read_parquet(result.sentences)`` reads them all."""
        return self.folder / "sentences"


def _prepare(records: list[dict], copies: dict[bytes, int]) -> pd.DataFrame:
    """Metadata rows for a batch of records, with ids that do not depend on the batch."""
    frame = pd.DataFrame.from_records(records, columns=["path", "line", "source_id", "title", "source", "byline",
                                                       "url", "published", "date_source", "text"])
    normalised = [_ingest._normalise(t) for t in frame["text"]]
    digests = [hashlib.sha256(n.encode()).digest() for n in normalised]
    ids = []
    for digest in digests:
        copy = copies.get(digest, 0)
        copies[digest] = copy + 1
        hexdigest = digest.hex()
        ids.append(hexdigest[:16] if copy == 0 else hashlib.sha256(f"{hexdigest}\0copy\0{copy}".encode()).hexdigest()[:16])
    frame.insert(0, "article_id", ids)
    frame["line"] = frame["line"].astype("Int64")
    frame["published"] = pd.to_datetime(frame["published"], errors="coerce")
    frame["n_chars"] = frame["text"].str.len().astype("int64")
    frame["content_hash"] = [d.hex() for d in digests]
    for column in ("source_id", "title", "source", "byline", "url", "date_source", "text", "path"):
        frame[column] = frame[column].fillna("").astype(object)
    return frame


def _batches_of(records: Iterator[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def stream(corpus: str | Path, out: str | Path, *, scorer: Scorer | None = None, columns: dict[str, str] | None = None,
           metadata: str | Path | None = None, infer_dates: bool = False, jobs: int | None = None,
           engine: str = "local", scheduler: str | None = None, cache: str | Path | None = None,
           batch_size: int = 1000, near_duplicate_threshold: float = 0.8,
           progress: Callable[[int], None] | None = None) -> StreamResult:
    """Score ``corpus`` batch by batch and write the tables to the folder ``out``.

    Parameters are those of :func:`analysis.ingest` and
    :func:`analysis.engine.score_at_scale`; ``out`` must be new, empty or a
    folder an earlier :func:`stream` wrote (it is replaced). With ``cache``,
    a batch whose articles were all scored before by the same scorer is read
    back instead of scored (batches are cut the same way on every run, so an
    unchanged or grown corpus reuses all its earlier batches).

    Returns
    -------
    StreamResult
        ``articles`` (no text), ``article_topics``, ``skipped`` and where the
        sentences are.
    """
    if engine not in ENGINES:
        raise AnalysisError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
    corpus, out = Path(corpus), Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / STREAM_MARKER).exists())):
        raise AnalysisError(f"{out}: exists and was not written by a streaming run; "
                            f"choose a new folder (nothing there was changed).")
    scorer = (scorer or Scorer(tone=False)).compile()
    metadata_path = _ingest._metadata_path(corpus, metadata)
    key = _input_key(corpus, metadata_path, scorer, columns=columns, infer_dates=infer_dates,
                     threshold=near_duplicate_threshold, batch_size=batch_size)
    if _marker_key(out) == key:
        return _load(out)  # same input bytes, scorer and options: the folder is up to date
    jobs = max(1, jobs or os.cpu_count() or 1)
    store = ScoreCache(cache, scorer.fingerprint()) if cache else None
    work = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "sentences").mkdir(parents=True)
    (work / "articles").mkdir()
    problems = _ingest._Problems()
    records = _ingest.prepared_records(corpus, problems, columns=columns, metadata=metadata_path,
                                       infer_dates=infer_dates)
    copies: dict[bytes, int] = {}
    hashes: list[str] = []
    published: list[np.ndarray] = []
    signatures: list[np.ndarray] = []
    topic_parts: list[pd.DataFrame] = []
    scorers = BatchScorer(_params(scorer), jobs=jobs, engine=engine, scheduler=scheduler, task="score_signed")
    in_flight: deque = deque()
    n_sentences = 0
    part = 0

    def finish(handle, cached: pd.DataFrame | None, items: list[tuple[str, str, str]], rows: np.ndarray,
               first: list[int]) -> None:
        """Write a scored batch; ``rows[first]`` receive its articles' signatures."""
        nonlocal n_sentences, part
        hashes_of_batch = [h for _, h, _ in items]
        if cached is not None:
            frame = cached
            signed = store.load_signatures(hashes_of_batch)
            if signed is None:
                signed = np.stack([_ingest.signature(_ingest._normalise(text)) for _, _, text in items])
        else:
            records_, signed = scorers.result(handle)
            if store is not None:
                store.store(records_, hashes_of_batch, signatures=signed)
            frame = pd.DataFrame.from_records(records_, columns=[*_COLUMNS, "content_hash"])
        rows[first] = signed
        frame = _normalise_types(frame.drop(columns=["content_hash"]))
        frame.to_parquet(work / "sentences" / f"part-{part:06d}.parquet", index=False)
        part += 1
        n_sentences += len(frame)
        topic_parts.append(article_topics(frame, None).drop(columns=["published"]))
        if progress:
            progress(len(items))

    try:
        for index, batch in enumerate(_batches_of(records, batch_size)):
            frame = _prepare(batch, copies)
            frame.drop(columns=["text"]).to_parquet(work / "articles" / f"part-{index:06d}.parquet", index=False)
            ids, digests, texts = (frame[c].tolist() for c in ("article_id", "content_hash", "text"))
            hashes.extend(digests)
            published.append(frame["published"].to_numpy(dtype="datetime64[ns]"))
            # Only the first copy of a text is scored (and signed); later exact
            # copies are duplicates whatever their signature.
            first = [i for i, (article_id, digest) in enumerate(zip(ids, digests, strict=True)) if article_id == digest[:16]]
            rows = np.zeros((len(frame), 64), dtype=np.uint32)
            signatures.append(rows)
            items = [(ids[i], digests[i], texts[i]) for i in first]
            if not items:
                continue
            cached = store.load_batch([h for _, h, _ in items]) if store is not None else None
            handle = None if cached is not None else scorers.submit(items)
            in_flight.append((handle, cached, items, rows, first))
            while len(in_flight) > scorers.ahead:
                finish(*in_flight.popleft())
        while in_flight:
            finish(*in_flight.popleft())
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        scorers.close()

    try:
        _finish(work, hashes, published, signatures, topic_parts, near_duplicate_threshold)
        for held in (hashes, published, signatures, topic_parts, copies):
            held.clear()  # free them before the tables are loaded back
        skipped = pd.DataFrame(problems.rows, columns=[*SKIPPED, "action"])
        skipped.to_csv(work / "skipped.csv", index=False, lineterminator="\n")
        (work / STREAM_MARKER).write_text(json.dumps({"written_by": "relationship-dynamics stream", "key": key,
                                                      "n_sentences": n_sentences}, indent=1) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        work.replace(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _load(out)


def _input_key(corpus: Path, metadata: Path | None, scorer: Scorer, **options) -> str:
    """A hash of everything a streaming run's output depends on: the input bytes
    (every file of a folder, with its name), the metadata file, the scorer's
    fingerprint, the options and today's date (dates after it are rejected)."""
    digest = hashlib.sha256()
    files = sorted(p for p in corpus.rglob("*") if p.is_file()) if corpus.is_dir() else [corpus]
    if metadata is not None and metadata.exists() and metadata not in files:
        files.append(metadata)
    for path in files:
        digest.update(f"\0{path.relative_to(corpus) if corpus.is_dir() and path.is_relative_to(corpus) else path.name}\0".encode())
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 22):
                    digest.update(chunk)
        except OSError:
            digest.update(b"unreadable")
    digest.update(json.dumps({**options, "scorer": scorer.fingerprint(), "today": str(datetime.date.today())},
                             sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _marker_key(out: Path) -> str | None:
    try:
        return json.loads((out / STREAM_MARKER).read_text(encoding="utf-8")).get("key")
    except (OSError, ValueError, AttributeError):
        return None


def _load(out: Path) -> StreamResult:
    """The compact tables of a streaming run's folder, with the dtypes ingestion gives."""
    articles = pd.read_parquet(out / "articles.parquet") if (out / "articles.parquet").exists() else \
        pd.DataFrame(columns=[*_METADATA, "duplicate_of"])
    # Parquet keeps dates in milliseconds; give them the unit ingestion gives.
    articles["published"] = pd.to_datetime(articles["published"]).astype(_DATE_DTYPE)
    for column in ("path", "source_id", "title", "source", "byline", "url", "date_source", "duplicate_of"):
        articles[column] = articles[column].astype(object)
    for column in ("article_id", "content_hash"):
        articles[column] = articles[column].astype(str)
    topics = pd.read_parquet(out / "article_topics.parquet")
    topics["published"] = pd.to_datetime(topics["published"]).astype(_DATE_DTYPE)
    for column in ("article_id", "topic"):
        topics[column] = topics[column].astype(str)
    skipped = pd.read_csv(out / "skipped.csv", dtype={"path": object, "reason": object, "action": object},
                          keep_default_na=False)
    skipped["line"] = pd.to_numeric(skipped["line"].replace("", None)).astype("Int64")
    n_sentences = json.loads((out / STREAM_MARKER).read_text(encoding="utf-8"))["n_sentences"]
    return StreamResult(articles, topics, skipped, out, int(n_sentences))


def _finish(work: Path, hashes: list[str], published: list[np.ndarray], signatures: list[np.ndarray],
            topic_parts: list[pd.DataFrame], threshold: float) -> None:
    """Decide duplicates once every article is known; write articles and article_topics."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = sorted((work / "articles").glob("part-*.parquet"))
    dates = np.concatenate(published) if published else np.array([], dtype="datetime64[ns]")
    n = len(hashes)
    undated = np.isnat(dates)
    order = np.lexsort((np.arange(n), dates.astype("int64"), undated))  # by date (undated last), then input order
    content = np.array(hashes, dtype=object)
    original = _ingest.find_duplicates(content[order], np.concatenate(signatures)[order] if n else
                                       np.zeros((0, 64), np.uint32), threshold=threshold)
    ids = np.concatenate([pq.read_table(p, columns=["article_id"]).column(0).to_numpy(zero_copy_only=False)
                          for p in parts]) if parts else np.array([], dtype=object)
    duplicate_of = np.full(n, "", dtype=object)
    duplicate_of[order] = np.where(original >= 0, ids[order][np.maximum(original, 0)], "")
    # Exact copies were scored once, under the id of the first copy read; the
    # original is the earliest published copy, which may be another one.
    scored_id = np.array([h[:16] for h in hashes], dtype=object)
    keep = duplicate_of == ""
    rename = {s: i for s, i in zip(scored_id[keep], ids[keep], strict=True) if s != i}
    writer = None
    offset = 0
    target = work / "articles.parquet"
    for p in parts:
        table = pq.read_table(p)
        column = pa.array(duplicate_of[offset:offset + table.num_rows].tolist(), type=pa.string())
        table = table.append_column("duplicate_of", column)
        offset += table.num_rows
        if writer is None:
            writer = pq.ParquetWriter(target, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()
    shutil.rmtree(work / "articles")
    articles = pd.read_parquet(target, columns=["article_id", "published", "duplicate_of"]) if target.exists() else \
        pd.DataFrame(columns=["article_id", "published", "duplicate_of"])
    topics = pd.concat(topic_parts, ignore_index=True) if topic_parts else \
        pd.DataFrame(columns=[c for c in ARTICLE_TOPICS if c != "published"])
    if rename:
        topics["article_id"] = topics["article_id"].replace(rename)
    originals = articles.loc[articles["duplicate_of"] == "", ["article_id", "published"]]
    topics = topics.merge(originals, on="article_id", how="inner")
    topics = topics.sort_values(["article_id", "topic"], kind="stable").reset_index(drop=True)
    check(topics, ARTICLE_TOPICS, "article_topics").to_parquet(work / "article_topics.parquet", index=False)
