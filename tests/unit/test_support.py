"""Sales support on a real database (issue 20): the four sheets imported from literal CSV (with the rest of a
small company), and every loader's figures and flags in each viewer's scope, each expected value counted by hand
from the rows below; the importer's rules for the new sheets; the thresholds a director saves."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access import support_writes
from data_access.importer.engine import run_import
from data_access.importer.export import export
from data_access.models import ChangeLog, Opportunity, QuoteLine, Rep, SupportRequest
from data_access.queries import support as support_queries
from data_access.scope import Scope
from data_access.settings import load_settings
from data_access.staff_writes import Refused
from data_access.users import Viewer, create_user
from metrics.support import WinSplit
from metrics.views import opportunity as opp_view
from metrics.views import support as view

TODAY = date(2026, 11, 27)

SHEETS = {
    "reps": """rep_code,name,team,region,role,manager_code
M1,经理一,East,华东,manager,
A1,销售一,East,华东,rep,M1
A2,销售二,East,华东,rep,M1
A3,销售三,East,华东,rep,M1
M2,经理二,West,华北,manager,
B1,销售四,West,华北,rep,M2
""",
    "accounts": """account_code,name,industry,region,owner_rep_code
ACC-A1,甲银行,金融,华东,A1
ACC-A2,乙医院,医疗,华东,A2
ACC-A3,丙学校,教育,华东,A3
ACC-B1,丁工厂,制造,华北,B1
""",
    "opportunities": """opp_code,account_code,owner_rep_code,name,amount,level,status,created_date,\
expected_close_date,product_line,closed_date
O1,ACC-A1,A1,核心网,1800,5,won,2026-01-05,2026-05-01,数据中心,2026-05-01
O2,ACC-A2,A2,院内网,836,5,won,2026-02-01,2026-06-20,数据中心,2026-06-20
O3,ACC-A3,A3,校园网,1400,3,open,2026-05-01,2026-12-30,园区网络,
O4,ACC-B1,B1,厂区网,500,4,lost,2026-02-01,2026-07-10,园区网络,2026-07-10
O5,ACC-A1,A1,备份,300,2,lost,2026-03-01,2026-08-01,数据中心,2026-08-01
O6,ACC-A2,A2,终端,200,2,lost,2026-03-01,2026-08-02,数据中心,2026-08-02
""",
    "contracts": """contract_code,opp_code,signed_date,amount,gross_margin
C1,O1,2026-05-01,1800,400
C2,O2,2026-06-20,836,36
""",
    "price_list": """product_code,product_line,name,list_price,unit_cost,floor_margin
P1,数据中心,接入交换机,100,80,
P2,数据中心,核心交换机,1000,600,30%
""",
    "quote_lines": """quote_code,opp_code,quoted_date,product_code,quantity,unit_price,approved_by,approval_note
Q1,O1,2026-03-01,P1,10,90,,
Q1,O1,2026-03-01,P2,1,1000,,
Q2,O1,2026-04-01,P1,10,92,M1,战略客户
Q2,O1,2026-04-01,P2,1,1000,,
Q3,O2,2026-06-01,P1,10,88,A2,自己批的
Q4,O3,2026-06-01,P2,2,700,,
Q5,O4,2026-06-01,P1,1,100,,
""",
    "bids": """bid_code,opp_code,tender_name,published_date,deadline,status,submitted_date,bid_amount,result_date
BD1,O1,核心网招标,2026-02-01,2026-03-01,won,2026-02-28,1900,2026-03-20
BD2,O2,院内网招标,2026-05-01,2026-06-10,won,2026-06-12,900,2026-06-18
BD3,O3,校园网招标,2026-11-01,2026-12-05,preparing,,1400,
BD4,O4,厂区网招标,2026-06-01,2026-07-01,lost,2026-06-30,500,2026-07-08
BD5,O3,校园网二期,2026-11-10,2026-12-20,preparing,,600,
""",
    "support_requests": """request_code,opp_code,requested_by,kind,requested_date,engineer,resolved_date,hours
