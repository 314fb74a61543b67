"""/ : the Overview. Bookings against quota, pipeline, V value, win rate, overdue collections."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components import charts, filters, tables
from components.formatting import cny, count, day, pct, period_label, times
from components.i18n import current_lang, t
from components.kpi import kpi_tile, pace_bar
from components.shell import filtered_page, page_header, panel
from data_access import queries
from data_access.runtime import read_session, today, viewer_scope
from metrics.overview import OverviewKPIs, overview_kpis

dash.register_page(__name__, path="/", order=0, nav_key="nav.overview", title="SalesRadar")

PIPELINE_CHART_ID = "overview-pipeline-chart"
AGING_ID = "overview-aging"
KPI_ROW_ID = "overview-kpis"


def kpi_row(k: OverviewKPIs, lang: str) -> dbc.Row:
    v_text = (
        t("kpi.quota_met", lang)
        if k.v.quota_met
        else t("kpi.no_quota", lang)
        if k.v.no_quota
        else times(k.v.value, lang)
    )
    v_tone = None
    if k.v.value is not None and k.required_v is not None:
        v_tone = "success" if k.v.value >= k.required_v else "danger"
    return dbc.Row(
        [
            kpi_tile(
                "bookings",
                t("kpi.bookings", lang),
                cny(k.bookings, lang),
                t("kpi.bookings_sub", lang, target=cny(k.revenue_target, lang)),
                title=cny(k.bookings, lang, compact=False),
            ),
            kpi_tile(
                "attainment",
                t("kpi.attainment", lang),
                pct(k.attainment, lang),
                t("kpi.attainment_sub", lang, elapsed=pct(k.elapsed_share, lang, 0))
                + " · "
                + t("kpi.gm_attainment", lang, value=pct(k.gm_attainment, lang)),
                extra=pace_bar(k.attainment, k.elapsed_share),
            ),
            kpi_tile(
                "open-pipeline",
                t("kpi.open_pipeline", lang),
                cny(k.open_amount, lang),
                t("kpi.open_pipeline_sub", lang, count=count(k.open_count, lang)),
                title=cny(k.open_amount, lang, compact=False),
            ),
            kpi_tile(
                "weighted-pipeline",
                t("kpi.weighted_pipeline", lang),
                cny(k.weighted_amount, lang),
                t("kpi.weighted_pipeline_sub", lang),
                title=cny(k.weighted_amount, lang, compact=False),
            ),
            kpi_tile(
                "v-value",
                t("kpi.v_value", lang),
                v_text,
                t("kpi.v_value_sub", lang, required=times(k.required_v, lang)),
                tone=v_tone,
            ),
            kpi_tile(
                "win-rate",
                t("kpi.win_rate", lang),
                pct(k.win_rate, lang),
                t("kpi.win_rate_sub", lang, won=k.won_count, lost=k.lost_count, amount=pct(k.win_rate_amount, lang)),
            ),
            kpi_tile(
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
        ],
        id=KPI_ROW_ID,
        className="g-3",
    )


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


def layout(**query: str) -> html.Div:
    lang = current_lang()
    now = today()
    scope = viewer_scope()
    with read_session() as session:
        chosen, teams, scoped = filters.resolve_filters(session, scope, query, now)
        kpis = overview_kpis(session, scoped, chosen.period, now)
        pipe = queries.open_pipeline_by_level(session, scoped)
        has_data = queries.has_any_data(session)

    header = page_header(
        t("overview.title", lang),
        t(
            "overview.subtitle",
            lang,
            period=period_label(chosen.period.year, chosen.period.quarter, lang),
            today=day(now, lang),
        ),
    )
    bar = filters.filter_bar(chosen, now, teams, lang)
    level_names = {lv: t(f"level.{lv}", lang) for lv in range(1, 7)}
    return filtered_page(
        header,
        bar,
        has_data,
        lang,
        [
            kpi_row(kpis, lang),
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
