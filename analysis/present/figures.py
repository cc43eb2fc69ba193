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
import matplotlib.cm
import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from ..schema import ALL_TOPICS
from .chartdata import (
    DIRECTION_LABELS,
    FIGURES,
    LABELS,
    QUAD_LABELS,
    articles_data,
    forest_data,
    heatmap_data,
    mass_data,
    measure_label,
    measure_scale,
    measure_series,
    period_ticks,
    plural,
    quad_data,
    runs,
    series_data,
    shade,
    style,
    too_thin,
    topic_label,
)

__all__ = ["paper_style", "save_figure", "plot_net_by_topic", "plot_heatmap", "plot_comparison",
           "plot_mass", "plot_articles", "plot_changes", "plot_directed", "plot_perspectives", "plot_events",
           "make_figures", "FIGURES"]


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
    # Only these keys are set and restored. matplotlib.rc_context would restore every key, and so undo
    # what pyplot sets when it first picks its backend inside the block (in Jupyter: interactive mode), and
    # no later figure would show by itself.
    saved = {key: matplotlib.rcParams[key] for key in settings}
    matplotlib.rcParams.update(settings)
    try:
        yield
    finally:
        matplotlib.rcParams.update(saved)


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


def _series(ax: plt.Axes, frame: pd.DataFrame, column: str, *, colour: str, linestyle: str = "-", marker: str = "o",
            label: str | None = None) -> None:
    """A series over every period: the line breaks where a period has no article, the band is drawn over each
    run of periods with an interval (a lone one as an error bar), thin periods are open markers."""
    has = (frame["n_articles"] > 0).to_numpy() & frame[column].notna().to_numpy()
    x = frame["period_start"].to_numpy()
    y = np.where(has, frame[column].to_numpy(dtype=float), np.nan)
    low, high = frame["ci_low"].to_numpy(dtype=float), frame["ci_high"].to_numpy(dtype=float)
    for start, stop in runs(np.isfinite(low) & np.isfinite(high) & has):
        if stop - start == 1:
            ax.errorbar(x[start:stop], y[start:stop], yerr=[y[start:stop] - low[start:stop], high[start:stop] - y[start:stop]],
                        fmt="none", ecolor=colour, alpha=0.5, elinewidth=3, capsize=0)
        else:
            ax.fill_between(x[start:stop], low[start:stop], high[start:stop], color=colour, alpha=0.2, linewidth=0)
    ax.plot(x, y, color=colour, linestyle=linestyle, linewidth=1.2, label=label)
    thin = frame["thin"].to_numpy(dtype=bool) & has
    solid = has & ~thin
    ax.plot(x[solid], y[solid], linestyle="none", marker=marker, markersize=3.5, color=colour)
    ax.plot(x[thin], y[thin], linestyle="none", marker=marker, markersize=3.5, markerfacecolor="white",
            markeredgecolor=colour)


def _period_axis(ax: plt.Axes, frame: pd.DataFrame) -> None:
    ticks = period_ticks(frame[frame["n_articles"] > 0] if "n_articles" in frame else frame, max_ticks=8)
    if ticks is not None and len(ticks[0]):
        ax.set_xticks(ticks[0], ticks[1])
        if len(ticks[0]) == 1:
            centre = pd.Timestamp(ticks[0][0])
            ax.set_xlim(centre - pd.Timedelta(days=200), centre + pd.Timedelta(days=200))
    else:
        _date_axis(ax)


