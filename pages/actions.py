"""/actions: next best actions (the RAD playbook as a to-do list). A rep sees their own list; a manager the team's
count per rep and the team's list (``?rep=`` one rep's); a director their own TOP 10 D list and the count per kind
per team (``?team=`` a team's, ``?rep=`` a rep's). Nothing to tick: a line goes when the data says it is done."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import actions as drawn
from components.formatting import day
from components.i18n import current_lang, t
from components.shell import page_header, panel
from metrics.views import actions as view
from web.loading import load_view, page_layout

dash.register_page(__name__, path="/actions", order=3.6, nav_key="nav.actions", title="SalesRadar")

#: a team's list shows this many lines of each kind (a rep's own list, one click away, shows up to view.ROWS)
TEAM_ROWS = 20


@page_layout()
def layout(**query: str) -> html.Div:
    return render(load_view(view.load_actions, query), current_lang())


def _link(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v is not None}
    return "/actions" + ("?" + urlencode(kept) if kept else "")


def render(data: view.ActionsData, lang: str) -> html.Div:
    header = page_header(t("actions.title", lang), t("actions.subtitle", lang, day=day(data.today, lang)))
    parts: list[Any] = [header, *[dbc.Alert(str(p), color="warning", className="py-2") for p in data.problems]]
    many = data.role != "rep"
    if data.own is not None:
        parts.append(
            html.Div(
                panel(
                    t("actions.own_director", lang),
                    drawn.action_groups(
                        data.own.actions, data.own.totals, data.today, lang, with_rep=True, list_id="actions-own"
                    ),
                ),
                className="mb-3",
            )
        )
    if data.rep is not None:
        if many:
            back = _link(team=data.team_id) if data.team_id else _link()
            parts.append(dcc.Link(t("actions.back_team", lang), href=back, className="small d-block mb-2"))
        title = t("actions.mine", lang) if not many else t("actions.rep_list", lang, name=data.rep[1])
        parts.append(panel(title, drawn.action_groups(data.listed.actions, data.listed.totals, data.today, lang)))
        return html.Div(parts)
    if data.lines:
        if data.by == "team":
            table = drawn.count_table(data.lines, "team", lang, lambda line: _link(team=line.key))
            parts.append(html.Div(panel(t("actions.per_team", lang), table), className="mb-3", id="actions-per-team"))
        else:
            if data.role == "director":
                parts.append(dcc.Link(t("actions.back", lang), href=_link(), className="small d-block mb-2"))
            table = drawn.count_table(data.lines, "rep", lang, lambda line: _link(team=data.team_id, rep=line.key))
            parts.append(html.Div(panel(t("actions.per_rep", lang), table), className="mb-3", id="actions-per-rep"))
    if data.by == "rep" and many:
        body = drawn.action_groups(
            data.listed.actions, data.listed.totals, data.today, lang, with_rep=True, per_kind=TEAM_ROWS
        )
        parts.append(panel(t("actions.team_list", lang), body))
    return html.Div(parts)
