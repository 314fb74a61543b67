"""The funnel page's movement view over HTTP: the numbers are the metric's, in the viewer's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from components.formatting import cny
from data_access import queries
from data_access.scope import Scope
from metrics.period import Period
from metrics.views.funnel import movement_of
from tests.builders import rep_by_code
from tests.conftest import AS_OF
from tests.dash_http import find, render_page, text_of, walk


def _expected(session, scope: Scope, since, period: Period):
    return movement_of(session, scope, since, AS_OF, period.end)


def test_fnl001_movement_matches_the_metric(director, demo_session):
    since = AS_OF - timedelta(days=30)
    tree = render_page(director, "/funnel", f"?period={AS_OF.year}Q4&since={since.isoformat()}")
    m = _expected(demo_session, Scope.everything(), since, Period(AS_OF.year, 4))
    figure = find(tree, "funnel-movement-chart")["props"]["figure"]
    y = figure["data"][0]["y"]
    assert y[0] == m.start and y[-1] == m.end
    assert m.balances() and m.start > 0 and (m.steps["won"] + m.steps["lost"]) > 0
    titles = {n["props"].get("item_id"): n["props"].get("title") for n in walk(tree) if "item_id" in n["props"]}
    assert titles["won"] == f"Won ({len(m.lists['won']):,})"
    won_rows = find(tree, "funnel-list-won")["props"]["rowData"]
    assert len(won_rows) == min(len(m.lists["won"]), 100)
    assert [r["opp_code"] for r in won_rows] == m.lists["won"][:100]
    assert cny(m.start, "en") in figure["data"][0]["text"][0]


def test_fnl002_rep_sees_only_own_movement_whatever_the_url(rep, demo_session):
    from sqlalchemy import text

    rep_id = demo_session.execute(text("SELECT id FROM reps WHERE rep_code = 'R0001'")).scalar_one()
    since = AS_OF - timedelta(days=60)
    tree = render_page(rep, "/funnel", f"?team=2&since={since.isoformat()}")
    m = _expected(demo_session, Scope.rep(rep_id), since, Period(AS_OF.year))
    assert find(tree, "funnel-movement-chart")["props"]["figure"]["data"][0]["y"][0] == m.start
    everyone = _expected(demo_session, Scope.everything(), since, Period(AS_OF.year))
    assert m.start < everyone.start


def test_fnl003_bad_since_is_ignored_with_a_notice(director):
    tree = render_page(director, "/funnel", "?since=yesterday")
    assert "since 'yesterday' is not a date" in text_of(tree)
    future = render_page(director, "/funnel", f"?since={(AS_OF + timedelta(days=3)).isoformat()}")
    assert "must be before today" in text_of(future)


def test_fnl004_health_and_stalled_match_the_metrics(director, demo_session):
    from datetime import timedelta as td

    from components.formatting import pct
    from metrics.funnel import calibration, conversion, stalled
    from metrics.settings import BusinessSettings

    tree = render_page(director, "/funnel")
    history, outcomes = queries.funnel_history(demo_session, Scope.everything())
    conv = conversion(history, outcomes, AS_OF - td(days=365), AS_OF)
    cal = calibration(history, outcomes, BusinessSettings().level_probabilities)
    health = text_of(find(tree, "funnel-health"))
    for c, k in zip(conv, cal, strict=True):
        assert f"{c.entered:,}{pct(c.to_next, 'en')}{pct(c.to_won, 'en')}" in health
        assert pct(k.observed, "en") in health
    stuck = stalled(history, outcomes, AS_OF, 30)
    rows = find(tree, "funnel-stalled")
    assert len(text_of(rows)) > 0 and len(stuck) > 0
    worst = queries.opportunity_rows(demo_session, Scope.everything(), ids=[int(stuck.iloc[0]["opportunity_id"])])
    assert worst.iloc[0]["opp_code"] in text_of(rows)


def test_fnl005_level_list_and_toggle_in_the_viewer_scope(rep, director, demo_session):
    from sqlalchemy import text

    rep_id = demo_session.execute(text("SELECT id FROM reps WHERE rep_code = 'R0001'")).scalar_one()
    period = Period(AS_OF.year)
    for client, scope in ((director, Scope.team(2)), (rep, Scope.rep(rep_id))):
        tree = render_page(client, "/funnel", "?level=3&team=2&measure=count")  # a rep's team=2 is ignored
        grid = find(tree, "funnel-stage-table-grid")["props"]
        want = queries.stage_opportunities(demo_session, scope, "3", period.start, period.end)
        assert [r["opp_code"] for r in grid["rowData"]] == list(want["opp_code"])
        opp_column = next(c for c in grid["columnDefs"] if c["field"] == "opp_code")
        assert opp_column["cellRendererParams"] == {"prefix": "/opportunities/"}
        assert find(tree, "funnel-measure")["props"]["value"] == "count"
    stages = queries.funnel_stages(demo_session, Scope.rep(rep_id), period.start, period.end)
    figure = find(render_page(rep, "/funnel", "?measure=count"), "funnel-levels-chart")["props"]["figure"]
    assert figure["data"][0]["x"] == [float(c) for c in stages["count"]]


def test_fnl006_toggle_and_click_go_to_the_url(director):
    from tests.dash_http import call_callback

    click = {"points": [{"customdata": "5w"}]}
    response = call_callback(
        director,
        "url.search@",
        {
            ("funnel-measure", "value"): "weighted",
            ("funnel-levels-chart", "clickData"): click,
            ("url", "search"): "?period=2026",
        },
    )
    assert response.get_json()["response"]["url"]["search"] == "?period=2026&measure=weighted&level=5w"
    crafted = call_callback(
        director,
        "url.search@",
        {
            ("funnel-measure", "value"): "amount",
            ("funnel-levels-chart", "clickData"): {"points": [{"customdata": "x"}]},
            ("url", "search"): "",
        },
    )
    assert crafted.status_code == 204  # the default measure and an unknown level: nothing to change


def test_fnl007_review_mode_steps_through_the_reps_in_scope(manager, rep, demo_session):
    team1 = [
        c
        for (c,) in demo_session.execute(
            __import__("sqlalchemy").text(
                "SELECT rep_code FROM reps WHERE team_id = 1 AND role = 'rep' ORDER BY rep_code"
            )
        )
    ]
    first = render_page(manager, "/funnel", "?review=1")  # the team's slide first: its reps ranked by gap
    ranked = [
        text_of(row["props"]["children"][1])
        for row in walk(find(first, "review-ranking"))
        if row.get("type") == "Tr" and row["props"]["children"][0].get("type") == "Td"
    ]
    order = [name.rsplit("(", 1)[1].rstrip(")") for name in ranked]
    assert sorted(order) == team1
    assert find(first, "review-next")["props"]["href"].endswith(f"rep={order[0]}")
    assert find(first, "review-prev")["props"]["href"].endswith(f"rep={order[-1]}")
    second = render_page(manager, "/funnel", f"?review=1&rep={order[0]}")
    assert f"({order[0]})" in text_of(find(second, "review-mode"))
    assert find(second, "review-next")["props"]["href"].endswith(f"rep={order[1]}")
    assert "rep=" not in find(second, "review-prev")["props"]["href"]  # back to the team's slide
    outsider = render_page(manager, "/funnel", "?review=1&rep=R0030")  # another team's rep: the team's slide
    assert "(R0030)" not in text_of(outsider) and find(outsider, "review-ranking")
    mine = render_page(rep, "/funnel", "?review=1&rep=R0002")
    assert "(R0001)" in text_of(mine) and "1 of 1" in text_of(mine)


def test_fnl008_stalled_days_are_configurable_and_the_v_gap_is_shown(director, demo_session):
    from metrics.funnel import stalled

    history, outcomes = queries.funnel_history(demo_session, Scope.everything())
    tree = render_page(director, "/funnel", "?stalled=80")
    assert "more than 80 days" in text_of(find(tree, "funnel-stalled"))
    rows = find(tree, "funnel-stalled")["props"]["children"]["props"]["children"][1]
    assert len(text_of(rows)) > 0 and len(stalled(history, outcomes, AS_OF, 80)) < len(
        stalled(history, outcomes, AS_OF, 30)
    )
    assert "gap" in text_of(find(tree, "funnel-v-gauge-caption"))
    bad = render_page(director, "/funnel", "?stalled=-3")
    assert "stalled '-3' must be a number of days" in text_of(bad)


def test_fnl014_movement_reads_only_touched_deals_and_equals_reading_every_deal(demo_session):
    """Deals untouched since the window's start are summed in SQL, not read: the movement is the same as
    the movement of every deal in scope read whole (changes, stage history and all)."""
    import pandas as pd
    from sqlalchemy import select

    from data_access.models import Opportunity, OpportunityChange, StageHistory
    from metrics.movement import movement

    def everything(scope: Scope, start, end):
        ids = select(Opportunity.id).where(scope.opportunities())
        cols = ["id", "opp_code", "status", "closed_date", "amount", "expected_close_date", "created_date"]
        opps = pd.DataFrame(
            demo_session.execute(select(*[getattr(Opportunity, c) for c in cols]).where(Opportunity.id.in_(ids))).all(),
            columns=cols,
        ).set_index("id")
        changes = pd.DataFrame(
            demo_session.execute(
                select(
                    OpportunityChange.opportunity_id,
                    OpportunityChange.changed_on,
                    OpportunityChange.field,
                    OpportunityChange.old_value,
                ).where(OpportunityChange.opportunity_id.in_(ids))
            ).all(),
            columns=["opportunity_id", "changed_on", "field", "old_value"],
        )
        history = pd.DataFrame(
            demo_session.execute(
                select(StageHistory.opportunity_id, StageHistory.level, StageHistory.entered_date).where(
                    StageHistory.opportunity_id.in_(ids)
                )
            ).all(),
            columns=["opportunity_id", "level", "entered_date"],
        )
        return opps, changes, history

    rep_id, team_id = rep_by_code(demo_session, "R0001") or (0, 0)
    touched_fewer = False
    for scope in (Scope.everything(), Scope.team(team_id or 0), Scope.rep(rep_id)):
        for days, period in ((7, Period(AS_OF.year, 4)), (30, Period(AS_OF.year)), (120, Period(AS_OF.year, 4))):
            since = AS_OF - timedelta(days=days)
            opps, changes, history = everything(scope, since, AS_OF)
            want = movement(opps, changes, history, since, AS_OF, period.end)
            got = movement_of(demo_session, scope, since, AS_OF, period.end)
            assert got.start == pytest.approx(want.start) and got.end == pytest.approx(want.end)
            assert got.steps == pytest.approx(want.steps)
            assert got.lists == want.lists
            assert got.balances()
            touched, *_ = queries.movement_rows(demo_session, scope, since, AS_OF, period.end)
            touched_fewer |= len(touched) < len(opps)
    assert touched_fewer  # the shortcut was taken


def test_fnl009_the_waterfall_adds_up_and_ties_to_the_v_pipeline():
    """Issue 18: the waterfall's start + steps = its end, each step's bar starts where the running total stood,
    won is green though it leaves the pipeline; numbers written here, not read from the page's code."""
    from components.charts import TOTAL_COLOUR, movement_bars

    steps = {"new": 30.0, "increased": 5.0, "decreased": 8.0, "won": 40.0, "lost": 10.0, "pushed_out": 7.0}
    bars = movement_bars(100.0, steps, 70.0)
    assert [b[0] for b in bars] == ["start", "new", "increased", "decreased", "won", "lost", "pushed_out", "end"]
    assert [(b[1], b[2]) for b in bars] == [
        (0.0, 100.0),
        (100.0, 30.0),  # 100 -> 130
        (130.0, 5.0),  # -> 135
        (127.0, 8.0),  # -> 127
        (87.0, 40.0),  # -> 87
        (77.0, 10.0),  # -> 77
        (70.0, 7.0),  # -> 70, the end
        (0.0, 70.0),
    ]
    colours = {name: colour for name, _b, _h, colour in bars}
    assert colours["start"] == colours["end"] == TOTAL_COLOUR
    assert colours["won"] != colours["lost"] and colours["lost"] == colours["pushed_out"]


