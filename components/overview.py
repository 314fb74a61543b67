"""The Overview's own drawings: the aging table with a link per bucket, the list behind a tile, bar or bucket
(a grid with its download), and bookings against target per team or rep. Every number links to its list by
the address (``?list=``, ``metrics.overview.Drill``), so a list keeps the filters and can be bookmarked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components import tables
from components.formatting import cny, count
from components.grid import Kind, data_grid
from components.i18n import code_name, t
from components.shell import panel
from metrics.frames import records
from metrics.overview import Drill, OverviewKPIs, drills

AGING_ID = "overview-aging"
LIST_ID = "overview-list"
GROUPS_ID = "overview-groups"
#: The table of the download buttons (``web.tables``)
LIST_TABLE = "overview_list"
#: Which list each tile opens
TILE_LISTS = {
    "bookings": "bookings",
    "attainment": "bookings",
    "open-pipeline": "open",
    "weighted-pipeline": "open",
    "v-value": "due",
    "win-rate": "won",
    "overdue": "overdue",
}
#: The columns every deal list starts with; the open ones end with the expected close, the closed with the close
_DEAL: tuple[tuple[str, str, Kind], ...] = (
    ("opp_code", "col.opp", "opp"),
    ("name", "col.deal_name", "text"),
    ("account", "col.account", "text"),
    ("owner", "col.owner", "text"),
    ("level", "col.level", "text"),
    ("amount", "col.amount", "money"),
)
#: A contract's first columns (a booking's and an overdue payment's)
_CONTRACT: tuple[tuple[str, str, Kind], ...] = (
    ("contract_code", "account.col.contract", "text"),
    ("opp_code", "col.opp", "opp"),
    ("account", "col.account", "text"),
    ("owner", "col.owner", "text"),
)
_COLUMNS: dict[str, tuple[tuple[str, str, Kind], ...]] = {
    "bookings": (
        *_CONTRACT,
        ("signed_date", "overview.col.signed", "date"),
        ("amount", "col.amount", "money"),
        ("gross_margin", "overview.col.gm", "money"),
    ),
    "deals": (*_DEAL, ("expected_close_date", "col.expected_close", "date")),
    "closed": (*_DEAL, ("closed_date", "wl.col.closed", "date")),
    "overdue": (
        *_CONTRACT,
        ("milestone", "account.col.milestone", "text"),
        ("due_date", "account.col.due", "date"),
        ("days_overdue", "overview.col.days_overdue", "text"),
        ("owed", "overview.col.owed", "money"),
    ),
}


def list_href(query: Mapping[str, str], key: str | None) -> str:
    """The Overview's address with the list ``key`` (a ``Drill`` key; None: no list), the filters kept."""
    wanted = {k: v for k, v in query.items() if k != "list"}
    if key is not None:
        wanted["list"] = key
    return "/?" + urlencode(wanted) if wanted else "/"


def tile_hrefs(query: Mapping[str, str]) -> dict[str, str]:
    """The address each tile opens (``components.kpi.overview_tiles``)."""
    return {name: list_href(query, key) for name, key in TILE_LISTS.items()}


def aging_table(k: OverviewKPIs, query: Mapping[str, str], lang: str) -> dbc.Table:
    """The overdue amount per age, each bucket a link to its payments."""
    keys = {d.bucket: d.key for d in drills().values() if d.bucket is not None}
    return dbc.Table(
        [
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(dcc.Link(t("overview.days", lang, days=name), href=list_href(query, keys[name]))),
                            html.Td(cny(v, lang), className="text-end", title=cny(v, lang, compact=False)),
                        ]
                    )
                    for name, v in k.overdue.buckets.items()
                ]
            )
        ],
        size="sm",
        className="mb-0",
        id=AGING_ID,
    )


def _title(drill: Drill, n: int, amount: float, lang: str) -> str:
    what = t(f"overview.list.{drill.kind}", lang)
    if drill.level is not None:
        what = t("overview.list.open_level", lang, level=t(f"level.{drill.level}", lang))
    elif drill.bucket is not None:
        what = t("overview.list.overdue_bucket", lang, days=t("overview.days", lang, days=drill.bucket))
    return t("overview.list.title", lang, what=what, n=count(n, lang), amount=cny(amount, lang))


