"""The RAD scatter's figure: the drawn points (``metrics.rad_points.thinned``) coloured by class, sized by
open pipeline; where accounts sit and which are drawn is ``metrics.rad_points``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from components.charts import BASE_LAYOUT
from components.formatting import cny, money_tick
from components.i18n import t
from metrics.rad_points import SYMBOL_CAPPED, SYMBOL_MANUAL, SYMBOL_PLAIN, Window

#: One colour per RAD class: R (retention) green, D (development) blue, A (acquisition) orange.
RAD_COLOURS = {"R": "#2ca25f", "D": "#3182bd", "A": "#fd8d3c"}


#: The BP axis's ticks: one per decade, from 1,000 to 10 billion yuan
BP_TICKS = tuple(10.0**k for k in range(3, 11))


def rad_scatter(
    points: pd.DataFrame,
    r_min: float,
    a_max: float,
    class_labels: Mapping[str, str],
    lang: str,
    window: Window = (None, None),
    biggest: float | None = None,
) -> dict[str, Any]:
    """The drawn points (``thinned``) as the scatter: colour by class, size by open pipeline (relative to
    ``biggest``, the largest of all accounts, else of these), a diamond where the class is a manual override,
    a triangle at the top for SOW above the cap; the R and A threshold lines labelled; the axes set to
    ``window`` where it is zoomed. ``customdata`` is the account code (for a click); the hover names the
    account, its BP, SOW and class (owner and pipeline are in the panel a click opens).

    A figure dict, not a ``go.Figure``: at 75,000 accounts, plotly's per-point validation and deep copies
    of the trace arrays cost seconds; one trace per class and symbol, one hovertemplate, arrays built once."""
    kind = "scatter"  # SVG: the app's plotly bundle has no WebGL (assets/plotly-finance.min.js); thinned, a view
    # draws a few thousand markers at most (2,600 of 72,000 accounts at a million deals)
    if biggest is None:
        biggest = float(points["open_pipeline"].max()) if not points.empty else 0.0
    traces = []
    for cls in ("R", "D", "A"):
        part = points[points["rad_class"] == cls]
        first = True
        for symbol in (SYMBOL_PLAIN, SYMBOL_MANUAL, SYMBOL_CAPPED):
            mine = part[part["symbol"] == symbol]
            if mine.empty and not first:
                continue
            names = mine["name"].astype(str)
            pipe = mine["open_pipeline"].astype(float)
            sizes = 6 + 22 * (pipe / biggest) ** 0.5 if biggest > 0 else pd.Series(8.0, index=mine.index)
            mark = " ✎" if symbol == SYMBOL_MANUAL else ""
            traces.append(
                {
                    "type": kind,
                    "x": mine["bp"].astype(float).to_numpy(),
                    "y": mine["y"].to_numpy(dtype=float),
                    "mode": "markers",
                    "name": class_labels[cls],
                    "legendgroup": cls,
                    "showlegend": first,
                    "customdata": mine["account_code"].to_numpy(dtype=str),  # click and selection
                    "text": names.to_numpy(dtype=str),
                    # the BP as every amount is written (万/亿, K/M), not "¥20,785,000", and the real SOW (a
                    # marker is drawn at the cap above it, or in the strip below 0%)
                    "hovertext": [
                        f"BP {cny(b, lang)} · SOW {w * 100:,.1f}%"
                        for b, w in zip(mine["bp"].astype(float), mine["sow"].astype(float), strict=True)
                    ],
                    "hovertemplate": (
                        "<b>%{text}</b> (%{customdata})<br>%{hovertext}"
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
    xs, ys = window
    xaxis: dict[str, Any] = {
        "type": "log",
        "title": {"text": t("rad.axis.bp", lang)},
        "gridcolor": "#e9ecef",
        # the decades written as the app writes money (1万 .. 10亿; 10K .. 1B), not plotly's 100k / 1M
        "tickvals": list(BP_TICKS),
        "ticktext": [money_tick(v, lang) for v in BP_TICKS],
    }
    yaxis: dict[str, Any] = {"title": {"text": t("rad.axis.sow", lang)}, "gridcolor": "#e9ecef", "rangemode": "tozero"}
    if xs is not None:
        xaxis |= {"range": list(xs), "autorange": False}
    if ys is not None:
        yaxis |= {"range": list(ys), "autorange": False}
    layout = {
        **BASE_LAYOUT,
        "height": 520,
        "showlegend": True,
        "legend": {"orientation": "h", "y": 1.06, "x": 0},
        "dragmode": "lasso",
        "clickmode": "event+select",
        "margin": {"l": 50, "r": 10, "t": 30, "b": 45},
        "xaxis": xaxis,
        "yaxis": yaxis,
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
