"""Pipeline movement on a hand-built week (metrics/movement.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.movement import movement

D0, D1, PERIOD_END = date(2026, 11, 20), date(2026, 11, 27), date(2026, 12, 31)
OLD = date(2026, 10, 1)


def _opps() -> pd.DataFrame:
    rows = [
        # id, code, status, closed, amount, expected, created
        (1, "STAY", "open", None, 100.0, date(2026, 12, 10), OLD),
        (2, "NEW", "open", None, 50.0, date(2026, 12, 15), date(2026, 11, 25)),
        (3, "GREW", "open", None, 250.0, date(2026, 12, 15), OLD),
        (4, "WON", "won", date(2026, 11, 24), 80.0, date(2026, 11, 30), OLD),
        (5, "LOST", "lost", date(2026, 11, 22), 30.0, date(2026, 12, 5), OLD),
        (6, "PUSHED", "open", None, 70.0, date(2027, 2, 1), OLD),
        (7, "SHRANK", "open", None, 60.0, date(2026, 12, 20), OLD),
        (8, "LATER", "open", None, 999.0, date(2027, 3, 1), OLD),  # never in this period
        (9, "OLDWIN", "won", date(2026, 11, 1), 500.0, date(2026, 11, 1), OLD),  # closed before the week
    ]
    df = pd.DataFrame(
        rows, columns=["id", "opp_code", "status", "closed_date", "amount", "expected_close_date", "created_date"]
    )
    return df.set_index("id")


def _changes() -> pd.DataFrame:
    rows = [
        (3, date(2026, 11, 25), "amount", "200.00"),
        (6, date(2026, 11, 26), "expected_close_date", "2026-12-20"),
        (7, date(2026, 11, 23), "amount", "100.00"),
        (1, date(2026, 11, 26), "expected_close_date", "2026-12-01"),  # slipped, still in the period
    ]
    return pd.DataFrame(rows, columns=["opportunity_id", "changed_on", "field", "old_value"])


def _history() -> pd.DataFrame:
    rows = [
        (1, 2, OLD),
        (1, 3, date(2026, 11, 24)),
        (7, 3, OLD),
        (7, 2, date(2026, 11, 26)),
        (2, 1, date(2026, 11, 25)),
    ]
    return pd.DataFrame(rows, columns=["opportunity_id", "level", "entered_date"])


def test_mov001_the_week_by_hand():
    m = movement(_opps(), _changes(), _history(), D0, D1, PERIOD_END)
    # start: STAY 100 + GREW 200 + WON 80 + LOST 30 + PUSHED 70 + SHRANK 100 = 580
    assert m.start == pytest.approx(580)
    assert m.steps == pytest.approx(
        {"new": 50, "increased": 50, "decreased": 40, "won": 80, "lost": 30, "pushed_out": 70}
    )
    # end: STAY 100 + NEW 50 + GREW 250 + SHRANK 60 = 460
    assert m.end == pytest.approx(460)
    assert m.balances()
    assert m.lists["new"] == ["NEW"]
    assert m.lists["won"] == ["WON"] and m.lists["lost"] == ["LOST"]
    assert m.lists["pushed_out"] == ["PUSHED"]
    assert m.lists["advanced"] == ["STAY"] and m.lists["moved_back"] == ["SHRANK"]
    assert m.lists["slipped"] == ["STAY"]


def test_mov002_nothing_happened():
    opps = _opps().loc[[1, 8]]
    m = movement(opps, _changes().iloc[0:0], _history(), D0, D1, PERIOD_END)
    assert m.start == m.end == 100 and all(v == 0 for v in m.steps.values())


def test_mov003_empty():
    empty = _opps().iloc[0:0]
    m = movement(empty, _changes().iloc[0:0], _history().iloc[0:0], D0, D1, PERIOD_END)
    assert (m.start, m.end) == (0, 0) and m.balances()


def test_mov004_a_reopened_deal_comes_back_as_new_and_a_relost_one_as_lost():
    rows = [
        # lost on 11-10, reopened in the week: back in the pipeline, as new
        (20, "REOPENED", "open", None, 40.0, date(2026, 12, 12), OLD),
        # reopened before the week, lost again in it
        (21, "RELOST", "lost", date(2026, 11, 25), 15.0, date(2026, 12, 1), OLD),
    ]
    opps = pd.DataFrame(
        rows, columns=["id", "opp_code", "status", "closed_date", "amount", "expected_close_date", "created_date"]
    ).set_index("id")
    changes = pd.DataFrame(
        [
            (20, date(2026, 11, 24), "status", "lost"),
            (20, date(2026, 11, 24), "closed_date", "2026-11-10"),
            (21, date(2026, 11, 25), "status", "open"),
            (21, date(2026, 11, 25), "closed_date", None),
        ],
        columns=["opportunity_id", "changed_on", "field", "old_value"],
    )
    m = movement(opps, changes, _history().iloc[0:0], D0, D1, PERIOD_END)
    assert m.start == pytest.approx(15) and m.end == pytest.approx(40)
    assert m.steps["new"] == pytest.approx(40) and m.steps["lost"] == pytest.approx(15)
    assert m.lists["new"] == ["REOPENED"] and m.lists["lost"] == ["RELOST"]
    assert m.balances()


def test_mov005_dates_as_pandas_datetimes_with_nat_give_the_same_week():
    """A reader that parses the date columns hands pandas datetimes, and an open deal's missing close date as NaT
    (not None): the week is the same as with plain dates (NaT was taken for a date and compared)."""
    opps = _opps()
    for column in ("closed_date", "expected_close_date", "created_date"):
        opps[column] = pd.to_datetime(opps[column])
    assert opps["closed_date"].isna().sum() == 6 and opps["closed_date"].iloc[0] is pd.NaT
    m = movement(opps, _changes(), _history(), D0, D1, PERIOD_END)
    assert m.start == pytest.approx(580) and m.end == pytest.approx(460)
    assert m.steps == pytest.approx(
        {"new": 50, "increased": 50, "decreased": 40, "won": 80, "lost": 30, "pushed_out": 70}
    )
    assert m.lists["won"] == ["WON"] and m.lists["pushed_out"] == ["PUSHED"] and m.lists["new"] == ["NEW"]
