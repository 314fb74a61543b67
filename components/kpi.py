"""KPI tiles: a label, one big number, a line of context; the full value in the tooltip."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components.formatting import cny, count, pct, times
from components.i18n import t
from metrics.overview import OverviewKPIs


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
    href: str | None = None,
) -> dbc.Col:
    """One tile. ``tone`` is a Bootstrap colour name for the value (``success``, ``danger``...); ``href``
    makes the whole tile a link (to the list behind its number)."""
    body: list[Component] = [
        html.Div(label, className="kpi-label"),
        html.Div(value, id=value_id(name), className=f"kpi-value text-{tone}" if tone else "kpi-value", title=title),
    ]
    if sub:
        body.append(html.Div(sub, id=f"{tile_id(name)}-sub", className="kpi-sub"))
    if extra is not None:
        body.append(extra)
    card: Component = dbc.Card(
        dbc.CardBody(body), className="kpi-card kpi-card-link h-100" if href else "kpi-card h-100", id=tile_id(name)
    )
    if href is not None:
        card = dcc.Link(card, href=href, id=f"{tile_id(name)}-link", className="kpi-link")
    return dbc.Col(
        card,
        xs=6,  # two a row on a phone: seven tiles were seven screens' worth of scrolling
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


def v_summary(k: OverviewKPIs, lang: str) -> tuple[str, str, str | None]:
    """The V value as text (or "quota met" / "no quota"), its line of context (required V and the gap),
    and its tone: green when it covers the required V, red when not (tile and gauge alike)."""
    text = (
        t("kpi.quota_met", lang)
        if k.v.quota_met
        else t("kpi.no_quota", lang)
        if k.v.no_quota
        else times(k.v.value, lang)
    )
    tone = None
    if k.v.value is not None and k.required_v is not None:
        tone = "success" if k.v.value >= k.required_v else "danger"
    sub = (
        t("kpi.v_gap", lang, required=times(k.required_v, lang), gap=f"{k.v.value - k.required_v:+.2f}×")
        if k.v.value is not None and k.required_v is not None
        else t("kpi.v_value_sub", lang, required=times(k.required_v, lang))
    )
    return text, sub, tone


def overview_tiles(
    k: OverviewKPIs, lang: str, hrefs: Mapping[str, str] | None = None, *, prefix: str = ""
) -> dict[str, dbc.Col]:
    """Every KPI tile of the Overview, by ``tile_id``; pages pick the ones they show. ``hrefs``: the address
    each tile (by name) opens, for tiles that are links; ``prefix`` goes before each name in the components'
    ids (several sets of tiles on one page: the printed review)."""
    links = hrefs or {}

    def tile(name: str, *args: Any, **kwargs: Any) -> tuple[str, dbc.Col]:
        return tile_id(name), kpi_tile(prefix + name, *args, href=links.get(name), **kwargs)

    v_text, v_sub, v_tone = v_summary(k, lang)
    tiles = [
        tile(
            "bookings",
            t("kpi.bookings", lang),
            cny(k.bookings, lang),
            t("kpi.bookings_sub", lang, target=cny(k.revenue_target, lang)),
            title=cny(k.bookings, lang, compact=False),
        ),
        tile(
            "attainment",
            t("kpi.attainment", lang),
            pct(k.attainment, lang),
            t("kpi.attainment_sub", lang, elapsed=pct(k.elapsed_share, lang, 0))
            + " · "
            + t("kpi.gm_attainment", lang, value=pct(k.gm_attainment, lang)),
            extra=pace_bar(k.attainment, k.elapsed_share),
        ),
        tile(
            "open-pipeline",
            t("kpi.open_pipeline", lang),
            cny(k.open_amount, lang),
            t("kpi.open_pipeline_sub", lang, count=count(k.open_count, lang)),
            title=cny(k.open_amount, lang, compact=False),
        ),
        tile(
            "weighted-pipeline",
            t("kpi.weighted_pipeline", lang),
            cny(k.weighted_amount, lang),
            t("kpi.weighted_pipeline_sub", lang),
            title=cny(k.weighted_amount, lang, compact=False),
        ),
        tile(
            "v-value",
            t("kpi.v_value", lang),
            v_text,
            v_sub,
            tone=v_tone,
        ),
        tile(
            "win-rate",
            t("kpi.win_rate", lang),
            pct(k.win_rate, lang),
            t("kpi.win_rate_sub", lang, won=k.won_count, lost=k.lost_count, amount=pct(k.win_rate_amount, lang)),
        ),
        tile(
            "overdue",
            t("kpi.overdue", lang),
            cny(k.overdue.amount, lang),
            t(
                "kpi.overdue_sub",
                lang,
                count=count(k.overdue.count, lang),
                over90=cny(k.overdue.buckets[">90"], lang),
            ),
            title=cny(k.overdue.amount, lang, compact=False),
            tone="danger" if k.overdue.amount > 0 else None,
        ),
    ]
    return dict(tiles)


def tile_row(tiles: dict[str, dbc.Col], names: list[str] | None = None, *, row_id: str) -> dbc.Row:
    """The named tiles (all, in order, by default) in one row."""
    chosen = [tiles[tile_id(n)] for n in names] if names else list(tiles.values())
    return dbc.Row(chosen, id=row_id, className="g-3")
