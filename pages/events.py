"""/events: the year's customer events (客户推广) — kind, organiser, cost, accounts reached by RAD class, the 6A+2R
check with what is missing, cost per account and the pipeline created at attending accounts within 90 days; per
kind; one event's accounts (``?event=CODE``); managers and directors create events and tick who attended."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import staff as drawn
from components.formatting import cny, count
from components.i18n import current_lang, t
from components.shell import empty_state, page_header, panel
from components.support import year_links
from metrics.views import staff as view
from metrics.views.filters import query_of
from web import writes
from web.loading import current_day, load_view, page_layout

dash.register_page(__name__, path="/events", order=4.5, nav_key="nav.events", title="SalesRadar")


BODY = "events-body"


@page_layout(keep_page=False)  # the form carries the organisers of the viewer's scope and is theirs
def layout(**query: str) -> html.Div:
    return html.Div(render(load_view(view.load_events, query), current_lang()), id=BODY)


def _years(data: view.EventsData, lang: str) -> html.Div:
    """The years that hold data as links (a director's team kept), then back to every team."""
    team_id = data.team_id if data.role == "director" else None
    back = [dcc.Link(t("events.all_teams", lang), href=f"/events?year={data.year}")] if team_id is not None else []
    return year_links("/events", data.year, data.years, data.today, lang, *back, team=team_id)


def _company(data: view.EventsData, lang: str) -> list[Any]:
    """A director's whole company: the year's totals, reach by class, a line per team (each opens its events)."""
    totals = data.team_totals or []
    if not totals:
        return [empty_state(t("events.none", lang, year=data.year))]
    cost = sum(float(r["cost"]) for r in totals)
    reached = sum(int(r["accounts"]) for r in totals)
    dinners, held = sum(int(r["dinners"]) for r in totals), sum(int(r["dinners_held"]) for r in totals)
    return [
        html.Div(
            [
                drawn.stat(t("events.count", lang), count(sum(int(r["events"]) for r in totals), lang)),
                drawn.stat(t("events.cost", lang), cny(cost, lang)),
                drawn.stat(t("events.accounts", lang), count(reached, lang)),
                drawn.stat(t("events.cost_per_account", lang), cny(cost / reached, lang) if reached else "—"),
                drawn.stat(
                    t("events.held_rate", lang), f"{held}/{dinners}", tone="text-danger" if held < dinners else ""
                ),
            ],
            className="week-stats mb-3",
        ),
        panel(
            t("events.reach", lang),
            html.Div(
                [
                    drawn.stat(t(f"rad.class.{c if c != 'unknown' else 'none'}", lang), count(n, lang))
                    for c, n in data.reach.items()
                ],
                className="week-stats",
            ),
        ),
        html.Div(panel(t("events.per_team", lang), drawn.team_events_table(totals, data.year, lang)), className="mt-3"),
    ]


def render(data: view.EventsData, lang: str) -> html.Div:
    events = data.events
    parts: list[Any] = [
        page_header(t("events.title", lang), t("events.subtitle", lang, year=data.year)),
        *[dbc.Alert(str(p), color="warning", className="py-2") for p in data.problems],
        _years(data, lang),
    ]
    if data.team_totals is not None:
        parts += _company(data, lang)
    elif not events:
        parts += [
            empty_state(t("events.none", lang, year=data.year)),
            html.Div(t("events.template_hint", lang), className="text-muted small mb-3"),
        ]
    else:
        cost = sum(e.event.cost for e in events)
        reached = sum(e.accounts for e in events)
        dinners = [e for e in events if e.check_6a2r is not None]
        parts.append(
            html.Div(
                [
                    drawn.stat(t("events.count", lang), count(len(events), lang)),
                    drawn.stat(t("events.cost", lang), cny(cost, lang)),
                    drawn.stat(t("events.accounts", lang), count(reached, lang)),
                    drawn.stat(t("events.cost_per_account", lang), cny(cost / reached, lang) if reached else "—"),
                    drawn.stat(
                        t("events.pipeline_after", lang), cny(sum(e.pipeline_after_amount for e in events), lang)
                    ),
                    drawn.stat(
                        t("events.held_rate", lang),
                        f"{sum(1 for e in dinners if e.check_6a2r)}/{len(dinners)}",
                        tone="text-danger" if any(not e.check_6a2r for e in dinners) else "",
                    ),
                ],
                className="week-stats mb-3",
            )
        )
        if data.chosen is not None:
            parts.append(drawn.attendees_list(data.chosen.event.name, data.chosen_accounts, lang))
            if data.role != "rep":
                parts.append(drawn.attendance_form(data.chosen.event, data.chosen_accounts, data.team_accounts, lang))
        reach = data.reach
        parts.append(
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("events.reach", lang),
                            html.Div(
                                [
                                    drawn.stat(t(f"rad.class.{c if c != 'unknown' else 'none'}", lang), count(n, lang))
                                    for c, n in reach.items()
                                ],
                                className="week-stats",
                            ),
                        ),
                        lg=5,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(t("events.by_kind", lang), drawn.kinds_table(data.by_kind, lang)), lg=7, className="mb-3"
                    ),
                ],
                className="g-3",
            )
        )
        listed = html.Div(
            [
                drawn.events_table(events, data.year, lang),
                html.Div(
                    t("week.first_rows", lang, n=drawn.EVENT_ROWS, total=len(events)), className="small text-muted"
                )
                if len(events) > drawn.EVENT_ROWS
                else None,
            ]
        )
        parts.append(panel(t("events.list", lang, year=data.year), listed))
    if data.role != "rep" and data.team_totals is None:
        parts.append(html.Div(drawn.event_form(data.organisers, data.today, lang), className="mt-3"))
    return html.Div(parts, className="events-page")


