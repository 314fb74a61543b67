"""/funnel: the six levels to cash, V value, what moved since last week, funnel health, stalled deals,
and the weekly review mode for the projector (?review=1; ?review=print: every slide, to print;
``components.review`` draws them).

Filters: period, team, rep, product line and RAD class (the last two narrow the deals, not the quota).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components import charts, filters, review
from components.deal_grid import deal_grid, deal_panel
from components.formatting import cny, day, pct, period_label
from components.i18n import current_lang, t
from components.kpi import overview_tiles, tile_row, v_summary
from components.shell import empty_state, filtered_page, opp_link, page_header, panel
from metrics import params
from metrics.funnel import (
    Calibration,
    LevelConversion,
)
from metrics.movement import LISTS
from metrics.overview import OverviewKPIs
from metrics.views import filters as url_filters
from metrics.views import funnel as view
from pages import _forecast as forecast_panels
from web.loading import load_view, page_layout

dash.register_page(__name__, path="/funnel", order=2, nav_key="nav.funnel", title="SalesRadar")

LEVELS_CHART_ID = "funnel-levels-chart"
MEASURE_ID = "funnel-measure"
STAGE_TABLE_ID = "funnel-stage-table"
MEASURES = view.MEASURES
MOVEMENT_CHART_ID = "funnel-movement-chart"
LISTS_ID = "funnel-movement-lists"
LIST_ROWS = view.LIST_ROWS
HEALTH_ID = "funnel-health"
STALLED_ID = "funnel-stalled"
V_TILES = ["open-pipeline", "weighted-pipeline", "win-rate"]
V_GAUGE_ID = "funnel-v-gauge"
REVIEW_KEEP = review.KEEP


def _move_labels(lang: str) -> dict[str, str]:
    """The waterfall's bar names: start, each movement step, end."""
    names = ("start", "end", "new", "increased", "decreased", "won", "lost", "pushed_out")
    return {name: t(f"move.{name}", lang) for name in names}


def _list_item(name: str, rows: list[dict[str, Any]], total: int, lang: str) -> dbc.AccordionItem:
    """One step's deals, folded until opened: the first ``LIST_ROWS`` by code in a grid (sortable; rows are
    data, not components: hundreds of table cells cost the browser 0.4 s); the title says how many."""
    return dbc.AccordionItem(
        deal_grid(f"funnel-list-{name}", rows[:LIST_ROWS], LIST_COLUMNS, lang),
        title=f"{t('move.' + name, lang)} ({total:,})",
        item_id=name,
    )


def _health_table(
    conv: list[LevelConversion], days: dict[int, float | None], cal: list[Calibration], lang: str
) -> dbc.Table:
    """Per level: conversion onward and to won, days at the level, configured against observed win rate."""
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang))
                for k in (
                    "funnel.col_level",
                    "funnel.col_entered",
                    "funnel.col_next",
                    "funnel.col_won",
                    "funnel.col_days",
                    "funnel.col_configured",
                    "funnel.col_observed",
                )
            ]
        )
    )
    by_level = {c.level: c for c in cal}
    rows = []
    for c in conv:
        k = by_level[c.level]
        observed: Any = pct(k.observed, lang)
        if k.too_little_history:
            observed = html.Span(
                [
                    observed,
                    " ",
                    dbc.Badge(t("funnel.little_history", lang, n=k.closed), color="warning", className="ms-1"),
                ]
            )
        avg = days.get(c.level)
        rows.append(
            html.Tr(
                [
                    html.Td(t(f"level.{c.level}", lang)),
                    html.Td(f"{c.entered:,}"),
                    html.Td(pct(c.to_next, lang)),
                    html.Td(pct(c.to_won, lang)),
                    html.Td("—" if avg is None else f"{avg:.0f}"),
                    html.Td(pct(k.configured, lang, 0)),
                    html.Td(observed),
                ]
            )
        )
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, className="mb-0")


def _stalled_table(stuck: Any, details: list[dict[str, Any]], lang: str) -> Any:
    if stuck.empty:
        return empty_state(t("move.none", lang))
    idle = dict(zip(stuck["opportunity_id"], stuck["idle_days"], strict=True))
    head = html.Thead(
        html.Tr([html.Th(t(k, lang)) for k in ("col.opp", "col.owner", "col.level", "col.amount", "funnel.col_idle")])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td([opp_link(r["opp_code"]), " ", r["name"]], className="cell-text"),
                    html.Td(r["owner"]),
                    html.Td(r["level"]),
                    html.Td(cny(r["amount"], lang), className="text-end"),
                    html.Td(idle.get(r["id"], "")),
                ]
            )
            for r in sorted(details, key=lambda r: -idle.get(r["id"], 0))
        ]
    )
    return dbc.Table([head, body], size="sm", striped=True, className="mb-0")


