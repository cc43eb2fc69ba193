"""The whole pipeline as one function: what `make report` and notebooks both call.

ingest → segment+score → article×topic → periods → comparison, trend, change points.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from ..aggregation import aggregate, article_topics, smooth
from ..config import Config
from ..dynamics import compare_periods, detect_changes, parse_period, trend
from ..errors import TooShortError
from ..ingest import read_corpus
from ..schema import ALL_TOPICS
from ..score import Scorer
from .pool import score_at_scale

__all__ = ["Results", "run", "default_comparison"]

log = logging.getLogger(__name__)


@dataclass
class Results:
    """Every table of one run, plus what the report needs to explain them."""

    config: Config
    articles: pd.DataFrame
    skipped: pd.DataFrame
    sentences: pd.DataFrame
    article_topics: pd.DataFrame
    topic_periods: pd.DataFrame
    comparisons: pd.DataFrame
    trends: pd.DataFrame
    changes: pd.DataFrame
    changes_note: str
    smoothed: pd.DataFrame
    scorer: Scorer
    metadata_path: str | None = None
    topic_labels: dict[str, str] = field(default_factory=dict)


def default_comparison(articles: pd.DataFrame) -> tuple[object, object]:
    """First half against second half of the corpus's date range."""
    dated = articles["published"].dropna()
    if dated.empty:
        return ("1900-01-01", "1900-01-01"), ("1900-01-02", "1900-01-02")
    start, end = dated.min().normalize(), dated.max().normalize()
    middle = start + (end - start) / 2
    middle = middle.normalize()
    return ((str(start.date()), str(middle.date())),
            (str((middle + pd.Timedelta(days=1)).date()), str(end.date())))


def run(config: Config, *, progress: bool = False) -> Results:
    """Run the pipeline for ``config`` and return every table (nothing is written)."""
    scorer = Scorer(config.dyad, config.topics, config.cues, tone=config.tone, model=config.model).compile()
    ingested = read_corpus(config.corpus, metadata=config.metadata, infer_dates=config.infer_dates)
    articles = ingested.articles
    unique = articles[articles["duplicate_of"] == ""]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(unique), desc="scoring", unit="article", leave=False)
    sentences = score_at_scale(unique, scorer, jobs=config.jobs or None, engine=config.engine,
                               scheduler=config.scheduler, cache=config.cache or None,
                               progress=bar.update if bar is not None else None)
    if bar is not None:
        bar.close()
    per_topic = article_topics(sentences, articles)
    periods = aggregate(per_topic, config.freq, min_articles=config.min_articles, n_boot=config.n_boot, seed=config.seed)
    if config.compare.get("a") and config.compare.get("b"):
        a, b = config.compare["a"], config.compare["b"]
    else:
        a, b = default_comparison(articles)
    named = {k: tuple(v) if isinstance(v, list) else v for k, v in config.named_periods.items()}
    a = tuple(a) if isinstance(a, list) else a
    b = tuple(b) if isinstance(b, list) else b
    parse_period(a, named), parse_period(b, named)  # fail early on a bad spec
    comparisons = compare_periods(per_topic, a, b, periods=named, n_boot=config.n_boot, seed=config.seed)
    trends = trend(per_topic)
    try:
        changes = detect_changes(periods, ALL_TOPICS, seed=config.seed)
        note = "" if len(changes) else "No change point: the series is consistent with one level."
    except TooShortError as error:
        changes = pd.DataFrame(columns=["topic", "break_period", "break_date", "ci_low", "ci_high",
                                        "mean_before", "mean_after", "support"])
        note = str(error)
    labels = {topic.id: topic.label for topic in scorer.taxonomy_.topics}
    return Results(config=config, articles=articles, skipped=ingested.skipped, sentences=sentences,
                   article_topics=per_topic, topic_periods=periods, comparisons=comparisons, trends=trends,
                   changes=changes, changes_note=note, smoothed=smooth(periods), scorer=scorer,
                   metadata_path=ingested.metadata_path, topic_labels=labels)

