"""Figure builders: DataFrame in, plotly figure out. No data access here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import dcc

from components.formatting import cny, money_tick, month_name
from components.i18n import t

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


def level_steps(days: list[Any], levels: list[int], lang: str) -> go.Figure:
    """A deal's level over time as steps (its stage history up to its close or today), dates written in ``lang``
    (6月1日 / Jun 1, not plotly's "Jun 2026")."""
    fig = go.Figure(
        go.Scatter(x=days, y=levels, mode="lines+markers", line={"shape": "hv", "color": "#2171b5"}, marker={"size": 9})
    )
    fig.update_yaxes(range=[0.5, 6.5], dtick=1, title=None)
    fig.update_xaxes(tickformat="%-m月%-d日<br>%Y年" if lang == "zh" else "%b %-d<br>%Y", hoverformat="%Y-%m-%d")
    return base_layout(fig, height=240)


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
            # a click opens the bar's deals: the Overview's list key (metrics.overview.Drill)
            customdata=[f"open-{lv}" for lv in levels],
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(showticklabels=False, showgrid=False)
    return base_layout(fig, height=260)


#: The movement's steps in order, each with the way it moves the pipeline and its colour: deals won leave the
#: pipeline as good news (green), deals lost or pushed out as bad (red), new and grown deals add (blue-green)
MOVEMENT_STEPS = (
    ("new", 1, "#41ab5d"),
    ("increased", 1, "#41ab5d"),
    ("decreased", -1, "#de2d26"),
    ("won", -1, "#1a9850"),
    ("lost", -1, "#de2d26"),
    ("pushed_out", -1, "#de2d26"),
)
TOTAL_COLOUR = "#2171b5"


def movement_bars(start: float, steps: Mapping[str, float], end: float) -> list[tuple[str, float, float, str]]:
    """The waterfall's bars: (step, base, height, colour) from the start's total through each step to the end's;
    each step's bar starts where the running total stood (``start`` + the steps = ``end``, metrics.movement)."""
    bars = [("start", 0.0, start, TOTAL_COLOUR)]
    running = start
    for name, sign, colour in MOVEMENT_STEPS:
        delta = sign * steps[name]
        bars.append((name, running + min(delta, 0.0), abs(delta), colour))
        running += delta
    bars.append(("end", 0.0, end, TOTAL_COLOUR))
    return bars


def movement_waterfall(
    start: float, steps: Mapping[str, float], end: float, labels: Mapping[str, str], lang: str
) -> go.Figure:
    """Start pipeline, the steps that raised or lowered it, end pipeline (metrics.movement), drawn as floating
    bars so that each step has its own colour (won in green, though it leaves the pipeline)."""
    bars = movement_bars(start, steps, end)
    fig = go.Figure(
        go.Bar(
            x=[labels[name] for name, *_ in bars],
            y=[height for _n, _b, height, _c in bars],
            base=[base for _n, base, _h, _c in bars],
            marker={"color": [colour for *_x, colour in bars]},
            text=[cny(height, lang) for _n, _b, height, _c in bars],
            textposition="outside",
            cliponaxis=False,
            customdata=[name for name, *_ in bars],
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
            cliponaxis=False,
            textposition="auto",  # inside a wide bar, beside a narrow one
        )
    )
    fig = base_layout(fig, height=340)
    # room on the right for the text beside a narrow level, which the plot area cut before ("→ 61%")
    fig.update_layout(margin={"r": 150})
    return fig


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


def monthly_bookings(months: pd.DataFrame, lang: str) -> go.Figure:
    """Bookings per month as bars, cumulative bookings and the cumulative target as lines (the scorecard's and
    the Overview's: ``metrics.scorecard.cumulative_target``)."""
    labels = {
        "bookings": t("kpi.bookings", lang),
        "cumulative": t("sc.cumulative", lang),
        "target": t("sc.cumulative_target", lang),
    }
    x = [month_name(int(m), lang) for m in months["month"]]
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
    top = max(
        (float(months[c].max()) for c in ("bookings", "cumulative", "target") if months[c].notna().any()), default=0.0
    )
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "y": 1.12, "x": 0},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"type": "category"},
        # never below zero (a rep with nothing booked drew -1 .. 1); ticks written as money (万/亿, K/M)
        yaxis={"rangemode": "nonnegative", **money_axis(top, lang)},
    )
    return fig


def money_axis(top: float, lang: str, ticks: int = 4) -> dict[str, list[Any]]:
    """Tick values and texts of a money axis from 0 to ``top``: about ``ticks`` round steps (1, 2, 2.5 or 5 x a power
    of ten), written as the app writes money (``money_tick``), not plotly's 800k / 1.2M."""
    if not top or top <= 0 or math.isnan(top):
        return {"tickvals": [0], "ticktext": ["0"]}
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    values = [i * step for i in range(int(top // step) + 2)]
    return {"tickvals": values, "ticktext": [money_tick(v, lang) for v in values]}