@_styled
def plot_net_by_topic(topic_periods: pd.DataFrame, *, topics: list[str] | None = None, max_topics: int = 9,
                      labels: dict[str, str] | None = None, width: float | None = None,
                      min_articles: int = 3) -> plt.Figure:
    """Figure 1: net cooperation per period and topic, with bootstrap bands; thin periods open.

    No topic is dropped silently: topics with fewer than ``min_articles``
    dated articles, and those beyond ``max_topics`` panels, are named under
    the panels.
    """
    s = style()
    if topics is None:
        counts = topic_periods.groupby("topic", sort=False)["n_articles"].sum()
        drawable = [t for t in series_data(topic_periods, max_topics=10_000)["topic"].cat.categories
                    if counts.get(t, 0) >= min_articles or t == ALL_TOPICS]
        topics = drawable[:max_topics]
    data = series_data(topic_periods, topics=topics)
    order = list(data["topic"].cat.categories) if len(data) else []
    n = max(1, len(order))
    cols = 1 if n == 1 else 2 if n <= 4 else 3
    rows = math.ceil(n / cols)
    width = width or (s["single_column_in"] if cols == 1 else s["full_width_in"])
    fig, axes = plt.subplots(rows, cols, figsize=(width, 1.55 * rows + 0.6), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for i, topic in enumerate(order):
        ax = axes.flat[i]
        frame = data[data["topic"] == topic]
        colour = s["palette"][i % len(s["palette"])]
        ax.axhline(0, color="0.6", linewidth=0.6, zorder=0)
        _series(ax, frame, "mean_net", colour=colour, linestyle=s["linestyles"][i % 8], marker=s["markers"][i % 8],
                label="mean net")
        ax.set_title(topic_label(topic, labels), loc="left")
        ax.set_ylim(-1.05, 1.05)
        ax.set_yticks([-1, 0, 1])
    if order:  # the panels share their x axis: ticks from every period any panel has
        _period_axis(axes.flat[0], data[data["n_articles"] > 0].drop_duplicates("period"))
    fig.supylabel(LABELS["net_short"], fontsize=s["font_size_pt"])
    thin, rest = too_thin(topic_periods, order, min_articles=min_articles)
    parts = []
    if thin:
        parts.append("too thin to draw (fewer than {} articles): {}".format(
            min_articles, ", ".join(topic_label(t, labels) for t in thin)))
    if rest:
        parts.append("not shown (beyond {} panels): {}".format(max_topics, ", ".join(topic_label(t, labels) for t in rest)))
    if parts:
        text = "; ".join(parts)
        fig.supxlabel(text[0].upper() + text[1:] + ".", fontsize=s["font_size_pt"] - 1, wrap=True)
    fig._notes = parts  # make_figures writes them into the caption file too
    return fig


@_styled
def plot_heatmap(topic_periods: pd.DataFrame, *, ax: plt.Axes | None = None, labels: dict[str, str] | None = None,
                 annotate: bool = True, column: str = "mean_net", measure: str = "mean_net") -> plt.Figure:
    """Figure 2: topic × period heatmap, diverging colours around the measure's neutral point, shaded by n.

    A cell's opacity rises with log n (:func:`analysis.present.chartdata.shade`), so a one-article cell is
    pale; n is written in each cell.
    """
    s = style()
    means, counts = heatmap_data(topic_periods, column=column)
    fig, ax = _axes(ax, s["full_width_in"], 0.3 * max(len(means), 2) + 1.1)
    low, centre, high, reverse = measure_scale(measure, means.to_numpy(dtype=float))
    norm = TwoSlopeNorm(vcenter=centre, vmin=low, vmax=high)
    cmap = matplotlib.colormaps[s["diverging_cmap"] + ("_r" if reverse else "")]
    values = means.to_numpy(dtype=float)
    rgba = cmap(norm(np.nan_to_num(values, nan=centre)))
    alpha = shade(counts.to_numpy())
    rgba[..., 3] = np.where(np.isfinite(values), alpha, 1.0)
    rgba[~np.isfinite(values)] = matplotlib.colors.to_rgba("#f0f0f0")
    ax.imshow(rgba, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(means)), [topic_label(t, labels) for t in means.index])
    step = max(1, math.ceil(len(means.columns) / 12))
    ax.set_xticks(range(0, len(means.columns), step), list(means.columns)[::step], rotation=45, ha="right")
    widest = len(str(int(counts.to_numpy().max()))) if counts.size else 1
    room = 0.8 * fig.get_size_inches()[0] * 72 / max(1, len(means.columns))  # points per column
    written = annotate and means.size <= 400 and room >= 4.5 * widest  # n only where it fits in its cell
    if written:
        for (r, c), n in np.ndenumerate(counts.to_numpy()):
            if n:
                value = means.iat[r, c]
                strong = abs(norm(value) - 0.5) > 0.3 and alpha[r, c] > 0.6 if np.isfinite(value) else False
                ax.text(c, r, str(n), ha="center", va="center", fontsize=6, color="white" if strong else "black")
    mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    colorbar = fig.colorbar(mappable, ax=ax, shrink=0.9, ticks=[low, centre, high])
    colorbar.set_label(measure_label(measure) if measure != "mean_net" else LABELS["net_short"])
    ax.spines[:].set_visible(False)
    ax.set_xlabel(LABELS["period"] + (" (paler cells: fewer articles; n in each cell)" if written
                                       else " (paler cells: fewer articles)"))
    fig._notes = [] if written else ["The cells are too narrow to print n; data/topic_periods.csv has it."]
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
        ax.plot([row.difference], [y], marker="o", markersize=4.5, color=colour,
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
    every = max(1, math.ceil(len(x) / 24))  # at most 24 labels, so they never touch
    for xi, n in zip(x, data["n_articles"], strict=True):
        if n and xi % every == 0:
            ax.text(xi, top * 1.04, f"n={n}", ha="center", va="bottom", fontsize=6, rotation=90 if len(x) > 8 else 0)
    step = max(1, math.ceil(len(x) / 10))
    ax.set_xticks(x[::step], list(data["period"])[::step], rotation=45, ha="right")
    ax.set_ylabel(LABELS["mass"])
    # room above the bars for the n labels (vertical ones are taller)
    ax.set_ylim(-max(float(data["friction_mass"].max() if len(data) else 1), 1) * 1.1, top * (1.45 if len(x) > 8 else 1.25))
    # Outside, to the right: the n labels run along the top of the plot and must not sit under the legend.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, ncols=1, borderaxespad=0.0)
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
                 note: str = "", ax: plt.Axes | None = None, labels: dict[str, str] | None = None,
                 column: str = "mean_net", measure: str = "mean_net") -> plt.Figure:
    """Figure 6: a topic's series (mean net, or a measure's ``value``) with change points (dashed) and their intervals.

    ``note`` (why no change point is reported) belongs to the caption, not the figure: :func:`make_figures`
    writes it to the caption file beside the figure.
    """
    s = style()
    frame = topic_periods[topic_periods["topic"] == topic].sort_values("period_start")
    fig, ax = _axes(ax, s["full_width_in"], 2.4)
    ax.axhline(0 if not measure.startswith("conflict_share") else 0.5, color="0.6", linewidth=0.6, zorder=0)
    _series(ax, frame, column, colour=s["palette"][0])
    starts = dict(zip(topic_periods["period"], topic_periods["period_start"], strict=False))
    if changes is not None:
        for row in changes.itertuples():
            ax.axvspan(starts.get(row.ci_low, row.break_date), starts.get(row.ci_high, row.break_date),
                       color="0.5", alpha=0.15, linewidth=0)
            ax.axvline(row.break_date, color="0.2", linestyle="--", linewidth=1)
    ax.set_title(topic_label(topic, labels), loc="left")
    if measure == "mean_net":
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel(LABELS["net_short"])
    else:
        ax.set_ylabel(_wrap(measure_label(measure)))
    _period_axis(ax, frame)
    fig._notes = [note] if note else []
    return fig


