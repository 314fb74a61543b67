"""The scorecards' pieces: the leaderboard grid, team rollups, payout tiers, coverage and the task book."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus, urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.formatting import cny, day, pct
from components.grid import Kind, data_grid
from components.i18n import code_name, t
from metrics.commission import Payout
from metrics.frames import records

BOARD_COLUMNS: list[tuple[str, str, Kind]] = [
    ("rep", "sc.col.rep", "link"),
    ("team", "filter.team", "text"),
    ("attainment", "kpi.attainment", "pct"),
    ("gm_attainment", "sc.col.gm_attainment", "pct"),
    ("pace", "sc.col.pace", "times"),
    ("forecast_attainment", "sc.col.forecast", "pct"),
    ("v", "kpi.v_value", "times"),
    ("win_rate", "kpi.win_rate", "pct"),
    ("open_pipeline", "kpi.open_pipeline", "money"),
    ("overdue", "kpi.overdue", "money"),
    ("visits_done", "sc.col.visits", "text"),
]


def _scorecard_prefix(query: dict[str, str]) -> str:
    """``/scorecards?`` with the address's period kept, up to ``rep=`` (a rep's code follows, encoded)."""
    keep = {k: v for k, v in query.items() if k in ("period",)}
    return "/scorecards?" + urlencode(keep) + ("&" if keep else "") + "rep="


#: The leaderboard's height: every rep in one grid that scrolls (a director's 8,500 too), about 15 rows
BOARD_HEIGHT = "640px"


def leaderboard_grid(board: pd.DataFrame, query: dict[str, str], lang: str) -> Any:
    """Every rep in one scrolling grid, ranked by attainment (highest first; sortable by every measure), pace
    and V coloured behind / on / ahead; a rep's name opens their scorecard."""
    met, prefix = t("kpi.quota_met", lang), _scorecard_prefix(query)
    rows = [
        {
            **r,
            "rep": f"{r['name']} ({r['rep_code']})",
            "rep_href": prefix + quote_plus(r["rep_code"]),
            "v_text": met if r.get("quota_met") else None,
        }
        for r in records(board)
    ]
    columns = [(f, t(h, lang), k) for f, h, k in BOARD_COLUMNS]
    return data_grid("sc-leaderboard", rows, columns, lang=lang, sort=("attainment", "desc"), height=BOARD_HEIGHT)


#: The team rollup's columns: (field, header key, kind).
ROLLUP_COLUMNS: list[tuple[str, str, Kind]] = [
    ("team", "filter.team", "text"),
    ("reps", "sc.col.reps", "text"),
    ("attainment", "kpi.attainment", "pct"),
    ("gm_attainment", "sc.col.gm_attainment", "pct"),
    ("pace", "sc.col.pace", "times"),
    ("v", "kpi.v_value", "times"),
    ("win_rate", "kpi.win_rate", "pct"),
    ("overdue", "kpi.overdue", "money"),
]


def rollup_table(teams: pd.DataFrame, lang: str) -> Any:
    """Per team, sortable, with everyone in scope pinned on top: attainment, GM attainment, pace, V (or "quota
    met"), win rate, overdue. A grid: a director's thousand teams as table cells cost the browser 0.8 s."""
    rows: list[dict[str, Any]] = []
    everyone: list[dict[str, Any]] = []
    for r in records(teams):
        line = {
            **r,
            "team": t("sc.everyone", lang) if r["team"] == "*" else r["team"] or t("overview.no_team", lang),
            "reps": int(r["reps"]),
            "v_text": t("kpi.quota_met", lang) if r["quota_met"] else None,
        }
        (everyone if r["team"] == "*" else rows).append(line)
    columns = [(f, t(h, lang), k) for f, h, k in ROLLUP_COLUMNS]
    return data_grid("sc-rollup", rows, columns, pinned=everyone, lang=lang)


def payout_table(payout: Payout | None, lang: str, table_id: str = "sc-payout") -> Any:
    """The payout tier by tier: range, multiplier, attainment inside, amount; the total."""
    if payout is None:
        return html.Div(t("sc.no_commission", lang), className="empty-state", id=table_id)
    head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("sc.tier", "sc.multiplier", "sc.inside", "sc.amount")]))
    rows = [
        html.Tr(
            [
                html.Td(f"{pct(p.start, lang, 0)} – {pct(p.upto, lang, 0) if p.upto is not None else '∞'}"),
                html.Td(f"×{p.multiplier:g}"),
                html.Td(pct(p.inside, lang)),
                html.Td(cny(p.amount, lang), className="text-end"),
            ]
        )
        for p in payout.tiers
    ]
    total = html.Tr(
        [
            html.Td(html.Strong(t("sc.total", lang))),
            html.Td(f"×{payout.multiplier:.2f}"),
            html.Td(pct(payout.attainment, lang)),
            html.Td(html.Strong(cny(payout.total, lang)), className="text-end", id=f"{table_id}-total"),
        ]
    )
    return dbc.Table([head, html.Tbody([*rows, total])], size="sm", className="mb-0", id=table_id)


def coverage_table(accounts: pd.DataFrame, lang: str) -> Any:
    """The task book's target accounts: visited, open pipeline, booked in the period."""
    if accounts.empty:
        return html.Div(t("sc.no_targets", lang), className="empty-state")
    head = html.Thead(
        html.Tr([html.Th(t(k, lang)) for k in ("col.account", "sc.visited", "rad.col.pipeline", "sc.booked")])
    )
    yes, no = "✔", "—"
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(dcc.Link(r["name"], href=f"/accounts/{r['account_code']}")),
                    html.Td(f"{yes} {r['visited']}" if r["visited"] else no),
                    html.Td(cny(r["open_pipeline"], lang) if r["open_pipeline"] else no, className="text-end"),
                    html.Td(cny(r["booked"], lang) if r["booked"] else no, className="text-end"),
                ]
            )
            for r in accounts.to_dict("records")
        ]
    )
    return dbc.Table([head, body], size="sm", striped=True, className="mb-0", id="sc-coverage")


def visit_list(week: pd.DataFrame, lang: str) -> Any:
    if week.empty:
        return html.Div(t("sc.no_visits", lang), className="empty-state")
    return html.Ul(
        [
            html.Li(
                [
                    day(r["visit_date"], lang),
                    " · ",
                    dcc.Link(r["account"], href=f"/accounts/{r['account_code']}"),
                    f" · {code_name('visit.kind', r['kind'], lang)} · ",
                    dbc.Badge(
                        t(f"visit.status.{r['status']}", lang),
                        color="success" if r["status"] == "done" else "secondary",
                    ),
                ]
            )
            for r in week.to_dict("records")
        ],
        className="small mb-0",
        id="sc-week",
    )
