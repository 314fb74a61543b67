"""The API takes the pages' filters (issue 22): each answer against the raw rows of the demo database, selected
here by the test's own SQL, and each refusal the pages would give."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

from tests.conftest import AS_OF
from tests.unit.test_api import _check

YEAR = AS_OF.year - 1


CLOSED = text(
    "SELECT o.status, o.amount FROM opportunities o JOIN reps r ON r.id = o.owner_rep_id "
    "WHERE o.status IN ('won', 'lost') AND o.closed_date BETWEEN :a AND :b "
    "AND (CAST(:team AS INTEGER) IS NULL OR r.team_id = :team) AND (CAST(:rep AS TEXT) IS NULL OR r.rep_code = :rep) "
    "AND (CAST(:line AS TEXT) IS NULL OR o.product_line = :line)"
)


def _closed(demo_session, a: str, b: str, team: int | None = None, rep: str | None = None, line: str | None = None):
    params = {"a": a, "b": b, "team": team, "rep": rep, "line": line}
    return pd.read_sql(CLOSED, demo_session.connection(), params=params)


def _outcome(frame: pd.DataFrame) -> tuple[int, int, float]:
    won, lost = frame[frame["status"] == "won"], frame[frame["status"] == "lost"]
    return len(won), len(lost), float(won["amount"].sum() / frame["amount"].sum())


def test_apf001_winloss_by_quarter_team_rep_and_product(director, manager, demo_session):
    line = demo_session.execute(
        text("SELECT product_line FROM opportunities WHERE product_line IS NOT NULL LIMIT 1")
    ).scalar()
    whole: dict[str, Any] = {"a": f"{YEAR}-01-01", "b": f"{YEAR}-12-31"}
    cases: list[tuple[str, dict[str, Any]]] = [
        (f"year={YEAR}&quarter=3", {"a": f"{YEAR}-07-01", "b": f"{YEAR}-09-30"}),
        (f"year={YEAR}&team=2", {**whole, "team": 2}),
        (f"year={YEAR}&rep=R0001", {**whole, "rep": "R0001"}),
        (f"year={YEAR}&product={line}", {**whole, "line": line}),
    ]
    for query, params in cases:
        body = _check(director.get("/api/v1/winloss?" + query), "WinLoss")
        won, lost, by_amount = _outcome(_closed(demo_session, **params))
        assert (body["won"], body["lost"]) == (won, lost), query
        assert body["win_rate_amount"] == pytest.approx(by_amount, abs=1e-6), query
    assert director.get(f"/api/v1/winloss?year={YEAR}&quarter=3").get_json()["quarter"] == 3
    # a manager's own team is the default, another team 403, a bad value 400
    mine = _check(manager.get(f"/api/v1/winloss?year={YEAR}"), "WinLoss")
    assert mine == _check(director.get(f"/api/v1/winloss?year={YEAR}&team=1"), "WinLoss")
    assert manager.get(f"/api/v1/winloss?year={YEAR}&team=2").status_code == 403
    for bad in ("quarter=5", "segment=colour", "team=abc", "rad=R&rad=A", "colour=red"):
        assert director.get(f"/api/v1/winloss?year={YEAR}&{bad}").status_code == 400, bad
    for outside in ("rad=X", "product=no-such-line", "rep=NOBODY"):
        assert director.get(f"/api/v1/winloss?year={YEAR}&{outside}").status_code == 403, outside


def test_apf002_winloss_by_segment_adds_up(director):
    body = _check(director.get(f"/api/v1/winloss?year={YEAR}&segment=product_line"), "WinLoss")
    assert body["segment"] == "product_line"
    assert sum(r["won"] for r in body["by_segment"]) == body["won"]
    assert sum(r["lost"] for r in body["by_segment"]) == body["lost"]
    default = _check(director.get(f"/api/v1/winloss?year={YEAR}"), "WinLoss")
    assert default["segment"] == "rad_class" and [r["key"] for r in default["by_segment"]][:3] == ["R", "A", "D"]


def test_apf003_funnel_by_product_and_class(director, demo_session):
    line = demo_session.execute(text("SELECT product_line FROM opportunities WHERE status = 'open' LIMIT 1")).scalar()
    body = _check(director.get(f"/api/v1/funnel?product={line}"), "Funnel")
    raw = pd.read_sql(
        text("SELECT level, amount FROM opportunities WHERE status = 'open' AND product_line = :l"),
        demo_session.connection(),
        params={"l": line},
    )
    got = {r["level"]: (r["count"], r["amount"]) for r in body["levels"] if r["count"]}
    want = {int(str(lv)): (len(g), float(g["amount"].sum())) for lv, g in raw.groupby("level")}
    assert got.keys() == want.keys()
    for level, (n, amount) in want.items():
        assert got[level][0] == n and got[level][1] == pytest.approx(amount)
    every = _check(director.get("/api/v1/funnel"), "Funnel")
    by_class = [
        _check(director.get(f"/api/v1/funnel?rad={c}"), "Funnel")["open_amount"] for c in ("R", "A", "D", "none")
    ]
    assert sum(by_class) == pytest.approx(every["open_amount"])  # the four classes split the open pipeline
    quarter = _check(director.get(f"/api/v1/funnel?year={AS_OF.year}&quarter=1"), "Funnel")
    assert quarter["levels"] == every["levels"]  # the open pipeline is today's, whatever the period
    assert director.get("/api/v1/funnel?rad=Q").status_code == 403


def test_apf004_rad_by_region_and_class(director, demo_session):
    region = demo_session.execute(text("SELECT region FROM accounts ORDER BY region LIMIT 1")).scalar()
    body = _check(director.get(f"/api/v1/rad?year={YEAR}&region={region}"), "Rad")
    codes = {
        r[0] for r in demo_session.execute(text("SELECT account_code FROM accounts WHERE region = :r"), {"r": region})
    }
    assert {a["account_code"] for a in body["accounts"]} == codes
    r_only = _check(director.get(f"/api/v1/rad?year={YEAR}&rad=R"), "Rad")
    assert r_only["accounts"] and {a["rad_class"] for a in r_only["accounts"]} == {"R"}
    assert director.get(f"/api/v1/rad?year={YEAR}&region=Atlantis").status_code == 400


def test_apf005_scorecard_says_the_reps_region(director, rep, demo_session):
    region = demo_session.execute(text("SELECT region FROM reps WHERE rep_code = 'R0001'")).scalar()
    assert region
    assert _check(director.get(f"/api/v1/scorecard/R0001?year={YEAR}"), "Scorecard")["region"] == region
    assert _check(rep.get(f"/api/v1/scorecard/R0001?year={YEAR}"), "Scorecard")["region"] == region


@pytest.mark.parametrize("route", ["events", "bids", "support", "quotes", "risk", "actions", "forecast", "funnel"])
def test_apf006_a_team_of_someone_elses_is_403_and_ones_own_is_the_default(route, manager, director):
    assert manager.get(f"/api/v1/{route}?team=2").status_code == 403
    assert manager.get(f"/api/v1/{route}?team=1").get_json() == manager.get(f"/api/v1/{route}").get_json()
    team = director.get(f"/api/v1/{route}?team=1")
    assert team.status_code == 200 and team.get_json() == manager.get(f"/api/v1/{route}?team=1").get_json()


def test_apf007_the_openapi_document_names_every_filter(director):
    doc = director.get("/api/v1/openapi.json").get_json()

    def names(path: str) -> set[str]:
        return {p["name"] for p in doc["paths"][path]["get"]["parameters"]}

    for path in ("/api/v1/funnel", "/api/v1/forecast", "/api/v1/winloss"):
        assert {"year", "quarter", "team", "rep", "product", "rad"} <= names(path), path
    assert "segment" in names("/api/v1/winloss")
    assert {"team", "rep", "rad", "region", "industry"} <= names("/api/v1/rad")
    for path in (
        "/api/v1/events",
        "/api/v1/bids",
        "/api/v1/support",
        "/api/v1/quotes",
        "/api/v1/risk",
        "/api/v1/actions",
    ):
        assert "team" in names(path), path
