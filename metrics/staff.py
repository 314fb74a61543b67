"""Sales staff management (销售人员管理): the weekly plan and its visit records, customer events, training.

Pure functions over rows the queries return; each definition is the data dictionary's ("Definitions added for
staff management and sales support"), named in the docstring.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

#: an ISO week as an address or the API writes it: 2026-W49
WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$")  # ASCII digits only: "２０２６" is no year here
#: the 6A+2R dinner's mix: at least 6 accounts of class A and 2 of class R attended
MIX_6A2R = {"A": 6, "R": 2}
#: an opportunity counts for an event when created this many days after it (the event day included)
PIPELINE_WINDOW_DAYS = 90
CLASSES = ("R", "A", "D", "unknown")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_key(day: date) -> str:
    """The ISO week holding ``day``: ``2026-W49``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> date:
    """The Monday of an ISO week written ``YYYY-Www``; ValueError for anything else (W53 only in years that have
    one)."""
    m = WEEK.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"week {str(text)[:20]!r} is not an ISO week like 2026-W49")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{year} has no week {week}") from exc
    return monday


@dataclass(frozen=True)
class WeekVisit:
    """One visit row of a week, as the plan and the records count it."""

    rep_id: int
    account_id: int
    status: str
    purpose: str | None = None
    outcome: str | None = None


@dataclass
class RepWeek:
    """A rep's week: the plan (每周工作计划表) and the records (拜访客户详细资料表)."""

    planned: int = 0
    planned_done: int = 0
    unplanned: int = 0
    records: int = 0
    records_complete: int = 0

    @property
    def plan_done_rate(self) -> float | None:
        """Plan done = planned visits with a done visit by the same rep at the same account in the week / planned
        visits of the week; None when nothing was planned."""
        return self.planned_done / self.planned if self.planned else None

    @property
    def records_incomplete(self) -> int:
        return self.records - self.records_complete


#: what a text may hold and still be empty: spaces (ASCII, ideographic, no-break, en, em, thin, zero-width: text
#: pasted from a chat or a web page brings them), tabs, line and page breaks
BLANKS = " \t\n\r\x0b\x0c\u3000\u00a0\u2002\u2003\u2009\u200b"


def filled(text: str | None) -> bool:
    return bool(text and text.strip(BLANKS))


def complete(purpose: str | None, outcome: str | None) -> bool:
    """A visit record is complete when its purpose and its outcome are filled."""
    return filled(purpose) and filled(outcome)


def rep_weeks(visits: Iterable[WeekVisit]) -> dict[int, RepWeek]:
    """Per rep, the week's counts (data dictionary "Weekly plan"): ``visits`` are the rows dated in one ISO week.

    planned: rows with status planned; planned_done: those whose rep has a done row at the same account in the
    week; unplanned: done rows at an account the rep had not planned that week; records: done rows;
    records_complete: done rows with purpose and outcome.
    """
    rows = list(visits)
    done_at = {(v.rep_id, v.account_id) for v in rows if v.status == "done"}
    planned_at = {(v.rep_id, v.account_id) for v in rows if v.status == "planned"}
    out: dict[int, RepWeek] = defaultdict(RepWeek)
    for v in rows:
        week = out[v.rep_id]
        if v.status == "planned":
            week.planned += 1
            week.planned_done += (v.rep_id, v.account_id) in done_at
        else:
            week.records += 1
            week.records_complete += complete(v.purpose, v.outcome)
            week.unplanned += (v.rep_id, v.account_id) not in planned_at
    return dict(out)


def total(weeks: Iterable[RepWeek]) -> RepWeek:
    out = RepWeek()
    for w in weeks:
        out.planned += w.planned
        out.planned_done += w.planned_done
        out.unplanned += w.unplanned
        out.records += w.records
        out.records_complete += w.records_complete
    return out


# --- customer events (客户推广) -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    event_id: int
    event_code: str
    name: str
    kind: str
    event_date: date
    organiser: str
    cost: float
    organiser_id: int | None = None


@dataclass(frozen=True)
class Attendance:
    event_id: int
    account_id: int
    attended: bool
    #: the account's RAD class in the event's year: R, A, D or None (SOW unknown)
    rad_class: str | None


@dataclass(frozen=True)
class NewDeal:
    opp_id: int
    account_id: int
    created_date: date
    amount: float
    #: open or won (lost deals never count)
    status: str


@dataclass
class EventSummary:
    event: EventRow
    accounts: int = 0
    by_class: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))
    pipeline_after_amount: float = 0.0
    pipeline_after_count: int = 0

    @property
    def check_6a2r(self) -> bool | None:
        """The 6A+2R check: a ``dinner_6a2r`` holds when its attended accounts include at least 6 of class A and
        2 of class R; None for any other kind."""
        return None if self.event.kind != "dinner_6a2r" else not self.missing

    @property
    def missing(self) -> dict[str, int]:
        """What a 6A+2R dinner lacks, ``{"A": 2}``; ``{}`` when it holds or the event is of another kind."""
        if self.event.kind != "dinner_6a2r":
            return {}
        return {c: need - self.by_class[c] for c, need in MIX_6A2R.items() if self.by_class[c] < need}

    @property
    def cost_per_account(self) -> float | None:
        """Event cost / attended accounts; None when nobody came."""
        return self.event.cost / self.accounts if self.accounts else None


def event_summaries(
    events: Iterable[EventRow], attendance: Iterable[Attendance], deals: Iterable[NewDeal]
) -> list[EventSummary]:
    """Each event's reach by class, 6A+2R check, cost per account and pipeline after it (data dictionary "Event
    reach", "6A+2R check", "Cost per account", "Pipeline after events").

    Pipeline after events: open or won deals created at an attended account from the event day to 90 days after
    it, each deal counted once, for the earliest such event (ties: the smaller event code). Pass the events that
    may claim a deal (those of the 90 days before the period too), then keep the period's.
    """
    summaries = {e.event_id: EventSummary(e) for e in sorted(events, key=lambda e: (e.event_date, e.event_code))}
    events_at: dict[int, list[EventSummary]] = defaultdict(list)
    for a in attendance:
        s = summaries.get(a.event_id)
        if s is None or not a.attended:
            continue
        s.accounts += 1
        s.by_class[a.rad_class if a.rad_class in ("R", "A", "D") else "unknown"] += 1
        events_at[a.account_id].append(s)
    window = timedelta(days=PIPELINE_WINDOW_DAYS)
    for d in deals:
        if d.status not in ("open", "won"):
            continue
        claims = [s for s in events_at.get(d.account_id, []) if s.event.event_date <= d.created_date]
        claims = [s for s in claims if d.created_date <= s.event.event_date + window]
        if claims:
            first = min(claims, key=lambda s: (s.event.event_date, s.event.event_code))
            first.pipeline_after_amount += d.amount
            first.pipeline_after_count += 1
    return list(summaries.values())


# --- training (培训) ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepTraining:
    rep_id: int
    rep_code: str
    name: str
    hours: float
    required: float

    @property
    def under_requirement(self) -> bool:
        """Training hours of the year (sum of ``hours``) below the yearly requirement."""
        return self.hours < self.required


def training_table(
    reps: Iterable[tuple[int, str, str]], hours: Mapping[int, float], required: float
) -> list[RepTraining]:
    """Every rep of ``reps`` (id, code, name) with their hours of the year (0 when none), fewest hours first."""
    rows = [RepTraining(i, code, name, float(hours.get(i, 0.0)), required) for i, code, name in reps]
    return sorted(rows, key=lambda r: (r.hours, r.rep_code))
