"""The whole pipeline as one function: what `make report` and notebooks both call.

ingest → segment+score → article×topic → periods → comparison, trend, change points;
events → event measures (topic, direction, perspective) → headline, directed dyad, event study.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from ..aggregation import aggregate, article_topics, smooth
from ..config import Config
from ..dynamics import (
    DirectedDynamics,
    choose_periods,
    compare_periods,
    detect_changes,
    directed_dynamics,
    parse_period,
    trend,
)
from ..errors import TooShortError
from ..events import (
    EventStudy,
    choose_headline,
    compare_perspectives,
    dyad_events,
    event_periods,
    event_study,
    summarize_event_study,
)
from ..ingest import read_corpus
from ..reference import (
    assign_perspectives,
    events_file_for,
    load_event_dates,
    load_event_study,
    unknown_outlets,
)
from ..schema import ALL_TOPICS, CHANGES
from ..score import Scorer
from ..stats import story_keys
from .compiled import compile_cached
from .pool import score_at_scale

__all__ = ["Results", "run", "default_comparison", "headline_periods"]

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
    # Event measures (analysis.events): the attributed A–B events and every measure per topic × period × direction.
    events: pd.DataFrame | None = None
    event_periods: pd.DataFrame | None = None
    headline: str = "mean_net"
    headline_evidence: pd.DataFrame | None = None  # the shipped event study, summarised per measure
    event_study: EventStudy | None = None  # this corpus against the dyad's dated events, when it has them
    event_dates: pd.DataFrame | None = None
    directed: DirectedDynamics | None = None
    perspectives: pd.DataFrame | None = None
    perspective_periods: pd.DataFrame | None = None
    perspective_comparisons: pd.DataFrame | None = None
    unknown_outlets: pd.DataFrame | None = None
    comparison_note: str = ""

    @property
    def directed_lags(self) -> pd.DataFrame | None:
        return None if self.directed is None else self.directed.table

    @property
    def granger(self) -> pd.DataFrame | None:
        return None if self.directed is None else self.directed.granger

    @property
    def event_study_table(self) -> pd.DataFrame | None:
        return None if self.event_study is None else self.event_study.table


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
    scorer = compile_cached(Scorer(config.dyad, config.topics, config.cues, tone=config.tone, model=config.model),
                            config.cache or None)
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
    periods = aggregate(per_topic, config.freq, min_articles=config.min_articles, n_boot=config.n_boot, seed=config.seed,
                        stories=story_keys(sentences))
    named = {k: tuple(v) if isinstance(v, list) else v for k, v in config.named_periods.items()}
    a, b = config.compare.get("a"), config.compare.get("b")
    a = tuple(a) if isinstance(a, list) else a
    b = tuple(b) if isinstance(b, list) else b
    if a and b:
        parse_period(a, named), parse_period(b, named)  # fail early on a bad spec
    a, b, comparison_note = choose_periods(per_topic, a, b, periods=named)
    if comparison_note:
        log.warning("%s", comparison_note)
    comparisons = compare_periods(per_topic, a, b, periods=named, n_boot=config.n_boot, seed=config.seed)
    trends = trend(per_topic)

    # Event measures, the headline chosen by the shipped event study, and what hangs on them.
    events = dyad_events(sentences, articles)
    # No sentence_share: the scorer skips articles that cannot relate the pair, so the corpus's sentences are
    # not all counted here; article_share (of all the period's articles) is the coverage share.
    measures_table = event_periods(events, articles, config.freq, min_articles=config.min_articles, n_boot=config.n_boot, seed=config.seed)
    shipped = load_event_study()
    evidence = summarize_event_study(shipped)
    evidence.attrs["corpora"] = sorted(set(shipped["corpus"].astype(str)))
    headline = choose_headline(evidence)
    sides = tuple(side.label for side in scorer.dyad_.sides)
    try:
        changes = detect_changes(headline_periods(measures_table, headline), ALL_TOPICS, column="value", seed=config.seed)
        note = "" if len(changes) else "No change point: the series is consistent with one level."
    except TooShortError as error:
        changes = pd.DataFrame(columns=list(CHANGES))
        note = str(error)
    dates_path = events_file_for(config.dyad)
    dates = load_event_dates(dates_path) if dates_path is not None else None
    study = event_study(events, articles, dates, n_boot=min(config.n_boot, 1000), seed=config.seed) \
        if dates is not None else None
    weight = "intensity" if headline.startswith("intensity") else "goldstein"
    directed = directed_dynamics(events, articles, weight=weight, sides=sides)
    outlets = assign_perspectives(articles)
    perspective_table = event_periods(events, articles, config.freq, by="perspective", groups=outlets,
                                      measures=tuple(dict.fromkeys((headline, "mean_net", "n_articles"))),
                                      min_articles=config.min_articles, n_boot=config.n_boot, seed=config.seed)
    perspective_table = perspective_table[perspective_table["direction"] == "all"].reset_index(drop=True)
    perspective_comparisons = compare_perspectives(events, articles, outlets, measure=headline, freq=config.freq,
                                                   min_articles=config.min_articles, n_boot=config.n_boot,
                                                   seed=config.seed)
    labels = {topic.id: topic.label for topic in scorer.taxonomy_.topics}
    return Results(config=config, articles=articles, skipped=ingested.skipped, sentences=sentences,
                   article_topics=per_topic, topic_periods=periods, comparisons=comparisons, trends=trends,
                   changes=changes, changes_note=note, smoothed=smooth(periods), scorer=scorer,
                   metadata_path=ingested.metadata_path, topic_labels=labels, events=events,
                   event_periods=measures_table, headline=headline, headline_evidence=evidence, event_study=study,
                   event_dates=dates, directed=directed, perspectives=outlets, perspective_periods=perspective_table,
                   perspective_comparisons=perspective_comparisons,
                   unknown_outlets=unknown_outlets(articles, outlets), comparison_note=comparison_note)


def headline_periods(event_periods: pd.DataFrame, measure: str, *, direction: str = "all") -> pd.DataFrame:
    """One measure's rows of :func:`analysis.events.event_periods`, shaped like ``topic_periods`` (value for mean_net).

    Returns
    -------
    pandas.DataFrame
        topic, period, period_start, period_end, n_articles, n_events,
        n_stories, value, ci_low, ci_high, thin — one row per topic × period.
    """
    rows = event_periods[(event_periods["measure"] == measure) & (event_periods["direction"] == direction)]
    return rows.drop(columns=["measure", "direction"]).reset_index(drop=True)

