"""Writing results to disk: whole output sets replaced in one step, a lock per output folder, no foreign file touched.

An output folder written by :func:`write_results` looks like this::

    OUT/report.html  -> .relationship-dynamics/current/report.html   (a symbolic link)
    OUT/data         -> .relationship-dynamics/current/data          (a symbolic link)
    OUT/.relationship-dynamics/current -> gen-000007                 (the one switch)
    OUT/.relationship-dynamics/gen-000007/report.html, data/*.csv|parquet

A run writes its whole set into a new folder beside the current one and then
replaces the ``current`` link with one ``rename``: a reader (or a run killed
at any moment) sees the complete old set or the complete new set, never new
tables beside an old report. Anything else in OUT is the user's and is never
written, moved or deleted.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from . import schema
from .errors import AnalysisError

__all__ = ["write_text", "write_table", "csv_text", "output_lock", "write_results", "check_report_target",
           "remove_leftovers", "replace_folder", "TABLES", "REPORT_MARKER", "LOCK_NAME", "STORE_NAME"]

REPORT_MARKER = "<!-- relationship-dynamics report -->"  # the first line of every report this tool writes
LOCK_NAME = ".relationship-dynamics.lock"
STORE_NAME = ".relationship-dynamics"  # OUT/<this>/: the generations of report + data and the `current` link

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

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_REPORT_LINK = f"{STORE_NAME}/current/report.html"
_DATA_LINK = f"{STORE_NAME}/current/data"
_OUR_DATA_FILES = {f"{name}.{suffix}" for name in TABLES for suffix in ("csv", "parquet")}


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


def write_pickle(path: Path, value: object) -> bool:
    """Pickle ``value`` to ``path`` atomically (a temporary name, then a rename); False if it cannot be written.

    For caches: a read-only or full cache folder costs the next run the work
    the pickle would have saved, nothing else.
    """
    import pickle

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)
    except OSError:
        return False
    return True


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text, with every text cell that a spreadsheet would run as a formula made inert.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a single quote in front (OWASP's advice against CSV
    injection): an article titled ``=HYPERLINK(…)`` opens as text. Only text
    columns are touched (a negative number stays a number), and only the CSV:
    Parquet keeps every value as it was. A table with a carriage return in
    some cell has every field quoted, so that it reads back as written.
    """
    frame, quoting = _inert(frame)
    return frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d", quoting=quoting)


def _inert(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The frame with formula cells quoted, and the quoting its CSV needs (see :func:`csv_text`)."""
    import csv

    frame = pd.DataFrame(frame)
    escaped = {}
    carriage_return = False
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            starts = values.map(lambda value: isinstance(value, str) and value.startswith(_FORMULA_START)).astype(bool)
            if starts.any():
                escaped[column] = values.mask(starts, "'" + values.where(starts, ""))
            carriage_return = carriage_return or bool(
                values.map(lambda value: isinstance(value, str) and "\r" in value).any())
    if escaped:
        frame = frame.assign(**escaped)
    # Python's csv writer quotes a field holding "\n" (the line end) but not a lone "\r", which every
    # reader takes for a line end: a table holding one quotes every field (and stays readable).
    return frame, csv.QUOTE_ALL if carriage_return else csv.QUOTE_MINIMAL


def write_table(frame: pd.DataFrame, directory: Path, name: str) -> list[Path]:
    """``name.csv`` (see :func:`csv_text`) and ``name.parquet``, both written atomically."""
    frame = pd.DataFrame(frame)
    csv_path = directory / f"{name}.csv"
    inert, quoting = _inert(frame)
    temporary = csv_path.with_name(f".{csv_path.name}.{os.getpid()}.tmp")
    try:
        # Straight into the file: the CSV of a large sentences table is hundreds of MB as one string.
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            inert.to_csv(handle, index=False, lineterminator="\n", date_format="%Y-%m-%d", quoting=quoting)
        temporary.replace(csv_path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise AnalysisError(f"{csv_path}: cannot write ({error.strerror or error}).") from None
    del inert
    parquet_path = directory / f"{name}.parquet"
    temporary = parquet_path.with_name(f".{parquet_path.name}.{os.getpid()}.tmp")
    table = frame.assign(**{column: frame[column].astype("string") for column in frame.columns
                            if frame[column].dtype == object})
    try:
        table.to_parquet(temporary, index=False, compression="zstd")
        temporary.replace(parquet_path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise AnalysisError(f"{parquet_path}: cannot write ({error.strerror or error}).") from None
    return [csv_path, parquet_path]


# One entry per lock file this process holds: [thread lock, depth, file descriptor]. A run that
# holds the lock may call code that takes it again (the CLI's stream, then its topic_periods).
_LOCKS: dict[str, list] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def output_lock(directory: Path, *, name: str = LOCK_NAME) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` so two runs never interleave their writes.

    The lock is the file ``directory/name`` (``.relationship-dynamics.lock``),
    locked with ``flock`` and removed when released, so no empty lock file
    stays behind. Removing it is safe: a run that waited on a lock file the
    holder then removed sees that the path no longer names the file it locked,
    and locks the path afresh. Reentrant within a process (the same thread
    may take it again; other threads wait).
    """
    directory = Path(directory)
    _writable(directory)
    path = directory / name
    key = os.path.realpath(path)
    with _LOCKS_GUARD:
        held = _LOCKS.setdefault(key, [threading.RLock(), 0, None])
    held[0].acquire()
    try:
        if held[1] == 0:
            held[2] = _lock_file(path)
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
            if held[1] == 0:
                _unlock_file(path, held[2])
                held[2] = None
    finally:
        held[0].release()


def _same_file(path: Path, descriptor: int) -> bool:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(descriptor)
    return (status.st_ino, status.st_dev) == (mine.st_ino, mine.st_dev)


def _lock_file(path: Path) -> int:
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise AnalysisError(f"{path}: cannot create the lock file ({error.strerror}). "
                                f"Choose another folder with --out.") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            if _same_file(path, descriptor):
                return descriptor
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)  # the run before us removed the file we waited on: lock the path anew


