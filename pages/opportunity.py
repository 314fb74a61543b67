"""/opportunities/<opp_code>: one deal's stage history, how long it has sat, and what each level demands."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import charts, support
from components.formatting import cny, day
from components.i18n import current_lang, t
from components.shell import page_header, panel
from metrics import params
from metrics.views import opportunity as view
from web.loading import load_view, page_layout

dash.register_page(__name__, path_template="/opportunities/<opp_code>", title="SalesRadar")

HISTORY_CHART_ID = "opp-history-chart"
HISTORY_TABLE_ID = "opp-history-table"


@page_layout()
def layout(opp_code: str = "", **_query: str) -> html.Div:
    lang = current_lang()
    data = load_view(view.load, {**_query, "opp_code": opp_code})
    if data is None:  # unknown and outside the viewer's scope look the same
        shown = params.path_code(opp_code) or opp_code[:50].encode("unicode_escape").decode()
        return html.Div([page_header(t("opp.not_found", lang, code=shown))], id="opp-not-found")
    d, history, now = data.deal, data.history, data.today
    rows = history.to_dict("records")
    ends = [r["entered_date"] for r in rows[1:]] + [d["closed_date"] or now]
    since = rows[-1]["entered_date"] if rows else d["created_date"]
    fig = charts.level_steps(
        [r["entered_date"] for r in rows] + [d["closed_date"] or now],
        [r["level"] for r in rows] + [rows[-1]["level"] if rows else d["level"]],
        lang,
    )
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("col.level", "opp.entered", "opp.days")])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(t(f"level.{r['level']}", lang)),
                            html.Td(day(r["entered_date"], lang)),
                            html.Td(f"{(end - r['entered_date']).days:,}"),
                        ]
                    )
                    for r, end in zip(rows, ends, strict=True)
                ]
            ),
        ],
        size="sm",
        striped=True,
        id=HISTORY_TABLE_ID,
    )
    facts: list[Any] = [
        html.Span(
            [t("col.account", lang), ": ", dcc.Link(d["account"], href=f"/accounts/{d['account_code']}")],
            className="me-3",
        ),
        html.Span([t("col.owner", lang), ": ", d["owner"]], className="me-3"),
        html.Span(
            [t("col.amount", lang), ": ", cny(d["amount"], lang)],
            className="me-3",
            title=cny(d["amount"], lang, compact=False),
            id="opp-amount",
        ),
        html.Span([t("col.expected_close", lang), ": ", day(d["expected_close_date"], lang)], className="me-3"),
        dbc.Badge(
            t(f"opp.status.{d['status']}", lang), color={"won": "success", "lost": "danger"}.get(d["status"], "primary")
        ),
    ]
    conditions = html.Ol(
        [
            html.Li(
                [html.Strong(t(f"level.{lv}", lang)), " — ", t(f"cond.{lv}", lang)],
                className="fw-bold text-primary" if lv == d["level"] else "",
            )
            for lv in range(1, 7)
        ],
        className="small mb-0",
        id="opp-conditions",
    )
    return html.Div(
        [
            page_header(
                f"{d['opp_code']} · {d['name']}",
                t("opp.at_level", lang, level=d["level"], days=f"{(now - since).days:,}"),
            ),
            html.Div(facts, className="mb-3"),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("opp.history", lang),
                            html.Div([charts.graph(HISTORY_CHART_ID, fig), table]),
                        ),
                        lg=7,
                        className="mb-3",
                    ),
                    dbc.Col(panel(t("opp.conditions", lang), conditions), lg=5, className="mb-3"),
                ],
                className="g-3",
            ),
            html.Div(
                panel(t("pricing.quote_versions", lang), support.quote_versions(data.quotes, lang)),
                id="opp-quotes",
                className="mb-3",
            ),
        ]
    )