def _wrap(text: str, width: int = 28) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


@_styled
def plot_directed(event_periods: pd.DataFrame, measure: str, *, directed=None, sides: tuple[str, str] = ("A", "B"),
                  ) -> plt.Figure:
    """Figure 7: the measure for each direction (all topics), and the lagged cross-correlation of the directed totals."""
    s = style()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(s["full_width_in"], 3.8), layout="constrained",
                                      gridspec_kw={"height_ratios": [3, 2]})
    shown = pd.DataFrame()
    for index, direction in enumerate(("a_to_b", "b_to_a")):
        frame = measure_series(event_periods, ALL_TOPICS, measure, direction=direction)
        if frame.empty:
            continue
        shown = frame
        _series(top, frame, "value", colour=s["palette"][index], linestyle=s["linestyles"][index],
                marker=s["markers"][index], label=DIRECTION_LABELS[direction].format(a=sides[0], b=sides[1]))
    top.axhline(0, color="0.6", linewidth=0.6, zorder=0)
    top.set_ylabel(_wrap(measure_label(measure), 24))
    if len(shown):
        _period_axis(top, shown)
        top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0.0)
    table = directed.table.dropna(subset=["correlation"]) if directed is not None else pd.DataFrame()
    if len(table):
        bottom.bar(table["lag"], table["correlation"], color=s["palette"][0], width=0.6)
        bottom.errorbar(table["lag"], table["correlation"], yerr=[table["correlation"] - table["ci_low"],
                                                                  table["ci_high"] - table["correlation"]],
                        fmt="none", ecolor="0.2", elinewidth=0.8, capsize=2)
        bottom.set_xticks(table["lag"])
    else:
        bottom.text(0.5, 0.5, "too few periods for a cross-correlation", transform=bottom.transAxes, ha="center",
                    va="center", fontsize=7)
    bottom.axhline(0, color="0.6", linewidth=0.6)
    bottom.set_ylim(-1.05, 1.05)
    bottom.set_ylabel("correlation")
    unit = {"M": "months", "Q": "quarters", "Y": "years", "W": "weeks"}.get(getattr(directed, "frequency", "M"), "periods")
    bottom.set_xlabel(f"lag in {unit} of the directed totals (> 0: {sides[0]} → {sides[1]} leads)")
    notes = [directed.note] if directed is not None and directed.note else []
    fig._notes = notes + ([directed.limits] if directed is not None else [])
    return fig


