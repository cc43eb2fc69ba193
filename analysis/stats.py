"""Statistical helpers shared by aggregation and dynamics: periods, per-cell generators, bootstrap."""

from __future__ import annotations

import hashlib
import zlib

import numpy as np
import pandas as pd

from .errors import AnalysisError

__all__ = ["period_freq", "cell_rng", "bootstrap_means", "dated_rows", "story_keys", "percentile_interval",
           "cluster_resample_sums"]

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


def story_keys(sentences: pd.DataFrame) -> pd.Series:
    """One key per article: a hash of the normalised text of its direct sentences.

    Two articles with the same key tell the same story in the same words (a
    wire story printed twice, a near copy the duplicate filter let through):
    they are one observation, not two, so a cell of such copies gets no
    interval. Articles without a direct sentence get no key, nor do any when
    the table has no ``text`` (then each article counts as its own story).
    """
    if "text" not in sentences:  # a table without the sentences' text: every article its own story
        return pd.Series(dtype=object, name="story")
    direct = sentences[sentences["relevance"] == "direct"] if "relevance" in sentences else sentences[sentences["weight"] > 0]
    if direct.empty:
        return pd.Series(dtype=object, name="story")
    normal = direct["text"].astype(str).str.lower().str.replace(r"[^\w]+", " ", regex=True).str.strip()
    frame = pd.DataFrame({"article_id": direct["article_id"].to_numpy(), "text": normal.to_numpy()})
    keys = frame.groupby("article_id", sort=True)["text"].agg(
        lambda texts: hashlib.sha256("\n".join(sorted(texts)).encode()).hexdigest()[:16])
    return keys.rename("story")


def percentile_interval(draws: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of bootstrap draws along the first axis, ignoring undefined (NaN) draws.

    NaN for a column when fewer than half its draws are defined.
    """
    alpha = (1 - confidence) / 2
    draws = np.asarray(draws, dtype=float)
    if draws.ndim == 1:
        draws = draws[:, None]
    enough = np.isfinite(draws).sum(axis=0) >= max(1, draws.shape[0] // 2)
    low = np.full(draws.shape[1], np.nan)
    high = np.full(draws.shape[1], np.nan)
    for column in np.flatnonzero(enough):
        values = draws[:, column]
        values = values[np.isfinite(values)]
        low[column], high[column] = np.quantile(values, [alpha, 1 - alpha])
    return low, high


def cluster_resample_sums(vectors: np.ndarray, population: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Sums of ``vectors`` over ``n_boot`` article-cluster bootstrap resamples.

    ``vectors`` holds one row per article that contributes anything (M rows);
    the period holds ``population`` articles in all, the others contributing
    zeros. Each resample draws ``population`` articles with replacement, so
    the count of contributing articles varies as it would in a resample of
    the whole period (the others need not be materialised: they are one
    lumped category of the multinomial draw).

    Returns
    -------
    numpy.ndarray
        (n_boot, K) resampled sums.
    """
    m = len(vectors)
    if m == 0 or population == 0:
        return np.zeros((n_boot, vectors.shape[1] if vectors.ndim == 2 else 0))
    population = max(population, m)
    probabilities = np.full(m + 1, 1.0 / population)
    probabilities[-1] = (population - m) / population
    counts = rng.multinomial(population, probabilities, size=n_boot)[:, :m]
    return counts @ vectors