@dash.callback(Output(drawn.EVENT_ACCOUNTS, "options"), Input(drawn.EVENT_ORGANISER, "value"))
def organiser_accounts(organiser: Any) -> list[dict[str, str]]:
    """The accounts of the organiser's team (inside the viewer's scope) that may be ticked as attending."""
    accounts = load_view(view.load_team_accounts, {"organiser": str(organiser or "")})
    return [{"label": f"{name} ({code})", "value": str(i)} for i, code, name in accounts]


@dash.callback(
    Output(drawn.EVENT_MESSAGE, "children"),
    Output("url", "search", allow_duplicate=True),
    Input(drawn.EVENT_CREATE, "n_clicks"),
    State(drawn.EVENT_NAME, "value"),
    State(drawn.EVENT_KIND, "value"),
    State(drawn.EVENT_DATE, "value"),
    State(drawn.EVENT_COST, "value"),
    State(drawn.EVENT_ORGANISER, "value"),
    State(drawn.EVENT_PARTNER, "value"),
    State(drawn.EVENT_ACCOUNTS, "value"),
    State("logout-csrf", "value"),
    prevent_initial_call=True,
)
def create_event(
    clicks: Any, name: Any, kind: Any, day: Any, cost: Any, organiser: Any, partner: Any, accounts: Any, csrf: Any
) -> tuple[Any, Any]:
    """Create the event (the server checks the organiser and every account against the viewer's scope) and open
    it."""
    if not clicks:
        raise PreventUpdate
    lang = current_lang()
    form = {
        "name": name,
        "kind": kind,
        "event_date": day,
        "cost": cost,
        "organiser_rep_id": organiser,
        "partner": partner,
        "account_ids": accounts or [],
    }
    outcome = writes.create_event(csrf, form)
    alert = drawn.write_message(outcome.ok, outcome.message(lang))
    if not outcome.ok:
        return alert, no_update
    year = str(day)[:4] if isinstance(day, str) and day[:4].isdigit() else str(current_day().year)
    return alert, "?" + urlencode({"year": year, "event": outcome.detail})


@dash.callback(
    Output(BODY, "children"),
    Input(drawn.EVENT_SAVE, "n_clicks"),
    State(drawn.EVENT_CODE, "data"),
    State(drawn.EVENT_TICKS, "value"),
    State(drawn.EVENT_ADD, "value"),
    State("logout-csrf", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def save_attendance(clicks: Any, code: Any, ticked: Any, added: Any, csrf: Any, search: Any) -> Any:
    """Save who attended (the server checks the event and every account against the viewer's scope) and draw the
    page again with the result on top."""
    if not clicks:
        raise PreventUpdate
    lang = current_lang()
    outcome = writes.set_attendance(csrf, code, ticked or [], added or [])
    page = render(load_view(view.load_events, query_of(search)), lang)
    return [drawn.write_message(outcome.ok, outcome.message(lang)), page]
