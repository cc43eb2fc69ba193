"""Interactive charts for the report (plotly), the same six views as the paper figures.

Data and labels come from :mod:`analysis.chartdata`, shared with
:mod:`analysis.figures`. Every piece of article text placed in a hover is
HTML-escaped first: plotly renders a subset of HTML in hover labels, and
article titles and sentences are untrusted.
"""

from __future__ import annotations

import html
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..schema import ALL_TOPICS
from .chartdata import (
    DIRECTION_LABELS,
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
    topic_label,
)

__all__ = ["chart_series", "chart_heatmap", "chart_comparison", "chart_mass", "chart_articles", "chart_changes",
           "chart_measure", "chart_directed", "chart_crosscorrelation", "chart_events", "chart_perspectives",
           "escape_hover"]

_DASHES = {"-": "solid", "--": "dash", "-.": "dashdot", ":": "dot"}
_SYMBOLS = {"o": "circle", "s": "square", "^": "triangle-up", "D": "diamond", "v": "triangle-down",
            "P": "cross", "X": "x", "*": "star"}


def escape_hover(text: object, limit: int = 300) -> str:
    """Untrusted text made safe for a plotly hover label (escaped, shortened)."""
    value = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return html.escape(value, quote=True)


def _figure(*traces: dict) -> go.Figure:
    """A figure that plotly does not validate.

    Validating costs most of a chart's time (a report's 20 charts took
    seconds, half of it copying the template into each); every property
    here is written by this module and the JSON plotly writes is the same.
    """
    return go.Figure(data=list(traces), _validate=False)


def _trace(kind: str, **properties) -> dict:
    """A trace of type ``kind`` ("scatter", "bar", "heatmap") as plotly's JSON has it."""
    return {"type": kind, **properties}


@lru_cache(maxsize=1)
def _template() -> go.layout.Template:
    """plotly_white validated once per process. An unvalidated figure keeps a template's name and writes a
    template dict in another key order; this object is written exactly as a validated figure writes it."""
    return go.Figure(layout={"template": "plotly_white"}).layout.template


@lru_cache(maxsize=8)
def _colorscale(name: str) -> list[list]:
    """A named colour scale as the list of [position, colour] steps a validated figure writes."""
    return [list(step) for step in go.Heatmap(colorscale=name).colorscale]


def _rule(fig: go.Figure, *, line: dict, x: object = None, y: object = None) -> None:
    """A line across the plot at ``y`` (or down it at ``x``): the shape ``add_hline``/``add_vline`` draw, which on an
    unvalidated figure would also leave an empty annotation list behind."""
    if y is not None:
        fig.add_shape({"line": line, "type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y"})
    else:
        fig.add_shape({"line": line, "type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"})


def _layout(fig: go.Figure, *, title: str, height: int = 360, yaxis_title: str = "") -> go.Figure:
    fig.update_layout(title={"text": html.escape(title), "x": 0, "font": {"size": 15}}, height=height,
                      template=_template(), margin={"l": 60, "r": 20, "t": 50, "b": 50},
                      font={"family": "DejaVu Sans, Arial, sans-serif", "size": 12},
                      hoverlabel={"align": "left"}, yaxis_title={"text": yaxis_title})
    return fig


def _ci_text(low: float, high: float) -> str:
    return "" if pd.isna(low) else f"[{low:+.2f}, {high:+.2f}]"


