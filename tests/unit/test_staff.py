"""Staff management on a real database (issue 19): the new import sheets and their rules, the writes of "My week"
and the events page with the viewer's scope enforced on write, and the loaders' figures, each expected value
counted from the literal rows of the world below."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access import staff_writes as w
from data_access.importer.engine import run_import
from data_access.importer.export import export
from data_access.models import ChangeLog, Event, EventAttendee, Training, Visit
from data_access.settings import data_version
from data_access.users import create_user
from metrics.views import staff as view
from tests.builders import Seed, make_viewer

TODAY = date(2026, 12, 2)  # a Wednesday of 2026-W49
AS_OF = TODAY


@pytest.fixture()
def world(session):
    """East (manager ME, reps A1, A2), West (rep B1). A1 owns ACC-A (contacts 李强, 王芳) and ACC-A3; A2 ACC-A2;
    B1 ACC-B. Deals: OPP-A at ACC-A, OPP-B at ACC-B."""
    seed = Seed(session)
    east, west = seed.team("East"), seed.team("West", "华北")
    me = seed.rep("ME", east, role="manager")
    a1, a2, b1 = seed.rep("A1", east), seed.rep("A2", east), seed.rep("B1", west)
    acc_a, acc_a3 = seed.account("ACC-A", a1, name="甲银行"), seed.account("ACC-A3", a1, name="丙医院")
    acc_a2, acc_b = seed.account("ACC-A2", a2), seed.account("ACC-B", b1)
    seed.contact(acc_a, "李强", "decision_maker")
    seed.contact(acc_a, "王芳", "influencer")
    seed.contact(acc_b, "赵六", "decision_maker")
    opp_a = seed.opp(acc_a, 100_000, 3, code="OPP-A")
    opp_b = seed.opp(acc_b, 200_000, 3, code="OPP-B")
    users = {
        name: create_user(session, name, "a-long-password-1", role, code).id
        for name, role, code in [
            ("a1", "rep", "A1"),
            ("me", "manager", "ME"),
            ("b1", "rep", "B1"),
            ("d", "director", None),
        ]
    }
    session.commit()
    return {
        "east": east,
        "west": west,
        "me": me,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "acc_a": acc_a,
        "acc_a3": acc_a3,
        "acc_a2": acc_a2,
        "acc_b": acc_b,
        "opp_a": opp_a,
        "opp_b": opp_b,
        "rep": make_viewer(users["a1"], "rep", a1),
        "other_rep": make_viewer(users["b1"], "rep", b1),
        "manager": make_viewer(users["me"], "manager", me),
        "director": make_viewer(users["d"], "director"),
    }


def _visits(session) -> int:
    return int(session.scalar(select(func.count()).select_from(Visit)) or 0)


def _plan(world, session, viewer, account, day, kind="visit", **kw):
    form = w.VisitInput(account_id=account.id, visit_date=day.isoformat(), kind=kind, **kw)
    return w.plan_visit(session, viewer, form, TODAY)


def test_stf010_a_rep_plans_a_visit_stamped_logged_and_the_data_version_moves(world, session):
    before = data_version(session)
    visit = _plan(world, session, world["rep"], world["acc_a"], date(2026, 12, 8), purpose="方案交流")
    session.commit()
    me = world["rep"].user_id
    assert (visit.rep_id, visit.status, visit.position, visit.created_by) == (world["a1"].id, "planned", 1, me)
    assert visit.created_at is not None and visit.purpose == "方案交流"
    second = _plan(world, session, world["rep"], world["acc_a3"], date(2026, 12, 7))
    assert second.position == 2  # at the end of its week's order
    log = session.scalars(select(ChangeLog).where(ChangeLog.entity == "visit")).all()
    assert [(c.action, c.user_id, c.entity_id) for c in log] == [("create", me, visit.id), ("create", me, second.id)]
    assert log[0].after["account_id"] == world["acc_a"].id and log[0].before is None
    assert data_version(session) > before


@pytest.mark.parametrize(
    ("who", "account", "day", "kind", "extra", "key"),
    [
        # another rep's account, another team's account: a rep only for their own accounts
        ("rep", "acc_a2", date(2026, 12, 8), "visit", {}, "write.not_your_account"),
        ("rep", "acc_b", date(2026, 12, 8), "visit", {}, "write.not_your_account"),
        # a rep naming another rep still writes only for themselves: B1's account stays refused
        ("rep", "acc_b", date(2026, 12, 8), "visit", {"rep_id": "B1"}, "write.not_your_account"),
        # a manager for a rep of another team
        ("manager", "acc_b", date(2026, 12, 8), "visit", {"rep_id": "B1"}, "write.not_yours"),
        # a manager for a rep of the team, at an account the rep does not own
        ("manager", "acc_a2", date(2026, 12, 8), "visit", {"rep_id": "A1"}, "write.not_your_account"),
        # the past, too far ahead, a kind that is none, text with a NUL, an id that is no id
        ("rep", "acc_a", date(2026, 12, 1), "visit", {}, "write.plan_date"),
        ("rep", "acc_a", date(2027, 1, 1), "visit", {}, "write.plan_date"),
        ("rep", "acc_a", date(2026, 12, 8), "lunch", {}, "write.bad_kind"),
        ("rep", "acc_a", date(2026, 12, 8), "visit", {"purpose": "a\x00b"}, "write.bad_text"),
        ("rep", "acc_a", date(2026, 12, 8), "visit", {"purpose": "x" * 2001}, "write.bad_text"),
    ],
)
def test_stf011_plan_refusals_write_nothing(world, session, who, account, day, kind, extra, key):
    if "rep_id" in extra:
        extra = {**extra, "rep_id": world[extra["rep_id"].lower()].id}
    before = _visits(session)
    with pytest.raises(w.Refused) as refused:
        _plan(world, session, world[who], world[account], day, kind, **extra)
    assert refused.value.key == key
    session.rollback()
    assert _visits(session) == before
    assert session.scalar(select(func.count()).select_from(ChangeLog)) == 0


@pytest.mark.parametrize("account_id", ["1 OR 1=1", None, [1], {"id": 1}, -5, 2**40, True])
def test_stf012_hostile_ids_are_refused(world, session, account_id):
    form = w.VisitInput(account_id=account_id, visit_date="2026-12-08", kind="visit")
    with pytest.raises(w.Refused):
        w.plan_visit(session, world["rep"], form, TODAY)


def test_stf013_a_manager_plans_for_a_rep_of_the_team(world, session):
    form = w.VisitInput(account_id=world["acc_a2"].id, visit_date="2026-12-09", kind="call", rep_id=world["a2"].id)
    visit = w.plan_visit(session, world["manager"], form, TODAY)
    assert (visit.rep_id, visit.created_by) == (world["a2"].id, world["manager"].user_id)


def _record(world, session, viewer, **kw):
    fields = {"account_id": world["acc_a"].id, "visit_date": "2026-12-01", "kind": "visit"} | kw
    return w.record_visit(session, viewer, w.VisitInput(**fields), TODAY)


def test_stf014_recording_a_visit_checks_contact_deal_and_dates(world, session):
    visit = _record(
        world,
        session,
        world["rep"],
        contact_name="李强",
        purpose="需求沟通",
        outcome="确认方案",
        next_step="提交报价",
        next_step_date="2026-12-10",
        opp_code="OPP-A",
    )
    assert (visit.status, visit.contact_name, visit.opportunity_id) == ("done", "李强", world["opp_a"].id)
    assert visit.next_step_date == date(2026, 12, 10)
    for kw, key in [
        ({"contact_name": "赵六"}, "write.unknown_contact"),  # ACC-B's contact
        ({"opp_code": "OPP-B"}, "write.unknown_deal"),  # another team's deal
        ({"visit_date": "2026-12-03"}, "write.record_date"),  # tomorrow
        ({"visit_date": "2026-11-24"}, "write.record_date"),  # 8 days back
        ({"visit_date": "2026-12-02", "next_step_date": "2026-12-01"}, "write.next_before_visit"),
        ({"visit_date": "12/02/2026"}, "write.bad_date"),
        ({"account_id": world["acc_b"].id}, "write.not_your_account"),
        ({"kind": "visit", "visit_date": "2026-12-01"}, "write.duplicate"),  # the same key twice
    ]:
        with pytest.raises(w.Refused) as refused:
            _record(world, session, world["rep"], **kw)
        assert refused.value.key == key, kw


def test_stf015_only_the_author_changes_a_row_and_only_for_7_days(world, session):
    mine = _record(world, session, world["rep"], purpose="p")
    imported = Visit(rep_id=world["a1"].id, account_id=world["acc_a"].id, visit_date=TODAY, kind="call", status="done")
    session.add(imported)
    session.flush()
    # the manager may see the row but did not write it; another rep cannot even see it
    for viewer in (world["manager"], world["other_rep"], world["director"]):
        with pytest.raises(w.Refused) as refused:
            w.remove_visit(session, viewer, mine.id)
        assert refused.value.key == "write.not_author"
    with pytest.raises(w.Refused):
        w.remove_visit(session, world["rep"], imported.id)  # an imported row is not changed in the app
    edited = w.edit_record(
        session,
        world["rep"],
        mine.id,
        w.VisitInput(account_id=world["acc_b"].id, visit_date="2026-12-01", kind="visit", outcome="完成"),
        TODAY,
    )
    assert edited.account_id == world["acc_a"].id and edited.outcome == "完成"  # the account stays the row's
    mine.created_at = datetime.now() - timedelta(days=8)
    session.flush()
    with pytest.raises(w.Refused) as refused:
        w.remove_visit(session, world["rep"], mine.id)
    assert refused.value.key == "write.too_old"
    mine.created_at = datetime.now() - timedelta(days=1)
    w.remove_visit(session, world["rep"], mine.id)
    assert session.get(Visit, mine.id) is None
    actions = [c.action for c in session.scalars(select(ChangeLog).order_by(ChangeLog.id))]
    assert actions == ["create", "update", "delete"]


def test_stf016_reordering_the_plan(world, session):
    rows = [_plan(world, session, world["rep"], world["acc_a"], date(2026, 12, d)) for d in (7, 8, 9)]
    w.move_visit(session, world["rep"], rows[2].id, -1)
    order = session.scalars(select(Visit.id).where(Visit.status == "planned").order_by(Visit.position)).all()
    assert order == [rows[0].id, rows[2].id, rows[1].id]
    w.move_visit(session, world["rep"], rows[0].id, -1)  # the first stays first
    with pytest.raises(w.Refused):
        w.move_visit(session, world["other_rep"], rows[1].id, 1)  # another rep's plan
    with pytest.raises(w.Refused):
        w.move_visit(session, world["rep"], rows[1].id, 5)  # one step at a time


def test_stf017_events_created_by_managers_inside_their_team(world, session):
    form = w.EventInput(
        name="华东 6A+2R 晚宴",
        kind="dinner_6a2r",
        event_date="2026-11-20",
        cost="24000",
        account_ids=[world["acc_a"].id, world["acc_a2"].id],
        organiser_rep_id=world["a1"].id,
    )
    event = w.create_event(session, world["manager"], form, TODAY)
    attendees = session.scalars(select(EventAttendee.account_id).where(EventAttendee.event_id == event.id)).all()
    assert sorted(attendees) == sorted([world["acc_a"].id, world["acc_a2"].id]) and event.cost == 24_000
    for viewer, changes, key in [
        (world["rep"], {}, "write.managers_only"),
        (world["manager"], {"account_ids": [world["acc_b"].id]}, "write.not_your_account"),
        (world["manager"], {"organiser_rep_id": world["b1"].id}, "write.not_yours"),
        (world["manager"], {"cost": "-1"}, "write.bad_amount"),
        (world["manager"], {"cost": "nan"}, "write.bad_amount"),
        (world["manager"], {"name": "  "}, "write.name_required"),
        (world["manager"], {"kind": "party"}, "write.bad_kind"),
        (world["manager"], {"account_ids": list(range(1, 300))}, "write.too_many_accounts"),
    ]:
        fields = {**form.__dict__, **changes}
        with pytest.raises(w.Refused) as refused:
            w.create_event(session, viewer, w.EventInput(**fields), TODAY)
        assert refused.value.key == key, changes
    assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_stf018_the_week_loader_counts_the_literal_rows(world, session):
    seed = Seed(session)
    a1, a2, b1 = world["a1"], world["a2"], world["b1"]
    acc_a, acc_a3, acc_a2, acc_b = world["acc_a"], world["acc_a3"], world["acc_a2"], world["acc_b"]
    # 2026-W49 (Nov 30 - Dec 6): A1 planned ACC-A and ACC-A3, visited ACC-A and (unplanned) nobody else;
    # A2 planned ACC-A2, nothing done; B1 (West) planned and did ACC-B
    seed.visit(a1, acc_a, date(2026, 11, 30), "planned")
    seed.visit(a1, acc_a3, date(2026, 12, 1), "planned")
    done = seed.visit(a1, acc_a, date(2026, 12, 1), "done")
    done.purpose, done.outcome = "需求沟通", "确认"
    seed.visit(a1, acc_a3, date(2026, 11, 29), "done")  # the Sunday before: another week
    seed.visit(a2, acc_a2, date(2026, 12, 2), "planned")
    seed.visit(a2, acc_a2, date(2026, 12, 2), "done", kind="call")  # done: the plan is met, record incomplete
    seed.visit(b1, acc_b, date(2026, 12, 3), "planned")
    seed.visit(b1, acc_b, date(2026, 12, 3), "done")
    session.commit()
    answer = view.load_visits_api(session, world["manager"], {"week": "2026-W49"}, TODAY)
    got = {code: (x.planned, x.planned_done, x.unplanned, x.records, x.records_complete) for code, x in answer.reps}
    assert got == {"A1": (2, 1, 0, 1, 1), "A2": (1, 1, 0, 1, 0)}  # the manager's team only
    assert answer.week == "2026-W49" and answer.problems == ()
    mine = view.load_visits_api(session, world["rep"], {"week": "2026-W49", "rep": "B1"}, TODAY)
    assert [c for c, _ in mine.reps] == ["A1"]  # a rep asking for B1 is refused (the API: 403), never shown B1
    assert len(mine.problems) == 1 and "B1" in mine.problems[0]
    week = view.load_week(session, world["director"], {"week": "2026-W49"}, TODAY)
    assert week.by == "team" and week.lines is not None
    assert {line.name: (line.week.planned, line.week.planned_done) for line in week.lines} == {
        "East": (3, 2),
        "West": (1, 1),
    }
    own = view.load_week(session, world["rep"], {"week": "2026-W49"}, TODAY).own
    assert own is not None and own.rep_code == "A1"
    assert [(r["account_code"], r["status"], r["plan_met"]) for r in own.this_week] == [
        ("ACC-A", "planned", True),  # Monday; then Tuesday's two in the order they were entered
        ("ACC-A3", "planned", False),
        ("ACC-A", "done", False),
    ]


def _csv(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def test_stf019_new_sheets_import_round_trip_and_all_or_nothing(world, session, engine, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    _csv(
        good,
        "events",
        "event_code,name,kind,event_date,organiser_rep_code,cost\nEV1,晚宴,dinner_6a2r,2026-11-20,A1,24000\n",
    )
    _csv(good, "event_attendees", "event_code,account_code,attended\nEV1,ACC-A,yes\nEV1,ACC-A2,no\n")
    _csv(
        good,
        "training",
        "rep_code,course,kind,training_date,hours,score,passed\nA1,顾问式销售,sales_method,2026-03-01,7.5,88,yes\n",
    )
    report = run_import(engine, good, as_of=AS_OF, username="t")
    assert report.ok, report.issues
    assert {k: c.created for k, c in report.counts.items()} == {"events": 1, "event_attendees": 2, "training": 1}
    again = run_import(engine, good, as_of=AS_OF, username="t")
    assert {k: (c.created, c.unchanged) for k, c in again.counts.items()} == {
        "events": (0, 1),
        "event_attendees": (0, 2),
        "training": (0, 1),
    }
    out = tmp_path / "out"
    export(session, out)
    assert (out / "event_attendees.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "EV1,ACC-A,,yes",
        "EV1,ACC-A2,,no",
    ]
    assert "7.5" in (out / "training.csv").read_text(encoding="utf-8-sig")
    # cells that do not convert are refused first, codes nobody knows next: two files, nothing written by either
    cells, codes = tmp_path / "cells", tmp_path / "codes"
    cells.mkdir()
    codes.mkdir()
    _csv(cells, "events", "event_code,name,kind,event_date,organiser_rep_code,cost\nEV2,x,party,2026-11-20,A1,1\n")
    _csv(
        cells,
        "training",
        "rep_code,course,kind,training_date,hours,score\nA1,c,product,2026-01-01,1001,50\nA1,d,product,2026-01-01,2,101\n",
    )
    _csv(codes, "events", "event_code,name,kind,event_date,organiser_rep_code,cost\nEV3,y,seminar,2026-11-20,NOPE,1\n")
    _csv(codes, "event_attendees", "event_code,account_code\nEV9,ACC-A\nEV1,NOPE\n")
    _csv(codes, "training", "rep_code,course,kind,training_date,hours\nZZ,c,product,2026-01-01,1\n")
    found = {(i.sheet, i.column) for i in run_import(engine, cells, as_of=AS_OF, username="t").issues}
    assert found == {("events", "kind"), ("training", "hours"), ("training", "score")}
    found = {(i.sheet, i.column) for i in run_import(engine, codes, as_of=AS_OF, username="t").issues}
    assert found == {
        ("events", "organiser_rep_code"),
        ("event_attendees", "event_code"),
        ("event_attendees", "account_code"),
        ("training", "rep_code"),
    }
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Event)) == 1  # all or nothing
    assert session.scalar(select(func.count()).select_from(Training)) == 1


def test_stf020_a_manager_imports_only_inside_the_team(world, session, engine, tmp_path):
    from data_access.scope import Scope

    folder = tmp_path / "m"
    folder.mkdir()
    _csv(
        folder, "events", "event_code,name,kind,event_date,organiser_rep_code,cost\nEVW,west,seminar,2026-11-20,B1,1\n"
    )
    _csv(folder, "event_attendees", "event_code,account_code\nEVE,ACC-B\n")
    _csv(folder, "training", "rep_code,course,kind,training_date,hours\nB1,c,product,2026-01-01,2\n")
    session.add(
        Event(
            event_code="EVE",
            name="e",
            kind="seminar",
            event_date=date(2026, 11, 1),
            organiser_rep_id=world["a1"].id,
            cost=1,
        )
    )
    session.commit()
    report = run_import(engine, folder, as_of=AS_OF, username="m", scope=Scope.team(world["east"].id))
    refused = {(i.sheet, i.column) for i in report.issues}
    assert refused == {
        ("events", "organiser_rep_code"),
        ("event_attendees", "account_code"),
        ("training", "rep_code"),
    }
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_stf021_ticking_who_attended(world, session):
    form = w.EventInput(
        name="圆桌会",
        kind="exec_roundtable",
        event_date="2026-11-20",
        cost="9000",
        account_ids=[world["acc_a"].id, world["acc_a2"].id],
        organiser_rep_id=world["a1"].id,
    )
    event = w.create_event(session, world["manager"], form, TODAY)
    # ACC-A2 did not come after all; ACC-A3 came without an invitation
    w.set_attendance(session, world["manager"], event.event_code, [world["acc_a"].id], [world["acc_a3"].id])
    query = select(EventAttendee.account_id, EventAttendee.attended).where(EventAttendee.event_id == event.id)
    rows = {int(a): bool(t) for a, t in session.execute(query)}
    assert rows == {world["acc_a"].id: True, world["acc_a2"].id: False, world["acc_a3"].id: True}
    summary = view.load_events(session, world["manager"], {"year": "2026", "event": event.event_code}, TODAY)
    assert summary.chosen is not None and summary.chosen.accounts == 2 and summary.chosen.cost_per_account == 4500
    for viewer, attended, added, key in [
        (world["rep"], [], [], "write.managers_only"),
        (world["manager"], [], [world["acc_b"].id], "write.not_your_account"),  # another team's account
        (world["manager"], [world["acc_b"].id], [], "write.not_your_account"),  # ticking one never invited
        (world["manager"], ["x"], [], "write.bad_id"),
    ]:
        with pytest.raises(w.Refused) as refused:
            w.set_attendance(session, viewer, event.event_code, attended, added)
        assert refused.value.key == key
    other = Event(
        event_code="EV-W",
        name="w",
        kind="seminar",
        event_date=date(2026, 11, 1),
        organiser_rep_id=world["b1"].id,
        cost=1,
    )
    session.add(other)
    session.flush()
    with pytest.raises(w.Refused) as refused:
        w.set_attendance(session, world["manager"], "EV-W", [], [world["acc_a"].id])  # another team's event
    assert refused.value.key == "write.not_yours"


def test_stf022_the_sql_week_counts_are_the_definitions(world, session, demo_session):
    """queries.week_counts (SQL, for teams and the company) equals metrics.staff.rep_weeks (the definition) on
    literal rows with blanks of every kind, and on every week of the demo's last quarter."""
    from data_access import queries
    from data_access.scope import Scope
    from metrics.staff import WeekVisit, rep_weeks

    seed = Seed(session)
    a1, acc_a, acc_a3 = world["a1"], world["acc_a"], world["acc_a3"]
    seed.visit(a1, acc_a, date(2026, 11, 30), "planned")
    pasted = "\u00a0\u200b\u2003"  # no-break, zero-width and em spaces: blanks too
    for purpose, outcome, day in [
        ("目的", "结果", 1),
        ("\u3000", "结果", 2),
        ("目的", " \t", 3),
        (None, "x", 4),
        (pasted, "x", 5),
    ]:
        v = seed.visit(a1, acc_a3 if day > 2 else acc_a, date(2026, 12, day))
        v.purpose, v.outcome = purpose, outcome
    session.flush()
    got = queries.week_counts(session, Scope.everything(), date(2026, 11, 30), date(2026, 12, 6))
    assert (
        got[a1.id]
        == rep_weeks(
            WeekVisit(v.rep_id, v.account_id, v.status, v.purpose, v.outcome)
            for v in session.scalars(
                select(Visit).where(Visit.visit_date.between(date(2026, 11, 30), date(2026, 12, 6)))
            )
        )[a1.id]
    )
    assert (got[a1.id].records, got[a1.id].records_complete, got[a1.id].unplanned) == (5, 1, 3)
    monday = date(2026, 8, 31)
    for week in range(13):
        start = monday + timedelta(days=7 * week)
        end = start + timedelta(days=6)
        sql = queries.week_counts(demo_session, Scope.everything(), start, end)
        rows = demo_session.execute(
            select(Visit.rep_id, Visit.account_id, Visit.status, Visit.purpose, Visit.outcome).where(
                Visit.visit_date.between(start, end)
            )
        )
        python = rep_weeks(WeekVisit(*row) for row in rows)
        assert sql == python, start


