"""The read-only JSON API: numbers, errors, tokens, the OpenAPI document, and a property-based run."""

from __future__ import annotations

import jsonschema
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from sqlalchemy import text

from data_access.db import session_factory
from data_access.users import create_token, revoke_tokens
from metrics.period import Period
from tests import truth
from tests.conftest import AS_OF
from web.openapi import SCHEMAS, openapi_document

P = {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.75, 5: 0.9}


def _schema(name: str) -> dict:
    return {**SCHEMAS[name], "$defs": SCHEMAS}


def _check(response, name: str) -> dict:
    body = response.get_json()
    jsonschema.validate(body, _schema(name))
    return body


def test_api001_openapi_document_is_valid(director):
    doc = director.get("/api/v1/openapi.json").get_json()
    validate(doc)
    assert doc == openapi_document()
    assert set(doc["paths"]) == {
        "/api/v1/rad",
        "/api/v1/funnel",
        "/api/v1/scorecard/{rep_code}",
        "/api/v1/winloss",
        "/api/v1/visits",
        "/api/v1/bids",
        "/api/v1/support",
        "/api/v1/quotes",
        "/api/v1/risk",
        "/api/v1/events",
        "/api/v1/training",
        "/api/v1/forecast",
        "/api/v1/actions",
    }


def test_api002_funnel_matches_the_raw_rows(director, demo_session):
    body = _check(director.get("/api/v1/funnel"), "Funnel")
    raw = pd.read_sql(text("SELECT level, amount FROM opportunities WHERE status = 'open'"), demo_session.connection())
    for row in body["levels"]:
        mine = raw[raw["level"] == row["level"]]
        assert row["count"] == len(mine)
        assert row["amount"] == pytest.approx(mine["amount"].sum())
        assert row["weighted"] == pytest.approx(mine["amount"].sum() * P[row["level"]])
    assert body["open_amount"] == pytest.approx(raw["amount"].sum())
    assert body["weighted_amount"] == pytest.approx((raw["amount"] * raw["level"].map(P)).sum())


def test_api003_winloss_matches_the_raw_rows(director, demo_session):
    body = _check(director.get(f"/api/v1/winloss?year={AS_OF.year - 1}"), "WinLoss")
    raw = pd.read_sql(
        text(
            "SELECT status, amount, loss_reason, competitor FROM opportunities "
            "WHERE status IN ('won', 'lost') AND closed_date BETWEEN :a AND :b"
        ),
        demo_session.connection(),
        params={"a": f"{AS_OF.year - 1}-01-01", "b": f"{AS_OF.year - 1}-12-31"},
    )
    won, lost = raw[raw["status"] == "won"], raw[raw["status"] == "lost"]
    assert (body["won"], body["lost"]) == (len(won), len(lost))
    assert body["win_rate"] == pytest.approx(len(won) / len(raw))
    assert body["win_rate_amount"] == pytest.approx(won["amount"].sum() / raw["amount"].sum())
    reasons = {r["reason"]: r for r in body["loss_reasons"]}
    assert reasons[None]["count"] == int(lost["loss_reason"].isna().sum()) > 0  # "reason missing" is counted
    assert sum(r["count"] for r in body["loss_reasons"]) == len(lost)
    named = raw[raw["competitor"].notna()]
    for c in body["competitors"]:
        mine = named[named["competitor"] == c["competitor"]]
        assert (c["won"], c["lost"]) == ((mine["status"] == "won").sum(), (mine["status"] == "lost").sum())


