"""The closed-deals query on a hand-built database: which deals, their segment columns, the RAD class column,
the viewer's scope and the deal filters; the tallies, levels, cycles and drills summed or read in SQL against the
metric on the same rows."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_access import queries
from data_access.scope import ProductLine, RadClass, Scope
from data_access.settings import save_setting
from metrics import winloss
from metrics.frames import records
from metrics.winloss import head_to_head, tally
from tests.builders import Seed, rep_by_code
from tests.conftest import AS_OF

Y = 2026
START, END = date(Y, 1, 1), date(Y, 12, 31)


@pytest.fixture()
def world(session):
    seed = Seed(session)
    east, west = seed.team("华东一部"), seed.team("西部一部", region="西部")
    r1 = seed.rep("R1", east, name="王伟")
    r2 = seed.rep("R2", west, name="李娜")
    loner = seed.rep("R3", None, name="无团队")  # a rep without a team: the team column is empty, the deal stays
    big = seed.account("BIG", r1, industry="金融", region="华东")  # BP 1000, 600 booked this year: R
    cold = seed.account("COLD", r1, industry="政府", region="华东")  # BP 1000, nothing booked: A
    dark = seed.account("DARK", r2, industry="制造", region="西部")  # no BP: none
    manual = seed.account("MAN", loner, industry="能源", region="华北", rad_override="D")
    seed.bp(big, Y, 1000)
    seed.bp(big, Y - 1, 100)  # last year's BP (and class) must not count
    seed.bp(cold, Y, 1000)
    won = seed.opp(big, 600, 6, "won", closed=date(Y, 3, 1), code="W1", product_line="云服务", competitor="华为")
    seed.contract(won, 600, date(Y, 3, 1))
    seed.opp(big, 900, 5, "won", closed=date(Y, 8, 20), code="W2", product_line="网络设备", win_reason="价格优势")
    seed.opp(cold, 300, 3, "lost", closed=date(Y, 5, 2), code="L1", loss_reason="价格偏高", competitor="华为")
    seed.opp(cold, 200, 2, "lost", closed=date(Y, 12, 31), code="L2", product_line="云服务")  # no reason
    seed.opp(dark, 700, 4, "lost", closed=date(Y, 1, 1), code="L3", loss_reason="预算取消", competitor="思科")
    seed.opp(manual, 100, 5, "won", closed=date(Y, 6, 1), code="W3", competitor="思科")
    seed.opp(big, 50, 2, "lost", closed=date(Y - 1, 12, 31), code="OLD")  # closed last year
    seed.opp(big, 80, 3, "lost", closed=date(Y + 1, 1, 1), code="NEXT")  # closed next year
    seed.opp(big, 5000, 3, "open", code="OPEN")  # still open
    session.commit()
    return {"r1": r1, "r2": r2}


def test_wl020_closed_deals_of_the_period_with_their_segments(session, world):
    deals = queries.closed_deals(session, Scope.everything(), START, END)
    assert list(deals.columns) == queries.CLOSED_DEAL_COLUMNS
    assert deals["opp_code"].tolist() == ["W2", "L3", "W1", "L1", "L2", "W3"]  # largest first
    by_code = {r["opp_code"]: r for r in records(deals)}
    assert {k: v for k, v in by_code["L1"].items() if k != "id"} == {
        "opp_code": "L1",
        "name": "deal",
        "account": "COLD",
        "industry": "政府",
        "region": "华东",
        "team": "华东一部",
        "rep_code": "R1",
        "owner": "王伟",
        "product_line": None,
        "competitor": "华为",
        "amount": 300.0,
        "level": 3,
        "status": "lost",
        "created_date": date(Y, 1, 10),
        "closed_date": date(Y, 5, 2),
        "loss_reason": "价格偏高",
        "win_reason": None,
        "rad_class": "A",
    }
    assert by_code["L2"]["loss_reason"] is None and by_code["L2"]["product_line"] == "云服务"
    assert by_code["W2"]["win_reason"] == "价格优势"
    assert by_code["W3"]["team"] is None and by_code["W3"]["owner"] == "无团队"
    assert {c: by_code[c]["rad_class"] for c in by_code} == {
        "W1": "R",
        "W2": "R",
        "L1": "A",
        "L2": "A",
        "L3": "none",
        "W3": "D",
    }


def test_wl021_rad_class_follows_the_settings_and_the_year(session, world):
    save_setting(session, "rad_thresholds", {"r_min": 0.7, "a_max": 0.1})  # 60% booked is D now
    session.commit()
    deals = queries.closed_deals(session, Scope.everything(), START, END)
    assert set(deals.loc[deals["opp_code"].isin(["W1", "W2"]), "rad_class"]) == {"D"}
    # last year's deals are classed by last year's BP and bookings: BP 100, nothing booked -> A
    last = queries.closed_deals(session, Scope.everything(), date(Y - 1, 1, 1), date(Y - 1, 12, 31))
    assert last[["opp_code", "rad_class"]].values.tolist() == [["OLD", "A"]]


def test_wl022_scope_and_deal_filters_apply(session, world):
    mine = queries.closed_deals(session, Scope.rep(world["r1"].id), START, END)
    assert set(mine["opp_code"]) == {"W1", "W2", "L1", "L2"}
    west = queries.closed_deals(session, Scope.team(world["r2"].team_id), START, END)
    assert west["opp_code"].tolist() == ["L3"]
    cloud = queries.closed_deals(session, Scope.everything().narrow(deals=(ProductLine("云服务"),)), START, END)
    assert set(cloud["opp_code"]) == {"W1", "L2"}
    cls_a = queries.closed_deals(session, Scope.everything().narrow(deals=(RadClass(Y, "A", 0.5, 0.1),)), START, END)
    assert set(cls_a["opp_code"]) == {"L1", "L2"}
    assert queries.closed_deals(session, Scope.nothing(), START, END).empty


def test_wl023_competitor_tally_in_sql_equals_the_metric(session, world):
    sql = queries.competitor_outcomes(session, Scope.everything(), START, END)
    deals = queries.closed_deals(session, Scope.everything(), START, END)
    assert sql.to_dict("records") == [
        {"competitor": "华为", "won": 1, "lost": 1, "won_amount": 600.0, "lost_amount": 300.0},
        {"competitor": "思科", "won": 1, "lost": 1, "won_amount": 100.0, "lost_amount": 700.0},
    ]
    pd.testing.assert_frame_equal(head_to_head(sql), head_to_head(tally(deals, "competitor")))


def _sql_agrees_with_the_metric(session, scope: Scope, start: date, end: date) -> int:
    """Every win/loss figure summed in SQL equals the metric over the same closed deals read one by one, and
    every drill read in SQL lists the same deals; returns how many drills were compared."""
    deals = queries.closed_deals(session, scope, start, end)
    for segment in winloss.SEGMENTS:
        tallies, labels = queries.closed_tally(session, scope, start, end, segment)
        got = winloss.ranked_rates(winloss.regroup(tallies, segment), segment, labels)
        pd.testing.assert_frame_equal(got, winloss.segment_rates(deals, segment), check_dtype=False, obj=segment)
    shape = queries.closed_shape(session, scope, start, end)
    assert int(shape["count"].sum()) == len(deals)
    each = winloss.outcomes(deals)
    for o in (winloss.outcomes(shape), queries.closed_outcomes(session, scope, start, end)):  # sums in any order
        assert (o.won_count, o.lost_count) == (each.won_count, each.lost_count)
        assert (o.won_amount, o.lost_amount) == (pytest.approx(each.won_amount), pytest.approx(each.lost_amount))
    pd.testing.assert_frame_equal(winloss.lost_by_level(shape), winloss.lost_by_level(deals), check_dtype=False)
    pd.testing.assert_frame_equal(winloss.cycle_lengths(shape), winloss.cycle_lengths(deals), check_dtype=False)
    drills = [winloss.Drill(s, k) for s in winloss.SEGMENTS for k in winloss.segment_rates(deals, s)["key"]]
    drills += [winloss.Drill("reason", r) for r in {*map(winloss.key, deals["loss_reason"]), winloss.MISSING}]
    drills += [winloss.Drill("lost_level", str(lv)) for lv in range(1, 7)]
    drills += [winloss.Drill("outcome", o) for o in winloss.OUTCOMES]
    drills += [winloss.Drill("size_band", "9M-10M"), winloss.Drill("industry", "no such industry")]
    for drill in drills:
        want = winloss.deals_behind(deals, drill)
        read = queries.closed_deals(session, scope, start, end, drill)
        assert len(read) == len(want) == queries.closed_count(session, scope, start, end, drill), drill  # no more
        top = queries.closed_deals(session, scope, start, end, drill, limit=3)
        assert records(winloss.deals_behind(top, drill)) == records(want.head(3)), drill
        assert records(winloss.deals_behind(read, drill)) == records(want), drill
    return len(drills)


def test_wl024_win_loss_sums_and_drills_in_sql_equal_the_metric(session, world):
    r1, r2 = world["r1"], world["r2"]
    scopes = [
        Scope.everything(),
        Scope.rep(r1.id),
        Scope.team(r2.team_id),
        Scope.everything().narrow(deals=(ProductLine("云服务"),)),
        Scope.everything().narrow(deals=(RadClass(Y, "A", 0.5, 0.1),)),
        Scope.nothing(),
    ]
    assert sum(_sql_agrees_with_the_metric(session, scope, START, END) for scope in scopes) > 100
    assert queries.closed_shape(session, Scope.nothing(), START, END).empty


def test_wl025_on_the_demo_data_too(demo_session):
    _rep, team = rep_by_code(demo_session, "R0001") or (0, 0)
    assert team is not None
    for scope in (Scope.everything(), Scope.team(team)):
        for start, end in (
            (date(AS_OF.year, 1, 1), date(AS_OF.year, 12, 31)),
            (date(AS_OF.year - 1, 10, 1), date(AS_OF.year - 1, 12, 31)),
        ):
            assert _sql_agrees_with_the_metric(demo_session, scope, start, end) > 30
