"""The whole pipeline as one function: what `make report`, the CLI and notebooks all call.

ingest → segment+score → article×topic → periods → comparison, trend, change points;
events → event measures (topic, direction, perspective) → headline, directed dyad, event study.

This module is the product layer: :func:`run` makes :class:`Results`,
:func:`build_report` renders them, :meth:`Results.write` writes them, and
:func:`run_stream` is the same for corpora of any size. The CLI is a few lines
over each, so a notebook gets exactly what ``make report`` writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..aggregation import aggregate, article_topics, smooth
from ..config import Config
from ..dynamics import (
    ComparisonTable,
    DirectedDynamics,
    changes_table,
    choose_periods,
    compare_periods,
    detect_changes,
    directed_dynamics,
    parse_period,
    trend,
)
from ..errors import AnalysisError, ConfigError, TooShortError
from ..events import (
    EventStudy,
    choose_headline,
    compare_perspectives,
    dyad_events,
    event_periods,
    event_study,
    headline_periods,
    summarize_event_study,
)
from ..ingest import IngestResult, read_corpus
from ..reference import (
    assign_perspectives,
    events_file_for,
    load_event_dates,
    load_event_study,
    unknown_outlets,
)
from ..schema import ALL_TOPICS, CHANGES, SCORED_ARTICLES, check
from ..score import Scorer
from ..score.compiled import compile_cached
from ..stats import story_keys
from .pool import score_at_scale

__all__ = ["Results", "run", "build_report", "default_comparison", "headline_periods", "make_scorer", "score_articles",
           "run_stream", "stream_periods", "compare", "named_periods", "check_config", "check_periods"]

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
    def changes_table(self) -> pd.DataFrame:
        """The change points as written to ``changes.csv``: the breaks, or one row saying why there is none."""
        return changes_table(self.changes, self.changes_note, measure=self.headline)

    @property
    def event_study_table(self) -> pd.DataFrame | None:
        return None if self.event_study is None else self.event_study.table

    def write(self, out: str | Path | None = None, *, command: str = "relationship-dynamics report") -> list[Path]:
        """Write ``report.html`` and every table (``data/*.csv|parquet``) under ``out``.

        Parameters
        ----------
        out
            The output folder (default: the config's ``out``).
        command
            The command line the report's manifest names.

        Returns
        -------
        list of pathlib.Path
            The files written, the report last.
        """
        from ..io import write_results

        out = Path(self.config.out if out is None else out)
        return write_results(self, out, build_report(self, command=command))


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


def check_config(config: Config) -> None:
    """Check what :class:`Config` cannot check alone, before any work: the frequency, the periods, the engine.

    Types and ranges were checked when the config was read
    (:func:`analysis.config.check_value`); here the frequency and periods are
    read as the stages will read them, and a Dask scheduler's address is
    parsed and, for TCP, connected to.

    Raises
    ------
    ConfigError
        A bad frequency or period, periods in the wrong order, a malformed
        scheduler address (exit code 2); each message names the file and key
        or the option it came from.
    AnalysisError
        The Dask scheduler cannot be reached, or Dask is not installed (exit code 1).
    """
    from ..stats import period_freq

    try:
        period_freq(config.freq)
    except AnalysisError:
        raise ConfigError(f"{config.source('freq')}: unknown period frequency {config.freq!r}; "
                          f"use ME, QE or YE (month, quarter, year) or W.") from None
    named = named_periods(config)
    for name, spec in named.items():
        _read_period(spec, named, f"{config.source('named_periods')}.{name}")
    a, b = config.compare.get("a"), config.compare.get("b")
    if a or b:
        if not (a and b):
            raise ConfigError(f"{config.source('compare')}: give both periods a and b, or neither.")
        where = config.source("compare")
        check_periods(a, b, named, where_a=f"{where}.a" if where == "compare" or ":" in where else "--a",
                      where_b=f"{where}.b" if where == "compare" or ":" in where else "--b")
    if config.engine == "dask":
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise AnalysisError("the dask engine needs dask and distributed: pip install 'relationship-dynamics[dask]'.")
        if config.scheduler:
            _check_scheduler(config.scheduler, config.source("scheduler"))
    elif config.scheduler:
        log.warning("%s is used with the dask engine only (--engine dask); the local engine ignores it.",
                    config.source("scheduler"))


def _read_period(spec: object, named: dict, where: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    spec = tuple(spec) if isinstance(spec, list) else spec
    try:
        start, end, label = parse_period(spec, named)
    except (AnalysisError, ValueError, TypeError) as error:
        message = str(error).removeprefix("cannot read period ")
        raise ConfigError(f"{where}: cannot read period {message}") from None
    if start > end:
        raise ConfigError(f"{where}: period {label!r} ends ({end.date()}) before it starts ({start.date()}).")
    return start, end, label


def check_periods(a: object, b: object, named: dict | None = None, *, where_a: str = "--a",
                  where_b: str = "--b") -> None:
    """Raise :class:`ConfigError` unless ``a`` and ``b`` are readable periods and A does not start after B.

    The comparison reports B − A, so a reversed pair flips every sign the
    reader sees; it is refused rather than silently swapped.
    """
    named = named or {}
    start_a, _, label_a = _read_period(a, named, where_a)
    start_b, _, label_b = _read_period(b, named, where_b)
    if start_a > start_b:
        raise ConfigError(f"{where_a}/{where_b}: period A ({label_a}, from {start_a.date()}) starts after period B "
                          f"({label_b}, from {start_b.date()}); the comparison is B − A, so give the earlier period as A.")


def _check_scheduler(address: str, where: str) -> None:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if parts.scheme not in ("tcp", "tls", "ws", "wss", "ucx", "inproc") or not host or (
            parts.scheme in ("tcp", "tls") and port is None):
        raise ConfigError(f"{where}: {address!r} is not a Dask scheduler address; give tcp://HOST:PORT "
                          f"(e.g. tcp://10.0.0.5:8786).")
    if parts.scheme in ("tcp", "tls"):
        try:
            socket.create_connection((host, port), timeout=3).close()
        except OSError as error:
            raise AnalysisError(f"{where}: cannot reach the Dask scheduler at {address} "
                                f"({error.strerror or error}). Start it, or leave out the scheduler for a local "
                                f"cluster.") from None


def make_scorer(config: Config) -> Scorer:
    """The scorer ``config`` asks for (dyad, topics, cues, tone, model)."""
    return Scorer(config.dyad, config.topics, config.cues, tone=config.tone, tone_all=config.tone_all,
                  model=config.model)


def score_articles(config: Config, *, scorer: Scorer | None = None,
                   progress: bool = False) -> tuple[IngestResult, pd.DataFrame]:
    """Read ``config.corpus`` and score every article that is not a duplicate (``scorer``: default from ``config``).

    Returns
    -------
    tuple
        ``(ingested, sentences)``: what ingestion gives (articles, skipped),
        its articles marked ``scored`` / ``unscored_reason`` (:func:`mark_scored`),
        and the sentences table (:data:`analysis.schema.SENTENCES`).
    """
    check_config(config)
    # Compiled before the corpus is read (a bad vocabulary fails fast), or taken from the cache.
    scorer = compile_cached(scorer or make_scorer(config), config.cache or None)
    ingested = read_corpus(config.corpus, columns=config.columns or None, metadata=config.metadata,
                           infer_dates=config.infer_dates)
    unique = ingested.articles[ingested.articles["duplicate_of"] == ""]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(unique), desc="scoring", unit="article", leave=False)
    sentences, reasons = score_at_scale(unique, scorer, jobs=config.jobs or None, engine=config.engine,
                                        scheduler=config.scheduler, cache=config.cache or None,
                                        progress=bar.update if bar is not None else None, return_reasons=True)
    if bar is not None:
        bar.close()
    return replace(ingested, articles=mark_scored(ingested.articles, reasons)), sentences


def run(config: Config, *, progress: bool = False) -> Results:
    """Run the pipeline for ``config`` and return every table (nothing is written).

    Raises
    ------
    ConfigError
        A bad setting (:func:`check_config`), before the corpus is read.
    """
    check_config(config)
    scorer = compile_cached(make_scorer(config), config.cache or None)
    ingested, sentences = score_articles(config, scorer=scorer, progress=progress)
    articles = ingested.articles
    per_topic = article_topics(sentences, articles)
    periods = aggregate(per_topic, config.freq, min_articles=config.min_articles, n_boot=config.n_boot, seed=config.seed,
                        stories=story_keys(sentences))
    named = named_periods(config)
    a, b = config.compare.get("a"), config.compare.get("b")
    a = tuple(a) if isinstance(a, list) else a
    b = tuple(b) if isinstance(b, list) else b
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
        changes = detect_changes(headline_periods(measures_table, headline), ALL_TOPICS, column="value", seed=config.seed,
                                 measure=headline)
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


def mark_scored(articles: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """Add ``scored`` and ``unscored_reason`` to the articles table.

    An article is scored when the scorer read its sentences; a duplicate is
    not (its original was), nor one the prefilter set aside (``reasons``, from
    :func:`~analysis.engine.pool.score_at_scale`).

    Returns
    -------
    pandas.DataFrame
        ``articles`` with the columns of :data:`~analysis.schema.SCORED_ARTICLES`.
    """
    duplicate = articles["duplicate_of"] != ""
    reason_of = reasons.to_dict()
    reason = pd.Series([reason_of.get(a, "") for a in articles["article_id"]], index=articles.index, dtype=object)
    reason = reason.where(~duplicate, "duplicate of " + articles["duplicate_of"].astype(str))
    marked = articles.assign(scored=reason == "", unscored_reason=reason)
    return check(marked, SCORED_ARTICLES, "articles")


def named_periods(config: Config) -> dict[str, object]:
    """The config's named periods as :func:`analysis.dynamics.parse_period` takes them."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in config.named_periods.items()}


def compare(config: Config, a: object, b: object, *, progress: bool = False) -> ComparisonTable:
    """Score ``config.corpus`` and compare periods ``a`` and ``b`` per topic (what ``compare`` prints).

    Returns
    -------
    ComparisonTable
        As :func:`analysis.dynamics.compare_periods`.
    """
    named = named_periods(config)
    check_periods(a, b, named)  # a bad or reversed period fails before the corpus is read
    ingested, sentences = score_articles(config, progress=progress)
    per_topic = article_topics(sentences, ingested.articles)
    table = compare_periods(per_topic, a, b, periods=named, n_boot=config.n_boot, seed=config.seed)
    empty = [label for label, n in ((table.period_a, table["n_a"]), (table.period_b, table["n_b"]))
             if not len(n) or int(n.max()) == 0]
    if empty:
        log.warning("no scored article falls in %s: the comparison has nothing to compare there.", " nor ".join(empty))
    return table


def build_report(results: Results, out: str | Path | None = None, *,
                 command: str = "relationship-dynamics report") -> str:
    """The HTML report of ``results``, with the scorer's validation summary on the bundled dev set.

    Parameters
    ----------
    results
        What :func:`run` returned.
    out
        When given, ``report.html`` is also written into this folder (the
        tables are not: :meth:`Results.write` writes both).
    command
        The command line the manifest names.

    Returns
    -------
    str
        The report, one self-contained HTML page.
    """
    from ..io import check_report_target, output_lock, write_text
    from ..present.report import render_report
    from ..validate import evaluate

    html = render_report(results, evaluate(scorer=None, cache=results.config.cache or None).as_dict(),
                         command=command)
    if out is not None:
        out = Path(out)
        with output_lock(out):
            check_report_target(out / "report.html")
            write_text(out / "report.html", html)
    return html


def stream_periods(result, config: Config) -> pd.DataFrame:
    """The topic × period table of a :func:`analysis.engine.stream.stream` result, as :func:`run` makes it.

    Returns
    -------
    pandas.DataFrame
        :data:`analysis.schema.TOPIC_PERIODS`, from the streamed ``article_topics``.
    """
    return aggregate(result.article_topics, config.freq, min_articles=config.min_articles, n_boot=config.n_boot,
                     seed=config.seed)


def run_stream(config: Config, output: str | Path, *, batch_size: int = 1000,
               progress: Callable[[int], None] | None = None):
    """Stream ``config.corpus`` into the folder ``output`` and add ``topic_periods.csv`` to it.

    Returns
    -------
    analysis.engine.stream.StreamResult
        The folder's tables (read on first use).
    """
    from ..io import csv_text, write_text
    from .stream import stream, stream_lock

    check_config(config)
    # One lock around the run and its topic_periods: another run cannot replace the folder in between.
    with stream_lock(output):
        result = stream(config.corpus, output, scorer=make_scorer(config), columns=config.columns or None,
                        metadata=config.metadata, infer_dates=config.infer_dates, jobs=config.jobs or None,
                        engine=config.engine, scheduler=config.scheduler, cache=config.cache or None,
                        batch_size=batch_size, progress=progress)
        write_text(result.folder / "topic_periods.csv", csv_text(stream_periods(result, config)))
    return result
