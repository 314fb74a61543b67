"""Drawing of sales staff management: "My week" (phone first: one column of cards, no table wider than the
screen), the team's week, the events and training tables.

Rows come from ``metrics.views.staff``; the forms' ids are the constants below (the page wires them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.formatting import cny, count, hours, pct, weekday
from components.i18n import code_name, t
from metrics.staff import week_key

# the week body the writes redraw, the message of the last write
WEEK_BODY = "week-body"
WEEK_MESSAGE = "week-message"
# next week's plan: the add form
PLAN_ACCOUNT, PLAN_DATE, PLAN_KIND, PLAN_PURPOSE, PLAN_ADD = (
    "plan-account",
    "plan-date",
    "plan-kind",
    "plan-purpose",
    "plan-add",
)
# the record form (a planned visit done, an unplanned one, or an own record edited)
RECORD_COLLAPSE, RECORD_OPEN, RECORD_CANCEL, RECORD_SAVE = (
    "record-collapse",
    "record-open",
    "record-cancel",
    "record-save",
)
RECORD_ACCOUNT, RECORD_DATE, RECORD_KIND, RECORD_CONTACT = (
    "record-account",
    "record-date",
    "record-kind",
    "record-contact",
)
RECORD_PURPOSE, RECORD_OUTCOME, RECORD_NEXT, RECORD_NEXT_DATE = (
    "record-purpose",
    "record-outcome",
    "record-next",
    "record-next-date",
)
RECORD_DEAL, RECORD_EDITING, RECORD_REP = "record-deal", "record-editing", "record-rep"
# a visit row's buttons (pattern-matching: {"type": ..., "id": visit id})
UP, DOWN, REMOVE, DONE, EDIT = "visit-up", "visit-down", "visit-remove", "visit-done", "visit-edit"
#: the most rows the events table and the training table draw (the figures above them count every row)
EVENT_ROWS = 200
TRAINING_ROWS = 100
TEAM_ROWS = 300
KINDS = ("visit", "call", "exec_visit", "vip_event", "dinner", "seminar")
EVENT_KINDS = ("dinner_6a2r", "vip_event", "exec_roundtable", "seminar", "service_month", "partner_event")
# the event form
EVENT_NAME, EVENT_KIND, EVENT_DATE, EVENT_COST, EVENT_ORGANISER = (
    "event-name",
    "event-kind",
    "event-date",
    "event-cost",
    "event-organiser",
)
# ticking who attended an event
EVENT_TICKS, EVENT_ADD, EVENT_SAVE, EVENT_CODE = "event-ticks", "event-add", "event-save", "event-code"
EVENT_ACCOUNTS, EVENT_PARTNER, EVENT_CREATE, EVENT_MESSAGE = (
    "event-accounts",
    "event-partner",
    "event-create",
    "event-message",
)


def href(query: dict[str, str], **changes: str | None) -> str:
    """``/visits`` with the address's parameters changed (None drops one)."""
    out = {k: v for k, v in query.items() if v}
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return "/visits" + ("?" + urlencode(out) if out else "")


def week_nav(monday: date, this_monday: date, query: dict[str, str], lang: str) -> html.Div:
    """Previous / this / next week, as links that keep the rest of the address."""

    links = [
        dcc.Link(t("week.prev", lang), href=href(query, week=week_key(monday - timedelta(days=7))), className="me-3"),
        dcc.Link(t("week.this", lang), href=href(query, week=None), className="me-3")
        if monday != this_monday
        else None,
        dcc.Link(t("week.next", lang), href=href(query, week=week_key(monday + timedelta(days=7)))),
    ]
    return html.Div([x for link in links if link is not None for x in (link, " ")], className="week-nav mb-3")


def write_message(ok: bool, text: str) -> dbc.Alert:
    """What a write answered: green (and gone after 4 s) when done, red until the next try when refused."""
    return dbc.Alert(text, color="success" if ok else "danger", duration=4000 if ok else None, className="py-2")


