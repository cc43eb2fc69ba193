"""Scoring a corpus of any size in memory bounded by a piece of it.

:func:`stream` cuts the corpus into pieces (:func:`analysis.ingest.partitions`:
~16 MB of a JSONL file, a Parquet row group, a run of files). Each piece is
one task on a process pool or a Dask cluster: the worker reads it, checks
dates and metadata, hashes, min-hashes and scores its articles, and sends
back compact tables. Inputs that cannot be cut (a CSV, whose quoted fields
may span lines) are read by the client in batches of records. The client
gives articles their ids in corpus order, writes every sentence to Parquet
parts as pieces come back and keeps only what aggregation needs: per
article, its metadata and 256 bytes for duplicate detection; per article and
topic, one row of ``article_topics``. What it writes::

    OUT/articles.parquet        every article (no text), with duplicate_of
    OUT/article_topics.parquet  the table :func:`analysis.aggregate` and
                                :func:`analysis.compare_periods` take
    OUT/sentences/part-*.parquet  every sentence of every scored article
    OUT/skipped.csv             every file or row skipped or kept with a caveat

Results are the same as the in-memory pipeline's (:func:`analysis.ingest`
then :func:`analysis.engine.score_at_scale` then
:func:`analysis.score.article_topics`): only the first copy of a text is
kept, near copies are dropped from ``article_topics`` once the whole corpus
has been seen (the earliest published copy is the original). With a cache,
a piece whose bytes were read before by the same scorer is not read again. The folder appears complete or not at all: everything is written
to a temporary sibling folder that replaces OUT at the end, in one step on
Linux. A run holds a lock on OUT (:func:`stream_lock`) from start to end, so
two runs into one folder take turns instead of mixing their corpora.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import pickle
import re
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .. import ingest
from ..errors import AnalysisError
from ..io import LOCK_NAME, csv_text, output_lock, remove_leftovers, replace_folder
from ..schema import ARTICLE_TOPICS, SKIPPED
from ..score import Scorer
from ..vocab import file_sha256
from .cache import ScoreCache
from .pool import ENGINES, BatchScorer
from .tasks import scorer_params

__all__ = ["stream", "stream_lock", "StreamResult", "STREAM_MARKER"]

STREAM_MARKER = ".relationship-dynamics-stream"
_DATE_DTYPE = pd.to_datetime(pd.Series([datetime.date(2020, 1, 1)]), errors="coerce").dtype  # as ingest makes them
_METADATA = ["article_id", "path", "line", "source_id", "title", "source", "byline", "url", "published",
             "date_source", "n_chars", "content_hash"]


class StreamResult:
    """What :func:`stream` wrote. The tables are read from the folder when first
    used: at a million articles ``articles`` alone takes gigabytes as a
    DataFrame, and a caller that only needs ``article_topics`` should not pay
    for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.n_sentences = int(json.loads((self.folder / STREAM_MARKER).read_text(encoding="utf-8"))["n_sentences"])

    def __repr__(self) -> str:
        return f"StreamResult({str(self.folder)!r}, n_articles={self.n_articles}, n_sentences={self.n_sentences})"

    @cached_property
    def articles(self) -> pd.DataFrame:
        """Metadata of every article (no text), with ``duplicate_of``; dtypes as ingestion gives them."""
        path = self.folder / "articles.parquet"
        articles = pd.read_parquet(path) if path.exists() else \
            pd.DataFrame(columns=[*_METADATA, "duplicate_of", "scored", "unscored_reason"])
        articles["published"] = pd.to_datetime(articles["published"]).astype(_DATE_DTYPE)
        articles["scored"] = articles["scored"].astype(bool)
        for column in ("path", "source_id", "title", "source", "byline", "url", "date_source", "duplicate_of",
                       "unscored_reason"):
            articles[column] = articles[column].astype(object)
        for column in ("article_id", "content_hash"):
            articles[column] = articles[column].astype(str)
        return articles

    @cached_property
    def article_topics(self) -> pd.DataFrame:
        """The table :func:`analysis.aggregate` and :func:`analysis.compare_periods` take."""
        topics = pd.read_parquet(self.folder / "article_topics.parquet")
        topics["published"] = pd.to_datetime(topics["published"]).astype(_DATE_DTYPE)
        for column in ("article_id", "topic"):
            topics[column] = topics[column].astype(str)
        return topics

    @cached_property
    def skipped(self) -> pd.DataFrame:
        """Every file or row skipped or kept with a caveat."""
        skipped = pd.read_csv(self.folder / "skipped.csv", dtype={"path": object, "reason": object, "action": object},
                              keep_default_na=False)
        skipped["line"] = pd.to_numeric(skipped["line"].replace("", None)).astype("Int64")
        return skipped

    @property
    def n_articles(self) -> int:
        """Articles read (duplicates included), without loading the table."""
        import pyarrow.parquet as pq

        path = self.folder / "articles.parquet"
        return pq.ParquetFile(path).metadata.num_rows if path.exists() else 0

    @property
    def n_duplicates(self) -> int:
        """Articles marked as a copy of another, reading only that column."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        path = self.folder / "articles.parquet"
        if not path.exists():
            return 0
        column = pq.read_table(path, columns=["duplicate_of"]).column(0)
        return int(pc.sum(pc.not_equal(column, "")).as_py() or 0)

    @property
    def sentences(self) -> Path:
        """The folder of sentence parts: ``pandas.read_parquet(result.sentences)`` reads them all."""
        return self.folder / "sentences"


def _client_pieces(corpus: Path, columns: dict[str, str] | None, size: int) -> Iterator[tuple]:
    """Pieces of records the client reads itself (inputs that cannot be cut), each
    record carrying the reading problems met just before it (reported with the
    piece's other problems)."""
    problems = ingest.Problems(quiet=True)
    batch: list[dict] = []
    seen = 0
    for record in ingest.iter_records(corpus, columns=columns, problems=problems):
        record["_problems_before"] = problems.rows[seen:]
        seen = len(problems.rows)
        batch.append(record)
        if len(batch) >= size:
            yield ("records", batch)
            batch = []
    batch.append({"_problems_before": problems.rows[seen:], "_end": True})
    yield ("records", batch)


def _piece_key(piece: tuple, options_key: str) -> str:
    """A hash of a piece's bytes (and what it is), for the cache."""
    digest = hashlib.sha256(options_key.encode())
    kind = piece[0]
    if kind == "records":
        digest.update(pickle.dumps(piece[1], protocol=4))
    else:
        digest.update(repr(piece).encode())
        if kind == "jsonl":
            with open(piece[1], "rb") as handle:
                handle.seek(piece[2])
                digest.update(handle.read(piece[3] - piece[2]))
        elif kind == "parquet":
            digest.update(Path(piece[1]).read_bytes())
        else:
            for name in piece[2]:
                path = Path(piece[1]) / name
                digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()[:32]


def stream(corpus: str | Path, out: str | Path, *, scorer: Scorer | None = None, columns: dict[str, str] | None = None,
           metadata: str | Path | None = None, infer_dates: bool = False, jobs: int | None = None,
           engine: str = "local", scheduler: str | None = None, cache: str | Path | None = None,
           batch_size: int = 1000, piece_bytes: int = 16 << 20, near_duplicate_threshold: float = 0.8,
           progress: Callable[[int], None] | None = None) -> StreamResult:
    """Score ``corpus`` batch by batch and write the tables to the folder ``out``.

    Parameters are those of :func:`analysis.ingest` and
    :func:`analysis.engine.score_at_scale`; ``out`` must be new, empty or a
    folder an earlier :func:`stream` wrote (it is replaced). ``piece_bytes``
    sets the size of the pieces a JSONL file is cut into; ``batch_size`` the
    records per piece of an input the client reads (CSV). With ``cache``, a
    piece whose bytes were read before by the same scorer is taken from the
    cache (pieces are cut the same way on every run, so a corpus that grows
    at its end reads only its last pieces again).

    Returns
    -------
    StreamResult
        ``articles`` (no text), ``article_topics``, ``skipped`` and where the
        sentences are.
    """
    if engine not in ENGINES:
        raise AnalysisError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
    corpus, out = Path(corpus), Path(out)
    with stream_lock(out):
        # What runs killed before left beside OUT: only names of ours, only of processes that are gone.
        remove_leftovers(out.parent, (rf"\.{re.escape(out.name)}\.tmp-(\d+)", rf"\.{re.escape(out.name)}\.old-(\d+)"))
        return _stream(corpus, out, scorer=scorer, columns=columns, metadata=metadata, infer_dates=infer_dates,
                       jobs=jobs, engine=engine, scheduler=scheduler, cache=cache, batch_size=batch_size,
                       piece_bytes=piece_bytes, near_duplicate_threshold=near_duplicate_threshold, progress=progress)


def stream_lock(out: str | Path):
    """The lock :func:`stream` holds on the folder ``out`` (the lock of :func:`analysis.io.output_lock`,
    beside ``out`` since ``out`` itself is replaced). Hold it around anything else written into ``out``
    after a run, so that a second run cannot replace the folder in between; it is reentrant."""
    out = Path(out)
    return output_lock(out.parent, name=f".{out.name}{LOCK_NAME}")


def _stream(corpus: Path, out: Path, *, scorer, columns, metadata, infer_dates, jobs, engine, scheduler, cache,
            batch_size, piece_bytes, near_duplicate_threshold, progress) -> StreamResult:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / STREAM_MARKER).exists())):
        raise AnalysisError(f"{out}: exists and was not written by a streaming run; "
                            f"choose a new folder (nothing there was changed).")
    scorer = (scorer or Scorer(tone=False)).compile()
    metadata_path = ingest.find_metadata(corpus, metadata)
    key = _input_key(corpus, metadata_path, scorer, columns=columns, infer_dates=infer_dates,
                     threshold=near_duplicate_threshold, batch_size=batch_size, piece_bytes=piece_bytes)
    limits = ingest.date_limits()
    today = str(limits[1])
    if _up_to_date(out, key, today):
        return StreamResult(out)  # same input bytes, scorer and options: the folder is up to date
    jobs = max(1, jobs or os.cpu_count() or 1)
    store = ScoreCache(cache, scorer.fingerprint()) if cache else None
    work = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "sentences").mkdir(parents=True)
    (work / "articles").mkdir()
    problems = ingest.Problems()
    overrides = ingest.read_overrides(metadata_path) if metadata_path and metadata_path.exists() else {}
    options = {"columns": columns, "metadata": metadata_path, "infer_dates": infer_dates,
               "limits": limits}
    pieces = ingest.partitions(corpus, target_bytes=piece_bytes)
    client_read = pieces is None
    if client_read:
        pieces = _client_pieces(corpus, columns, batch_size)
    copies: dict[str, int] = {}
    seen_ids: dict[str, tuple[str, object]] = {}
    used: set[str] = set()
    hashes: list[str] = []
    published: list[np.ndarray] = []
    signatures: list[np.ndarray] = []
    topic_rows = _TopicRows(work / "topics.parquet")
    n_sentences = 0
    depends_on_latest = False
    scorers = BatchScorer(scorer_params(scorer), jobs=jobs, engine=engine, scheduler=scheduler, task="read_and_score")

    def tasks() -> Iterator[tuple]:
        """Each piece with the overrides it may need: a file's own, or (one path
        for every row) all of them for the first piece only, as ingest applies them."""
        for index, piece in enumerate(pieces):
            if piece[0] == "files":
                mine = {name: overrides[name] for name in piece[2] if name in overrides}
            else:
                mine = overrides if index == 0 else {}
            yield piece, {**options, "overrides": mine}

    def results() -> Iterator[dict]:
        options_key = key_options
        pending: deque = deque()
        for piece, task_options in tasks():
            cached = store.load_piece(_piece_key(piece, options_key)) if store is not None else None
            if cached is not None and not _still_valid(cached, today):
                cached = None
            pending.append((cached, None if cached is not None else scorers.submit((piece, task_options)), piece))
            while len(pending) > scorers.ahead:
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())

    def _result(cached, handle, piece) -> dict:
        if cached is not None:
            return cached
        result = scorers.result(handle)
        if store is not None:
            store.store_piece(_piece_key(piece, key_options), result)
        return result

    key_options = json.dumps({"columns": columns, "infer_dates": infer_dates,
                              "metadata": file_sha256(metadata_path) if metadata_path and metadata_path.exists()
                              else None, "overrides": sorted(overrides)}, sort_keys=True, default=str)
    try:
        for part, result in enumerate(results()):
            meta = result["meta"]
            rows, boundaries = result["problems"], result["boundaries"]
            ids, first = [], []
            previous = 0
            for i, (path, line, source_id, digest) in enumerate(zip(meta["path"], meta["line"], meta["source_id"],
                                                                     meta["content_hash"], strict=True)):
                problems.extend(rows[previous:boundaries[i]])
                previous = boundaries[i]
                ingest.check_repeated_id({"path": path, "line": None if pd.isna(line) else int(line),
                                           "source_id": source_id}, seen_ids, problems)
                copy = copies.get(digest, 0)
                copies[digest] = copy + 1
                ids.append(digest[:16] if copy == 0 else hashlib.sha256(f"{digest}\0copy\0{copy}".encode()).hexdigest()[:16])
                first.append(copy == 0)
            problems.extend(rows[previous:])
            used.update(result["used"])
            depends_on_latest = depends_on_latest or result["depends_on_latest"]
            meta.insert(0, "article_id", ids)
            meta.to_parquet(work / "articles" / f"part-{part:06d}.parquet", index=False)
            hashes.extend(meta["content_hash"].tolist())
            published.append(meta["published"].to_numpy(dtype="datetime64[ns]"))
            signatures.append(result["signatures"])
            # Only the first copy of a text counts; later exact copies are
            # duplicates whatever their scores.
            final = np.array(ids, dtype=object)
            is_first = np.array(first, dtype=bool)
            sentences = result["sentences"]
            position = sentences["article_id"].astype("int64").to_numpy()
            sentences = sentences[is_first[position]].assign(article_id=final[position[is_first[position]]])
            sentences.to_parquet(work / "sentences" / f"part-{part:06d}.parquet", index=False)
            n_sentences += len(sentences)
            # Topic rows keep the article's row number in the corpus, not its id:
            # the id strings are made once, at the end.
            topics = result["topics"]
            position = topics["article_id"].astype("int64").to_numpy()
            topic_rows.write(topics[is_first[position]].assign(_row=position[is_first[position]] + len(hashes) - len(meta)))
            if progress:
                progress(len(meta))
        for name, override in sorted(overrides.items()):
            if name not in used:
                problems.add(str(metadata_path), override["_line"], f"metadata names {name!r}, which is not in the "
                             f"corpus", "ignored")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        scorers.close()
        topic_rows.close()

    try:
        _finish(work, hashes, published, signatures, near_duplicate_threshold)
        for held in (hashes, published, signatures, copies):
            held.clear()  # free them before the tables are loaded back
        skipped = pd.DataFrame(problems.rows, columns=[*SKIPPED, "action"])
        (work / "skipped.csv").write_text(csv_text(skipped), encoding="utf-8")
        (work / STREAM_MARKER).write_text(json.dumps({"written_by": "relationship-dynamics stream", "key": key,
                                                      "n_sentences": n_sentences, "latest": today,
                                                      "depends_on_latest": depends_on_latest}, indent=1) + "\n",
                                          encoding="utf-8")
        replace_folder(work, out)  # one step where the system allows: readers see the old folder or the new
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return StreamResult(out)


