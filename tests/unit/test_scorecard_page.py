"""Scorecards over HTTP: the leaderboard and a rep's scorecard show the metrics, in the viewer's scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from components.formatting import pct
from data_access import queries
from data_access.models import Rep
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics.period import Period
from metrics.scorecard import leaderboard, rolled_up, what_if
from metrics.views.kpis import overview_kpis
from tests.conftest import AS_OF
from tests.dash_http import call_callback, find, render_page, text_of


def _rep(session, code: str) -> tuple[int, int]:
    rep_id, team = session.execute(select(Rep.id, Rep.team_id).where(Rep.rep_code == code)).one()
    return rep_id, team


def _board(session, scope: Scope, period: Period):
    s = load_settings(session)
    rollup = queries.rep_rollup(session, scope, period.start, period.end, AS_OF, s.level_probabilities)
    quotas = queries.quota_rows(session, scope, period.year)
    return leaderboard(rollup, quotas, period, AS_OF), rolled_up(rollup, quotas, period, AS_OF)


def test_scp001_leaderboard_shows_the_metric(director, demo_session):
    period = Period(AS_OF.year, 3)
    tree = render_page(director, "/scorecards", f"?period={AS_OF.year}Q3")
    board, teams = _board(demo_session, Scope.everything(), period)
    rows = find(tree, "sc-leaderboard")["props"]["rowData"]
    assert len(rows) == len(board) == 30
    by_code = board.set_index("rep_code")
    for row in rows:
        code = row["rep"].split("(")[1].split(")")[0]
        assert row["attainment"] == pytest.approx(by_code.loc[code, "attainment"])
        assert row["rep"].endswith(f"({code})")
        assert f"rep={code}" in row["rep_href"] and f"period={AS_OF.year}Q3" in row["rep_href"]
    rollup = find(tree, "sc-rollup")["props"]
    [everyone] = rollup["dashGridOptions"]["pinnedTopRowData"]  # the company line, on top of the teams
    by_team = teams.set_index("team")
    assert everyone["team"] == "Everyone shown" and everyone["attainment"] == pytest.approx(
        by_team.loc["*", "attainment"]
    )
    assert sorted(r["team"] for r in rollup["rowData"]) == sorted(n for n in by_team.index if n != "*")
    for r in rollup["rowData"]:
        line = by_team.loc[r["team"]]
        assert (r["reps"], r["overdue"]) == (int(line["reps"]), pytest.approx(line["overdue"]))
        assert r.get("v_text") == ("Quota met" if line["quota_met"] else None)
        if not line["quota_met"]:
            assert r["v"] == pytest.approx(line["v"])
    # the company line is the Overview's number when only reps hold quotas
    k = overview_kpis(demo_session, Scope.everything(), period, AS_OF)
    assert teams.set_index("team").loc["*", "bookings"] == pytest.approx(k.bookings)


def test_scp002_a_manager_compares_their_team_only(manager, demo_session):
    _rep_id, team = _rep(demo_session, "R0001")
    tree = render_page(manager, "/scorecards", "?rep=R0030")  # another team's rep: not theirs, the board instead
    rows = find(tree, "sc-leaderboard")["props"]["rowData"]
    board, _ = _board(demo_session, Scope.team(team), Period(AS_OF.year))
    assert len(rows) == len(board) and all("R0030" not in r["rep"] for r in rows)


def test_scp003_a_rep_lands_on_their_own_scorecard(rep, demo_session):
    rep_id, _team = _rep(demo_session, "R0001")
    for search in ("", "?rep=R0002", "?rep=R0030&team=3"):
        tree = render_page(rep, "/scorecards", search)
        k = overview_kpis(demo_session, Scope.rep(rep_id), Period(AS_OF.year), AS_OF)
        assert text_of(find(tree, "sc-attainment-value")) == pct(k.attainment, "en")
        assert "(R0001)" in text_of(tree) and "(R0002)" not in text_of(tree)


def test_scp004_scorecard_parts(director, demo_session):
    rep_id, _team = _rep(demo_session, "R0003")
    period = Period(AS_OF.year)
    tree = render_page(director, "/scorecards", "?rep=R0003")
    scope = Scope.rep(rep_id)
    k = overview_kpis(demo_session, scope, period, AS_OF)
    assert text_of(find(tree, "sc-attainment-value")) == pct(k.attainment, "en")
    late = demo_session.execute(  # the rep's unpaid payments past due, counted here in SQL of its own
        text(
            "SELECT COUNT(*) FROM payments p JOIN contracts c ON c.id = p.contract_id"
            " JOIN opportunities o ON o.id = c.opportunity_id"
            " WHERE o.owner_rep_id = :rep AND p.due_date < :today AND p.amount - COALESCE(p.paid_amount, 0) > 0"
        ),
        {"rep": rep_id, "today": AS_OF},
    ).scalar_one()
    assert len(find(tree, "sc-overdue-list")["props"]["children"]) == late > 0
    book = queries.task_book(demo_session, Scope.everything(), rep_id, AS_OF.year)
    codes = [c for c in str(book["target_account_codes"].dropna().iloc[0]).split(",") if c]
    assert len(find(tree, "sc-coverage")["props"]["children"][1]["props"]["children"]) == len(codes)
    assert "Total" in text_of(find(tree, "sc-payout"))
    months = find(tree, "sc-monthly")["props"]["figure"]["data"]
    assert len(months) == 3  # bars, cumulative, cumulative target


def test_scp005_what_if_counts_only_the_viewers_open_deals(rep, demo_session):
    rep_id, _team = _rep(demo_session, "R0001")
    other_id, _ = _rep(demo_session, "R0030")
    period = Period(AS_OF.year)
    mine = queries.open_deals_due(demo_session, Scope.rep(rep_id), period.end)["opp_code"].tolist()[:2]
    theirs = queries.open_deals_due(demo_session, Scope.rep(other_id), period.end)["opp_code"].tolist()[:2]
    answer = call_callback(
        rep,
        "sc-whatif-result.children",
        {("sc-whatif-pick", "value"): [*mine, *theirs, 7], ("url", "search"): "?rep=R0030"},
    )
    text = text_of(answer.get_json()["response"]["sc-whatif-result"]["children"])
    k = overview_kpis(demo_session, Scope.rep(rep_id), period, AS_OF)
    amounts = queries.open_amounts(demo_session, Scope.rep(rep_id), mine)
    s = load_settings(demo_session)
    w = what_if(k.bookings, k.revenue_target, k.target_commission, list(amounts.values()), s.commission_tiers)
    assert f"{len(mine)} deals add" in text and pct(w.attainment, "en") in text
    assert w.attainment is not None and k.attainment is not None and w.attainment > k.attainment


def test_scp006_task_book_is_printable_and_scoped(director, rep, demo_session):
    tree = render_page(director, "/scorecards", "?rep=R0003&view=taskbook")
    rep_id, _team = _rep(demo_session, "R0003")
    book = queries.task_book(demo_session, Scope.everything(), rep_id, AS_OF.year)
    assert len(find(tree, "taskbook-targets")["props"]["children"][1]["props"]["children"]) == len(book)
    formula = text_of(find(tree, "taskbook-formula"))
    base = float(book[book["quarter"].isna()]["base_salary"].iloc[0])
    assert f"¥{base:,.2f}" in formula and "× 1.5" in formula
    assert "Sales task book · " in text_of(tree)
    # issue 18: a print button and lines for both signatures with their dates
    assert text_of(find(tree, "taskbook-print")) == "Print"
    signed = text_of(find(tree, "taskbook-signatures"))
    assert "Sales rep's signature" in signed and "Sales manager's signature" in signed and signed.count("Date") == 2
    own = render_page(rep, "/scorecards", "?rep=R0003&view=taskbook")
    assert "(R0001)" in text_of(own) and "(R0003)" not in text_of(own)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scp007_both_languages(director, lang):
    tree = render_page(director, "/scorecards", lang=lang)
    assert ("团队汇总" if lang == "zh" else "Teams") in text_of(tree)


def test_scp020_the_task_book_has_the_company_and_its_target_accounts_worth(director, session):
    """Issue 18: the task book's head names the company; each target account shows its BP of the year, what was
    booked, the open pipeline and the visits, from the literal rows below."""
    from datetime import date

    from data_access.settings import save_setting
    from data_access.users import Viewer
    from metrics.views import scorecards as view
    from tests.builders import Seed

    seed = Seed(session)
    team = seed.team("任务书组")
    me = seed.rep("TB01", team)
    worth, other = seed.account("TBA1", me, name="华北电网"), seed.account("TBA2", me, name="北方银行")
    seed.bp(worth, 2026, 5_000_000)
    seed.bp(worth, 2025, 9_000_000)  # another year's BP is not this year's
    won = seed.opp(worth, 800_000, 5, "won", closed=date(2026, 5, 1))
    seed.contract(won, 800_000, date(2026, 5, 1))
    seed.opp(worth, 300_000, 3)
    seed.opp(other, 120_000, 2)
    seed.quota(me, 2026, 2_000_000, 400_000)
    session.flush()
    from data_access.models import Quota

    session.query(Quota).filter_by(rep_id=me.id).update({"target_account_codes": "TBA1,TBA2"})
    save_setting(session, "company_name", "测试通信有限公司")
    session.flush()
    boss = Viewer(user_id=0, username="d", role="director", rep_id=None, rep_code=None, team_id=None)
    data = view.load(session, boss, {"rep": "TB01", "view": "taskbook", "period": "2026"}, date(2026, 6, 30))
    assert isinstance(data, view.TaskbookData) and data.company == "测试通信有限公司"
    rows = {r["account_code"]: r for r in data.accounts.to_dict("records")}
    assert rows["TBA1"]["bp"] == 5_000_000 and rows["TBA1"]["booked"] == 800_000
    assert rows["TBA1"]["open_pipeline"] == 300_000
    assert rows["TBA2"]["open_pipeline"] == 120_000 and rows["TBA2"]["bp"] != rows["TBA2"]["bp"]  # NaN: unknown
    page = text_of(
        find(render_page(director, "/scorecards", "?rep=R0003&view=taskbook", lang="zh"), "taskbook-company")
    )
    assert page == "华信通信技术有限公司（演示）"