def colon(lang: str) -> str:
    """A label's colon: full width in Chinese, ": " in English."""
    return "：" if lang == "zh" else ": "


def stat(label: str, value: str, *, tone: str = "") -> html.Div:
    return html.Div(
        [html.Div(value, className=f"week-stat-value {tone}"), html.Div(label, className="week-stat-label")],
        className="week-stat",
    )


def week_stats(week: Any, lang: str, training: tuple[float, float] | None = None) -> html.Div:
    """The week's counts as a row of small figures (wrapping on a phone)."""
    rate = week.plan_done_rate
    parts = [
        stat(t("week.planned", lang), count(week.planned, lang)),
        stat(
            t("week.plan_done_rate", lang),
            pct(rate, lang, 0) if rate is not None else "—",
            tone="text-danger" if rate is not None and rate < 0.8 else "",
        ),
        stat(t("week.unplanned", lang), count(week.unplanned, lang)),
        stat(t("week.records_complete", lang), f"{week.records_complete}/{week.records}"),
    ]
    if training is not None:
        done, required = training
        parts.append(
            stat(
                t("week.training_hours", lang),
                f"{hours(done)}/{hours(required)}",
                tone="text-danger" if done < required else "",
            )
        )
    return html.Div(parts, className="week-stats mb-3")


def _buttons(row: dict[str, Any], lang: str, *, user_id: int | None, now_day: date, plan: bool) -> list[Any]:
    """A row's buttons: order (a plan), record (a planned visit of the past days), edit/remove (its author's
    rows of the last 7 days); none for a list only to read (``user_id`` None)."""
    vid = row["id"]
    out: list[Any] = []
    if user_id is None:
        return out
    if plan:
        out += [
            dbc.Button("↑", id={"type": UP, "id": vid}, size="sm", color="light", title=t("week.up", lang)),
            dbc.Button("↓", id={"type": DOWN, "id": vid}, size="sm", color="light", title=t("week.down", lang)),
        ]
    if (
        row["status"] == "planned"
        and not plan
        and not row.get("plan_met")
        and now_day - timedelta(days=7) <= row["visit_date"] <= now_day
    ):
        out.append(dbc.Button(t("week.record_done", lang), id={"type": DONE, "id": vid}, size="sm", color="primary"))
    created = row.get("created_at")
    own = row.get("created_by") == user_id and created is not None and (now_day - created.date()).days <= 7
    if own and row["status"] == "done":
        out.append(dbc.Button(t("week.edit", lang), id={"type": EDIT, "id": vid}, size="sm", color="light"))
    if own:
        out.append(
            dbc.Button("✕", id={"type": REMOVE, "id": vid}, size="sm", color="light", title=t("week.remove", lang))
        )
    return out


def visit_item(
    row: dict[str, Any], lang: str, *, user_id: int | None, now_day: date, plan: bool = False
) -> dbc.ListGroupItem:
    """One visit: day, account, kind, status; its purpose and outcome (a record missing one is marked)."""
    done = row["status"] == "done"
    if done:
        badge = dbc.Badge(t("visit.status.done", lang), color="success", className="ms-1")
    elif row.get("plan_met"):
        badge = dbc.Badge(t("week.plan_met", lang), color="success", className="ms-1 opacity-75")
    else:
        badge = dbc.Badge(t("visit.status.planned", lang), color="secondary", className="ms-1")
    lines: list[Any] = [
        html.Div(
            [
                html.Span(weekday(row["visit_date"], lang), className="week-day me-2"),
                dcc.Link(row["account"], href=f"/accounts/{row['account_code']}", className="fw-semibold"),
            ],
            className="week-item-head",
        ),
        html.Div([code_name("visit.kind", row["kind"], lang), badge], className="small text-muted"),
    ]
    if row.get("purpose"):
        lines.append(
            html.Div(
                [html.Span(t("week.purpose", lang) + colon(lang), className="text-muted"), row["purpose"]],
                className="small",
            )
        )
    if done:
        if row.get("outcome"):
            lines.append(
                html.Div(
                    [html.Span(t("week.outcome", lang) + colon(lang), className="text-muted"), row["outcome"]],
                    className="small",
                )
            )
        if not (row.get("purpose") or "").strip() or not (row.get("outcome") or "").strip():
            lines.append(dbc.Badge(t("week.missing", lang), color="warning", text_color="dark", className="mt-1"))
        if row.get("next_step"):
            lines.append(html.Div(t("week.next_step_line", lang, step=row["next_step"]), className="small"))
    buttons = _buttons(row, lang, user_id=user_id, now_day=now_day, plan=plan)
    body = [html.Div(lines, className="week-item-text")]
    if buttons:
        body.append(html.Div(buttons, className="week-item-buttons"))
    return dbc.ListGroupItem(body, className="week-item")