SR1,O1,A1,demo,2026-01-10,王工,2026-01-15,8
SR2,O3,A3,poc,2026-11-01,王工,,20
SR3,O4,B1,consulting,2026-03-01,李工,2026-03-11,4
""",
    "events": """event_code,name,kind,event_date,organiser_rep_code,cost
E1,答谢晚宴,dinner_6a2r,2026-05-10,A1,250.80
E2,高层拜访,vip_event,2026-09-01,A1,200
""",
    "event_attendees": """event_code,account_code,attended
E1,ACC-A1,yes
E1,ACC-A2,yes
E1,ACC-B1,yes
E2,ACC-A1,yes
E2,ACC-A3,no
""",
}


def _write(folder: Path, sheets: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in sheets.items():
        (folder / f"{name}.csv").write_text(body, encoding="utf-8")
    return folder


def _viewer(session, name: str, role: str, rep_code: str | None) -> Viewer:
    rep = session.scalar(select(Rep).where(Rep.rep_code == rep_code)) if rep_code else None
    user = create_user(session, name, "a-long-password-1", role, rep_code)
    session.commit()
    return Viewer(
        user_id=user.id,
        username=name,
        role=role,
        rep_id=rep.id if rep else None,
        rep_code=rep_code,
        team_id=rep.team_id if rep else None,
    )


@pytest.fixture()
def world(engine, session, tmp_path):
    report = run_import(engine, _write(tmp_path / "in", SHEETS), as_of=TODAY, username="t")
    assert report.ok, report.issues[:5]
    return {
        "director": _viewer(session, "d", "director", None),
        "east": _viewer(session, "m1", "manager", "M1"),
        "west": _viewer(session, "m2", "manager", "M2"),
        "a2": _viewer(session, "a2", "rep", "A2"),
        "a3": _viewer(session, "a3", "rep", "A3"),
    }


def _q(year: int = 2026, **kw: str) -> dict[str, str]:
    return {"year": str(year), **kw}


def test_sup101_bids_of_each_scope(world, session):
    data = view.load_bids_api(session, world["director"], _q(), TODAY)
    s = data.summary
    assert [b.bid_code for b in data.bids] == ["BD1", "BD2", "BD4", "BD3", "BD5"]  # by deadline
    assert (s.won, s.lost, s.submitted, s.on_time) == (2, 1, 3, 2)  # BD2 went in two days late
    assert s.win_rate == pytest.approx(2 / 3) and s.win_rate_amount == pytest.approx((1900 + 900) / 3300)
    assert s.on_time_rate == pytest.approx(2 / 3) and s.due_soon == ("BD3",)  # BD5 is 23 days out
    east = view.load_bids_api(session, world["east"], _q(), TODAY).summary
    assert (east.bids, east.won, east.lost, east.win_rate, east.on_time_rate) == (4, 2, 0, 1.0, 0.5)
    mine = view.load_bids_api(session, world["a2"], _q(), TODAY)
    assert [b.bid_code for b in mine.bids] == ["BD2"]
    assert view.load_bids_api(session, world["director"], _q(2025), TODAY).bids == []


def test_sup102_support_page_and_answer(world, session):
    data = view.load_support(session, world["director"], _q(tab="tech"), TODAY)
    r = data.requests
    assert r is not None and (r.requests, r.open) == (3, 1)
    assert r.avg_days == pytest.approx((5 + 10) / 2)  # SR2 is open: not in the average
    # closed in 2026: O1 won and O4 lost had support; O2 won, O5 and O6 lost had none
    assert (data.supported.won, data.supported.lost) == (1, 1)
    assert (data.unsupported.won, data.unsupported.lost) == (1, 2)
    assert dict(data.by_engineer)["王工"].requests == 2 and dict(data.by_kind)["poc"].open == 1
    # SR2 (王工, open since Nov 1) is in hand in each of the last four weeks before today's
    assert data.load["王工"][-4:] == [1, 1, 1, 1]
    assert [x.request_code for x in data.open_requests] == ["SR2"]
    east = view.load_support_api(session, world["east"], _q(), TODAY)
    assert (east.requests.requests, east.requests.avg_days) == (2, 5.0)
    assert (east.supported.won, east.supported.lost, east.unsupported.won, east.unsupported.lost) == (1, 0, 1, 2)
    west = view.load_support_api(session, world["west"], _q(), TODAY)
    assert (west.requests.requests, west.supported.lost, west.unsupported.n) == (1, 1, 0)


def test_sup103_bids_page_groups_and_calendar(world, session):
    data = view.load_support(session, world["director"], _q(), TODAY)
    teams = dict(data.by_team)
    assert (teams["East"].bids, teams["East"].won, teams["West"].lost) == (4, 2, 1)
    lines = dict(data.by_line)
    assert (lines["数据中心"].won, lines["园区网络"].bids) == (2, 3)
    # this week (Mon Nov 23) and the next five: BD3 (Dec 5) and BD5 (Dec 20)
    assert [b.bid_code for b in data.calendar] == ["BD3", "BD5"]
    west = view.load_support(session, world["director"], _q(team=str(_team_id(session, "B1"))), TODAY)
    assert [b.bid_code for b in west.bids] == ["BD4"] and west.calendar == []


def _team_id(session, rep_code: str) -> int:
    return int(session.scalar(select(Rep.team_id).where(Rep.rep_code == rep_code)))


def test_sup104_quotes_versions_gm_discount_and_current(world, session):
    quotes = {q.quote_code: q for q in view.load_quotes_api(session, world["director"], _q(), TODAY).quotes}
    assert set(quotes) == {"Q1", "Q2", "Q3", "Q4", "Q5"}
    q1, q2 = quotes["Q1"], quotes["Q2"]
    assert (q1.revenue, q1.cost, q1.below_floor_lines, q1.current) == (1900, 1400, 1, False)
    assert q1.gm == pytest.approx(500 / 1900) and q1.discount == pytest.approx(1 - 1900 / 2000)
    # P1 at 92 is still below its 15% floor (12/92), approved or not; P2 at list is 40%
    assert (q2.revenue, q2.below_floor_lines, q2.current) == (1920, 1, True)
    assert quotes["Q4"].below_floor_lines == 1  # (700 - 600) / 700 < P2's own 30% floor
    assert (quotes["Q5"].gm, quotes["Q5"].discount, quotes["Q5"].below_floor_lines) == (pytest.approx(0.2), 0, 0)
    east = view.load_quotes_api(session, world["east"], _q(), TODAY).quotes
    assert {q.quote_code for q in east} == {"Q1", "Q2", "Q3", "Q4"}
    one = view.load_quotes_api(session, world["director"], _q(opp="O1"), TODAY).quotes
    assert [(q.quote_code, q.current) for q in one] == [("Q2", True), ("Q1", False)]
    assert view.load_quotes_api(session, world["west"], _q(opp="O1"), TODAY).quotes == []  # another team's deal


def test_sup105_the_deal_page_lists_its_versions_with_lines(world, session):
    data = opp_view.load(session, world["director"], {"opp_code": "O1"}, TODAY)
    assert data is not None
    assert [(q.quote_code, q.current, len(q.lines)) for q in data.quotes] == [("Q2", True, 2), ("Q1", False, 2)]
    below = [line.product_code for line in data.quotes[0].lines if line.below_floor]
    assert below == ["P1"] and [line.approved_by for line in data.quotes[0].lines] == ["M1", None]
    assert opp_view.load(session, world["west"], {"opp_code": "O1"}, TODAY) is None


def test_sup106_the_five_flags_with_their_evidence(world, session):
    data = view.load_risk(session, world["director"], _q(), TODAY)
    got = {(f.kind, f.quote_code or f.opp_code or f.account_code or f.rep_code): f for f in data.flags}
    assert sorted(got) == [
        ("contract_below_quote", "Q2"),
        ("discount_outlier", "A3"),
        ("event_cost_high", "ACC-A1"),
        ("self_approved", "Q3"),
        ("unapproved_below_floor", "Q1"),
        ("unapproved_below_floor", "Q4"),
    ]
    q1 = got[("unapproved_below_floor", "Q1")]
    assert (q1.rep_code, q1.opp_code, q1.account_code) == ("A1", "O1", "ACC-A1")
    assert q1.value == pytest.approx((90 - 80) / 90) and [e.code for e in q1.evidence] == ["P1"]
    assert got[("unapproved_below_floor", "Q4")].value == pytest.approx((700 - 600) / 700)
    own = got[("self_approved", "Q3")]
    assert (own.rep_code, own.value, own.evidence[0].who) == ("A2", pytest.approx(8 / 88), "A2")
    short = got[("contract_below_quote", "Q2")]  # 1800 against the current quote's 1920: 6.25% short
    assert (short.opp_code, short.rep_code, short.value) == ("O1", "A1", pytest.approx(1 - 1800 / 1920))
    assert [e.code for e in short.evidence] == ["Q2", "C1"]
    # O2's contract is exactly 5% below Q3 (836 against 880): just inside
    outlier = got[("discount_outlier", "A3")]  # A3 1 - 1400/2000 against East's 1 - 6100/7000
    assert outlier.value == pytest.approx((1 - 1400 / 2000) - (1 - 6100 / 7000))
    spend = got[("event_cost_high", "ACC-A1")]  # E1's 250.80 over 3 accounts + E2's 200, against 1800 booked
    assert (spend.rep_code, spend.value) == ("A1", pytest.approx((250.80 / 3 + 200) / 1800))
    # ACC-A2: 83.60 of 836 booked is exactly 10% (just inside); ACC-B1 booked nothing (acquisition)
    assert data.counts == {
        "unapproved_below_floor": 2,
        "self_approved": 1,
        "contract_below_quote": 1,
        "discount_outlier": 1,
        "event_cost_high": 1,
    }


def test_sup107_risk_scope_managers_see_their_team_reps_nothing(world, session):
    east = view.load_risk(session, world["east"], _q(), TODAY)
    assert sum(east.counts.values()) == 6 and east.allowed
    west = view.load_risk(session, world["west"], _q(), TODAY)
    assert west.flags == [] and west.allowed  # B1 alone: a team of one never compares discounts
    rep = view.load_risk(session, world["a2"], _q(), TODAY)
    assert (rep.allowed, rep.flags) == (False, [])
    assert view.load_risk_api(session, world["a2"], _q(), TODAY) is None
    assert view.load_risk_counts(session, world["east"], _q(), TODAY) is None  # the Overview's is a director's
    counts = view.load_risk_counts(session, world["director"], _q(), TODAY)
    assert counts is not None and counts.counts["unapproved_below_floor"] == 2


def test_sup108_thresholds_move_the_flags(world, session):
    support_writes.set_risk_thresholds(
        session,
        world["director"],
        {
            "floor_margin": "10",
            "contract_below_quote": "7",
            "discount_gap": "20",
            "min_team_reps": "3",
            "event_cost_share": "9",
        },
    )
    session.commit()
    settings = load_settings(session)
    assert (settings.floor_margin, settings.risk_contract_below_quote, settings.risk_event_cost_share) == (
        0.1,
        0.07,
        0.09,
    )
    data = view.load_risk(session, world["director"], _q(), TODAY)
    kinds = sorted((f.kind, f.quote_code or f.account_code or f.rep_code) for f in data.flags)
    # a 10% default floor: P1 at 90 (11.1%) is no longer below; Q4 is (P2's own 30%); 6.25% short is inside 7%;
    # A3's 17.1 points are inside 20; ACC-A2's 10% is now above 9%
    assert kinds == [
        ("event_cost_high", "ACC-A1"),
        ("event_cost_high", "ACC-A2"),
        ("self_approved", "Q3"),
        ("unapproved_below_floor", "Q4"),
    ]
    log = session.scalars(select(ChangeLog).where(ChangeLog.entity == "settings")).all()
    assert len(log) == 1 and log[0].after["discount_gap"] == 0.2 and log[0].before["discount_gap"] == 0.1


@pytest.mark.parametrize(
    ("who", "form", "key"),
    [
        ("east", {}, "write.directors_only"),
        ("a2", {}, "write.directors_only"),
        ("director", {"floor_margin": "95"}, "write.bad_threshold"),
        ("director", {"discount_gap": "-1"}, "write.bad_threshold"),
        ("director", {"min_team_reps": "2.5"}, "write.bad_threshold"),
        ("director", {"event_cost_share": "nan"}, "write.bad_threshold"),
        ("director", {"contract_below_quote": ["5"]}, "write.bad_threshold"),
        ("director", {"contract_below_quote": None}, "write.bad_threshold"),
    ],
)
def test_sup109_threshold_refusals_change_nothing(world, session, who, form, key):
    good = {
        "floor_margin": 15,
        "contract_below_quote": 5,
        "discount_gap": 10,
        "min_team_reps": 3,
        "event_cost_share": 10,
    }
    with pytest.raises(Refused) as refused:
        support_writes.set_risk_thresholds(session, world[who], {**good, **form})
    assert refused.value.key == key
    session.rollback()
    assert load_settings(session).floor_margin == 0.15
    assert session.scalar(select(func.count()).select_from(ChangeLog)) == 0


def test_sup110_calculator_prices_from_the_stored_list(world, session):
    quote, problems = view.load_calculation(
        session, world["a2"], [("P1", "10", ""), ("P2", 2, "700"), ("NOPE", 1, ""), ("P1", "abc", ""), ("P2", 1, "-5")]
    )
    assert [line.product_code for line in quote.lines] == ["P1", "P2"]
    assert (quote.revenue, quote.cost, quote.list_amount) == (10 * 100 + 2 * 700, 10 * 80 + 2 * 600, 3000)
    assert quote.below_floor_lines == 1  # P2 at 700: (700 - 600) / 700 under its 30% floor
    assert len(problems) == 3 and "NOPE" in problems[0]


def test_sup111_round_trip_of_the_new_sheets(world, engine, new_engine, tmp_path):
    out = tmp_path / "out"
    from sqlalchemy.orm import Session as OrmSession

    with OrmSession(engine) as s:
        counts = export(s, out)
    assert {k: counts[k] for k in ("bids", "support_requests", "price_list", "quote_lines")} == {
        "bids": 5,
        "support_requests": 3,
        "price_list": 2,
        "quote_lines": 7,
    }
    fresh = new_engine()
    assert run_import(fresh, out, as_of=TODAY, username="t").ok
    with OrmSession(fresh) as s:
        again = export(s, tmp_path / "again")
    assert again == counts
    for name in ("bids", "support_requests", "price_list", "quote_lines"):
        assert (out / f"{name}.csv").read_bytes() == (tmp_path / "again" / f"{name}.csv").read_bytes()


def test_sup112_a_quote_is_one_deal_on_one_day(world, engine, session, tmp_path):
    bad = _write(
        tmp_path / "bad",
        {
            "quote_lines": """quote_code,opp_code,quoted_date,product_code,quantity,unit_price
