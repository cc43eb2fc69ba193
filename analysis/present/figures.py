"""Static figures for papers (matplotlib).

Every function takes the data first and options keyword-only, accepts
``ax=None`` where it draws one panel, returns the Figure (or Axes) and never
saves or shows. :func:`save_figure` writes byte-stable PDF/SVG/PNG files;
:func:`paper_style` is a context manager, not global state.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from ..schema import ALL_TOPICS
from .chartdata import (
    FIGURES,
    LABELS,
    articles_data,
    forest_data,
    heatmap_data,
    mass_data,
    series_data,
    style,
    topic_label,
)

__all__ = ["paper_style", "save_figure", "plot_net_by_topic", "plot_heatmap", "plot_comparison",
           "plot_mass", "plot_articles", "plot_changes", "make_figures", "FIGURES"]


@contextlib.contextmanager
def paper_style() -> Iterator[None]:
    """Matplotlib settings for print: 8–9 pt DejaVu Sans, TrueType fonts in PDF, fixed SVG salt."""
    s = style()
    settings = {
        "font.family": "DejaVu Sans", "font.size": s["font_size_pt"], "axes.titlesize": s["title_size_pt"],
        "axes.labelsize": s["font_size_pt"], "xtick.labelsize": s["font_size_pt"] - 1,
        "ytick.labelsize": s["font_size_pt"] - 1, "legend.fontsize": s["font_size_pt"] - 1,
        "axes.spines.top": False, "axes.spines.right": False, "axes.linewidth": 0.6,
        "lines.linewidth": 1.2, "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "path",
        "svg.hashsalt": "relationship-dynamics", "figure.dpi": 100, "savefig.dpi": s["dpi"],
        "axes.prop_cycle": matplotlib.cycler(color=s["palette"]), "path.simplify": False,
    }
    with matplotlib.rc_context(settings):
        yield


def save_figure(fig: plt.Figure, stem: str | Path, formats: tuple[str, ...] = ("pdf", "svg", "png")) -> list[Path]:
    """Write ``fig`` as ``stem.pdf``/``.svg``/``.png`` with no dates in the metadata, then close it.

    Files are written to a temporary name and renamed, so an interrupted run
    never leaves half a figure. Returns the paths written.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    metadata = {"pdf": {"CreationDate": None, "ModDate": None, "Producer": "relationship-dynamics", "Creator": None},
                "svg": {"Date": None, "Creator": None},
                "png": {"Software": None}}
    with paper_style():
        for fmt in formats:
            target = stem.with_suffix(f".{fmt}")
            temporary = target.with_name(f".{target.name}.tmp")
            fig.savefig(temporary, format=fmt, metadata=metadata.get(fmt), bbox_inches="tight", pad_inches=0.03)
            temporary.replace(target)
            written.append(target)
    plt.close(fig)
    return written


