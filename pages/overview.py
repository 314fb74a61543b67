"""/ : the Overview. Bookings against quota, pipeline, V value, win rate, overdue collections."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components import charts, filters, tables
from components.formatting import cny, day, period_label
from components.i18n import current_lang, t
from components.kpi import overview_tiles, tile_row
from components.shell import filtered_page, page_header, panel
from metrics.overview import OverviewKPIs
from metrics.views import overview
from web.loading import load_view, page_layout

dash.register_page(__name__, path="/", order=0, nav_key="nav.overview", title="SalesRadar")

PIPELINE_CHART_ID = "overview-pipeline-chart"
AGING_ID = "overview-aging"
KPI_ROW_ID = "overview-kpis"


def aging_table(k: OverviewKPIs, lang: str) -> dbc.Table:
    return dbc.Table(
        [
            html.Tbody(
                [
                    html.Tr([html.Td(name), html.Td(cny(v, lang), className="text-end")])
                    for name, v in k.overdue.buckets.items()
                ]
            )
        ],
        size="sm",
        className="mb-0",
        id=AGING_ID,
    )


@page_layout()
def layout(**query: str) -> html.Div:
    return render(load_view(overview.load, query), current_lang())


def render(data: overview.OverviewData, lang: str) -> html.Div:
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
    return filtered_page(
        header,
        bar,
        data.has_data,
        lang,
        [
            tile_row(overview_tiles(kpis, lang), row_id=KPI_ROW_ID),
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
                            html.Div([aging_table(kpis, lang), tables.download_buttons("overview_aging", lang)]),
                        ),
                        lg=4,
                        className="mb-3",
                    ),
                ],
                className="g-3 mt-1",
            ),
        ],
    )
