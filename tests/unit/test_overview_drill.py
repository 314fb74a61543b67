"""The lists behind the Overview's numbers (#18): every tile, bar and aging bucket opens its list, by the address.

Expected rows and sums come from the literal rows of the hand-built world below; the HTTP tests check on the demo
that each list ties to its tile, that the address (not the client) decides, and that a viewer's scope holds.
"""

from __future__ import annotations

import base64
import csv
import io
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from data_access.models import Opportunity, Rep
from data_access.users import Viewer
from metrics.overview import drill_of, drills
from metrics.views import overview
from tests.builders import Seed
from tests.dash_http import call_callback, download, find, render_page, text_of, walk

TODAY = date(2026, 6, 30)
DIRECTOR = Viewer(user_id=0, username="d", role="director", rep_id=None, rep_code=None, team_id=None)


@pytest.fixture()
def world(session):
    """Team East (A1, A2), team West (B1). Literal rows; every expected figure below is added up from them."""
    seed = Seed(session)
    east, west = seed.team("East"), seed.team("West", "华北")
    a1, a2, b1 = seed.rep("A1", east), seed.rep("A2", east), seed.rep("B1", west)
    acc_a, acc_a2, acc_b = seed.account("ACC-A", a1), seed.account("ACC-A2", a2), seed.account("ACC-B", b1)
    seed.quota(a1, 2026, 1_000_000, 300_000)
    seed.quota(a2, 2026, 400_000, 100_000)
    seed.quota(b1, 2026, 2_000_000, 200_000)
    # A1 won 400,000 in March (contract 400,000), lost 100,000 in April
    won = seed.opp(acc_a, 400_000, 5, "won", closed=date(2026, 3, 1), code="W-A1")
    c = seed.contract(won, 400_000, date(2026, 3, 1), gm=120_000)
    seed.payment(c, "advance", date(2026, 3, 20), 120_000, paid=120_000, paid_date=date(2026, 3, 20))
    seed.payment(c, "progress", date(2026, 5, 1), 160_000, paid=60_000, paid_date=date(2026, 5, 2))  # 60 days: 31-60
    seed.payment(c, "acceptance", date(2026, 6, 29), 30_000)  # 1 day late: 1-30
    seed.payment(c, "retention", date(2026, 3, 31), 50_000)  # 91 days late: >90
    seed.opp(acc_a, 100_000, 3, "lost", closed=date(2026, 4, 1), code="L-A1")
    # open: A1 200,000 at level 3 due Nov 2026 and 1,000,000 at level 1 due 2027; A2 80,000 at level 3 due Dec 31
    seed.opp(acc_a, 200_000, 3, expected=date(2026, 11, 30), code="O-A1-3")
    seed.opp(acc_a, 1_000_000, 1, expected=date(2027, 2, 1), code="O-A1-1")
    seed.opp(acc_a2, 80_000, 3, expected=date(2026, 12, 31), code="O-A2-3")
    # A2 won 60,000 in June (contract 60,000)
    won2 = seed.opp(acc_a2, 60_000, 5, "won", closed=date(2026, 6, 10), code="W-A2")
    c2 = seed.contract(won2, 60_000, date(2026, 6, 10), gm=6_000)
    seed.payment(c2, "advance", date(2026, 7, 15), 40_000)  # not yet due
    # B1 won 999,000 in February; open 50,000 at level 5
    won_b = seed.opp(acc_b, 999_000, 5, "won", closed=date(2026, 2, 1), code="W-B1")
    seed.contract(won_b, 999_000, date(2026, 2, 1), gm=99_900)
    seed.opp(acc_b, 50_000, 5, expected=date(2026, 8, 1), code="O-B1-5")
    session.commit()
    return {"east": east, "west": west, "a1": a1, "a2": a2, "b1": b1}


def _load(session, viewer, query):
    return overview.load(session, viewer, query, TODAY)


def _codes(data, field="opp_code"):
    return sorted(data.listed.rows[field])


