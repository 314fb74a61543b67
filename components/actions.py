"""Next best actions drawn: a to-do list grouped by kind (each line says why and links to its account or deal), and
the count tables per team and per rep. Phone first: a list of lines, no wide table, on My week and the scorecard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.formatting import cny, day, many, period_label
from components.i18n import t
from components.shell import empty_state
from components.support import table
from metrics.actions import KINDS, Action, Windows, by_kind
from metrics.staff import week_key


def why(action: Action, today: date, lang: str) -> str:
    """The action's reason in ``lang``, from the same facts as the API's English ``reason``."""
    w = Windows(today)
    days = action.days_since(today)
    quarter = period_label(w.quarter.year, w.quarter.quarter, lang)
    kind = action.kind
    if kind == "visit_d":
        if action.day is None:
            return t("action.why.visit_d_never", lang)
        return t("action.why.visit_d", lang, day=day(action.day, lang), days=days)
    if kind == "learn_bp":
        if action.n:
            return t("action.why.learn_bp_known", lang, year=today.year, known=action.n)
        return t("action.why.learn_bp", lang, year=today.year)
    if kind == "exec_touch_r":
        return t("action.why.exec_touch_r", lang, quarter=quarter)
    if kind == "director_top10_d":
        return t("action.why.director_top10_d", lang, rank=action.n, amount=cny(action.amount, lang), quarter=quarter)
    if kind == "stalled_deal":
        return t(
            "action.why.stalled_deal", lang, level=action.n, day=day(action.day, lang) if action.day else "", days=days
        )
    if kind == "collect_overdue":
        due = day(action.day, lang) if action.day else ""
        return t("action.why.collect_overdue", lang, n=action.n, amount=cny(action.amount, lang), day=due, days=days)
    return t("action.why.plan_next_week", lang, week=week_key(w.next_week[0]))


def _subject(action: Action) -> Any:
    """What the line is about, linked: the deal, else the account, else the rep's week."""
    if action.opp_code:
        label = f"{action.opp_name or action.opp_code}"
        return dcc.Link(label, href=f"/opportunities/{action.opp_code}", className="fw-semibold")
    if action.account_code:
        return dcc.Link(
            action.account_name or action.account_code, href=f"/accounts/{action.account_code}", className="fw-semibold"
        )
    return dcc.Link(action.rep_name, href="/visits?" + urlencode({"rep": action.rep_code}), className="fw-semibold")


def action_item(action: Action, today: date, lang: str, *, with_rep: bool) -> html.Li:
    parts: list[Any] = [_subject(action)]
    if with_rep and (action.account_code or action.opp_code):
        parts.append(html.Span(f" · {action.rep_name}", className="text-muted small"))
    parts.append(html.Div(why(action, today, lang), className="small text-muted action-why"))
    return html.Li(parts, className="list-group-item action-item")


def action_groups(
    actions: Sequence[Action],
    totals: dict[str, int],
    today: date,
    lang: str,
    *,
    with_rep: bool = False,
    per_kind: int | None = None,
    list_id: str = "actions-list",
) -> Any:
    """The actions grouped by kind in the playbook's order: each kind a heading with its count and its lines (at
    most ``per_kind``: the heading says how many there are in all)."""
    groups = by_kind(list(actions))
    if not groups:
        return html.Div(empty_state(t("actions.none", lang)), id=list_id)
    sections = []
    for kind, rows in groups.items():
        shown = rows[:per_kind] if per_kind else rows
        total = totals.get(kind, len(rows))
        more = (
            html.Div(
                t("actions.more", lang, shown=many(len(shown), lang), total=many(total, lang)),
                className="small text-muted",
            )
            if total > len(shown)
            else None
        )
        sections.append(
            html.Div(
                [
                    html.Div(
                        [
                            t(f"action.kind.{kind}", lang),
                            dbc.Badge(many(total, lang), color="secondary", className="ms-2"),
                        ],
                        className="action-kind fw-semibold mb-1",
                    ),
                    html.Ul(
                        [action_item(a, today, lang, with_rep=with_rep) for a in shown], className="list-group mb-1"
                    ),
                    more,
                ],
                className="mb-3",
                id=f"actions-{kind}",
            )
        )
    return html.Div(sections, id=list_id)


def count_table(lines: Sequence[Any], by: str, lang: str, link: Any) -> html.Div:
    """Actions per kind for each team (``by="team"``) or rep, most first for reps; ``link(line)`` is where a line's
    name goes (its own list)."""
    head = [
        (t(f"actions.{by}", lang), False),
        *((t(f"action.short.{k}", lang), True) for k in KINDS),
        (t("actions.total", lang), True),
    ]
    rows = [
        [
            dcc.Link(line.name, href=link(line)),
            *(many(line.counts[k], lang) if line.counts[k] else "—" for k in KINDS),
            many(line.total, lang),
        ]
        for line in lines
    ]
    legend = " · ".join(f"{t(f'action.short.{k}', lang)}: {t(f'action.kind.{k}', lang)}" for k in KINDS)
    return html.Div([table(head, rows), html.Div(legend, className="small text-muted mt-1")])


#: how many lines of each kind a compact list (My week, the scorecard) shows before "all my actions"
COMPACT = 3


def _badge(n: int, lang: str) -> dbc.Badge:
    return dbc.Badge(many(n, lang), color="danger" if n else "success", className="ms-2")


def actions_card(listed: Any, today: date, lang: str, *, title: str, more_href: str | None = "/actions") -> dbc.Card:
    """A rep's actions as a card: the kinds with their counts and the first ``COMPACT`` lines of each, and a link
    to the whole list."""
    body: list[Any] = [
        html.Div(
            [
                title,
                _badge(listed.total, lang),
            ],
            className="panel-title mb-2",
        ),
        action_groups(listed.actions, listed.totals, today, lang, per_kind=COMPACT, list_id="actions-compact"),
    ]
    if more_href and listed.total:
        body.append(dcc.Link(t("actions.open", lang), href=more_href, className="small"))
    return dbc.Card(dbc.CardBody(body), className="panel-card mb-3", id="actions-card")
