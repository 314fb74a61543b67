"""Funnel health computed in SQL equals metrics.funnel's rules (the reference) on the demo, in every scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from data_access import queries
from data_access.models import Opportunity, Rep
from data_access.scope import ProductLine, RadClass, Scope
from metrics.funnel import calibration, conversion, days_at_levels, days_in_level, stalled
from tests.conftest import AS_OF


@pytest.fixture(params=["everything", "team", "rep", "product", "class", "line-class", "team-class"])
def scope(request, demo_session) -> Scope:
    rep_id = demo_session.scalar(select(Rep.id).where(Rep.rep_code == "R0001"))
    line = queries.product_lines(demo_session, Scope.everything())[0]
    return {
        "everything": Scope.everything(),
        "team": Scope.team(1),
        "rep": Scope.rep(rep_id),
        "product": Scope.everything().narrow(deals=(ProductLine(line),)),
        # the whole company's class reads the class's list in one statement (Scope.reads_class_list)
        "class": Scope.everything().narrow(deals=(RadClass(AS_OF.year, "A", 0.5, 0.1),)),
        "line-class": Scope.everything().narrow(deals=(ProductLine(line), RadClass(AS_OF.year, "R", 0.5, 0.1))),
        "team-class": Scope.team(1).narrow(deals=(RadClass(AS_OF.year, "A", 0.5, 0.1),)),
    }[request.param]


def test_fsql001_conversion_and_calibration(demo_session, scope):
    history, outcomes = queries.funnel_history(demo_session, scope)
    start = AS_OF - timedelta(days=365)
    want = [(c.level, c.entered, c.advanced, c.won) for c in conversion(history, outcomes, start, AS_OF) if c.entered]
    health = queries.level_health(demo_session, scope, AS_OF)
    got = health[health["entered"] > 0][["level", "entered", "advanced", "entered_won"]]
    assert [tuple(r) for r in got.itertuples(index=False)] == want and want
    cal = [(c.level, c.closed, c.won) for c in calibration(history, outcomes, {}) if c.closed or c.won]
    got_cal = queries.level_health(demo_session, scope, AS_OF)[["level", "closed", "won"]]
    assert [tuple(r) for r in got_cal[got_cal["closed"] > 0].itertuples(index=False)] == cal


def test_fsql003_the_health_frames_columns_and_types_also_when_empty(demo_session, scope):
    """level_health hands over whole numbers and days as floats, on both databases (PostgreSQL's date difference
    is a whole number), and the same columns for a scope with no deals."""
    want = ["level", "closed", "won", "stays", "days", "entered", "advanced", "entered_won"]
    for s in (scope, Scope.nothing()):
        health = queries.level_health(demo_session, s, AS_OF)
        assert health.columns.tolist() == want
        assert [str(t) for t in health.dtypes] == ["int64"] * 4 + ["float64"] + ["int64"] * 3
    assert queries.level_health(demo_session, Scope.nothing(), AS_OF).empty


def test_fsql002_days_and_stalled(demo_session, scope):
    history, outcomes = queries.funnel_history(demo_session, scope)
    want = days_in_level(history, outcomes, AS_OF)
    got = days_at_levels(queries.level_health(demo_session, scope, AS_OF))
    assert got.keys() == want.keys()
    for level in want:
        assert (got[level] is None) == (want[level] is None)
        if want[level] is not None:
            assert got[level] == pytest.approx(want[level])
    for days in (30, 90):
        ref = stalled(history, outcomes, AS_OF, days)
        top, total = queries.stalled_deals(demo_session, scope, AS_OF, days, limit=10_000)
        assert total == len(ref) == len(top)
        assert sorted(map(tuple, top.values.tolist())) == sorted(map(tuple, ref.values.tolist()))
        # a page of them: the longest idle first (ties by id), and still all of them counted, whatever the page's
        # size (one row, none, the default 50)
        ordered = top.sort_values(["since", "opportunity_id"]).values.tolist()
        for limit in (3, 1, 0):
            page, counted = queries.stalled_deals(demo_session, scope, AS_OF, days, limit=limit)
            assert counted == len(ref), limit
            assert page.values.tolist() == ordered[:limit]
        page, counted = queries.stalled_deals(demo_session, scope, AS_OF, days)
        assert counted == len(ref) and page.values.tolist() == ordered[:50]


def test_fsql004_a_class_of_the_whole_company_lists_its_own_deals_at_a_stage_and_its_stalled_ones(session):
    """The whole company's class R (``Scope.reads_class_list``, the class's account list probed per row on SQLite):
    a stage lists the R account's deals of the stage, largest first, and the stalled deals are the R account's idle
    ones, whatever the A account holds at the same stage and idle as long."""
    from datetime import date

    from tests.builders import Seed, book

    seed = Seed(session)
    team = seed.team("东区")
    rep = seed.rep("SR1", team)
    r_acc, a_acc = seed.account("AC-R", rep), seed.account("AC-A", rep)
    book(seed, r_acc, 2026, 100.0, 60.0)  # SOW 60%: R
    book(seed, a_acc, 2026, 1_000.0, 5.0)  # SOW 0.5%: A
    old = date(2026, 1, 10)  # idle 300+ days on 2026-11-27
    seed.opp(r_acc, 50.0, 3, created=old, code="R-3a", product_line="云服务")
    seed.opp(r_acc, 80.0, 3, created=date(2026, 11, 20), code="R-3b", product_line="网络设备")
    seed.opp(r_acc, 20.0, 2, created=old, code="R-2")
    seed.opp(a_acc, 90.0, 3, created=old, code="A-3", product_line="云服务")
    seed.opp(a_acc, 10.0, 2, created=old, code="A-2")
    seed.opp(r_acc, 40.0, 6, "won", created=old, closed=date(2026, 5, 1), code="R-6")
    seed.opp(a_acc, 45.0, 6, "won", created=old, closed=date(2026, 5, 1), code="A-6")
    session.flush()
    today, start, end = date(2026, 11, 27), date(2026, 1, 1), date(2026, 12, 31)
    r = Scope.everything().narrow(deals=(RadClass(2026, "R", 0.5, 0.1),))
    a = Scope.everything().narrow(deals=(RadClass(2026, "A", 0.5, 0.1),))
    r_line = Scope.everything().narrow(deals=(ProductLine("云服务"), RadClass(2026, "R", 0.5, 0.1)))
    assert r.reads_class_list and r_line.reads_class_list

    def codes(scope: Scope, stage: str) -> list[str]:
        return list(queries.stage_opportunities(session, scope, stage, start, end)["opp_code"])

    assert codes(r, "3") == ["R-3b", "R-3a"]
    assert codes(a, "3") == ["A-3"]
    assert codes(r_line, "3") == ["R-3a"]
    assert codes(r, "6") == ["R-6"] and codes(a, "6") == ["A-6"]
    assert codes(r, "4") == []
    assert list(queries.stage_opportunities(session, r, "3", start, end, limit=1)["opp_code"]) == ["R-3b"]
    ids = {code: i for code, i in session.execute(select(Opportunity.opp_code, Opportunity.id))}
    stuck, total = queries.stalled_deals(session, r, today, 30)
    assert total == 2 and sorted(stuck["opportunity_id"]) == sorted([ids["R-3a"], ids["R-2"]])
    stuck, total = queries.stalled_deals(session, a, today, 30, limit=1)
    assert total == 2 and len(stuck) == 1 and stuck["opportunity_id"].iloc[0] in {ids["A-3"], ids["A-2"]}
    stuck, total = queries.stalled_deals(session, r_line, today, 30)
    assert total == 1 and list(stuck["opportunity_id"]) == [ids["R-3a"]]