def visit_list(rows: Sequence[dict[str, Any]], empty: str, lang: str, **kwargs: Any) -> Any:
    if not rows:
        return html.Div(empty, className="text-muted small py-2")
    return dbc.ListGroup([visit_item(r, lang, **kwargs) for r in rows], flush=True)


def _select(component_id: str, options: list[dict[str, Any]], lang: str, value: Any = None) -> dbc.Select:
    return dbc.Select(id=component_id, options=options, value=value, placeholder=t("week.pick", lang))


def _field(label: str, control: Any) -> html.Div:
    return html.Div([dbc.Label(label, className="small mb-1"), control], className="mb-2")


def kind_options(lang: str, kinds: Sequence[str] = KINDS, family: str = "visit.kind") -> list[dict[str, str]]:
    return [{"label": code_name(family, k, lang), "value": k} for k in kinds]


def account_options(accounts: Sequence[tuple[int, str, str]]) -> list[dict[str, Any]]:
    return [{"label": name, "value": str(i)} for i, _code, name in accounts]


def plan_form(accounts: Sequence[tuple[int, str, str]], monday: date, lang: str) -> html.Div:
    """Add a visit to next week's plan: an own account, a day of that week, a kind, a purpose."""
    days = [
        {"label": weekday(monday + timedelta(days=i), lang), "value": (monday + timedelta(days=i)).isoformat()}
        for i in range(7)
    ]
    return html.Div(
        [
            _field(t("week.account", lang), _select(PLAN_ACCOUNT, account_options(accounts), lang)),
            dbc.Row(
                [
                    dbc.Col(_field(t("week.date", lang), _select(PLAN_DATE, days, lang, days[0]["value"])), width=6),
                    dbc.Col(
                        _field(t("week.kind", lang), _select(PLAN_KIND, kind_options(lang), lang, "visit")), width=6
                    ),
                ],
                className="g-2",
            ),
            _field(t("week.purpose", lang), dbc.Input(id=PLAN_PURPOSE, maxLength=2000, type="text")),
            dbc.Button(t("week.add", lang), id=PLAN_ADD, color="primary", className="w-100"),
        ],
        className="week-form mt-3",
    )


