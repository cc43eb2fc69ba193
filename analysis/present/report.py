"""The self-contained HTML report and the data files behind it.

Rendered from ``analysis/present/templates/report.html.j2`` with Jinja2 autoescaping
on: every title, sentence, source and URL from the corpus reaches the page
escaped, only http(s) URLs become links, and chart data is embedded as JSON
with ``<``, ``>`` and ``&`` escaped so no article text can close a script.
Two runs on the same input give the same bytes: no timestamps, fixed chart
ids, seeded statistics.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from ..schema import ALL_TOPICS
from ..vocab import NOT_A_CUE
from .chartdata import topic_label

__all__ = ["render_report", "highlight", "safe_url", "manifest"]

VENDORED_PLOTLY_VERSION = "4.1.1"


def plotly_js() -> str:
    """plotly.js to inline: the vendored cartesian bundle when it matches plotly.py's version."""
    from importlib import resources

    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    if get_plotlyjs_version() == VENDORED_PLOTLY_VERSION:
        return (resources.files("analysis.present") / "vendor" / "plotly-cartesian.min.js").read_text(encoding="utf-8")
    return get_plotlyjs()
_DEPENDENCIES = ("pandas", "numpy", "matplotlib", "plotly", "statsmodels", "vaderSentiment", "PyYAML", "Jinja2",
                 "python-dateutil", "charset-normalizer", "lxml", "pyahocorasick", "ruptures", "pyarrow", "scipy")


def safe_url(url: object) -> str | None:
    """The URL if it is a plain http(s) URL, else None (never a javascript: or data: link)."""
    if not isinstance(url, str):
        return None
    value = url.strip()
    lowered = value.lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return None
    if any(c in value for c in '<>"\'` \n\r\t'):
        return None
    return value


