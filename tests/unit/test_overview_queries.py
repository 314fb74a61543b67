"""The Overview's numbers on a hand-built database, computed by hand; and scope narrowing."""

from __future__ import annotations

from datetime import date

import pytest

from data_access import queries
from data_access.scope import Scope
from metrics.period import Period
from metrics.views.kpis import overview_kpis
from tests.builders import Seed, rep_by_code

TODAY = date(2026, 6, 30)


@pytest.fixture()
def world(session):
    """Two teams; rep A1 (team East) and rep B1 (team West)."""
    seed = Seed(session)
    east, west = seed.team("East"), seed.team("West", "华北")
    a1, b1 = seed.rep("A1", east), seed.rep("B1", west)
    acc_a, acc_b = seed.account("ACC-A", a1), seed.account("ACC-B", b1)
    # A1: quota 1,000,000 / GM 300,000 for 2026
    seed.quota(a1, 2026, 1_000_000, 300_000)
    # won in 2026 with a contract of 400,000 (GM 120,000)
    won = seed.opp(acc_a, 400_000, 5, "won", closed=date(2026, 3, 1))
    c = seed.contract(won, 400_000, date(2026, 3, 1), gm=120_000)
    seed.payment(c, "advance", date(2026, 3, 20), 120_000, paid=120_000, paid_date=date(2026, 3, 20))
    seed.payment(c, "progress", date(2026, 5, 1), 160_000, paid=60_000, paid_date=date(2026, 5, 2))  # owes 100,000
    seed.payment(c, "acceptance", date(2026, 7, 15), 80_000)  # not yet due
    # lost in 2026: 100,000
    seed.opp(acc_a, 100_000, 3, "lost", closed=date(2026, 4, 1), loss_reason="价格偏高")
    # lost last year (outside the 2026 win rate, inside the 365-day history window)
    seed.opp(acc_a, 300_000, 2, "lost", closed=date(2025, 9, 1))
    # open: 200,000 at level 3 due in 2026; 1,000,000 at level 1 due in 2027
    seed.opp(acc_a, 200_000, 3, expected=date(2026, 11, 30))
    seed.opp(acc_a, 1_000_000, 1, expected=date(2027, 2, 1))
    # B1: a won deal of 999,000 and an open one of 50,000 at level 5
    won_b = seed.opp(acc_b, 999_000, 5, "won", closed=date(2026, 2, 1))
    seed.contract(won_b, 999_000, date(2026, 2, 1), gm=99_900)
    seed.opp(acc_b, 50_000, 5, expected=date(2026, 8, 1))
    seed.quota(b1, 2026, 2_000_000, 200_000)
    session.commit()
    return {"east": east, "west": west, "a1": a1, "b1": b1}


def test_ovq001_rep_scope_numbers_by_hand(session, world):
    k = overview_kpis(session, Scope.rep(world["a1"].id), Period(2026), TODAY)
    assert (k.bookings, k.gm_booked) == (400_000, 120_000)
    assert (k.revenue_target, k.gm_target) == (1_000_000, 300_000)
    assert k.attainment == pytest.approx(0.4)
    assert k.gm_attainment == pytest.approx(0.4)
    assert (k.open_count, k.open_amount) == (2, 1_200_000)
    assert k.weighted_amount == pytest.approx(200_000 * 0.5 + 1_000_000 * 0.1)
    # V = open pipeline due by 2026-12-31 (200,000) / remaining quota (600,000)
    assert k.v.value == pytest.approx(200_000 / 600_000)
    # 2026 closed: 1 won (400,000) and 1 lost (100,000)
    assert (k.won_count, k.lost_count) == (1, 1)
    assert k.win_rate == 0.5
    assert k.win_rate_amount == pytest.approx(0.8)
    # history window (365 days to 2026-06-30): won 400,000, lost 100,000 + 300,000 -> 0.5 -> required V 2
    assert k.required_v == pytest.approx(2.0)
    # overdue: 100,000 on the progress payment, 60 days late on 2026-06-30
    assert k.overdue.amount == pytest.approx(100_000)
    assert k.overdue.count == 1
    assert k.overdue.buckets["31-60"] == pytest.approx(100_000)