def record_form(accounts: Sequence[tuple[int, str, str]], today: date, lang: str) -> html.Div:
    """The record of a visit (拜访客户详细资料表): account, day, kind, contact, purpose, outcome, next step and its
    date, the deal it served; opened by "Record" on a planned visit, by "+ Record an unplanned visit", or by
    "Edit" on an own record."""
    days = [today - timedelta(days=i) for i in range(8)]
    day_options = [{"label": weekday(d, lang), "value": d.isoformat()} for d in days]
    return html.Div(
        [
            dbc.Button(t("week.record_unplanned", lang), id=RECORD_OPEN, color="link", className="px-0"),
            dbc.Collapse(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(t("week.record", lang), className="panel-title mb-2"),
                            _field(t("week.account", lang), _select(RECORD_ACCOUNT, account_options(accounts), lang)),
                            dbc.Row(
                                [
                                    dbc.Col(
                                        _field(
                                            t("week.date", lang),
                                            _select(RECORD_DATE, day_options, lang, today.isoformat()),
                                        ),
                                        width=6,
                                    ),
                                    dbc.Col(
                                        _field(
                                            t("week.kind", lang),
                                            _select(RECORD_KIND, kind_options(lang), lang, "visit"),
                                        ),
                                        width=6,
                                    ),
                                ],
                                className="g-2",
                            ),
                            _field(t("week.contact", lang), _select(RECORD_CONTACT, [], lang)),
                            _field(t("week.purpose", lang), dbc.Textarea(id=RECORD_PURPOSE, maxLength=2000, rows=2)),
                            _field(t("week.outcome", lang), dbc.Textarea(id=RECORD_OUTCOME, maxLength=2000, rows=2)),
                            _field(t("week.next_step", lang), dbc.Input(id=RECORD_NEXT, maxLength=2000, type="text")),
                            _field(t("week.next_step_date", lang), dbc.Input(id=RECORD_NEXT_DATE, type="date")),
                            _field(t("week.deal", lang), _select(RECORD_DEAL, [], lang)),
                            html.Div(t("week.form_hint", lang), className="small text-muted mb-2"),
                            html.Div(
                                [
                                    dbc.Button(t("week.save", lang), id=RECORD_SAVE, color="primary", className="me-2"),
                                    dbc.Button(t("week.cancel", lang), id=RECORD_CANCEL, color="light"),
                                ]
                            ),
                            dcc.Store(id=RECORD_EDITING),
                        ]
                    ),
                    className="mt-2",
                ),
                id=RECORD_COLLAPSE,
                is_open=False,
            ),
        ]
    )


def own_week(own: Any, monday: date, today: date, user_id: int, lang: str) -> html.Div:
    """This week's visits (plan and records) and next week's plan with its order, for one rep."""
    kwargs = {"user_id": user_id, "now_day": today}
    next_week = week_key(monday + timedelta(days=7))
    return html.Div(
        [
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(t("week.this_week", lang), className="panel-title mb-2"),
                        visit_list(own.this_week, t("week.nothing_this_week", lang), lang, **kwargs),
                    ]
                ),
                className="panel-card mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(t("week.next_plan", lang) + f" · {next_week}", className="panel-title mb-2"),
                        visit_list(own.next_week, t("week.nothing_planned", lang), lang, plan=True, **kwargs),
                    ]
                ),
                className="panel-card mb-3",
            ),
        ]
    )


def _link_cell(text: str, target: str) -> html.Td:
    return html.Td(dcc.Link(text, href=target))


def team_table(lines: Sequence[Any], by: str, query: dict[str, str], totals: Any, lang: str) -> html.Div:
    """Plan against done per rep (a director: per team), weakest plan first; a rep opens their week, a team its
    reps. Five narrow columns: it fits a phone."""
    head = html.Tr(
        [
            html.Th(t("week.rep" if by == "rep" else "week.team", lang)),
            html.Th(t("week.planned", lang), className="text-end"),
            html.Th(t("week.plan_done_rate", lang), className="text-end"),
            html.Th(t("week.unplanned", lang), className="text-end"),
            html.Th(t("week.incomplete", lang), className="text-end"),
        ]
    )

    def row(name: Any, w: Any, *, strong: bool = False) -> html.Tr:
        rate = w.plan_done_rate
        cells = [
            html.Td(count(w.planned, lang), className="text-end"),
            html.Td(
                pct(rate, lang, 0) if rate is not None else "—",
                className="text-end" + (" text-danger" if rate is not None and rate < 0.8 else ""),
            ),
            html.Td(count(w.unplanned, lang), className="text-end"),
            html.Td(count(w.records_incomplete, lang), className="text-end"),
        ]
        return html.Tr([name, *cells], className="fw-semibold" if strong else None)

    rows = [
        row(
            _link_cell(
                line.name,
                href(query, rep=line.key, team=query.get("team"))
                if by == "rep"
                else href(query, team=line.key, rep=None),
            ),
            line.week,
        )
        for line in lines
    ]
    rows.append(row(html.Td(t("week.total", lang)), totals, strong=True))
    return html.Div(dbc.Table([html.Thead(head), html.Tbody(rows)], size="sm", hover=True, className="week-table mb-0"))


