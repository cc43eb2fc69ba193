"""Same input, same bytes: two runs of ``report`` in two processes write identical files."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def _report(folder: Path, hash_seed: str) -> dict[str, bytes]:
    """``python -m analysis report`` on a copy of the seeds, in a process of its own, scoring afresh.

    Each run has its own folder, so the command line the manifest records is the same for both.
    """
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    shutil.copy(ROOT / "analysis.toml", folder)
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    command = [sys.executable, "-m", "analysis", "report", "--out", "reports", "--no-cache", "--quiet"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr
    out = folder / "reports"
    seen = {}
    for root, folders, names in os.walk(out, followlinks=True):  # report.html and data/ are links into a hidden folder
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            seen[str((Path(root) / name).relative_to(out))] = (Path(root) / name).read_bytes()
    return dict(sorted(seen.items()))


@pytest.mark.slow
def test_two_processes_write_the_same_bytes(tmp_path):
    # Different hash seeds: an output that follows the order of a set, or of a dict built from one, differs.
    first = _report(tmp_path / "first", "1")
    second = _report(tmp_path / "second", "2")
    assert "report.html" in first and "data/sentences.csv" in first and "data/topic_periods.parquet" in first
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
