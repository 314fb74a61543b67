"""/visits: "My week" — a rep's plan for next week and this week's visit records, entered on a phone; for a
manager the team's week (plan against done per rep, unplanned, incomplete records, visits by account class,
training), for a director per team. Every write goes through ``web.writes`` (CSRF, the viewer's rights)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import actions as actions_drawn
from components import staff as drawn
from components.formatting import day
from components.i18n import current_lang, t
from components.shell import page_header, panel
from metrics.staff import monday_of, week_key
from metrics.views import staff as view
from metrics.views.filters import query_of
from web import writes
from web.auth import current_viewer
from web.loading import current_day, load_view, page_layout

dash.register_page(__name__, path="/visits", order=3.5, nav_key="nav.visits", title="SalesRadar")

CSRF = ("logout-csrf", "value")  # the session's CSRF token, drawn into the navbar's sign-out form


@page_layout(keep_page=False)  # the forms and buttons are the signed-in user's own
def layout(**query: str) -> html.Div:
    return render(load_view(view.load_week, query), query, current_lang())


def _user_id() -> int:
    viewer = current_viewer()
    return viewer.user_id if viewer is not None else -1


def own_body(data: view.WeekData, lang: str) -> Any:
    if data.own is None:
        return html.Div(t("week.no_reps", lang), className="empty-state")
    return drawn.own_week(data.own, data.monday, data.today, _user_id(), lang)


def _own_section(data: view.WeekData, lang: str) -> list[Any]:
    own = data.own
    if own is None:
        return [html.Div(t("week.no_reps", lang), className="empty-state")]
    plan_monday = monday_of(data.today) + timedelta(days=7)
    forms: list[Any] = []
    if not own.accounts:
        forms.append(dbc.Alert(t("week.no_accounts", lang), color="info"))
    entry = [
        *forms,
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(t("week.record", lang), className="panel-title mb-1"),
                    drawn.record_form(own.accounts, data.today, lang),
                ]
            ),
            className="panel-card mb-3",
        ),
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(
                        t(
                            "week.plan_of",
                            lang,
                            week=week_key(plan_monday),
                        ),
                        className="panel-title mb-1",
                    ),
                    drawn.plan_form(own.accounts, plan_monday, lang),
                ]
            ),
            className="panel-card mb-3",
        ),
        dcc.Store(id=drawn.RECORD_REP, data=own.rep_id),
    ]
    # one column on a phone; on a wider screen the week on the left, the forms beside it
    return [
        drawn.week_stats(own.counts, lang, (own.training_hours, data.required_hours)),
        dbc.Row(
            [
                dbc.Col(
                    [
                        html.Div(id=drawn.WEEK_MESSAGE),
                        html.Div(own_body(data, lang), id=drawn.WEEK_BODY),
                        actions_drawn.actions_card(
                            own.actions,
                            data.today,
                            lang,
                            title=t("actions.mine", lang),
                            more_href="/actions" + (f"?rep={own.rep_code}" if data.role != "rep" else ""),
                        ),
                    ],
                    lg=7,
                ),
                dbc.Col(entry, lg=5),
            ],
            className="g-3",
        ),
    ]


def _team_section(data: view.WeekData, query: dict[str, str], lang: str) -> list[Any]:
    lines = data.lines or []
    out: list[Any] = [drawn.week_stats(data.totals, lang)]
    out.append(
        dbc.Row(
            [
                dbc.Col(
                    panel(
                        t("week.per_team" if data.by == "team" else "week.per_rep", lang),
                        drawn.team_table(lines, data.by, query, data.totals, lang)
                        if lines
                        else html.Div(t("week.no_reps", lang), className="text-muted"),
                    ),
                    lg=7,
                    className="mb-3",
                ),
                dbc.Col(
                    [
                        panel(t("week.by_class", lang), drawn.by_class(data.by_class, lang)),
                        html.Div(
                            dcc.Link(
                                t("week.show_incomplete", lang),
                                href=drawn.href(query, list="incomplete", rep=None),
                            ),
                            className="mt-2",
                        )
                        if data.listing != "incomplete" and data.totals.records_incomplete
                        else None,
                    ],
                    lg=5,
                    className="mb-3",
                ),
            ],
            className="g-3",
        )
    )
    if data.listing == "incomplete" and data.own is None:
        out.append(
            panel(
                t("week.incomplete_list", lang, n=len(data.records)),
                drawn.records_list(data.records, lang),
                panel_id="week-records",
            )
        )
    out.append(
        html.Div(
            panel(
                t("week.training", lang, year=data.monday.year),
                drawn.training_table(data.training, data.required_hours, data.monday.year, lang),
            ),
            className="mt-3",
        )
    )
    return out


def render(data: view.WeekData, query: dict[str, str], lang: str) -> html.Div:
    sunday = data.monday + timedelta(days=6)
    subtitle = t("week.subtitle", lang, week=data.week, start=day(data.monday, lang), end=day(sunday, lang))
    if data.role == "rep":
        title = t("week.title_own", lang)
    elif data.own is not None:
        title = t("week.title_rep", lang, name=data.own.name)
    else:
        title = t("week.title_team", lang)
    parts: list[Any] = [
        page_header(title, subtitle),
        *[dbc.Alert(str(p), color="warning", className="py-2") for p in data.problems],
        drawn.week_nav(data.monday, monday_of(data.today), query, lang),
    ]
    if data.role != "rep" and data.own is not None:
        back = drawn.href(query, rep=None)
        parts.append(html.Div(dcc.Link("‹ " + t("week.title_team", lang), href=back), className="mb-2"))
        parts += _own_section(data, lang)
    elif data.role == "rep":
        parts += _own_section(data, lang)
    else:
        parts += _team_section(data, query, lang)
    return html.Div(parts, className="week-page")


def _redraw(search: str | None, lang: str) -> Any:
    return own_body(load_view(view.load_week, query_of(search)), lang)


def _message(outcome: writes.Outcome, lang: str) -> dbc.Alert:
    return drawn.write_message(outcome.ok, outcome.message(lang))


@dash.callback(
    Output(drawn.WEEK_BODY, "children", allow_duplicate=True),
    Output(drawn.WEEK_MESSAGE, "children", allow_duplicate=True),
    Output(drawn.PLAN_PURPOSE, "value"),
    Input(drawn.PLAN_ADD, "n_clicks"),
    State(drawn.PLAN_ACCOUNT, "value"),
    State(drawn.PLAN_DATE, "value"),
    State(drawn.PLAN_KIND, "value"),
    State(drawn.PLAN_PURPOSE, "value"),
    State(drawn.RECORD_REP, "data"),
    State(*CSRF),
    State("url", "search"),
    prevent_initial_call=True,
)
def add_to_plan(
    clicks: Any, account: Any, visit_date: Any, kind: Any, purpose: Any, rep: Any, csrf: Any, search: Any
) -> tuple[Any, Any, Any]:
    """Add a visit to the plan; the server checks everything (the account is the rep's, the day ahead)."""
    if not clicks:
        raise PreventUpdate
    lang = current_lang()
    form = {"account_id": account, "visit_date": visit_date, "kind": kind, "purpose": purpose, "rep_id": rep}
    outcome = writes.plan_visit(csrf, form)
    return _redraw(search, lang), _message(outcome, lang), "" if outcome.ok else no_update


@dash.callback(
    Output(drawn.WEEK_BODY, "children", allow_duplicate=True),
    Output(drawn.WEEK_MESSAGE, "children", allow_duplicate=True),
    Input({"type": drawn.UP, "id": ALL}, "n_clicks"),
    Input({"type": drawn.DOWN, "id": ALL}, "n_clicks"),
    Input({"type": drawn.REMOVE, "id": ALL}, "n_clicks"),
    State(*CSRF),
    State("url", "search"),
    prevent_initial_call=True,
)
def change_row(_up: Any, _down: Any, _remove: Any, csrf: Any, search: Any) -> tuple[Any, Any]:
    """Move a planned visit up or down, or remove a row its author entered (the server checks both)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (ctx.triggered and ctx.triggered[0].get("value")):
        raise PreventUpdate  # the buttons were drawn again, not clicked
    lang = current_lang()
    kind, visit_id = trigger.get("type"), trigger.get("id")
    if kind == drawn.REMOVE:
        outcome = writes.remove_visit(csrf, visit_id)
    else:
        outcome = writes.move_visit(csrf, visit_id, -1 if kind == drawn.UP else 1)
    return _redraw(search, lang), _message(outcome, lang)


FORM_FIELDS = (
    drawn.RECORD_ACCOUNT,
    drawn.RECORD_DATE,
    drawn.RECORD_KIND,
    drawn.RECORD_PURPOSE,
    drawn.RECORD_OUTCOME,
    drawn.RECORD_NEXT,
    drawn.RECORD_NEXT_DATE,
    drawn.RECORD_EDITING,
    drawn.RECORD_CONTACT,
    drawn.RECORD_DEAL,
)


@dash.callback(
    Output(drawn.RECORD_COLLAPSE, "is_open"),
    *[Output(f, "data" if f == drawn.RECORD_EDITING else "value") for f in FORM_FIELDS],
    Input(drawn.RECORD_OPEN, "n_clicks"),
    Input(drawn.RECORD_CANCEL, "n_clicks"),
    Input({"type": drawn.DONE, "id": ALL}, "n_clicks"),
    Input({"type": drawn.EDIT, "id": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def open_record(_open: Any, _cancel: Any, _done: Any, _edit: Any) -> tuple[Any, ...]:
    """Open the record form: empty (an unplanned visit), from a planned visit (done today), or with an own record
    to edit; Cancel closes it. A visit outside the viewer's scope opens nothing."""
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    nothing = [no_update] * len(FORM_FIELDS)
    if trigger == drawn.RECORD_CANCEL:
        return (False, *nothing)
    today = current_day()
    if trigger == drawn.RECORD_OPEN:
        return (True, None, today.isoformat(), "visit", "", "", "", "", None, None, None)
    if not isinstance(trigger, dict):
        raise PreventUpdate
    row = load_view(view.load_visit, {"visit": str(trigger.get("id"))})
    if row is None:
        raise PreventUpdate
    account = str(row["account_id"])
    if trigger.get("type") == drawn.DONE:
        visit_day = min(max(row["visit_date"], today - timedelta(days=7)), today)
        return (True, account, visit_day.isoformat(), row["kind"], row["purpose"] or "", "", "", "", None, None, None)
    next_date = row["next_step_date"].isoformat() if row["next_step_date"] else ""
    return (
        True,
        account,
        row["visit_date"].isoformat(),
        row["kind"],
        row["purpose"] or "",
        row["outcome"] or "",
        row["next_step"] or "",
        next_date,
        row["id"],
        row["contact_name"],
        row["opp_code"],
    )


@dash.callback(
    Output(drawn.RECORD_CONTACT, "options"),
    Output(drawn.RECORD_DEAL, "options"),
    Input(drawn.RECORD_ACCOUNT, "value"),
)
def account_choices(account: Any) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The chosen account's contacts and open deals (an account outside the viewer's scope has none)."""
    lang = current_lang()
    found = load_view(view.load_account_choices, {"account": str(account or "")})
    none = [{"label": t("week.none", lang), "value": ""}]
    contacts = none + [{"label": c, "value": c} for c in found.contacts]
    deals = none + [{"label": f"{name} ({code})", "value": code} for code, name in found.deals]
    return contacts, deals


@dash.callback(
    Output(drawn.WEEK_BODY, "children", allow_duplicate=True),
    Output(drawn.WEEK_MESSAGE, "children", allow_duplicate=True),
    Output(drawn.RECORD_COLLAPSE, "is_open", allow_duplicate=True),
    Input(drawn.RECORD_SAVE, "n_clicks"),
    *[State(f, "data" if f == drawn.RECORD_EDITING else "value") for f in FORM_FIELDS],
    State(drawn.RECORD_REP, "data"),
    State(*CSRF),
    State("url", "search"),
    prevent_initial_call=True,
)
def save_record(
    clicks: Any,
    account: Any,
    visit_date: Any,
    kind: Any,
    purpose: Any,
    outcome_text: Any,
    next_step: Any,
    next_date: Any,
    editing: Any,
    contact: Any,
    deal: Any,
    rep: Any,
    csrf: Any,
    search: Any,
) -> tuple[Any, Any, Any]:
    """Save the record: a new done visit, or the edit of an own one (the server checks both)."""
    if not clicks:
        raise PreventUpdate
    lang = current_lang()
    form = {
        "account_id": account,
        "visit_date": visit_date,
        "kind": kind,
        "purpose": purpose,
        "outcome": outcome_text,
        "contact_name": contact,
        "next_step": next_step,
        "next_step_date": next_date,
        "opp_code": deal,
        "rep_id": rep,
    }
    outcome = writes.record_visit(csrf, form, editing)
    return _redraw(search, lang), _message(outcome, lang), not outcome.ok
