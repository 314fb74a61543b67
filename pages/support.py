"""/support: the sales support desk (销售支持) — bids (标案支持: the coming weeks' deadlines, due soon in red, the
status funnel, on-time rate, win rate by count and amount, per team and product line, each bid linked to its
deal) and technical support (技术支持: open and resolved requests, turnaround per kind and engineer, the engineers'
load per week, and the win rate of supported against unsupported deals, n beside every rate)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, html
from dash.exceptions import PreventUpdate

from components import support as drawn
from components.i18n import current_lang, t
from components.shell import empty_state, page_header, panel
from metrics import params
from metrics.views import support as view
from web.loading import load_view, page_layout

dash.register_page(__name__, path="/support", order=4.6, nav_key="nav.support", title="SalesRadar")


@page_layout()
def layout(**query: str) -> html.Div:
    return render(load_view(view.load_support, query), current_lang())


def _tabs(data: view.SupportData, lang: str) -> dbc.Nav:
    def to(tab: str) -> str:
        team = {"team": data.team_id} if data.team_id is not None else {}
        return "/support?" + urlencode({"year": data.year, "tab": tab, **team})

    return dbc.Nav(
        [
            dbc.NavItem(dbc.NavLink(t(f"support.tab.{tab}", lang), href=to(tab), active=data.tab == tab))
            for tab in view.TABS
        ],
        pills=True,
        className="mb-3",
    )


def _bids(data: view.SupportData, lang: str) -> list[Any]:
    summary = data.summary
    if summary is None or (not data.bids and not data.calendar):
        return [empty_state(t("support.empty", lang))]
    return [
        drawn.bid_stats(summary, lang),
        dbc.Row(
            [
                dbc.Col(
                    panel(
                        t("support.calendar", lang), drawn.calendar(data.calendar, data.today, lang, view.CALENDAR_ROWS)
                    ),
                    lg=7,
                ),
                dbc.Col(panel(t("support.funnel_title", lang), drawn.bid_funnel(summary, lang)), lg=5),
            ],
            className="g-3 mb-3",
        ),
        dbc.Row(
            [
                dbc.Col(
                    panel(t("support.by_team", lang), drawn.bid_groups(data.by_team, t("support.team", lang), lang)),
                    lg=6,
                ),
                dbc.Col(
                    panel(
                        t("support.by_line", lang),
                        drawn.bid_groups(data.by_line, t("support.product_line", lang), lang),
                    ),
                    lg=6,
                ),
            ],
            className="g-3 mb-3",
        ),
        panel(t("support.list", lang), drawn.bid_list(data.bids, summary.bids, lang)),
    ]


def _tech(data: view.SupportData, lang: str) -> list[Any]:
    requests = data.requests
    if requests is None or (not requests.requests and not data.load and not data.supported.n):
        return [empty_state(t("support.empty", lang))]
    return [
        drawn.support_stats(requests, data.supported, data.unsupported, lang),
        dbc.Row(
            [
                dbc.Col(
                    panel(
                        t("support.win_split", lang, year=data.year),
                        drawn.supported_table(data.supported, data.unsupported, lang),
                    ),
                    lg=5,
                ),
                dbc.Col(
                    panel(
                        t("support.by_kind", lang),
                        drawn.turnaround_table(data.by_kind, t("support.kind", lang), lang, family="support.kind"),
                    ),
                    lg=7,
                ),
            ],
            className="g-3 mb-3",
        ),
        panel(t("support.load", lang), drawn.load_table(data.mondays, data.load, lang)),
        dbc.Row(
            [
                dbc.Col(
                    panel(
                        t("support.by_engineer", lang),
                        drawn.turnaround_table(data.by_engineer, t("support.engineer", lang), lang),
                    ),
                    lg=6,
                ),
                dbc.Col(
                    panel(
                        t("support.open_list", lang),
                        drawn.open_requests(data.open_requests, data.today, lang),
                    ),
                    lg=6,
                ),
            ],
            className="g-3 mt-0",
        ),
    ]


@dash.callback(
    Output("url", "search", allow_duplicate=True),
    Input({"type": drawn.TEAM_PICK, "page": ALL}, "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def pick_team(values: Any, search: Any) -> Any:
    """A director's team picked on /support, /pricing or /risk: the same address with ``team`` (0: none). The
    loader checks the team against the viewer's scope; this only writes the address."""
    if not isinstance(values, list) or len(values) != 1:
        raise PreventUpdate
    team = params.whole(values[0], 0, 2**31 - 1)
    if team is None:
        raise PreventUpdate
    query = {k: v for k, v in params.query(search).items() if k != "team"}
    return "?" + urlencode({**query, **({"team": team} if team else {})})


def render(data: view.SupportData, lang: str) -> html.Div:
    return html.Div(
        [
            page_header(t("support.title", lang), t("support.subtitle", lang, year=data.year)),
            *[dbc.Alert(str(p), color="warning", className="py-2") for p in data.problems],
            drawn.year_links("/support", data.year, data.years, data.today, lang, tab=data.tab, team=data.team_id),
            drawn.team_links("/support", data.teams, data.team_id, lang, year=data.year, tab=data.tab),
            _tabs(data, lang),
            *(_bids(data, lang) if data.tab == "bids" else _tech(data, lang)),
        ]
    )
