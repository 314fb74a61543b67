"""Figure builders: DataFrame in, plotly figure out. No data access here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc

from components.formatting import cny

#: One colour per funnel level, cold to warm, level 6 (cash) in green.
LEVEL_COLOURS = {1: "#9ecae1", 2: "#6baed6", 3: "#4292c6", 4: "#2171b5", 5: "#08519c", 6: "#2ca25f"}


#: What every chart's layout starts from (``base_layout``; ``rad_scatter`` writes its layout as a dict).
BASE_LAYOUT: dict[str, Any] = {
    "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "font": {"family": "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif", "size": 13},
    "showlegend": False,
}


def base_layout(fig: go.Figure, *, height: int = 300) -> go.Figure:
    fig.update_layout(height=height, **BASE_LAYOUT)
    return fig


GRAPH_CONFIG: dcc.Graph.Config = {"displaylogo": False, "responsive": True}


def graph(graph_id: str, figure: go.Figure | dict[str, Any]) -> dcc.Graph:
    """A dcc.Graph as tall as its figure (else Dash's container clips it) and as wide as its column."""
    layout = figure["layout"] if isinstance(figure, dict) else figure.layout
    height = layout["height"] or 400
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, style={"height": f"{height}px"})


def pipeline_by_level(df: pd.DataFrame, level_names: Mapping[int, str], lang: str) -> go.Figure:
    """Horizontal bars of open amount by level (1 at the top), labelled with count and CNY."""
    levels = list(range(1, 6))
    data = (
        df.set_index("level").reindex(levels).fillna(0)
        if not df.empty
        else pd.DataFrame({"count": [0] * 5, "amount": [0.0] * 5}, index=levels)
    )
    fig = go.Figure(
        go.Bar(
            y=[level_names[lv] for lv in levels],
            x=data["amount"].astype(float).tolist(),
            orientation="h",
            marker_color=[LEVEL_COLOURS[lv] for lv in levels],
            text=[f"{int(c):,} · {cny(float(a), lang)}" for c, a in zip(data["count"], data["amount"], strict=True)],
            textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(showticklabels=False, showgrid=False)
    return base_layout(fig, height=260)


def movement_waterfall(
    start: float, steps: Mapping[str, float], end: float, labels: Mapping[str, str], lang: str
) -> go.Figure:
    """Start pipeline, the steps that raised or lowered it, end pipeline (metrics.movement)."""
    order = [("new", 1), ("increased", 1), ("decreased", -1), ("won", -1), ("lost", -1), ("pushed_out", -1)]
    x = [labels["start"]] + [labels[name] for name, _ in order] + [labels["end"]]
    y = [start] + [sign * steps[name] for name, sign in order] + [end]
    fig = go.Figure(
        go.Waterfall(
            x=x,
            y=y,
            measure=["absolute"] + ["relative"] * len(order) + ["total"],
            text=[cny(abs(v), lang) for v in y],
            textposition="outside",
            increasing={"marker": {"color": "#2ca25f"}},
            decreasing={"marker": {"color": "#de2d26"}},
            totals={"marker": {"color": "#2171b5"}},
            connector={"line": {"color": "#9aa7b5"}},
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(showticklabels=False, showgrid=False)
    return base_layout(fig, height=320)


def funnel(
    stages: pd.DataFrame, measure: str, labels: Mapping[str, str], next_rates: Mapping[str, str], lang: str
) -> go.Figure:
    """The six levels to cash as a funnel; each stage's customdata is its key (for clicks)."""
    values = stages[measure].astype(float).tolist()
    text = [
        f"{int(c):,} · {cny(float(a), lang)}" + (f" · {next_rates[s]}" if next_rates.get(s) else "")
        for s, c, a in zip(
            stages["stage"], stages["count"], stages[measure if measure != "count" else "amount"], strict=True
        )
    ]
    colours = [LEVEL_COLOURS[6 if s == "6" else 5 if s == "5w" else int(s)] for s in stages["stage"]]
    fig = go.Figure(
        go.Funnel(
            y=[labels[s] for s in stages["stage"]],
            x=values,
            text=text,
            textinfo="text",
            customdata=stages["stage"].tolist(),
            marker={"color": colours},
            hovertemplate="%{y}: %{text}<extra></extra>",
            connector={"line": {"color": "#9aa7b5"}},
        )
    )
    return base_layout(fig, height=340)


def v_gauge(value: float | None, required: float | None, status: str | None, lang: str) -> go.Figure:
    """The V value as a gauge: the needle bar green at or above the required V (the red threshold line),
    red below it. ``status`` replaces the number when there is none (quota met, no quota)."""
    if value is None:
        fig = go.Figure()
        fig.add_annotation(text=status or "—", showarrow=False, font={"size": 28}, x=0.5, y=0.5)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return base_layout(fig, height=220)
    top = max(3.0, value * 1.15, (required or 0) * 1.5)
    good = required is None or value >= required
    gauge: dict[str, object] = {
        "axis": {"range": [0, top], "ticksuffix": "×"},
        "bar": {"color": "#2ca25f" if good else "#d62728"},
        "bgcolor": "#f1f3f5",
    }
    if required is not None:
        gauge["threshold"] = {"line": {"color": "#212529", "width": 4}, "thickness": 0.85, "value": required}
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number+delta" if required is not None else "gauge+number",
            value=value,
            number={"suffix": "×", "valueformat": ".2f"},
            delta={"reference": required, "valueformat": ".2f", "suffix": "×"} if required is not None else None,
            gauge=gauge,
        )
    )
    fig = base_layout(fig, height=220)
    fig.update_layout(margin={"l": 25, "r": 25, "t": 20, "b": 5})
    return fig


#: One colour per RAD class: R (retention) green, D (development) blue, A (acquisition) orange.
RAD_COLOURS = {"R": "#2ca25f", "D": "#3182bd", "A": "#fd8d3c"}
#: SOW above this is drawn at it, as a triangle (the hover tells the real SOW): a few accounts with SOW of
#: 2000% (a BP far too low) must not squash everyone else into the bottom of the chart.
SOW_CAP = 1.5
#: Marker symbols by plotly's numbers (circle, diamond: manual class, triangle-up: SOW above the cap).
SYMBOL_PLAIN, SYMBOL_MANUAL, SYMBOL_CAPPED = 0, 2, 5
#: From this many markers on, the scatter draws with WebGL (smooth at 50,000 accounts); below, as SVG.
WEBGL_FROM = 2000


def rad_scatter(
    accounts: pd.DataFrame, r_min: float, a_max: float, class_labels: Mapping[str, str], lang: str
) -> dict[str, Any]:
    """SOW (y, %) against BP (x, log scale), one marker per account with a known BP: colour by class, size by
    open pipeline, a diamond where the class is a manual override, a triangle at the top for SOW above
    ``SOW_CAP``; the R and A threshold lines labelled.
    ``customdata`` is the account code (for click and selection); the hover names the account, its BP, SOW
    and class (owner and pipeline are in the panel a click opens).

    A figure dict, not a ``go.Figure``: at 75,000 accounts, plotly's per-point validation and deep copies
    of the trace arrays cost seconds, and every per-point string costs serialization on each request; one
    trace per class and symbol, one hovertemplate, arrays built once."""
    known = accounts[accounts["sow"].notna() & (accounts["bp"].astype(float) > 0)]
    cap = max(SOW_CAP, r_min * 1.5)
    kind = "scattergl" if len(known) >= WEBGL_FROM else "scatter"
    biggest = float(known["open_pipeline"].max()) if not known.empty else 0.0
    traces = []
    for cls in ("R", "D", "A"):
        part = known[known["rad_class"] == cls]
        sow = part["sow"].astype(float)
        kinds = np.where(sow > cap, SYMBOL_CAPPED, np.where(part["manual"].astype(bool), SYMBOL_MANUAL, SYMBOL_PLAIN))
        first = True
        for symbol in (SYMBOL_PLAIN, SYMBOL_MANUAL, SYMBOL_CAPPED):
            mine, mine_sow = part[kinds == symbol], sow[kinds == symbol]
            if mine.empty and not first:
                continue
            names = mine["name"].astype(str)
            if symbol == SYMBOL_CAPPED:  # drawn at the cap: the hover tells the real SOW
                names = names + [f" · SOW {v * 100:,.1f}%" for v in mine_sow]
            pipe = mine["open_pipeline"].astype(float)
            sizes = 6 + 22 * (pipe / biggest) ** 0.5 if biggest > 0 else pd.Series(8.0, index=mine.index)
            mark = " ✎" if symbol == SYMBOL_MANUAL else ""
            traces.append(
                {
                    "type": kind,
                    "x": mine["bp"].astype(float).to_numpy(),
                    "y": (mine_sow.clip(upper=cap) * 100).to_numpy(),
                    "mode": "markers",
                    "name": class_labels[cls],
                    "legendgroup": cls,
                    "showlegend": first,
                    "customdata": mine["account_code"].to_numpy(dtype=str),  # click and selection
                    "text": names.to_numpy(dtype=str),
                    "hovertemplate": (
                        "<b>%{text}</b> (%{customdata})<br>BP ¥%{x:,.0f} · SOW %{y:.1f}%"
                        f"<br>{class_labels[cls]}{mark}<extra></extra>"
                    ),
                    "marker": {
                        "color": RAD_COLOURS[cls],
                        "size": sizes.to_numpy(dtype=float),
                        "opacity": 0.75,
                        "symbol": symbol,
                        "line": {"width": 0.5, "color": "#fff"},
                    },
                }
            )
            first = False
    lines = ((r_min, f"R ≥ {r_min * 100:g}%"), (a_max, f"A < {a_max * 100:g}%"))
    layout = {
        **BASE_LAYOUT,
        "height": 520,
        "showlegend": True,
        "legend": {"orientation": "h", "y": 1.06, "x": 0},
        "dragmode": "lasso",
        "clickmode": "event+select",
        "margin": {"l": 50, "r": 10, "t": 30, "b": 45},
        "xaxis": {"type": "log", "title": {"text": "BP (CNY)"}, "gridcolor": "#e9ecef"},
        "yaxis": {"title": {"text": "SOW (%)"}, "gridcolor": "#e9ecef", "rangemode": "tozero"},
        # the R and A thresholds: dashed lines across the plot, labelled at their left end
        "shapes": [
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": value * 100,
                "y1": value * 100,
                "line": {"dash": "dash", "color": "#495057", "width": 1},
            }
            for value, _label in lines
        ],
        "annotations": [
            {
                "text": label,
                "xref": "x domain",
                "x": 0,
                "xanchor": "left",
                "yref": "y",
                "y": value * 100,
                "yanchor": "bottom",
                "showarrow": False,
            }
            for value, label in lines
        ],
    }
    return {"data": traces, "layout": layout}


def account_years(years: pd.DataFrame, labels: Mapping[str, str], lang: str) -> go.Figure:
    """An account over the years: BP and bookings as bars, SOW as a line on the right axis."""
    fig = go.Figure()
    fig.add_bar(x=years["year"].astype(str), y=years["bp"], name=labels["bp"], marker_color="#adb5bd")
    fig.add_bar(x=years["year"].astype(str), y=years["bookings"], name=labels["bookings"], marker_color="#3182bd")
    sow = [None if s is None else float(s) * 100 for s in years["sow"]]
    fig.add_scatter(
        x=years["year"].astype(str),
        y=sow,
        name=labels["sow"],
        yaxis="y2",
        mode="lines+markers+text",
        text=[("" if s is None else f"{s:.0f}%") for s in sow],
        textposition="top center",
        line={"color": "#2ca25f"},
    )
    fig = base_layout(fig, height=280)
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "y": 1.12, "x": 0},
        barmode="group",
        margin={"l": 10, "r": 40, "t": 30, "b": 10},
        yaxis2={"overlaying": "y", "side": "right", "ticksuffix": "%", "rangemode": "tozero", "showgrid": False},
    )
    return fig


