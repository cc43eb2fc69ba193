"""From records to the articles table: overrides, date checks, ids, duplicates.

:func:`read_corpus` is the in-memory path; a streaming run
(:mod:`analysis.engine.stream`) calls the same record-level steps
(:func:`check_record`, :func:`check_repeated_id`, :func:`article_ids`) piece
by piece.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, InputError
from ..schema import ARTICLES, SKIPPED, check
from ..vocab import ingest_settings
from . import dates
from .dedup import mark_duplicates, normalise
from .problems import Problems
from .readers import apply_overrides, iter_records, read_overrides

__all__ = ["read_corpus", "load_corpus", "IngestResult", "prepared_records", "date_limits", "check_record",
           "check_repeated_id", "find_metadata", "assemble"]

log = logging.getLogger("analysis.ingest")


@dataclass
class IngestResult:
    """What :func:`ingest` returns: the articles and the problems met on the way."""

    articles: pd.DataFrame
    skipped: pd.DataFrame
    metadata_path: str | None = None


def read_corpus(path: str | Path, *, columns: dict[str, str] | None = None, metadata: str | Path | None = None,
           infer_dates: bool = False, near_duplicate_threshold: float = 0.8,
           reference_date: dt.date | None = None) -> IngestResult:
    """Read a corpus into an articles table and a problems table.

    Parameters
    ----------
    path
        A folder of text/markdown/HTML files and tables (searched recursively) or one
        ``.jsonl``, ``.csv`` or ``.parquet`` file.
    columns
        Column names for tabular input, e.g. ``{"text": "body", "published": "pubdate"}``;
        by default common names are recognised (see ``analysis/data/ingest.yaml``).
    metadata
        A CSV (``file,published,title,source,url,note``) whose values win over
        what is found in the text; default: ``metadata.csv`` in the corpus folder.
    infer_dates
        Give undated articles the latest full date their text mentions
        (``date_source="inferred"``, each one reported). Off by default.
    near_duplicate_threshold
        Estimated Jaccard similarity above which two articles are copies.
    reference_date
        Dates after this day are rejected as impossible (default: today).

    Returns
    -------
    IngestResult
        ``articles`` with columns article_id, path, line, source_id, title,
        source, byline, url, published (datetime64, NaT when unknown),
        date_source, text, n_chars, content_hash, duplicate_of,
        clutter_lines (lines or fragments of page furniture removed); and
        ``skipped`` with columns path, line, reason, action ("skipped";
        "kept" for articles kept with a caveat; "warned" for articles read
        with a guess, such as the encoding, to check).

    Raises
    ------
    InputError
        When no article can be read (an empty folder, or every input skipped).
    """
    path = Path(path)
    problems = Problems()
    metadata_path = find_metadata(path, metadata)
    records = list(prepared_records(path, problems, columns=columns, metadata=metadata_path, infer_dates=infer_dates,
                                    reference_date=reference_date))
    articles, normalised = assemble(records)
    skipped = pd.DataFrame(problems.rows, columns=[*SKIPPED, "action"])
    skipped["line"] = skipped["line"].astype("Int64")
    if articles.empty:
        raise InputError(_nothing_read(path, problems))
    articles["duplicate_of"] = mark_duplicates(articles, threshold=near_duplicate_threshold, normalised=normalised)
    return IngestResult(check(articles, ARTICLES, "articles"), skipped,
                        str(metadata_path) if metadata_path and metadata_path.exists() else None)


def _nothing_read(path: Path, problems: Problems) -> str:
    skipped = [row for row in problems.rows if row["action"] == "skipped"]
    if not skipped:
        return f"{path}: no articles found (expected .txt, .md, .html files or .jsonl, .csv, .parquet tables)."
    first = skipped[0]
    where = f"{first['path']}:{first['line']}" if first["line"] else first["path"]
    return (f"{path}: no article could be read: {len(skipped):,} input(s) skipped, the first {where} "
            f"({first['reason']}).")


def find_metadata(path: Path, metadata: str | Path | None) -> Path | None:
    if metadata and not Path(metadata).exists():
        raise ConfigError(f"{metadata}: metadata file not found.")
    return Path(metadata) if metadata else (path / "metadata.csv" if path.is_dir() else None)


def prepared_records(path: Path, problems: Problems, *, columns: dict[str, str] | None = None,
                     metadata: Path | None = None, infer_dates: bool = False,
                     reference_date: dt.date | None = None) -> Iterator[dict]:
    """Yield each article record with metadata overrides applied and its date checked.

    One record at a time (what :func:`ingest` collects and a streaming run
    does not); every caveat goes to ``problems``.
    """
    limits = date_limits(reference_date)
    overrides = read_overrides(metadata) if metadata and metadata.exists() else {}
    seen_ids: dict[str, tuple[str, object]] = {}
    for record in iter_records(path, columns=columns, problems=problems):
        # Metadata rows name text files; a row of a table in the folder has a line number and no entry.
        override = overrides.pop(record["path"], None) if overrides and record["line"] is None else None
        check_record(record, override, metadata, problems, limits=limits, infer_dates=infer_dates)
        check_repeated_id(record, seen_ids, problems)
        yield record
    for name, override in sorted(overrides.items()):
        problems.add(str(metadata), override["_line"], f"metadata names {name!r}, which is not in the corpus", "ignored")


def date_limits(reference_date: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The earliest and latest publication dates accepted."""
    return dt.date.fromisoformat(str(ingest_settings()["earliest_date"])), reference_date or dt.date.today()


