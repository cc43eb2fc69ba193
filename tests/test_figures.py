import shutil
import subprocess

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest

from analysis.present.chartdata import FIGURES, heatmap_data, style
from analysis.present.figures import (
    make_figures,
    plot_articles,
    plot_changes,
    plot_comparison,
    plot_heatmap,
    plot_mass,
    plot_net_by_topic,
    save_figure,
)

PALETTE = {mcolors.to_hex(c) for c in style()["palette"]}


def test_net_by_topic_draws_a_line_and_band_per_topic(seeds_results):
    fig = plot_net_by_topic(seeds_results.topic_periods, topics=["all", "syria", "ukraine"])
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == ["All topics", "Syria", "Ukraine"]
    for ax in axes:
        mean_line = ax.lines[1]
        assert mcolors.to_hex(mean_line.get_color()) in PALETTE
        assert any(line.get_ydata()[0] == 0 for line in ax.lines if len(line.get_ydata()) == 2)  # zero line
    # thin periods are open markers
    thin_markers = axes[0].lines[3]
    assert thin_markers.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))
    assert fig.get_size_inches()[0] == pytest.approx(style()["full_width_in"])


def test_an_interval_between_periods_without_one_is_drawn(seeds_results):
    # On the seeds only 2025 has two articles or more: a band alone would be a line of no width.
    periods = seeds_results.topic_periods
    fig = plot_net_by_topic(periods, topics=["all"])
    from matplotlib.collections import LineCollection

    intervals = [segment for collection in fig.axes[0].collections if isinstance(collection, LineCollection)
                 for segment in collection.get_segments()]
    expected = periods[(periods["topic"] == "all") & periods["ci_low"].notna()]
    assert len(intervals) == len(expected) == 1
    (x, low), (_, high) = intervals[0]
    assert (low, high) == pytest.approx((expected["ci_low"].iloc[0], expected["ci_high"].iloc[0]))
    assert high - low > 0.05


def test_styles_differ_between_topics_for_greyscale(seeds_results):
    fig = plot_net_by_topic(seeds_results.topic_periods, topics=["all", "syria"])
    first, second = (ax.lines[1] for ax in fig.axes[:2])
    assert (first.get_linestyle(), first.get_marker()) != (second.get_linestyle(), second.get_marker()) or \
        first.get_linestyle() != second.get_linestyle()


def test_heatmap_is_centred_on_zero(seeds_results):
    fig = plot_heatmap(seeds_results.topic_periods)
    colorbar = fig.axes[1]
    assert list(colorbar.get_yticks()) == [-1, 0, 1] and colorbar.get_ylim() == (-1, 1)  # centred on 0
    assert any(text.get_text() == "3" for text in fig.axes[0].texts)  # n per cell


def test_forest_plot_whiskers_and_order(seeds_results):
    fig = plot_comparison(seeds_results.comparisons)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 3 and all("n=" in label for label in labels)
    whiskers = [line for line in ax.lines if len(line.get_xdata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1]]
    assert len(whiskers) == 3


def test_other_figures_draw(seeds_results):
    assert len(plot_mass(seeds_results.topic_periods).axes[0].patches) == 2 * 6
    assert len(plot_articles(seeds_results.article_topics, seeds_results.articles).axes[0].collections[0].get_offsets()) == 5


@pytest.mark.slow
def test_saving_twice_gives_identical_bytes(seeds_results, tmp_path):
    for attempt in ("one", "two"):
        save_figure(plot_heatmap(seeds_results.topic_periods), tmp_path / attempt / "fig")
    for suffix in ("pdf", "svg", "png"):
        assert (tmp_path / "one" / f"fig.{suffix}").read_bytes() == (tmp_path / "two" / f"fig.{suffix}").read_bytes()
    assert b"CreationDate" not in (tmp_path / "one" / "fig.pdf").read_bytes()
    assert b"<dc:date>" not in (tmp_path / "one" / "fig.svg").read_bytes()


def test_pdf_embeds_truetype_fonts(seeds_results, tmp_path):
    save_figure(plot_heatmap(seeds_results.topic_periods), tmp_path / "fig", formats=("pdf",))
    data = (tmp_path / "fig.pdf").read_bytes()
    assert b"/FontFile2" in data and b"/Type3" not in data  # embedded TrueType, not Type 3
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(tmp_path / "fig.pdf")], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows)