@pytest.mark.parametrize(
    ("key", "codes", "n", "amount"),
    [
        ("open", ["O-A1-1", "O-A1-3", "O-A2-3", "O-B1-5"], 4, 1_330_000),
        ("open-3", ["O-A1-3", "O-A2-3"], 2, 280_000),
        ("open-5", ["O-B1-5"], 1, 50_000),
        ("open-2", [], 0, 0),
        # the V value's pipeline: open and expected by 2026-12-31 (Dec 31 itself counts)
        ("due", ["O-A1-3", "O-A2-3", "O-B1-5"], 3, 330_000),
        ("won", ["W-A1", "W-A2", "W-B1"], 3, 1_459_000),
        ("lost", ["L-A1"], 1, 100_000),
    ],
)
def test_ovd001_deal_lists_by_hand(session, world, key, codes, n, amount):
    data = _load(session, DIRECTOR, {"list": key})
    assert data.drill is not None and data.drill.key == key
    assert _codes(data) == codes
    assert (data.listed.n, data.listed.amount) == (n, pytest.approx(amount))


@pytest.mark.parametrize(
    ("key", "owed", "n"),
    [
        ("overdue", [30_000, 50_000, 100_000], 3),
        ("overdue-1-30", [30_000], 1),
        ("overdue-31-60", [100_000], 1),
        ("overdue-61-90", [], 0),
        ("overdue->90", [50_000], 1),
    ],
)
def test_ovd002_overdue_lists_by_bucket_by_hand(session, world, key, owed, n):
    data = _load(session, DIRECTOR, {"list": key})
    assert sorted(data.listed.rows["owed"].astype(float)) == owed
    assert (data.listed.n, data.listed.amount) == (n, pytest.approx(sum(owed)))


def test_ovd003_each_list_ties_to_its_number(session, world):
    """The sum of a tile's list is the tile; an aging bucket's list is the bucket (the buckets add up)."""
    data = _load(session, DIRECTOR, {})
    k = data.kpis
    tie = {
        "bookings": k.bookings,
        "open": k.open_amount,
        "overdue": k.overdue.amount,
        **{f"overdue-{name}": v for name, v in k.overdue.buckets.items()},
    }
    for key, number in tie.items():
        assert _load(session, DIRECTOR, {"list": key}).listed.amount == pytest.approx(number), key
    assert sum(k.overdue.buckets.values()) == pytest.approx(180_000)
    assert (k.won_count, k.lost_count) == (3, 1)
    for lv in range(1, 6):
        bar = float(data.pipeline.set_index("level")["amount"].get(lv, 0.0))
        assert _load(session, DIRECTOR, {"list": f"open-{lv}"}).listed.amount == pytest.approx(bar)


def test_ovd004_bookings_by_hand_and_a_rep_sees_only_their_own(session, world):
    data = _load(session, DIRECTOR, {"list": "bookings"})
    assert sorted(data.listed.rows["amount"].astype(float)) == [60_000, 400_000, 999_000]
    a2 = Viewer(user_id=0, username="a2", role="rep", rep_id=world["a2"].id, rep_code="A2", team_id=world["east"].id)
    mine = _load(session, a2, {"list": "bookings", "team": str(world["west"].id), "rep": "B1"})
    assert list(mine.listed.rows["amount"].astype(float)) == [60_000]
    assert _codes(_load(session, a2, {"list": "open"})) == ["O-A2-3"]
    assert _load(session, a2, {"list": "overdue"}).listed.n == 0


def test_ovd005_a_manager_sees_only_the_team(session, world):
    m = Viewer(user_id=0, username="m", role="manager", rep_id=None, rep_code=None, team_id=world["east"].id)
    data = _load(session, m, {"list": "won", "team": str(world["west"].id)})
    assert _codes(data) == ["W-A1", "W-A2"]
    assert _codes(_load(session, m, {"list": "open"})) == ["O-A1-1", "O-A1-3", "O-A2-3"]


