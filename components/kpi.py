"""KPI tiles: a label, one big number, a line of context; the full value in the tooltip."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component


def tile_id(name: str) -> str:
    return f"kpi-{name}"


def value_id(name: str) -> str:
    return f"kpi-{name}-value"


def kpi_tile(
    name: str,
    label: str,
    value: str,
    sub: str | None = None,
    *,
    title: str | None = None,
    tone: str | None = None,
    extra: Component | None = None,
) -> dbc.Col:
    """One tile. ``tone`` is a Bootstrap colour name for the value (``success``, ``danger``...)."""
    body: list[Component] = [
        html.Div(label, className="kpi-label"),
        html.Div(value, id=value_id(name), className=f"kpi-value text-{tone}" if tone else "kpi-value", title=title),
    ]
    if sub:
        body.append(html.Div(sub, id=f"{tile_id(name)}-sub", className="kpi-sub"))
    if extra is not None:
        body.append(extra)
    return dbc.Col(
        dbc.Card(dbc.CardBody(body), className="kpi-card h-100", id=tile_id(name)),
        xs=12,
        sm=6,
        lg=4,
        xl=True,
        className="mb-3",
    )


def pace_bar(attained: float | None, elapsed: float) -> html.Div:
    """Attainment as a bar with a marker at the share of the period elapsed (the pace line)."""
    width = 0.0 if attained is None else min(attained, 1.0) * 100
    colour = "success" if attained is not None and attained >= elapsed else "warning"
    return html.Div(
        [
            dbc.Progress(value=width, color=colour, className="kpi-progress"),
            html.Div(className="kpi-pace-marker", style={"left": f"{elapsed * 100:.1f}%"}),
        ],
        className="kpi-pace",
    )