def _band(fig: go.Figure, x: list, low: np.ndarray, high: np.ndarray, colour: str, *, name: str = "95% interval",
          group: str = "", visible: bool = True, showlegend: bool = True) -> int:
    """The interval as a band over each run of periods that has one (never across a gap), and as an error bar
    on a period that has one alone. Returns the number of traces added."""
    has = np.isfinite(np.asarray(low, dtype=float)) & np.isfinite(np.asarray(high, dtype=float))
    added = 0
    for start, stop in runs(has):
        if stop - start == 1:
            fig.add_trace(_trace("scatter", x=[x[start]], y=[(low[start] + high[start]) / 2], mode="markers",
                                     marker={"size": 1, "color": _rgba(colour, 0.6), "opacity": 0},
                                     error_y={"type": "data", "symmetric": False, "array": [high[start] - (low[start] + high[start]) / 2],
                                              "arrayminus": [(low[start] + high[start]) / 2 - low[start]],
                                              "color": _rgba(colour, 0.6), "thickness": 6, "width": 0},
                                     hoverinfo="skip", name=name, legendgroup=group or name, visible=visible,
                                     showlegend=showlegend and added == 0))
        else:
            xs = list(x[start:stop])
            fig.add_trace(_trace("scatter", x=xs + xs[::-1], y=list(high[start:stop]) + list(low[start:stop])[::-1],
                                     mode="lines", fill="toself", fillcolor=_rgba(colour, 0.2), line={"width": 0}, hoverinfo="skip",
                                     name=name, legendgroup=group or name, visible=visible,
                                     showlegend=showlegend and added == 0))
        added += 1
    return added


def _periods_axis(fig: go.Figure, frame: pd.DataFrame) -> None:
    """Period labels as ticks when there are few periods (one period would otherwise get clock-time ticks)."""
    ticks = period_ticks(frame)
    if ticks is not None:
        fig.update_xaxes(tickmode="array", tickvals=ticks[0], ticktext=ticks[1])
        if len(ticks[0]) == 1:
            centre = pd.Timestamp(ticks[0][0])
            fig.update_xaxes(range=[centre - pd.Timedelta(days=200), centre + pd.Timedelta(days=200)])


