"""/ : the Overview. Bookings against quota, pipeline, V value, win rate, overdue collections."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components import charts, filters, support, tables
from components import overview as drawn
from components.formatting import day, period_label
from components.i18n import current_lang, t
from components.kpi import overview_tiles, tile_row
from components.shell import filtered_page, page_header, panel
from metrics.overview import drill_of
from metrics.views import overview
from metrics.views import support as support_view
from metrics.views.filters import query_of
from web.loading import load_view, page_layout, viewer_role

dash.register_page(__name__, path="/", order=0, nav_key="nav.overview", title="SalesRadar")

PIPELINE_CHART_ID = "overview-pipeline-chart"
MONTHLY_CHART_ID = "overview-monthly-chart"
KPI_ROW_ID = "overview-kpis"
RISK_BODY = "overview-risk-body"
RISK_ASK = "overview-risk-ask"


@page_layout()
def layout(**query: str) -> html.Div:
    data = load_view(overview.load, query)
    team = "" if data.filters.team_id is None else str(data.filters.team_id)
    # a director's risk counts fill in after the page is drawn: they read the year's quotes and contracts of
    # the whole company, which the Overview's first draw must not wait for
    risk = {"year": str(data.filters.period.year), "team": team} if viewer_role() == "director" else None
    return render(data, query, current_lang(), risk)


def render(
    data: overview.OverviewData, query: dict[str, str], lang: str, risk: dict[str, str] | None = None
) -> html.Div:
    chosen, choices, kpis, pipe, now = data.filters, data.choices, data.kpis, data.pipeline, data.today
    header = page_header(
        t("overview.title", lang),
        t(
            "overview.subtitle",
            lang,
            period=period_label(chosen.period.year, chosen.period.quarter, lang),
            today=day(now, lang),
        ),
    )
    bar = filters.filter_bar(chosen, now, choices, lang)
    level_names = {lv: t(f"level.{lv}", lang) for lv in range(1, 7)}
    listed = (data.listed.rows, data.listed.n, data.listed.amount) if data.listed else None
    return filtered_page(
        header,
        bar,
        data.has_data,
        lang,
        [
            tile_row(overview_tiles(kpis, lang, drawn.tile_hrefs(query)), row_id=KPI_ROW_ID),
            html.Div(
                [
                    panel(
                        t("overview.risk_title", lang, year=chosen.period.year),
                        dcc.Loading(html.Div(id=RISK_BODY, className="risk-placeholder"), type="dot"),
                    ),
                    dcc.Store(id=RISK_ASK, data=risk),
                ],
                id="overview-risk",
                className="mb-3",
            )
            if risk is not None
            else html.Div(),
            drawn.list_panel(data.drill, listed, kpis, query, now, lang),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("overview.pipeline_chart", lang),
                            charts.graph(PIPELINE_CHART_ID, charts.pipeline_by_level(pipe, level_names, lang)),
                        ),
                        lg=8,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("overview.aging", lang),
                            html.Div(
                                [drawn.aging_table(kpis, query, lang), tables.download_buttons("overview_aging", lang)]
                            ),
                        ),
                        lg=4,
                        className="mb-3",
                    ),
                ],
                className="g-3 mt-1",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("overview.monthly", lang),
                            charts.graph(MONTHLY_CHART_ID, charts.monthly_bookings(data.track, lang)),
                        ),
                        # side by side from 1400 px; below, one above the other (the grid's columns were cut
                        # at 1280 px)
                        xxl=7 if data.group_by else 12,
                        width=12,
                        className="mb-3",
                    ),
                    dbc.Col(
                        drawn.groups_grid(data.groups, data.group_by, query, lang), xxl=5, width=12, className="mb-3"
                    )
                    if data.group_by
                    else None,
                ],
                className="g-3",
            ),
        ],
    )


@dash.callback(Output(RISK_BODY, "children"), Input(RISK_ASK, "data"))
def risk_counts(ask: Any) -> Any:
    """The risk flags' counts of the Overview's year (and team) for a director; nothing for anyone else."""
    if not isinstance(ask, dict):
        raise PreventUpdate
    query = {k: v for k, v in ask.items() if k in ("year", "team") and isinstance(v, str)}
    risk = load_view(support_view.load_risk_counts, query)
    if risk is None:
        return None
    return support.risk_counts(risk.counts, risk.year, current_lang(), team=risk.team_id)


@dash.callback(
    Output("url", "search", allow_duplicate=True),
    Input(PIPELINE_CHART_ID, "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def open_level(click: dict[str, Any] | None, search: str | None) -> str:
    """A bar of the pipeline chart opens the open deals at its level (the address says which: bookmarkable);
    anything but a bar's own key is ignored."""
    points = click.get("points") if isinstance(click, dict) else None
    key = points[0].get("customdata") if isinstance(points, list) and points and isinstance(points[0], dict) else None
    query = query_of(search)
    drill = drill_of({"list": key})
    if drill is None or drill.kind != "open" or query.get("list") == drill.key:
        raise PreventUpdate
    return drawn.list_href(query, drill.key)[1:]
