"""The forecast through the database (issue 21): the loader on literal rows with an exact distribution worked out by
hand, the shrinkage of a level with few closed deals, the track record's replay that no later row can change, the V
value per RAD class on hand-classed accounts, and the API and callbacks on the demo against the test's own SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import jsonschema
from sqlalchemy import text
from sqlalchemy.orm import Session

from data_access.models import StageHistory
from data_access.scope import Scope
from data_access.users import Viewer
from metrics.period import Period
from metrics.views import forecast as view
from tests.builders import Seed, closed_history
from tests.dash_http import call_callback
from web.openapi import SCHEMAS

AS_OF = date(2026, 11, 27)
DIRECTOR = Viewer(1, "director", "director", None, None, None)


def _near(value: float | None, expected: float, tolerance: float = 1e-9) -> bool:
    return value is not None and abs(value - expected) < tolerance


def _schema(name: str) -> dict[str, Any]:
    return {**SCHEMAS[name], "$defs": SCHEMAS}


def test_fc101_two_due_deals_give_the_exact_distribution(session: Session):
    seed = Seed(session)
    team = seed.team("T1")
    rep = seed.rep("R1", team)
    acc = seed.account("A1", rep)
    # 40 deals closed from level 3 in the last 12 months, 20 won, all on time: p_win(3) = .5, p_close(3) = 1
    closed_history(seed, acc, 3, 20, 20, closed=date(2026, 5, 1), expected=date(2026, 6, 30))
    won = seed.opp(acc, 500, 5, "won", created=date(2026, 1, 5), expected=date(2026, 3, 1), closed=date(2026, 3, 1))
    seed.contract(won, 500, date(2026, 3, 1))
    seed.opp(acc, 100, 3, code="D1", expected=date(2026, 12, 15))  # lands with .5 x 1
    seed.opp(acc, 200, 4, code="D2", expected=date(2026, 12, 20))  # level 4 has no history: p(4) .75 x pooled 1
    seed.quota(rep, 2026, 650, 100)
    session.commit()

    data = view.load_forecast(session, DIRECTOR, {"period": "2026"}, AS_OF)
    f = data.forecast
    # the won deal entered level 5 and closed (won) on its expected day: level 5 is 1 closed, 1 won, 1 on time
    assert (data.rates[3].closed, data.rates[3].won, data.rates[3].on_time) == (40, 20, 40)
    assert data.rates[3].p_win == 0.5 and data.rates[3].p_close == 1.0
    assert data.rates[4].closed == 0 and data.rates[4].p_land == 0.75
    # booked 500 + {0, 100} + {0, 200}: 500 .125, 600 .125, 700 .375, 800 .375 -> P10 500, P50 700, P90 800
    assert (f.booked, f.p10, f.p50, f.p90) == (500.0, 500.0, 700.0, 800.0)
    assert f.quota == 650.0 and _near(f.probability_of_quota, 0.75, 0.02)  # P(>= 650) = P(D2 lands)
    assert (f.runs, f.deals, f.drawn) == (10_000, 2, 2)
    # spread: D1 100^2 x .5 x .5 = 2,500; D2 200^2 x .75 x .25 = 7,500 -> shares .75 and .25
    assert [(d["opp_code"], round(d["share"], 6)) for d in data.drivers] == [("D2", 0.75), ("D1", 0.25)]
    assert "10000 runs" in data.method and "2 deals due" in data.method


def test_fc102_a_level_with_few_closed_deals_is_shrunk_and_said_so(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    acc = seed.account("A1", rep)
    closed_history(seed, acc, 3, 8, 2, closed=date(2026, 5, 1), expected=date(2026, 6, 30))
    seed.opp(acc, 100, 3, expected=date(2026, 12, 15))
    session.commit()
    data = view.load_forecast(session, DIRECTOR, {"period": "2026"}, AS_OF)
    r = data.rates[3]
    assert r.shrunk and r.closed == 10
    assert abs(r.p_win - (8 + 20 * 0.5) / 30) < 1e-12  # (won + (30 - n) x p(3)) / 30 = .6
    assert "levels 1, 2, 3, 4, 5" in data.method  # every level has fewer than 30 closed deals here


def test_fc103_the_replay_of_a_quarter_reads_nothing_dated_after_its_start(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    acc = seed.account("A1", rep)
    closed_history(seed, acc, 2, 3, 2, closed=date(2026, 3, 1), expected=date(2026, 4, 1))
    o1 = seed.opp(acc, 1000, 2, code="O1", created=date(2026, 5, 1), expected=date(2026, 9, 15))
    o2 = seed.opp(acc, 400, 3, code="O2", created=date(2026, 6, 1), expected=date(2026, 8, 30))
    seed.opp(acc, 50, 2, "lost", created=date(2026, 5, 1), expected=date(2026, 9, 1), closed=date(2026, 6, 15))
    session.commit()
    quarter = Period(2026, 3)
    before = view.replay(session, Scope.everything(), quarter)
    assert before.deals == 2 and before.actual == 0.0
    assert before.weighted == 1000 * 0.25 + 400 * 0.5  # configured p(2), p(3) of the two deals open on 1 July

    # what happened after 1 July: O1 moves up, O2 is won and signed, a deal is created and one more closes
    session.add(StageHistory(opportunity_id=o1.id, level=4, entered_date=date(2026, 7, 10)))
    o1.level = 4
    o2.status, o2.level, o2.closed_date = "won", 5, date(2026, 8, 20)
    session.add(StageHistory(opportunity_id=o2.id, level=5, entered_date=date(2026, 8, 20)))
    seed.contract(o2, 400, date(2026, 8, 20))
    seed.opp(acc, 9999, 5, created=date(2026, 7, 5), expected=date(2026, 9, 1))
    seed.opp(acc, 70, 2, "lost", created=date(2026, 7, 2), expected=date(2026, 7, 30), closed=date(2026, 7, 20))
    session.commit()
    after = view.replay(session, Scope.everything(), quarter)
    assert (after.p10, after.p50, after.p90, after.weighted, after.deals) == (
        before.p10,
        before.p50,
        before.p90,
        before.weighted,
        before.deals,
    )
    assert after.actual == 400.0  # only what was booked in the quarter moved


def test_fc104_v_by_class_on_hand_classed_accounts(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    acc = {c: seed.account(f"A-{c}", rep) for c in ("R", "A", "D", "N")}
    for c in ("R", "A", "D"):
        seed.bp(acc[c], 2026, 1000)
    # 2026: R booked 600 (SOW 60%: R), D 200 (20%: D), A nothing (A); N has no BP (unknown)
    for c, amount, day in (("R", 600, date(2026, 3, 1)), ("D", 200, date(2026, 4, 1))):
        deal = seed.opp(acc[c], amount, 5, "won", created=date(2026, 1, 5), expected=day, closed=day)
        seed.contract(deal, amount, day)
    # last year's bookings: R 300, A 100, D 100 -> shares .6, .2, .2 (closed before the 365 days of win rates)
    for c, amount in (("R", 300), ("A", 100), ("D", 100)):
        deal = seed.opp(acc[c], amount, 5, "won", created=date(2025, 1, 5), expected=date(2025, 6, 1))
        deal.closed_date = date(2025, 6, 1)
        seed.contract(deal, amount, date(2025, 6, 1))
    seed.opp(acc["R"], 900, 3, "lost", created=date(2026, 1, 5), expected=date(2026, 5, 1), closed=date(2026, 5, 1))
    seed.opp(acc["A"], 300, 2, "lost", created=date(2026, 1, 5), expected=date(2026, 5, 1), closed=date(2026, 5, 1))
    for c, amount in (("R", 1200), ("A", 1000), ("D", 100), ("N", 50)):
        seed.opp(acc[c], amount, 3, expected=date(2026, 12, 10))
    seed.opp(acc["R"], 777, 3, expected=date(2027, 1, 10))  # due after the period: not in its V
    seed.quota(rep, 2026, 1800, 100)  # booked 800: remaining 1,000
    session.commit()

    data = view.load_class_v(session, DIRECTOR, {"period": "2026"}, AS_OF)
    got = {c.rad_class: c for c in data.classes}
    assert list(got) == ["R", "A", "D", "none"]
    assert got["R"].pipeline_due == 1200 and _near(got["R"].share, 0.6)
    assert _near(got["R"].v.value, 1200 / 600)  # 1,000 x .6 of the remaining quota
    assert _near(got["R"].win_rate, 600 / 1500) and _near(got["R"].required_v, 2.5)
    assert _near(got["A"].v.value, 1000 / 200) and got["A"].win_rate == 0.0 and got["A"].required_v is None
    assert _near(got["D"].v.value, 100 / 200) and got["D"].required_v == 1.0
    assert got["none"].pipeline_due == 50 and got["none"].share == 0.0 and got["none"].v.no_quota


def _sum(demo_session: Session, sql: str) -> float:
    return float(demo_session.execute(text(sql)).scalar_one() or 0)


def test_fc201_forecast_api_in_each_scope(rep, manager, director, demo_session):
    contracts = (
        "SELECT sum(c.amount) FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id JOIN reps r ON "
        "r.id = o.owner_rep_id WHERE c.signed_date BETWEEN '2026-01-01' AND '2026-12-31'"
    )
    for client, where in ((director, ""), (manager, " AND r.team_id = 1"), (rep, " AND r.rep_code = 'R0001'")):
        response = client.get("/api/v1/forecast?year=2026")
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        jsonschema.validate(body, _schema("Forecast"))
        assert abs(body["bookings"] - _sum(demo_session, contracts + where)) < 0.01
        assert body["bookings"] <= body["p10"] <= body["p50"] <= body["p90"]
        assert body["year"] == 2026 and body["quarter"] is None and "10000 runs" in body["method"]
    q4 = director.get("/api/v1/forecast?year=2026&quarter=4&team=1").get_json()
    assert q4["quarter"] == 4 and q4["p10"] <= q4["p90"]
    assert (
        abs(q4["bookings"] - _sum(demo_session, contracts.replace("2026-01-01", "2026-10-01") + " AND r.team_id = 1"))
        < 0.01
    )
    assert (
        director.get("/api/v1/forecast?year=2026&rep=R0001").get_json()
        == rep.get("/api/v1/forecast?year=2026").get_json()
    )


def test_fc202_forecast_api_refuses_what_is_not_the_callers(rep, manager, director):
    assert rep.get("/api/v1/forecast?rep=R0002").status_code == 403
    assert manager.get("/api/v1/forecast?team=2").status_code == 403
    for bad in ("quarter=5", "year=abc", "year=1999", "team=x", "foo=1", "year=2026&year=2025", "quarter=²"):
        response = director.get(f"/api/v1/forecast?{bad}")
        assert response.status_code == 400, bad


def test_fc203_funnel_api_by_class_adds_up_to_the_pipeline_due(manager, director, demo_session):
    due = (
        "SELECT sum(o.amount) FROM opportunities o JOIN reps r ON r.id = o.owner_rep_id WHERE o.status = 'open' AND "
        "o.expected_close_date <= '2026-12-31'"
    )
    for client, where in ((director, ""), (manager, " AND r.team_id = 1")):
        body = client.get("/api/v1/funnel").get_json()
        jsonschema.validate(body, _schema("Funnel"))
        assert {c["rad_class"] for c in body["by_class"]} <= {"R", "A", "D", None}
        assert abs(sum(c["pipeline_due"] for c in body["by_class"]) - _sum(demo_session, due + where)) < 0.05


def test_fc204_the_forecast_callbacks_answer_in_the_viewers_scope_whatever_is_posted(rep, manager):
    def post(client: Any, output: str, ask: Any) -> Any:
        return call_callback(client, output, {("forecast-ask", "data"): ask}).get_json()

    for output in ("forecast-body.children", "forecast-classes-body.children", "forecast-track-body.children"):
        own = post(manager, output, {"period": "2026"})
        assert post(manager, output, {"period": "2026", "team": "2"}) == own  # another team: ignored
        mine = post(rep, output, {"period": "2026"})
        assert post(rep, output, {"period": "2026", "rep": "R0002"}) == mine
        assert post(rep, output, {"period": "2026", "rep": ["R0002"], "x": {"a": 1}}) == mine
    refused = call_callback(rep, "forecast-body.children", {("forecast-ask", "data"): "DROP TABLE reps"})
    assert refused.status_code == 204  # not a dict: nothing to answer


def test_fc205_actions_api_in_each_scope_against_the_raw_rows(rep, manager, director, demo_session):
    overdue = (
        "SELECT DISTINCT o.opp_code FROM payments p JOIN contracts c ON c.id = p.contract_id JOIN opportunities o ON "
        "o.id = c.opportunity_id JOIN reps r ON r.id = o.owner_rep_id WHERE p.due_date < '2026-11-27' AND "
        "coalesce(p.paid_amount, 0) < p.amount"
    )
    team = {str(r[0]) for r in demo_session.execute(text("SELECT rep_code FROM reps WHERE team_id = 1"))}
    for client, where, allowed in (
        (rep, " AND r.rep_code = 'R0001'", {"R0001"}),
        (manager, " AND r.team_id = 1", team),
    ):
        body = client.get("/api/v1/actions").get_json()
        jsonschema.validate(body, _schema("Actions"))
        assert body["as_of"] == "2026-11-27" and body["actions"]
        assert {a["rep_code"] for a in body["actions"]} <= allowed
        collect = {a["opp_code"] for a in body["actions"] if a["kind"] == "collect_overdue"}
        assert collect == {str(r[0]) for r in demo_session.execute(text(overdue + where))}
        assert all(a["reason"] for a in body["actions"])
    mine = rep.get("/api/v1/actions").get_json()
    assert director.get("/api/v1/actions?rep=R0001").get_json() == mine
    assert manager.get("/api/v1/actions?rep=R0001").get_json() == mine  # R0001 is in team 1
    assert rep.get("/api/v1/actions?rep=R0002").status_code == 403
    outside = next(iter({str(r[0]) for r in demo_session.execute(text("SELECT rep_code FROM reps WHERE team_id = 2"))}))
    assert manager.get(f"/api/v1/actions?rep={outside}").status_code == 403
    assert director.get("/api/v1/actions?team=1").get_json() == manager.get("/api/v1/actions").get_json()
    assert manager.get("/api/v1/actions?team=2").status_code == 403
    assert director.get("/api/v1/actions?rep=R0001&rep=R0002").status_code == 400
