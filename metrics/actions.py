"""Next best actions (the domain brief's RAD playbook as a to-do list; data dictionary, "Next best actions"): the
rules' windows, an action's reason, and the counts per kind. Pure; the rules themselves are SQL
(``data_access.queries.actions``), one statement each, for the viewer's scope.

An action disappears when the data says it is done: a done visit recorded, a BP imported, a payment collected, a
stage entered, next week planned. There is no checkbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from metrics.period import Period
from metrics.staff import monday_of, week_key

#: the rules, in the order a to-do list shows them (the seed's playbook first, then deals, cash and planning)
KINDS = ("director_top10_d", "exec_touch_r", "visit_d", "learn_bp", "stalled_deal", "collect_overdue", "plan_next_week")
#: a class-D account needs a done visit at least this often
VISIT_D_DAYS = 30
#: an open deal whose last stage entry is older than this many days is stalled
STALLED_DAYS = 30
#: how many D accounts the director handles personally
TOP_D = 10
#: what counts as an executive touch of an R account: visits of these kinds, attended events of these kinds
EXEC_VISIT_KINDS = ("exec_visit", "vip_event")
EXEC_EVENT_KINDS = ("vip_event", "exec_roundtable")


@dataclass(frozen=True)
class Windows:
    """The days the rules compare with, all from ``today``."""

    today: date

    @property
    def visited_since(self) -> date:
        """A done visit on or after this day (and not after today) keeps a D account off the list."""
        return self.today - timedelta(days=VISIT_D_DAYS)

    @property
    def stalled_before(self) -> date:
        """A last stage entry before this day is more than ``STALLED_DAYS`` days old."""
        return self.today - timedelta(days=STALLED_DAYS)

    @property
    def quarter(self) -> Period:
        return Period.current_quarter(self.today)

    @property
    def next_week(self) -> tuple[date, date]:
        """Monday and Sunday of the ISO week after the one holding today."""
        monday = monday_of(self.today) + timedelta(days=7)
        return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class Action:
    """One line of a to-do list: what (``kind``), whose (``rep_code``), about which account or deal (None where
    it does not apply), and the facts of its reason: ``day`` (the last visit, the last stage entry, the oldest
    overdue payment's due date, next week's Monday), ``amount`` (white space, overdue or deal amount), ``n`` (the
    TOP D rank, the deal's level, the overdue payments, the latest year with a BP)."""

    kind: str
    rep_code: str
    rep_name: str
    team_id: int | None
    account_code: str | None = None
    account_name: str | None = None
    opp_code: str | None = None
    opp_name: str | None = None
    day: date | None = None
    amount: float | None = None
    n: int | None = None

    def days_since(self, today: date) -> int | None:
        return (today - self.day).days if self.day is not None else None


def action_of(row: dict[str, Any]) -> Action:
    """A row of ``queries.actions.action_rows`` as an ``Action``."""
    day = row.get("day")
    return Action(
        kind=str(row["kind"]),
        rep_code=str(row["rep_code"]),
        rep_name=str(row["rep_name"]),
        team_id=None if row.get("team_id") is None else int(row["team_id"]),
        account_code=row.get("account_code"),
        account_name=row.get("account_name"),
        opp_code=row.get("opp_code"),
        opp_name=row.get("opp_name"),
        day=day if isinstance(day, date) else None,
        amount=None if row.get("amount") is None else float(row["amount"]),
        n=None if row.get("n") is None else int(row["n"]),
    )


def reason(action: Action, today: date) -> str:
    """Why the action is on the list, in one English line (the API's ``reason``; the pages say it in the UI's
    language from the same facts)."""
    w = Windows(today)
    days = action.days_since(today)
    amount = f"CNY {action.amount:,.2f}" if action.amount is not None else None
    if action.kind == "visit_d":
        last = f"last done visit {action.day} ({days} days ago)" if action.day else "no done visit on record"
        return f"class D account: {last}; visit at least every {VISIT_D_DAYS} days"
    if action.kind == "learn_bp":
        known = f"; latest BP known for {action.n}" if action.n else ""
        return f"no BP for {today.year}: learn the account's real buying power by phone{known}"
    if action.kind == "exec_touch_r":
        return f"class R account without an executive visit, VIP event or round table in {w.quarter.key}"
    if action.kind == "director_top10_d":
        return f"TOP {TOP_D} D account (#{action.n} by white space {amount}): no director visit in {w.quarter.key}"
    if action.kind == "stalled_deal":
        return f"open at level {action.n} since {action.day} ({days} days without a stage change)"
    if action.kind == "collect_overdue":
        return f"{action.n} payment(s) overdue, {amount} in all, the oldest due {action.day} ({days} days late)"
    if action.kind == "plan_next_week":
        return f"no visit planned for {week_key(w.next_week[0])}"
    raise ValueError(f"unknown action kind {action.kind!r}")


def by_kind(actions: list[Action]) -> dict[str, list[Action]]:
    """The actions grouped by kind, in ``KINDS`` order, kinds without actions left out."""
    return {k: rows for k in KINDS if (rows := [a for a in actions if a.kind == k])}
