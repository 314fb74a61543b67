"""Staff management's definitions (data dictionary, issue 19) on literal rows, every expected figure counted by hand."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.staff import (
    Attendance,
    EventRow,
    NewDeal,
    RepWeek,
    WeekVisit,
    event_summaries,
    parse_week,
    rep_weeks,
    total,
    training_table,
    week_key,
)


def test_stf001_plan_done_unplanned_and_complete_records():
    rows = [
        # rep 1 planned A (twice: Mon and Thu), B, C; visited A (Tue), C (Wed), D (not planned)
        WeekVisit(1, 10, "planned"),
        WeekVisit(1, 10, "planned"),
        WeekVisit(1, 11, "planned"),
        WeekVisit(1, 12, "planned"),
        WeekVisit(1, 10, "done", "需求沟通", "确认方案"),
        WeekVisit(1, 12, "done", "方案交流", "  "),  # outcome blank: incomplete
        WeekVisit(1, 13, "done", "回访", "无新需求"),  # unplanned
        # rep 2 did one visit at an account rep 1 planned: rep 1's plan is not done by rep 2
        WeekVisit(2, 11, "done", None, "x"),
    ]
    weeks = rep_weeks(rows)
    one, two = weeks[1], weeks[2]
    assert (one.planned, one.planned_done, one.unplanned, one.records, one.records_complete) == (4, 3, 1, 3, 2)
    assert one.plan_done_rate == pytest.approx(0.75)
    assert one.records_incomplete == 1
    assert (two.planned, two.planned_done, two.unplanned, two.records, two.records_complete) == (0, 0, 1, 1, 0)
    assert two.plan_done_rate is None  # nothing planned: unknown, never 0% or a division error
    both = total(weeks.values())
    assert (both.planned, both.planned_done, both.unplanned, both.records) == (4, 3, 2, 4)
    assert RepWeek().plan_done_rate is None


@pytest.mark.parametrize(
    ("text", "monday"),
    [("2026-W49", date(2026, 11, 30)), ("2026-W01", date(2025, 12, 29)), ("2026-W53", date(2026, 12, 28))],
)
def test_stf002_iso_weeks(text, monday):
    assert parse_week(text) == monday
    assert week_key(monday) == text
    assert week_key(date(2027, 1, 3)) == "2026-W53"  # Sunday of 2026's 53rd week


@pytest.mark.parametrize("bad", ["2025-W53", "2026-W00", "2026-49", "2026W49", "", "2026-W4", "２０２６-W49"])
def test_stf003_bad_weeks_are_refused(bad):
    with pytest.raises(ValueError):
        parse_week(bad)


def _event(eid, code, kind, day, cost):
    return EventRow(eid, code, f"event {code}", kind, day, "org", cost)


def test_stf004_events_reach_check_cost_and_pipeline_after():
    dinner = _event(1, "E1", "dinner_6a2r", date(2026, 3, 1), 24_000)
    short = _event(2, "E2", "dinner_6a2r", date(2026, 3, 10), 10_000)
    seminar = _event(3, "E3", "seminar", date(2026, 3, 5), 9_000)
    empty = _event(4, "E4", "vip_event", date(2026, 6, 1), 5_000)
    attendance = (
        # E1: 6 A (accounts 1-6) + 2 R (7, 8) + one D + one absent R: holds
        [Attendance(1, a, True, "A") for a in range(1, 7)]
        + [Attendance(1, 7, True, "R"), Attendance(1, 8, True, "R"), Attendance(1, 9, True, "D")]
        + [Attendance(1, 20, False, "R")]
        # E2: 4 A, 1 R, one of unknown class: lacks 2 A and 1 R
        + [Attendance(2, a, True, "A") for a in (1, 2, 3, 4)]
        + [Attendance(2, 7, True, "R"), Attendance(2, 30, True, None)]
        # E3: accounts 1 and 9 again
        + [Attendance(3, 1, True, "A"), Attendance(3, 9, True, "D")]
    )
    deals = [
        NewDeal(100, 1, date(2026, 3, 20), 500_000, "open"),  # after E1 (earliest), E2 and E3 at account 1: E1
        NewDeal(101, 9, date(2026, 5, 30), 70_000, "won"),  # day 90 after E1 (Mar 1 + 90 = May 30): E1
        NewDeal(102, 9, date(2026, 6, 4), 80_000, "open"),  # 91 days after E1, 91 after E3: nobody
        NewDeal(103, 2, date(2026, 3, 1), 40_000, "lost"),  # lost: never
        NewDeal(104, 30, date(2026, 2, 28), 60_000, "open"),  # before E2: no
        NewDeal(105, 30, date(2026, 3, 10), 30_000, "open"),  # the event day itself: E2
        NewDeal(106, 20, date(2026, 3, 2), 99_000, "open"),  # at an account invited but absent: no
    ]
    got = {s.event.event_code: s for s in event_summaries([short, empty, dinner, seminar], attendance, deals)}
    e1, e2, e3, e4 = got["E1"], got["E2"], got["E3"], got["E4"]
    assert e1.accounts == 9 and e1.by_class == {"R": 2, "A": 6, "D": 1, "unknown": 0}
    assert e1.check_6a2r is True and e1.missing == {}
    assert e1.cost_per_account == pytest.approx(24_000 / 9)
    assert (e1.pipeline_after_count, e1.pipeline_after_amount) == (2, 570_000)
    assert e2.by_class == {"R": 1, "A": 4, "D": 0, "unknown": 1}
    assert e2.check_6a2r is False and e2.missing == {"A": 2, "R": 1}
    assert (e2.pipeline_after_count, e2.pipeline_after_amount) == (1, 30_000)
    assert e3.check_6a2r is None and e3.missing == {}  # not a 6A+2R dinner: no check
    assert (e3.pipeline_after_count, e3.pipeline_after_amount) == (0, 0)
    assert e4.accounts == 0 and e4.cost_per_account is None and e4.check_6a2r is None


def test_stf005_training_under_the_requirement():
    rows = training_table([(1, "R1", "甲"), (2, "R2", "乙"), (3, "R3", "丙")], {1: 40.0, 2: 39.5}, 40.0)
    assert [(r.rep_code, r.hours, r.under_requirement) for r in rows] == [
        ("R3", 0.0, True),  # no training at all: 0 h, listed first
        ("R2", 39.5, True),
        ("R1", 40.0, False),  # exactly the requirement: met
    ]