Q1,O2,2026-03-01,P2,1,900
Q9,O3,2026-07-01,P1,1,100
Q9,O3,2026-07-02,P2,1,100
"""
        },
    )
    issues = run_import(engine, bad, as_of=TODAY, username="t").issues
    assert [(i.row, i.column) for i in issues] == [(2, "opp_code"), (4, "quoted_date")]
    assert "one quote, one deal" in issues[0].message and "new quote version" in issues[1].message
    assert session.scalar(select(func.count()).select_from(QuoteLine)) == 7  # nothing written


def _request(session, code: str, deal: str, by: str, day: date, **kw) -> SupportRequest:
    opp = session.scalar(select(Opportunity).where(Opportunity.opp_code == deal))
    rep = session.scalar(select(Rep).where(Rep.rep_code == by))
    return SupportRequest(
        request_code=code,
        opportunity_id=opp.id,
        requested_by_rep_id=rep.id,
        kind=kw.pop("kind", "demo"),
        requested_date=day,
        **kw,
    )


def test_sup113_supported_split_of_each_scope_with_amounts(world, session):
    """The whole company's split is summed another way than a team's (its closed deals, less the supported): both
    give the sheet's figures, a deal asked about twice counts once, a request on a deal closed in another year
    and an open deal's request count nowhere, and a year without closed deals is empty on both sides."""
    session.add_all(
        [  # O4 asked twice; O6 asked in 2025 (a request's year is not the deal's)
            _request(session, "SR4", "O4", "B1", date(2026, 4, 1)),
            _request(session, "SR5", "O6", "A2", date(2025, 12, 1)),
        ]
    )
    for code, cents in (("O2", 836.55), ("O5", 300.25)):  # the unsupported are a difference: cents must survive it
        session.scalar(select(Opportunity).where(Opportunity.opp_code == code)).amount = cents
    session.commit()
    # closed in 2026: O1 won 1800 and O4 lost 500 and O6 lost 200 had support; O2 won 836.55 and O5 lost 300.25
    # had none
    expected = {
        "director": (WinSplit(1, 2, 1800.0, 700.0), WinSplit(1, 1, 836.55, 300.25)),
        "east": (WinSplit(1, 1, 1800.0, 200.0), WinSplit(1, 1, 836.55, 300.25)),  # O4 is the West's
        "west": (WinSplit(0, 1, 0.0, 500.0), WinSplit()),
        "a2": (WinSplit(0, 1, 0.0, 200.0), WinSplit(1, 0, 836.55, 0.0)),
    }
    for who, (yes, no) in expected.items():
        data = view.load_support_api(session, world[who], _q(), TODAY)
        assert (data.supported, data.unsupported) == (yes, no), who
        empty = view.load_support_api(session, world[who], _q(2025), TODAY)
        assert (empty.supported, empty.unsupported) == (WinSplit(), WinSplit()), who