def by_class(frame: Any, lang: str) -> html.Div:
    """Done visits by the account's class: R, D, A, unknown, each a count."""
    counts = {str(r["rad_class"]): int(r["visits"]) for _, r in frame.iterrows()} if frame is not None else {}
    return html.Div(
        [
            html.Div(
                [stat(t(f"rad.class.{c}", lang), count(counts.get(c, 0), lang)) for c in ("D", "R", "A", "none")],
                className="week-stats",
            ),
            html.Div(t("week.by_class_hint", lang), className="small text-muted"),
        ]
    )


def records_list(rows: Sequence[dict[str, Any]], lang: str) -> Any:
    """Records of the team's week (a rep's, or those missing purpose or outcome), read-only."""
    return visit_list(rows, t("week.nothing_this_week", lang), lang, user_id=None, now_day=date.min)  # no buttons


def training_table(reps: Sequence[Any], required: float, year: int, lang: str) -> html.Div:
    """Training hours of the year per rep, fewest first (at most ``TRAINING_ROWS``); those under the requirement
    in red."""
    under = sum(1 for r in reps if r.under_requirement)
    shown = list(reps)[:TRAINING_ROWS]
    head = html.Tr(
        [
            html.Th(t("week.rep", lang)),
            html.Th(t("week.hours", lang), className="text-end"),
            html.Th("", className="text-end"),
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(r.name),
                html.Td(
                    f"{hours(r.hours)} / {hours(required)}",
                    className="text-end" + (" text-danger" if r.under_requirement else ""),
                ),
                html.Td(t("week.under", lang) if r.under_requirement else "✓", className="text-end small"),
            ]
        )
        for r in shown
    ]
    more = (
        []
        if len(shown) == len(reps)
        else [html.Div(t("week.first_rows", lang, n=len(shown), total=len(reps)), className="small text-muted")]
    )
    return html.Div(
        [
            html.Div(t("week.training_under", lang, n=under, required=hours(required)), className="small mb-2"),
            *more,
            html.Div(
                dbc.Table([html.Thead(head), html.Tbody(rows)], size="sm", className="week-table mb-0"),
                className="week-scroll",
            ),
        ]
    )


# --- events ---------------------------------------------------------------------------------------------------


def missing_text(missing: dict[str, int], lang: str) -> str:
    what = " ".join(f"{n}{c}" for c, n in sorted(missing.items()))
    return t("events.lacks", lang, what=what)


def event_row(e: Any, year: int, lang: str) -> html.Tr:
    check = e.check_6a2r
    check_cell = (
        html.Td("")
        if check is None
        else html.Td(
            dbc.Badge(t("events.holds", lang), color="success")
            if check
            else dbc.Badge(missing_text(e.missing, lang), color="danger")
        )
    )
    reach = " · ".join(f"{c if c != 'unknown' else '?'} {n}" for c, n in e.by_class.items() if n)
    return html.Tr(
        [
            html.Td(
                [
                    dcc.Link(e.event.name, href=f"/events?{urlencode({'year': year, 'event': e.event.event_code})}"),
                    html.Div(
                        f"{weekday(e.event.event_date, lang)} · {code_name('event.kind', e.event.kind, lang)}"
                        f" · {e.event.organiser}",
                        className="small text-muted",
                    ),
                ]
            ),
            html.Td(
                [html.Div(count(e.accounts, lang)), html.Div(reach, className="small text-muted")],
                className="text-end d-none d-sm-table-cell",
            ),
            check_cell,
            html.Td(
                [
                    html.Div(cny(e.event.cost, lang)),
                    html.Div(cny(e.cost_per_account, lang) if e.accounts else "—", className="small text-muted"),
                ],
                className="text-end",
            ),
            html.Td(
                [
                    html.Div(cny(e.pipeline_after_amount, lang)),
                    html.Div(count(e.pipeline_after_count, lang), className="small text-muted"),
                ],
                className="text-end",
            ),
        ]
    )