def test_ovd006_a_list_keeps_the_period_and_filters(session, world):
    q1 = _load(session, DIRECTOR, {"list": "won", "period": "2026Q1"})
    assert _codes(q1) == ["W-A1", "W-B1"]
    east = _load(session, DIRECTOR, {"list": "bookings", "team": str(world["east"].id)})
    assert sorted(east.listed.rows["amount"].astype(float)) == [60_000, 400_000]


def test_ovd007_unknown_lists_are_no_list(session, world):
    for key in ("", "open-6", "open-0", "overdue-1-31", "bookings; drop table reps", "OPEN", "open-3 "):
        assert _load(session, DIRECTOR, {"list": key}).drill is None, key
    assert drill_of({"list": ["open"]}) is None
    assert set(drills()) == {
        "bookings",
        "open",
        "due",
        "won",
        "lost",
        "overdue",
        *(f"open-{lv}" for lv in range(1, 6)),
        "overdue-1-30",
        "overdue-31-60",
        "overdue-61-90",
        "overdue->90",
    }


def test_ovd008_per_team_and_per_rep_lines_by_hand(session, world):
    data = _load(session, DIRECTOR, {})
    assert data.group_by == "team"
    rows = {r["name"]: r for r in data.groups.to_dict("records")}
    # East: 400,000 + 60,000 booked of 1,400,000; West: 999,000 of 2,000,000
    assert rows["East"]["bookings"] == pytest.approx(460_000)
    assert rows["East"]["target"] == pytest.approx(1_400_000)
    assert rows["West"]["attainment"] == pytest.approx(999_000 / 2_000_000)
    # largest gap first: West 1,001,000, East 940,000
    assert list(data.groups["name"]) == ["West", "East"]
    team = _load(session, DIRECTOR, {"team": str(world["east"].id)})
    assert team.group_by == "rep"
    assert list(team.groups["rep_code"]) == ["A1", "A2"]  # gaps 600,000 and 340,000
    assert list(team.groups["gap"]) == [pytest.approx(600_000), pytest.approx(340_000)]
    assert _load(session, DIRECTOR, {"rep": "A1"}).group_by is None


def test_ovd009_bookings_by_month_against_the_cumulative_target(session, world):
    track = _load(session, DIRECTOR, {}).track
    assert list(track["month"]) == list(range(1, 13))
    # Feb 999,000; Mar 400,000; Jun 60,000; July on is after today: no line yet
    assert list(track["bookings"][:6]) == [0, 999_000, 400_000, 0, 0, 60_000]
    assert list(track["cumulative"][:6]) == [0, 999_000, 1_399_000, 1_399_000, 1_399_000, 1_459_000]
    assert track["cumulative"][6:].isna().all()
    assert track["target"].iloc[-1] == pytest.approx(3_400_000)
    assert track["target"].iloc[2] == pytest.approx(3_400_000 * 3 / 12)


# ---- over HTTP, on the demo: the page, the click, the download, and what a client may post ---------------


def _tiles(tree):
    return {n["props"]["id"]: n["props"]["href"] for n in walk(tree) if str(n["props"].get("id", "")).endswith("-link")}


def test_ovd010_every_tile_links_to_its_list_keeping_the_filters(director):
    tree = render_page(director, "/", "?period=2026Q3&product=%E4%BA%91%E6%9C%8D%E5%8A%A1")
    links = _tiles(tree)
    wanted = {
        "kpi-bookings-link": "bookings",
        "kpi-attainment-link": "bookings",
        "kpi-open-pipeline-link": "open",
        "kpi-weighted-pipeline-link": "open",
        "kpi-v-value-link": "due",
        "kpi-win-rate-link": "won",
        "kpi-overdue-link": "overdue",
    }
    assert {k: parse_qs(urlparse(v).query)["list"][0] for k, v in links.items() if k in wanted} == wanted
    for href in links.values():
        query = parse_qs(urlparse(href).query)
        assert query["period"] == ["2026Q3"] and query["product"] == ["云服务"]
    buckets = [n["props"]["href"] for n in walk(find(tree, "overview-aging")) if "href" in n["props"]]
    assert [parse_qs(urlparse(h).query)["list"][0] for h in buckets] == [
        "overdue-1-30",
        "overdue-31-60",
        "overdue-61-90",
        "overdue->90",
    ]


