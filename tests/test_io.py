"""Writing outputs: a whole set replaced in one step, leftovers of killed runs removed, one lock, inert CSV cells."""

import multiprocessing
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest

import analysis.io as io
from analysis.errors import AnalysisError


def fake_results(tag: str) -> SimpleNamespace:
    """Every table of :data:`analysis.io.TABLES`, each one row naming ``tag``: two sets are told apart by any file."""
    return SimpleNamespace(**{attribute: pd.DataFrame({"table": [name], "run": [tag]})
                              for name, attribute in io.TABLES.items()})


def html(tag: str) -> str:
    return f"{io.REPORT_MARKER}\n<html>{tag}</html>\n"


def visible(out) -> dict[str, bytes] | None:
    """What a reader of ``out`` sees: the report and every data file, or None when there is no report yet."""
    report, data = out / "report.html", out / "data"
    if not report.exists():
        assert not data.exists() or not any(data.iterdir()), "data without a report"
        return None
    return {"report.html": report.read_bytes(), **{p.name: p.read_bytes() for p in sorted(data.iterdir())}}


def write_set(out, tag):
    return io.write_results(fake_results(tag), out, html(tag))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (handlers that only clean up may)."""


def _interrupt_at(monkeypatch, step: int) -> dict:
    """Make the ``step``-th rename, link or swap of the file system raise :class:`Killed` before it happens."""
    count = {"n": 0}

    def wrap(function):
        def wrapper(*args, **kwargs):
            count["n"] += 1
            if count["n"] == step:
                raise Killed
            return function(*args, **kwargs)
        return wrapper

    for name in ("replace", "rename", "symlink", "link"):
        monkeypatch.setattr(os, name, wrap(getattr(os, name)))
    monkeypatch.setattr(io, "_exchange", wrap(io._exchange))
    return count


@pytest.mark.parametrize("before", ["nothing", "links", "files"])
def test_a_run_killed_at_any_step_leaves_the_old_set_or_the_new_one(tmp_path, monkeypatch, before):
    """Tables were renamed into data/ one by one: a kill between two renames left new articles beside an old report."""
    monkeypatch.setattr(io, "TABLES", dict(list(io.TABLES.items())[:3]))  # three tables show it, faster than 17
    step = 0
    while True:
        step += 1
        out = tmp_path / f"out{step}"
        if before == "links":
            write_set(out, "old")
        elif before == "files":  # the layout before links: a report file and a data folder
            (out / "data").mkdir(parents=True)
            (out / "report.html").write_text(html("old"), encoding="utf-8")
            for name in io.TABLES:
                (out / "data" / f"{name}.csv").write_text(f"table,run\n{name},old\n", encoding="utf-8")
        old = visible(out) if out.exists() else None
        with monkeypatch.context() as patch:
            count = _interrupt_at(patch, step)
            try:
                write_set(out, "new")
                finished = True
            except Killed:
                finished = False
        seen = visible(out)
        if finished:
            assert count["n"] < step
            assert seen is not None and b"new" in seen["report.html"]
            break
        assert seen == old or (seen is not None and all(b"new" in content for content in seen.values())), step
        write_set(out, "newer")  # the next run recovers whatever the kill left
        assert all(b"newer" in content for content in visible(out).values())
        assert step < 200
    assert step > 3  # the test did interrupt something


def test_the_layout_users_see(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    written = write_set(out, "one")
    assert written[-1] == out / "report.html" and len(written) == 2 * len(io.TABLES) + 1
    assert all(path.exists() for path in written)
    assert (out / "report.html").is_symlink() and (out / "data").is_symlink()
    write_set(out, "two")
    assert sorted(p.name for p in out.iterdir()) == [io.STORE_NAME, "data", "notes.txt", "report.html"]
    assert [p.name for p in (out / io.STORE_NAME).iterdir() if p.name.startswith("gen-")] == ["gen-000002"]
    assert b"two" in (out / "data" / "articles.csv").read_bytes()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_files_in_the_way_are_never_replaced(tmp_path):
    out = tmp_path / "out"
    (out / "report.html").mkdir(parents=True)
    with pytest.raises(AnalysisError, match="is a folder") as caught:
        write_set(out, "x")
    assert caught.value.exit_code == 1
    shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    (out / "data" / "my-notes.csv").write_text("keep", encoding="utf-8")
    with pytest.raises(AnalysisError, match="my-notes.csv"):
        write_set(out, "x")
    assert (out / "data" / "my-notes.csv").read_text(encoding="utf-8") == "keep"
    assert not (out / "report.html").exists()


def test_leftovers_of_dead_runs_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "out"
    write_set(out, "one")
    dead, alive = dead_pid(), os.getppid()
    store = out / io.STORE_NAME
    leftovers = [out / f".staging-{dead}", store / f"next-{dead}", store / f"current.{dead}.tmp",
                 out / f".report.html.{dead}.tmp", out / f".data.{dead}.tmp"]
    kept = [out / f".staging-{alive}", store / f"next-{alive}", out / f".staging-{dead}x", out / f"staging-{dead}",
            out / "notes.txt", out / f".staging-{dead}.txt"]
    for path in leftovers + kept:
        if path.name.startswith((".staging", "next")) and "." not in path.name[1:]:
            (path / "data").mkdir(parents=True)
        else:
            path.write_text("x", encoding="utf-8")
    write_set(out, "two")
    assert [p for p in leftovers if p.exists() or p.is_symlink()] == []
    assert [p for p in kept if not p.exists()] == []


def test_leftovers_in_a_data_folder_of_the_layout_before_links(tmp_path):
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    (out / "report.html").write_text(html("old"), encoding="utf-8")
    (out / "data" / "articles.csv").write_text("old", encoding="utf-8")
    (out / "data" / f".articles.csv.{dead_pid()}.tmp").write_text("half", encoding="utf-8")
    write_set(out, "new")
    assert (out / "data").is_symlink() and b"new" in (out / "data" / "articles.csv").read_bytes()


def test_no_lock_file_stays_behind(tmp_path):
    out = tmp_path / "out"
    write_set(out, "one")
    assert not (out / io.LOCK_NAME).exists()
    with io.output_lock(out), io.output_lock(out):  # reentrant in one thread
        assert (out / io.LOCK_NAME).exists()
    assert not (out / io.LOCK_NAME).exists()


def _count_under_lock(folder, rounds):
    import time

    for _ in range(rounds):
        with io.output_lock(folder):
            counter = folder / "counter"
            value = int(counter.read_text()) if counter.exists() else 0
            time.sleep(0.001)
            counter.write_text(str(value + 1))


def test_removing_the_lock_file_keeps_runs_apart(tmp_path):
    """Removing the lock file on release must not let a run that waited on it and a new run both hold the lock."""
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_count_under_lock, args=(tmp_path, 60)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    assert int((tmp_path / "counter").read_text()) == 240


def test_disk_full_while_writing_parquet(tmp_path, monkeypatch):
    import errno

    out = tmp_path / "out"
    write_set(out, "old")
    old = visible(out)

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    with pytest.raises(AnalysisError, match="No space left on device") as caught:
        write_set(out, "new")
    assert caught.value.exit_code == 1
    assert visible(out) == old
    assert [p.name for p in (out / io.STORE_NAME).iterdir() if not p.name.startswith(("gen-", "current"))] == []


def test_formula_cells_are_inert_in_csv_only(tmp_path):
    values = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tpadded", "\rcarriage", "plain", "a=b", ""]
    frame = pd.DataFrame({"title": values, "net": [-0.5, 1.0, -2.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
                          "label": pd.Series(values, dtype="string")})
    io.write_table(frame, tmp_path, "t")
    back = pd.read_csv(tmp_path / "t.csv", keep_default_na=False, dtype={"title": str, "label": str, "net": float})
    expected = ["'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in values]
    assert back["title"].tolist() == expected and back["label"].tolist() == expected
    assert back["net"].tolist() == frame["net"].tolist()  # numbers stay numbers
    raw = pd.read_parquet(tmp_path / "t.parquet")
    assert raw["title"].tolist() == values  # Parquet keeps the value