def test_fnl010_levels_say_what_they_count(director, demo_session):
    """Level 5 shows its win rate (it goes on to a win, not to level 6), the won deals' row is not a second
    "5", an empty level 6 says why, and the waterfall says it counts the V value's pipeline."""
    from metrics.views.kpis import overview_kpis

    tree = render_page(director, "/funnel", f"?period={AS_OF.year}")
    figure = find(tree, "funnel-levels-chart")["props"]["figure"]
    rows = figure["data"][0]["y"]
    assert sum(1 for r in rows if r.startswith("5")) == 1 and "Won, collecting" in rows
    level5 = figure["data"][0]["text"][rows.index("5 Committed")]
    assert "won " in level5 and "→" not in level5
    k = overview_kpis(demo_session, Scope.everything(), Period(AS_OF.year), AS_OF)
    assert cny(k.v.pipeline_due, "en") in text_of(find(tree, "funnel-movement-base"))
    moved = find(tree, "funnel-movement-chart")["props"]["figure"]["data"][0]
    assert cny(moved["y"][-1], "en") == cny(k.v.pipeline_due, "en")  # the waterfall's end is the V's pipeline


def test_fnl011_the_review_lists_the_reps_open_deals_by_level(session):
    """Issue 18: the weekly review is about deals. Three open deals written here (levels, amounts, the day each
    last changed level) and a closed one: the review lists the open ones, highest level first then largest,
    with their days at the level and the stalled one (over 30 days) marked."""
    from datetime import date

    from data_access.models import StageHistory
    from data_access.users import Viewer
    from metrics.views.funnel import load_review
    from tests.builders import Seed

    today = date(2026, 11, 27)
    seed = Seed(session)
    team = seed.team("复盘组")
    rep = seed.rep("RV01", team)
    acct = seed.account("ACRV", rep)
    small4 = seed.opp(acct, 10_000, 4, created=date(2026, 9, 1), code="RV-A")
    big4 = seed.opp(acct, 90_000, 4, created=date(2026, 9, 1), code="RV-B")
    two = seed.opp(acct, 50_000, 2, created=date(2026, 11, 20), code="RV-C")
    seed.opp(acct, 70_000, 5, "won", created=date(2026, 8, 1), closed=date(2026, 11, 1), code="RV-D")
    session.add_all(
        [
            StageHistory(opportunity_id=small4.id, level=4, entered_date=date(2026, 11, 10)),  # 17 days
            StageHistory(opportunity_id=big4.id, level=4, entered_date=date(2026, 10, 1)),  # 57 days: stalled
        ]
    )
    session.flush()
    viewer = Viewer(user_id=0, username="d", role="director", rep_id=None, rep_code=None, team_id=None)
    data = load_review(session, viewer, {"team": str(team.id), "rep": "RV01"}, today)
    assert [d["opp_code"] for d in data.deals] == ["RV-B", "RV-A", "RV-C"]
    assert [d["idle_days"] for d in data.deals] == [57, 17, 7]
    assert [d["stalled"] for d in data.deals] == [True, False, False]
    assert data.open_count == 3
    assert two.level == 2


