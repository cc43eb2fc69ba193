"""Events: the attributed A–B events behind the scores, grouped, counted and weighed per period.

An **event** is a direct sentence (the dyad codebook's: something passes
between the two sides) with its direction (``a_to_b``, ``b_to_a``,
``mutual``) and its quad class (verbal/material × cooperation/conflict), as
event datasets such as GDELT, ICEWS and POLECAT count them — but each one
keeps the sentence it came from.

Each event carries two weights:

- ``goldstein`` — the sentence's Goldstein-weighted cue mass toward the dyad,
  ``cooperation − friction``, capped at ±10 (one sentence is one event, and
  Goldstein's scale ends at ±10): the cues' CAMEO weights, summed as the
  scorer's rules scaled them;
- ``intensity`` — the dyad codebook's −3…+3 for the sentence.

Which of them (and which normalisation) leads the report is not assumed:
:func:`event_study` checks, on dated events from a sourced file, which
measure moves in the expected direction after crises and agreements.

When many articles report the same event, :func:`dyad_events` groups their
sentences into one: same direction, same class, the same cue categories
("near-identical evidence") and published within a day of the group's first
report. Event-weighted measures (``*_unique``) count each group once;
article-weighted ones count every report.

:func:`event_periods` gives every measure per topic (or perspective) ×
period × direction with an article-cluster bootstrap interval and n.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .schema import ALL_TOPICS, EVENT_PERIODS, EVENT_STUDY, EVENTS, QUADS, check
from .stats import (
    bootstrap_means,
    cell_rng,
    cluster_resample_sums,
    percentile_interval,
    period_freq,
    story_keys,
)

__all__ = ["dyad_events", "event_periods", "headline_periods", "event_study", "EventStudy", "MEASURES", "Measure", "HEADLINE_CANDIDATES",
           "DIRECTIONS", "summarize_event_study", "choose_headline", "GOLDSTEIN_CAP", "compare_perspectives"]

GOLDSTEIN_CAP = 10.0
DIRECTIONS = ("all", "a_to_b", "b_to_a", "mutual")
EVENT_QUADS = tuple(q for q in QUADS if q != "none")
CONFLICT_WEIGHT = {"material_conflict": 1.0, "verbal_conflict": 0.5}  # the conflict share's numerator
_CATEGORY = re.compile(r"\(([a-z_]+) [+\-−]?\d")


@dataclass(frozen=True)
class Measure:
    """One event measure: ``numerator / denominator`` of per-article sums (None: a plain total).

    ``sign`` is the direction a cooperation measure should move after an
    agreement (+1), −1 for a conflict measure, 0 for one that is not about
    the relation's tone (volume). ``extensive`` totals grow with the length
    of a window, so the event study compares them per day. ``all_only``
    measures (coverage) are given for all directions together only.
    """

    name: str
    numerator: str
    denominator: str | None
    label: str
    sign: int = 1
    extensive: bool = False
    all_only: bool = False


# The per-article vector columns (see _vectors): has (1 if the article relates
# the pair on the group), s (its dyad sentences), net (sum of their net), then
# per direction e (events), the four classes, g/i (goldstein/intensity sums),
# u (event-weighted events), gu/iu (event-weighted sums), c/cu (conflict weight).
MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("mean_net", "net", "has", "Mean article net (−1…1)"),
    Measure("goldstein_per_article", "g", "has", "Goldstein-weighted events per article"),
    Measure("goldstein_per_sentence", "g", "s", "Goldstein weight per dyad sentence"),
    Measure("goldstein_sum", "g", None, "Goldstein-weighted sum of events", extensive=True),
    Measure("goldstein_sum_unique", "gu", None, "Goldstein-weighted sum, each event once", extensive=True),
    Measure("intensity_per_article", "i", "has", "Intensity (−3…3) summed per article"),
    Measure("intensity_per_sentence", "i", "s", "Mean intensity per dyad sentence (−3…3)"),
    Measure("intensity_sum", "i", None, "Sum of event intensities", extensive=True),
    Measure("intensity_sum_unique", "iu", None, "Sum of event intensities, each event once", extensive=True),
    Measure("conflict_share", "c", "e", "Conflict share ((material + ½ verbal conflict) / events)", sign=-1),
    Measure("conflict_share_unique", "cu", "u", "Conflict share, each event once", sign=-1),
    Measure("n_events", "e", None, "Events (every report)", sign=0, extensive=True),
    Measure("n_unique_events", "u", None, "Events, each once", sign=0, extensive=True),
    Measure("verbal_cooperation", "verbal_cooperation", None, "Verbal cooperation events", sign=0, extensive=True),
    Measure("material_cooperation", "material_cooperation", None, "Material cooperation events", sign=0, extensive=True),
    Measure("verbal_conflict", "verbal_conflict", None, "Verbal conflict events", sign=0, extensive=True),
    Measure("material_conflict", "material_conflict", None, "Material conflict events", sign=0, extensive=True),
    Measure("n_articles", "has", None, "Articles relating the pair", sign=0, extensive=True, all_only=True),
    Measure("n_sentences", "s", None, "Dyad sentences", sign=0, extensive=True, all_only=True),
    Measure("article_share", "has", "N", "Share of the period's articles relating the pair", sign=0, all_only=True),
    Measure("sentence_share", "s", "S", "Share of the period's sentences that are dyad sentences", sign=0,
            all_only=True),
)}
# The measures that say how cooperative the relation is, in the order ties are broken.
HEADLINE_CANDIDATES = ("mean_net", "goldstein_per_article", "goldstein_per_sentence", "goldstein_sum",
                       "goldstein_sum_unique", "intensity_per_article", "intensity_per_sentence", "intensity_sum",
                       "intensity_sum_unique", "conflict_share", "conflict_share_unique")
_DIRECTED = ("e", *EVENT_QUADS, "g", "i", "u", "gu", "iu", "c", "cu")
_VECTOR_COLUMNS = ("has", "s", "net", *(f"{d}:{k}" for d in DIRECTIONS for k in _DIRECTED))


# --------------------------------------------------------------------------- events

def _cue_categories(cue_spans: object, evidence: object) -> str:
    """The sorted cue categories that carry the pair's score: the event's evidence, for grouping."""
    categories: set[str] = set()
    if isinstance(cue_spans, str) and cue_spans:
        try:
            for span in json.loads(cue_spans):
                if len(span) > 4 and span[4] == "dyad" and span[3]:
                    categories.add(str(span[2]))
        except (ValueError, TypeError, IndexError):
            categories = set()
    if not categories and isinstance(evidence, str):
        categories = set(_CATEGORY.findall(evidence))
    return ";".join(sorted(categories))


def dyad_events(sentences: pd.DataFrame, articles: pd.DataFrame | None = None, *, max_gap_days: int = 1) -> pd.DataFrame:
    """The attributed A–B events: one row per direct sentence, grouped into events across articles.

    Parameters
    ----------
    sentences
        The sentences table (``relevance``, ``direction``, ``quad``,
        ``cooperation``, ``friction``, ``intensity``, ``net``, ``topics``).
    articles
        The articles table, for ``published`` (and to leave duplicates out).
    max_gap_days
        Reports of one event are published within this many days of its
        first report.

    Returns
    -------
    pandas.DataFrame
        article_id, sentence, published, topics, direction, source, target,
        quad, goldstein (cooperation − friction, capped at ±10), intensity,
        net, cues (the scored cue categories), story (the article's story
        key), event_id (the first report's ``article_id:sentence``),
        n_reports (articles reporting the event), group_size (its
        sentences), is_event (a quad class other than none). Sorted by
        published, article_id, sentence; undated sentences last, each its
        own event.
    """
    for column in ("relevance", "direction", "quad", "cooperation", "friction", "net", "topics"):
        if column not in sentences:
            raise AnalysisError(f"expected the sentences table (with {column!r}); got columns "
                                f"{', '.join(map(str, sentences.columns))}.")
    direct = sentences[sentences["relevance"] == "direct"]
    if articles is not None and "duplicate_of" in articles:
        direct = direct[direct["article_id"].isin(articles.loc[articles["duplicate_of"] == "", "article_id"])]
    frame = pd.DataFrame({
        "article_id": direct["article_id"].astype(object).to_numpy(), "sentence": direct["sentence"].to_numpy(),
        "topics": direct["topics"].fillna("").astype(object).to_numpy(),
        "direction": direct["direction"].fillna("mutual").replace("", "mutual").astype(object).to_numpy(),
        "source": direct["source"].fillna("").astype(object).to_numpy() if "source" in direct else "",
        "target": direct["target"].fillna("").astype(object).to_numpy() if "target" in direct else "",
        "quad": direct["quad"].fillna("none").astype(object).to_numpy(),
        "goldstein": np.clip((direct["cooperation"] - direct["friction"]).to_numpy(dtype=float), -GOLDSTEIN_CAP,
                             GOLDSTEIN_CAP).round(9),
        "intensity": (direct["intensity"].fillna(0).to_numpy(dtype=float) if "intensity" in direct
                      else np.zeros(len(direct))),
        "net": direct["net"].to_numpy(dtype=float)})
    frame["cues"] = [_cue_categories(c, e) for c, e in zip(
        direct["cue_spans"] if "cue_spans" in direct else [None] * len(direct),
        direct["evidence"] if "evidence" in direct else [None] * len(direct), strict=True)]
    if articles is not None:
        dates = articles.drop_duplicates("article_id").set_index("article_id")["published"]
        frame["published"] = frame["article_id"].map(dates)
    else:
        frame["published"] = pd.NaT
    frame["published"] = pd.to_datetime(frame["published"])
    frame["story"] = frame["article_id"].map(story_keys(sentences)).fillna("").astype(object)
    frame["is_event"] = frame["quad"].isin(EVENT_QUADS)
    frame = frame.sort_values(["published", "article_id", "sentence"], na_position="last").reset_index(drop=True)
    frame["event_id"], frame["n_reports"], frame["group_size"] = _group(frame, max_gap_days)
    return check(frame, EVENTS, "events")


def _group(frame: pd.DataFrame, max_gap_days: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Event ids: same direction, class and cues, within ``max_gap_days`` of the group's first report."""
    ids = [f"{a}:{s}" for a, s in zip(frame["article_id"], frame["sentence"], strict=True)]
    days = frame["published"].to_numpy(dtype="datetime64[D]")
    open_groups: dict[tuple, tuple[np.datetime64, str]] = {}
    for row, key in enumerate(zip(frame["direction"], frame["quad"], frame["cues"], strict=True)):
        if np.isnat(days[row]) or not key[2]:  # undated, or no scored cue to compare: its own event
            continue
        anchor = open_groups.get(key)
        if anchor is not None and (days[row] - anchor[0]).astype(int) <= max_gap_days:
            ids[row] = anchor[1]
        else:
            open_groups[key] = (days[row], ids[row])
    grouped = pd.DataFrame({"event_id": ids, "article_id": frame["article_id"].to_numpy()})
    reports = grouped.groupby("event_id")["article_id"].transform("nunique").to_numpy()
    size = grouped.groupby("event_id")["article_id"].transform("size").to_numpy()
    return ids, reports, size


# --------------------------------------------------------------------------- per-article vectors

def _vectors(events: pd.DataFrame, group_column: str) -> pd.DataFrame:
    """One row per (group, article): the sums every measure is a ratio of."""
    weight = 1.0 / events["group_size"].to_numpy(dtype=float)
    base = pd.DataFrame({
        "group": events[group_column].to_numpy(), "article_id": events["article_id"].to_numpy(),
        "direction": events["direction"].to_numpy(), "has": 1.0, "s": 1.0, "net": events["net"].to_numpy(dtype=float),
        "e": events["is_event"].to_numpy(dtype=float), "g": events["goldstein"].to_numpy(dtype=float),
        "i": events["intensity"].to_numpy(dtype=float)})
    for quad in EVENT_QUADS:
        base[quad] = (events["quad"] == quad).to_numpy(dtype=float)
    base["c"] = events["quad"].map(CONFLICT_WEIGHT).fillna(0.0).to_numpy(dtype=float)
    base["u"] = base["e"] * weight
    base["gu"] = base["g"] * weight
    base["iu"] = base["i"] * weight
    base["cu"] = base["c"] * weight
    keys = ["group", "article_id"]
    shared = base.groupby(keys, sort=True)[["s", "net"]].sum()
    shared.insert(0, "has", 1.0)
    parts = [shared]
    for direction in DIRECTIONS:
        chosen = base if direction == "all" else base[base["direction"] == direction]
        sums = chosen.groupby(keys, sort=True)[list(_DIRECTED)].sum().reindex(shared.index, fill_value=0.0)
        parts.append(sums.add_prefix(f"{direction}:"))
    return pd.concat(parts, axis=1).reset_index()


def _ratio(numerator: np.ndarray, denominator: np.ndarray | float) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (a measure of nothing is undefined, not 0)."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)


def _measure_values(sums: dict[str, np.ndarray], direction: str, population: float, sentences_total: float | None,
                    names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each measure from (resampled) sums; ``sums`` maps vector column → array."""
    values = {}
    for name in names:
        measure = MEASURES[name]
        if measure.all_only and direction != "all":
            continue
        if name == "mean_net":
            continue  # resampled over scored articles, like topic_periods (see event_periods)
        if name == "sentence_share" and not sentences_total:
            continue

        def column(key: str) -> np.ndarray:
            if key in ("has", "s", "net"):
                return sums[key]
            return sums[f"{direction}:{key}"]

        numerator = column(measure.numerator)
        if measure.denominator is None:
            values[name] = numerator
        elif measure.denominator == "N":
            values[name] = _ratio(numerator, float(population))
        elif measure.denominator == "S":
            values[name] = _ratio(numerator, float(sentences_total))
        else:
            values[name] = _ratio(numerator, column(measure.denominator))
    return values


# --------------------------------------------------------------------------- per period

def _population(articles: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """The dated articles that count (not duplicates), with their period."""
    kept = articles[articles["published"].notna()]
    if "duplicate_of" in kept:
        kept = kept[kept["duplicate_of"] == ""]
    return kept.assign(period=kept["published"].dt.to_period(frequency))


def event_periods(events: pd.DataFrame, articles: pd.DataFrame, freq: str = "QE", *, by: str = "topic",
                  groups: pd.DataFrame | None = None, topics: list[str] | None = None,
                  measures: tuple[str, ...] | None = None, sentence_counts: pd.Series | None = None,
                  min_articles: int = 3, n_boot: int = 2000, seed: int = 20240101,
                  confidence: float = 0.95) -> pd.DataFrame:
    """Every event measure per group × period × direction, with an article-cluster bootstrap interval and n.

    Parameters
    ----------
    events
        Output of :func:`dyad_events`.
    articles
        The articles table: the population of each period (dated, not
        duplicates) — the denominator of the coverage shares.
    by
        ``"topic"`` (each sentence's topics, plus ``"all"``), or a column of
        ``groups`` (one row per article_id, e.g. the ``perspective`` from
        :func:`analysis.reference.assign_perspectives`): then each group's
        population is its own articles.
    sentence_counts
        Sentences per article, every article of the corpus (score it with
        the prefilter off), for ``sentence_share``; without it that measure
        is left out.
    n_boot, seed, confidence
        Each resample draws the period's articles with replacement (an
        article with all its sentences), and every measure is recomputed
        from the drawn articles: a percentile interval of the article-cluster
        bootstrap. Mean net resamples the articles with a score, as
        :func:`analysis.aggregate` does (the same draws, the same interval).

    Returns
    -------
    pandas.DataFrame
        One row per group × period × direction × measure, every period
        between the first and last dated article present: ``by`` (topic or
        the group column), direction (all, a_to_b, b_to_a, mutual), period,
        period_start, period_end, measure, value, ci_low, ci_high (NaN below
        two distinct stories: one article, or copies of one story, has no
        interval), n_articles (articles relating the pair in the cell: the
        clusters), n_events (events of the direction), n_stories, thin
        (n_articles < ``min_articles``). Counts of an empty cell are 0 and
        its ratios NaN. Coverage measures (n_articles, n_sentences,
        article_share, sentence_share) are given for direction "all" only.
    """
    frequency = period_freq(freq)
    names = tuple(measures or MEASURES)
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        raise AnalysisError(f"unknown measure(s) {', '.join(unknown)}; known: {', '.join(MEASURES)}.")
    population = _population(articles, frequency)
    columns = [by, *EVENT_PERIODS[1:]]
    if population.empty:
        return pd.DataFrame(columns=columns)
    all_periods = pd.period_range(population["period"].min(), population["period"].max(), freq=frequency)
    dated = events[events["published"].notna() & events["article_id"].isin(population["article_id"])]
    if by == "topic":
        exploded = dated.assign(group=dated["topics"].str.split(";")).explode("group")
        exploded = exploded[exploded["group"].fillna("").astype(bool)]
        units = pd.concat([dated.assign(group=ALL_TOPICS), exploded], ignore_index=True)
        population_groups = None
        found = set(units["group"])
        order = topics or ([ALL_TOPICS] + sorted(found - {ALL_TOPICS}))
    else:
        if groups is None or by not in groups:
            raise AnalysisError(f"event_periods(by={by!r}) needs a groups table with an article_id and a {by!r} column.")
        label = groups.drop_duplicates("article_id").set_index("article_id")[by]
        units = dated.assign(group=dated["article_id"].map(label).fillna("unknown"))
        population_groups = population["article_id"].map(label).fillna("unknown")
        order = topics or sorted(set(population_groups))
    vectors = _vectors(units, "group") if len(units) else pd.DataFrame(columns=["group", "article_id", *_VECTOR_COLUMNS])
    period_of = population.set_index("article_id")["period"]
    if len(vectors):
        vectors["period"] = vectors["article_id"].map(period_of)
    story = dated.drop_duplicates("article_id").set_index("article_id")["story"]
    cells = {key: frame for key, frame in vectors.groupby(["group", "period"], sort=False)} if len(vectors) else {}
    if population_groups is None:
        sizes = population.groupby("period").size()
        sentence_sizes = (population.assign(_n=population["article_id"].map(sentence_counts).fillna(0))
                          .groupby("period")["_n"].sum() if sentence_counts is not None else None)
    else:
        sizes = population.assign(group=population_groups.to_numpy()).groupby(["group", "period"]).size()
        sentence_sizes = (population.assign(group=population_groups.to_numpy(),
                                            _n=population["article_id"].map(sentence_counts).fillna(0))
                          .groupby(["group", "period"])["_n"].sum() if sentence_counts is not None else None)
    vector_columns = [c for c in vectors.columns if c not in ("group", "article_id", "period")]
    rows = []
    for group in order:
        for period in all_periods:
            key = period if population_groups is None else (group, period)
            n_population = int(sizes.get(key, 0))
            n_sentences_total = float(sentence_sizes.get(key, 0)) if sentence_sizes is not None else None
            cell = cells.get((group, period))
            base = {by: group, "period": str(period), "period_start": period.start_time.normalize(),
                    "period_end": period.end_time.normalize()}
            rows += _cell_rows(cell, vector_columns, base, story, n_population, n_sentences_total, names,
                               min_articles, n_boot, cell_rng(seed, "events", group, period), confidence,
                               cell_rng(seed, group, period))
    table = pd.DataFrame(rows, columns=columns)
    for column in ("value", "ci_low", "ci_high"):
        table[column] = table[column].astype(float).round(12)
    return table


def _cell_rows(cell: pd.DataFrame | None, vector_columns: list[str], base: dict, story: pd.Series, n_population: int,
               n_sentences_total: float | None, names: tuple[str, ...], min_articles: int, n_boot: int,
               rng: np.random.Generator, confidence: float, net_rng: np.random.Generator) -> list[dict]:
    n_articles = 0 if cell is None else len(cell)
    stories = 0 if cell is None else int(cell["article_id"].map(story).nunique())
    if cell is None:
        observed = {c: np.array(0.0) for c in vector_columns}
        draws = None
    else:
        matrix = cell[vector_columns].to_numpy(dtype=float)
        observed = dict(zip(vector_columns, matrix.sum(axis=0), strict=True))
        resampled = cluster_resample_sums(matrix, max(n_population, n_articles), n_boot, rng) if stories >= 2 else None
        draws = None if resampled is None else dict(zip(vector_columns, resampled.T, strict=True))
    rows = []
    for direction in DIRECTIONS:
        values = _measure_values(observed, direction, n_population, n_sentences_total, names)
        boot = _measure_values(draws, direction, n_population, n_sentences_total, names) if draws else {}
        n_events = int(round(float(observed.get(f"{direction}:e", 0.0))))
        for name in names:
            if name == "mean_net":
                if direction != "all":
                    continue
                value, low, high = _mean_net(cell, stories, n_boot, net_rng, confidence)
            elif name not in values:
                continue
            else:
                value = float(values[name])
                low, high = (percentile_interval(boot[name], confidence) if name in boot else ([math.nan], [math.nan]))
                low, high = _no_zero_width(float(low[0]), float(high[0]))
            rows.append({**base, "direction": direction, "measure": name, "value": value, "ci_low": low,
                         "ci_high": high, "n_articles": n_articles, "n_events": n_events, "n_stories": stories,
                         "thin": n_articles < min_articles})
    return rows


def _mean_net(cell: pd.DataFrame | None, stories: int, n_boot: int, rng: np.random.Generator,
              confidence: float) -> tuple[float, float, float]:
    if cell is None or cell.empty:
        return math.nan, math.nan, math.nan
    nets = (cell["net"] / cell["s"]).to_numpy(dtype=float)
    value = float(nets.mean())
    if stories < 2:
        return value, math.nan, math.nan
    means = bootstrap_means(nets, n_boot, rng)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return (value, *_no_zero_width(float(low), float(high)))


def _no_zero_width(low: float, high: float) -> tuple[float, float]:
    """An interval of zero width (every resample the same: articles that all agree) says nothing: none is given."""
    return (math.nan, math.nan) if np.isfinite(low) and high - low <= 1e-12 else (low, high)


# --------------------------------------------------------------------------- event study

@dataclass
class EventStudy:
    """The event-study check of the measures (see :func:`event_study`).

    ``table`` has one row per documented event × measure; :meth:`summary_table`
    pools them per measure; :attr:`best` is the measure that most surely
    moved in the expected direction (:func:`choose_headline`).
    """

    table: pd.DataFrame
    post_days: int = 7
    pre_days: int = 45
    gap_days: int = 3
    notes: list[str] = field(default_factory=list)

    def summary_table(self) -> pd.DataFrame:
        return summarize_event_study(self.table)

    @property
    def best(self) -> str:
        return choose_headline(self.summary_table())

    def conf_int(self) -> pd.DataFrame:
        """The interval of each measure's mean signed z over events (a t interval), by measure."""
        return self.summary_table().set_index("measure")[["z_ci_low", "z_ci_high"]]

    def summary(self) -> str:
        lines = [f"Event study: {self.post_days} days from each event against the {self.pre_days} days ending "
                 f"{self.gap_days} days before it (other events' windows left out).",
                 "signed z = (after − before) / bootstrap SE, with the sign a cooperation measure should move "
                 "(crisis −, agreement +).", ""]
        shown = self.summary_table().copy()
        for column in ("hit_rate", "mean_signed_z", "z_ci_low", "z_ci_high"):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:+.2f}")
        lines.append(shown.to_string(index=False))
        lines += ["", f"headline: {self.best}"] + self.notes
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        return (f"<p><b>Event study</b> ({self.post_days} days after vs the {self.pre_days} days before each event). "
                f"Headline: {html.escape(self.best)}</p>" + self.summary_table().to_html(index=False, na_rep=""))


def _window_population(population: pd.DataFrame, days: np.ndarray) -> pd.DataFrame:
    return population[population["day"].isin(days)]


def event_study(events: pd.DataFrame, articles: pd.DataFrame, dates: pd.DataFrame, *,
                measures: tuple[str, ...] = HEADLINE_CANDIDATES + ("n_articles", "article_share"),
                post_days: int = 7, pre_days: int = 45, gap_days: int = 3, n_boot: int = 1000,
                seed: int = 20240101, corpus: str = "") -> EventStudy:
    """Which measure moves, in the expected direction, after documented events?

    For each dated event (:func:`analysis.reference.load_event_dates`) the
    measure is computed, over all topics and directions, on the articles of
    the ``post_days`` days from the event's day and on those of the
    ``pre_days`` quiet days ending ``gap_days`` before it (leaving out days in
    another event's window), and compared: ``difference = after − before``
    (totals per day, so windows of different length compare), its standard
    error from an article-cluster bootstrap of each window, ``z`` their
    ratio and ``signed_z`` the z with the sign the event should give a
    cooperation measure (a crisis −, an agreement +; a conflict measure's
    sign is flipped, so a rise in conflict after a crisis counts as right).
    Events with no article relating the pair in either window are listed
    but not evaluable.

    Returns
    -------
    EventStudy
        ``.table``: corpus, date, kind, label, measure, n_before, n_after
        (articles relating the pair), value_before, value_after,
        difference, se, z, signed_z, right (the move had the expected
        sign), evaluable.
    """
    population = articles[articles["published"].notna()]
    if "duplicate_of" in population:
        population = population[population["duplicate_of"] == ""]
    population = population.assign(day=population["published"].dt.normalize())
    dated_events = events[events["published"].notna()]
    units = dated_events.assign(group=ALL_TOPICS)
    vectors = (_vectors(units, "group") if len(units) else
               pd.DataFrame(columns=["group", "article_id", *_VECTOR_COLUMNS])).set_index("article_id")
    story = dated_events.drop_duplicates("article_id").set_index("article_id")["story"]
    vector_columns = [c for c in vectors.columns if c != "group"]
    event_days = [pd.date_range(d, periods=post_days, freq="D") for d in dates["date"]]
    rows = []
    for index, event in enumerate(dates.itertuples()):
        after_days = event_days[index]
        before = pd.date_range(event.date - pd.Timedelta(days=gap_days + pre_days), periods=pre_days, freq="D")
        others = set().union(*(set(d) for j, d in enumerate(event_days) if j != index)) if len(event_days) > 1 else set()
        before_days = pd.DatetimeIndex([d for d in before if d not in others])
        windows = {}
        for name, days in (("before", before_days), ("after", after_days)):
            members = _window_population(population, days.to_numpy())
            ids = [a for a in members["article_id"] if a in vectors.index] if len(vectors) else []
            matrix = vectors.loc[ids, vector_columns].to_numpy(dtype=float) if ids else np.zeros((0, len(vector_columns)))
            windows[name] = (matrix, len(members), max(len(days), 1), len(ids),
                             int(pd.Series(ids, dtype=object).map(story).nunique()) if ids else 0)
        rng = cell_rng(seed, "event-study", corpus, str(event.date.date()))
        boot = {name: (cluster_resample_sums(m, max(n, k), n_boot, rng) if k else None)
                for name, (m, n, _, k, _) in windows.items()}
        for measure_name in measures:
            measure = MEASURES[measure_name]
            stats = {}
            for name, (matrix, n_population, n_days, _n_articles, _n_stories) in windows.items():
                observed = dict(zip(vector_columns, matrix.sum(axis=0), strict=True))
                draws = dict(zip(vector_columns, boot[name].T, strict=True)) if boot[name] is not None else None
                stats[name] = _window_value(measure, observed, draws, matrix, vector_columns, n_population, n_days,
                                            n_boot, rng)
            (value_b, draws_b), (value_a, draws_a) = stats["before"], stats["after"]
            difference = value_a - value_b
            se = math.nan
            if draws_a is not None and draws_b is not None:
                diffs = draws_a - draws_b
                diffs = diffs[np.isfinite(diffs)]
                if len(diffs) >= n_boot // 2:
                    se = float(np.std(diffs, ddof=1))
            z = difference / se if np.isfinite(difference) and se > 0 else math.nan
            expected = event.sign * measure.sign
            signed = z * expected if expected else math.nan
            rows.append({"corpus": corpus, "date": event.date, "kind": event.kind, "label": event.label,
                         "measure": measure_name, "n_before": windows["before"][3], "n_after": windows["after"][3],
                         "value_before": value_b, "value_after": value_a, "difference": difference, "se": se, "z": z,
                         "signed_z": signed,
                         "right": bool(expected and np.isfinite(difference) and difference * expected > 0),
                         "evaluable": bool(np.isfinite(z))})
    table = pd.DataFrame(rows, columns=list(EVENT_STUDY))
    for column in ("value_before", "value_after", "difference", "se", "z", "signed_z"):
        table[column] = table[column].astype(float).round(9)
    return EventStudy(check(table, EVENT_STUDY, "event_study"), post_days=post_days, pre_days=pre_days,
                      gap_days=gap_days)


def _window_value(measure: Measure, observed: dict, draws: dict | None, matrix: np.ndarray, columns: list[str],
                  n_population: int, n_days: int, n_boot: int, rng: np.random.Generator) -> tuple[float, np.ndarray | None]:
    """A measure's value on one window and its bootstrap draws (totals per day)."""
    if measure.name == "mean_net":
        if not len(matrix):
            return math.nan, None
        nets = matrix[:, columns.index("net")] / matrix[:, columns.index("s")]
        return float(nets.mean()), bootstrap_means(nets, n_boot, rng)
    scale = n_days if measure.extensive else 1
    value = _measure_values(observed, "all", n_population, None, (measure.name,)).get(measure.name)
    value = math.nan if value is None else float(value) / scale
    if draws is None:
        return value, None
    boot = _measure_values(draws, "all", n_population, None, (measure.name,)).get(measure.name)
    return value, (None if boot is None else np.asarray(boot, dtype=float) / scale)


def summarize_event_study(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per measure: events evaluated, moves in the expected direction, and the mean signed z.

    Returns
    -------
    pandas.DataFrame
        measure, n_events (evaluable), n_right, hit_rate, mean_signed_z,
        z_ci_low, z_ci_high (a t interval over events), in the order of
        :data:`HEADLINE_CANDIDATES` then the rest; volume measures (no
        expected sign) report how often they rose.
    """
    from scipy import stats

    rows = []
    order = [m for m in HEADLINE_CANDIDATES if m in set(table["measure"])] + \
        [m for m in dict.fromkeys(table["measure"]) if m not in HEADLINE_CANDIDATES]
    for name in order:
        frame = table[(table["measure"] == name) & table["evaluable"]]
        n = len(frame)
        directional = MEASURES[name].sign != 0
        if directional:
            signed = frame["signed_z"].clip(-5, 5).to_numpy(dtype=float)
            right = int(frame["right"].sum())
        else:  # volume: did it rise after the event?
            signed = frame["z"].clip(-5, 5).to_numpy(dtype=float)
            right = int((frame["difference"] > 0).sum())
        mean = float(signed.mean()) if n else math.nan
        low = high = math.nan
        if n >= 2:
            half = stats.t.ppf(0.5 + confidence / 2, n - 1) * signed.std(ddof=1) / math.sqrt(n)
            low, high = mean - half, mean + half
        rows.append({"measure": name, "n_events": n, "n_right": right, "hit_rate": right / n if n else math.nan,
                     "mean_signed_z": mean, "z_ci_low": low, "z_ci_high": high, "directional": directional})
    return pd.DataFrame(rows, columns=["measure", "n_events", "n_right", "hit_rate", "mean_signed_z", "z_ci_low",
                                       "z_ci_high", "directional"])


def choose_headline(summary: pd.DataFrame, *, min_events: int = 5, default: str = "mean_net") -> str:
    """The cooperation measure that most surely moves the expected way at documented events.

    The criterion is the lower end of the 95% interval of its mean signed z
    over at least ``min_events`` evaluable events: a measure that moves the
    expected way consistently beats one that moves a lot at a few events and
    the wrong way at others. Ties go to the higher mean, then to the order of
    :data:`HEADLINE_CANDIDATES`; with too few events, the default (mean net).
    """
    frame = summary[summary["measure"].isin(HEADLINE_CANDIDATES) & (summary["n_events"] >= min_events)
                    & summary["mean_signed_z"].notna()]
    if "z_ci_low" in frame:
        frame = frame[frame["z_ci_low"].notna()]
    if frame.empty:
        return default
    rank = {m: i for i, m in enumerate(HEADLINE_CANDIDATES)}
    low = frame["z_ci_low"] if "z_ci_low" in frame else frame["mean_signed_z"]
    ordered = sorted(zip(frame["measure"], low, frame["mean_signed_z"], strict=True),
                     key=lambda r: (-round(r[1], 9), -round(r[2], 9), rank[r[0]]))
    return str(ordered[0][0])


# --------------------------------------------------------------------------- perspectives

def _intensive(measure: str) -> str:
    """A total's per-article version: comparing totals across outlets compares their output, not their tone."""
    return {"goldstein_sum": "goldstein_per_article", "goldstein_sum_unique": "goldstein_per_article",
            "intensity_sum": "intensity_per_article", "intensity_sum_unique": "intensity_per_article"}.get(measure, measure)


def _statistic(measure: Measure, sums: np.ndarray, columns: list[str]) -> np.ndarray:
    """A measure from sums over articles (rows of ``sums``: draws)."""
    index = {c: i for i, c in enumerate(columns)}
    if measure.name == "mean_net":
        return _ratio(sums[..., index["_article_net"]], sums[..., index["has"]])

    def column(key: str) -> np.ndarray:
        return sums[..., index[key if key in ("has", "s", "net") else f"all:{key}"]]

    return _ratio(column(measure.numerator), column(measure.denominator)) if measure.denominator else column(measure.numerator)


def compare_perspectives(events: pd.DataFrame, articles: pd.DataFrame, perspectives: pd.DataFrame, *,
                         measure: str = "mean_net", by: str = "perspective", freq: str = "QE", min_articles: int = 3,
                         n_boot: int = 2000, n_perm: int = 2000, seed: int = 20240101,
                         confidence: float = 0.95) -> pd.DataFrame:
    """Do outlets of different perspectives describe the relation differently, on the same periods?

    Every pair of perspectives with at least ``min_articles`` articles
    relating the pair is compared on the periods where both have such an
    article: ``difference = value_b − value_a`` of the measure over those
    articles (a total is compared per article). The interval is a bootstrap
    resampling articles within each perspective and period; the p-value a
    permutation test shuffling the perspective labels among the articles of
    each period (so a perspective that reports mostly in a tense period is
    not mistaken for a tense perspective), ``(k + 1) / (n_perm + 1)``;
    p-values are Benjamini–Hochberg adjusted across the pairs. Articles of
    unknown outlets are left out.

    Returns
    -------
    pandas.DataFrame
        perspective_a, perspective_b, measure, periods (first…last shared
        period), n_periods, n_a, n_b (articles), value_a, value_b,
        difference, ci_low, ci_high, p_value, p_adjusted.
    """
    from statsmodels.stats.multitest import multipletests

    from .schema import PERSPECTIVE_COMPARISONS

    chosen = MEASURES[_intensive(measure)]
    frequency = period_freq(freq)
    labels = perspectives.drop_duplicates("article_id").set_index("article_id")[by]
    dated = events[events["published"].notna()]
    if "duplicate_of" in articles:
        dated = dated[dated["article_id"].isin(articles.loc[articles["duplicate_of"] == "", "article_id"])]
    columns_out = list(PERSPECTIVE_COMPARISONS)
    if dated.empty:
        return pd.DataFrame(columns=columns_out)
    vectors = _vectors(dated.assign(group=ALL_TOPICS), "group")
    vectors["_article_net"] = (vectors["net"] / vectors["s"]).round(9)
    vectors["label"] = vectors["article_id"].map(labels).fillna("unknown")
    vectors["period"] = vectors["article_id"].map(dated.drop_duplicates("article_id").set_index("article_id")["published"]
                                                  .dt.to_period(frequency))
    vectors = vectors[vectors["label"] != "unknown"]
    columns = [c for c in vectors.columns if c not in ("group", "article_id", "label", "period")]
    counts = vectors["label"].value_counts()
    kept = sorted(counts[counts >= min_articles].index)
    rows = []
    for i, first in enumerate(kept):
        for second in kept[i + 1:]:
            pair = vectors[vectors["label"].isin([first, second])]
            shared = pair.groupby("period")["label"].nunique()
            shared = shared[shared == 2].index
            pair = pair[pair["period"].isin(shared)]
            row = {"perspective_a": first, "perspective_b": second, "measure": chosen.name,
                   "periods": f"{min(shared)}…{max(shared)}" if len(shared) else "",
                   "n_periods": len(shared), "n_a": int((pair["label"] == first).sum()),
                   "n_b": int((pair["label"] == second).sum()), "value_a": math.nan, "value_b": math.nan,
                   "difference": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan}
            if row["n_a"] and row["n_b"]:
                rng = cell_rng(seed, "perspectives", first, second, chosen.name)
                matrix = pair[columns].to_numpy(dtype=float)
                is_b = (pair["label"] == second).to_numpy()
                value_a = float(_statistic(chosen, matrix[~is_b].sum(axis=0), columns))
                value_b = float(_statistic(chosen, matrix[is_b].sum(axis=0), columns))
                row.update(value_a=value_a, value_b=value_b, difference=value_b - value_a)
                if row["n_a"] >= 2 and row["n_b"] >= 2:
                    strata = pair["period"].astype(str).to_numpy()
                    boot_a, boot_b = np.zeros((n_boot, len(columns))), np.zeros((n_boot, len(columns)))
                    perm_b, perm_a = np.zeros((n_perm, len(columns))), np.zeros((n_perm, len(columns)))
                    for stratum in np.unique(strata):
                        inside = strata == stratum
                        for side, boot in ((~is_b & inside, boot_a), (is_b & inside, boot_b)):
                            block = matrix[side]
                            if len(block):
                                boot += cluster_resample_sums(block, len(block), n_boot, rng)
                        block, flags = matrix[inside], is_b[inside]
                        shuffled = rng.permuted(np.tile(flags, (n_perm, 1)), axis=1)
                        perm_b += shuffled.astype(float) @ block
                        perm_a += (~shuffled).astype(float) @ block
                    diffs = _statistic(chosen, boot_b, columns) - _statistic(chosen, boot_a, columns)
                    low, high = percentile_interval(diffs, confidence)
                    row.update(ci_low=float(low[0]), ci_high=float(high[0]))
                    null = _statistic(chosen, perm_b, columns) - _statistic(chosen, perm_a, columns)
                    null = null[np.isfinite(null)]
                    if np.isfinite(row["difference"]) and len(null):
                        k = int((np.abs(null) >= abs(row["difference"]) - 1e-12).sum())
                        row["p_value"] = (k + 1) / (len(null) + 1)
            rows.append(row)
    table = pd.DataFrame(rows, columns=[c for c in columns_out if c != "p_adjusted"])
    table["p_adjusted"] = math.nan
    tested = table["p_value"].notna()
    if tested.any():
        table.loc[tested, "p_adjusted"] = multipletests(table.loc[tested, "p_value"], method="fdr_bh")[1]
    for column in ("value_a", "value_b", "difference", "ci_low", "ci_high", "p_value", "p_adjusted"):
        table[column] = table[column].astype(float).round(12)
    return check(table, PERSPECTIVE_COMPARISONS, "perspective_comparisons")


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