def _no_data(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=html.escape(text), xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                       font={"size": 13, "color": "#555555"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def chart_series(topic_periods: pd.DataFrame, topic: str, *, smoothed: pd.DataFrame | None = None,
                 labels: dict[str, str] | None = None, style_index: int = 0) -> go.Figure:
    """One topic's mean net per period with its bootstrap band; thin periods as open markers.

    Every period is on the axis; the line and band break at periods without
    articles, and a period without an interval (one article, or copies of one
    story) gets none.
    """
    s = style()
    data = series_data(topic_periods, topics=[topic])
    colour = s["palette"][style_index % len(s["palette"])]
    fig = _figure()
    scored = data[data["n_articles"] > 0]
    if scored.empty:
        return _layout(_no_data(fig, "No dated article relates the pair on this topic."),
                       title=topic_label(topic, labels), height=200)
    x = list(data["period_start"])
    _band(fig, x, data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float), colour)
    custom = np.stack([data["period"], [plural(int(n), "article") for n in data["n_articles"]],
                       [plural(int(n), "sentence") for n in data["n_sentences"]],
                       [_ci_text(lo, hi) if pd.notna(lo) else ("no interval (one story)" if n else "")
                        for lo, hi, n in zip(data["ci_low"], data["ci_high"], data["n_articles"], strict=True)],
                       np.where(data["thin"] & (data["n_articles"] > 0), " (thin: few articles)", "")], axis=-1)
    fig.add_trace(_trace(
        "scatter",
        x=x, y=[v if n else None for v, n in zip(data["mean_net"], data["n_articles"], strict=True)],
        mode="lines+markers", name="mean net", connectgaps=False,
        line={"color": colour, "dash": _DASHES[s["linestyles"][style_index % 8]]},
        marker={"symbol": [_SYMBOLS[s["markers"][style_index % 8]] + ("-open" if t else "") for t in data["thin"]],
                "size": 9, "color": colour, "line": {"color": colour, "width": 1.5}},
        customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b>%{customdata[4]}<br>mean net %{y:+.2f} %{customdata[3]}"
                      "<br>n = %{customdata[1]}, %{customdata[2]}<extra></extra>"))
    if smoothed is not None and not smoothed.empty:
        line = smoothed[smoothed["topic"] == topic]
        if len(line):
            fig.add_trace(_trace("scatter", x=line["period_start"], y=line["smoothed"], mode="lines", name="LOWESS trend",
                                     line={"color": "#555555", "width": 1, "dash": "dot"}, hoverinfo="skip"))
    _rule(fig, y=0, line={"color": "#999999", "width": 1})
    fig.update_yaxes(range=[-1.05, 1.05], title={"text": LABELS["net_short"]})
    _periods_axis(fig, data)
    return _layout(fig, title=topic_label(topic, labels), height=320)


def _measure_range(measure: str, frame: pd.DataFrame) -> list[float]:
    low, _, high, _ = measure_scale(measure, np.concatenate([frame["value"].to_numpy(dtype=float),
                                                             frame["ci_low"].to_numpy(dtype=float),
                                                             frame["ci_high"].to_numpy(dtype=float)]))
    pad = 0.05 * (high - low)
    return [low - pad, high + pad]


def chart_measure(event_periods: pd.DataFrame, topic: str, measures: list[str], *, labels: dict[str, str] | None = None,
                  style_index: int = 0, by: str = "topic", title: str | None = None) -> go.Figure:
    """One topic's series of the first measure (the headline), the others one click away (buttons).

    Each measure: its value per period, the band of its 95% article-cluster
    bootstrap interval over runs of periods that have one (a lone period gets
    an error bar; a gap breaks line and band), thin periods as open markers,
    and n articles / events / stories in the hover.
    """
    s = style()
    colour = s["palette"][style_index % len(s["palette"])]
    fig = _figure()
    first = measure_series(event_periods, topic, measures[0], by=by)
    if first.empty or not (first["n_articles"] > 0).any():
        return _layout(_no_data(fig, "No dated article relates the pair here."), title=title or topic_label(topic, labels),
                       height=200)
    groups, ranges = [], []
    for index, measure in enumerate(measures):
        data = measure_series(event_periods, topic, measure, by=by)
        visible = index == 0
        x = list(data["period_start"])
        count = _band(fig, x, data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float), colour,
                      group=measure, visible=visible)
        custom = np.stack([data["period"], [plural(int(n), "article") for n in data["n_articles"]],
                           [plural(int(n), "event") for n in data["n_events"]],
                           [_ci_text(lo, hi) if pd.notna(lo) else ("no interval (fewer than two stories)" if n else "")
                            for lo, hi, n in zip(data["ci_low"], data["ci_high"], data["n_articles"], strict=True)],
                           np.where(data["thin"] & (data["n_articles"] > 0), " (thin: few articles)", "")], axis=-1)
        values = [v if n and pd.notna(v) else None for v, n in zip(data["value"], data["n_articles"], strict=True)]
        fig.add_trace(_trace(
        "scatter",
            x=x, y=values, mode="lines+markers", name=measure_label(measure), connectgaps=False, visible=visible,
            legendgroup=measure, line={"color": colour, "dash": _DASHES[s["linestyles"][style_index % 8]]},
            marker={"symbol": [_SYMBOLS[s["markers"][style_index % 8]] + ("-open" if t else "") for t in data["thin"]],
                    "size": 9, "color": colour, "line": {"color": colour, "width": 1.5}},
            customdata=custom,
            hovertemplate="<b>%{customdata[0]}</b>%{customdata[4]}<br>" + html.escape(measure_label(measure))
                          + " %{y:.3~f} %{customdata[3]}<br>n = %{customdata[1]}, %{customdata[2]}<extra></extra>"))
        groups.append(count + 1)
        ranges.append(_measure_range(measure, data))
    total = sum(groups)
    if len(measures) > 1:
        buttons, position = [], 0
        for measure, size, y_range in zip(measures, groups, ranges, strict=True):
            mask = [False] * total
            mask[position:position + size] = [True] * size
            position += size
            buttons.append({"label": html.escape(measure_label(measure)), "method": "update",
                            "args": [{"visible": mask}, {"yaxis.range": y_range,
                                                         "yaxis.title.text": html.escape(measure_label(measure))}]})
        fig.update_layout(updatemenus=[{"type": "dropdown", "buttons": buttons, "x": 1, "xanchor": "right", "y": 1.18,
                                        "yanchor": "top", "showactive": True}])
    _rule(fig, y=0 if not measures[0].startswith("conflict_share") else 0.5, line={"color": "#999999", "width": 1})
    fig.update_yaxes(range=ranges[0], title={"text": measure_label(measures[0])})
    _periods_axis(fig, first)
    return _layout(fig, title=title or topic_label(topic, labels), height=340)