@pytest.mark.slow
def test_make_figures_writes_every_documented_file(seeds_results, tmp_path):
    written = make_figures(seeds_results, tmp_path)
    assert {p.name for p in written} == {f"{stem}.{ext}" for stem in FIGURES for ext in ("pdf", "svg", "png", "txt")}


# ------------------------------------------------------------------ bands, gaps, thin topics, shading, overlaps

from helpers_events import scored_corpus, text_overlaps  # noqa: E402

from analysis.aggregation import aggregate, article_topics  # noqa: E402
from analysis.dynamics import compare_periods, directed_dynamics  # noqa: E402
from analysis.events import dyad_events, event_periods, headline_periods  # noqa: E402
from analysis.present.figures import plot_directed, plot_events, plot_perspectives  # noqa: E402
from analysis.reference import assign_perspectives  # noqa: E402


@pytest.fixture(scope="module")
def synthetic():
    sentences, articles = scored_corpus()
    per_topic = article_topics(sentences, articles)
    events = dyad_events(sentences, articles)
    return {"periods": aggregate(per_topic, "ME", n_boot=100), "per_topic": per_topic, "articles": articles,
            "events": events, "measures": event_periods(events, articles, "ME", n_boot=100),
            "perspectives": event_periods(events, articles, "ME", by="perspective", groups=assign_perspectives(articles),
                                          measures=("mean_net", "n_articles"), n_boot=100)}


def _band_x_ranges(ax):
    import matplotlib.dates as mdates

    ranges = []
    for collection in ax.collections:
        for path in collection.get_paths():
            xs = path.vertices[:, 0]
            ranges.append((mdates.num2date(xs.min()).replace(tzinfo=None), mdates.num2date(xs.max()).replace(tzinfo=None)))
    return ranges


def test_no_band_or_line_across_a_gap(synthetic):
    fig = plot_net_by_topic(synthetic["periods"], topics=["all"])
    ax = fig.axes[0]
    gap = (pd.Timestamp("2020-06-01"), pd.Timestamp("2020-07-01"))  # months 5 and 6 have no article
    for start, stop in _band_x_ranges(ax):
        assert not (start < gap[0] and stop > gap[1]), (start, stop)
    line = ax.lines[1]  # the mean line: NaN over the gap, so it breaks there
    x = pd.to_datetime(line.get_xdata())
    y = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(y[(x >= gap[0]) & (x <= gap[1])]).all()


def test_a_lone_interval_is_an_error_bar_and_one_article_has_none(synthetic):
    fig = plot_net_by_topic(synthetic["periods"], topics=["all"])
    ax = fig.axes[0]
    single = pd.Timestamp("2020-11-01")  # month 10: one article, so no interval at all
    for start, stop in _band_x_ranges(ax):
        assert not (start <= single <= stop)


def test_fig1_names_every_topic_it_does_not_draw(synthetic):
    fig = plot_net_by_topic(synthetic["periods"], min_articles=3)
    titles = {ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()}
    footer = fig._supxlabel.get_text() if fig._supxlabel is not None else ""
    assert "Trade" in footer and "too thin to draw" in footer.lower()  # one article: listed, not dropped silently
    for topic in ("All topics", "Syria", "Energy"):
        assert topic in titles
    capped = plot_net_by_topic(synthetic["periods"], max_topics=2, min_articles=3)
    assert "beyond 2 panels" in capped._supxlabel.get_text()


def test_heatmap_cells_are_shaded_by_n(synthetic):
    fig = plot_heatmap(synthetic["periods"])
    image = fig.axes[0].images[0].get_array()
    means, counts = heatmap_data(synthetic["periods"])
    alpha = np.asarray(image)[..., 3]
    n = counts.to_numpy()
    one, many = np.argwhere(n == 1)[0], np.argwhere(n == n.max())[0]
    assert alpha[tuple(one)] < 0.4 < 0.8 < alpha[tuple(many)] or alpha[tuple(one)] < alpha[tuple(many)]
    assert alpha[tuple(one)] == pytest.approx(style()["shade_min"])


