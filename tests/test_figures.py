import shutil
import subprocess

import matplotlib.colors as mcolors
import pytest

from analysis.present.chartdata import FIGURES, style
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
        assert len(ax.collections) == 2  # the 95% band and each period's interval
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
    intervals = fig.axes[0].collections[1].get_segments()
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
    image = fig.axes[0].images[0]
    norm = image.norm
    assert norm.vcenter == 0 and norm.vmin == -1 and norm.vmax == 1
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
    fig = plot_changes(seeds_results.topic_periods, seeds_results.changes, note=seeds_results.changes_note)
    assert "too short" in " ".join(t.get_text() for t in fig.axes[0].texts)


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
    assert {p.name for p in written} == {f"{stem}.{ext}" for stem in FIGURES for ext in ("pdf", "svg", "png")}
