"""Writing results to disk: atomic files, a lock per output folder, no overwriting of foreign files."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from . import schema
from .errors import AnalysisError

__all__ = ["write_text", "write_table", "output_lock", "write_results", "TABLES", "REPORT_MARKER"]

REPORT_MARKER = "<!-- relationship-dynamics report -->"  # the first line of every report this tool writes

# File name → (attribute of Results, what it holds); documented in the README.
TABLES = {
    "articles": "articles", "sentences": "sentences", "article_topics": "article_topics",
    "topic_periods": "topic_periods", "comparisons": "comparisons", "trends": "trends",
    "changes": "changes_table", "skipped": "skipped",
    "events": "events", "event_periods": "event_periods", "event_study": "event_study_table",
    "directed_lags": "directed_lags", "granger": "granger", "perspectives": "perspectives",
    "perspective_periods": "perspective_periods", "perspective_comparisons": "perspective_comparisons",
    "unknown_outlets": "unknown_outlets",
}


_EMPTY_COLUMNS = {"events": schema.EVENTS, "event_periods": schema.EVENT_PERIODS, "event_study": schema.EVENT_STUDY,
                  "directed_lags": schema.DIRECTED_LAGS, "granger": schema.GRANGER,
                  "perspectives": schema.PERSPECTIVES, "perspective_periods": schema.EVENT_PERIODS,
                  "perspective_comparisons": schema.PERSPECTIVE_COMPARISONS, "unknown_outlets": ("outlet", "n_articles")}


def _writable(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AnalysisError(f"{directory}: cannot create the output folder ({error.strerror}). "
                            f"Choose another folder with --out.") from None
    if not os.access(directory, os.W_OK):
        raise AnalysisError(f"{directory}: the output folder is not writable. Choose another folder with --out.")


def write_text(path: Path, text: str | bytes) -> None:
    """Write to a temporary file in the same folder, then rename: readers never see half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(text, bytes):
            temporary.write_bytes(text)
        else:
            temporary.write_text(text, encoding="utf-8", newline="\n")
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise AnalysisError(f"{path}: cannot write ({error.strerror}).") from None


def write_table(frame: pd.DataFrame, directory: Path, name: str) -> list[Path]:
    """``name.csv`` and ``name.parquet``, both written atomically."""
    frame = pd.DataFrame(frame)
    csv_path = directory / f"{name}.csv"
    write_text(csv_path, frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d"))
    parquet_path = directory / f"{name}.parquet"
    temporary = parquet_path.with_name(f".{parquet_path.name}.{os.getpid()}.tmp")
    table = frame.copy()
    for column in table.columns:
        if table[column].dtype == object:
            table[column] = table[column].astype("string")
    table.to_parquet(temporary, index=False, compression="zstd")
    temporary.replace(parquet_path)
    return [csv_path, parquet_path]


@contextlib.contextmanager
def output_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` so two runs never interleave their writes."""
    _writable(directory)
    with open(directory / ".relationship-dynamics.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_report_target(path: Path) -> None:
    """Refuse to replace a file at ``path`` that this tool did not write."""
    if path.exists():
        head = path.read_bytes()[:400].decode("utf-8", "replace")
        if REPORT_MARKER not in head:
            raise AnalysisError(f"{path}: exists and was not written by relationship-dynamics; not overwriting it. "
                                f"Move it away or choose another --out folder.")


def write_results(results, out: str | Path, html: str) -> list[Path]:
    """Write ``report.html`` and ``data/*.csv|parquet`` under ``out``.

    Everything is first written to a staging folder inside ``out``; only when
    every file is complete are they renamed into place (the report last), so a
    run killed at any point leaves the previous report and data as they were.
    The folder is locked for the whole step, so two runs never interleave.
    """
    import shutil

    out = Path(out)
    data = out / "data"
    with output_lock(out):
        _writable(data)
        report_path = out / "report.html"
        check_report_target(report_path)
        staging = out / f".staging-{os.getpid()}"
        try:
            (staging / "data").mkdir(parents=True, exist_ok=True)
            staged = []
            for name, attribute in TABLES.items():
                table = getattr(results, attribute, None)
                if table is None:  # a table the run could not make (no dated events): written empty, so the set is whole
                    table = pd.DataFrame(columns=list(_EMPTY_COLUMNS.get(name, ())))
                staged += write_table(table, staging / "data", name)
            write_text(staging / "report.html", html)
            written = []
            for path in staged:
                target = data / path.name
                path.replace(target)
                written.append(target)
            (staging / "report.html").replace(report_path)
            written.append(report_path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return written