def _styled(function):
    """Draw the whole figure under :func:`paper_style` (fonts are fixed when artists are made)."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with paper_style():
            return function(*args, **kwargs)

    return wrapper


def _axes(ax: plt.Axes | None, width: float, height: float) -> tuple[plt.Figure, plt.Axes]:
    """The given Axes and its Figure, or a new Figure of the given size (inches)."""
    if ax is not None:
        return ax.figure, ax
    return plt.subplots(figsize=(width, height), layout="constrained")


def _date_axis(ax: plt.Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


@_styled
def plot_net_by_topic(topic_periods: pd.DataFrame, *, topics: list[str] | None = None, max_topics: int = 9,
                      labels: dict[str, str] | None = None, width: float | None = None) -> plt.Figure:
    """Figure 1: net cooperation per period and topic, with bootstrap bands; thin periods open."""
    s = style()
    data = series_data(topic_periods, topics=topics, max_topics=max_topics)
    order = list(data["topic"].cat.categories) if len(data) else []
    n = max(1, len(order))
    cols = 1 if n == 1 else 2 if n <= 4 else 3
    rows = math.ceil(n / cols)
    width = width or (s["single_column_in"] if cols == 1 else s["full_width_in"])
    fig, axes = plt.subplots(rows, cols, figsize=(width, 1.55 * rows + 0.4), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for i, topic in enumerate(order):
        ax = axes.flat[i]
        frame = data[(data["topic"] == topic) & (data["n_articles"] > 0)]
        colour = s["palette"][i % len(s["palette"])]
        ax.axhline(0, color="0.6", linewidth=0.6, zorder=0)
        band = frame.dropna(subset=["ci_low"])
        ax.fill_between(band["period_start"], band["ci_low"], band["ci_high"], color=colour, alpha=0.2,
                        linewidth=0, label="95% CI", step=None)
        # a band needs two periods in a row with an interval: draw each interval too, so one between
        # periods without one (n < 2) is seen
        ax.vlines(band["period_start"], band["ci_low"], band["ci_high"], color=colour, alpha=0.8, linewidth=1.0)
        ax.plot(frame["period_start"], frame["mean_net"], color=colour, linestyle=s["linestyles"][i % 8],
                linewidth=1.2, label="mean net")
        solid = frame[~frame["thin"]]
        thin = frame[frame["thin"]]
        ax.plot(solid["period_start"], solid["mean_net"], linestyle="none", marker=s["markers"][i % 8],
                markersize=3.5, color=colour, label="periods")
        ax.plot(thin["period_start"], thin["mean_net"], linestyle="none", marker=s["markers"][i % 8],
                markersize=3.5, markerfacecolor="white", markeredgecolor=colour, label="thin periods")
        ax.set_title(topic_label(topic, labels), loc="left")
        ax.set_ylim(-1.05, 1.05)
        ax.set_yticks([-1, 0, 1])
        _date_axis(ax)
    fig.supylabel(LABELS["net_short"], fontsize=s["font_size_pt"])
    return fig


@_styled
def plot_heatmap(topic_periods: pd.DataFrame, *, ax: plt.Axes | None = None, labels: dict[str, str] | None = None,
                 annotate: bool = True) -> plt.Figure:
    """Figure 2: topic × period heatmap of mean net, diverging colours centred on 0, n in each cell."""
    s = style()
    means, counts = heatmap_data(topic_periods)
    fig, ax = _axes(ax, s["full_width_in"], 0.3 * max(len(means), 2) + 1.0)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-1.0, vmax=1.0)
    cmap = matplotlib.colormaps[s["diverging_cmap"]].with_extremes(bad="#f0f0f0")
    image = ax.imshow(np.ma.masked_invalid(means.to_numpy(dtype=float)), cmap=cmap, norm=norm,
                      aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(means)), [topic_label(t, labels) for t in means.index])
    step = max(1, len(means.columns) // 12)
    ax.set_xticks(range(0, len(means.columns), step), list(means.columns)[::step], rotation=45, ha="right")
    if annotate and means.size <= 400:
        for (r, c), n in np.ndenumerate(counts.to_numpy()):
            if n:
                value = means.iat[r, c]
                ax.text(c, r, str(n), ha="center", va="center", fontsize=6,
                        color="white" if abs(value) > 0.6 else "black")
    colorbar = fig.colorbar(image, ax=ax, shrink=0.9, ticks=[-1, 0, 1])
    colorbar.set_label(LABELS["net_short"])
    ax.spines[:].set_visible(False)
    ax.set_xlabel(LABELS["period"])
    return fig


@_styled
def plot_comparison(comparisons: pd.DataFrame, *, ax: plt.Axes | None = None,
                    labels: dict[str, str] | None = None) -> plt.Figure:
    """Figure 3: forest plot of the per-topic difference (B − A) with 95% CIs; filled = significant after FDR."""
    s = style()
    data = forest_data(comparisons)
    fig, ax = _axes(ax, s["single_column_in"], 0.28 * max(len(data), 2) + 0.9)
    ax.axvline(0, color="0.5", linewidth=0.6)
    for y, row in enumerate(data.itertuples()):
        colour = s["cooperation_colour"] if row.difference > 0 else s["friction_colour"]
        ax.plot([row.ci_low, row.ci_high], [y, y], color=colour, linewidth=1.2, solid_capstyle="butt")
        ax.plot([row.difference], [y], marker="o" if row.significant else "o", markersize=4.5, color=colour,
                markerfacecolor=colour if row.significant else "white", linestyle="none")
    ax.set_yticks(range(len(data)), [f"{topic_label(t, labels)} (n={a}/{b})" for t, a, b in
                                     zip(data["topic"], data["n_a"], data["n_b"], strict=True)])
    ax.set_xlabel(LABELS["difference"])
    period_a = getattr(comparisons, "period_a", "A")
    period_b = getattr(comparisons, "period_b", "B")
    ax.set_title(f"B = {period_b} vs A = {period_a}", loc="left")
    if data.empty:
        ax.text(0.5, 0.5, "no topic has two or more articles in both periods", transform=ax.transAxes,
                ha="center", va="center", fontsize=7)
    return fig


@_styled
def plot_mass(topic_periods: pd.DataFrame, *, topic: str = ALL_TOPICS, ax: plt.Axes | None = None) -> plt.Figure:
    """Figure 4: cooperation mass (up) and friction mass (down) per period, n articles above."""
    s = style()
    data = mass_data(topic_periods, topic)
    fig, ax = _axes(ax, s["full_width_in"], 2.4)
    x = np.arange(len(data))
    ax.bar(x, data["cooperation_mass"], color=s["cooperation_colour"], label="cooperation", width=0.8)
    ax.bar(x, -data["friction_mass"], color=s["friction_colour"], label="friction", width=0.8, hatch="////",
           edgecolor="white", linewidth=0)
    ax.axhline(0, color="0.3", linewidth=0.6)
    top = float(max(data["cooperation_mass"].max() if len(data) else 1, 1))
    for xi, n in zip(x, data["n_articles"], strict=True):
        if n:
            ax.text(xi, top * 1.04, f"n={n}", ha="center", va="bottom", fontsize=6, rotation=90 if len(x) > 12 else 0)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], list(data["period"])[::step], rotation=45, ha="right")
    ax.set_ylabel(LABELS["mass"])
    ax.set_ylim(-max(float(data["friction_mass"].max() if len(data) else 1), 1) * 1.1, top * 1.25)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, ncols=2, borderaxespad=0.2)
    return fig


@_styled
def plot_articles(article_topics: pd.DataFrame, articles: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Figure:
    """Figure 5: each article's net (all topics) by date; marker size = dyad-relevant sentences."""
    s = style()
    data = articles_data(article_topics, articles)
    fig, ax = _axes(ax, s["full_width_in"], 2.4)
    ax.axhline(0, color="0.6", linewidth=0.6, zorder=0)
    colours = np.where(data["net"] >= 0, s["cooperation_colour"], s["friction_colour"])
    ax.scatter(data["published"], data["net"], s=12 * data["size"], c=colours, alpha=0.75, linewidths=0.4,
               edgecolors="white")
    if len(data):
        # a size key, so a reader can tell what a large point means
        biggest = int(data["n_sentences"].max())
        sizes = sorted({1, max(1, biggest // 4), biggest})
        handles = [ax.scatter([], [], s=12 * np.sqrt(n), color="0.5", label=str(n)) for n in sizes]
        ax.legend(handles=handles, title="dyad sentences", loc="lower left", bbox_to_anchor=(0.0, 1.0),
                  ncols=len(handles), frameon=False, borderaxespad=0.2, title_fontsize=7)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel(LABELS["net_short"])
    ax.set_xlabel(LABELS["published"])
    _date_axis(ax)
    return fig


@_styled
def plot_changes(topic_periods: pd.DataFrame, changes: pd.DataFrame | None, *, topic: str = ALL_TOPICS,
                 note: str = "", ax: plt.Axes | None = None, labels: dict[str, str] | None = None) -> plt.Figure:
    """Figure 6: a topic's series with change points (dashed) and their intervals (shaded)."""
    s = style()
    frame = topic_periods[(topic_periods["topic"] == topic) & (topic_periods["n_articles"] > 0)]
    fig, ax = _axes(ax, s["full_width_in"], 2.4)
    ax.axhline(0, color="0.6", linewidth=0.6, zorder=0)
    band = frame.dropna(subset=["ci_low"])
    ax.fill_between(band["period_start"], band["ci_low"], band["ci_high"], color=s["palette"][0], alpha=0.2, linewidth=0)
    ax.plot(frame["period_start"], frame["mean_net"], color=s["palette"][0], marker="o", markersize=3)
    starts = dict(zip(topic_periods["period"], topic_periods["period_start"], strict=False))
    if changes is not None:
        for row in changes.itertuples():
            ax.axvspan(starts.get(row.ci_low, row.break_date), starts.get(row.ci_high, row.break_date),
                       color="0.5", alpha=0.15, linewidth=0)
            ax.axvline(row.break_date, color="0.2", linestyle="--", linewidth=1)
    if note:
        ax.text(0.01, 0.04, note, transform=ax.transAxes, fontsize=6.5, color="0.3", va="bottom", wrap=True)
    ax.set_title(topic_label(topic, labels), loc="left")
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel(LABELS["net_short"])
    _date_axis(ax)
    return fig


def make_figures(results, directory: str | Path, formats: tuple[str, ...] = ("pdf", "svg", "png")) -> list[Path]:
    """Draw and save all six figures for a :class:`analysis.pipeline.Results`; returns the files."""
    directory = Path(directory)
    labels = results.topic_labels
    changes_note = results.changes_note
    figures = {
        "fig1_net_by_topic": plot_net_by_topic(results.topic_periods, labels=labels),
        "fig2_heatmap": plot_heatmap(results.topic_periods, labels=labels),
        "fig3_comparison": plot_comparison(results.comparisons, labels=labels),
        "fig4_mass": plot_mass(results.topic_periods),
        "fig5_articles": plot_articles(results.article_topics, results.articles),
        "fig6_changes": plot_changes(results.topic_periods, results.changes, note=changes_note, labels=labels),
    }
    written = []
    for stem, fig in figures.items():
        written += save_figure(fig, directory / stem, formats)
    return written