def events_table(events: Sequence[Any], year: int, lang: str) -> html.Div:
    head = html.Tr(
        [
            html.Th(t("events.name", lang)),
            html.Th(t("events.accounts", lang), className="text-end d-none d-sm-table-cell"),
            html.Th(t("events.check", lang)),
            html.Th(
                [t("events.cost", lang), html.Div(t("events.cost_per_account", lang), className="small text-muted")],
                className="text-end",
            ),
            html.Th(
                [
                    t("events.pipeline_after", lang),
                    html.Div(t("events.deals_after", lang), className="small text-muted"),
                ],
                className="text-end",
            ),
        ]
    )
    ordered = sorted(events, key=lambda e: (e.event.event_date, e.event.event_code), reverse=True)[:EVENT_ROWS]
    return html.Div(
        dbc.Table(
            [html.Thead(head), html.Tbody([event_row(e, year, lang) for e in ordered])],
            size="sm",
            hover=True,
            className="week-table mb-0",
        ),
        className="week-scroll",
    )


def kinds_table(frame: Any, lang: str) -> html.Div:
    head = html.Tr(
        [
            html.Th(t("events.kind", lang)),
            html.Th(t("events.count", lang), className="text-end"),
            html.Th(t("events.cost", lang), className="text-end"),
            html.Th(t("events.accounts", lang), className="text-end d-none d-sm-table-cell"),
            html.Th(t("events.pipeline_after", lang), className="text-end"),
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(code_name("event.kind", r["kind"], lang)),
                html.Td(count(int(r["events"]), lang), className="text-end"),
                html.Td(cny(float(r["cost"]), lang), className="text-end"),
                html.Td(count(int(r["accounts"]), lang), className="text-end d-none d-sm-table-cell"),
                html.Td(cny(float(r["pipeline"]), lang), className="text-end"),
            ]
        )
        for _, r in frame.iterrows()
    ]
    return html.Div(
        dbc.Table([html.Thead(head), html.Tbody(rows)], size="sm", className="week-table mb-0"), className="week-scroll"
    )


def attendees_list(name: str, rows: Sequence[dict[str, Any]], lang: str) -> dbc.Card:
    items = [
        dbc.ListGroupItem(
            [
                dcc.Link(r["account"], href=f"/accounts/{r['account_code']}"),
                html.Span(f" · {t('rad.class.' + str(r['rad_class']), lang)}", className="small text-muted"),
                html.Span(f" · {r['contact_name']}" if r.get("contact_name") else "", className="small text-muted"),
                dbc.Badge(
                    t("events.attended", lang) if r["attended"] else t("events.absent", lang),
                    color="success" if r["attended"] else "secondary",
                    className="ms-2",
                ),
            ]
        )
        for r in rows
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(t("events.attendees", lang, name=name), className="panel-title mb-2"),
                dbc.ListGroup(items, flush=True),
            ]
        ),
        className="panel-card mb-3 scroll-here",
    )