def test_fnl012_the_review_ranks_reps_by_gap_and_shows_moves_from_to(session):
    """Issue 18: the team's slide ranks the reps by gap to quota (literal quotas and contracts below); a rep's
    week lists a deal that moved level with its levels before and after, and a lost deal with its reason."""
    from datetime import date

    from data_access.models import StageHistory
    from data_access.users import Viewer
    from metrics.views.funnel import load_review, load_review_deck
    from tests.builders import Seed

    today = date(2026, 11, 27)
    seed = Seed(session)
    team = seed.team("排名组")
    a, b, c = seed.rep("RK01", team), seed.rep("RK02", team), seed.rep("RK03", team)
    acct = seed.account("ACRK", a)
    seed.quota(a, 2026, 1_000_000, 100_000)  # booked 900,000: gap 100,000
    seed.quota(b, 2026, 500_000, 50_000)  # booked nothing: gap 500,000
    won = seed.opp(acct, 900_000, 5, "won", created=date(2026, 1, 5), closed=date(2026, 3, 1), code="RK-W")
    seed.contract(won, 900_000, date(2026, 3, 1))
    moved = seed.opp(acct, 40_000, 2, created=date(2026, 10, 1), expected=date(2026, 12, 15), code="RK-M")
    moved.level = 3  # level 2 since its creation (the seed's history row), level 3 on Nov 24
    session.add(StageHistory(opportunity_id=moved.id, level=3, entered_date=date(2026, 11, 24)))
    seed.opp(
        acct,
        25_000,
        2,
        "lost",
        created=date(2026, 10, 1),
        expected=date(2026, 12, 15),
        closed=date(2026, 11, 25),
        code="RK-L",
        loss_reason="价格",
    )
    session.flush()
    director = Viewer(user_id=0, username="d", role="director", rep_id=None, rep_code=None, team_id=None)
    team_slide = load_review(session, director, {"team": str(team.id)}, today)
    assert team_slide.index is None and team_slide.team_name == "排名组"
    assert [r["rep_code"] for r in team_slide.ranking] == ["RK02", "RK01", "RK03"]  # RK03: no quota, last
    assert [r["gap"] for r in team_slide.ranking] == [500_000, 100_000, None]
    assert [code for code, _n in team_slide.reps] == ["RK02", "RK01", "RK03"]
    slide = load_review(session, director, {"team": str(team.id), "rep": "RK01"}, today)
    assert slide.moved is not None
    assert slide.moved.lists["advanced"] == ["RK-M"] and slide.moved.moves["RK-M"] == (2, 3)
    assert slide.moved.lists["lost"] == ["RK-L"] and slide.details["RK-L"]["loss_reason"] == "价格"
    assert slide.details["RK-M"]["amount"] == 40_000
    deck = load_review_deck(session, director, {"team": str(team.id), "review": "print"}, today)
    assert [s.index for s in deck] == [None, 0, 1, 2]
    assert c.rep_code == "RK03"


def test_fnl013_the_printed_review_holds_the_viewers_reps_only(manager, rep, demo_session):
    """?review=print stacks the team's slide and every rep's; a manager asking for another team still gets their
    own team's reps, a rep only their own slide."""
    from sqlalchemy import text

    team1 = {c for (c,) in demo_session.execute(text("SELECT rep_code FROM reps WHERE team_id = 1 AND role = 'rep'"))}
    tree = render_page(manager, "/funnel", "?review=print&team=2")
    titles = [text_of(n) for n in walk(tree) if n["props"].get("className") == "review-title"]
    shown = {title.rsplit("(", 1)[1].rstrip(")") for title in titles[1:]}
    assert len(titles) == len(team1) + 1 and shown == team1
    assert find(tree, "review-ranking-0") and find(tree, "review-deals-1")
    own = render_page(rep, "/funnel", "?review=print&team=2&rep=R0005")
    name = demo_session.execute(text("SELECT name FROM reps WHERE rep_code = 'R0001'")).scalar_one()
    titles = [text_of(n) for n in walk(own) if n["props"].get("className") == "review-title"]
    assert titles == [f"Weekly review · {name} (R0001)"]