def check_record(record: dict, override: dict | None, metadata: Path | None, problems: Problems, *,
                 limits: tuple[dt.date, dt.date], infer_dates: bool = False) -> bool:
    """Apply a metadata override to one record, cut a text over ``max_article_chars`` and check its date (in place).

    Returns True when the outcome depends on the latest date accepted (today,
    by default): a date after it was rejected, or an inferred date could change
    once a later date in the text becomes possible. A cache may reuse the
    outcome on a later day only when this is False.
    """
    earliest, latest = limits
    depends_on_latest = False
    where = record["path"]
    limit = int(ingest_settings()["max_article_chars"])
    if len(record["text"] or "") > limit:  # a file is cut when read; a table row arrives here whole
        problems.add(where, record["line"], f"{len(record['text']):,} characters: longer than {limit:,}; truncated", "kept")
        record["text"] = record["text"][:limit]
    if override is not None:
        apply_overrides(record, override, str(metadata), problems)
    problem = record.pop("date_problem", None)
    if problem and record["date_source"] == "unknown":
        problems.add(where, record["line"], problem + "; article kept without a date", "kept")
    if record["published"] is not None and not dates.valid_date(record["published"], earliest=earliest, latest=latest):
        if record["published"] > latest:
            depends_on_latest = True
            problems.add(where, record["line"], f"publication date {record['published']} is after the latest date "
                         f"accepted ({latest}); ignored", "kept")
        else:
            problems.add(where, record["line"], f"publication date {record['published']} is before the earliest date "
                         f"accepted ({earliest}); ignored", "kept")
        record["published"], record["date_source"] = None, "unknown"
    if record["published"] is None and infer_dates:
        guess, beyond = dates.infer_date_beyond(record["text"], latest=latest, earliest=earliest)
        depends_on_latest = depends_on_latest or beyond
        if guess is not None:
            record["published"], record["date_source"] = guess, "inferred"
            problems.add(where, record["line"], f"date inferred as {guess} (latest full date in the text); check it", "kept")
    if record["published"] is None:
        problems.add(where, record["line"], "publication date unknown: kept, left out of time series", "kept")
    return depends_on_latest


def check_repeated_id(record: dict, seen_ids: dict[str, tuple[str, object]], problems: Problems) -> None:
    """Report a record whose own id was used by an earlier one."""
    source_id = record.get("source_id") or ""
    if not source_id:
        return
    if source_id in seen_ids:
        first_path, first_line = seen_ids[source_id]
        problems.add(record["path"], record["line"], f"id {source_id!r} repeats the id of {first_path}:{first_line}; "
                     f"kept, with its own content-derived article_id", "kept")
    else:
        seen_ids[source_id] = (record["path"], record["line"])


def assemble(records: list[dict]) -> tuple[pd.DataFrame, list[str]]:
    frame = pd.DataFrame.from_records(records, columns=["path", "line", "source_id", "title", "source", "byline",
                                                       "url", "published", "date_source", "text", "clutter_lines"])
    frame["line"] = frame["line"].astype("Int64")
    frame["published"] = pd.to_datetime(frame["published"], errors="coerce")
    frame["n_chars"] = frame["text"].str.len().astype("int64")
    normalised = [normalise(t) for t in frame["text"]]
    frame["content_hash"] = [hashlib.sha256(n.encode()).hexdigest() for n in normalised]
    ids, copies = [], {}
    for digest in frame["content_hash"]:
        copy = copies.get(digest, 0)
        copies[digest] = copy + 1
        # The k-th exact copy of a text gets an id from the text and k: stable
        # across runs, renamed files and re-exports, and never a collision.
        ids.append(digest[:16] if copy == 0 else hashlib.sha256(f"{digest}\0copy\0{copy}".encode()).hexdigest()[:16])
    frame.insert(0, "article_id", ids)
    frame["duplicate_of"] = ""
    frame["clutter_lines"] = frame.pop("clutter_lines").fillna(0).astype("int64")  # after the declared columns
    for column in ("source_id", "title", "source", "byline", "url", "date_source", "text", "path"):
        frame[column] = frame[column].fillna("").astype(object)
    return frame, normalised


def load_corpus(path: str | Path, *, return_skipped: bool = False, **options) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load a corpus as a tidy articles table (see :func:`read_corpus` for options).

    Returns
    -------
    pandas.DataFrame
        One row per article: article_id, path, line, source_id, title,
        source, byline, url, published, date_source, text, n_chars,
        content_hash, duplicate_of. With ``return_skipped=True``, a tuple
        ``(articles, skipped)``.
    """
    result = read_corpus(path, **options)
    return (result.articles, result.skipped) if return_skipped else result.articles
