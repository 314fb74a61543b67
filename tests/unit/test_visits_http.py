"""My week, the events and training over HTTP on the demo (issue 19): the pages for each role, the API's shapes and
scope, and what a rep or manager can post to the write callbacks (CSRF, another rep's account or visit). Each
write is undone at the end: the demo database is shared by the session's tests."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import jsonschema
import pytest
from sqlalchemy import text

from tests.conftest import AS_OF
from tests.dash_http import call_callback, render_page, text_of, walk
from web.openapi import SCHEMAS

PLAN_OUT = "week-body.children"


def _schema(name: str) -> dict:
    return {**SCHEMAS[name], "$defs": SCHEMAS}


def _csrf(client) -> str:
    layout = client.get("/_dash-layout").get_json()
    return next(n["props"]["value"] for n in walk(layout) if n["props"].get("id") == "logout-csrf")


def _ids(demo_session) -> dict:
    rows = demo_session.execute(
        text("SELECT a.id, a.account_code, r.rep_code, r.team_id FROM accounts a JOIN reps r ON r.id = a.owner_rep_id")
    ).all()
    own = next(i for i, _c, rep, _t in rows if rep == "R0001")
    teammate = next(i for i, _c, rep, team in rows if team == 1 and rep not in ("R0001",))
    other_team = next(i for i, _c, _rep, team in rows if team not in (1, None))
    return {"own": own, "teammate": teammate, "other_team": other_team}


@pytest.fixture()
def cleanup(demo_engine):
    """Rows the test writes into the shared demo database are removed afterwards (visits and their log)."""
    with demo_engine.connect() as conn:
        top = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM visits")).scalar_one()
        top_log = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM change_log")).scalar_one()
    yield top
    with demo_engine.begin() as conn:
        conn.execute(text("DELETE FROM visits WHERE id > :top"), {"top": top})
        conn.execute(text("DELETE FROM change_log WHERE id > :top"), {"top": top_log})


def _plan(client, csrf, account_id, day="2026-12-01", rep=None):
    values = {
        ("plan-add", "n_clicks"): 1,
        ("plan-account", "value"): str(account_id),
        ("plan-date", "value"): day,
        ("plan-kind", "value"): "visit",
        ("plan-purpose", "value"): "方案交流",
        ("record-rep", "data"): rep,
        ("logout-csrf", "value"): csrf,
        ("url", "search"): "",
    }
    response = call_callback(client, PLAN_OUT, values)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return text_of(response.get_json()["response"]["week-message"]["children"])


def _new_visits(demo_engine, top: int) -> list[tuple]:
    with demo_engine.connect() as conn:
        return conn.execute(text("SELECT rep_id, account_id, status FROM visits WHERE id > :t"), {"t": top}).all()


def test_vis001_each_role_sees_its_week(rep, manager, director):
    mine = text_of(render_page(rep, "/visits"))
    assert "My week" in mine and "Next week's plan" in mine and "Record a visit" in mine
    team = text_of(render_page(manager, "/visits"))
    assert "Team week" in team and "Plan against done, per rep" in team and "Training 2026" in team
    assert "Plan against done, per team" in text_of(render_page(director, "/visits"))
    zh = text_of(render_page(rep, "/visits", lang="zh"))
    assert "我的一周" in zh and "下周计划" in zh and "My week" not in zh


def test_vis002_plan_through_the_callback_needs_the_session_csrf(rep, demo_engine, demo_session, cleanup):
    ids = _ids(demo_session)
    assert "expired" in _plan(rep, "", ids["own"])  # no token
    assert "expired" in _plan(rep, "forged-token", ids["own"])
    assert _new_visits(demo_engine, cleanup) == []
    assert "Added to the plan" in _plan(rep, _csrf(rep), ids["own"])
    assert [(a, s) for _r, a, s in _new_visits(demo_engine, cleanup)] == [(ids["own"], "planned")]


@pytest.mark.parametrize("target", ["teammate", "other_team"])
def test_vis003_a_rep_posting_another_reps_account_writes_nothing(rep, demo_engine, demo_session, cleanup, target):
    ids = _ids(demo_session)
    csrf = _csrf(rep)
    other_rep = demo_session.execute(text("SELECT id FROM reps WHERE rep_code = 'R0002'")).scalar_one()
    assert "own accounts" in _plan(rep, csrf, ids[target])
    assert "own accounts" in _plan(rep, csrf, ids[target], rep=other_rep)  # naming another rep changes nothing
    assert _new_visits(demo_engine, cleanup) == []


def test_vis004_a_manager_plans_for_the_team_never_for_another_team(manager, demo_engine, demo_session, cleanup):
    ids = _ids(demo_session)
    csrf = _csrf(manager)
    owner_of = dict(demo_session.execute(text("SELECT id, owner_rep_id FROM accounts")).all())
    assert "Added" in _plan(manager, csrf, ids["teammate"], rep=owner_of[ids["teammate"]])
    assert "not yours" in _plan(manager, csrf, ids["other_team"], rep=owner_of[ids["other_team"]])
    assert [(r, a) for r, a, _s in _new_visits(demo_engine, cleanup)] == [(owner_of[ids["teammate"]], ids["teammate"])]


def test_vis005_removing_or_moving_another_reps_visit_is_refused(rep, demo_engine, demo_session, cleanup):
    other_visit = demo_session.execute(
        text(
            "SELECT v.id FROM visits v JOIN reps r ON r.id = v.rep_id "
            "WHERE r.rep_code <> 'R0001' AND v.status = 'planned' LIMIT 1"
        )
    ).scalar_one()
    before = demo_session.execute(text("SELECT COUNT(*) FROM visits")).scalar_one()
    csrf = _csrf(rep)
    for button in ("visit-remove", "visit-up"):
        values: dict[tuple[str, str], Any] = {
            (str({"id": ["ALL"], "type": b}), "n_clicks"): [
                {"id": {"id": other_visit, "type": b}, "property": "n_clicks", "value": 1 if b == button else None}
            ]
            for b in ("visit-up", "visit-down", "visit-remove")
        }
        values |= {("logout-csrf", "value"): csrf, ("url", "search"): ""}
        changed = [f'{{"id":{other_visit},"type":"{button}"}}.n_clicks']
        response = call_callback(rep, "week-message.children", values, changed)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        alert = response.get_json()["response"]["week-message"]["children"]
        assert alert["props"]["color"] == "danger", alert  # "only its author" / "not yours": refused
    assert demo_session.execute(text("SELECT COUNT(*) FROM visits")).scalar_one() == before


def test_vis006_record_form_choices_stay_in_scope(rep, demo_session):
    ids = _ids(demo_session)
    for target, expect_any in (("own", True), ("other_team", False)):
        response = call_callback(rep, "record-contact.options", {("record-account", "value"): str(ids[target])})
        body = response.get_json()["response"]
        contacts = [o["value"] for o in body["record-contact"]["options"] if o["value"]]
        expected = demo_session.execute(
            text("SELECT COUNT(*) FROM contacts WHERE account_id = :a"), {"a": ids[target]}
        ).scalar_one()
        assert len(contacts) == (expected if expect_any else 0)


def _week_counts(demo_session, team_id: int) -> dict[str, tuple[int, int, int, int, int]]:
    """Plan done and records counted in plain Python over the raw rows of 2026-W48 (independent of the app)."""
    rows = demo_session.execute(
        text(
            "SELECT r.rep_code, v.account_id, v.status, v.purpose, v.outcome "
            "FROM visits v JOIN reps r ON r.id = v.rep_id "
            "WHERE r.team_id = :t AND r.role = 'rep' AND v.visit_date BETWEEN '2026-11-23' AND '2026-11-29'"
        ),
        {"t": team_id},
    ).all()
    done = {(c, a) for c, a, s, _p, _o in rows if s == "done"}
    planned = {(c, a) for c, a, s, _p, _o in rows if s == "planned"}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for code, account, status, purpose, outcome in rows:
        x = out[code]
        if status == "planned":
            x[0] += 1
            x[1] += (code, account) in done
        else:
            x[3] += 1
            x[2] += (code, account) not in planned
            x[4] += bool((purpose or "").strip() and (outcome or "").strip())
    return {k: tuple(v) for k, v in out.items()}  # type: ignore[misc]


def test_vis007_visits_api_matches_the_raw_rows_and_its_schema(manager, demo_session):
    body = manager.get("/api/v1/visits?week=2026-W48").get_json()
    jsonschema.validate(body, _schema("Visits"))
    assert body["week"] == "2026-W48"
    expected = _week_counts(demo_session, 1)
    got = {
        r["rep_code"]: (r["planned"], r["planned_done"], r["unplanned"], r["records"], r["records_complete"])
        for r in body["reps"]
    }
    assert {k: v for k, v in got.items() if any(v)} == expected
    for r in body["reps"]:
        assert r["plan_done_rate"] == (pytest.approx(r["planned_done"] / r["planned"]) if r["planned"] else None)


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("rep", "/api/v1/visits?rep=R0002", 403),
        ("rep", "/api/v1/visits?team=2", 403),
        ("manager", "/api/v1/visits?team=2", 403),
        ("manager", "/api/v1/visits?week=2026-W60", 400),
        ("manager", "/api/v1/visits?week=2026-W48&week=2026-W47", 400),
        ("manager", "/api/v1/visits?since=1", 400),
        ("director", "/api/v1/events?year=1999", 400),
        ("director", "/api/v1/training?year=abc", 400),
    ],
)
def test_vis008_api_refusals(request, who, path, status):
    assert request.getfixturevalue(who).get(path).status_code == status


def test_vis009_events_and_training_api_in_scope(rep, manager, director, demo_session):
    year = AS_OF.year
    body = director.get(f"/api/v1/events?year={year}").get_json()
    jsonschema.validate(body, _schema("Events"))
    all_codes = {e["event_code"] for e in body["events"]}
    raw = demo_session.execute(
        text("SELECT event_code, cost FROM events WHERE event_date BETWEEN :a AND :b"),
        {"a": f"{year}-01-01", "b": f"{year}-12-31"},
    ).all()
    assert all_codes == {c for c, _ in raw}
    assert sum(e["cost"] for e in body["events"]) == pytest.approx(sum(float(c) for _, c in raw))
    team = manager.get(f"/api/v1/events?year={year}").get_json()["events"]
    team_codes = set(
        demo_session.execute(
            text(
                "SELECT e.event_code FROM events e JOIN reps r ON r.id = e.organiser_rep_id "
                "WHERE r.team_id = 1 AND e.event_date >= :a"
            ),
            {"a": f"{year}-01-01"},
        ).scalars()
    )
    assert {e["event_code"] for e in team} == team_codes and team_codes < all_codes
    for e in body["events"]:
        if e["kind"] == "dinner_6a2r":
            assert e["check_6a2r"] is (e["by_class"]["A"] >= 6 and e["by_class"]["R"] >= 2)
            assert e["missing"] == {k: n - e["by_class"][k] for k, n in (("A", 6), ("R", 2)) if e["by_class"][k] < n}
        else:
            assert e["check_6a2r"] is None and e["missing"] == {}
    training = rep.get(f"/api/v1/training?year={year}").get_json()
    jsonschema.validate(training, _schema("Training"))
    hours = demo_session.execute(
        text(
            "SELECT COALESCE(SUM(t.hours), 0) FROM training t JOIN reps r ON r.id = t.rep_id "
            "WHERE r.rep_code = 'R0001' AND t.training_date >= :a"
        ),
        {"a": f"{year}-01-01"},
    ).scalar_one()
    assert training["reps"] == [
        {"rep_code": "R0001", "hours": pytest.approx(float(hours)), "under_requirement": float(hours) < 40}
    ]
    assert training["required_hours"] == 40


def test_vis010_ticking_attendance_needs_csrf_and_the_team(manager, demo_session, demo_engine):
    year = AS_OF.year
    codes = demo_session.execute(
        text(
            "SELECT e.event_code, r.team_id FROM events e JOIN reps r ON r.id = e.organiser_rep_id "
            "WHERE e.event_date >= :a ORDER BY e.event_code"
        ),
        {"a": f"{year}-01-01"},
    ).all()
    mine = next(c for c, team in codes if team == 1)
    theirs = next(c for c, team in codes if team != 1)
    page = text_of(render_page(manager, "/events", f"?year={year}&event={mine}"))
    assert "Who attended" in page and "Save who attended" in page

    def before() -> list[tuple]:
        with demo_engine.connect() as conn:
            return conn.execute(text("SELECT id, attended FROM event_attendees ORDER BY id")).all()

    start = before()
    csrf = _csrf(manager)
    for code, token in ((mine, ""), (theirs, csrf)):
        values = {
            ("event-save", "n_clicks"): 1,
            ("event-code", "data"): code,
            ("event-ticks", "value"): [],
            ("event-add", "value"): [],
            ("logout-csrf", "value"): token,
            ("url", "search"): f"?year={year}",
        }
        response = call_callback(manager, "events-body.children", values)
        assert response.status_code == 200
        alert = response.get_json()["response"]["events-body"]["children"][0]
        assert alert["props"]["color"] == "danger", alert
    assert before() == start  # neither the forged form nor another team's event changed a row


def test_vis011_record_and_event_callbacks_refuse_what_is_not_yours(rep, manager, demo_engine, demo_session, cleanup):
    ids = _ids(demo_session)
    other_visit = demo_session.execute(
        text("SELECT v.id FROM visits v JOIN reps r ON r.id = v.rep_id WHERE r.team_id <> 1 LIMIT 1")
    ).scalar_one()
    # opening the record form with another team's visit id: nothing comes back
    pattern = str({"id": ["ALL"], "type": "visit-edit"})
    values: dict[tuple[str, str], Any] = {
        (pattern, "n_clicks"): [{"id": {"id": other_visit, "type": "visit-edit"}, "property": "n_clicks", "value": 1}]
    }
    opened = call_callback(
        rep, "record-collapse.is_open", values, [f'{{"id":{other_visit},"type":"visit-edit"}}.n_clicks']
    )
    assert opened.status_code == 204
    # saving a record at another team's account, with the session's own token
    form = {
        ("record-save", "n_clicks"): 1,
        ("record-account", "value"): str(ids["other_team"]),
        ("record-date", "value"): AS_OF.isoformat(),
        ("record-kind", "value"): "visit",
        ("record-purpose", "value"): "p",
        ("record-outcome", "value"): "o",
        ("logout-csrf", "value"): _csrf(rep),
        ("url", "search"): "",
    }
    saved = call_callback(rep, "record-collapse.is_open", form)
    assert saved.status_code == 200
    assert saved.get_json()["response"]["week-message"]["children"]["props"]["color"] == "danger"
    assert _new_visits(demo_engine, cleanup) == []
    # a manager's event with another team's account
    before = demo_session.execute(text("SELECT COUNT(*) FROM events")).scalar_one()
    organiser = demo_session.execute(text("SELECT id FROM reps WHERE rep_code = 'R0001'")).scalar_one()
    event = {
        ("event-create", "n_clicks"): 1,
        ("event-name", "value"): "x",
        ("event-kind", "value"): "seminar",
        ("event-date", "value"): AS_OF.isoformat(),
        ("event-cost", "value"): 100,
        ("event-organiser", "value"): str(organiser),
        ("event-partner", "value"): None,
        ("event-accounts", "value"): [str(ids["other_team"])],
        ("logout-csrf", "value"): _csrf(manager),
    }
    created = call_callback(manager, "event-message.children", event)
    assert created.get_json()["response"]["event-message"]["children"]["props"]["color"] == "danger"
    assert demo_session.execute(text("SELECT COUNT(*) FROM events")).scalar_one() == before


def test_vis012_the_event_forms_account_list_stays_in_the_team(manager, rep, demo_session):
    reps = dict(demo_session.execute(text("SELECT rep_code, id FROM reps")).all())
    other = demo_session.execute(text("SELECT id FROM reps WHERE team_id <> 1 AND role = 'rep' LIMIT 1")).scalar_one()
    team_accounts = demo_session.execute(
        text("SELECT COUNT(*) FROM accounts a JOIN reps r ON r.id = a.owner_rep_id WHERE r.team_id = 1")
    ).scalar_one()
    for client, organiser, expected in (
        (manager, reps["R0001"], team_accounts),
        (manager, other, 0),
        (rep, reps["R0001"], 0),
    ):
        response = call_callback(client, "event-accounts.options", {("event-organiser", "value"): str(organiser)})
        assert len(response.get_json()["response"]["event-accounts"]["options"]) == expected
