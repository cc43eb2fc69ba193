"""Fixtures shared by the tests, and the rules every test run keeps.

- Every test runs in a scratch copy of the project's top folder (``analysis.toml`` and
  ``seeds/``), so a run that uses a default output (``reports/``, ``figures/``,
  ``build/cache``) writes there. No test writes into the repository: the session fails,
  naming the files, if one did.
- ``make test`` leaves out the tests marked ``slow`` (every browser test is slow);
  ``make test-all`` and CI run them. A test of the fast loop that takes longer than
  ``SLOW_SECONDS`` is named at the end of the run, to be made faster or marked.
- Hypothesis keeps no example database and its caches in a temporary folder (it would
  write ``.hypothesis/`` here).
"""

import os
import shutil
import tempfile
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

matplotlib.use("Agg")
settings.register_profile("project", database=None)
settings.load_profile("project")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
SLOW_SECONDS = 5.0

# What Python, pip and pytest keep beside the code: not outputs of a test.
_NOT_THE_PROJECT = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints"}


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` but the caches above, with its size and modification time."""
    found = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [s for s in subfolders if s not in _NOT_THE_PROJECT and not s.endswith(".egg-info")]
        for name in names:
            path = os.path.join(folder, name)
            try:
                status = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                continue
            found[os.path.relpath(path, root)] = (status.st_size, status.st_mtime_ns)
    return found


def pytest_configure(config):
    config._hypothesis_home = tempfile.mkdtemp(prefix="relationship-dynamics-hypothesis-")
    set_hypothesis_home_dir(config._hypothesis_home)


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_hypothesis_home", ""), ignore_errors=True)


def pytest_sessionstart(session):
    session.config._repository_files = _files(ROOT)
    session.config._slow_unmarked = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


def pytest_runtest_logreport(report):
    if report.when == "call" and report.duration > SLOW_SECONDS and "slow" not in report.keywords:
        _slow_unmarked.append((report.nodeid, report.duration))


_slow_unmarked: list[tuple[str, float]] = []


def pytest_terminal_summary(terminalreporter):
    if _slow_unmarked:
        terminalreporter.section(f"tests over {SLOW_SECONDS:.0f} s not marked slow")
        for nodeid, seconds in sorted(_slow_unmarked, key=lambda item: -item[1]):
            terminalreporter.write_line(f"{seconds:6.1f} s  {nodeid}")
    changed = getattr(terminalreporter.config, "_repository_changes", None)
    if changed:
        terminalreporter.section("tests wrote into the repository", red=True)
        for line in changed:
            terminalreporter.write_line(line)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    before = getattr(session.config, "_repository_files", None)
    if before is None:
        return
    after = _files(ROOT)
    changed = [f"added    {p}" for p in sorted(set(after) - set(before))]
    changed += [f"removed  {p}" for p in sorted(set(before) - set(after))]
    changed += [f"modified {p}" for p in sorted(set(before) & set(after)) if before[p] != after[p]]
    if changed:
        session.config._repository_changes = changed
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def _scratch_project(tmp_path_factory):
    """Run every test in a copy of the project's top folder, never in the repository."""
    scratch = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "analysis.toml", scratch / "analysis.toml")
    shutil.copytree(ROOT / "seeds", scratch / "seeds")
    previous = os.getcwd()
    os.chdir(scratch)
    yield scratch
    os.chdir(previous)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def seeds_results():
    """The pipeline run once on the seeds (shared by report, figure and CLI tests)."""
    from analysis.config import load_config
    from analysis.engine.pipeline import run

    return run(load_config(ROOT / "analysis.toml").with_options(corpus=str(ROOT / "seeds")))


def write(path: Path, content, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode(encoding))
    return path


def require_shared(*parts: str) -> Path:
    """``../shared/<parts>``, or skip: the development corpora are beside the project, not in it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test needs the development corpora in ../shared")
    return path


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """Debian's chromium, which Playwright drives (it never downloads a browser of its own)."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but Chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Chromium not installed (apt-get install chromium); browser tests skipped")
    return path