def chart_directed(event_periods: pd.DataFrame, measure: str, *, sides: tuple[str, str] = ("A", "B")) -> go.Figure:
    """The measure for each direction (A → B, B → A), all topics, with bands that never cross a gap."""
    s = style()
    fig = _figure()
    shown = pd.DataFrame()
    for index, direction in enumerate(("a_to_b", "b_to_a")):
        data = measure_series(event_periods, ALL_TOPICS, measure, direction=direction)
        if data.empty:
            continue
        shown = data
        colour = s["palette"][index]
        name = DIRECTION_LABELS[direction].format(a=sides[0], b=sides[1])
        x = list(data["period_start"])
        _band(fig, x, data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float), colour,
              name=f"{name}: 95% interval", group=direction)
        fig.add_trace(_trace(
        "scatter",
            x=x, y=[v if n and pd.notna(v) else None for v, n in zip(data["value"], data["n_articles"], strict=True)],
            mode="lines+markers", name=html.escape(name), legendgroup=direction, connectgaps=False,
            line={"color": colour, "dash": _DASHES[s["linestyles"][index]]},
            marker={"symbol": _SYMBOLS[s["markers"][index]], "size": 8, "color": colour},
            customdata=np.stack([data["period"], [plural(int(n), "event") for n in data["n_events"]]], axis=-1),
            hovertemplate="<b>%{customdata[0]}</b><br>" + html.escape(name) + " %{y:.3~f}<br>%{customdata[1]}<extra></extra>"))
    if shown.empty:
        return _layout(_no_data(fig, "No directed events."), title="Each direction of the dyad", height=200)
    _rule(fig, y=0, line={"color": "#999999", "width": 1})
    fig.update_yaxes(title={"text": measure_label(measure)})
    _periods_axis(fig, shown)
    return _layout(fig, title="Each direction of the dyad (all topics)", height=340)


def chart_crosscorrelation(table: pd.DataFrame, *, sides: tuple[str, str] = ("A", "B")) -> go.Figure:
    """The lagged cross-correlation of the two directed totals, with Fisher intervals."""
    s = style()
    data = table.dropna(subset=["correlation"])
    fig = _figure()
    if data.empty:
        return _layout(_no_data(fig, "Too few periods for a cross-correlation."), title="Cross-correlation", height=200)
    fig.add_trace(_trace("bar", x=data["lag"], y=data["correlation"], marker={"color": s["palette"][0]},
                         error_y={"type": "data", "symmetric": False, "array": data["ci_high"] - data["correlation"],
                                  "arrayminus": data["correlation"] - data["ci_low"], "color": "#333333"},
                         customdata=data["n_periods"],
                         hovertemplate="lag %{x}: r = %{y:+.2f}<br>n = %{customdata} periods<extra></extra>"))
    _rule(fig, y=0, line={"color": "#999999", "width": 1})
    fig.update_xaxes(title={"text": html.escape(f"lag k (periods; k > 0: {sides[0]} → {sides[1]} leads)")}, dtick=1)
    fig.update_yaxes(range=[-1.05, 1.05], title={"text": "correlation"})
    return _layout(fig, title="Does one side's behaviour follow the other's?", height=300)


