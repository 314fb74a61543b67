"""Win/loss figures: metrics DataFrame in, plotly figure out (``components.charts``' layout and graph).

Every clickable bar carries its drill-down key as ``customdata`` (a reason, a segment key, a level, an
outcome); the page turns a click into the URL of the deals behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components.charts import LEVEL_COLOURS, base_layout
from components.formatting import cny, pct

WON = "#2ca25f"
LOST = "#de2d26"
BAR = "#2171b5"
AMOUNT = "#fd8d3c"
MISSING_COLOUR = "#adb5bd"
#: a rate drawn over fewer than MIN_SAMPLE deals: pale, so it does not read as firm
SMALL_COLOUR = "rgba(33, 113, 181, 0.35)"
SMALL_AMOUNT_COLOUR = "rgba(253, 141, 60, 0.35)"
#: ticks of a 0-100% axis
PERCENT_TICKS = [0, 0.25, 0.5, 0.75, 1]


def _value(v: Any) -> Any:
    """A number for plotly, None for a missing one (NaN is not valid JSON)."""
    return None if v is None or pd.isna(v) else float(v)


def empty_figure(message: str, height: int = 260) -> go.Figure:
    """A chart with nothing to draw: the message in its middle, no axes."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 15, "color": "#6c757d"}, x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, height=height)


def _legend(fig: go.Figure) -> go.Figure:
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    fig.update_layout(margin={"t": 30})
    return fig


def _count_bars(
    x: list[str], rows: pd.DataFrame, keys: list[str], colours: list[str], lang: str, name: str = ""
) -> go.Bar:
    """Bars of ``rows``' count, the count above each bar, count and amount (CNY) on hover, ``keys`` as the
    customdata a click reports."""
    return go.Bar(
        x=x,
        y=[int(c) for c in rows["count"]],
        name=name,
        customdata=keys,
        marker_color=colours,
        text=[f"{int(c):,}" for c in rows["count"]],
        textposition="outside",
        textangle=0,
        cliponaxis=False,
        hovertext=[f"{int(c):,} · {cny(float(a), lang)}" for c, a in zip(rows["count"], rows["amount"], strict=True)],
        hovertemplate="%{x}: %{hovertext}<extra></extra>",
    )


