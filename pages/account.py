"""/accounts/<account_code>: one account — BP and SOW over the years, contacts by decision role, its deals,
visits and payments due, and the playbook of its RAD class."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components import charts
from components.formatting import cny, known, pct
from components.grid import Kind, data_grid
from components.i18n import code_name, current_lang, t
from components.rad import class_badge, flags, playbook
from components.shell import empty_state, page_header, panel
from metrics import params
from metrics.frames import records
from metrics.views import account as view
from web.loading import load_view, page_layout

dash.register_page(__name__, path_template="/accounts/<account_code>", title="SalesRadar")

YEARS_CHART_ID = "account-years-chart"
ROLES = ("decision_maker", "policy_maker", "influencer", "end_user")


OPP_COLUMNS: list[tuple[str, str, Kind]] = [
    ("opp_code", "col.opp", "opp"),
    ("name", "", "text"),
    ("owner", "col.owner", "text"),
    ("level", "col.level", "text"),
    ("status", "account.col.status", "text"),
    ("amount", "col.amount", "money"),
    ("expected_close_date", "col.expected_close", "date"),
    ("closed_date", "account.col.closed", "date"),
]
VISIT_COLUMNS: list[tuple[str, str, Kind]] = [
    ("visit_date", "account.col.date", "date"),
    ("kind", "account.col.kind", "text"),
    ("status", "account.col.status", "text"),
    ("rep", "account.col.rep", "text"),
    ("contact_name", "account.col.contact", "text"),
    ("notes", "account.col.purpose", "text"),
]
PAYMENT_COLUMNS: list[tuple[str, str, Kind]] = [
    ("contract_code", "account.col.contract", "text"),
    ("opp_code", "col.opp", "opp"),
    ("milestone", "account.col.milestone", "text"),
    ("due_date", "account.col.due", "date"),
    ("overdue", "", "text"),
    ("open_amount", "account.col.open_amount", "money"),
]


def _grid(grid_id: str, rows: list[dict[str, Any]], columns: list[tuple[str, str, Kind]], lang: str) -> Any:
    """A paged grid of the rows, or "none" (every list of this page is bounded by its query)."""
    if not rows:
        return html.Div(empty_state(t("account.none", lang)), id=grid_id)
    return data_grid(grid_id, rows, [(f, t(h, lang) if h else "", k) for f, h, k in columns], lang=lang)


def _contacts(contacts: pd.DataFrame, lang: str) -> Any:
    columns = []
    for role in ROLES:
        people = contacts[contacts["decision_role"] == role].to_dict("records")
        items = [
            html.Li(
                [html.Strong(p["name"]), " ", " · ".join(str(p[k]) for k in ("title", "department", "phone") if p[k])]
            )
            for p in people
        ]
        columns.append(
            dbc.Col(
                [
                    html.Div(f"{t(f'account.role.{role}', lang)} ({len(people)})", className="fw-semibold small"),
                    html.Ul(items or [html.Li("—")], className="small mb-2"),
                ],
                md=6,
                xl=3,
            )
        )
    return dbc.Row(columns, id="account-contacts")


@page_layout()
def layout(account_code: str = "", **query: str) -> html.Div:
    lang = current_lang()
    data = load_view(view.load, {**query, "account_code": account_code})
    if data is None:  # unknown and outside the viewer's scope look the same
        shown = params.path_code(account_code) or account_code[:50].encode("unicode_escape").decode()
        return html.Div([page_header(t("account.not_found", lang, code=shown))], id="account-not-found")
    return render(data, lang)


def render(data: view.AccountData, lang: str) -> html.Div:
    found, history, contacts, now = data.account, data.history, data.contacts, data.today
    opps, visits, payments = data.opportunities, data.visits, data.payments
    current = records(history.tail(1))[0]
    labels = {"bp": t("rad.col.bp", lang), "bookings": t("rad.col.bookings", lang), "sow": t("rad.col.sow", lang)}
    facts = html.Div(
        [
            class_badge(current["rad_class"], bool(current["manual"]), lang),
            *flags(current, lang),
            dbc.Badge(t("account.key", lang), color="dark", className="me-1") if found["key_account"] else None,
            html.Span(
                f"{known(found['industry'], lang)} · {known(found['region'], lang)}"
                f"{' · ' + found['city'] if found['city'] else ''}",
                className="me-3",
            ),
            html.Span([t("col.owner", lang), ": ", f"{found['owner']} ({found['owner_code']})"], className="me-3"),
            html.Span([t("rad.col.sow", lang), ": ", pct(current["sow"], lang)], className="me-3"),
            html.Span([t("rad.col.white_space", lang), ": ", cny(current["white_space"], lang)], className="me-3"),
            html.Span([t("rad.col.pipeline", lang), ": ", cny(current["open_pipeline"], lang)], className="me-3"),
        ],
        className="mb-3",
        id="account-facts",
    )
    opp_rows = [
        {**o, "level": t(f"level.{o['level']}", lang), "status": t(f"opp.status.{o['status']}", lang)} for o in opps
    ]
    visit_rows = [
        {
            **v,
            "status": t(f"visit.status.{v['status']}", lang),
            "kind": code_name("visit.kind", v["kind"], lang),
            "notes": " / ".join(x for x in (v["purpose"], v["outcome"]) if x),
        }
        for v in visits
    ]
    payment_rows = [
        {
            **p,
            "open_amount": p["amount"] - p["paid_amount"],
            "milestone": code_name("payment.milestone", p["milestone"], lang),
            "overdue": t("account.overdue", lang) if p["due_date"] < now else "",
        }
        for p in payments
    ]
    return html.Div(
        [
            page_header(f"{found['name']}", found["account_code"]),
            facts,
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("account.years", lang),
                            charts.graph(YEARS_CHART_ID, charts.account_years(history, labels, lang)),
                        ),
                        lg=7,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(t("rad.col.class", lang), playbook(current["rad_class"], lang)), lg=5, className="mb-3"
                    ),
                ],
                className="g-3",
            ),
            html.Div(panel(t("account.contacts", lang), _contacts(contacts, lang)), className="mb-3"),
            html.Div(
                panel(
                    t("account.opportunities", lang),
                    _grid("account-opportunities", opp_rows, OPP_COLUMNS, lang),
                ),
                className="mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("account.visits", lang),
                            _grid("account-visits", visit_rows, VISIT_COLUMNS, lang),
                        ),
                        xxl=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("account.payments", lang),
                            _grid("account-payments", payment_rows, PAYMENT_COLUMNS, lang),
                        ),
                        xxl=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
        ]
    )