@_styled
def plot_perspectives(perspective_periods: pd.DataFrame, measure: str, *, max_groups: int = 8) -> plt.Figure:
    """Figure 8: the measure by the outlets' perspective (all topics), with bootstrap bands."""
    s = style()
    fig, ax = plt.subplots(figsize=(s["full_width_in"], 2.6), layout="constrained")
    groups = [g for g in dict.fromkeys(perspective_periods["perspective"]) if g != "unknown"] \
        if len(perspective_periods) else []
    counts = {g: int(perspective_periods[(perspective_periods["perspective"] == g)
                                         & (perspective_periods["measure"] == measure)]["n_articles"].sum())
              for g in groups}
    groups = sorted((g for g in groups if counts[g] > 0), key=lambda g: (-counts[g], g))
    shown = pd.DataFrame()
    for index, group in enumerate(groups[:max_groups]):
        frame = measure_series(perspective_periods, group, measure, by="perspective")
        shown = frame
        _series(ax, frame, "value", colour=s["palette"][index % 8], linestyle=s["linestyles"][index % 8],
                marker=s["markers"][index % 8], label=f"{group} ({plural(counts[group], 'article')})")
    ax.axhline(0, color="0.6", linewidth=0.6, zorder=0)
    ax.set_ylabel(_wrap(measure_label(measure), 24))
    if len(shown):
        _period_axis(ax, shown)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0.0)
    else:
        ax.text(0.5, 0.5, "no outlet of a known perspective relates the pair", transform=ax.transAxes,
                ha="center", va="center", fontsize=7)
    fig._notes = [f"not drawn (beyond {max_groups} perspectives): {', '.join(groups[max_groups:])}"] \
        if len(groups) > max_groups else []
    return fig


