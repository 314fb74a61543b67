"""The RAD page and account pages over HTTP: numbers are the metric's, callbacks answer in the viewer's scope."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import select, text

from components.formatting import cny, count
from data_access import queries
from data_access.models import Account, Rep
from data_access.scope import Scope
from data_access.settings import load_settings, save_setting
from metrics.rad import account_table, class_moves, class_summary, top_d_accounts
from tests.conftest import AS_OF
from tests.dash_http import call_callback, download, downloaded_text, find, render_page, text_of, walk


def _table(session, scope: Scope, year: int = AS_OF.year, **kw) -> pd.DataFrame:
    s = load_settings(session)
    rows = queries.rad_accounts(session, scope, year, s.level_probabilities, AS_OF, **kw)
    return account_table(rows, s.rad_r_min, s.rad_a_max)


def _rep_scope(session, code: str = "R0001") -> Scope:
    return Scope.rep(session.scalar(select(Rep.id).where(Rep.rep_code == code)))


def _plotted(tree) -> int:
    figure = find(tree, "rad-scatter")["props"]["figure"]
    return sum(len(trace["customdata"]) for trace in figure["data"])  # x and y travel as typed arrays


def test_radp001_the_page_shows_the_metric(director, demo_session):
    tree = render_page(director, "/rad")
    t = _table(demo_session, Scope.everything())
    assert f"· {count(len(t), 'en')} accounts" in text_of(tree)
    assert _plotted(tree) == int(t["sow"].notna().sum()) > 100
    summary = class_summary(t).set_index("rad_class")["accounts"].to_dict()
    for cls in ("R", "A", "D", "none"):
        cells = find(tree, f"rad-summary-{cls}")["props"]["children"]
        assert text_of(cells[1]) == count(summary[cls], "en")
    moves = class_moves(_table(demo_session, Scope.everything(), AS_OF.year - 1), t)
    assert len(find(tree, "rad-moves-table")["props"]["children"][1]["props"]["children"]) == len(moves) > 0
    top_d = find(tree, "rad-top-d")["props"]["children"][1]["props"]["children"]
    assert [text_of(r["props"]["children"][0]) for r in top_d] == top_d_accounts(t)["name"].tolist()
    # the BP the list is ranked by is shown (issue 18), as every amount is
    assert [text_of(r["props"]["children"][3]) for r in top_d] == [cny(v, "en") for v in top_d_accounts(t)["bp"]]
    top = find(tree, "rad-top")["props"]["children"][1]["props"]["children"]
    assert len(top) == 20


def test_radp002_filters_region_industry_class(director, demo_session):
    region = queries.account_regions_industries(demo_session, Scope.everything())[0][0]
    tree = render_page(director, "/rad", f"?region={region}&rad=D")
    t = _table(demo_session, Scope.everything(), region=region)
    d = t[t["rad_class"] == "D"]
    assert _plotted(tree) == len(d) > 0 and len(d) < len(t)
    bad = render_page(director, "/rad", "?region=Atlantis&industry=x")
    assert "region 'Atlantis' is not one you can pick" in text_of(bad)
    unknown = render_page(director, "/rad", "?rad=none")
    grid = find(unknown, "rad-selection-unknown")["props"]["rowData"]
    assert len(grid) == int((t_all := _table(demo_session, Scope.everything()))["rad_class"].eq("none").sum())
    assert len(grid) == int(t_all["sow"].isna().sum()) - int(t_all["manual"][t_all["sow"].isna()].sum())


def test_radp003_previewed_thresholds_reclass(director, demo_session):
    tree = render_page(director, "/rad", "?r=30&a=5")
    s = load_settings(demo_session)
    rows = queries.rad_accounts(demo_session, Scope.everything(), AS_OF.year, s.level_probabilities, AS_OF)
    t = account_table(rows, 0.30, 0.05)
    r_count = int((t["rad_class"] == "R").sum())
    assert r_count != int((_table(demo_session, Scope.everything())["rad_class"] == "R").sum())
    # the class's count is the row's second cell (the others are money): the accounts whose SOW this year is at
    # least 30%, by the test's own SQL, the manual overrides as they are
    cells = find(tree, "rad-summary-R")["props"]["children"]
    by_sql = demo_session.execute(
        text(
            "SELECT count(*) FROM accounts a LEFT JOIN buying_power b ON b.account_id = a.id AND b.year = :y "
            "WHERE a.rad_override = 'R' OR (coalesce(a.rad_override, '') = '' AND b.bp > 0 AND "
            "(SELECT coalesce(sum(c.amount), 0) FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id "
            "WHERE o.account_id = a.id AND c.signed_date BETWEEN :a AND :b) >= 0.30 * b.bp)"
        ),
        {"y": AS_OF.year, "a": f"{AS_OF.year}-01-01", "b": f"{AS_OF.year}-12-31"},
    ).scalar_one()
    assert text_of(cells[1]) == f"{by_sql:,}" and by_sql == r_count
    assert "Previewing R ≥ 30%, A < 5%" in text_of(tree)
    assert "need 0% < A" in text_of(render_page(director, "/rad", "?r=5&a=30"))


def test_radp004_click_and_selection_in_the_viewer_scope(rep, director, demo_session):
    mine = _table(demo_session, _rep_scope(demo_session))
    other = _table(demo_session, _rep_scope(demo_session, "R0030"))
    code, name = mine["account_code"].iloc[0], mine["name"].iloc[0]
    click = {"points": [{"customdata": code}]}
    answer = call_callback(
        rep, "rad-account-panel.children", {("rad-scatter", "clickData"): click, ("url", "search"): ""}
    )
    assert name in text_of(answer.get_json()["response"]["rad-account-panel"]["children"])
    crafted = {"points": [{"customdata": other["account_code"].iloc[0]}]}
    answer = call_callback(
        rep, "rad-account-panel.children", {("rad-scatter", "clickData"): crafted, ("url", "search"): ""}
    )
    panel = answer.get_json()["response"]["rad-account-panel"]["children"]
    assert other["name"].iloc[0] not in text_of(panel) and "Click a marker" in text_of(panel)

    codes = [*mine["account_code"].tolist()[:3], *other["account_code"].tolist()[:3], 42, {"x": 1}]
    selected = {"points": [{"customdata": c} for c in codes]}
    answer = call_callback(
        rep, "rad-selection.children", {("rad-scatter", "selectedData"): selected, ("url", "search"): ""}
    )
    body = answer.get_json()["response"]
    grid = next(n for n in walk(body["rad-selection"]["children"]) if n["props"].get("id") == "rad-selection-grid")
    assert [r["account_code"] for r in grid["props"]["rowData"]] == mine["account_code"].tolist()[:3]
    assert body["table-selection"]["data"] == mine["account_code"].tolist()[:3]
    # the download re-reads whatever codes the store claims, in the viewer's scope
    got = pd.read_csv(io.StringIO(downloaded_text(download(rep, "rad_selection", "csv", "", codes[:6]))))
    assert got["account_code"].tolist() == mine["account_code"].tolist()[:3]
    got = pd.read_csv(io.StringIO(downloaded_text(download(director, "rad_accounts", "csv", "?rad=R"))))
    t = _table(demo_session, Scope.everything())
    assert len(got) == int((t["rad_class"] == "R").sum())


def test_radp005_a_rep_sees_only_their_accounts_whatever_the_url(rep, demo_session):
    other_team = demo_session.scalar(select(Rep.team_id).where(Rep.rep_code == "R0030"))
    tree = render_page(rep, "/rad", f"?team={other_team}&rep=R0030")
    mine = _table(demo_session, _rep_scope(demo_session))
    assert _plotted(tree) == int(mine["sow"].notna().sum())
    assert "is not one you can pick" in text_of(tree) or "not one of yours" in text_of(tree)


def test_radp006_region_and_threshold_inputs_go_to_the_url(director):
    values = {
        ("rad-region", "value"): "华东",
        ("rad-industry", "value"): None,
        ("rad-r-min", "value"): 50,
        ("rad-a-max", "value"): 12,
        ("url", "search"): "?period=2026",
    }
    answer = call_callback(director, "url.search@", values)
    assert answer.get_json()["response"]["url"]["search"] == "?period=2026&region=%E5%8D%8E%E4%B8%9C&a=12"
    same = {**values, ("rad-region", "value"): None, ("rad-a-max", "value"): 10}
    assert call_callback(director, "url.search@", same).status_code == 204  # nothing new: no navigation


def _save(client, r, a, search=""):
    values = {
        ("rad-save", "n_clicks"): 1,
        ("rad-r-min", "value"): r,
        ("rad-a-max", "value"): a,
        ("url", "search"): search,
    }
    return call_callback(client, "rad-save-message.children", values)


def test_radp007_only_a_director_saves_thresholds(director, manager, demo_session):
    before = load_settings(demo_session)
    refused = _save(manager, 60, 20)
    assert "Only a director" in text_of(refused.get_json()["response"]["rad-save-message"]["children"])
    demo_session.expire_all()
    assert load_settings(demo_session) == before
    bad = _save(director, 10, 60)
    assert "need 0% < A" in text_of(bad.get_json()["response"]["rad-save-message"]["children"])
    try:
        ok = _save(director, 60, 20, "?r=60&a=20&region=x")
        body = ok.get_json()["response"]
        assert "Saved" in text_of(body["rad-save-message"]["children"])
        assert body["url"]["search"] == "?region=x"
        demo_session.expire_all()
        after = load_settings(demo_session)
        assert (after.rad_r_min, after.rad_a_max) == (0.6, 0.2)
        tree = render_page(director, "/rad")
        assert "R: SOW ≥ 60% · A: SOW < 20%" in text_of(find(tree, "rad-thresholds-text"))
    finally:
        save_setting(demo_session, "rad_thresholds", {"r_min": before.rad_r_min, "a_max": before.rad_a_max})
        demo_session.commit()


def test_radp008_account_page(director, rep, demo_session):
    code = demo_session.scalar(select(Account.account_code).where(Account.key_account.is_(True)).limit(1))
    tree = render_page(director, f"/accounts/{code}")
    account_id = demo_session.scalar(select(Account.id).where(Account.account_code == code))
    opps = queries.account_opportunities(demo_session, Scope.everything(), account_id)
    assert len(find(tree, "account-opportunities")["props"]["rowData"]) == len(opps) > 0
    contacts = queries.account_contacts(demo_session, Scope.everything(), account_id)
    assert all(name in text_of(find(tree, "account-contacts")) for name in contacts["name"])
    figure = find(tree, "account-years-chart")["props"]["figure"]
    assert [int(x) for x in figure["data"][0]["x"]] == [AS_OF.year - 2, AS_OF.year - 1, AS_OF.year]
    assert "TOP key account" in text_of(find(tree, "account-facts"))
    # a rep sees only their own accounts; someone else's looks like an unknown one
    theirs = demo_session.scalar(
        select(Account.account_code).join(Rep, Rep.id == Account.owner_rep_id).where(Rep.rep_code != "R0001").limit(1)
    )
    assert "No account" in text_of(render_page(rep, f"/accounts/{theirs}"))
    assert "No account" in text_of(render_page(rep, "/accounts/NO-SUCH"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_radp009_both_languages(director, lang):
    tree = render_page(director, "/rad", lang=lang)
    assert ("客户 RAD 分析" if lang == "zh" else "RAD matrix") in text_of(tree)


def test_radp020_a_class_change_line_opens_its_accounts(session, director):
    """Issue 18: the class-change lines are links (?moved=R-A) to the accounts behind them. Literal rows: X was R
    in 2025 (SOW 60%) and is A in 2026 (nothing booked); Y stays R; Z moves A -> D (SOW 0% -> 30%)."""
    from datetime import date

    from data_access.users import Viewer
    from metrics.views import rad as view
    from tests.builders import Seed

    seed = Seed(session)
    team = seed.team("类别组")
    me = seed.rep("MV01", team)
    x, y, z = (seed.account(code, me, name=code) for code in ("MVX", "MVY", "MVZ"))
    for account in (x, y, z):
        seed.bp(account, 2025, 1_000_000)
        seed.bp(account, 2026, 1_000_000)

    def booked(account, amount, day):
        won = seed.opp(account, amount, 5, "won", created=date(day.year, 1, 5), closed=day)
        seed.contract(won, amount, day)

    booked(x, 600_000, date(2025, 5, 1))
    booked(y, 700_000, date(2025, 5, 1))
    booked(y, 800_000, date(2026, 5, 1))
    booked(z, 300_000, date(2026, 5, 1))
    session.flush()
    boss = Viewer(user_id=0, username="d", role="director", rep_id=None, rep_code=None, team_id=None)
    query = {"year": "2026", "team": str(team.id)}
    data = view.load(session, boss, query, date(2026, 6, 30))
    lines = {(r["from_class"], r["to_class"]): r["accounts"] for r in data.moves.to_dict("records")}
    assert lines == {("R", "A"): 1, ("A", "D"): 1}
    assert data.move is None and data.moved is None
    moved = view.load(session, boss, {**query, "moved": "R-A"}, date(2026, 6, 30))
    assert moved.move == ("R", "A") and moved.moved is not None
    assert list(moved.moved["account_code"]) == ["MVX"]
    other = view.load(session, boss, {**query, "moved": "A-D"}, date(2026, 6, 30)).moved
    assert other is not None and list(other["account_code"]) == ["MVZ"]
    for hostile in ("R-R", "X-A", "R-A-D", "", "R"):
        assert view.load(session, boss, {**query, "moved": hostile}, date(2026, 6, 30)).moved is None, hostile
    assert list(view.moved_list(session, boss, {**query, "moved": "R-A"}, date(2026, 6, 30))["account_code"]) == ["MVX"]
    mine_only = Viewer(user_id=0, username="r", role="rep", rep_id=me.id + 999, rep_code="NOPE", team_id=None)
    assert view.moved_list(session, mine_only, {**query, "moved": "R-A"}, date(2026, 6, 30)).empty


def test_radp021_the_moves_table_links_and_the_page_lists_the_move(director):
    tree = render_page(director, "/rad", "?moved=D-A")
    links = [n for n in walk(find(tree, "rad-moves-table")) if str(n["props"].get("id", "")).startswith("rad-move-")]
    assert links and all("moved=" in n["props"]["href"] for n in links)
    listed = find(tree, "rad-selection-moved-count")
    assert text_of(listed).startswith("Accounts that moved from D · Development to A · Acquisition (")
