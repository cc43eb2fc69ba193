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
    band, line = fig.data[0], fig.data[1]
    assert band.fill == "toself" and "n = %{customdata[1]}" in line.hovertemplate
    heat = chart_heatmap(seeds_results.topic_periods)
    assert heat.data[0].zmid == 0 and "n = %{customdata}" in heat.data[0].hovertemplate
    forest = chart_comparison(seeds_results.comparisons)
    assert len(forest.data[0].x) == 3 and forest.data[0].error_x.array is not None