def chart_events(event_periods: pd.DataFrame) -> go.Figure:
    """Events per period by quad class (every report), distinct events (grouped) and the share of articles relating the pair."""
    s = style()
    data = quad_data(event_periods)
    fig = _figure()
    if data.empty or not (data["n_events"].fillna(0) > 0).any():
        return _layout(_no_data(fig, "No events between the two sides."), title="Events by class", height=200)
    colours = {"verbal_cooperation": _rgba(s["cooperation_colour"], 0.55), "material_cooperation": s["cooperation_colour"],
               "verbal_conflict": _rgba(s["friction_colour"], 0.55), "material_conflict": s["friction_colour"]}
    for quad, label in QUAD_LABELS.items():
        fig.add_trace(_trace("bar", x=data["period"], y=data[quad], name=label, marker={"color": colours[quad]},
                             hovertemplate="%{x}: %{y} " + label + " events<extra></extra>"))
    fig.add_trace(_trace("scatter", x=data["period"], y=data["n_unique_events"], mode="markers", name="distinct events",
                             marker={"symbol": "diamond", "size": 9, "color": "#333333"},
                             customdata=data["n_events"],
                             hovertemplate="%{x}: %{y:.0f} distinct events of %{customdata:.0f} reports<extra></extra>"))
    fig.add_trace(_trace("scatter", x=data["period"], y=data["article_share"], mode="lines+markers", yaxis="y2",
                             name="share of articles relating the pair", line={"color": "#555555", "dash": "dot"},
                             error_y={"type": "data", "symmetric": False,
                                      "array": (data["share_high"] - data["article_share"]).fillna(0),
                                      "arrayminus": (data["article_share"] - data["share_low"]).fillna(0),
                                      "color": "#999999"},
                             customdata=data["n_articles"],
                             hovertemplate="%{x}: %{y:.1%} of the period's articles (%{customdata:.0f})<extra></extra>"))
    fig.update_layout(barmode="stack", yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%",
                                               "title": "share of articles", "rangemode": "tozero"},
                      legend={"orientation": "h", "x": 0, "y": -0.18, "xanchor": "left", "yanchor": "top"})
    fig.update_yaxes(title={"text": "events"}, selector={"anchor": "x"})
    fig = _layout(fig, title="Events by class, distinct events and coverage", height=420)
    fig.update_layout(margin={"b": 110})
    return fig


def chart_perspectives(perspective_periods: pd.DataFrame, measure: str) -> go.Figure:
    """The measure per perspective (country of the outlet, or wire), with bands that never cross a gap."""
    s = style()
    fig = _figure()
    groups = [g for g in dict.fromkeys(perspective_periods["perspective"]) if g != "unknown"] \
        if "perspective" in perspective_periods else []
    shown = pd.DataFrame()
    for index, group in enumerate(groups):
        data = measure_series(perspective_periods, group, measure, by="perspective")
        if data.empty or not (data["n_articles"] > 0).any():
            continue
        shown = data
        colour = s["palette"][index % len(s["palette"])]
        x = list(data["period_start"])
        _band(fig, x, data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float), colour,
              name=f"{group}: 95% interval", group=group, showlegend=False)
        fig.add_trace(_trace(
        "scatter",
            x=x, y=[v if n and pd.notna(v) else None for v, n in zip(data["value"], data["n_articles"], strict=True)],
            mode="lines+markers", name=html.escape(group), legendgroup=group, connectgaps=False,
            line={"color": colour, "dash": _DASHES[s["linestyles"][index % 8]]},
            marker={"symbol": _SYMBOLS[s["markers"][index % 8]], "size": 8, "color": colour},
            customdata=np.stack([data["period"], [plural(int(n), "article") for n in data["n_articles"]]], axis=-1),
            hovertemplate="<b>" + html.escape(group) + "</b> %{customdata[0]}<br>%{y:.3~f}<br>%{customdata[1]}<extra></extra>"))
    if shown.empty:
        return _layout(_no_data(fig, "No outlet of a known perspective relates the pair."), title="By perspective",
                       height=200)
    fig.update_yaxes(title={"text": measure_label(measure)})
    _periods_axis(fig, shown)
    return _layout(fig, title="By the outlets' perspective (all topics)", height=340)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def chart_heatmap(topic_periods: pd.DataFrame, *, labels: dict[str, str] | None = None, column: str = "mean_net",
                  measure: str = "mean_net") -> go.Figure:
    """Topic × period heatmap of a measure, diverging around its neutral point, shaded by n.

    A cell from few articles is drawn pale (a white veil whose opacity falls
    with log n, :func:`analysis.present.chartdata.shade`), so a one-article
    cell cannot look like a hundred-article one; n is written in each cell.
    """
    means, counts = heatmap_data(topic_periods, column=column)
    names = [topic_label(t, labels) for t in means.index]
    low, centre, high, reverse = measure_scale(measure, means.to_numpy(dtype=float))
    n = counts.to_numpy()
    fig = _figure(_trace("heatmap",
        z=means.to_numpy(dtype=float), x=list(means.columns), y=names, zmid=centre, zmin=low, zmax=high,
        colorscale=_colorscale("RdBu_r" if reverse else "RdBu"), customdata=[[plural(int(v), "article") for v in row] for row in n],
        text=np.where(n > 0, n.astype(str), ""), texttemplate="%{text}",
        colorbar={"title": {"text": html.escape(measure_label(measure))[:24]}},
        hovertemplate="%{y}, %{x}<br>%{z:.3~f}<br>n = %{customdata}<extra></extra>"))
    veil = np.where(n > 0, 1 - shade(n), np.nan)
    fig.add_trace(_trace("heatmap", z=veil, x=list(means.columns), y=names, zmin=0, zmax=1, showscale=False, hoverinfo="skip",
                             colorscale=[[0, "rgba(255,255,255,0)"], [1, "rgba(255,255,255,1)"]], name="fewer articles: paler"))
    fig.update_yaxes(autorange="reversed")
    fig.add_annotation(text="paler cells: fewer articles (n in each cell)", xref="paper", yref="paper", x=0, y=-0.12,
                       showarrow=False, font={"size": 11, "color": "#555555"}, xanchor="left")
    return _layout(fig, title=f"{measure_label(measure)} by topic and period",
                   height=max(300, 36 * len(names) + 140))


