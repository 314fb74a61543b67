"""The view loaders' branches the mutation run left unreached, called directly on small hand-built databases; every
expected value is written below from the test's own rows (never from the loaders or the queries they call).

- The weekly review (``metrics.views.funnel``): a database without reps has an empty slide; a rep's slide is that rep's
  alone (the team's lists no deals) and holds at most 8 open deals, a deal without stage history has no idle days,
  and a deal idle exactly 30 days is not stalled yet (31 is).
- RAD (``metrics.views.rad``): who is a director, every class's accounts, the scatter of one industry.
- Win/loss's drill of a RAD class for a viewer of the whole company (``drill_deals``).
- The Overview's lists hold their first 200 rows of 201 (``_listed``).
- The forecast: 1,001 deals due, 1,000 drawn one by one and the last one in the rest; a replay of a deal at level 6
  on the quarter's first day (no rate: it lands with probability 0).
- The staff and support addresses: the weeks of 2000 and 2100 are in range, 2101's is not (the notice word for
  word), a year that is no number (its notice), the support page without ``team`` has no notice; an event's pipeline
  after it (``year_events``).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from data_access.models import Contract, Payment
from data_access.scope import Scope
from data_access.users import Viewer
from metrics.period import Period
from metrics.views import forecast as forecast_view
from metrics.views import funnel as funnel_view
from metrics.views import overview as overview_view
from metrics.views import rad as rad_view
from metrics.views import staff as staff_view
from metrics.views import support as support_view
from metrics.views import winloss as winloss_view
from tests.builders import Seed, add_event, attend, book, make_viewer

TODAY = date(2026, 11, 27)
DIRECTOR = make_viewer(1, "director")


# --- the weekly review ------------------------------------------------------------------------------------------


def test_lmo001_a_review_without_reps_is_an_empty_slide(session: Session) -> None:
    got = funnel_view.load_review(session, DIRECTOR, {}, TODAY)
    assert got.filters.period == Period(2026) and got.filters.problems == ()
    assert (got.today, got.since) == (TODAY, date(2026, 11, 20))
    assert got.reps == [] and got.index is None
    assert (got.kpis, got.moved, got.details) == (None, None, {})
    assert got.deals == [] and got.ranking == []


def _review_world(session: Session) -> int:
    """Team 评审组: RA with nine open deals (RA-1..RA-9), RB with one (RB-1)."""
    seed = Seed(session)
    team = seed.team("评审组")
    ra, rb = seed.rep("RA", team), seed.rep("RB", team)
    acc_a, acc_b = seed.account("AC-A", ra), seed.account("AC-B", rb)
    # no stage history at all: no day it last changed level
    seed.opp(acc_a, 90_000, 5, created=date(2026, 10, 1), code="RA-1", stages=[])
    # level 4 since exactly 30 days ago: not stalled yet; since 31 days ago: stalled
    seed.opp(acc_a, 80_000, 4, created=TODAY - timedelta(days=30), code="RA-2")
    seed.opp(acc_a, 70_000, 4, created=TODAY - timedelta(days=31), code="RA-3")
    for n, amount in zip(range(4, 10), (60_000, 50_000, 40_000, 30_000, 20_000, 10_000), strict=True):
        seed.opp(acc_a, amount, 2, created=date(2026, 11, 1), code=f"RA-{n}")
    seed.opp(acc_b, 500_000, 5, created=date(2026, 11, 1), code="RB-1")
    session.flush()
    return team.id


def test_lmo002_a_reps_slide_lists_their_first_eight_open_deals_with_idle_days(session: Session) -> None:
    team_id = _review_world(session)
    got = funnel_view.load_review(session, DIRECTOR, {"team": str(team_id), "rep": "RA", "year": "2026"}, TODAY)
    assert got.filters.team_id == team_id and got.filters.period == Period(2026)
    assert [d["opp_code"] for d in got.deals] == [f"RA-{n}" for n in range(1, 9)]
    assert [d["idle_days"] for d in got.deals] == [None, 30, 31, 26, 26, 26, 26, 26]
    assert [d["stalled"] for d in got.deals] == [False, False, True, False, False, False, False, False]
    assert got.open_count == 9  # RA's nine, not RB's


def test_lmo003_the_team_slide_lists_no_deals_and_counts_every_reps(session: Session) -> None:
    team_id = _review_world(session)
    got = funnel_view.load_review(session, DIRECTOR, {"team": str(team_id), "year": "2026"}, TODAY)
    assert got.index is None and got.deals == []
    assert got.open_count == 10
    rb = funnel_view.load_review(session, DIRECTOR, {"team": str(team_id), "rep": "RB", "year": "2026"}, TODAY)
    assert [d["opp_code"] for d in rb.deals] == ["RB-1"] and rb.open_count == 1


# --- RAD -----------------------------------------------------------------------------------------------------------


def _rad_world(session: Session) -> Viewer:
    """Team 东区, rep RR owning AC-F (金融, BP 100, 60 booked in 2026: R) and AC-M (制造, BP 100, 5 booked: A);
    returns the viewer of their manager MM."""
    seed = Seed(session)
    team = seed.team("东区")
    rep = seed.rep("RR", team)
    manager = seed.rep("MM", team, role="manager")
    fin = seed.account("AC-F", rep, industry="金融")
    man = seed.account("AC-M", rep, industry="制造")
    book(seed, fin, 2026, 100.0, 60.0)
    book(seed, man, 2026, 100.0, 5.0)
    session.flush()
    return make_viewer(2, "manager", manager)


def test_lmo004_rad_load_knows_the_director_and_holds_every_class(session: Session) -> None:
    manager_viewer = _rad_world(session)
    got = rad_view.load(session, DIRECTOR, {"year": "2026"}, TODAY)
    assert got.is_director is True
    assert list(got.everything["account_code"]) == ["AC-F", "AC-M"]
    assert dict(zip(got.everything["account_code"], got.everything["rad_class"], strict=True)) == {
        "AC-F": "R",
        "AC-M": "A",
    }
    manager = rad_view.load(session, manager_viewer, {"year": "2026"}, TODAY)
    assert manager.is_director is False


def test_lmo005_the_scatter_holds_the_chosen_industry_only(session: Session) -> None:
    _rad_world(session)
    got = rad_view.load(session, DIRECTOR, {"year": "2026", "industry": "制造"}, TODAY)
    assert list(got.points["account_code"]) == ["AC-M"]
    assert list(got.everything["account_code"]) == ["AC-M"]


# --- win/loss ----------------------------------------------------------------------------------------------------


def test_lmo006_a_directors_drill_of_class_r_lists_the_r_accounts_deals(session: Session) -> None:
    seed = Seed(session)
    team = seed.team("西区")
    rep = seed.rep("RW", team)
    r_acc, a_acc = seed.account("AC-R", rep), seed.account("AC-A", rep)
    seed.bp(r_acc, 2026, 100.0)
    seed.bp(a_acc, 2026, 1_000.0)
    won = seed.opp(r_acc, 60.0, 5, "won", created=date(2026, 1, 5), closed=date(2026, 3, 1), code="W-R")
    seed.contract(won, 60.0, date(2026, 3, 1))  # SOW 60%: R
    seed.opp(r_acc, 30.0, 3, "lost", created=date(2026, 1, 5), closed=date(2026, 4, 1), code="L-R")
    seed.opp(a_acc, 40.0, 3, "lost", created=date(2026, 1, 5), closed=date(2026, 4, 1), code="L-A")  # A: 0%
    session.flush()
    got = winloss_view.drill_deals(session, DIRECTOR, {"year": "2026", "segment": "rad_class", "value": "R"}, TODAY)
    assert list(got["opp_code"]) == ["W-R", "L-R"]
    assert list(got["rad_class"]) == ["R", "R"]


# --- the Overview's lists ----------------------------------------------------------------------------------------


def test_lmo007_each_overview_list_holds_its_first_200_rows_of_201(session: Session) -> None:
    """201 deals won in 2026 (amounts 1,000 + i), each with a contract signed that day and a payment due 2026-06-01
    of 10, nothing paid."""
    seed = Seed(session)
    team = seed.team("列表组")
    rep = seed.rep("RL", team)
    acc = seed.account("AC-L", rep)
    day = date(2026, 3, 1)
    opps = seed.many_opps(
        acc,
        201,
        "L{i:03d}",
        amount=1_000,
        step=1,
        level=5,
        status="won",
        created=date(2026, 1, 5),
        expected=day,
        closed=day,
    )
    contracts = [
        Contract(
            contract_code=f"HL{i:03d}",
            opportunity_id=o.id,
            signed_date=date(2026, 3, 1),
            amount=1_000 + i,
            gross_margin=0,
        )
        for i, o in enumerate(opps)
    ]
    session.add_all(contracts)
    session.flush()
    session.add_all(
        Payment(contract_id=c.id, milestone="advance", due_date=date(2026, 6, 1), amount=10) for c in contracts
    )
    session.flush()
    for kind in ("bookings", "overdue", "won"):
        got = overview_view.load(session, DIRECTOR, {"year": "2026", "list": kind}, TODAY).listed
        assert got is not None
        assert (len(got.rows), got.n) == (200, 201), kind


# --- the forecast ------------------------------------------------------------------------------------------------


def test_lmo008_a_thousand_and_one_deals_due_draw_a_thousand_and_sum_the_last(session: Session) -> None:
    seed = Seed(session)
    team = seed.team("预测组")
    rep = seed.rep("RF", team)
    acc = seed.account("AC-FC", rep)
    seed.many_opps(
        acc, 1_001, "F{i:04d}", amount=100, step=1, level=3, created=date(2026, 1, 5), expected=date(2026, 12, 1)
    )
    got = forecast_view.load_forecast(session, DIRECTOR, {"year": "2026"}, TODAY).forecast
    assert (got.deals, got.drawn) == (1_001, 1_000)


def test_lmo009_a_deal_at_level_6_on_the_quarters_first_day_never_lands(session: Session) -> None:
    """Deal D6 (1,000, created 2026-05-04, level 6 from 06-20, won 07-10): open on 07-01 at level 6, for which
    there is no rate; it cannot land, so the replay of Q3 forecasts nothing."""
    seed = Seed(session)
    team = seed.team("回放组")
    rep = seed.rep("RP", team)
    acc = seed.account("AC-P", rep)
    d6 = seed.opp(
        acc,
        1_000.0,
        6,
        "won",
        created=date(2026, 5, 4),
        expected=date(2026, 7, 15),
        closed=date(2026, 7, 10),
        code="D6",
        stages=[(date(2026, 5, 4), 5), (date(2026, 6, 20), 6)],
    )
    seed.contract(d6, 1_000.0, date(2026, 7, 10))
    session.flush()
    got = forecast_view.replay(session, Scope.everything(), Period(2026, 3))
    assert (got.p10, got.p50, got.p90) == (0.0, 0.0, 0.0)
    assert got.actual == 1_000.0


# --- staff and support addresses ---------------------------------------------------------------------------------


def test_lmo010_the_weeks_of_2000_and_2100_are_in_range(session: Session) -> None:
    first = staff_view.load_week(session, DIRECTOR, {"week": "2000-W10"}, TODAY)
    assert (first.monday, first.problems) == (date(2000, 3, 6), ())
    last = staff_view.load_week(session, DIRECTOR, {"week": "2100-W10"}, TODAY)
    assert (last.monday, last.problems) == (date(2100, 3, 8), ())


def test_lmo011_a_week_after_2100_is_today_s_with_its_notice(session: Session) -> None:
    got = staff_view.load_week(session, DIRECTOR, {"week": "2101-W10"}, TODAY)
    assert got.monday == date(2026, 11, 23)
    assert got.problems == ("week '2101-W10' is outside 2000-2100",)
    padded = "2101-W10" + " " * 13  # 21 characters: the notice quotes the first 20
    got = staff_view.load_week(session, DIRECTOR, {"week": padded}, TODAY)
    assert got.problems == ("week '2101-W10            ' is outside 2000-2100",)


def test_lmo012_a_year_that_is_no_number_is_named_in_its_notice(session: Session) -> None:
    got = staff_view.load_events(session, DIRECTOR, {"year": "abcdefghijklmnopqrstuvwxyz"}, TODAY)
    assert got.problems == ("year 'abcdefghijklmnopqrst' is not a year from 2000 to 2100",)
    assert got.year == 2026


def test_lmo013_the_support_page_without_a_team_has_no_notice(session: Session) -> None:
    seed = Seed(session)
    team = seed.team("支持组")
    seed.rep("RS", team)
    session.flush()
    got = support_view.load_support(session, DIRECTOR, {"year": "2026"}, TODAY)
    assert got.problems == () and got.team_id is None


def test_lmo014_an_events_pipeline_after_is_the_deal_its_account_opened_after_it(session: Session) -> None:
    """Event EV1 (RE, seminar, 2026-03-01, cost 100) attended by AC-E; deal EV-D (500, open) created at AC-E on
    03-10."""
    seed = Seed(session)
    team = seed.team("活动组")
    rep = seed.rep("RE", team)
    acc = seed.account("AC-E", rep)
    event = add_event(session, "EV1", rep, "seminar", date(2026, 3, 1), 100.0)
    attend(session, event, acc)
    seed.opp(acc, 500.0, 2, created=date(2026, 3, 10), code="EV-D")
    session.flush()
    got = staff_view.year_events(session, Scope.everything(), 2026)
    assert [(s.event.event_code, s.accounts, s.pipeline_after_amount, s.pipeline_after_count) for s in got] == [
        ("EV1", 1, 500.0, 1)
    ]
