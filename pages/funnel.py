"""/funnel: the open pipeline by level and what moved since last week (the weekly review's first view).

Conversion, calibration, the V gauge and the projector mode are the funnel issue's, still to come.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from components import charts, filters
from components.formatting import cny, day, period_label
from components.i18n import current_lang, t
from components.shell import empty_state, filtered_page, page_header, panel
from data_access import queries
from data_access.runtime import read_session, today, viewer_scope
from metrics.movement import LISTS, movement

dash.register_page(__name__, path="/funnel", order=2, nav_key="nav.funnel", title="SalesRadar")

LEVELS_CHART_ID = "funnel-levels-chart"
MOVEMENT_CHART_ID = "funnel-movement-chart"
LISTS_ID = "funnel-movement-lists"
LIST_ROWS = 100


def _since(query: dict[str, str], now: date) -> tuple[date, str | None]:
    raw = query.get("since")
    if not raw:
        return now - timedelta(days=7), None
    try:
        since = date.fromisoformat(raw)
    except ValueError:
        return now - timedelta(days=7), f"since {raw!r} is not a date (YYYY-MM-DD)"
    if not now - timedelta(days=3 * 366) <= since < now:
        return now - timedelta(days=7), f"since {raw} must be before today and within three years"
    return since, None


def _list_item(name: str, rows: list[dict[str, Any]], lang: str) -> dbc.AccordionItem:
    """One step's deals, largest first, folded until opened (the first 100; the count says how many)."""
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang))
                for k in ("col.opp", "col.account", "col.owner", "col.level", "col.amount", "col.expected_close")
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td([html.Code(r["opp_code"]), " ", r["name"]]),
                    html.Td(r["account"]),
                    html.Td(r["owner"]),
                    html.Td(r["level"]),
                    html.Td(cny(r["amount"], lang), className="text-end"),
                    html.Td(str(r["expected_close_date"])),
                ]
            )
            for r in rows[:LIST_ROWS]
        ]
    )
    return dbc.AccordionItem(
        dbc.Table([head, body], size="sm", striped=True, id=f"funnel-list-{name}"),
        title=f"{t('move.' + name, lang)} ({len(rows):,})",
        item_id=name,
    )


def layout(**query: str) -> html.Div:
    lang = current_lang()
    now = today()
    since, since_problem = _since(query, now)
    with read_session() as session:
        chosen, teams, scope = filters.resolve_filters(session, viewer_scope(), query, now)
        pipe = queries.open_pipeline_by_level(session, scope)
        opps, changes, history = queries.movement_rows(session, scope, since, now)
        moved = movement(opps, changes, history, since, now, chosen.period.end)
        codes = sorted({c for name in LISTS for c in moved.lists[name][: LIST_ROWS * 5]})
        details = {r["opp_code"]: r for r in queries.records(queries.opportunity_rows(session, scope, codes))}
        has_data = queries.has_any_data(session)
    if since_problem:
        chosen = filters.Filters(chosen.period, chosen.team_id, (*chosen.problems, since_problem))
    header = page_header(
        t("funnel.title", lang),
        t(
            "funnel.subtitle",
            lang,
            period=period_label(chosen.period.year, chosen.period.quarter, lang),
            since=day(since, lang),
        ),
    )
    bar = filters.filter_bar(chosen, now, teams, lang)
    level_names = {lv: t(f"level.{lv}", lang) for lv in range(1, 7)}
    labels = {
        name: t(f"move.{name}", lang)
        for name in ("start", "end", "new", "increased", "decreased", "won", "lost", "pushed_out")
    }
    items = [
        _list_item(name, [details[c] for c in moved.lists[name] if c in details], lang)
        for name in LISTS
        if moved.lists[name]
    ]
    lists = dbc.Accordion(items, start_collapsed=True, always_open=True) if items else None
    return filtered_page(
        header,
        bar,
        has_data,
        lang,
        [
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("funnel.by_level", lang),
                            charts.graph(LEVELS_CHART_ID, charts.pipeline_by_level(pipe, level_names, lang)),
                        ),
                        lg=5,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("funnel.movement", lang, start=day(since, lang), end=day(now, lang)),
                            charts.graph(
                                MOVEMENT_CHART_ID,
                                charts.movement_waterfall(moved.start, moved.steps, moved.end, labels, lang),
                            ),
                        ),
                        lg=7,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            html.Div(lists or empty_state(t("move.none", lang)), id=LISTS_ID, className="mb-3"),
            dbc.Alert(t("funnel.not_built", lang), color="info", className="mt-3 small"),
        ],
    )