def event_form(organisers: Sequence[tuple[int, str, str]], today: date, lang: str) -> dbc.Card:
    """A manager's new event: name, kind, day, cost, organiser, partner, and the accounts that attended (the
    organiser's team's accounts, listed once an organiser is chosen)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(t("events.create", lang), className="panel-title mb-2"),
                _field(t("events.name", lang), dbc.Input(id=EVENT_NAME, maxLength=200, type="text")),
                dbc.Row(
                    [
                        dbc.Col(
                            _field(
                                t("events.kind", lang),
                                _select(EVENT_KIND, kind_options(lang, EVENT_KINDS, "event.kind"), lang, "dinner_6a2r"),
                            ),
                            md=6,
                        ),
                        dbc.Col(
                            _field(
                                t("events.date", lang), dbc.Input(id=EVENT_DATE, type="date", value=today.isoformat())
                            ),
                            md=6,
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            _field(t("events.cost", lang), dbc.Input(id=EVENT_COST, type="number", min=0, step=100)),
                            md=6,
                        ),
                        dbc.Col(
                            _field(
                                t("events.organiser", lang),
                                _select(
                                    EVENT_ORGANISER,
                                    [{"label": f"{n} ({c})", "value": str(i)} for i, c, n in organisers],
                                    lang,
                                ),
                            ),
                            md=6,
                        ),
                    ],
                    className="g-2",
                ),
                _field(t("events.partner", lang), dbc.Input(id=EVENT_PARTNER, maxLength=200, type="text")),
                _field(
                    t("events.accounts_pick", lang),
                    dcc.Dropdown(id=EVENT_ACCOUNTS, options=[], multi=True, placeholder=t("week.pick", lang)),
                ),
                dbc.Button(t("events.create_button", lang), id=EVENT_CREATE, color="primary"),
                html.Div(id=EVENT_MESSAGE, className="mt-2"),
            ]
        ),
        className="panel-card mb-3",
    )


def attendance_form(
    event: Any, rows: Sequence[dict[str, Any]], team_accounts: Sequence[tuple[int, str, str]], lang: str
) -> dbc.Card:
    """A manager ticks who of the invited accounts attended, and adds accounts of the organiser's team."""
    invited = {int(r["account_id"]) for r in rows}
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(t("events.tick", lang, name=event.name), className="panel-title mb-2"),
                dcc.Checklist(
                    id=EVENT_TICKS,
                    options=[{"label": " " + str(r["account"]), "value": int(r["account_id"])} for r in rows],
                    value=[int(r["account_id"]) for r in rows if r["attended"]],
                    labelClassName="d-block",
                ),
                _field(
                    t("events.add_accounts", lang),
                    dcc.Dropdown(
                        id=EVENT_ADD,
                        options=[{"label": f"{n} ({c})", "value": i} for i, c, n in team_accounts if i not in invited],
                        multi=True,
                        placeholder=t("week.pick", lang),
                    ),
                ),
                dcc.Store(id=EVENT_CODE, data=event.event_code),
                dbc.Button(t("events.save", lang), id=EVENT_SAVE, color="primary"),
            ]
        ),
        className="panel-card mb-3",
    )


def team_events_table(rows: Sequence[dict[str, Any]], year: int, lang: str) -> html.Div:
    """A director's year per team: events, cost, accounts reached, 6A+2R dinners holding their mix; a team opens
    its events (with the pipeline after them)."""
    head = html.Tr(
        [
            html.Th(t("week.team", lang)),
            html.Th(t("events.count", lang), className="text-end"),
            html.Th(t("events.cost", lang), className="text-end"),
            html.Th(t("events.accounts", lang), className="text-end d-none d-sm-table-cell"),
            html.Th(t("events.check", lang), className="text-end"),
        ]
    )
    body = [
        html.Tr(
            [
                html.Td(
                    t("overview.no_team", lang)  # organisers without a team: no team's page to open
                    if r["team_id"] is None
                    else dcc.Link(r["team"] or "—", href="/events?" + urlencode({"year": year, "team": r["team_id"]}))
                ),
                html.Td(count(int(r["events"]), lang), className="text-end"),
                html.Td(cny(float(r["cost"]), lang), className="text-end"),
                html.Td(count(int(r["accounts"]), lang), className="text-end d-none d-sm-table-cell"),
                html.Td(
                    f"{r['dinners_held']}/{r['dinners']}",
                    className="text-end" + (" text-danger" if r["dinners_held"] < r["dinners"] else ""),
                ),
            ]
        )
        for r in rows[:TEAM_ROWS]
    ]
    more = (
        html.Div(t("week.first_rows", lang, n=TEAM_ROWS, total=len(rows)), className="small text-muted")
        if len(rows) > TEAM_ROWS
        else None
    )
    table = dbc.Table([html.Thead(head), html.Tbody(body)], size="sm", hover=True, className="week-table mb-0")
    return html.Div([html.Div(table, className="week-scroll"), more])