def highlight(text: str, cue_spans: str | list) -> Markup:
    """The sentence, escaped, with each cue wrapped in ``<mark>`` by its polarity and scope."""
    spans = json.loads(cue_spans) if isinstance(cue_spans, str) and cue_spans else (cue_spans or [])
    out, position = [], 0
    for start, end, category, weight, scope, *_ in sorted(spans, key=lambda s: (s[0], s[1])):
        if start < position:
            continue
        cls = "t" if scope == "third_party" else ("c" if weight > 0 else "f" if weight < 0 else "t")
        out.append(escape(text[position:start]))
        title = f"{category} {weight:+.2f}" + (" (third party)" if scope == "third_party" else "")
        out.append(Markup('<mark class="{}" title="{}">{}</mark>').format(cls, title, text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def _model_note(scorer) -> str:
    """What the learned part of the scorer is in this run, with its cross-validated scores."""
    model = scorer.model_
    if model is None:
        return "No learned model was used in this run (--model none): direct and net come from the rules alone."
    meta = model.metadata
    return (f"Where the rules run out, a linear model trained on {meta.get('n_sentences', '?')} coded real-news "
            f"sentences ({meta.get('trained_on', '')}) decides whether a sentence is direct (threshold "
            f"{model.threshold:.2f}; cross-validated F1 {meta.get('detection_f1_cv', '?')}) and gives a direct "
            f"sentence its intensity on the codebook's −3…+3 (net = intensity / 3; cross-validated Spearman rho "
            f"{meta.get('intensity_spearman_cv', '?')}); the cues stay the evidence, and each sentence lists the "
            f"model's largest terms.")


def _lead(text: str, words: int = 12) -> str:
    """The first words of an untitled article, to stand in for its title."""
    lead = " ".join(str(text).split()[:words])
    return f"{lead}…" if lead else ""


def _fmt(value: object, spec: str = "+.2f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format(value, spec)


def _ci(low: object, high: object) -> str:
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return ""
    return f"[{low:+.2f}, {high:+.2f}]"


def manifest(results, command: str) -> dict:
    """Package and dependency versions, hashes of vocabularies, config and every input article."""
    from .. import __version__

    scorer = results.scorer
    versions = {}
    for name in _DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    files = {"dyad": scorer.dyad_, "taxonomy": scorer.taxonomy_, "lexicon": scorer.lexicon_,
             "modifiers": scorer.modifiers_, "scorer settings": scorer.settings_}
    lines = [f"relationship-dynamics {__version__}", f"python {sys.version.split()[0]} ({platform.machine()})",
             f"command: {command}", ""]
    lines += [f"{name} {version}" for name, version in versions.items()]
    lines.append("")
    for label, item in files.items():
        lines.append(f"{label}: {Path(item.path).name} sha256 {item.sha256}")
    config_path = results.config.path
    if config_path and Path(config_path).exists():
        lines.append(f"config: {Path(config_path).name} sha256 {hashlib.sha256(Path(config_path).read_bytes()).hexdigest()}")
    if results.metadata_path:
        lines.append(f"metadata: {Path(results.metadata_path).name} sha256 "
                     f"{hashlib.sha256(Path(results.metadata_path).read_bytes()).hexdigest()}")
    lines.append(f"scorer fingerprint: {scorer.fingerprint()}")
    lines.append("")
    lines.append("input articles (path, line, content sha256):")
    for row in results.articles.itertuples():
        where = f"{row.path}:{row.line}" if pd.notna(row.line) else row.path
        lines.append(f"  {where} {row.content_hash}")
    return {"version": __version__, "text": "\n".join(lines)}


def _chart_json(fig) -> Markup:
    import plotly.io as pio

    payload = pio.to_json(fig, validate=False, pretty=False, engine="json")
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    payload = payload.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(payload)


_QUALITY_PAGE = 50  # entries listed per data-quality list; the count is always the full count


def _where(row) -> str:
    """An article's place in the input: file, and row for a table."""
    return f"{row.path}:{int(row.line)}" if pd.notna(row.line) else str(row.path)


def _entry(row, text: str | None = None) -> str:
    title = (row.title or _lead(row.text, 8) or "").strip()
    label = _where(row) + (f" — {title[:80]}" if title else "")
    return label + (f" ({text})" if text else "")


def _page(items: list[str]) -> dict:
    return {"total": len(items), "shown": items[:_QUALITY_PAGE], "more": max(0, len(items) - _QUALITY_PAGE)}


def _no_score_reasons(articles: pd.DataFrame, sentences: pd.DataFrame, relevant_ids: set, side_labels: dict) -> dict:
    """Why an article has no score: which sides it names, and whether ever in one sentence.

    An article the scorer's prefilter set aside has no sentence rows; its reason is the
    prefilter's (``unscored_reason``, :func:`analysis.engine.pipeline.mark_scored`).
    """
    unique = articles[(articles["duplicate_of"] == "") & ~articles["article_id"].isin(relevant_ids)]
    named = sentences[sentences["sides"].fillna("") != ""][["article_id", "sides"]]
    per_article: dict[str, set] = {}
    together: set = set()
    for article_id, sides in zip(named["article_id"], named["sides"], strict=True):
        ids = set(sides.split(";"))
        per_article.setdefault(article_id, set()).update(ids)
        if len(ids & set(side_labels)) == 2:
            together.add(article_id)
    groups: dict[str, list[str]] = {}
    for row in unique.itertuples():
        sides = per_article.get(row.article_id, set()) & set(side_labels)
        reason = row.unscored_reason
        if reason:
            pass
        elif not sides:
            reason = "names neither side"
        elif len(sides) == 1:
            reason = f"names only {side_labels[next(iter(sides))]}"
        elif row.article_id in together:
            reason = "names both sides in a sentence, but nothing passes between them there (context)"
        else:
            reason = "names both sides, never in the same sentence (a co-mention)"
        groups.setdefault(reason, []).append(_entry(row))
    order = sorted(groups, key=lambda r: (-len(groups[r]), r))
    n_unscored = int((~unique["scored"]).sum())
    return {"total": len(unique), "unscored": n_unscored,
            "reasons": [{"reason": r, **_page(groups[r])} for r in order]}


def _event_evidence(results) -> dict:
    """The headline choice and its event-study numbers, for the Method section (from data, not written in)."""
    from ..events import MEASURES

    evidence = results.headline_evidence
    rows = []
    if evidence is not None and len(evidence):
        for r in evidence.itertuples():
            rows.append({"measure": r.measure, "label": MEASURES[r.measure].label if r.measure in MEASURES else r.measure,
                         "n": int(r.n_events), "right": int(r.n_right), "hit": _fmt(r.hit_rate, ".0%"),
                         "z": _fmt(r.mean_signed_z), "ci": _ci(r.z_ci_low, r.z_ci_high),
                         "directional": bool(r.directional), "chosen": r.measure == results.headline})
    run_rows, run_events = [], []
    study = results.event_study
    if study is not None and len(study.table):
        summary = study.summary_table()
        for r in summary.itertuples():
            run_rows.append({"label": MEASURES[r.measure].label if r.measure in MEASURES else r.measure,
                             "n": int(r.n_events), "right": int(r.n_right), "hit": _fmt(r.hit_rate, ".0%"),
                             "z": _fmt(r.mean_signed_z), "chosen": r.measure == results.headline})
        chosen = study.table[study.table["measure"] == results.headline]
        for r in chosen.itertuples():
            run_events.append({"date": str(r.date.date()), "kind": r.kind, "label": r.label,
                               "n_before": int(r.n_before), "n_after": int(r.n_after),
                               "before": _fmt(r.value_before, ".3f"), "after": _fmt(r.value_after, ".3f"),
                               "z": _fmt(r.z), "verdict": ("right direction" if r.right else "wrong direction")
                               if r.evaluable else "not evaluable (no article in a window)"})
    dates = results.event_dates
    sources = [] if dates is None else [{"date": str(d.date.date()), "kind": d.kind, "label": d.label,
                                         "source": d.source, "url_safe": safe_url(d.source)} for d in dates.itertuples()]
    corpora = list(evidence.attrs.get("corpora", [])) if evidence is not None else []
    from ..events import EventStudy

    windows = study if study is not None else EventStudy(pd.DataFrame())
    return {"rows": rows, "run_rows": run_rows, "run_events": run_events, "sources": sources, "corpora": corpora,
            "n_dates": 0 if dates is None else len(dates), "study_post": windows.post_days,
            "study_pre": windows.pre_days, "study_gap": windows.gap_days}


def render_report(results, evaluation: dict, *, command: str = "relationship-dynamics report") -> str:
    """The report as one HTML string (see the module docstring)."""
    from ..events import MEASURES, headline_periods
    from .chartdata import plural
    from .charts import (
        chart_articles,
        chart_changes,
        chart_comparison,
        chart_crosscorrelation,
        chart_directed,
        chart_events,
        chart_heatmap,
        chart_mass,
        chart_measure,
        chart_perspectives,
    )

    env = Environment(loader=PackageLoader("analysis.present", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      keep_trailing_newline=True)
    env.filters["plural"] = lambda n, word, many=None: plural(int(n), word, many)
    template = env.get_template("report.html.j2")
    labels = results.topic_labels
    articles = results.articles
    sentences = results.sentences
    per_topic = results.article_topics
    periods = results.topic_periods
    scorer = results.scorer
    config = results.config
    headline = results.headline
    measures_table = results.event_periods
    headline_label = MEASURES[headline].label
    side_labels = {side.id: side.label for side in scorer.dyad_.sides}
    sides = tuple(side.label for side in scorer.dyad_.sides)

    dated = articles["published"].dropna()
    all_rows = per_topic[per_topic["topic"] == ALL_TOPICS]
    sources = sorted({s for s in articles["source"] if s})
    events = results.events
    n_events = int(events["is_event"].sum()) if events is not None else 0
    n_unique = int(events.loc[events["is_event"], "event_id"].nunique()) if events is not None else 0
    summary = {
        "n_articles": len(articles), "n_duplicates": int((articles["duplicate_of"] != "").sum()),
        "n_undated": int(articles["published"].isna().sum()), "n_scored": int(all_rows["net"].notna().sum()),
        "n_sentences": len(sentences), "n_relevant": int((sentences["weight"] > 0).sum()),
        "overall": float(all_rows["net"].mean()) if all_rows["net"].notna().any() else 0.0,
        "first": str(dated.min().date()) if len(dated) else "", "last": str(dated.max().date()) if len(dated) else "",
        "n_sources": len(sources), "sources": sources[:12] + (["…"] if len(sources) > 12 else []),
        "n_events": n_events, "n_unique_events": n_unique,
    }

    def latest_rows(frame: pd.DataFrame, value: str) -> list[dict]:
        sign = (MEASURES[headline].sign or 1) if value == "value" else 1  # a rise in conflict share is friction
        rows = []
        for topic, cells in frame[frame["n_articles"] > 0].groupby("topic", sort=False):
            cells = cells.sort_values("period_start")
            last = cells.iloc[-1]
            prev = cells.iloc[-2] if len(cells) > 1 else None
            change = (last[value] - prev[value]) if prev is not None else math.nan
            spec = ".3f" if value == "value" else "+.2f"
            rows.append({
                "label": topic_label(topic, labels), "last_period": last["period"], "last_mean": _fmt(last[value], spec),
                "last_ci": _ci(last["ci_low"], last["ci_high"]), "last_n": int(last["n_articles"]),
                "last_thin": bool(last["thin"]), "prev_period": prev["period"] if prev is not None else "—",
                "prev_mean": _fmt(prev[value], spec) if prev is not None else "",
                "prev_ci": _ci(prev["ci_low"], prev["ci_high"]) if prev is not None else "",
                "prev_n": int(prev["n_articles"]) if prev is not None else "",
                "prev_thin": bool(prev["thin"]) if prev is not None else False,
                "change": _fmt(change, "+.3f" if value == "value" else "+.2f"),
                "change_class": "pos" if change * sign > 0 else "neg" if change * sign < 0 else ""})
        return rows

    headline_table = headline_periods(measures_table, headline)
    headlines = latest_rows(headline_table, "value")
    net_headlines = latest_rows(periods, "mean_net") if headline != "mean_net" else []

    comparisons = results.comparisons
    tested = comparisons[comparisons["difference"].notna()]
    biggest = ""
    if len(tested):
        top = tested.loc[tested["difference"].abs().idxmax()]
        biggest = (f"{topic_label(top['topic'], labels)}, {top['mean_a']:+.2f} → {top['mean_b']:+.2f} "
                   f"(difference {top['difference']:+.2f}"
                   + (f", 95% CI {_ci(top['ci_low'], top['ci_high'])}, BH-adjusted p {top['p_adjusted']:.3f}" if pd.notna(top['ci_low']) else ", too few articles for an interval")
                   + f"; n = {int(top['n_a'])} vs {int(top['n_b'])} articles).")

    article_label = {row.article_id: (row.title or _lead(row.text, 8) or row.path)[:70] for row in articles.itertuples()}
    relevant = sentences[sentences["weight"] > 0]
    charts = []
    topic_sections = []
    trends = results.trends.set_index("topic")
    others = [m for m in ("mean_net", "intensity_per_sentence", "goldstein_per_article", "conflict_share", "n_events",
                          "n_unique_events", "article_share") if m != headline]
    with_articles = set(headline_table.loc[headline_table["n_articles"] > 0, "topic"])
    order = [ALL_TOPICS] + [t for t in scorer.taxonomy_.ids]
    empty_topics = [topic_label(t, labels) for t in order[1:] if t not in with_articles]
    for index, topic in enumerate(order):
        if topic not in with_articles:
            continue
        chart_id = f"chart-topic-{index}"
        charts.append({"id": chart_id, "json": _chart_json(chart_measure(measures_table, topic, [headline, *others],
                                                                         labels=labels, style_index=index))})
        on_topic = relevant if topic == ALL_TOPICS else relevant[relevant["topics"].str.split(";").map(lambda ts, t=topic: t in ts)]
        def pick(frame, ascending):
            frame = frame[frame["net"] > 0] if not ascending else frame[frame["net"] < 0]
            frame = frame.assign(_strength=(frame["net"] * frame["weight"]).abs()).sort_values(
                ["_strength", "article_id", "sentence"], ascending=[False, True, True]).head(3)
            return [{"html": highlight(r.text, r.cue_spans), "article_id": r.article_id,
                     "article_label": article_label.get(r.article_id, r.article_id), "net": f"{r.net:+.2f}"}
                    for r in frame.itertuples()]
        trend_row = trends.loc[topic] if topic in trends.index else None
        if trend_row is not None and pd.notna(trend_row["slope_per_year"]):
            trend_text = (f"{trend_row['slope_per_year']:+.3f} per year, 95% CI {_ci(trend_row['ci_low'], trend_row['ci_high'])} "
                          f"(OLS, Newey–West errors, {int(trend_row['maxlags'])} lags; n = {plural(int(trend_row['n_articles']), 'article')})")
        else:
            n = int(trend_row["n_articles"]) if trend_row is not None else 0
            trend_text = f"not estimated (n = {plural(n, 'article')}; needs at least 10 dated articles on more than one day)"
        changes_text = ""
        if topic == ALL_TOPICS:
            if len(results.changes):
                changes_text = f"Change points in {headline_label.lower()}: " + "; ".join(
                    f"{r.break_period} (95% interval {r.ci_low}–{r.ci_high}, {r.mean_before:+.3f} → {r.mean_after:+.3f}, "
                    f"support {r.support:.0%})" for r in results.changes.itertuples())
            else:
                changes_text = results.changes_note
        n_topic = int(per_topic[(per_topic["topic"] == topic)]["net"].notna().sum())
        topic_sections.append({"id": topic, "label": topic_label(topic, labels), "chart_id": chart_id,
                               "n_articles": n_topic, "n_articles_text": plural(n_topic, "article"),
                               "trend": trend_text, "changes": changes_text,
                               "cooperation": pick(on_topic, False), "friction": pick(on_topic, True)})
    charts.append({"id": "chart-changes", "json": _chart_json(chart_changes(periods, results.changes, note=results.changes_note,
                                                                            labels=labels, event_periods=measures_table,
                                                                            measure=headline))})
    charts.append({"id": "chart-mass", "json": _chart_json(chart_mass(periods))})
    charts.append({"id": "chart-articles", "json": _chart_json(chart_articles(per_topic, articles, sentences,
                                                                             max_points=config.report_max_points))})
    charts.append({"id": "chart-heatmap", "json": _chart_json(chart_heatmap(headline_table, labels=labels, column="value",
                                                                            measure=headline))})
    charts.append({"id": "chart-comparison", "json": _chart_json(chart_comparison(comparisons, labels=labels))})
    charts.append({"id": "chart-events", "json": _chart_json(chart_events(measures_table))})
    charts.append({"id": "chart-directed", "json": _chart_json(chart_directed(measures_table, headline, sides=sides))})
    directed = results.directed
    if directed is not None:
        charts.append({"id": "chart-xcorr", "json": _chart_json(chart_crosscorrelation(directed.table, sides=sides))})
    if results.perspective_periods is not None:
        charts.append({"id": "chart-perspectives",
                       "json": _chart_json(chart_perspectives(results.perspective_periods, headline))})

    comparison = {
        "period_a": comparisons.period_a, "period_b": comparisons.period_b,
        "method": getattr(comparisons, "method", ""), "note": results.comparison_note,
        "empty": [label for label, n in ((comparisons.period_a, int(comparisons["n_a"].max()) if len(comparisons) else 0),
                                         (comparisons.period_b, int(comparisons["n_b"].max()) if len(comparisons) else 0))
                  if n == 0],
        "rows": [{"label": topic_label(r.topic, labels), "n_a": r.n_a, "n_b": r.n_b, "mean_a": _fmt(r.mean_a),
                  "mean_b": _fmt(r.mean_b), "difference": _fmt(r.difference), "ci": _ci(r.ci_low, r.ci_high),
                  "p": _fmt(r.p_value, ".3f"), "p_adj": _fmt(r.p_adjusted, ".3f"), "g": _fmt(r.effect_size),
                  "significant": bool(r.significant), "cls": "pos" if r.difference > 0 else "neg" if r.difference < 0 else ""}
                 for r in comparisons.itertuples()]}

    # Only dyad-relevant sentences are embedded (the rest are counted): a
    # report must stay small enough to open when the corpus is large.
    by_article = {key: frame for key, frame in relevant.groupby("article_id", sort=False)}
    n_sentences = sentences.groupby("article_id").size()
    article_net = all_rows.set_index("article_id")["net"]
    listed = articles
    if len(articles) > config.report_max_articles:
        relevance = relevant.groupby("article_id").size()
        listed = articles.assign(_relevant=articles["article_id"].map(relevance).fillna(0)).sort_values(
            ["_relevant", "article_id"], ascending=[False, True]).head(config.report_max_articles)
    article_topics_text = (per_topic[(per_topic["topic"] != ALL_TOPICS)].groupby("article_id")["topic"]
                           .agg(lambda ts: ", ".join(topic_label(t, labels) for t in sorted(ts))))
    # At most report_max_sentences scored sentences per article, and always its evidence (the strongest
    # sentence each way per topic): one 20 MB article of direct sentences made a 107 MB report.
    max_sentences = int(getattr(config, "report_max_sentences", 200))
    evidence = {}
    for article_id, top_c, top_f in zip(per_topic["article_id"], per_topic["top_cooperation"], per_topic["top_friction"],
                                        strict=True):
        evidence.setdefault(article_id, set()).update((int(top_c), int(top_f)))
    article_rows = []
    for row in listed.sort_values(["published", "path", "line"], na_position="last").itertuples():
        net = article_net.get(row.article_id, math.nan)
        own = by_article.get(row.article_id)
        n_capped = 0
        if own is not None and len(own) > max_sentences:
            keep = own["sentence"].isin(evidence.get(row.article_id, ())).to_numpy()
            keep = keep | ((~keep).cumsum() <= max_sentences)
            n_capped = int((~keep).sum())
            own = own[keep]
        sentence_rows = [] if own is None else [
            {"index": s.sentence, "html": highlight(s.text, s.cue_spans), "relevance": s.relevance,
             "topics": s.topics.replace(";", ", ") if s.weight > 0 else "", "net": f"{s.net:+.2f}" if s.net else "",
             "cls": "pos" if s.net > 0 else "neg" if s.net < 0 else ""} for s in own.itertuples()]
        n_other = int(n_sentences.get(row.article_id, 0)) - len(sentence_rows) - n_capped
        title = row.title or _lead(row.text) or f"({row.path})"
        topics_text = article_topics_text.get(row.article_id, "")
        article_rows.append({
            "article_id": row.article_id, "title": title, "source": row.source, "path": _where(row),
            "date": str(row.published.date()) if pd.notna(row.published) else "undated",
            "date_sort": str(row.published.date()) if pd.notna(row.published) else "9999",
            "date_flag": "" if row.date_source in ("explicit", "column", "url") else row.date_source,
            "net": _fmt(net), "net_sort": "" if pd.isna(net) else f"{net:.6f}",
            "cls": "pos" if net > 0 else "neg" if net < 0 else "", "topics": topics_text,
            "url": row.url, "url_safe": safe_url(row.url), "duplicate_of": row.duplicate_of,
            "sentences": sentence_rows, "n_other": n_other, "n_capped": n_capped})

    skipped = results.skipped
    by_id = articles.set_index("article_id")
    duplicates = []
    for r in articles[articles["duplicate_of"] != ""].itertuples():
        original = by_id.loc[r.duplicate_of] if r.duplicate_of in by_id.index else None
        target = _where(original) if original is not None and not isinstance(original, pd.DataFrame) else r.duplicate_of
        duplicates.append(_entry(r, f"a copy of {target}"))
    skipped_rows = [{"path": r.path, "line": "" if pd.isna(r.line) else int(r.line), "reason": r.reason, "action": r.action}
                    for r in skipped.itertuples()]
    quality = {
        "n_undated": summary["n_undated"],
        "undated": _page([_entry(r) for r in articles[articles["published"].isna()].itertuples()]),
        "n_duplicates": summary["n_duplicates"], "duplicates": _page(duplicates),
        "no_score": _no_score_reasons(articles, sentences, set(relevant["article_id"]), side_labels),
        "n_thin": int((periods["thin"] & (periods["n_articles"] > 0)).sum()),
        "n_cells": int((periods["n_articles"] > 0).sum()),
        "date_sources": sorted(articles["date_source"].value_counts().items()),
        "skipped": skipped_rows[:200], "n_skipped": len(skipped_rows), "skipped_more": max(0, len(skipped_rows) - 200),
        "unknown_outlets": [] if results.unknown_outlets is None else [
            {"source": r.source or "(no source given)", "site": r.site or "(no URL)", "n": int(r.n_articles)}
            for r in results.unknown_outlets.itertuples()],
    }
    settings = scorer.settings_
    method = {"n_categories": len(scorer.lexicon_.cues), "n_forms": sum(cue.category != NOT_A_CUE.category for _, cue in scorer.lexicon_.forms), "scale": settings.scale,
              "complement": settings.complement_factor, "appeal_to_yield": settings.appeal_to_yield, "negation": settings.negation_factor,
              "negated_conflict": settings.negated_conflict_factor,
              "intention": settings.intention_factor, "hedge": settings.hedge_factor, "contrast": settings.contrast_factor,
              "concessive": settings.concessive_factor, "background": settings.background_factor,
              "setting": settings.setting_factor, "subordinate_cap": settings.subordinate_cap,
              "w_direct": settings.relevance_weights["direct"], "n_boot": config.n_boot,
              "model_note": _model_note(scorer),
              "eval": {k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in evaluation.items()}}
    freq_label = {"Y": "years", "Q": "quarters", "M": "months", "W": "weeks"}.get(
        {"YE": "Y", "QE": "Q", "ME": "M"}.get(config.freq, config.freq), config.freq)

    events_section = {"n_events": n_events, "n_unique": n_unique, "grouped": n_events - n_unique,
                      "directed_note": directed.note if directed is not None else "",
                      "directed_limits": directed.limits if directed is not None else "",
                      "granger": [] if directed is None else [
                          {"cause": r.cause, "effect": r.effect, "lags": int(r.lags), "f": f"{r.f_statistic:.2f}",
                           "df": f"{int(r.df_num)}, {int(r.df_denom)}", "p": f"{r.p_value:.3f}", "n": int(r.n_periods),
                           "series": r.series}
                          for r in directed.granger.itertuples()],
                      "xcorr_zero": "" if directed is None else _lag_text(directed.table, 0),
                      "perspectives": [] if results.perspective_comparisons is None else [
                          {"a": r.perspective_a, "b": r.perspective_b, "periods": r.periods, "n_periods": int(r.n_periods),
                           "n_a": int(r.n_a), "n_b": int(r.n_b), "value_a": _fmt(r.value_a, ".3f"),
                           "value_b": _fmt(r.value_b, ".3f"), "difference": _fmt(r.difference, "+.3f"),
                           "ci": _ci3(r.ci_low, r.ci_high), "p": _fmt(r.p_value, ".3f"), "p_adj": _fmt(r.p_adjusted, ".3f")}
                          for r in results.perspective_comparisons.itertuples() if r.n_periods > 0],
                      "perspective_measure": (MEASURES[results.perspective_comparisons["measure"].iloc[0]].label
                                              if results.perspective_comparisons is not None
                                              and len(results.perspective_comparisons) else headline_label)}
    html = template.render(
        dyad_name=scorer.dyad_.name, side_labels=[s.label for s in scorer.dyad_.sides], summary=summary,
        headlines=headlines, net_headlines=net_headlines, headline=headline, headline_label=headline_label,
        biggest=biggest, comparison_label=f"{comparison['period_a']} vs {comparison['period_b']}",
        topics=topic_sections, empty_topics=empty_topics, comparison=comparison, articles=article_rows,
        n_articles_total=len(articles), quality=quality, method=method, evidence=_event_evidence(results),
        events=events_section, manifest=manifest(results, command), charts=charts, plotly_js=Markup(plotly_js()),
        min_articles=config.min_articles, freq_label=freq_label, max_sentences=max_sentences)
    return html


def _ci3(low: object, high: object) -> str:
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return ""
    return f"[{low:+.3f}, {high:+.3f}]"


def _lag_text(table: pd.DataFrame, lag: int) -> str:
    row = table[table["lag"] == lag]
    if row.empty or pd.isna(row["correlation"].iloc[0]):
        return ""
    r = row.iloc[0]
    return f"r = {r['correlation']:+.2f} (95% CI {_ci(r['ci_low'], r['ci_high'])}, {int(r['n_periods'])} periods)"