def test_sup114_request_sums_name_the_unassigned_and_keep_their_order(world, session):
    """Per engineer: requests with nobody assigned (no engineer, or "") under "", with no hours adding nothing;
    most requests first, then by name. The eight weeks in hand (Mondays Oct 5 .. Nov 23, the last Sunday Nov 29)
    count a request made on that Sunday, not one made the day after, leave out the unassigned, and list the most
    weeks first, then by name (issue 23: the first mutation run of these two queries)."""
    session.add_all(
        [
            _request(session, "SR6", "O2", "A2", date(2026, 2, 1), resolved_date=date(2026, 2, 3)),  # no engineer
            _request(session, "SR7", "O5", "A1", date(2026, 11, 30), engineer="赵工", hours=3, kind="poc"),
            _request(
                session,
                "SR8",
                "O5",
                "A1",
                date(2026, 11, 16),
                engineer="孙工",
                hours=2,
                resolved_date=date(2026, 11, 17),
            ),
            _request(session, "SR9", "O3", "A3", date(2026, 11, 29), engineer="钱工"),
            _request(session, "SR10", "O3", "A3", date(2026, 11, 2), engineer=""),  # open, nobody assigned
        ]
    )
    session.commit()
    everyone = Scope.everything()
    year = (date(2026, 1, 1), date(2026, 12, 31))
    by_engineer = support_queries.request_totals(session, everyone, *year, TODAY, by="engineer")
    # two each for "" and 王工 ("" first by name), then one each by name (孙 < 李 < 赵 < 钱 in code points)
    assert [name for name, _t in by_engineer] == ["", "王工", "孙工", "李工", "赵工", "钱工"]
    sums = {name: (t.requests, t.open, t.hours) for name, t in by_engineer}
    assert sums == {
        "": (2, 1, 0.0),
        "王工": (2, 1, 28.0),
        "孙工": (1, 0, 2.0),
        "李工": (1, 0, 4.0),
        "赵工": (1, 1, 3.0),
        "钱工": (1, 1, 0.0),
    }
    ((_, whole),) = support_queries.request_totals(session, everyone, *year, TODAY)
    assert (whole.requests, whole.open, whole.hours) == (8, 4, 37.0)
    mondays = [date(2026, 11, 23) - timedelta(weeks=k) for k in range(7, -1, -1)]
    load = support_queries.engineer_weeks(session, everyone, mondays, TODAY)
    assert load == {
        "王工": [0, 0, 0, 1, 1, 1, 1, 1],  # SR2, open since Sunday Nov 1: from the week of Oct 26 on
        "孙工": [0, 0, 0, 0, 0, 0, 1, 0],  # one week; before 钱工 by name, though 钱工's weeks sort higher
        "钱工": [0, 0, 0, 0, 0, 0, 0, 1],  # made on the last Sunday
    }
    assert list(load) == ["王工", "孙工", "钱工"]
