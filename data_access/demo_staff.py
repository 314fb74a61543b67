"""The demo's staff management (issue 19): weekly visit plans and records, customer events with their
attendees, training. Functions of the demo's generator (``data_access.demo._Generator``), which holds the
reps, accounts, bookings and BP they read, and the writer they add rows with."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from data_access.demo_names import BRANDS, COURSES, EVENT_COST, EVENT_MIX, EVENT_NAMES, OUTCOMES, PURPOSES
from data_access.models import Event, EventAttendee, Training, Visit
from metrics.rad import rad_class, share_of_wallet
from metrics.settings import DEFAULT_RAD_THRESHOLDS

if TYPE_CHECKING:
    from data_access.demo import _Generator


def _sample(rng: random.Random, pool: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    return rng.sample(pool, min(k, len(pool)))


def visits(g: _Generator) -> None:
    """Weekly plans and visit records (每周工作计划表, 拜访客户详细资料表), week by week for every rep.

    Each week a rep plans some visits (at least four a week in the last eight weeks and the next one,
    where plans are read), about 80% of them get a done record at the same account that week, and a
    fifth as many unplanned visits are recorded; records mostly carry purpose and outcome. Older weeks
    are as thin as the budget of 2.5 visits per deal allows.
    """
    rng, as_of = g.rng, g.as_of
    accounts_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in g.accounts:
        accounts_of[a["owner_rep_id"]].append(a)
    first_monday = g.start - timedelta(days=g.start.weekday())
    this_monday = as_of - timedelta(days=as_of.weekday())
    next_monday = this_monday + timedelta(days=7)
    weeks = (next_monday - first_monday).days // 7 + 1
    per_week = round(g.n_opps * 2.5) / max(len(g.reps), 1) / weeks / 2.05  # planned a week, history
    recent = this_monday - timedelta(days=7 * 8)
    kinds = {
        "R": ("exec_visit", "vip_event", "visit", "call"),
        "D": ("visit", "visit", "visit", "call", "seminar"),
        "A": ("call", "dinner", "seminar", "visit"),
    }
    for r in g.reps:
        own = accounts_of[r["id"]]
        if not own:
            continue
        weights = [{"R": 2.0, "D": 3.0, "A": 1.0}[a["_class"]] for a in own]
        plans_next_week = rng.random() < 0.85  # the others get "plan next week" as an action
        for w in range(weeks):
            monday = first_monday + timedelta(days=7 * w)
            if monday == next_monday and not plans_next_week:
                continue
            want = max(per_week, 4.0) if monday >= recent else per_week
            n_planned = int(want) + (1 if rng.random() < want - int(want) else 0)
            seen: set[tuple[int, date, str, str]] = set()
            for position, a in enumerate(rng.choices(own, weights=weights, k=n_planned), start=1):
                day = monday + timedelta(days=rng.randrange(5))
                kind = rng.choice(kinds[a["_class"]])
                _visit(g, seen, r, a, day, kind, "planned", position)
                done_day = day + timedelta(days=rng.choice((0, 0, 0, 1, -1)))
                if monday <= done_day < monday + timedelta(days=5) and done_day <= as_of and rng.random() < 0.8:
                    _visit(g, seen, r, a, done_day, kind, "done", None)
            for a in rng.choices(own, weights=weights, k=int(n_planned * 0.25 + rng.random())):
                day = monday + timedelta(days=rng.randrange(5))
                if day <= as_of:
                    _visit(g, seen, r, a, day, rng.choice(kinds[a["_class"]]), "done", None)
        g.w.maybe_flush()


def _visit(
    g: _Generator,
    seen: set[tuple[int, date, str, str]],
    rep: dict[str, Any],
    account: dict[str, Any],
    day: date,
    kind: str,
    status: str,
    position: int | None,
) -> None:
    """One visit row, unless the week already holds one with the visits sheet's key."""
    if (account["id"], day, kind, status) in seen:
        return
    seen.add((account["id"], day, kind, status))
    rng = g.rng
    done = status == "done"
    contacts: list[str | None] = [*g.contacts_of.get(account["id"], [])] or [None]
    opps = g.opps_by_account.get(account["id"])
    g.w.add(
        Visit,
        dict(
            rep_id=rep["id"],
            account_id=account["id"],
            visit_date=day,
            kind=kind,
            status=status,
            contact_name=rng.choice(contacts) if done else None,
            purpose=rng.choice(PURPOSES) if rng.random() < (0.92 if done else 0.7) else None,
            outcome=rng.choice(OUTCOMES) if done and rng.random() < 0.85 else None,
            opportunity_id=rng.choice(opps) if opps and rng.random() < 0.3 else None,
            position=position,
        ),
    )