def attainment_gauge(value: float | None, elapsed: float, title: str, lang: str) -> go.Figure:
    """Attainment as a gauge to 150%: green at or above the pace line (the share of the period elapsed,
    drawn as the threshold), amber below it."""
    if value is None:
        fig = go.Figure()
        fig.add_annotation(text="—", showarrow=False, font={"size": 28}, x=0.5, y=0.5)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return base_layout(fig, height=200)
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=value * 100,
            number={"suffix": "%", "valueformat": ".1f"},
            title={"text": title, "font": {"size": 14}},
            gauge={
                "axis": {"range": [0, max(150, value * 100 * 1.05)], "ticksuffix": "%"},
                "bar": {"color": "#2ca25f" if value >= elapsed else "#f0ad4e"},
                "bgcolor": "#f1f3f5",
                "threshold": {"line": {"color": "#212529", "width": 3}, "thickness": 0.85, "value": elapsed * 100},
            },
        )
    )
    fig = base_layout(fig, height=200)
    fig.update_layout(margin={"l": 45, "r": 45, "t": 40, "b": 5})
    return fig


def monthly_bookings(months: pd.DataFrame, labels: Mapping[str, str], lang: str) -> go.Figure:
    """Bookings per month as bars, cumulative bookings and the cumulative target as lines."""
    x = [str(m) for m in months["month"]]
    fig = go.Figure()
    fig.add_bar(x=x, y=months["bookings"], name=labels["bookings"], marker_color="#9ecae1")
    fig.add_scatter(
        x=x, y=months["cumulative"], name=labels["cumulative"], mode="lines+markers", line={"color": "#08519c"}
    )
    if months["target"].notna().any():
        fig.add_scatter(
            x=x, y=months["target"], name=labels["target"], mode="lines", line={"color": "#d62728", "dash": "dash"}
        )
    fig = base_layout(fig, height=280)
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "y": 1.12, "x": 0},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": {"text": labels["month"]}},
    )
    return fig
