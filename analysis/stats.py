"""Statistical helpers shared by aggregation and dynamics: periods, per-cell generators, bootstrap."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from .errors import AnalysisError

__all__ = ["period_freq", "cell_rng", "bootstrap_means", "dated_rows"]

_FREQ_ALIASES = {"M": "M", "ME": "M", "MS": "M", "month": "M", "Q": "Q", "QE": "Q", "QS": "Q",
                 "quarter": "Q", "Y": "Y", "YE": "Y", "YS": "Y", "A": "Y", "year": "Y", "W": "W", "week": "W"}


def period_freq(freq: str) -> str:
    """pandas Period frequency for an offset alias ("QE" → "Q")."""
    try:
        return _FREQ_ALIASES[freq]
    except KeyError:
        raise AnalysisError(f"unknown period frequency {freq!r}; use one of ME, QE, YE (month, quarter, year) or W.") from None


def cell_rng(seed: int, *keys: object) -> np.random.Generator:
    """A generator for one cell, so adding a topic or period never changes another cell."""
    key = zlib.crc32("|".join(map(str, keys)).encode())
    return np.random.default_rng([seed, key])


def bootstrap_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` means of ``values`` resampled with replacement."""
    index = rng.integers(0, len(values), size=(n_boot, len(values)))
    return values[index].mean(axis=1)


def dated_rows(article_topics: pd.DataFrame) -> pd.DataFrame:
    """The dated rows of an article_topics table (checked to be one)."""
    for column in ("article_id", "topic", "published", "net"):
        if column not in article_topics:
            raise AnalysisError(f"expected the article_topics table (with {column!r}); got columns "
                                f"{', '.join(map(str, article_topics.columns))}.")
    return article_topics[article_topics["published"].notna()]
