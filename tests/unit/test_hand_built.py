"""Expected values by hand (issue 23): a small database of two teams whose every figure is written below, asked
through the loaders the pages and the API call, never through the query or function a loader itself uses.

Team North: rep R1 and manager M1; team South: rep S1. Today is 2026-11-27 (a Friday). R1's figures:
- open deals of 10,000 at each level 1-5 (weighted: 10,000 x (.10 + .25 + .50 + .75 + .90) = 25,000), one of them
  due on the year's last day (in the year's pipeline due), one on the next day (not);
- won deals of 100,000 signed 2026-03-01 and 50,000 signed 2026-04-01 at account NA1 (BP 150,000 in 2026: SOW
  exactly 100%, no flag), whose six payments are 1,000 / 2,000 / ... / 6,000, due 30, 31, 60, 61, 90 and 91 days
  before today, none paid (the first contract's four milestones, the second's first two);
- a won deal of 40,000 closed 364 days before today (inside the required V's 365-day window, the first day of it),
  a lost deal of 60,000 closed 365 days before today (outside it) and a lost deal of 10,000 closed today (inside);
- a done visit at NA1 on 2026-11-02.
S1's rows are canaries: amounts of 7s and names with "South", which no view of R1 or M1 may show.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from data_access.users import Viewer
from metrics.period import Period
from metrics.views import account as account_view
from metrics.views import scorecards
from metrics.views.kpis import overview_kpis
from tests.builders import Seed

TODAY = date(2026, 11, 27)
LATE_DAYS = (30, 31, 60, 61, 90, 91)


@pytest.fixture()
def two_teams(session: Session) -> dict[str, Any]:
    seed = Seed(session)
    north, south = seed.team("North", region="华北"), seed.team("South", region="华南")
    r1 = seed.rep("R1", north, name="North Rep")
    m1 = seed.rep("M1", north, role="manager", name="North Manager")
    s1 = seed.rep("S1", south, name="South Rep")
    na1 = seed.account("NA1", r1, name="North Account")
    sa1 = seed.account("SA1", s1, name="South Account")
    for level in range(1, 6):
        expected = date(2026, 12, 31) if level == 4 else date(2027, 1, 1) if level == 5 else date(2026, 9, 30)
        seed.opp(na1, 10_000, level, expected=expected, owner=r1)
    milestones = ("advance", "progress", "acceptance", "retention")
    first = seed.opp(na1, 100_000, 5, "won", created=date(2026, 1, 5), closed=date(2026, 3, 1), owner=r1)
    second = seed.opp(na1, 50_000, 5, "won", created=date(2026, 1, 5), closed=date(2026, 4, 1), owner=r1)
    contracts = [seed.contract(first, 100_000, date(2026, 3, 1), gm=20_000)] * 4
    contracts += [seed.contract(second, 50_000, date(2026, 4, 1), gm=10_000)] * 2
    for i, (days, contract) in enumerate(zip(LATE_DAYS, contracts, strict=True)):
        seed.payment(contract, milestones[i % 4], TODAY - timedelta(days=days), 1_000 * (i + 1))
    seed.bp(na1, 2026, 150_000)
    seed.opp(na1, 40_000, 5, "won", created=date(2025, 6, 1), closed=TODAY - timedelta(days=364), owner=r1)
    seed.opp(na1, 60_000, 3, "lost", created=date(2025, 6, 1), closed=TODAY - timedelta(days=365), owner=r1)
    seed.opp(na1, 10_000, 2, "lost", created=date(2026, 10, 1), closed=TODAY, owner=r1)
    seed.visit(r1, na1, date(2026, 11, 2))
    # the canaries
    seed.opp(sa1, 777_777, 3, expected=date(2026, 12, 31), owner=s1)
    south_won = seed.opp(sa1, 77_777, 5, "won", created=date(2026, 1, 5), closed=date(2026, 2, 1), owner=s1)
    south_contract = seed.contract(south_won, 77_777, date(2026, 2, 1), gm=7_777)
    seed.payment(south_contract, "advance", TODAY - timedelta(days=45), 7_777)
    seed.visit(s1, na1, date(2026, 11, 3))  # South's rep at North's account: North's views do not list it
    session.commit()
    viewers = {
        "rep": Viewer(1, "r1", "rep", r1.id, "R1", north.id),
        "manager": Viewer(2, "m1", "manager", m1.id, "M1", north.id),
        "director": Viewer(3, "d", "director", None, None, None),
    }
    return {"viewers": viewers, "r1": r1, "na1": na1}


def _card(session: Session, viewer: Viewer) -> Any:
    return scorecards.load(session, viewer, {"rep": "R1", "period": "2026"}, TODAY)


def test_hb001_the_scorecard_weighs_each_deal_at_its_own_level(session, two_teams):
    for role in ("rep", "manager", "director"):
        card = _card(session, two_teams["viewers"][role])
        assert card.kpis.weighted_amount == pytest.approx(25_000), role
        assert card.line["weighted_pipeline"] == pytest.approx(25_000), role  # the leaderboard's line of R1
        assert card.kpis.open_amount == pytest.approx(50_000), role
    board = scorecards.load(session, two_teams["viewers"]["manager"], {"period": "2026"}, TODAY)
    assert isinstance(board, scorecards.BoardData)
    lines = {str(r["rep_code"]): float(r["weighted_pipeline"]) for r in board.board.to_dict("records")}
    assert lines == {"R1": pytest.approx(25_000)}  # the team's sales reps: R1 alone


def test_hb002_the_late_payments_are_the_reps_own_and_age_into_their_buckets(session, two_teams):
    card = _card(session, two_teams["viewers"]["rep"])
    assert sorted(round(float(p["owed"])) for p in card.late) == [1_000, 2_000, 3_000, 4_000, 5_000, 6_000]
    overdue = card.kpis.overdue
    assert overdue.amount == pytest.approx(21_000) and overdue.count == 6
    # 30 days late: 1-30; 31 and 60: 31-60; 61 and 90: 61-90; 91: >90 (each payment in exactly one bucket)
    assert overdue.buckets == {"1-30": 1_000, "31-60": 5_000, "61-90": 9_000, ">90": 6_000}
    assert sum(overdue.buckets.values()) == pytest.approx(overdue.amount)
    team = overview_kpis(session, two_teams["viewers"]["manager"].scope, Period(2026), TODAY).overdue
    assert team.amount == pytest.approx(21_000)  # South's 7,777 is no part of North's
    company = overview_kpis(session, two_teams["viewers"]["director"].scope, Period(2026), TODAY).overdue
    assert company.amount == pytest.approx(21_000 + 7_777) and company.buckets["31-60"] == pytest.approx(12_777)


def test_hb003_the_account_page_lists_the_visits_of_the_viewers_scope(session, two_teams):
    mine = account_view.load(session, two_teams["viewers"]["rep"], {"account_code": "NA1"}, TODAY)
    assert mine is not None
    assert [(v["visit_date"], v["rep"]) for v in mine.visits] == [(date(2026, 11, 2), "North Rep")]
    every = account_view.load(session, two_teams["viewers"]["director"], {"account_code": "NA1"}, TODAY)
    assert every is not None and len(every.visits) == 2


def test_hb004_sow_of_exactly_100_percent_is_not_flagged(session, two_teams):
    data = account_view.load(session, two_teams["viewers"]["rep"], {"account_code": "NA1"}, TODAY)
    assert data is not None
    row = data.history[data.history["year"] == 2026].iloc[0]
    assert float(row["sow"]) == pytest.approx(1.0) and list(row["flags"]) == []


def test_hb005_the_required_v_reads_the_365_days_up_to_today(session, two_teams):
    k = overview_kpis(session, two_teams["viewers"]["rep"].scope, Period(2026), TODAY)
    # inside: 100,000 + 50,000 (2026) and 40,000 (364 days ago) won, 10,000 lost today; the 60,000 lost 365 days
    # ago is outside: a win rate of 190,000 / 200,000
    assert k.required_v == pytest.approx(200_000 / 190_000)
