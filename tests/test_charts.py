import numpy as np
import pandas as pd

from analysis.aggregation import article_topics
from analysis.present.charts import (
    chart_articles,
    chart_comparison,
    chart_heatmap,
    chart_series,
    escape_hover,
)
from analysis.score import Scorer

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_adversarial_title_reaches_the_hover_as_text():
    articles = pd.DataFrame({"article_id": ["x"], "path": ["x.txt"], "title": [PAYLOAD], "source": ["<b>src</b>"],
                             "published": pd.to_datetime(["2024-01-01"]), "duplicate_of": [""],
                             "text": ["Turkey and Russia signed a deal <script>alert(2)</script>."]})
    sentences = Scorer(tone=False).score_articles(articles)
    fig = chart_articles(article_topics(sentences, articles), articles, sentences)
    custom = fig.data[0].customdata[0]
    assert custom[0] == "&lt;img src=x onerror=alert(1)&gt;"
    assert custom[1] == "&lt;b&gt;src&lt;/b&gt;"
    assert "<script>" not in custom[3] and "&lt;script&gt;" in custom[3]
    assert PAYLOAD not in fig.to_json()


def test_escape_hover_shortens():
    assert escape_hover("a" * 400, 10) == "a" * 9 + "…"
    assert escape_hover(None) == ""


def test_series_heatmap_and_forest_carry_n_and_intervals(seeds_results):
    fig = chart_series(seeds_results.topic_periods, "all", smoothed=seeds_results.smoothed)
    line = next(trace for trace in fig.data if trace.name == "mean net")
    assert "n = %{customdata[1]}" in line.hovertemplate
    assert any(trace.error_y.array is not None or trace.fill == "toself" for trace in fig.data if trace.name == "95% interval")
    heat = chart_heatmap(seeds_results.topic_periods)
    assert heat.data[0].zmid == 0 and "n = %{customdata}" in heat.data[0].hovertemplate
    forest = chart_comparison(seeds_results.comparisons)
    assert len(forest.data[0].x) == 3 and forest.data[0].error_x.array is not None


# ------------------------------------------------------------------ gaps, lone periods, shading, measures

from helpers_events import scored_corpus  # noqa: E402

from analysis.aggregation import aggregate  # noqa: E402
from analysis.events import dyad_events, event_periods  # noqa: E402
from analysis.present.charts import (  # noqa: E402
    chart_directed,
    chart_events,
    chart_measure,
    chart_perspectives,
)
from analysis.reference import assign_perspectives  # noqa: E402


def _synthetic():
    sentences, articles = scored_corpus()
    events = dyad_events(sentences, articles)
    return (aggregate(article_topics(sentences, articles), "ME", n_boot=100),
            event_periods(events, articles, "ME", n_boot=100), events, articles)


def test_no_band_spans_a_gap_and_the_line_breaks_there():
    periods, *_ = _synthetic()
    fig = chart_series(periods, "all")
    gap = (pd.Timestamp("2020-06-01"), pd.Timestamp("2020-07-01"))
    for trace in fig.data:
        if trace.fill == "toself":
            xs = pd.to_datetime(list(trace.x))
            assert not (xs.min() < gap[0] and xs.max() > gap[1])
    line = next(trace for trace in fig.data if trace.name == "mean net")
    values = dict(zip(pd.to_datetime(list(line.x)), line.y, strict=True))
    assert values[gap[0]] is None and values[gap[1]] is None and line.connectgaps is False
    lone = pd.Timestamp("2020-11-01")  # one article: no band and no error bar there
    for trace in fig.data:
        if trace.name == "95% interval":
            assert lone not in set(pd.to_datetime(list(trace.x)))


def test_one_period_gets_its_label_as_tick_and_an_empty_topic_no_axis():
    periods = aggregate(article_topics(*scored_corpus(months=1, gap=())), "YE", n_boot=50)
    fig = chart_series(periods, "all")
    assert list(fig.layout.xaxis.ticktext) == ["2020"]  # not "23:59:59.999 Dec 31"
    empty = chart_series(periods, "libya")
    assert len(empty.data) == 0 and empty.layout.xaxis.visible is False
    assert "No dated article" in empty.layout.annotations[0].text


def test_headline_chart_offers_the_other_measures_one_click_away():
    _, measures, *_ = _synthetic()
    fig = chart_measure(measures, "all", ["intensity_per_sentence", "mean_net", "conflict_share"])
    menu = fig.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == ["Mean intensity per dyad sentence (−3…3)", "Mean article net (−1…1)",
                                              "Conflict share ((material + ½ verbal conflict) / events)"]
    masks = [b.args[0]["visible"] for b in menu.buttons]
    assert all(sum(a and b for a, b in zip(m1, m2, strict=True)) == 0 for i, m1 in enumerate(masks) for m2 in masks[i + 1:])
    assert sum(masks[0]) and all(any(m) for m in masks)
    visible = [trace for trace in fig.data if trace.visible is not False]
    assert {trace.legendgroup for trace in visible} == {"intensity_per_sentence"}  # the headline first


def test_heatmap_is_shaded_by_n():
    periods, *_ = _synthetic()
    fig = chart_heatmap(periods)
    values, veil = fig.data[0], fig.data[1]
    counts = np.array([[int(t) if t else 0 for t in row] for row in values.text])
    veil = np.array(veil.z, dtype=float)
    one, many = np.argwhere(counts == 1)[0], np.argwhere(counts == counts.max())[0]
    assert veil[tuple(one)] > veil[tuple(many)]  # a one-article cell is paler
    assert veil[tuple(many)] < 0.5 and veil[tuple(one)] > 0.7


def test_event_direction_and_perspective_charts():
    _, measures, events, articles = _synthetic()
    fig = chart_events(measures)
    assert {"verbal cooperation", "material conflict", "distinct events"} <= {t.name for t in fig.data}
    fig = chart_directed(measures, "goldstein_per_article", sides=("Turkey", "Russia"))
    assert {"Turkey → Russia", "Russia → Turkey"} <= {t.name for t in fig.data}
    perspective = event_periods(events, articles, "ME", by="perspective", groups=assign_perspectives(articles),
                                measures=("mean_net",), n_boot=50)
    fig = chart_perspectives(perspective, "mean_net")
    assert {"Russia", "United Kingdom"} <= {t.name for t in fig.data} and "unknown" not in {t.name for t in fig.data}