def chart_comparison(comparisons: pd.DataFrame, *, labels: dict[str, str] | None = None) -> go.Figure:
    """Forest plot of B − A per topic with 95% intervals; filled markers are significant after FDR."""
    s = style()
    data = forest_data(comparisons)
    names = [topic_label(t, labels) for t in data["topic"]]
    colours = [s["cooperation_colour"] if d > 0 else s["friction_colour"] for d in data["difference"]]
    fig = _figure(_trace(
        "scatter",
        x=data["difference"], y=names, mode="markers",
        marker={"size": 10, "color": colours, "symbol": ["circle" if sig else "circle-open" for sig in data["significant"]],
                "line": {"width": 2, "color": colours}},
        error_x={"type": "data", "symmetric": False, "array": data["ci_high"] - data["difference"],
                 "arrayminus": data["difference"] - data["ci_low"], "color": "#555555", "thickness": 1.5},
        customdata=np.stack([data["n_a"], data["n_b"], data["p_adjusted"].round(4), data["ci_low"].round(3),
                             data["ci_high"].round(3)], axis=-1) if len(data) else None,
        hovertemplate="%{y}<br>difference %{x:+.2f} [%{customdata[3]:+.2f}, %{customdata[4]:+.2f}]"
                      "<br>n = %{customdata[0]} vs %{customdata[1]} articles<br>BH-adjusted p = %{customdata[2]}<extra></extra>"))
    _rule(fig, x=0, line={"color": "#999999", "width": 1})
    period_a = getattr(comparisons, "period_a", "A")
    period_b = getattr(comparisons, "period_b", "B")
    fig.update_xaxes(title={"text": LABELS["difference"]})
    return _layout(fig, title=f"B = {period_b} compared with A = {period_a}", height=max(260, 40 * len(names) + 120))


