"""Column names of every table, declared once and checked between stages."""

from __future__ import annotations

import pandas as pd

from .errors import AnalysisError

__all__ = ["ALL_TOPICS", "ARTICLES", "SCORED_ARTICLES", "SKIPPED", "SENTENCES", "ARTICLE_TOPICS", "TOPIC_PERIODS",
           "COMPARISONS", "TRENDS", "CHANGES", "DATE_SOURCES", "RELEVANCE", "DIRECTIONS", "QUADS", "EVENTS",
           "EVENT_PERIODS", "EVENT_STUDY", "PERSPECTIVES", "PERSPECTIVE_COMPARISONS", "DIRECTED_LAGS", "GRANGER",
           "check"]

ALL_TOPICS = "all"  # the topic row that counts every relevant sentence once
DATE_SOURCES = ("override", "column", "explicit", "url", "inferred", "unknown")
RELEVANCE = ("direct", "context", "none")  # the dyad codebook's: an A–B interaction, a side named, neither
DIRECTIONS = ("a_to_b", "b_to_a", "mutual")
QUADS = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict", "none")

ARTICLES = (
    "article_id", "path", "line", "source_id", "title", "source", "byline", "url",
    "published", "date_source", "text", "n_chars", "content_hash", "duplicate_of",
)
# The articles table as written: whether the scorer read each article, and why not.
SCORED_ARTICLES = (*ARTICLES, "scored", "unscored_reason")
SKIPPED = ("path", "line", "reason")
SENTENCES = (
    "article_id", "sentence", "start", "end", "text", "sides", "third_parties", "relevance",
    "weight", "topics", "cooperation", "friction", "net", "quad", "evidence", "source", "target", "direction",
    "intensity", "p_direct", "third_party_cooperation", "third_party_friction", "tone",
)
ARTICLE_TOPICS = (
    "article_id", "published", "topic", "n_sentences", "weight", "net", "cooperation",
    "friction", "top_cooperation", "top_friction",
)
TOPIC_PERIODS = (
    "topic", "period", "period_start", "period_end", "n_articles", "n_sentences", "mean_net",
    "ci_low", "ci_high", "cooperation_share", "friction_share", "cooperation_mass", "friction_mass",
    "volume_share", "thin", "n_stories",
)
COMPARISONS = (
    "topic", "period_a", "period_b", "a_start", "a_end", "b_start", "b_end", "n_a", "n_b", "mean_a", "mean_b",
    "difference", "ci_low", "ci_high", "p_value", "p_adjusted", "effect_size", "significant",
)
# One row per direct sentence: the attributed A–B events (analysis.events.dyad_events).
EVENTS = (
    "article_id", "sentence", "published", "topics", "direction", "source", "target", "quad", "goldstein",
    "intensity", "net", "cues", "story", "event_id", "n_reports", "group_size", "is_event",
)
# Every event measure per topic × period × direction (the first column is the grouping: topic or perspective).
EVENT_PERIODS = (
    "topic", "direction", "period", "period_start", "period_end", "measure", "value", "ci_low", "ci_high",
    "n_articles", "n_events", "n_stories", "thin",
)
EVENT_STUDY = (
    "corpus", "date", "kind", "label", "measure", "n_before", "n_after", "value_before", "value_after",
    "difference", "se", "z", "signed_z", "right", "evaluable",
)
PERSPECTIVES = ("article_id", "outlet", "country", "kind", "perspective", "site")
PERSPECTIVE_COMPARISONS = (
    "perspective_a", "perspective_b", "measure", "periods", "n_periods", "n_a", "n_b", "value_a", "value_b",
    "difference", "ci_low", "ci_high", "p_value", "p_adjusted",
)
DIRECTED_LAGS = ("measure", "lag", "correlation", "ci_low", "ci_high", "n_periods")
GRANGER = ("cause", "effect", "lags", "f_statistic", "df_num", "df_denom", "p_value", "n_periods", "series")
TRENDS = ("topic", "n_articles", "slope_per_year", "ci_low", "ci_high", "p_value", "maxlags")
# One row per break; with no break, one row saying why none is reported (note), its break columns empty.
CHANGES = ("topic", "measure", "break_period", "break_date", "ci_low", "ci_high", "mean_before", "mean_after", "support",
           "note")


def check(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    """Raise if ``frame`` lacks any of ``columns``; return it in that column order.

    Extra columns are kept after the declared ones.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(f"{name} table is missing column(s) {', '.join(missing)}; "
                            f"it has {', '.join(map(str, frame.columns))}.")
    extra = [c for c in frame.columns if c not in columns]
    return frame[list(columns) + extra]