def _rows(drill: Drill, frame: pd.DataFrame, today: Any, lang: str) -> list[dict[str, Any]]:
    rows = records(frame)
    for r in rows:
        if "level" in r and r["level"] is not None:
            r["level"] = t(f"level.{int(r['level'])}", lang)
        if drill.kind == "overdue":
            r["milestone"] = code_name("payment.milestone", r["milestone"], lang)
            r["days_overdue"] = (today - r["due_date"]).days
    return rows


def list_panel(
    drill: Drill | None,
    listed: tuple[pd.DataFrame, int, float] | None,
    kpis: OverviewKPIs,
    query: Mapping[str, str],
    today: Any,
    lang: str,
) -> html.Div:
    """The list the address names (its first rows; the title counts and sums them all, the download has them),
    with a way back and, for won or lost deals, a way to the other; an empty div without a list."""
    if drill is None or listed is None:
        return html.Div(id=LIST_ID)
    frame, n, amount = listed
    columns_of = "closed" if drill.kind in ("won", "lost") else "deals" if drill.kind in ("open", "due") else drill.kind
    columns = [(f, t(key, lang), kind) for f, key, kind in _COLUMNS[columns_of]]
    links: list[Any] = [dcc.Link(t("overview.list.close", lang), href=list_href(query, None), id=f"{LIST_ID}-close")]
    if drill.kind in ("won", "lost"):
        other = "lost" if drill.kind == "won" else "won"
        shown = kpis.lost_count if other == "lost" else kpis.won_count
        links.append(
            dcc.Link(
                t(f"overview.list.see_{other}", lang, n=count(shown, lang)),
                href=list_href(query, other),
                id=f"{LIST_ID}-other",
                className="ms-3",
            )
        )
    shown_rows = _rows(drill, frame, today, lang)
    note = t("overview.list.first", lang, shown=count(len(shown_rows), lang)) if n > len(shown_rows) else None
    body = [
        html.Div([*links, html.Span(note, className="ms-3 text-muted") if note else None], className="small mb-2"),
        data_grid(f"{LIST_ID}-grid", shown_rows, columns, lang=lang),
        tables.download_buttons(LIST_TABLE, lang),
    ]
    # scroll-here: the page scrolls the list into view when it appears (assets/scroll_into_view.js)
    return html.Div(
        panel(_title(drill, n, amount, lang), html.Div(body)),
        id=LIST_ID,
        className="mb-3 scroll-here",
    )


def groups_grid(groups: pd.DataFrame, group_by: str | None, query: Mapping[str, str], lang: str) -> html.Div | None:
    """Bookings against target per team (a director) or per rep (a manager, or a team chosen), largest gap
    first; a team opens the Overview of that team, a rep their scorecard."""
    if group_by is None:
        return None
    rows = []
    period = {"period": query["period"]} if query.get("period") else {}  # the period stays; other filters do not
    href: str | None
    for r in records(groups):
        if group_by == "team":
            name = r["name"] or t("overview.no_team", lang)
            href = list_href({**period, "team": str(r["key"])}, None) if r["name"] else None
        else:
            name = f"{r['name']} ({r['rep_code']})"
            href = "/scorecards?" + urlencode({**period, "rep": r["rep_code"]})
        rows.append({**r, "name": name, "name_href": href})
    header = "overview.col.team" if group_by == "team" else "sc.col.rep"
    columns: list[tuple[str, str, Kind]] = [
        ("name", t(header, lang), "link"),
        ("bookings", t("kpi.bookings", lang), "money"),
        ("attainment", t("kpi.attainment", lang), "pct"),
        ("gap", t("overview.col.gap", lang), "money"),
    ]
    title = t("overview.by_team" if group_by == "team" else "overview.by_rep", lang)
    return html.Div(
        panel(title, data_grid(f"{GROUPS_ID}-grid", rows, columns, lang=lang, height="420px")),
        id=GROUPS_ID,
    )
