"""What each chart shows, computed once for both renderers.

The static figures (:mod:`analysis.figures`, matplotlib) and the interactive
charts (:mod:`analysis.charts`, plotly) draw the same six views from the same
tidy tables built here, with the same labels and the same style file
(``analysis/data/style.yaml``), so the two never drift apart.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import yaml

from ..schema import ALL_TOPICS
from ..vocab import data_path

__all__ = ["style", "LABELS", "topic_label", "series_data", "heatmap_data", "forest_data", "mass_data",
           "articles_data", "FIGURES", "measure_label", "measure_series", "runs", "measure_scale", "shade",
           "plural", "too_thin", "period_ticks", "quad_data", "QUAD_LABELS", "DIRECTION_LABELS"]

# File stems of the figures (stable: papers reference them) and their captions.
FIGURES = {
    "fig1_net_by_topic": "Net cooperation over time per topic, with 95% article-bootstrap intervals; open markers are thin periods.",
    "fig2_heatmap": "Mean net cooperation by topic and period (blue = cooperation, red = friction); n articles in each cell.",
    "fig3_comparison": "Difference in mean net cooperation between the two compared periods, per topic, with 95% intervals; filled = significant after Benjamini–Hochberg.",
    "fig4_mass": "Cooperation (up) and friction (down) cue mass per period, all topics.",
    "fig5_articles": "Each article's net cooperation (all topics) by publication date; size = dyad-relevant sentences.",
    "fig6_changes": "The headline measure (all topics) with detected change points and their bootstrap intervals.",
    "fig7_directed": "The headline measure for each direction of the dyad (A towards B, B towards A), with 95% "
                     "article-bootstrap intervals; below, the lagged cross-correlation of the two directed totals.",
    "fig8_perspectives": "The headline measure by the outlets' perspective (country, or wire services), with 95% "
                         "article-bootstrap intervals.",
    "fig9_events": "Events between the two sides per period by class (every report), with the number of distinct "
                   "events (reports of one event grouped) and the share of the period's articles that relate the pair "
                   "(95% interval).",
}

LABELS = {
    "net": "Net cooperation (−1 friction … +1 cooperation)",
    "net_short": "Net cooperation",
    "period": "Period",
    "difference": "Difference in mean net (B − A)",
    "mass": "Cue mass (Goldstein-weighted)",
    "published": "Publication date",
}


QUAD_LABELS = {"verbal_cooperation": "verbal cooperation", "material_cooperation": "material cooperation",
               "verbal_conflict": "verbal conflict", "material_conflict": "material conflict"}
DIRECTION_LABELS = {"all": "both directions", "a_to_b": "{a} → {b}", "b_to_a": "{b} → {a}", "mutual": "{a} and {b} together"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 article", "2 articles"."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def measure_label(measure: str) -> str:
    from ..events import MEASURES

    return MEASURES[measure].label if measure in MEASURES else measure.replace("_", " ")


def measure_series(event_periods: pd.DataFrame, topic: str, measure: str, *, direction: str = "all",
                   by: str = "topic") -> pd.DataFrame:
    """One group's series of one measure, every period present (empty ones with n_articles 0 and no value)."""
    frame = event_periods[(event_periods[by] == topic) & (event_periods["measure"] == measure)
                          & (event_periods["direction"] == direction)]
    return frame.sort_values("period_start").reset_index(drop=True)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in ``mask``: a band is drawn per run, never across a gap."""
    out, start = [], None
    for index, flag in enumerate(list(mask) + [False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            out.append((start, index))
            start = None
    return out


def measure_scale(measure: str, values: np.ndarray) -> tuple[float, float, float, bool]:
    """(vmin, vcenter, vmax, reversed) for colouring a measure: diverging around its neutral point.

    Net and intensity measures have fixed ends; Goldstein sums are symmetric
    around 0 at the largest absolute value; the conflict share is 0…1 around
    ½, reversed (more conflict is the friction colour).
    """
    if measure == "mean_net":
        return -1.0, 0.0, 1.0, False
    if measure == "intensity_per_sentence":
        return -3.0, 0.0, 3.0, False
    if measure.startswith("conflict_share"):
        return 0.0, 0.5, 1.0, True
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) if len(finite) and finite.max() > 0 else 1.0
    return -top, 0.0, top, False


def shade(n: np.ndarray | int) -> np.ndarray:
    """Opacity of a heatmap cell with n articles: ``shade_min`` at n = 1, rising with log n to 1 at ``shade_full_n``."""
    s = style()
    counts = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore"):
        level = np.clip(np.log(np.maximum(counts, 1)) / np.log(s["shade_full_n"]), 0, 1)
    return np.where(counts > 0, s["shade_min"] + (1 - s["shade_min"]) * level, 0.0)


def too_thin(topic_periods: pd.DataFrame, shown: list[str], *, min_articles: int = 3) -> tuple[list[str], list[str]]:
    """Topics not drawn: (too thin: fewer than ``min_articles`` dated articles in all, beyond the panels shown)."""
    counts = topic_periods.groupby("topic", sort=False)["n_articles"].sum()
    thin = sorted(t for t, n in counts.items() if t not in shown and n < min_articles)
    rest = sorted(t for t, n in counts.items() if t not in shown and n >= min_articles)
    return thin, rest


def period_ticks(frame: pd.DataFrame, *, max_ticks: int = 12) -> tuple[list, list[str]] | None:
    """Tick positions and labels (the period labels) when there are few periods, else None (let the axis choose).

    A chart with one period otherwise gets clock-time ticks.
    """
    if frame.empty or len(frame) > max_ticks:
        return None
    return list(frame["period_start"]), [str(p) for p in frame["period"]]


def quad_data(event_periods: pd.DataFrame, topic: str = ALL_TOPICS) -> pd.DataFrame:
    """Per period (all directions): events by class, distinct events, articles relating the pair and their share."""
    from ..events import EVENT_QUADS

    wanted = (*EVENT_QUADS, "n_events", "n_unique_events", "n_articles", "article_share")
    frame = event_periods[(event_periods["topic"] == topic) & (event_periods["direction"] == "all")
                          & event_periods["measure"].isin(wanted)]
    if frame.empty:
        return pd.DataFrame(columns=["period", "period_start", *wanted, "share_low", "share_high"])
    values = frame.pivot(index="period", columns="measure", values="value")
    values.insert(0, "period_start", frame.drop_duplicates("period").set_index("period")["period_start"])
    share = frame[frame["measure"] == "article_share"].set_index("period")[["ci_low", "ci_high"]]
    values = values.join(share.rename(columns={"ci_low": "share_low", "ci_high": "share_high"}))
    return values.reset_index().sort_values("period_start").reset_index(drop=True)


@lru_cache(maxsize=1)
def style() -> dict:
    """The shared figure style (palette, line styles, sizes)."""
    return yaml.safe_load(data_path("style.yaml").read_text(encoding="utf-8"))


def topic_label(topic: str, labels: dict[str, str] | None = None) -> str:
    if topic == ALL_TOPICS:
        return "All topics"
    if labels and topic in labels:
        return labels[topic]
    return topic.replace("_", " ").capitalize()


def _topic_order(topic_periods: pd.DataFrame) -> list[str]:
    counts = topic_periods.groupby("topic", sort=False)["n_articles"].sum()
    counts = counts[counts > 0]
    rest = sorted((t for t in counts.index if t != ALL_TOPICS), key=lambda t: (-counts[t], t))
    return ([ALL_TOPICS] if ALL_TOPICS in counts.index else []) + rest


def series_data(topic_periods: pd.DataFrame, *, topics: list[str] | None = None, max_topics: int = 9) -> pd.DataFrame:
    """Rows of ``topic_periods`` to draw in figure 1, with a style index per topic."""
    order = topics or _topic_order(topic_periods)[:max_topics]
    frame = topic_periods[topic_periods["topic"].isin(order)].copy()
    frame["style_index"] = frame["topic"].map({t: i for i, t in enumerate(order)})
    frame["topic"] = pd.Categorical(frame["topic"], categories=order, ordered=True)
    return frame.sort_values(["topic", "period_start"]).reset_index(drop=True)


def heatmap_data(topic_periods: pd.DataFrame, *, column: str = "mean_net") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matrices (topics × periods) of a value (mean net, or ``value`` of a measure's rows) and of n articles."""
    order = _topic_order(topic_periods)
    frame = topic_periods[topic_periods["topic"].isin(order)]
    periods = list(dict.fromkeys(frame.sort_values("period_start")["period"]))
    means = frame.pivot(index="topic", columns="period", values=column).reindex(index=order, columns=periods)
    counts = frame.pivot(index="topic", columns="period", values="n_articles").reindex(index=order, columns=periods)
    return means, counts.fillna(0).astype(int)