def test_stf023_a_directors_year_of_events_per_team(world, session):
    seed = Seed(session)
    seed.bp(world["acc_a"], 2026, 100_000)
    seed.contract(world["opp_a"], 60_000, date(2026, 3, 1))  # ACC-A: SOW 60%, class R in 2026
    e1 = Event(
        event_code="E1",
        name="晚宴",
        kind="dinner_6a2r",
        event_date=date(2026, 5, 1),
        organiser_rep_id=world["a1"].id,
        cost=1000,
    )
    e2 = Event(
        event_code="E2",
        name="研讨会",
        kind="seminar",
        event_date=date(2026, 6, 1),
        organiser_rep_id=world["b1"].id,
        cost=500,
    )
    old = Event(
        event_code="E0",
        name="旧",
        kind="seminar",
        event_date=date(2025, 12, 1),
        organiser_rep_id=world["a1"].id,
        cost=9,
    )
    session.add_all([e1, e2, old])
    session.flush()
    session.add_all(
        [
            EventAttendee(event_id=e1.id, account_id=world["acc_a"].id, attended=True),
            EventAttendee(event_id=e1.id, account_id=world["acc_a2"].id, attended=True),
            EventAttendee(event_id=e1.id, account_id=world["acc_a3"].id, attended=False),
            EventAttendee(event_id=e2.id, account_id=world["acc_b"].id, attended=True),
            EventAttendee(event_id=old.id, account_id=world["acc_a"].id, attended=True),
        ]
    )
    session.commit()
    data = view.load_events(session, world["director"], {"year": "2026"}, TODAY)
    assert data.events == [] and data.team_totals is not None
    got = {r["team"]: {k: v for k, v in r.items() if k not in ("team", "team_id")} for r in data.team_totals}
    assert got == {
        "East": {
            "events": 1,
            "cost": 1000.0,
            "accounts": 2,
            "R": 1,
            "A": 0,
            "D": 0,
            "unknown": 1,
            "dinners": 1,
            "dinners_held": 0,
        },
        "West": {
            "events": 1,
            "cost": 500.0,
            "accounts": 1,
            "R": 0,
            "A": 0,
            "D": 0,
            "unknown": 1,
            "dinners": 0,
            "dinners_held": 0,
        },
    }
    assert data.reach == {"R": 1, "A": 0, "D": 0, "unknown": 2}
    # an event's address opens its team's events, with the event chosen; another team is out of a manager's reach
    opened = view.load_events(session, world["director"], {"year": "2026", "event": "E1"}, TODAY)
    assert opened.team_id == world["east"].id and opened.chosen is not None and opened.chosen.event.event_code == "E1"
    assert [e.event.event_code for e in opened.events] == ["E1"]
    refused = view.load_events(session, world["manager"], {"year": "2026", "team": str(world["west"].id)}, TODAY)
    assert refused.problems and [e.event.event_code for e in refused.events] == ["E1"]


def test_stf024_a_director_year_line_of_organisers_without_a_team_opens_nothing():
    """The line of events whose organiser has no team (a director's own dinner) says so in the page's language and
    is no link (it linked to ``team=0``, a team that is none); a team's line opens its events."""
    from dash import dcc

    from components.staff import team_events_table

    def line(team_id: int | None, team: str | None) -> dict[str, object]:
        return {
            "team_id": team_id,
            "team": team,
            "events": 1,
            "cost": 50.0,
            "accounts": 1,
            "R": 0,
            "A": 0,
            "D": 1,
            "unknown": 0,
            "dinners": 0,
            "dinners_held": 0,
        }

    def first_cells(lang: str) -> list[object]:
        table = team_events_table([line(7, "East"), line(None, None)], 2026, lang).children[0].children
        rows = table.children[1].children
        return [row.children[0].children for row in rows]

    east, nobody = first_cells("zh")
    assert isinstance(east, dcc.Link) and east.to_plotly_json()["props"]["href"] == "/events?year=2026&team=7"
    assert east.children == "East"
    assert nobody == "未分组"
    assert first_cells("en")[1] == "No team"