@_styled
def plot_events(event_periods: pd.DataFrame) -> plt.Figure:
    """Figure 9: events by class per period (stacked, every report), distinct events, and the share of articles
    relating the pair with its interval."""
    s = style()
    data = quad_data(event_periods)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(s["full_width_in"], 3.8), layout="constrained", sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(len(data))
    base = np.zeros(len(data))
    colours = {"verbal_cooperation": (s["cooperation_colour"], 0.5, None),
               "material_cooperation": (s["cooperation_colour"], 1.0, None),
               "verbal_conflict": (s["friction_colour"], 0.5, "////"), "material_conflict": (s["friction_colour"], 1.0, "////")}
    for quad, label in QUAD_LABELS.items():
        values = data[quad].fillna(0).to_numpy(dtype=float) if quad in data else np.zeros(len(data))
        colour, alpha, hatch = colours[quad]
        top.bar(x, values, bottom=base, color=colour, alpha=alpha, hatch=hatch, edgecolor="white", linewidth=0,
                label=label, width=0.8)
        base += values
    if "n_unique_events" in data:
        relating = data["n_articles"].fillna(0).to_numpy() > 0 if "n_articles" in data else np.ones(len(data), bool)
        top.plot(x[relating], data["n_unique_events"].fillna(0).to_numpy()[relating], linestyle="none", marker="D",
                 markersize=3, color="0.15", label="distinct events")
    top.set_ylabel("events")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0.0)
    if "article_share" in data and len(data):
        share = data["article_share"].to_numpy(dtype=float) * 100
        low = data["share_low"].to_numpy(dtype=float) * 100
        high = data["share_high"].to_numpy(dtype=float) * 100
        has = np.isfinite(low) & np.isfinite(share)
        bottom.errorbar(x[has], share[has], yerr=[share[has] - low[has], high[has] - share[has]], fmt="o", markersize=3,
                        color="0.3", elinewidth=0.8, capsize=1.5)
        bottom.plot(x[~has], share[~has], linestyle="none", marker="o", markersize=3, markerfacecolor="white",
                    markeredgecolor="0.3")
        finite = np.r_[high[np.isfinite(high)], share[np.isfinite(share)], 1.0]
        bottom.set_ylim(0, float(finite.max()) * 1.1)
    bottom.set_ylabel("% of articles\nrelating the pair")
    step = max(1, math.ceil(len(x) / 10))
    bottom.set_xticks(x[::step], list(data["period"])[::step] if len(data) else [], rotation=45, ha="right")
    fig._notes = []
    return fig


def make_figures(results, directory: str | Path, formats: tuple[str, ...] = ("pdf", "svg", "png")) -> list[Path]:
    """Draw and save all figures for a :class:`analysis.engine.pipeline.Results`; returns the files.

    Each figure's caption (and any note the figure would otherwise print
    inside itself: why no change point is reported, which topics were too
    thin to draw) goes to ``stem.txt`` beside it: captions belong to the paper.
    """
    from ..errors import TooShortError
    from ..events import headline_periods
    from ..io import write_text

    periods = results.topic_periods
    if not (periods["n_articles"] > 0).any():
        # Every figure is a series over time: checked before any file is written, so none is half-done.
        raise TooShortError("no dated, scored article in the corpus: the figures are series over time and there is "
                            "none to draw (undated articles are listed in the report; --infer-dates or a "
                            "metadata.csv can date them).")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    labels = results.topic_labels
    headline = getattr(results, "headline", "mean_net")
    sides = tuple(side.label for side in results.scorer.dyad_.sides)
    figures = {
        "fig1_net_by_topic": plot_net_by_topic(results.topic_periods, labels=labels,
                                               min_articles=results.config.min_articles),
        "fig2_heatmap": plot_heatmap(results.topic_periods, labels=labels),
        "fig3_comparison": plot_comparison(results.comparisons, labels=labels),
        "fig4_mass": plot_mass(results.topic_periods),
        "fig5_articles": plot_articles(results.article_topics, results.articles),
    }
    if results.event_periods is not None:
        figures["fig6_changes"] = plot_changes(headline_periods(results.event_periods, headline), results.changes,
                                               note=results.changes_note, labels=labels, column="value",
                                               measure=headline)
        figures["fig7_directed"] = plot_directed(results.event_periods, headline, directed=results.directed, sides=sides)
        figures["fig8_perspectives"] = plot_perspectives(results.perspective_periods, headline)
        figures["fig9_events"] = plot_events(results.event_periods)
    else:
        figures["fig6_changes"] = plot_changes(results.topic_periods, results.changes, note=results.changes_note,
                                               labels=labels)
    written = []
    for stem, fig in figures.items():
        notes = [n for n in getattr(fig, "_notes", []) if n]
        caption = FIGURES[stem].replace("The headline measure", measure_label(headline) if stem in
                                        ("fig6_changes", "fig7_directed", "fig8_perspectives") else "The headline measure")
        written += save_figure(fig, directory / stem, formats)
        text = caption + ("\n\n" + "\n".join(n[0].upper() + n[1:] + ("" if n.endswith(".") else ".") for n in notes)
                          if notes else "") + "\n"
        write_text(directory / f"{stem}.txt", text)
        written.append(directory / f"{stem}.txt")
    return written