def test_api004_rad_and_scorecard_shapes_and_values(director, demo_session):
    rad = _check(director.get(f"/api/v1/rad?year={AS_OF.year - 1}"), "Rad")
    assert len(rad["accounts"]) == 300
    classes = {a["rad_class"] for a in rad["accounts"]}
    assert {"R", "A", "D"} <= classes
    for a in rad["accounts"]:
        if a["bp"] is None:
            assert a["sow"] is None and "no_bp" in a["flags"]
        else:
            assert a["sow"] == pytest.approx(a["bookings"] / a["bp"])
    card = _check(director.get(f"/api/v1/scorecard/R0001?year={AS_OF.year - 1}"), "Scorecard")
    rep_id = demo_session.execute(text("SELECT id FROM reps WHERE rep_code = 'R0001'")).scalar_one()
    year = Period(AS_OF.year - 1)
    booked = truth.bookings(demo_session, year.start, year.end, rep=rep_id)  # the test's own SQL
    target = truth.year_target(demo_session, year.year, rep_id)
    assert target and card["bookings"] == pytest.approx(booked) and card["revenue_target"] == pytest.approx(target)
    assert card["attainment"] == pytest.approx(booked / target)
    assert card["remaining_quota"] == pytest.approx(max(card["revenue_target"] - card["bookings"], 0))
    tc = demo_session.execute(
        text(
            "SELECT target_commission FROM quotas q JOIN reps r ON r.id = q.rep_id "
            "WHERE r.rep_code = 'R0001' AND q.year = :y AND q.quarter IS NULL"
        ),
        {"y": AS_OF.year - 1},
    ).scalar_one()
    tc, att = float(tc), card["attainment"]
    expected = tc * (min(att, 1.0) + max(min(att, 1.5) - 1.0, 0) * 1.5 + max(att - 1.5, 0) * 2.0)
    assert card["commission_payout"] == pytest.approx(expected)
    quarter = _check(director.get(f"/api/v1/scorecard/R0001?year={AS_OF.year}&quarter=2"), "Scorecard")
    assert quarter["quarter"] == 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/rad?year=abc", "year must be a whole number"),
        ("/api/v1/rad?year=1999", "year must be between 2000 and 2100"),
        ("/api/v1/rad?yr=2026", "unknown parameter(s): yr"),
        ("/api/v1/rad?year=2025&year=2026", "given more than once"),
        ("/api/v1/scorecard/R0001?quarter=5", "quarter must be between 1 and 4"),
        ("/api/v1/funnel?team=x", "team must be a whole number"),
        ("/api/v1/winloss?year=2026%00", "year must be a whole number"),
    ],
)
def test_api005_bad_parameters_are_400_with_a_message(director, path, message):
    response = director.get(path)
    assert response.status_code == 400
    body = _check(response, "Error")
    assert message in body["message"]


def test_api006_unknown_endpoint_and_method(director):
    assert director.get("/api/v1/nothing").status_code == 404
    assert director.post("/api/v1/rad").status_code == 405


def test_api007_bearer_tokens_work_until_revoked(dash_app, demo_engine):
    with session_factory(demo_engine)() as session:
        _row, secret = create_token(session, "rep", "api test")
        session.commit()
    c = dash_app.server.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert c.get("/api/v1/scorecard/R0001", headers=auth).status_code == 200
    assert c.get("/api/v1/scorecard/R0002", headers=auth).status_code == 403  # a rep's token has the rep's scope
    assert c.get("/api/v1/funnel", headers={"Authorization": f"Bearer {secret}x"}).status_code == 401
    assert c.get("/api/v1/funnel", headers={"Authorization": "Bearer "}).status_code == 401
    with session_factory(demo_engine)() as session:
        assert revoke_tokens(session, "rep") >= 1
        session.commit()
    response = c.get("/api/v1/funnel", headers=auth)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api008_tokens_are_stored_hashed(demo_engine):
    with session_factory(demo_engine)() as session:
        _row, secret = create_token(session, "director")
        session.commit()
        stored = [h for (h,) in session.execute(text("SELECT token_hash FROM api_tokens"))]
    assert secret not in stored and all(len(h) == 64 for h in stored)


QUERY_VALUE = st.one_of(
    st.integers(-(10**12), 10**12).map(str), st.text(max_size=12), st.sampled_from(["", "2025", "3"])
)
PATHS = st.sampled_from(
    [
        "/api/v1/rad",
        "/api/v1/funnel",
        "/api/v1/winloss",
        "/api/v1/scorecard/R0001",
        "/api/v1/scorecard/R0002",
        "/api/v1/scorecard/%E4%B8%AD",
        "/api/v1/scorecard/R0001%27--",
    ]
)
PARAMS = st.dictionaries(st.sampled_from(["year", "quarter", "rep", "team", "x"]), QUERY_VALUE, max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=PATHS, params=PARAMS, who=st.sampled_from(["director", "manager", "rep"]))
def test_api009_no_input_makes_a_500(director, manager, rep, path, params, who):
    client = {"director": director, "manager": manager, "rep": rep}[who]
    response = client.get(path, query_string=params)
    assert response.status_code in (200, 400, 403, 404), (path, params, response.get_data()[:300])
    if response.status_code == 200:
        name = {"rad": "Rad", "funnel": "Funnel", "winloss": "WinLoss"}.get(path.rsplit("/", 1)[-1], "Scorecard")
        _check(response, name)
    else:
        _check(response, "Error")