def test_ovq002_company_scope_adds_both_reps(session, world):
    k = overview_kpis(session, Scope.everything(), Period(2026), TODAY)
    assert k.bookings == 1_399_000
    assert k.revenue_target == 3_000_000
    assert k.open_amount == 1_250_000
    assert (k.won_count, k.lost_count) == (2, 1)


def test_ovq003_quarter_uses_quarter_share_and_quarter_bookings(session, world):
    k = overview_kpis(session, Scope.rep(world["a1"].id), Period(2026, 1), TODAY)
    assert k.bookings == 400_000  # signed 2026-03-01
    assert k.revenue_target == 250_000  # no Q1 row: a quarter of the year
    assert k.attainment == pytest.approx(1.6)
    assert k.v.quota_met
    assert k.v.value is None


def test_ovq004_no_quota_is_unknown_not_zero(session, world):
    k = overview_kpis(session, Scope.rep(world["a1"].id), Period(2025), TODAY)
    assert k.revenue_target is None and k.attainment is None
    assert k.v.no_quota


def test_ovq005_narrowing_never_widens(session, world):
    a1, b1, east, west = world["a1"].id, world["b1"].id, world["east"].id, world["west"].id
    assert overview_kpis(session, Scope.team(west), Period(2026), TODAY).bookings == 999_000
    # a rep narrowed to another rep, or to another team, sees nothing at all
    assert overview_kpis(session, Scope.rep(a1).narrow(rep_id=b1), Period(2026), TODAY).bookings == 0
    crossed = overview_kpis(session, Scope.rep(a1).narrow(team_id=west), Period(2026), TODAY)
    assert (crossed.bookings, crossed.open_amount, crossed.overdue.amount) == (0, 0, 0)
    assert overview_kpis(session, Scope.team(east).narrow(rep_id=a1), Period(2026), TODAY).bookings == 400_000
    assert queries.teams(session, Scope.rep(a1)) == [(east, "East")]
    assert [n for _, n in queries.teams(session, Scope.everything())] == ["East", "West"]


def test_ovq006_empty_database(session):
    k = overview_kpis(session, Scope.everything(), Period(2026), TODAY)
    assert (k.bookings, k.open_amount, k.won_count, k.overdue.amount) == (0, 0, 0, 0)
    assert k.win_rate is None and k.required_v is None and k.attainment is None
    assert not queries.has_any_data(session)


def test_ovq007_overdue_summed_per_due_date_equals_per_payment(demo_session):
    """The query sums unpaid payments per due date; aging them gives what aging every payment gives."""
    import pandas as pd
    from sqlalchemy import select

    from data_access.models import Contract, Opportunity, Payment
    from data_access.scope import ProductLine, RadClass
    from data_access.settings import load_settings
    from metrics.collections import overdue
    from tests.conftest import AS_OF

    rep_id, team_id = rep_by_code(demo_session, "R0001") or (0, 0)
    s = load_settings(demo_session)
    class_a, class_r = RadClass(2026, "A", s.rad_r_min, s.rad_a_max), RadClass(2026, "R", s.rad_r_min, s.rad_a_max)
    for scope in (
        Scope.everything(),
        Scope.team(team_id or 0),
        Scope.rep(rep_id),
        Scope.everything().narrow(deals=(class_a,)),  # the whole company's class: the class's account list
        Scope.team(team_id or 0).narrow(deals=(class_r,)),  # a team's class: each deal's account asked
        Scope.everything().narrow(deals=(ProductLine("云服务"), class_a)),
    ):
        rows = demo_session.execute(
            select(Payment.due_date, Payment.amount, Payment.paid_amount)
            .join(Contract, Contract.id == Payment.contract_id)
            .join(Opportunity, Opportunity.id == Contract.opportunity_id)
            .where(scope.opportunities())
        ).all()
        each = overdue(pd.DataFrame(rows, columns=["due_date", "amount", "paid_amount"]), AS_OF)
        summed = overdue(queries.unpaid_payments_due_before(demo_session, scope, AS_OF), AS_OF)
        assert summed.count == each.count > 0
        assert summed.amount == pytest.approx(each.amount)
        assert summed.buckets == pytest.approx(each.buckets)
