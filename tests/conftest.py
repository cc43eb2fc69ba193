import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


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


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but Chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Chromium not installed (apt-get install chromium); browser tests skipped")
    return path