def _stage_links(stages: Any, labels: dict[str, str], query: dict[str, str], chosen: str | None) -> html.Div:
    """Each level as a link to its deals (the keyboard's way to what a click on the funnel does)."""
    links = []
    for st, n in zip(stages["stage"], stages["count"], strict=True):
        href = "/funnel?" + urlencode({**query, "level": st})
        links.append(
            dcc.Link(
                f"{labels[st]} ({int(n):,})",
                href=href,
                id=f"stage-link-{st}",
                className="me-3 small" + (" fw-bold" if st == chosen else ""),
            )
        )
    return html.Div(links, className="stage-links mt-1")


def _level6_note(stages: Any, lang: str) -> html.Div | None:
    """Why level 6 is empty, when it is: it counts the period's won deals fully collected."""
    collected = stages[stages["stage"] == "6"]["count"]
    if len(collected) and int(collected.iloc[0]) == 0:
        return html.Div(t("funnel.level6_empty", lang), className="small text-muted mt-1", id="funnel-level6-note")
    return None


#: The columns of a level's deal list: (field, header key; None for no header).
STAGE_COLUMNS = (
    ("opp_code", "col.opp"),
    ("name", "col.deal_name"),
    ("account", "col.account"),
    ("owner", "col.owner"),
    ("amount", "col.amount"),
    ("expected_close_date", "col.expected_close"),
    ("created_date", "col.created"),
)
#: The columns of a movement step's list.
LIST_COLUMNS = (
    ("opp_code", "col.opp"),
    ("name", "col.deal_name"),
    ("account", "col.account"),
    ("owner", "col.owner"),
    ("level", "col.level"),
    ("amount", "col.amount"),
    ("expected_close_date", "col.expected_close"),
)


def _stage_panel(stage: str | None, rows: list[dict[str, Any]], labels: dict[str, str], lang: str) -> Any:
    """The deals of the clicked level: sortable, pageable, downloadable."""
    if stage is None:
        return html.Div(id=STAGE_TABLE_ID)
    title = t("funnel.stage_list", lang, stage=labels[stage], n=f"{len(rows):,}")
    return deal_panel(STAGE_TABLE_ID, title, rows, STAGE_COLUMNS, "funnel_stage", lang)


def _v_gauge(kpis: OverviewKPIs, lang: str) -> dbc.Card:
    """V value against required V: does the pipeline due in the period cover the remaining quota?"""
    text, sub, tone = v_summary(kpis, lang)
    figure = charts.v_gauge(kpis.v.value, kpis.required_v, text, lang)
    caption = html.Div(
        [
            sub,
            " · ",
            t(
                "funnel.v_inputs",
                lang,
                due=cny(kpis.v.pipeline_due, lang),
                remaining=cny(kpis.v.remaining, lang),
            ),
        ],
        className="small text-center" + (f" text-{tone}" if tone else ""),
        id=f"{V_GAUGE_ID}-caption",
    )
    return panel(
        t("kpi.v_value", lang), html.Div([charts.graph(f"{V_GAUGE_ID}-chart", figure), caption]), panel_id=V_GAUGE_ID
    )


@page_layout()
def layout(**query: str) -> html.Div:
    lang = current_lang()
    if query.get("review") == "1":
        return review.review(load_view(view.load_review, query), query, lang)
    if query.get("review") == "print":
        return review.deck(load_view(view.load_review_deck, query), query, lang)
    return render(load_view(view.load, query), query, lang)


