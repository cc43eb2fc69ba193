"""Aggregate: scored sentences → article × topic → topic × period, with uncertainty.

The unit of analysis is the **article**: :func:`article_topics` gives each
article its relevance-weighted mean ``net`` per topic, and :func:`aggregate`
averages articles per period with an article bootstrap interval, because
the sentences of one article are not independent.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .schema import ALL_TOPICS, ARTICLE_TOPICS, TOPIC_PERIODS, check
from .stats import bootstrap_means, cell_rng, dated_rows, period_freq

__all__ = ["article_topics", "aggregate", "smooth", "ALL_TOPICS"]


def article_topics(sentences: pd.DataFrame, articles: pd.DataFrame | None = None, *,
                   include_all: bool = True) -> pd.DataFrame:
    """Aggregate scored sentences to one row per article and topic.

    Only sentences that carry the pair's score count (weight > 0: the codebook's
    ``direct`` sentences); with ``include_all`` each article also gets a row for
    topic ``"all"`` (each sentence once). ``net`` is the weighted mean of their
    ``net``, a mixed or neutral sentence (net 0) included; an article none of
    whose sentences relates the pair has no row.

    Returns
    -------
    pandas.DataFrame
        article_id, published, topic, n_sentences (relevant sentences on the
        topic), weight (their summed relevance weight), net, cooperation and
        friction (relevance-weighted cue mass), top_cooperation and
        top_friction (index of the strongest sentence each way, -1 if none),
        n_evidence (sentences with a score: the direct ones).
    """
    relevant = sentences[sentences["weight"] > 0]
    exploded = relevant.assign(topic=relevant["topics"].str.split(";")).explode("topic")
    exploded = exploded[exploded["topic"].fillna("").astype(bool)]
    if include_all:  # every relevant sentence once, whatever its topics
        exploded = pd.concat([exploded, relevant.assign(topic=ALL_TOPICS)], ignore_index=True)
    # Every direct sentence carries the pair's score (the dyad codebook), a mixed or neutral one included.
    has_evidence = exploded["relevance"] == "direct" if "relevance" in exploded else \
        (exploded["cooperation"] > 0) | (exploded["friction"] > 0)
    exploded = exploded.assign(
        _w=exploded["weight"], _evw=exploded["weight"].where(has_evidence, 0.0),
        _wnet=exploded["weight"] * exploded["net"], _coop=exploded["weight"] * exploded["cooperation"],
        _fric=exploded["weight"] * exploded["friction"], _ev=has_evidence.astype(int))
    grouped = exploded.groupby(["article_id", "topic"], sort=True)
    table = grouped.agg(n_sentences=("sentence", "size"), weight=("_w", "sum"), _evw=("_evw", "sum"),
                        _wnet=("_wnet", "sum"), cooperation=("_coop", "sum"), friction=("_fric", "sum"),
                        n_evidence=("_ev", "sum")).reset_index()
    table["net"] = (table["_wnet"] / table["_evw"]).where(table["_evw"] > 0)
    top_c = exploded[exploded["net"] > 0].sort_values(["article_id", "topic", "net", "sentence"],
                                                       ascending=[True, True, False, True])
    top_f = exploded[exploded["net"] < 0].sort_values(["article_id", "topic", "net", "sentence"])
    first_c = top_c.groupby(["article_id", "topic"])["sentence"].first()
    first_f = top_f.groupby(["article_id", "topic"])["sentence"].first()
    keys = pd.MultiIndex.from_frame(table[["article_id", "topic"]])
    table["top_cooperation"] = first_c.reindex(keys).fillna(-1).astype(int).to_numpy()
    table["top_friction"] = first_f.reindex(keys).fillna(-1).astype(int).to_numpy()
    if articles is not None:
        table = table.merge(articles[["article_id", "published"]], on="article_id", how="left")
    else:
        table["published"] = pd.NaT
    for column in ("weight", "cooperation", "friction", "net"):
        table[column] = table[column].round(9)
    table = table.drop(columns=["_evw", "_wnet"])
    for column in ("article_id", "topic"):  # the same dtype whether or not any article relates the pair
        table[column] = table[column].astype(str)
    return check(table, ARTICLE_TOPICS, "article_topics")


def aggregate(article_topics: pd.DataFrame, freq: str = "QE", *, min_articles: int = 3, n_boot: int = 2000,
              seed: int = 20240101, confidence: float = 0.95, topics: list[str] | None = None,
              stories: pd.Series | None = None) -> pd.DataFrame:
    """Mean net cooperation per topic and period, with an article bootstrap interval.

    Parameters
    ----------
    article_topics
        Output of :func:`analysis.article_topics` (one row per article × topic,
        including topic "all"). Undated articles are left out.
    freq
        Period length: "ME" (month), "QE" (quarter), "YE" (year) or "W".
    min_articles
        Cells with fewer scored articles are flagged ``thin``.
    n_boot, seed, confidence
        Bootstrap resamples of articles, the seed (reruns give the same
        numbers), and the interval's coverage.
    topics
        Topics to include (default: all found, "all" first).
    stories
        Each article's story key (:func:`analysis.stats.story_keys` of the
        sentences): articles with the same key are copies of one text and
        count as one story. Without it (or a ``story`` column) every article
        is its own story.

    Returns
    -------
    pandas.DataFrame
        One row per topic × period, every period between the first and last
        dated article present (empty ones with n_articles 0):
        topic, period (e.g. "2025Q1"), period_start, period_end, n_articles
        (articles with a score), n_sentences (their relevant sentences),
        mean_net, ci_low, ci_high (percentile bootstrap over articles; NaN
        below two distinct stories: one article, or copies of one story, has
        no interval, and NaN for a zero-width one), cooperation_share and friction_share (share of
        cue mass), cooperation_mass and friction_mass (summed relevance-weighted
        cue weights), volume_share (the topic's articles over all articles
        naming either side in the period), thin (fewer than ``min_articles``),
        n_stories (distinct stories among the articles: copies of one text
        count once; the article count where the table has no ``story``).
    """
    frequency = period_freq(freq)
    dated = dated_rows(article_topics)
    columns = list(TOPIC_PERIODS)
    if dated.empty:
        return pd.DataFrame(columns=columns)
    dated = dated.assign(period=dated["published"].dt.to_period(frequency))
    all_periods = pd.period_range(dated["period"].min(), dated["period"].max(), freq=frequency)
    found = list(dict.fromkeys(dated["topic"]))
    if topics is None:
        topics = ([ALL_TOPICS] if ALL_TOPICS in found else []) + sorted(t for t in found if t != ALL_TOPICS)
    mentioning = dated[dated["topic"] == ALL_TOPICS].groupby("period")["article_id"].nunique()
    alpha = (1 - confidence) / 2
    rows = []
    groups = {key: frame for key, frame in dated.groupby(["topic", "period"], sort=False)}
    for topic in topics:
        for period in all_periods:
            cell = groups.get((topic, period))
            scored = cell[cell["net"].notna()] if cell is not None else None
            n = 0 if scored is None else len(scored)
            row = {"topic": topic, "period": str(period), "period_start": period.start_time.normalize(),
                   "period_end": period.end_time.normalize(), "n_articles": n,
                   "n_sentences": 0 if scored is None else int(scored["n_sentences"].sum()),
                   "mean_net": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                   "cooperation_share": math.nan, "friction_share": math.nan,
                   "cooperation_mass": 0.0 if scored is None else float(scored["cooperation"].sum()),
                   "friction_mass": 0.0 if scored is None else float(scored["friction"].sum()),
                   "volume_share": (n / mentioning[period]) if period in mentioning.index and mentioning[period] else math.nan,
                   "thin": n < min_articles, "n_stories": 0}
            if n:
                values = scored["net"].to_numpy(dtype=float)
                row["mean_net"] = float(values.mean())
                if stories is not None:
                    keys = scored["article_id"].map(stories).fillna(scored["article_id"])
                elif "story" in scored:
                    keys = scored["story"].where(scored["story"].astype(bool), scored["article_id"])
                else:
                    keys = scored["article_id"]
                row["n_stories"] = int(keys.nunique())
                if row["n_stories"] >= 2:
                    means = bootstrap_means(values, n_boot, cell_rng(seed, topic, period))
                    low, high = (float(q) for q in np.quantile(means, [alpha, 1 - alpha]))
                    if high - low > 1e-12:  # every resample the same (articles that all agree): no interval
                        row["ci_low"], row["ci_high"] = low, high
                mass = float(scored["cooperation"].sum() + scored["friction"].sum())
                if mass > 0:
                    row["cooperation_share"] = float(scored["cooperation"].sum()) / mass
                    row["friction_share"] = 1 - row["cooperation_share"]
            rows.append(row)
    table = pd.DataFrame(rows, columns=columns)
    for column in ("mean_net", "ci_low", "ci_high", "cooperation_share", "friction_share", "cooperation_mass",
                   "friction_mass", "volume_share"):
        table[column] = table[column].astype(float).round(12)
    return check(table, TOPIC_PERIODS, "topic_periods")


def smooth(topic_periods: pd.DataFrame, *, frac: float = 0.6) -> pd.DataFrame:
    """LOWESS-smoothed mean net per topic (statsmodels), for plotting.

    Returns
    -------
    pandas.DataFrame
        topic, period, period_start, smoothed — only periods with articles,
        only topics with at least four such periods.
    """
    from statsmodels.nonparametric.smoothers_lowess import lowess

    rows = []
    for topic, frame in topic_periods[topic_periods["n_articles"] > 0].groupby("topic", sort=False):
        if len(frame) < 4:
            continue
        x = frame["period_start"].map(pd.Timestamp.toordinal).to_numpy(dtype=float)
        fitted = lowess(frame["mean_net"].to_numpy(dtype=float), x, frac=frac, return_sorted=False)
        rows += [{"topic": topic, "period": p, "period_start": s, "smoothed": float(v)}
                 for p, s, v in zip(frame["period"], frame["period_start"], fitted, strict=True)]
    return pd.DataFrame(rows, columns=["topic", "period", "period_start", "smoothed"])