def _unlock_file(path: Path, descriptor: int) -> None:
    try:
        if _same_file(path, descriptor):  # only our own lock file, and while we still hold it
            path.unlink(missing_ok=True)
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def check_report_target(path: Path) -> None:
    """Refuse to replace anything at ``path`` that this tool did not write."""
    path = Path(path)
    if path.is_symlink():
        if os.readlink(path) != _REPORT_LINK:
            raise AnalysisError(f"{path}: is a link this tool did not make; not replacing it. "
                                f"Move it away or choose another --out folder.")
        return
    if path.is_dir():
        raise AnalysisError(f"{path}: is a folder, not a report; not replacing it. "
                            f"Move it away or choose another --out folder.")
    if path.exists():
        try:
            with path.open("rb") as handle:
                head = handle.read(400).decode("utf-8", "replace")
        except OSError as error:
            raise AnalysisError(f"{path}: cannot be read ({error.strerror}); not replacing it. "
                                f"Choose another --out folder.") from None
        if REPORT_MARKER not in head:
            raise AnalysisError(f"{path}: exists and was not written by relationship-dynamics; not overwriting it. "
                                f"Move it away or choose another --out folder.")


def _check_data_target(data: Path) -> None:
    """``OUT/data`` must be absent, our link, or a folder holding only our tables (the layout before links)."""
    if data.is_symlink():
        if os.readlink(data) != _DATA_LINK:
            raise AnalysisError(f"{data}: is a link this tool did not make; not replacing it. "
                                f"Move it away or choose another --out folder.")
        return
    if not data.exists():
        return
    if not data.is_dir():
        raise AnalysisError(f"{data}: is a file, not the data folder; not replacing it. "
                            f"Move it away or choose another --out folder.")
    foreign = sorted(p.name for p in data.iterdir() if p.name not in _OUR_DATA_FILES)
    if foreign:
        raise AnalysisError(f"{data}: holds files relationship-dynamics did not write ({', '.join(foreign[:5])}); "
                            f"move them out of the folder or choose another --out folder (nothing was changed).")


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_leftovers(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    """Remove the temporary files and folders that killed runs left in ``folder``.

    Each pattern is a regular expression for a whole name with one group, the
    process id of the run that made it: an entry is removed only when it
    matches exactly and that process is gone. Returns what was removed.
    """
    folder = Path(folder)
    compiled = [re.compile(pattern) for pattern in patterns]
    removed = []
    try:
        entries = sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        for pattern in compiled:
            match = pattern.fullmatch(entry.name)
            if match and not _alive(int(match.group(1))):
                _remove(entry)
                removed.append(entry)
                break
    return removed


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first))