def render(data: view.FunnelData, query: dict[str, str], lang: str) -> html.Div:
    chosen, choices, now, since, stage, stages = (
        data.filters,
        data.choices,
        data.today,
        data.since,
        data.stage,
        data.stages,
    )
    moved, kpis, conv, cal, details = data.moved, data.kpis, data.conversion, data.calibration, data.details
    stuck, stuck_total, stuck_rows, days_at, measure = (
        data.stuck,
        data.stuck_total,
        data.stuck_rows,
        data.days_at,
        data.measure,
    )
    header = page_header(
        t("funnel.title", lang),
        t(
            "funnel.subtitle",
            lang,
            period=period_label(chosen.period.year, chosen.period.quarter, lang),
            since=day(since, lang),
        ),
    )
    bar = filters.filter_bar(chosen, now, choices, lang)
    stage_labels = {st: t("stage.5w" if st == "5w" else f"level.{st}", lang) for st in view.STAGES}
    # levels 1-4: the share that went on to a higher level; level 5 goes on to a win, not to level 6 (cash is
    # reached by collecting, not by a stage), so it shows its win rate (issue 18: "→ 0%" while 82% were won)
    onward = {c.level: ("funnel.won_rate", c.to_won) if c.level == 5 else ("funnel.next_rate", c.to_next) for c in conv}
    next_rates = {
        str(lv): t(key, lang, rate=pct(rate, lang, 0)) for lv, (key, rate) in onward.items() if rate is not None
    }
    labels = review.movement_labels(lang)
    items = [
        _list_item(name, [details[c] for c in moved.lists[name] if c in details], len(moved.lists[name]), lang)
        for name in LISTS
        if moved.lists[name]
    ]
    lists = dbc.Accordion(items, start_collapsed=True, always_open=True) if items else None
    return filtered_page(
        header,
        bar,
        data.has_data,
        lang,
        [
            dcc.Link(
                t("review.enter", lang),
                id="review-enter",
                className="btn btn-outline-primary btn-sm mb-3",
                href="/funnel?" + urlencode({**{k: v for k, v in query.items() if k in REVIEW_KEEP}, "review": "1"}),
            ),
            dbc.Row(
                [
                    dbc.Col(tile_row(overview_tiles(kpis, lang), V_TILES, row_id="funnel-kpis"), lg=7),
                    dbc.Col(_v_gauge(kpis, lang), lg=5, className="mb-3"),
                ],
                className="g-3",
            ),
            forecast_panels.panels(chosen, lang),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("funnel.chart", lang),
                            html.Div(
                                [
                                    dbc.RadioItems(
                                        id=MEASURE_ID,
                                        options=[
                                            {"label": t(f"funnel.measure.{m}", lang), "value": m} for m in MEASURES
                                        ],
                                        value=measure,
                                        inline=True,
                                        className="small",
                                    ),
                                    charts.graph(
                                        LEVELS_CHART_ID, charts.funnel(stages, measure, stage_labels, next_rates, lang)
                                    ),
                                    _stage_links(stages, stage_labels, query, stage),
                                    _level6_note(stages, lang),
                                ]
                            ),
                        ),
                        lg=5,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("funnel.movement", lang, start=day(since, lang), end=day(now, lang)),
                            review.movement_body(
                                MOVEMENT_CHART_ID,
                                charts.movement_waterfall(moved.start, moved.steps, moved.end, labels, lang),
                                moved.end,
                                lang,
                                "funnel-movement-base",
                            ),
                        ),
                        lg=7,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            _stage_panel(stage, data.stage_rows, stage_labels, lang),
            html.Div(lists or empty_state(t("move.none", lang)), id=LISTS_ID, className="mb-3"),
            panel(
                t("funnel.health", lang),
                _health_table(conv, days_at, cal, lang),
                panel_id=HEALTH_ID,
            ),
            html.Div(className="mb-3"),
            panel(
                t("funnel.stalled", lang, days=data.stalled_days),
                html.Div(
                    [
                        _stalled_table(stuck, stuck_rows, lang),
                        html.Div(
                            t("funnel.stalled_more", lang, n=len(stuck), total=f"{stuck_total:,}"),
                            className="small text-muted mt-1",
                        )
                        if stuck_total > len(stuck)
                        else None,
                    ]
                ),
                panel_id=STALLED_ID,
            ),
        ],
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input(MEASURE_ID, "value"),
    Input(LEVELS_CHART_ID, "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def choose_measure_or_level(measure: str | None, click: dict[str, Any] | None, search: str | None) -> str:
    """The toggle and a click on a level go to the URL (bookmarkable); unknown values are ignored."""
    query = url_filters.query_of(search)
    wanted = dict(query)
    if measure in MEASURES:
        wanted["measure"] = str(measure)
    level = params.one_of(params.first_customdata(click), view.STAGES)
    if level is not None:
        wanted["level"] = level
    if wanted.get("measure") == "amount" and "measure" not in query:
        wanted.pop("measure")  # the default needs no parameter: a redraw must not navigate
    if wanted == query:
        raise PreventUpdate
    return "?" + urlencode(wanted)


# the printed review's button: the browser's own print dialog, nothing posted to the server
dash.clientside_callback(
    "function (clicks) { if (clicks) { window.print(); } return window.dash_clientside.no_update; }",
    Output(review.PRINT_ID, "title"),
    Input(review.PRINT_ID, "n_clicks"),
    prevent_initial_call=True,
)
