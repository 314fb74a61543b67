"""The funnel page's movement view over HTTP: the numbers are the metric's, in the viewer's scope."""

from __future__ import annotations

from datetime import timedelta

from components.formatting import cny
from data_access import queries
from data_access.scope import Scope
from metrics.movement import movement
from metrics.period import Period
from tests.conftest import AS_OF
from tests.dash_http import find, render_page, text_of, walk


def _expected(session, scope: Scope, since, period: Period):
    opps, changes, history = queries.movement_rows(session, scope, since, AS_OF)
    return movement(opps, changes, history, since, AS_OF, period.end)


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
    won_rows = find(tree, "funnel-list-won")["props"]["children"][1]["props"]["children"]
    assert len(won_rows) == min(len(m.lists["won"]), 100)
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