def _input_key(corpus: Path, metadata: Path | None, scorer: Scorer, **options) -> str:
    """A hash of everything a streaming run's output depends on: the input bytes
    (every file of a folder, with its name), the metadata file, the scorer's
    fingerprint and the options. Today's date (dates after it are rejected)
    is kept beside the key, in the marker: see :func:`_up_to_date`."""
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
    digest.update(json.dumps({**options, "scorer": scorer.fingerprint()}, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _still_valid(written: dict, today: str) -> bool:
    """Whether an output written on ``written["latest"]`` holds today too.

    Dates after "today" are rejected, so a result stays valid on a later day
    unless some date in it was rejected as being in the future, or an inferred
    date could now be a later one (``depends_on_latest``).
    """
    latest = written.get("latest")
    if not isinstance(latest, str):
        return False
    return latest == today or (written.get("depends_on_latest") is False and latest <= today)


def _up_to_date(out: Path, key: str, today: str) -> bool:
    try:
        marker = json.loads((out / STREAM_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("key") == key and _still_valid(marker, today)


def _finish(work: Path, hashes: list[str], published: list[np.ndarray], signatures: list[np.ndarray],
            threshold: float) -> None:
    """Decide duplicates once every article is known; write articles and article_topics."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parts = sorted((work / "articles").glob("part-*.parquet"))
    dates = np.concatenate(published) if published else np.array([], dtype="datetime64[ns]")
    n = len(hashes)
    undated = np.isnat(dates)
    order = np.lexsort((np.arange(n), dates.astype("int64"), undated))  # by date (undated last), then input order
    content = np.array(hashes, dtype=object)
    hashes.clear()
    stacked = np.concatenate(signatures) if n else np.zeros((0, 64), np.uint32)
    signatures.clear()
    original = ingest.find_duplicates(content[order], stacked[order], threshold=threshold)
    del stacked
    part_ids = [pq.read_table(p, columns=["article_id"]).column(0).to_numpy(zero_copy_only=False) for p in parts]
    part_of_row = np.repeat(np.arange(len(parts)), [len(i) for i in part_ids])
    ids = np.concatenate(part_ids) if parts else np.array([], dtype=object)
    del part_ids
    duplicate_of = np.full(n, "", dtype=object)
    duplicate_of[order] = np.where(original >= 0, ids[order][np.maximum(original, 0)], "")
    writer = None
    offset = 0
    target = work / "articles.parquet"
    for p in parts:
        table = pq.read_table(p)
        if table.num_rows == 0:
            continue  # a piece with no usable article (all its lines broken): its columns have no types
        copies = duplicate_of[offset:offset + table.num_rows].tolist()
        table = table.append_column("duplicate_of", pa.array(copies, type=pa.string()))
        # As in the in-memory run (engine.pipeline.mark_scored): a copy is not scored, its original is.
        reasons = [f"duplicate of {copy}" if copy else reason
                   for copy, reason in zip(copies, table.column("unscored_reason").to_pylist(), strict=True)]
        table = table.drop_columns(["unscored_reason"])
        table = table.append_column("scored", pa.array([not r for r in reasons], type=pa.bool_()))
        table = table.append_column("unscored_reason", pa.array(reasons, type=pa.string()))
        offset += table.num_rows
        if writer is None:
            writer = pq.ParquetWriter(target, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()
    shutil.rmtree(work / "articles")
    # Exact copies were scored once, as the first copy read; the original is
    # the earliest published copy, which may be another one (or, when it is a
    # near copy of an earlier text, none).
    codes, _ = pd.factorize(content)
    del content
    _, first_of_code = np.unique(codes, return_index=True)
    first_row = first_of_code[codes]
    kept = np.flatnonzero(duplicate_of == "")
    del duplicate_of
    counted_as = np.full(n, -1, dtype=np.int64)
    counted_as[first_row[kept]] = kept
    # The sentences were written under the id of the copy that was scored;
    # they belong to the original, so that every article_topics row leads to them.
    scored = first_row[kept]
    moved = ids[scored] != ids[kept]
    if moved.any():
        _rename_sentences(work / "sentences", part_of_row[scored[moved]], ids[scored[moved]], ids[kept[moved]])
    # The topic rows stay in Arrow (a few bytes per value, not a Python object
    # per string): at a million articles there are five million of them.
    topics = pq.read_table(work / "topics.parquet")
    row = counted_as[topics.column("_row").to_numpy()]
    keep = row >= 0
    topics, row = topics.filter(pa.array(keep)).drop_columns(["_row"]), row[keep]
    # The order article_topics has: by article id, then topic.
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[np.argsort(ids.astype(str), kind="stable")] = np.arange(n)
    sequence = pc.sort_indices(pa.table({"rank": id_rank[row], "topic": topics.column("topic")}),
                               sort_keys=[("rank", "ascending"), ("topic", "ascending")]).to_numpy()
    topics, row = topics.take(sequence), row[sequence]
    article_id = pa.array(ids[row], type=pa.string())
    published = pa.array(dates[row], type=pa.timestamp("ns")).cast(pa.timestamp("s"))
    topics = topics.add_column(0, "article_id", article_id).add_column(1, "published", published)
    missing = [c for c in ARTICLE_TOPICS if c not in topics.column_names]
    if missing:
        raise AnalysisError(f"article_topics table is missing column(s) {', '.join(missing)}.")
    pq.write_table(topics, work / "article_topics.parquet")
    (work / "topics.parquet").unlink()


def _rename_sentences(folder: Path, parts: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
    """Give the sentences of article ``old[i]``, in part number ``parts[i]``, the id ``new[i]``."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for part in np.unique(parts):
        path = folder / f"part-{part:06d}.parquet"
        mine = parts == part
        table = pq.read_table(path)
        column = table.column("article_id")
        where = pc.index_in(column, value_set=pa.array(old[mine], type=column.type))
        renamed = pc.if_else(pc.is_null(where), column, pc.take(pa.array(new[mine], type=column.type), where))
        table = table.set_column(table.schema.get_field_index("article_id"), table.schema.field("article_id"),
                                 renamed).replace_schema_metadata(table.schema.metadata)
        pq.write_table(table, path.with_suffix(".tmp"))
        path.with_suffix(".tmp").replace(path)


# The topic rows of ``score.article_topics`` as they wait, on disk, for the end
# of a streaming run: ``_row`` is the article's row number in the corpus.
_TOPIC_ROWS = (("topic", "string"), ("n_sentences", "int64"), ("weight", "float64"), ("net", "float64"),
               ("cooperation", "float64"), ("friction", "float64"), ("top_cooperation", "int64"),
               ("top_friction", "int64"), ("n_evidence", "int64"), ("_row", "int64"))


class _TopicRows:
    """Append topic rows to one Parquet file, one row group per piece of the corpus."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.schema = pa.schema([(name, pa.type_for_alias(kind)) for name, kind in _TOPIC_ROWS])
        self.writer = pq.ParquetWriter(path, self.schema)

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        columns = [pa.array(frame[name].to_numpy(), type=self.schema.field(name).type) for name in self.schema.names]
        self.writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