def pareto(reasons: pd.DataFrame, labels: Mapping[str, str], names: Mapping[str, str], lang: str) -> go.Figure:
    """Lost deals by reason (``metrics.winloss.loss_pareto``): bars of the count, "reason missing" in grey,
    and the cumulative share as a line on the right axis. ``names``: count, cumulative (legend)."""
    x = [labels[r] for r in reasons["reason"]]
    fig = go.Figure(
        [
            _count_bars(
                x,
                reasons,
                reasons["reason"].tolist(),
                [MISSING_COLOUR if m else BAR for m in reasons["missing"]],
                lang,
                name=names["count"],
            ),
            go.Scatter(
                x=x,
                y=[float(c) for c in reasons["cumulative"]],
                name=names["cumulative"],
                yaxis="y2",
                mode="lines+markers",
                line={"color": LOST},
                hovertemplate="%{x}: %{y:.0%}<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        yaxis2={"overlaying": "y", "side": "right", "range": [0, 1.05], "tickvals": PERCENT_TICKS, "tickformat": ".0%"}
    )
    return _legend(base_layout(fig, height=320))


def segment_rates(rates: pd.DataFrame, labels: Mapping[str, str], names: Mapping[str, str], lang: str) -> go.Figure:
    """Win rate by count and by amount per key of a segment (``metrics.winloss.segment_rates``), one row per
    key, labelled with the rate and the number of deals; small samples pale and marked. ``names``: count,
    amount (legend), small (the mark)."""
    y = [labels[k] for k in rates["key"]]
    keys = rates["key"].tolist()
    small = rates["small"].tolist()
    text = [
        f"{pct(_value(r), lang, 0)} · n={int(n):,}" + (f" · {names['small']}" if s else "")
        for r, n, s in zip(rates["win_rate"], rates["n"], small, strict=True)
    ]
    fig = go.Figure(
        [
            go.Bar(
                y=y,
                x=[_value(r) for r in rates["win_rate"]],
                name=names["count"],
                orientation="h",
                customdata=keys,
                marker_color=[SMALL_COLOUR if s else BAR for s in small],
                text=text,
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{text}<extra></extra>",
            ),
            go.Bar(
                y=y,
                x=[_value(r) for r in rates["win_rate_amount"]],
                name=names["amount"],
                orientation="h",
                customdata=keys,
                marker_color=[SMALL_AMOUNT_COLOUR if s else AMOUNT for s in small],
                hovertemplate="%{y}: %{x:.1%}<extra></extra>",
            ),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(range=[0, 1.2], tickvals=PERCENT_TICKS, tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    return _legend(base_layout(fig, height=max(220, 70 + 44 * len(rates))))


def lost_levels(levels: pd.DataFrame, level_names: Mapping[int, str], lang: str) -> go.Figure:
    """Lost deals by the level they were lost at (``metrics.winloss.lost_by_level``)."""
    bars = _count_bars(
        [level_names.get(int(lv), str(lv)) for lv in levels["level"]],
        levels,
        [str(int(lv)) for lv in levels["level"]],
        [LEVEL_COLOURS.get(int(lv), BAR) for lv in levels["level"]],
        lang,
    )
    return base_layout(go.Figure(bars), height=260)


def trend(quarters: pd.DataFrame, names: Mapping[str, str], lang: str) -> go.Figure:
    """Win rate by count and by amount per quarter (``metrics.winloss.win_rate_trend``); a quarter of small
    sample has a hollow marker, one without closed deals a gap. ``names``: count, amount, small."""
    hover = [
        f"n={int(n):,}" + (f" · {names['small']}" if s else "")
        for n, s in zip(quarters["n"], quarters["small"], strict=True)
    ]
    symbols = ["circle-open" if s else "circle" for s in quarters["small"]]
    fig = go.Figure(
        [
            go.Scatter(
                x=quarters["quarter"].tolist(),
                y=[_value(r) for r in quarters[column]],
                name=names[name],
                mode="lines+markers",
                line={"color": colour, "dash": dash},
                marker={"symbol": symbols, "size": 9},
                text=hover,
                hovertemplate="%{x}: %{y:.1%} (%{text})<extra></extra>",
                connectgaps=False,
            )
            for column, name, colour, dash in (
                ("win_rate", "count", BAR, "solid"),
                ("win_rate_amount", "amount", AMOUNT, "dot"),
            )
        ]
    )
    rates = [v for column in ("win_rate", "win_rate_amount") for v in map(_value, quarters[column]) if v is not None]
    top = max(rates, default=0.0)
    fig.update_yaxes(range=[0, min(1.05, top * 1.3 + 0.1)], tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(type="category")
    return _legend(base_layout(fig, height=280))


def cycle(lengths: pd.DataFrame, outcome_names: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Sales cycle in days of won against lost deals (``metrics.winloss.cycle_lengths``): median and mean,
    one colour per outcome. ``names``: median, mean (the x axis), days (the unit)."""
    x = [names["median"], names["mean"]]
    fig = go.Figure(
        [
            go.Bar(
                x=x,
                y=[_value(r["median_days"]), _value(r["mean_days"])],
                name=outcome_names[r["outcome"]],
                customdata=[r["outcome"]] * 2,
                marker_color=WON if r["outcome"] == "won" else LOST,
                text=[_days(r["median_days"], names["days"]), _days(r["mean_days"], names["days"])],
                textposition="auto",
                hovertemplate="%{x}: %{text}<extra></extra>",
            )
            for r in lengths.to_dict("records")
        ]
    )
    fig.update_layout(barmode="group")
    return _legend(base_layout(fig, height=260))


def _days(value: Any, unit: str) -> str:
    v = _value(value)
    return "—" if v is None else f"{v:,.0f} {unit}"