def events(g: _Generator) -> None:
    """About one customer event per team per month (客户推广); 6A+2R dinners that sometimes miss their mix."""
    rng, as_of = g.rng, g.as_of
    r_min, a_max = DEFAULT_RAD_THRESHOLDS["r_min"], DEFAULT_RAD_THRESHOLDS["a_max"]

    def class_in(a: dict[str, Any], year: int) -> str:
        """The account's RAD class in ``year`` as the app will compute it (SOW by the default thresholds)."""
        if a["rad_override"]:
            return str(a["rad_override"])
        sow = share_of_wallet(g.bookings.get((a["id"], year), 0.0), g.bp_of.get((a["id"], year)))
        return rad_class(sow, r_min, a_max) or "none"

    team_reps: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rep_team = {r["id"]: r["team_id"] for r in g.reps}
    for r in g.reps:
        team_reps[r["team_id"]].append(r)
    by_year: dict[int, dict[int, dict[str, list[dict[str, Any]]]]] = {
        y: defaultdict(lambda: defaultdict(list)) for y in g.years
    }
    for a in g.accounts:
        for y in g.years:
            by_year[y][rep_team[a["owner_rep_id"]]][class_in(a, y)].append(a)
    kinds, weights = zip(*EVENT_MIX, strict=True)
    event_id = 0
    for team_id, reps in sorted(team_reps.items()):
        month = date(g.start.year, g.start.month, 1)
        while month <= as_of:
            by_class = by_year[month.year][team_id]
            if rng.random() < 0.9:
                kind = rng.choices(kinds, weights=weights)[0]
                day = month + timedelta(days=rng.randrange(27))
                if day <= as_of:
                    event_id += 1
                    if kind == "dinner_6a2r":
                        # most hold the mix; some lack an A or the two R references
                        n_a = 6 if rng.random() < 0.75 else rng.randint(3, 5)
                        n_r = 2 if rng.random() < 0.85 else rng.randint(0, 1)
                        picks = _sample(rng, by_class["A"], n_a) + _sample(rng, by_class["R"], n_r)
                    else:
                        pool = by_class["R"] + by_class["D"] + by_class["A"]
                        picks = _sample(rng, pool, rng.randint(4, 12))
                    low, high = EVENT_COST[kind]
                    g.w.add(
                        Event,
                        dict(
                            id=event_id,
                            event_code=f"EV{event_id:06d}",
                            name=f"{EVENT_NAMES[kind]} {day.month}月",
                            kind=kind,
                            event_date=day,
                            organiser_rep_id=rng.choice(reps)["id"],
                            cost=round(rng.uniform(low, high), -2),
                            partner=rng.choice(BRANDS) if kind == "partner_event" else None,
                            note=None,
                        ),
                    )
                    for a in picks:
                        contacts: list[str | None] = [*g.contacts_of.get(a["id"], [])] or [None]
                        g.w.add(
                            EventAttendee,
                            dict(
                                event_id=event_id,
                                account_id=a["id"],
                                contact_name=rng.choice(contacts),
                                attended=rng.random() < 0.92,
                            ),
                        )
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        g.w.maybe_flush()


def training(g: _Generator) -> None:
    """Courses for every rep every year; most reach the 40 h requirement, some do not."""
    rng, as_of = g.rng, g.as_of
    for r in g.reps:
        for year in g.years:
            target = rng.uniform(28, 56)  # some under 40 h
            done = 0.0
            taken: set[tuple[str, date]] = set()
            last = min(date(year, 12, 31), as_of)
            if last < date(year, 1, 1):
                continue
            target *= (last.timetuple().tm_yday) / 365  # the current year so far
            while done < target:
                course, kind, hours = rng.choice(COURSES)
                day = date(year, 1, 1) + timedelta(days=rng.randrange(last.timetuple().tm_yday))
                if (course, day) in taken:
                    continue
                taken.add((course, day))
                score = round(rng.uniform(55, 100), 0)
                g.w.add(
                    Training,
                    dict(
                        rep_id=r["id"],
                        course=course,
                        kind=kind,
                        training_date=day,
                        hours=hours,
                        score=score,
                        passed=score >= 60,
                    ),
                )
                done += hours
        g.w.maybe_flush()
