"""Edges of the Overview's pure figures and of the weekly pipeline movement (``metrics.overview``,
``metrics.movement``) on literal rows, every expected number worked out by hand.

Issue 23: tests that catch a wrong number. These pin what the existing tests leave loose: the whole KPI set's
period and day, the aging table, every list an address can name, a group's bookings read month by month, and
the movement's boundaries (a deal created, closed, changed or moved a level on the very day of a window's end,
a close date on the period's last day, a deal won after the window's end, a change log with two changes, a
small increase, the level moves) and its balance tolerance.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.movement import Movement, movement
from metrics.overview import Drill, OverviewInputs, aging_frame, bucket_days, drill_of, drills, group_track, kpis_of
from metrics.period import Period

# --- metrics.overview -------------------------------------------------------------------------------------------

TODAY = date(2026, 7, 2)


def _inputs() -> OverviewInputs:
    return OverviewInputs(
        period=Period(2026, 3),
        today=TODAY,
        bookings=100.0,
        gm_booked=30.0,
        quota_rows=pd.DataFrame(
            [{"rep_id": 1, "quarter": None, "revenue_target": 800.0, "gm_target": 200.0, "target_commission": 40.0}]
        ),
        pipeline=pd.DataFrame({"level": [2], "count": [3], "amount": [300.0]}),
        pipeline_due=50.0,
        won_count=1,
        lost_count=1,
        won_amount=100.0,
        lost_amount=300.0,
        history_won_amount=100.0,
        history_lost_amount=100.0,
        unpaid=pd.DataFrame(
            {
                # 2 days late (1-30), 60 days late (31-60), 61 days late (61-90)
                "due_date": [date(2026, 6, 30), date(2026, 5, 3), date(2026, 5, 2)],
                "amount": [10.0, 20.0, 40.0],
                "paid_amount": [None, 5.0, None],
            }
        ),
        level_probabilities={2: 0.25},
    )


def test_ove001_the_kpi_set_keeps_its_period_and_day() -> None:
    k = kpis_of(_inputs())
    assert k.period == Period(2026, 3)
    assert k.today == TODAY
    # Q3 target: a quarter of the year's 800
    assert (k.revenue_target, k.gm_target, k.target_commission) == (200.0, 50.0, 10.0)
    assert k.attainment == pytest.approx(0.5)
    assert k.v.remaining == 100.0 and k.v.value == pytest.approx(0.5)  # 50 due / (200 - 100) left
    assert (k.open_count, k.open_amount, k.weighted_amount) == (3, 300.0, 75.0)
    assert k.win_rate == pytest.approx(0.5) and k.win_rate_amount == pytest.approx(0.25)
    assert k.required_v == pytest.approx(2.0)


def test_ove002_aging_table_lists_every_bucket_in_order() -> None:
    frame = aging_frame(kpis_of(_inputs()))
    expected = pd.DataFrame({"days_overdue": ["1-30", "31-60", "61-90", ">90"], "amount_cny": [10.0, 15.0, 40.0, 0.0]})
    pd.testing.assert_frame_equal(frame, expected)


def test_ove003_every_list_there_can_be() -> None:
    assert drills() == {
        "bookings": Drill("bookings"),
        "open": Drill("open"),
        "due": Drill("due"),
        "won": Drill("won"),
        "lost": Drill("lost"),
        "overdue": Drill("overdue"),
        "open-1": Drill("open", level=1),
        "open-2": Drill("open", level=2),
        "open-3": Drill("open", level=3),
        "open-4": Drill("open", level=4),
        "open-5": Drill("open", level=5),
        "overdue-1-30": Drill("overdue", bucket="1-30"),
        "overdue-31-60": Drill("overdue", bucket="31-60"),
        "overdue-61-90": Drill("overdue", bucket="61-90"),
        "overdue->90": Drill("overdue", bucket=">90"),
    }


def test_ove004_the_list_an_address_names() -> None:
    assert drill_of({"list": "open-3"}) == Drill("open", level=3)
    assert drill_of({"list": "overdue-31-60"}) == Drill("overdue", bucket="31-60")
    assert drill_of({"list": "won"}) == Drill("won")
    assert drill_of({"list": "open-6"}) is None  # no such level
    assert drill_of({"LIST": "won"}) is None
    assert drill_of({}) is None
    assert drill_of({"list": ["won"]}) is None  # a repeated parameter is no list


def test_ove005_days_of_each_aging_bucket() -> None:
    assert [bucket_days(name) for name in ("1-30", "31-60", "61-90", ">90")] == [
        (1, 30),
        (31, 60),
        (61, 90),
        (91, None),
    ]


def test_ove006_a_groups_bookings_are_summed_over_its_months() -> None:
    # bookings_by_month gives one row per month and key: a group's months add up, the no-team line's too
    quotas = pd.DataFrame(
        {"rep_id": [1, 2, 3], "quarter": [None, None, None], "revenue_target": [400.0, 100.0, 50.0]}
    ).assign(gm_target=0.0)
    teams: dict[int, int | None] = {1: 10, 2: 20, 3: None}
    booked = pd.DataFrame(
        {
            "month": [1, 2, 3, 1, 2, 3],
            "key": [10, 10, 20, None, 10, None],
            "bookings": [50.0, 30.0, 60.0, 5.0, 20.0, 15.0],
        }
    )
    out = group_track(booked, quotas, teams, None)
    # team 10: 50 + 30 + 20 = 100 of 400 (gap 300); no team: 5 + 15 = 20 of 50 (gap 30); team 20: 60 of 100 (gap 40)
    assert list(out.columns) == ["key", "bookings", "target", "attainment", "gap"]
    assert out.to_dict("list") == {
        "key": [10, 20, None],
        "bookings": [100.0, 60.0, 20.0],
        "target": [400.0, 100.0, 50.0],
        "attainment": [0.25, 0.6, 0.4],
        "gap": [300.0, 40.0, 30.0],
    }


# --- metrics.movement -------------------------------------------------------------------------------------------

D0, D1, PERIOD_END = date(2026, 11, 20), date(2026, 11, 27), date(2026, 12, 31)
OLD = date(2026, 10, 1)
STEPS_ZERO = {"new": 0.0, "increased": 0.0, "decreased": 0.0, "won": 0.0, "lost": 0.0, "pushed_out": 0.0}
OPP_COLUMNS = ["id", "opp_code", "status", "closed_date", "amount", "expected_close_date", "created_date"]


def _edge_opps() -> pd.DataFrame:
    rows = [
        # id, code, status, closed, amount, expected, created
        (1, "LASTDAY", "open", None, 100.0, PERIOD_END, OLD),  # expected on the period's last day: in
        (2, "BORN0", "open", None, 40.0, date(2026, 12, 10), D0),  # created on the start day: in at start
        (3, "CLOSED0", "won", D0, 30.0, date(2026, 12, 1), OLD),  # closed on the start day: never in
        (4, "CHANGED1", "open", None, 120.0, date(2026, 12, 10), OLD),  # amount changed on the end day
        (5, "NUDGED", "open", None, 100.5, date(2026, 12, 10), OLD),  # up by half a yuan
        (6, "TWICE", "open", None, 150.0, date(2026, 12, 10), OLD),  # two amount changes in the week
        (7, "LATEWIN", "won", date(2026, 11, 29), 60.0, date(2026, 12, 5), OLD),  # won after the window
        (8, "REWON", "won", date(2026, 11, 25), 90.0, date(2026, 12, 5), OLD),  # lost, reopened, won
        (9, "LEVEL1", "open", None, 10.0, date(2026, 12, 10), OLD),  # a level up on the end day
        (10, "DATETEXT", "open", None, 70.0, date(2027, 1, 15), OLD),  # pushed out, old date as datetime text
        (11, "FRESH", "open", None, 25.0, date(2026, 12, 15), date(2026, 11, 24)),  # created in the week
    ]
    return pd.DataFrame(rows, columns=OPP_COLUMNS).set_index("id")


def _edge_changes() -> pd.DataFrame:
    rows = [
        (4, D1, "amount", "100.00"),
        (5, date(2026, 11, 24), "amount", "100.00"),
        (6, date(2026, 11, 22), "amount", "100.00"),
        (6, date(2026, 11, 25), "amount", "120.00"),
        (8, date(2026, 11, 22), "status", "lost"),
        (8, date(2026, 11, 22), "closed_date", "2026-11-10"),
        (8, date(2026, 11, 25), "status", "open"),
        (8, date(2026, 11, 25), "closed_date", None),
        (10, date(2026, 11, 24), "expected_close_date", "2026-12-20 00:00:00"),
    ]
    return pd.DataFrame(rows, columns=["opportunity_id", "changed_on", "field", "old_value"])


def _edge_history() -> pd.DataFrame:
    rows = [
        (1, 4, OLD),
        (2, 1, D0),
        (9, 2, OLD),
        (9, 3, D1),
        (11, 1, date(2026, 11, 24)),
    ]
    return pd.DataFrame(rows, columns=["opportunity_id", "level", "entered_date"])


def test_ove007_the_week_at_its_edges_by_hand() -> None:
    m = movement(_edge_opps(), _edge_changes(), _edge_history(), D0, D1, PERIOD_END)
    # start: LASTDAY 100 + BORN0 40 + CHANGED1 100 (its change on the end day is after the start)
    #   + NUDGED 100 + TWICE 100 (the old value of its first change) + LATEWIN 60 + LEVEL1 10 + DATETEXT 70 = 580;
    # CLOSED0 closed on the start day and REWON was lost (closed 11-10) at the start: neither is in
    assert m.start == pytest.approx(580.0)
    # end: LASTDAY 100 + BORN0 40 + CHANGED1 120 + NUDGED 100.5 + TWICE 150 + LATEWIN 60 (won only on 11-29)
    #   + LEVEL1 10 + FRESH 25 = 605.5; DATETEXT's close moved to 2027
    assert m.end == pytest.approx(605.5)
    # increased: CHANGED1 20 + NUDGED 0.5 + TWICE 50 = 70.5
    assert m.steps == pytest.approx(
        {"new": 25.0, "increased": 70.5, "decreased": 0.0, "won": 0.0, "lost": 0.0, "pushed_out": 70.0}
    )
    assert m.balances()
    assert m.lists == {
        "new": ["FRESH"],
        "advanced": ["LEVEL1"],
        "moved_back": [],
        "slipped": [],
        "won": [],
        "lost": [],
        "pushed_out": ["DATETEXT"],
    }
    # only a deal open at both dates whose level changed: not FRESH (new), nor an unchanged level
    assert m.moves == {"LEVEL1": (2, 3)}


def test_ove008_levels_moving_both_ways_are_recorded_per_deal() -> None:
    opps = pd.DataFrame(
        [
            (1, "UP", "open", None, 10.0, date(2026, 12, 10), OLD),
            (2, "DOWN", "open", None, 20.0, date(2026, 12, 10), OLD),
            (3, "SAME", "open", None, 30.0, date(2026, 12, 10), OLD),
            (4, "GONE", "lost", date(2026, 11, 23), 40.0, date(2026, 12, 10), OLD),
        ],
        columns=OPP_COLUMNS,
    ).set_index("id")
    history = pd.DataFrame(
        [
            (1, 1, OLD),
            (1, 3, date(2026, 11, 21)),
            (2, 4, OLD),
            (2, 2, date(2026, 11, 22)),
            (3, 2, OLD),
            (4, 2, OLD),
            (4, 5, date(2026, 11, 22)),  # moved up, then lost: not open at the end, no move
        ],
        columns=["opportunity_id", "level", "entered_date"],
    )
    changes = pd.DataFrame(columns=["opportunity_id", "changed_on", "field", "old_value"])
    m = movement(opps, changes, history, D0, D1, PERIOD_END)
    assert m.moves == {"UP": (1, 3), "DOWN": (4, 2)}
    assert m.lists["advanced"] == ["UP"] and m.lists["moved_back"] == ["DOWN"] and m.lists["lost"] == ["GONE"]
    assert (m.start, m.end) == (100.0, 60.0)


def test_ove009_no_touched_deal_keeps_the_steady_pipeline_and_empty_lists() -> None:
    empty = pd.DataFrame(columns=OPP_COLUMNS).set_index("id")
    changes = pd.DataFrame(columns=["opportunity_id", "changed_on", "field", "old_value"])
    history = pd.DataFrame(columns=["opportunity_id", "level", "entered_date"])
    m = movement(empty, changes, history, D0, D1, PERIOD_END, steady=300.0)
    assert m == Movement(
        300.0,
        300.0,
        dict(STEPS_ZERO),
        {"new": [], "advanced": [], "moved_back": [], "slipped": [], "won": [], "lost": [], "pushed_out": []},
        {},
    )


def test_ove010_balance_tolerance_is_under_one_fen() -> None:
    assert Movement(100.0, 100.0, dict(STEPS_ZERO)).balances()
    assert Movement(0.0, 0.005, dict(STEPS_ZERO)).balances()
    assert not Movement(0.0, 0.01, dict(STEPS_ZERO)).balances()  # a fen off: no balance
    assert not Movement(0.0, 0.5, dict(STEPS_ZERO)).balances()
    steps = {"new": 10.0, "increased": 5.0, "decreased": 2.0, "won": 3.0, "lost": 1.0, "pushed_out": 4.0}
    assert Movement(100.0, 105.0, steps).balances()  # 100 + 10 + 5 - 2 - 3 - 1 - 4
    assert not Movement(100.0, 106.0, steps).balances()