def replace_folder(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target`` in one step, replacing what is there, and remove the old one.

    Where the system can swap two paths (Linux), a reader sees the old folder
    or the new one at every moment; elsewhere the old one is renamed away just
    before (``.NAME.old-PID``, removed by :func:`remove_leftovers` if the run
    dies between the two renames).
    """
    new, target = Path(new), Path(target)
    if not target.exists() and not target.is_symlink():
        new.replace(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old folder
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.replace(old)
    new.replace(target)
    shutil.rmtree(old, ignore_errors=True)


def _link(path: Path, target: str) -> None:
    """Make ``path`` a symbolic link to ``target``, replacing a link or file there in one rename."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _remove(temporary)
    os.symlink(target, temporary)
    if path.is_dir() and not path.is_symlink():  # the data folder of the layout before links
        replace_folder(temporary, path)
        return
    temporary.replace(path)


def _generations(store: Path) -> list[int]:
    found = []
    for entry in store.iterdir() if store.is_dir() else ():
        match = re.fullmatch(r"gen-(\d+)", entry.name)
        if match and entry.is_dir() and not entry.is_symlink():
            found.append(int(match.group(1)))
    return sorted(found)


def _current(store: Path) -> str | None:
    link = store / "current"
    return os.readlink(link) if link.is_symlink() else None


def _publish(store: Path, finished: Path) -> Path:
    """Rename the finished folder to the next generation and point ``current`` at it (the one switch)."""
    generation = store / f"gen-{max(_generations(store), default=0) + 1:06d}"
    finished.replace(generation)
    temporary = store / f"current.{os.getpid()}.tmp"
    _remove(temporary)
    os.symlink(generation.name, temporary)
    temporary.replace(store / "current")
    return generation


def _adopt_previous_layout(out: Path, store: Path) -> None:
    """Turn a report and data folder written before links existed into the current generation.

    The files are hard-linked (copied where links are impossible) into a new
    generation, so the set a reader sees does not change while the old paths
    become links to it.
    """
    report, data = out / "report.html", out / "data"
    if not ((report.exists() and not report.is_symlink()) or (data.is_dir() and not data.is_symlink())):
        return
    adopted = store / f"next-{os.getpid()}"
    _remove(adopted)
    (adopted / "data").mkdir(parents=True)
    # What a reader sees now, whether through a link or not (a run killed half-way through adopting).
    pairs = [(data / name, adopted / "data" / name) for name in sorted(os.listdir(data)) if name in _OUR_DATA_FILES] \
        if data.is_dir() else []
    if report.exists():
        pairs.append((report, adopted / "report.html"))
    for source, target in pairs:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
    _publish(store, adopted)
    _link(data, _DATA_LINK)
    if report.exists():
        _link(report, _REPORT_LINK)


# What killed runs leave behind, by exact name; group 1 is the process id.
_LEFTOVERS_IN_OUT = (r"\.staging-(\d+)", r"\.report\.html\.(\d+)\.tmp", r"\.data\.(\d+)\.tmp", r"\.data\.old-(\d+)")
_LEFTOVERS_IN_STORE = (r"next-(\d+)", r"current\.(\d+)\.tmp")
_LEFTOVERS_IN_DATA = (r"\.(?:" + "|".join(re.escape(name) for name in sorted(_OUR_DATA_FILES)) + r")\.(\d+)\.tmp",)


def write_results(results, out: str | Path, html: str) -> list[Path]:
    """Write ``report.html`` and ``data/*.csv|parquet`` under ``out``, replacing the previous set in one step.

    The new set is written into a folder of its own under
    ``out/.relationship-dynamics/``; only when every file is complete does the
    ``current`` link switch to it (``report.html`` and ``data`` are links
    through ``current``), so a run killed at any point leaves the previous
    report and data as they were, and a reader never sees a mix of the two.
    The folder is locked for the whole step, so two runs never interleave.
    What killed runs left behind is removed first.

    Returns
    -------
    list of pathlib.Path
        The data files, then the report, as the user sees them.
    """
    out = Path(out)
    report_path, data = out / "report.html", out / "data"
    store = out / STORE_NAME
    with output_lock(out):
        remove_leftovers(out, _LEFTOVERS_IN_OUT)
        remove_leftovers(store, _LEFTOVERS_IN_STORE)
        if data.is_dir() and not data.is_symlink():
            remove_leftovers(data, _LEFTOVERS_IN_DATA)
        check_report_target(report_path)
        _check_data_target(data)
        if store.exists() and (store.is_symlink() or not store.is_dir()):
            raise AnalysisError(f"{store}: is not a folder this tool made; move it away or choose another --out folder.")
        try:
            store.mkdir(exist_ok=True)
            _adopt_previous_layout(out, store)
        except OSError as error:
            raise AnalysisError(f"{out}: cannot prepare the output folder ({error.strerror}).") from None
        staging = store / f"next-{os.getpid()}"
        try:
            (staging / "data").mkdir(parents=True)
            names = []
            for name, attribute in TABLES.items():
                table = getattr(results, attribute, None)
                if table is None:  # a table the run could not make (no dated events): written empty, so the set is whole
                    table = pd.DataFrame(columns=list(_EMPTY_COLUMNS.get(name, ())))
                names += [path.name for path in write_table(table, staging / "data", name)]
            write_text(staging / "report.html", html)
            # On a first run the links lead nowhere until `current` exists: report and data appear together.
            _link(data, _DATA_LINK)
            _link(report_path, _REPORT_LINK)
            generation = _publish(store, staging)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise AnalysisError(f"{out}: cannot write the output ({error.strerror}).") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        for number in _generations(store):
            if store / f"gen-{number:06d}" != generation:
                shutil.rmtree(store / f"gen-{number:06d}", ignore_errors=True)
    return [data / name for name in names] + [report_path]
