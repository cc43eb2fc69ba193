"""Interactive charts for the report (plotly), the same six views as the paper figures.

Data and labels come from :mod:`analysis.chartdata`, shared with
:mod:`analysis.figures`. Every piece of article text placed in a hover is
HTML-escaped first: plotly renders a subset of HTML in hover labels, and
article titles and sentences are untrusted.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..schema import ALL_TOPICS
from .chartdata import (
    LABELS,
    articles_data,
    forest_data,
    heatmap_data,
    mass_data,
    series_data,
    style,
    topic_label,
)

__all__ = ["chart_series", "chart_heatmap", "chart_comparison", "chart_mass", "chart_articles", "chart_changes",
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


def _layout(fig: go.Figure, *, title: str, height: int = 360, yaxis_title: str = "") -> go.Figure:
    fig.update_layout(title={"text": html.escape(title), "x": 0, "font": {"size": 15}}, height=height,
                      template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 50},
                      font={"family": "DejaVu Sans, Arial, sans-serif", "size": 12},
                      hoverlabel={"align": "left"}, yaxis_title=yaxis_title)
    return fig


def _ci_text(low: float, high: float) -> str:
    return "" if pd.isna(low) else f"[{low:+.2f}, {high:+.2f}]"


def chart_series(topic_periods: pd.DataFrame, topic: str, *, smoothed: pd.DataFrame | None = None,
                 labels: dict[str, str] | None = None, style_index: int = 0) -> go.Figure:
    """One topic's net per period with its bootstrap band; thin periods as open markers."""
    s = style()
    data = series_data(topic_periods, topics=[topic])
    data = data[data["n_articles"] > 0]
    colour = s["palette"][style_index % len(s["palette"])]
    fig = go.Figure()
    band = data.dropna(subset=["ci_low"])
    fig.add_trace(go.Scatter(x=list(band["period_start"]) + list(band["period_start"])[::-1],
                             y=list(band["ci_high"]) + list(band["ci_low"])[::-1], fill="toself",
                             fillcolor=_rgba(colour, 0.2), line={"width": 0}, hoverinfo="skip",
                             name="95% interval", showlegend=True))
    custom = np.stack([data["period"], data["n_articles"], data["n_sentences"],
                       [_ci_text(lo, hi) for lo, hi in zip(data["ci_low"], data["ci_high"], strict=True)],
                       np.where(data["thin"], " (thin: few articles)", "")], axis=-1) if len(data) else None
    fig.add_trace(go.Scatter(
        x=data["period_start"], y=data["mean_net"], mode="lines+markers", name="mean net",
        line={"color": colour, "dash": _DASHES[s["linestyles"][style_index % 8]]},
        marker={"symbol": [_SYMBOLS[s["markers"][style_index % 8]] + ("-open" if t else "") for t in data["thin"]],
                "size": 9, "color": colour, "line": {"color": colour, "width": 1.5}},
        customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b>%{customdata[4]}<br>mean net %{y:+.2f} %{customdata[3]}"
                      "<br>n = %{customdata[1]} articles, %{customdata[2]} sentences<extra></extra>"))
    if smoothed is not None and not smoothed.empty:
        line = smoothed[smoothed["topic"] == topic]
        if len(line):
            fig.add_trace(go.Scatter(x=line["period_start"], y=line["smoothed"], mode="lines", name="LOWESS trend",
                                     line={"color": "#555555", "width": 1, "dash": "dot"}, hoverinfo="skip"))
    fig.add_hline(y=0, line={"color": "#999999", "width": 1})
    fig.update_yaxes(range=[-1.05, 1.05], title=LABELS["net_short"])
    return _layout(fig, title=topic_label(topic, labels), height=320)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def chart_heatmap(topic_periods: pd.DataFrame, *, labels: dict[str, str] | None = None) -> go.Figure:
    """Topic × period heatmap of mean net, centred on 0, with n articles in the hover and the cells."""
    means, counts = heatmap_data(topic_periods)
    names = [topic_label(t, labels) for t in means.index]
    fig = go.Figure(go.Heatmap(
        z=means.to_numpy(dtype=float), x=list(means.columns), y=names, zmid=0, zmin=-1, zmax=1,
        colorscale="RdBu", customdata=counts.to_numpy(), text=np.where(counts.to_numpy() > 0, counts.to_numpy().astype(str), ""),
        texttemplate="%{text}", colorbar={"title": {"text": "net"}},
        hovertemplate="%{y}, %{x}<br>mean net %{z:+.2f}<br>n = %{customdata} articles<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title="Net cooperation by topic and period", height=max(300, 36 * len(names) + 120))


def chart_comparison(comparisons: pd.DataFrame, *, labels: dict[str, str] | None = None) -> go.Figure:
    """Forest plot of B − A per topic with 95% intervals; filled markers are significant after FDR."""
    s = style()
    data = forest_data(comparisons)
    names = [topic_label(t, labels) for t in data["topic"]]
    colours = [s["cooperation_colour"] if d > 0 else s["friction_colour"] for d in data["difference"]]
    fig = go.Figure(go.Scatter(
        x=data["difference"], y=names, mode="markers",
        marker={"size": 10, "color": colours, "symbol": ["circle" if sig else "circle-open" for sig in data["significant"]],
                "line": {"width": 2, "color": colours}},
        error_x={"type": "data", "symmetric": False, "array": data["ci_high"] - data["difference"],
                 "arrayminus": data["difference"] - data["ci_low"], "color": "#555555", "thickness": 1.5},
        customdata=np.stack([data["n_a"], data["n_b"], data["p_adjusted"].round(4), data["ci_low"].round(3),
                             data["ci_high"].round(3)], axis=-1) if len(data) else None,
        hovertemplate="%{y}<br>difference %{x:+.2f} [%{customdata[3]:+.2f}, %{customdata[4]:+.2f}]"
                      "<br>n = %{customdata[0]} vs %{customdata[1]} articles<br>BH-adjusted p = %{customdata[2]}<extra></extra>"))
    fig.add_vline(x=0, line={"color": "#999999", "width": 1})
    period_a = getattr(comparisons, "period_a", "A")
    period_b = getattr(comparisons, "period_b", "B")
    fig.update_xaxes(title=LABELS["difference"])
    return _layout(fig, title=f"B = {period_b} compared with A = {period_a}", height=max(260, 40 * len(names) + 120))


def chart_mass(topic_periods: pd.DataFrame, *, topic: str = ALL_TOPICS) -> go.Figure:
    """Cooperation mass (up) and friction mass (down) per period, with n articles in the hover."""
    s = style()
    data = mass_data(topic_periods, topic)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=data["period"], y=data["cooperation_mass"], name="cooperation",
                         marker={"color": s["cooperation_colour"]}, customdata=data["n_articles"],
                         hovertemplate="%{x}<br>cooperation mass %{y:.1f}<br>n = %{customdata} articles<extra></extra>"))
    fig.add_trace(go.Bar(x=data["period"], y=-data["friction_mass"], name="friction",
                         marker={"color": s["friction_colour"], "pattern": {"shape": "/"}}, customdata=data["n_articles"],
                         hovertemplate="%{x}<br>friction mass %{y:.1f}<br>n = %{customdata} articles<extra></extra>"))
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
    fig = go.Figure(go.Scatter(
        x=data["published"], y=data["net"], mode="markers",
        marker={"size": 6 + 3 * data["size"], "color": colours, "opacity": 0.8, "line": {"width": 1, "color": "white"}},
        customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<br>net %{y:+.2f}, "
                      "%{customdata[4]} dyad sentences<br><i>%{customdata[3]}</i><extra></extra>"))
    fig.add_hline(y=0, line={"color": "#999999", "width": 1})
    fig.update_yaxes(range=[-1.05, 1.05])
    title = "Articles over time" if total <= max_points else f"Articles over time ({max_points:,} of {total:,}: most dyad sentences)"
    return _layout(fig, title=title, yaxis_title=LABELS["net_short"])


def chart_changes(topic_periods: pd.DataFrame, changes: pd.DataFrame | None, *, topic: str = ALL_TOPICS,
                  note: str = "", labels: dict[str, str] | None = None) -> go.Figure:
    """A topic's series with change points and their bootstrap intervals."""
    fig = chart_series(topic_periods, topic, labels=labels)
    starts = dict(zip(topic_periods["period"], topic_periods["period_start"], strict=False))
    if changes is not None:
        for row in changes.itertuples():
            fig.add_vrect(x0=starts.get(row.ci_low, row.break_date), x1=starts.get(row.ci_high, row.break_date),
                          fillcolor="#888888", opacity=0.15, line_width=0)
            fig.add_vline(x=row.break_date, line={"dash": "dash", "color": "#333333"})
    if note:
        fig.add_annotation(text=html.escape(note), xref="paper", yref="paper", x=0, y=-0.22, showarrow=False,
                           font={"size": 11, "color": "#555555"}, align="left")
    title = f"Change points: {topic_label(topic, labels)}"
    return _layout(fig, title=title, height=340)
