"""Sales support over HTTP on the demo (issue 20): each role's pages, the API's shapes and scope against the raw
rows (counted in SQL of the test's own), and what a rep or manager can post to the calculator and the thresholds
form. A threshold the test saves is put back at the end: the demo database is shared by the session's tests."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from sqlalchemy import text

from tests.dash_http import call_callback, render_page, text_of, walk
from web.openapi import SCHEMAS

CALC = "calc-result.children"


def _schema(name: str) -> dict:
    return {**SCHEMAS[name], "$defs": SCHEMAS}


def _csrf(client) -> str:
    layout = client.get("/_dash-layout").get_json()
    return next(n["props"]["value"] for n in walk(layout) if n["props"].get("id") == "logout-csrf")


def _codes(demo_session, sql: str, **params: Any) -> set[str]:
    return {str(r[0]) for r in demo_session.execute(text(sql), params)}


BIDS_2026 = (
    "SELECT b.bid_code FROM bids b JOIN opportunities o ON o.id = b.opportunity_id JOIN reps r ON r.id = "
    "o.owner_rep_id WHERE b.deadline BETWEEN '2026-01-01' AND '2026-12-31'"
)


def test_sup201_each_role_sees_the_support_desk(rep, manager, director):
    for client in (rep, manager, director):
        page = text_of(render_page(client, "/support"))
        assert "Bids and technical support" in page and "Status funnel" in page and "Win rate" in page
        tech = text_of(render_page(client, "/support", "?tab=tech"))
        assert "Turnaround by kind" in tech and "Deals with support" in tech and "(n=" in tech
    zh = text_of(render_page(director, "/support", lang="zh"))
    assert "标案支持与技术支持" in zh and "中标率" in zh and "Win rate" not in zh


def test_sup202_bids_api_scope_equals_the_raw_rows(rep, manager, director, demo_session):
    for client, where in (
        (director, ""),
        (manager, " AND r.team_id = 1"),
        (rep, " AND r.rep_code = 'R0001'"),
    ):
        response = client.get("/api/v1/bids?year=2026")
        assert response.status_code == 200
        body = response.get_json()
        jsonschema.validate(body, _schema("Bids"))
        assert {b["bid_code"] for b in body["bids"]} == _codes(demo_session, BIDS_2026 + where)
        won = _codes(demo_session, BIDS_2026 + where + " AND b.status = 'won'")
        assert body["won"] == len(won)
        on_time = {
            str(code): None if late is None else not late
            for code, late in demo_session.execute(
                text(
                    "SELECT b.bid_code, CASE WHEN b.submitted_date IS NULL THEN NULL WHEN b.submitted_date > "
                    "b.deadline THEN 1 ELSE 0 END FROM bids b"
                )
            )
        }
        assert all(b["on_time"] == on_time[b["bid_code"]] for b in body["bids"])


def test_sup203_support_quotes_and_risk_answers(rep, manager, director, demo_session):
    body = director.get("/api/v1/support?year=2026").get_json()
    jsonschema.validate(body, _schema("Support"))
    requested = _codes(
        demo_session,
        "SELECT request_code FROM support_requests WHERE requested_date BETWEEN '2026-01-01' AND '2026-12-31'",
    )
    assert body["requests"] == len(requested)
    quotes = manager.get("/api/v1/quotes?year=2026").get_json()
    jsonschema.validate(quotes, _schema("Quotes"))
    team_quotes = _codes(
        demo_session,
        "SELECT q.quote_code FROM quote_lines q JOIN opportunities o ON o.id = q.opportunity_id JOIN reps r ON "
        "r.id = o.owner_rep_id WHERE r.team_id = 1 AND q.quoted_date BETWEEN '2026-01-01' AND '2026-12-31'",
    )
    assert {q["quote_code"] for q in quotes["quotes"]} == team_quotes
    assert rep.get("/api/v1/risk?year=2026").status_code == 403
    risk = manager.get("/api/v1/risk?year=2026").get_json()
    jsonschema.validate(risk, _schema("Risk"))
    team = _codes(demo_session, "SELECT rep_code FROM reps WHERE team_id = 1")
    assert risk["flags"] and {f["rep_code"] for f in risk["flags"]} <= team
    everyone = director.get("/api/v1/risk?year=2026").get_json()
    assert {f["kind"] for f in everyone["flags"]} == {
        "unapproved_below_floor",
        "self_approved",
        "contract_below_quote",
        "discount_outlier",
        "event_cost_high",
    }


def test_sup204_a_deal_of_another_team_gives_no_quotes(manager, demo_session):
    theirs = demo_session.execute(
        text(
            "SELECT o.opp_code FROM quote_lines q JOIN opportunities o ON o.id = q.opportunity_id JOIN reps r ON "
            "r.id = o.owner_rep_id WHERE r.team_id <> 1 AND q.quoted_date >= '2026-01-01' ORDER BY q.id LIMIT 1"
        )
    ).scalar_one()
    assert manager.get(f"/api/v1/quotes?year=2026&opp={theirs}").get_json() == {"quotes": []}
    page = text_of(render_page(manager, f"/opportunities/{theirs}"))
    assert "No opportunity" in page and "Quote versions" not in page


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/bids?year=abc", 400),
        ("/api/v1/bids?year=²", 400),
        ("/api/v1/bids?team=abc", 400),
        ("/api/v1/bids?team=1&team=2", 400),
        ("/api/v1/support?year=1800", 400),
        ("/api/v1/quotes?opp=" + "x" * 51, 400),
        ("/api/v1/quotes?opp=%00", 400),
        ("/api/v1/quotes?year=2026&year=2025", 400),
        ("/api/v1/risk?kind=self_approved", 400),
    ],
)
def test_sup205_bad_parameters_are_400(director, path, status):
    response = director.get(path)
    assert response.status_code == status and "error" in response.get_json()


def _calc(client, lines: list[tuple[Any, Any, Any]]) -> Any:
    def many(kind: str, values: list[Any]) -> list[dict[str, Any]]:
        return [{"id": {"type": kind, "index": i}, "property": "value", "value": v} for i, v in enumerate(values)]

    payload = {
        "output": CALC,
        "outputs": {"id": "calc-result", "property": "children"},
        "inputs": [
            many("calc-product", [p for p, _, _ in lines]),
            many("calc-qty", [q for _, q, _ in lines]),
            many("calc-price", [u for _, _, u in lines]),
        ],
        "state": [],
        "changedPropIds": [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]["calc-result"]["children"]


def test_sup206_the_calculator_prices_from_the_stored_list(rep, demo_session):
    code, list_price, cost, floor = demo_session.execute(
        text("SELECT product_code, list_price, unit_cost, floor_margin FROM products ORDER BY product_code LIMIT 1")
    ).one()
    floor = 0.15 if floor is None else float(floor)
    below = float(cost) / (1 - floor) * 0.95  # a price whose margin is under the floor
    answer = text_of(_calc(rep, [(code, "2", ""), (code, "1", f"{below:.2f}")]))
    assert "below floor: needs approval" in answer and "1 line(s) below their margin floor" in answer
    at_list = text_of(_calc(rep, [(code, "3", "")]))
    assert ("needs approval" in at_list) == ((float(list_price) - float(cost)) / float(list_price) < floor)
    # a code that is not on the list, a price a client made up out of range, numbers that are no numbers
    hostile = text_of(
        _calc(rep, [("DROP TABLE", "1", ""), (code, "1e999", ""), (code, "1", "-5"), ({"a": 1}, [], None)])
    )
    assert "is not on the price list" in hostile and "is not a number" in hostile and "is not an amount" in hostile


def _save(client, csrf: str, **values: Any) -> str:
    fields = {"floor_margin": 15, "contract_below_quote": 5, "discount_gap": 10, "min_team_reps": 3}
    fields["event_cost_share"] = 10
    fields.update(values)
    form = {(f"risk-threshold-{k}", "value"): v for k, v in fields.items()}
    response = call_callback(
        client, "risk-message.children", {("risk-save", "n_clicks"): 1, ("logout-csrf", "value"): csrf, **form}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return text_of(response.get_json()["response"]["risk-message"]["children"])


def _floor(demo_session) -> Any:
    demo_session.rollback()
    return demo_session.execute(text("SELECT value FROM settings WHERE key = 'floor_margin'")).scalar_one()


@pytest.fixture()
def restore_thresholds(demo_engine):
    yield
    with demo_engine.begin() as conn:
        conn.execute(text("UPDATE settings SET value = '0.15' WHERE key = 'floor_margin'"))
        conn.execute(
            text("UPDATE settings SET value = :v WHERE key = 'risk_thresholds'"),
            {"v": '{"contract_below_quote": 0.05, "discount_gap": 0.1, "min_team_reps": 3, "event_cost_share": 0.1}'},
        )
        conn.execute(text("DELETE FROM change_log WHERE entity = 'settings'"))


def test_sup207_only_a_director_with_the_session_token_saves_thresholds(
    rep, manager, director, demo_session, restore_thresholds
):
    before = _floor(demo_session)
    assert "Only a director" in _save(manager, _csrf(manager), floor_margin=1)
    assert "Only a director" in _save(rep, _csrf(rep), floor_margin=1)
    assert "expired" in _save(director, "forged", floor_margin=1)
    assert "Check Default margin floor: out of range" in _save(director, _csrf(director), floor_margin=99)
    assert _floor(demo_session) == before
    assert "Thresholds saved" in _save(director, _csrf(director), floor_margin=12.5)
    assert float(_floor(demo_session)) == 0.125


def test_sup208_risk_page_roles_and_the_overview_count(rep, manager, director):
    mine = text_of(render_page(rep, "/risk"))
    assert "for managers and directors" in mine and "Below floor, unapproved" not in mine
    team = text_of(render_page(manager, "/risk"))
    assert "Below floor, unapproved" in team and "Thresholds (directors)" not in team
    assert re.search(r"Rep: [^ (]+ \(R\d{4}\)", team)  # a rep by name, the code beside it
    assert "Thresholds (directors)" in text_of(render_page(director, "/risk"))
    one = text_of(render_page(director, "/risk", "?kind=discount_outlier"))
    assert "Discount outlier" in one and "All flags" in one
    assert "Risk flags, 2026" in text_of(render_page(director, "/"))
    assert "Risk flags" not in text_of(render_page(manager, "/"))
    # the counts fill in after the page (they read the whole company's year): the director's ask, answered
    answer = call_callback(director, "overview-risk-body.children", {("overview-risk-ask", "data"): {"year": "2026"}})
    assert "Below floor, unapproved" in text_of(answer.get_json()["response"]["overview-risk-body"]["children"])
    refused = call_callback(manager, "overview-risk-body.children", {("overview-risk-ask", "data"): {"year": "2026"}})
    assert refused.get_json()["response"]["overview-risk-body"]["children"] is None  # a manager asking: nothing
    assert "/risk" not in str(rep.get("/_dash-layout").get_json())  # not in a rep's navbar


def test_sup209_the_pricing_page_and_a_deals_quote_versions(rep, director, demo_session):
    page = text_of(render_page(rep, "/pricing"))
    assert "Calculator" in page and "Discount per rep" in page
    opp = demo_session.execute(
        text(
            "SELECT o.opp_code FROM quote_lines q JOIN opportunities o ON o.id = q.opportunity_id "
            "GROUP BY o.opp_code HAVING COUNT(DISTINCT q.quote_code) > 1 ORDER BY o.opp_code LIMIT 1"
        )
    ).scalar_one()
    deal = text_of(render_page(director, f"/opportunities/{opp}"))
    assert "Quote versions" in deal and "current" in deal and "Lines of the current quote" in deal


def test_sup210_the_sums_in_sql_equal_the_definitions_on_the_demo(demo_session):
    """The pages read bids and requests summed in SQL; on every team and year of the demo they equal the pure
    definitions (metrics.support) over the rows themselves."""
    from datetime import date, timedelta

    from data_access import queries
    from data_access.scope import Scope
    from metrics import support as m

    today = date(2026, 11, 27)
    mondays = [date(2026, 11, 23) - timedelta(weeks=k) for k in range(7, -1, -1)]
    teams = [Scope.everything()] + [Scope.team(t) for (t,) in demo_session.execute(text("SELECT id FROM teams"))]
    for scope in teams:
        for year in (2024, 2025, 2026):
            start, end = date(year, 1, 1), date(year, 12, 31)
            rows = queries.bids_between(demo_session, scope, start, end)
            summed = dict(queries.bid_totals(demo_session, scope, start, end, today))
            assert summed.get("", m.bid_summary([], today)) == m.bid_summary(rows, today), (scope, year)
            by_line = dict(queries.bid_totals(demo_session, scope, start, end, today, by="line"))
            assert by_line == dict(m.bid_groups(rows, lambda b: b.product_line, today))
            requests = [
                r for r in queries.requests_between(demo_session, scope, start, end) if r.requested_date >= start
            ]
            totals = dict(queries.request_totals(demo_session, scope, start, end, today, by="engineer"))
            expected = dict(m.turnaround_by(requests, lambda r: r.engineer, today))
            assert totals.keys() == expected.keys()
            for name, t in expected.items():
                got = totals[name]
                assert (got.requests, got.open, got.hours) == (t.requests, t.open, pytest.approx(t.hours))
                assert got.avg_days == pytest.approx(t.avg_days)
        in_hand = queries.requests_between(demo_session, scope, mondays[0], mondays[-1] + timedelta(days=6))
        assert queries.engineer_weeks(demo_session, scope, mondays, today) == m.engineer_load(in_hand, mondays, today)


def test_sup211_a_directors_team_pick_writes_the_address_only(director):
    def pick(value: Any, search: str = "?year=2025&tab=tech") -> Any:
        payload = {
            "output": "url.search@",
            "outputs": {"id": "url", "property": "search"},
            "inputs": [
                [{"id": {"type": "support-team-pick", "page": "/support"}, "property": "value", "value": value}]
            ],
            "state": [{"id": "url", "property": "search", "value": search}],
            "changedPropIds": [],
        }
        deps = director.get("/_dash-dependencies").get_json()
        payload["output"] = next(d["output"] for d in deps if "support-team-pick" in str(d["inputs"]))
        return director.post("/_dash-update-component", json=payload)

    answer = pick(3)
    assert answer.status_code == 200 and answer.get_json()["response"]["url"]["search"] == "?year=2025&tab=tech&team=3"
    whole = pick(0, "?year=2025&team=3")
    assert whole.get_json()["response"]["url"]["search"] == "?year=2025"
    for hostile in ("²", -1, "1 OR 1=1", None, [1], {"a": 1}):
        assert pick(hostile).status_code == 204  # nothing written
    # a team outside a manager's scope is the loader's to refuse: the page says so and shows nothing of it
    page = text_of(render_page(director, "/support", "?team=999999"))
    assert "is not one of yours" in page