def forest_data(comparisons: pd.DataFrame) -> pd.DataFrame:
    """Topics with a testable difference, ordered by difference (largest at top)."""
    frame = comparisons[comparisons["difference"].notna() & comparisons["ci_low"].notna()].copy()
    return frame.sort_values(["difference", "topic"]).reset_index(drop=True)


def mass_data(topic_periods: pd.DataFrame, topic: str = ALL_TOPICS) -> pd.DataFrame:
    """Cooperation and friction mass per period for one topic, with n articles."""
    frame = topic_periods[topic_periods["topic"] == topic]
    return frame[["period", "period_start", "n_articles", "cooperation_mass", "friction_mass", "thin"]].reset_index(drop=True)


def articles_data(article_topics: pd.DataFrame, articles: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per dated, scored article (all topics) with title, source and top evidence."""
    rows = article_topics[(article_topics["topic"] == ALL_TOPICS) & article_topics["net"].notna()
                          & article_topics["published"].notna()]
    meta = articles.set_index("article_id")[["title", "source", "path"]]
    frame = rows.join(meta, on="article_id")
    frame["title"] = [t if t else p for t, p in zip(frame["title"].fillna(""), frame["path"].fillna(""), strict=True)]
    frame["evidence"] = ""
    if sentences is not None and not frame.empty:
        text = sentences.set_index(["article_id", "sentence"])["text"]
        picks = []
        for article_id, net, top_c, top_f in zip(frame["article_id"], frame["net"], frame["top_cooperation"],
                                                 frame["top_friction"], strict=True):
            index = top_c if (net >= 0 and top_c >= 0) or top_f < 0 else top_f
            picks.append(text.get((article_id, int(index)), "") if index >= 0 else "")
        frame["evidence"] = picks
    frame["size"] = np.sqrt(frame["n_sentences"].clip(lower=1))
    return frame.sort_values(["published", "article_id"]).reset_index(drop=True)
