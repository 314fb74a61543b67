"""The RAD page's pieces: class summary, class moves, TOP lists, the account card and the playbook."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components import tables
from components.formatting import cny, count, day, known, pct
from components.grid import Kind, data_grid
from components.i18n import t
from metrics.rad import BP_TOO_LOW, NO_BP

BADGE_COLOURS = {"R": "success", "D": "primary", "A": "warning", "none": "secondary"}


def class_badge(cls: str, manual: bool, lang: str) -> html.Span:
    """The class as a coloured badge, ``manual`` marked."""
    badge = dbc.Badge(t(f"rad.class.{cls}", lang), color=BADGE_COLOURS.get(cls, "secondary"), className="me-1")
    return html.Span([badge, dbc.Badge(t("rad.manual", lang), color="light", text_color="dark")] if manual else badge)


def account_link(code: str, name: str) -> dcc.Link:
    return dcc.Link(name, href=f"/accounts/{code}", title=code)


def summary_table(summary: pd.DataFrame, query: dict[str, str], lang: str) -> dbc.Table:
    """Per class: accounts, BP, bookings, SOW of the class, open pipeline, white space; each class links to
    the page filtered by it."""
    keys = ("rad.col.class", "rad.col.accounts", "rad.col.bp", "rad.col.bookings", "rad.col.sow")
    head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in (*keys, "rad.col.pipeline", "rad.col.white_space")]))
    rows = []
    for r in summary.to_dict("records"):
        href = "/rad?" + urlencode({**query, "rad": r["rad_class"]})
        rows.append(
            html.Tr(
                [
                    html.Td(dcc.Link(t(f"rad.class.{r['rad_class']}", lang), href=href)),
                    html.Td(count(int(r["accounts"]), lang), className="text-end"),
                    html.Td(cny(r["bp"], lang), className="text-end"),
                    html.Td(cny(r["bookings"], lang), className="text-end"),
                    html.Td(pct(r["sow"], lang), className="text-end"),
                    html.Td(cny(r["open_pipeline"], lang), className="text-end"),
                    html.Td(cny(r["white_space"], lang), className="text-end"),
                ],
                id=f"rad-summary-{r['rad_class']}",
            )
        )
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, className="mb-0", id="rad-summary-table")


def moves_table(moves: pd.DataFrame, query: dict[str, str], lang: str) -> Any:
    """Accounts that changed class: from, to, how many (most first); each line opens its accounts
    (``?moved=R-A``, the other filters kept)."""
    if moves.empty:
        return html.Div(t("rad.moves_none", lang), className="empty-state")
    head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("rad.col.from", "rad.col.to", "rad.col.accounts")]))
    rows = []
    for r in moves.to_dict("records"):
        key = f"{r['from_class']}-{r['to_class']}"
        href = "/rad?" + urlencode({**query, "moved": key})
        rows.append(
            html.Tr(
                [
                    html.Td(class_badge(r["from_class"], False, lang)),
                    html.Td(class_badge(r["to_class"], False, lang)),
                    html.Td(
                        dcc.Link(count(int(r["accounts"]), lang), href=href, id=f"rad-move-{key}"), className="text-end"
                    ),
                ]
            )
        )
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="mb-0", id="rad-moves-table")


def moved_list(move: tuple[str, str], rows: list[dict[str, Any]], grid_id: str, lang: str) -> html.Div:
    """The accounts behind one class change, in a grid with its download."""
    title = t(
        "rad.moved_list",
        lang,
        before=t(f"rad.class.{move[0]}", lang),
        after=t(f"rad.class.{move[1]}", lang),
        n=count(len(rows), lang),
    )
    return html.Div(
        [
            html.Div(title, className="small mb-1", id=f"{grid_id}-count"),
            accounts_grid(grid_id, rows, lang),
            tables.download_buttons("rad_moved", lang),
        ]
    )


#: The TOP lists' columns (i18n key, right-aligned): numbers sit under right-aligned headers
TOP_COLUMNS = (
    ("col.account", False),
    ("rad.col.class", False),
    ("col.owner", False),
    ("rad.col.bp", True),
    ("rad.col.sow", True),
    ("rad.col.white_space", True),
    ("rad.col.pipeline", True),
    ("rad.col.last_visit", False),
)


def top_table(accounts: pd.DataFrame, table_id: str, lang: str) -> Any:
    """A TOP list: account, class, owner, BP (what the list is ranked by), SOW, white space, open pipeline,
    last visit."""
    if accounts.empty:
        return html.Div(t("account.none", lang), className="empty-state")
    head = html.Thead(
        html.Tr([html.Th(t(k, lang), className="text-end" if right else None) for k, right in TOP_COLUMNS])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(account_link(r["account_code"], r["name"])),
                    html.Td(class_badge(r["rad_class"], bool(r["manual"]), lang)),
                    html.Td(r["owner"]),
                    html.Td(cny(r["bp"], lang), className="text-end"),
                    html.Td(pct(r["sow"], lang), className="text-end"),
                    html.Td(cny(r["white_space"], lang), className="text-end"),
                    html.Td(cny(r["open_pipeline"], lang), className="text-end"),
                    html.Td(day(r["last_visit"], lang) if r["last_visit"] else "—"),
                ]
            )
            for r in accounts.to_dict("records")
        ]
    )
    return dbc.Table([head, body], size="sm", striped=True, className="mb-0", id=table_id)


def playbook(cls: str, lang: str) -> html.Div:
    """What accounts of a class need next, from the domain brief (客户RAD分析)."""
    label = t(f"rad.class.{cls}", lang)
    return html.Div(
        [
            html.Div(t("rad.playbook", lang, cls=label), className="fw-semibold small mt-2"),
            html.Ul([html.Li(item) for item in t(f"rad.play.{cls}", lang).split("|")], className="small mb-0"),
        ],
        className="rad-playbook",
    )


def flags(row: dict[str, Any], lang: str) -> list[dbc.Badge]:
    names = {NO_BP: "rad.flag.no_bp", BP_TOO_LOW: "rad.flag.bp_too_low"}
    return [dbc.Badge(t(names[f], lang), color="danger", className="me-1") for f in row.get("flags") or []]


def account_card(row: dict[str, Any], lang: str) -> html.Div:
    """The clicked account: class, owner, BP, bookings, SOW, white space, pipeline, visits, its playbook."""
    facts = [
        ("col.owner", f"{row['owner']} ({row['owner_code']})"),
        ("rad.col.region", f"{known(row['region'], lang)} · {known(row['industry'], lang)}"),
        ("rad.col.bp", cny(row["bp"], lang)),
        ("rad.col.bookings", cny(row["bookings"], lang)),
        ("rad.col.sow", pct(row["sow"], lang)),
        ("rad.col.white_space", cny(row["white_space"], lang)),
        ("rad.col.pipeline", f"{cny(row['open_pipeline'], lang)} ({count(int(row['open_count']), lang)})"),
        ("rad.col.visits90", f"{int(row['visits_90d'])}"),
        ("rad.col.last_visit", day(row["last_visit"], lang) if row["last_visit"] else "—"),
    ]
    return html.Div(
        [
            html.H5(row["name"], className="mb-1", id="rad-account-name"),
            html.Div([class_badge(row["rad_class"], bool(row["manual"]), lang), *flags(row, lang)], className="mb-2"),
            dbc.Table(
                html.Tbody(
                    [html.Tr([html.Th(t(k, lang), className="fw-normal text-muted"), html.Td(v)]) for k, v in facts]
                ),
                size="sm",
                className="mb-1",
            ),
            playbook(row["rad_class"], lang),
            dcc.Link(
                t("rad.open_account", lang), href=f"/accounts/{row['account_code']}", className="small mt-2 d-block"
            ),
        ]
    )


ACCOUNT_COLUMNS: list[tuple[str, str, Kind]] = [
    ("account_code", "col.account", "account"),
    ("name", "", "text"),
    ("rad_class", "rad.col.class", "text"),
    ("owner", "col.owner", "text"),
    ("region", "rad.col.region", "text"),
    ("industry", "rad.col.industry", "text"),
    ("bp", "rad.col.bp", "money"),
    ("bookings", "rad.col.bookings", "money"),
    ("sow", "rad.col.sow", "pct"),
    ("white_space", "rad.col.white_space", "money"),
    ("open_pipeline", "rad.col.pipeline", "money"),
    ("last_visit", "rad.col.last_visit", "date"),
]


def accounts_grid(grid_id: str, rows: list[dict[str, Any]], lang: str) -> Any:
    """Accounts in a sortable, filterable grid (codes link to the account pages; a region a CRM export did not
    hold says "unknown" in the UI's language)."""
    columns = [(f, t(h, lang) if h else "", k) for f, h, k in ACCOUNT_COLUMNS]
    shown = [{**r, "region": known(r.get("region"), lang)} if "region" in r else r for r in rows]
    return data_grid(grid_id, shown, columns, lang=lang)