def test_palette_stands_out_on_white():
    def contrast(colour):
        r, g, b = mcolors.to_rgb(colour)
        channel = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        luminance = 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2]
        return 1.05 / (luminance + 0.05)

    assert "#F0E442" not in {c.upper() for c in style()["palette"]}  # the pale Okabe–Ito yellow, darkened
    assert min(contrast(c) for c in style()["palette"]) >= 2.2


@pytest.mark.parametrize("n_periods", [1, 14, 60])
def test_fig4_labels_never_overlap_the_legend_or_each_other(n_periods):
    periods = pd.period_range("2015-01", periods=n_periods, freq="M")
    frame = pd.DataFrame({"topic": "all", "period": [str(p) for p in periods], "period_start": [p.start_time for p in periods],
                          "n_articles": np.arange(n_periods) * 37 + 100, "cooperation_mass": np.linspace(10, 500, n_periods),
                          "friction_mass": np.linspace(300, 5, n_periods), "thin": False, "mean_net": 0.1})
    assert text_overlaps(plot_mass(frame)) == []
    assert text_overlaps(plot_heatmap(frame)) == []


def test_no_figure_has_overlapping_text(synthetic):
    figures = [plot_net_by_topic(synthetic["periods"]), plot_heatmap(synthetic["periods"]),
               plot_comparison(compare_periods(synthetic["per_topic"], "2020", "2021", n_boot=50, n_perm=50)),
               plot_mass(synthetic["periods"]), plot_articles(synthetic["per_topic"], synthetic["articles"]),
               plot_changes(headline_periods(synthetic["measures"], "mean_net"), None, column="value"),
               plot_directed(synthetic["measures"], "goldstein_per_article",
                             directed=directed_dynamics(synthetic["events"], synthetic["articles"]), sides=("Turkey", "Russia")),
               plot_perspectives(synthetic["perspectives"], "mean_net"), plot_events(synthetic["measures"])]
    for fig in figures:
        assert text_overlaps(fig) == [], fig.axes[0].get_title(loc="left")


def test_new_figures_draw_what_they_say(synthetic):
    fig = plot_directed(synthetic["measures"], "goldstein_per_article",
                        directed=directed_dynamics(synthetic["events"], synthetic["articles"]), sides=("Turkey", "Russia"))
    top, bottom = fig.axes[:2]
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["Turkey → Russia", "Russia → Turkey"]
    assert len(bottom.patches) == 7  # lags −3…3
    fig = plot_perspectives(synthetic["perspectives"], "mean_net")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(text.startswith("Russia (") for text in legend) and not any("unknown" in text for text in legend)
    fig = plot_events(synthetic["measures"])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"verbal cooperation", "material conflict", "distinct events"} <= set(labels)


def test_change_point_note_goes_to_the_caption_file_not_the_figure(seeds_results, tmp_path):
    make_figures(seeds_results, tmp_path, formats=("png",))
    caption = (tmp_path / "fig6_changes.txt").read_text()
    from analysis.events import MEASURES

    assert "too short" in caption and caption.startswith(MEASURES[seeds_results.headline].label)
    assert "Too thin to draw" in (tmp_path / "fig1_net_by_topic.txt").read_text()
    fig = plot_changes(seeds_results.topic_periods, seeds_results.changes, note=seeds_results.changes_note)
    assert not any("too short" in t.get_text() for t in fig.axes[0].texts)


def test_paper_style_restores_its_own_keys_only():
    import matplotlib

    from analysis.present.figures import paper_style

    before_size, before_interactive = matplotlib.rcParams["font.size"], matplotlib.rcParams["interactive"]
    try:
        with paper_style():
            assert matplotlib.rcParams["font.size"] == style()["font_size_pt"]
            matplotlib.rcParams["interactive"] = True  # what pyplot sets when it first picks its backend in Jupyter
        assert matplotlib.rcParams["font.size"] == before_size
        assert matplotlib.rcParams["interactive"] is True  # kept: else no later figure shows in a notebook
    finally:
        matplotlib.rcParams["interactive"] = before_interactive
