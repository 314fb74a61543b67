"""The view loaders' edges the mutation run of ``metrics/views/`` left unread (a second hand, from the loaders'
source and the survivors' diffs): the calculator's problems word for word and its limits, the risk flags' first
day of the year, the flags named per kind, the filter bar's bounds, the review's ranking of a quarter and its team
name, a level's download of won deals, the actions' count lines, the forecast's drivers and a past quarter's
replay on its history window, the task book of a quarter, the what-if, and the Overview's download.

Every expected value is written from the rows seeded here (or a line of plain arithmetic over them)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from data_access.models import Opportunity, Quota
from data_access.models_support import Product, QuoteLine
from data_access.scope import Scope
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics.period import Period
from metrics.support import Flag
from metrics.views import actions as actions_view
from metrics.views import forecast as forecast_view
from metrics.views import funnel as funnel_view
from metrics.views import overview as overview_view
from metrics.views import rad as rad_view
from metrics.views import scorecards as scorecards_view
from metrics.views import support as support_view
from metrics.views.filters import canonical_query, filters_from_controls
from tests.builders import Seed, closed_history

TODAY = date(2026, 11, 27)
DIRECTOR = Viewer(user_id=0, username="d", role="director", rep_id=None, rep_code=None, team_id=None)


def _manager(rep_id: int, team_id: int) -> Viewer:
    return Viewer(user_id=0, username="m", role="manager", rep_id=rep_id, rep_code=None, team_id=team_id)


def _products(session: Session) -> None:
    """P1: list 100, cost 80, no floor of its own (the setting's 15%); P2: list 1000, cost 600, floor 30%."""
    session.add_all(
        [
            Product(product_code="P1", product_line="数据中心", name="接入交换机", list_price=100, unit_cost=80),
            Product(
                product_code="P2",
                product_line="数据中心",
                name="核心交换机",
                list_price=1000,
                unit_cost=600,
                floor_margin=0.30,
            ),
        ]
    )
    session.flush()


# --- support ----------------------------------------------------------------------------------------------------


def test_lde001_the_page_names_the_first_flags_of_each_kind():
    flags = [Flag("a", "R1", 1.0), Flag("a", "R2", 2.0), Flag("a", "R3", 3.0), Flag("b", "R4", 4.0)]
    assert support_view._firsts(flags, 2) == [flags[0], flags[1], flags[3]]
    assert support_view._firsts(flags, 1) == [flags[0], flags[3]]


def test_lde002_the_calculator_names_each_refused_line_and_prices_the_rest(session: Session):
    _products(session)
    session.commit()
    picked: list[tuple[object, object, object]] = [
        ("", 1, ""),  # no product: skipped, the lines after it still priced
        (None, 2, "5"),  # a blank cell of the form's grid: skipped too
        ("X" * 51, 1, ""),  # longer than any code: named, like an unknown one (was left out without a word)
        ("P1\x00", 1, ""),  # a control character: named, its repr shows it
        (7, 1, ""),  # not text at all (a hostile client): named
        ("U" * 45, 1, ""),  # unknown: named by its first 40 characters
        ("P1", "1000000.5", ""),  # above the most a line may hold
        ("P1", "x" * 25, ""),  # not a number: its first 20 characters
        ("P2", 1, "abc" * 9),  # a unit price that is no amount: its first 20 characters
        ("P2", 2, "0.5"),  # half a yuan is a price
        ("P1", 3, 10_000_000_000.5),  # above 1e10
        ("P1", 1, None),  # no price: the list price
    ]
    quote, problems = support_view.load_calculation(session, DIRECTOR, picked)
    assert problems == [
        "product '" + "X" * 40 + "' is not on the price list",
        "product 'P1\\x00' is not on the price list",
        "product '7' is not on the price list",
        "product '" + "U" * 40 + "' is not on the price list",
        "P1: quantity '1000000.5' is not a number from 0.01 to 1000000",
        "P1: quantity '" + "x" * 20 + "' is not a number from 0.01 to 1000000",
        "P2: unit price '" + ("abc" * 9)[:20] + "' is not an amount",
        "P1: unit price '10000000000.5' is not an amount",
    ]
    got = [
        (x.product_code, x.quantity, x.unit_price, x.list_price, x.unit_cost, x.floor, x.product_name)
        for x in quote.lines
    ]
    assert got == [
        ("P2", 2.0, 0.5, 1000.0, 600.0, 0.30, "核心交换机"),
        ("P1", 1.0, 100.0, 100.0, 80.0, 0.15, "接入交换机"),
    ]
    assert quote.quote_code == "calculator"
    assert (quote.revenue, quote.cost, quote.list_amount) == (2 * 0.5 + 100, 2 * 600 + 80, 2 * 1000 + 100)


def test_lde003_a_line_quoted_on_the_first_day_of_the_year_is_flagged(session: Session):
    _products(session)
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    opp = seed.opp(seed.account("A1", rep), 1400, 3, code="O1")
    p2 = session.query(Product).filter_by(product_code="P2").one()
    # 2 x 700 against a cost of 600: (700 - 600) / 700 under P2's 30% floor, and nobody approved it
    session.add(
        QuoteLine(
            quote_code="QJ1",
            opportunity_id=opp.id,
            quoted_date=date(2026, 1, 1),
            product_id=p2.id,
            quantity=2,
            unit_price=700,
        )
    )
    session.commit()
    flags = support_view.risk_flags(session, Scope.everything(), 2026, load_settings(session))
    assert [(f.kind, f.quote_code, f.rep_code) for f in flags] == [("unapproved_below_floor", "QJ1", "R1")]
    assert flags[0].value == pytest.approx((700 - 600) / 700)


# --- filters ----------------------------------------------------------------------------------------------------


def test_lde004_the_filter_bar_keeps_each_value_inside_its_bounds():
    assert filters_from_controls(2000, "1", 1) == "?period=2000Q1&team=1"
    assert filters_from_controls(1999, "4", 0) == ""
    assert filters_from_controls(2100, "5", 2**31 - 1) == f"?period=2100&team={2**31 - 1}"
    assert filters_from_controls(2101, "0", 2**31) == ""


def test_lde019_an_address_of_a_year_the_pages_refuse_is_the_default_years_view():
    """parse_filters shows the default year (with a notice) for a year outside 2000-2100; the canonical address is
    that view's, so the filter bar's first draw does not navigate away from the notice."""
    assert canonical_query("?period=1999", TODAY, [2026]) == "?period=2026"
    assert canonical_query("?period=2101Q2&team=3", TODAY, [2026]) == "?period=2026&team=3"
    assert canonical_query("?period=2100Q2", TODAY, [2026]) == "?period=2100Q2"
    assert canonical_query("?period=2000", TODAY, [2026]) == "?period=2000"


def test_lde005_the_canonical_address_of_a_quarter_and_of_no_period():
    assert canonical_query("?period=2026Q3", TODAY) == "?period=2026Q3"
    assert canonical_query("?period=2026", TODAY) == "?period=2026"
    # no period: the latest year that holds data when today's holds none
    assert canonical_query("", TODAY, [2016, 2017]) == "?period=2017"


# --- funnel -----------------------------------------------------------------------------------------------------


def test_lde006_the_review_ranks_a_quarter_against_a_quarter_of_the_year(session: Session):
    seed = Seed(session)
    team = seed.team("季度组")
    k1, k2 = seed.rep("K1", team, name="甲"), seed.rep("K2", team, name="乙")
    acc = seed.account("ACK", k1)
    seed.quota(k1, 2026, 1_000_000, 100_000)  # Q4: a quarter of it, 250,000
    won = seed.opp(acc, 100_000, 5, "won", created=date(2026, 9, 1), closed=date(2026, 10, 5))
    seed.contract(won, 100_000, date(2026, 10, 5))
    early = seed.opp(acc, 70_000, 5, "won", created=date(2026, 1, 1), closed=date(2026, 3, 5))
    seed.contract(early, 70_000, date(2026, 3, 5))  # Q1: not in Q4's bookings
    session.commit()
    data = funnel_view.load_review(session, DIRECTOR, {"team": str(team.id), "period": "2026Q4"}, TODAY)
    first, last = data.ranking
    assert (first["rep_code"], first["bookings"], first["target"], first["gap"]) == ("K1", 100_000, 250_000, 150_000)
    assert first["attainment"] == pytest.approx(100_000 / 250_000)
    assert last == {
        "key": k2.id,
        "bookings": 0.0,
        "target": None,
        "attainment": None,
        "gap": None,
        "rep_code": "K2",
        "name": "乙",
    }


def test_lde007_the_review_names_the_chosen_team_or_a_managers_only_one(session: Session):
    seed = Seed(session)
    east, west = seed.team("东区"), seed.team("西区")
    seed.rep("E1", east)
    boss = seed.rep("M2", west, role="manager")
    seed.rep("W1", west)
    session.commit()
    assert funnel_view.load_review(session, DIRECTOR, {"team": str(east.id)}, TODAY).team_name == "东区"
    assert funnel_view.load_review(session, DIRECTOR, {}, TODAY).team_name is None  # two teams: no one name
    assert funnel_view.load_review(session, _manager(boss.id, west.id), {}, TODAY).team_name == "西区"


def test_lde008_a_team_without_reps_has_an_empty_slide(session: Session):
    seed = Seed(session)
    seed.rep("E1", seed.team("东区"))
    lone = seed.team("空组")
    seed.rep("M9", lone, role="manager")  # the team is listed, but it has no sales rep to review
    session.commit()
    data = funnel_view.load_review(session, DIRECTOR, {"team": str(lone.id)}, TODAY)
    assert data.filters.team_id == lone.id and data.filters.problems == ()
    assert (data.today, data.since) == (TODAY, date(2026, 11, 20))
    assert (data.reps, data.index, data.kpis, data.moved, data.details) == ([], None, None, None, {})
    assert data.ranking == [] and data.deals == []


def test_lde009_a_download_of_won_deals_still_collecting_keeps_to_the_period(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    acc = seed.account("A1", rep)
    seed.opp(acc, 500, 5, "won", created=date(2026, 2, 1), closed=date(2026, 6, 1), code="W26")
    seed.opp(acc, 300, 5, "won", created=date(2025, 2, 1), closed=date(2025, 6, 1), code="W25")
    session.commit()
    rows = funnel_view.stage_deals(session, DIRECTOR, {"level": "5w", "period": "2026"}, TODAY)
    assert rows["opp_code"].tolist() == ["W26"]


# --- actions ----------------------------------------------------------------------------------------------------


def _action_world(session: Session) -> dict[str, int]:
    """Team 东区: manager M1, rep A1 (one account without a BP row: learn_bp, and no visit planned next week:
    plan_next_week) and rep A2 (plan_next_week only); team 西区: its manager alone (no line of any kind)."""
    seed = Seed(session)
    east, west = seed.team("东区"), seed.team("西区")
    m1 = seed.rep("M1", east, role="manager", name="经理一")
    a1 = seed.rep("A1", east, name="销售一")
    seed.rep("A2", east, name="销售二")
    seed.rep("M2", west, role="manager", name="经理二")
    seed.account("ACC1", a1)
    session.commit()
    return {"east": east.id, "west": west.id, "m1": m1.id}


def test_lde010_the_directors_count_per_team_says_0_for_a_kind_without_lines(session: Session):
    ids = _action_world(session)
    data = actions_view.load_actions(session, DIRECTOR, {}, TODAY)
    zero = dict.fromkeys(actions_view.KINDS, 0)
    assert [(x.key, x.name, x.counts) for x in data.lines] == [
        (str(ids["east"]), "东区", {**zero, "learn_bp": 1, "plan_next_week": 2}),
        (str(ids["west"]), "西区", zero),
    ]


def test_lde011_the_managers_count_per_rep_puts_the_most_actions_first(session: Session):
    ids = _action_world(session)
    data = actions_view.load_actions(session, _manager(ids["m1"], ids["east"]), {}, TODAY)
    zero = dict.fromkeys(actions_view.KINDS, 0)
    assert [(x.key, x.name, x.counts) for x in data.lines] == [
        ("A1", "销售一", {**zero, "learn_bp": 1, "plan_next_week": 1}),
        ("A2", "销售二", {**zero, "plan_next_week": 1}),
    ]


# --- forecast ---------------------------------------------------------------------------------------------------


def test_lde012_a_driver_carries_its_chance_to_land(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    acc = seed.account("A1", rep)
    # level 5 in the last 12 months: 30 won and 30 lost, all on time: p_win .5, p_close 1
    closed_history(seed, acc, 5, 30, 30, closed=date(2026, 6, 1), expected=date(2026, 6, 1))
    seed.opp(acc, 100, 5, code="D1", expected=date(2026, 12, 15))
    session.commit()
    data = forecast_view.load_forecast(session, DIRECTOR, {"period": "2026"}, TODAY)
    assert [(d["opp_code"], d["amount"], d["p_land"], d["share"]) for d in data.drivers] == [("D1", 100.0, 0.5, 1.0)]


def test_lde013_a_replay_learns_from_the_365_days_before_the_quarter(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    acc = seed.account("A1", rep)
    # Q3 2026 starts on 1 July: its history is 1 July 2025 to 30 June 2026, both days included
    # level 5, all closed on their expected day: 30 won on the window's last day, 30 lost on its first
    closed_history(seed, acc, 5, 30, 0, closed=date(2026, 6, 30), expected=date(2026, 6, 30))
    closed_history(seed, acc, 5, 0, 30, closed=date(2025, 7, 1), expected=date(2025, 7, 1), created=date(2025, 6, 1))
    seed.opp(acc, 1000, 5, code="O1", created=date(2026, 5, 1), expected=date(2026, 9, 15))
    session.commit()
    r = forecast_view.replay(session, Scope.everything(), Period(2026, 3))
    # level 5: 60 closed, 30 won, all on time: O1 lands with .5, so P10 is nothing and P90 all of it
    assert (r.p10, r.p90, r.deals, r.actual) == (0.0, 1000.0, 1, 0.0)
    assert r.weighted == 1000 * 0.9


# --- rad ----------------------------------------------------------------------------------------------------------


def test_lde018_no_picked_code_picks_no_account(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    for code, bp in (("A1", 1000.0), ("A2", 2000.0)):
        seed.bp(seed.account(code, rep), 2026, bp)
    session.commit()
    assert rad_view.picked_accounts(session, DIRECTOR, {}, TODAY, ["A2"])["account_code"].tolist() == ["A2"]
    none = rad_view.picked_accounts(session, DIRECTOR, {}, TODAY, [])
    assert none.empty and {"account_code", "rad_class", "bp"} <= set(none.columns)


# --- scorecards -------------------------------------------------------------------------------------------------


def _taskbook_world(session: Session) -> tuple[int, str, str]:
    """Rep S1: the year's task book 1,000 (target commission 100, target account ACY), Q4's 300 (target account
    ACQ); 150 booked on 10 October; an open deal OPN of 850."""
    seed = Seed(session)
    s1 = seed.rep("S1", seed.team("T1"), name="销售")
    acy, acq = seed.account("ACY", s1), seed.account("ACQ", s1)
    session.add_all(
        [
            Quota(
                rep_id=s1.id,
                year=2026,
                quarter=None,
                revenue_target=1000,
                gm_target=100,
                target_commission=100,
                target_account_codes="ACY",
            ),
            Quota(rep_id=s1.id, year=2026, quarter=4, revenue_target=300, gm_target=30, target_account_codes="ACQ"),
        ]
    )
    won = seed.opp(acy, 150, 5, "won", created=date(2026, 9, 1), closed=date(2026, 10, 10))
    seed.contract(won, 150, date(2026, 10, 10))
    seed.opp(acq, 850, 4, code="OPN")
    session.commit()
    return (s1.id, "S1", "销售")


def test_lde014_the_task_book_of_a_quarter_names_the_quarters_target_accounts(session: Session):
    rep = _taskbook_world(session)
    quarter = scorecards_view.load_taskbook(session, DIRECTOR, {"rep": "S1", "period": "2026Q4"}, TODAY, rep)
    assert quarter.target_codes == ["ACQ"] and quarter.today == TODAY
    year = scorecards_view.load_taskbook(session, DIRECTOR, {"rep": "S1", "period": "2026"}, TODAY, rep)
    assert year.target_codes == ["ACY"]
    assert year.payout is not None
    assert (year.payout.attainment, year.payout.total) == (pytest.approx(150 / 1000), pytest.approx(100 * 0.15))


def test_lde015_the_what_if_of_a_director_on_a_reps_card(session: Session):
    _taskbook_world(session)
    answer = scorecards_view.whatif_of(session, DIRECTOR, {"rep": "S1", "period": "2026"}, TODAY, ["OPN", "NONE"])
    assert answer is not None
    what, counted = answer
    assert counted == 1 and what.bookings == 150 + 850 and what.attainment == pytest.approx(1.0)
    assert what.payout is not None and what.payout_now is not None
    assert (what.payout.total, what.payout_now.total) == (pytest.approx(100.0), pytest.approx(15.0))


# --- overview ---------------------------------------------------------------------------------------------------


def test_lde016_the_overdue_download_is_as_of_today(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    won = seed.opp(seed.account("A1", rep), 500, 5, "won", created=date(2026, 1, 5), closed=date(2026, 3, 1))
    contract = seed.contract(won, 500, date(2026, 3, 1), code="HT-LATE")
    seed.payment(contract, "advance", date(2026, 10, 1), 500)  # 57 days late on 27 November
    session.commit()
    rows = overview_view.drill_rows(session, DIRECTOR, {"list": "overdue"}, TODAY)
    assert rows[["contract_code", "owed"]].values.tolist() == [["HT-LATE", 500.0]]


def test_lde017_the_download_stops_at_10000_rows(session: Session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T1"))
    acc = seed.account("A1", rep)
    session.execute(
        insert(Opportunity),
        [
            {
                "opp_code": f"BULK{i:05d}",
                "account_id": acc.id,
                "owner_rep_id": rep.id,
                "name": "deal",
                "amount": 10.0,
                "level": 2,
                "status": "open",
                "created_date": date(2026, 1, 10),
                "expected_close_date": date(2026, 12, 1),
            }
            for i in range(10_001)
        ],
    )
    session.commit()
    rows = overview_view.drill_rows(session, DIRECTOR, {"list": "open"}, TODAY)
    assert len(rows) == 10_000
