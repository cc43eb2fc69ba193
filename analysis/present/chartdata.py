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
           "articles_data", "FIGURES"]

# File stems of the figures (stable: papers reference them) and their captions.
FIGURES = {
    "fig1_net_by_topic": "Net cooperation over time per topic, with 95% article-bootstrap intervals; open markers are thin periods.",
    "fig2_heatmap": "Mean net cooperation by topic and period (blue = cooperation, red = friction); n articles in each cell.",
    "fig3_comparison": "Difference in mean net cooperation between the two compared periods, per topic, with 95% intervals; filled = significant after Benjamini–Hochberg.",
    "fig4_mass": "Cooperation (up) and friction (down) cue mass per period, all topics.",
    "fig5_articles": "Each article's net cooperation (all topics) by publication date; size = dyad-relevant sentences.",
    "fig6_changes": "Net cooperation (all topics) with detected change points and their bootstrap intervals.",
}

LABELS = {
    "net": "Net cooperation (−1 friction … +1 cooperation)",
    "net_short": "Net cooperation",
    "period": "Period",
    "difference": "Difference in mean net (B − A)",
    "mass": "Cue mass (Goldstein-weighted)",
    "published": "Publication date",
}


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


def heatmap_data(topic_periods: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matrices (topics × periods) of mean net and of n articles."""
    order = _topic_order(topic_periods)
    frame = topic_periods[topic_periods["topic"].isin(order)]
    periods = list(dict.fromkeys(frame.sort_values("period_start")["period"]))
    means = frame.pivot(index="topic", columns="period", values="mean_net").reindex(index=order, columns=periods)
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