def chart_mass(topic_periods: pd.DataFrame, *, topic: str = ALL_TOPICS) -> go.Figure:
    """Cooperation mass (up) and friction mass (down) per period, with n articles in the hover."""
    s = style()
    data = mass_data(topic_periods, topic)
    fig = _figure()
    fig.add_trace(_trace("bar", x=data["period"], y=data["cooperation_mass"], name="cooperation",
                         marker={"color": s["cooperation_colour"]}, customdata=[plural(int(n), "article") for n in data["n_articles"]],
                         hovertemplate="%{x}<br>cooperation mass %{y:.1f}<br>n = %{customdata}<extra></extra>"))
    fig.add_trace(_trace("bar", x=data["period"], y=-data["friction_mass"], name="friction",
                         marker={"color": s["friction_colour"], "pattern": {"shape": "/"}},
                         customdata=[plural(int(n), "article") for n in data["n_articles"]],
                         hovertemplate="%{x}<br>friction mass %{y:.1f}<br>n = %{customdata}<extra></extra>"))
    fig.update_layout(barmode="relative")
    return _layout(fig, title="Cooperation and friction mass per period", yaxis_title=LABELS["mass"])


def chart_articles(article_topics: pd.DataFrame, articles: pd.DataFrame, sentences: pd.DataFrame, *,
                   max_points: int = 5000) -> go.Figure:
    """Each article as a point (date × net); hover: title, source, date and top evidence sentence (escaped).

    Above ``max_points`` articles, the ones with the most dyad-relevant sentences are drawn (and the title says so).
    """
    s = style()
    data = articles_data(article_topics, articles, sentences)
    total = len(data)
    if total > max_points:
        data = data.sort_values(["n_sentences", "article_id"], ascending=[False, True]).head(max_points)
        data = data.sort_values(["published", "article_id"])
    colours = [s["cooperation_colour"] if n >= 0 else s["friction_colour"] for n in data["net"]]
    custom = np.stack([[escape_hover(t, 160) for t in data["title"]], [escape_hover(x, 80) for x in data["source"]],
                       data["published"].dt.strftime("%Y-%m-%d"), [escape_hover(e, 300) for e in data["evidence"]],
                       data["n_sentences"], data["article_id"]], axis=-1) if len(data) else None
    fig = _figure(_trace(
        "scatter",
        x=data["published"], y=data["net"], mode="markers",
        marker={"size": 6 + 3 * data["size"], "color": colours, "opacity": 0.8, "line": {"width": 1, "color": "white"}},
        customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<br>net %{y:+.2f}, "
                      "%{customdata[4]} dyad sentences<br><i>%{customdata[3]}</i><extra></extra>"))
    _rule(fig, y=0, line={"color": "#999999", "width": 1})
    fig.update_yaxes(range=[-1.05, 1.05])
    title = "Articles over time" if total <= max_points else f"Articles over time ({max_points:,} of {total:,}: most dyad sentences)"
    return _layout(fig, title=title, yaxis_title=LABELS["net_short"])


def chart_changes(topic_periods: pd.DataFrame, changes: pd.DataFrame | None, *, topic: str = ALL_TOPICS,
                  note: str = "", labels: dict[str, str] | None = None, event_periods: pd.DataFrame | None = None,
                  measure: str = "mean_net") -> go.Figure:
    """A topic's series (the headline measure when ``event_periods`` is given) with change points and their intervals."""
    if event_periods is not None:
        fig = chart_measure(event_periods, topic, [measure], labels=labels)
    else:
        fig = chart_series(topic_periods, topic, labels=labels)
    starts = dict(zip(topic_periods["period"], topic_periods["period_start"], strict=False))
    if changes is not None:
        for row in changes.itertuples():
            fig.add_shape({"fillcolor": "#888888", "line": {"width": 0}, "opacity": 0.15, "type": "rect",
                           "x0": starts.get(row.ci_low, row.break_date), "x1": starts.get(row.ci_high, row.break_date),
                           "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"})
            _rule(fig, x=row.break_date, line={"dash": "dash", "color": "#333333"})
    if note:
        fig.add_annotation(text=html.escape(note), xref="paper", yref="paper", x=0, y=-0.22, showarrow=False,
                           font={"size": 11, "color": "#555555"}, align="left")
    title = f"Change points: {topic_label(topic, labels)}"
    return _layout(fig, title=title, height=340)
