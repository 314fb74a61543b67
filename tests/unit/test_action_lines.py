"""An action's row read as an ``Action`` and its API reason, word for word, on literal rows (issue 23: mutation
testing found the conversion unchecked)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.actions import Action, action_of, reason

TODAY = date(2026, 11, 27)  # a Friday of the year's fourth quarter


def test_act501_a_row_becomes_its_action_field_by_field():
    row = {
        "kind": "collect_overdue",
        "rep_code": "R0001",
        "rep_name": "高建",
        "team_id": "3",
        "account_code": "A00001",
        "account_name": "北方医院",
        "opp_code": "OP0000001",
        "opp_name": "网络改造",
        "day": date(2026, 9, 1),
        "amount": "1234.5",
        "n": "2",
    }
    assert action_of(row) == Action(
        "collect_overdue",
        "R0001",
        "高建",
        3,
        "A00001",
        "北方医院",
        "OP0000001",
        "网络改造",
        date(2026, 9, 1),
        1234.5,
        2,
    )
    bare = action_of({"kind": 7, "rep_code": 1, "rep_name": None, "day": "2026-09-01"})
    assert bare == Action("7", "1", "None", None)  # a day that is no date is no day
    assert (bare.account_code, bare.opp_code, bare.day, bare.amount, bare.n) == (None, None, None, None, None)
    assert action_of({**row, "team_id": None, "amount": None, "n": None}).team_id is None


@pytest.mark.parametrize(
    ("action", "line"),
    [
        (
            Action("visit_d", "R1", "r", 1, day=date(2026, 10, 1)),
            "class D account: last done visit 2026-10-01 (57 days ago); visit at least every 30 days",
        ),
        (Action("visit_d", "R1", "r", 1), "class D account: no done visit on record; visit at least every 30 days"),
        (
            Action("learn_bp", "R1", "r", 1, n=2024),
            "no BP for 2026: learn the account's real buying power by phone; latest BP known for 2024",
        ),
        (Action("learn_bp", "R1", "r", 1), "no BP for 2026: learn the account's real buying power by phone"),
        (
            Action("exec_touch_r", "R1", "r", 1),
            "class R account without an executive visit, VIP event or round table in 2026Q4",
        ),
        (
            Action("director_top10_d", "R1", "r", 1, amount=1_500_000, n=3),
            "TOP 10 D account (#3 by white space CNY 1,500,000.00): no director visit in 2026Q4",
        ),
        (
            Action("stalled_deal", "R1", "r", 1, day=date(2026, 10, 17), n=2),
            "open at level 2 since 2026-10-17 (41 days without a stage change)",
        ),
        (
            Action("collect_overdue", "R1", "r", 1, day=date(2026, 1, 8), amount=1_230_000.5, n=1),
            "1 payment(s) overdue, CNY 1,230,000.50 in all, the oldest due 2026-01-08 (323 days late)",
        ),
        (Action("plan_next_week", "R1", "r", 1), "no visit planned for 2026-W49"),
    ],
)
def test_act502_each_kind_says_why_in_one_line(action, line):
    assert reason(action, TODAY) == line


def test_act503_an_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown action kind 'nap'"):
        reason(Action("nap", "R1", "r", 1), TODAY)