@pytest.mark.parametrize("key", ["bookings", "open", "due", "won", "overdue", "overdue-31-60", "open-3"])
def test_ovd011_each_list_page_shows_its_sum_as_the_tile_does(director, key):
    tree = render_page(director, "/", f"?list={key}")
    title = text_of(
        next(n for n in walk(find(tree, "overview-list")) if n["props"].get("className") == "panel-title mb-2")
    )
    tile_of = {"bookings": "bookings", "open": "open-pipeline", "overdue": "overdue"}
    if key in tile_of:
        assert title.endswith(" · " + text_of(find(tree, f"kpi-{tile_of[key]}-value"))), title
    grid = find(tree, "overview-list-grid")
    assert grid["props"]["rowData"], key
    assert "list" not in parse_qs(urlparse(find(tree, "overview-list-close")["props"]["href"]).query)


def test_ovd012_a_bar_click_opens_its_level_and_nothing_else(director):
    def click(customdata):
        return call_callback(
            director,
            "url.search",
            {
                ("overview-pipeline-chart", "clickData"): {"points": [{"customdata": customdata}]},
                ("url", "search"): "?period=2026",
            },
        )

    answer = click("open-4")
    assert answer.status_code == 200
    assert answer.get_json()["response"]["url"]["search"] == "?period=2026&list=open-4"
    for hostile in ("overdue-1-30", "open-9", "../admin", {"x": 1}, None, 3):
        assert click(hostile).status_code == 204, hostile


def test_ovd013_the_download_is_the_list_in_the_viewers_scope(rep, demo_session):
    answer = download(rep, "overview_list", "csv", "?list=open&team=1&rep=M001")
    assert answer.status_code == 200
    content = base64.b64decode(answer.get_json()["response"]["table-download-target"]["data"]["content"])
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    # the signed-in rep's own open deals, whatever the address asks
    own = demo_session.scalars(
        select(Opportunity.opp_code)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .where(Rep.rep_code == "R0001", Opportunity.status == "open")
    ).all()
    assert rows and sorted(r["opp_code"] for r in rows) == sorted(own)
    assert download(rep, "overview_list", "csv", "?period=2026").status_code == 204


def test_ovd014_a_class_overdue_sum_and_list_by_hand_whole_company_and_team(session, world):
    """The class filter on collections (the whole company's read starts from the unpaid payments on SQLite; a
    team's from its deals): ACC-A is R by override, ACC-B A; ACC-B owes 70,000 for 10 days."""
    from data_access.models import Account, Contract

    session.query(Account).filter_by(account_code="ACC-A").update({"rad_override": "R"})
    session.query(Account).filter_by(account_code="ACC-B").update({"rad_override": "A"})
    contract_b = session.query(Contract).join(Opportunity).filter(Opportunity.opp_code == "W-B1").one()
    Seed(session).payment(contract_b, "advance", date(2026, 6, 20), 70_000)
    session.commit()
    r = _load(session, DIRECTOR, {"rad": "R", "list": "overdue"})
    assert (r.kpis.overdue.amount, r.kpis.overdue.count) == (pytest.approx(180_000), 3)
    assert sorted(r.listed.rows["owed"].astype(float)) == [30_000, 50_000, 100_000]
    a = _load(session, DIRECTOR, {"rad": "A", "list": "overdue-1-30"})
    assert a.kpis.overdue.amount == pytest.approx(70_000) and list(a.listed.rows["owed"]) == [70_000]
    m = Viewer(user_id=0, username="m", role="manager", rep_id=None, rep_code=None, team_id=world["east"].id)
    east = _load(session, m, {"rad": "R", "list": "overdue"})
    assert east.kpis.overdue.amount == pytest.approx(180_000) and east.listed.n == 3
    assert _load(session, m, {"rad": "A", "list": "overdue"}).listed.n == 0  # ACC-B is West's
