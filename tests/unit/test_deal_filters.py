"""Rep, product line and RAD class filters: the SQL class equals the metric, deal filters narrow the funnel
and never widen a viewer's scope."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from components import filters
from components.formatting import cny
from data_access import queries
from data_access.models import Account, Opportunity, Rep
from data_access.rad import UNKNOWN, account_classes
from data_access.result_cache import EXTENSION as KEPT
from data_access.scope import ProductLine, RadClass, Scope
from metrics.period import Period
from metrics.rad import classify
from metrics.views.kpis import overview_kpis
from tests.builders import Seed
from tests.conftest import AS_OF
from tests.dash_http import call_callback, find, render_page, text_of

Y = 2026


def _sql_classes(session, year, r_min=0.5, a_max=0.1):
    sub = account_classes(year, r_min, a_max)
    rows = session.execute(select(sub.c.account_id, sub.c.rad_class, sub.c.manual)).all()
    return {int(a): (c, bool(m)) for a, c, m in rows}


def _python_classes(session, year, r_min=0.5, a_max=0.1):
    df = classify(queries.account_year(session, Scope.everything(), year), r_min, a_max)
    ids = dict(session.execute(select(Account.account_code, Account.id)).all())
    return {
        int(ids[code]): (c or UNKNOWN, bool(m))
        for code, c, m in zip(df["account_code"], df["rad_class"], df["manual"], strict=True)
    }


def test_flt001_sql_class_equals_the_metric_on_hand_built_accounts(session):
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T"))
    cases = {
        # code: (bp, booked, override, expected class)
        "R50": (1000.0, 500.0, None, "R"),  # exactly 50%: R
        "D10": (1000.0, 100.0, None, "D"),  # exactly 10%: D
        "A": (1000.0, 99.0, None, "A"),
        "ZERO": (1000.0, 0.0, None, "A"),  # zero bookings: A
        "OVER": (1000.0, 1500.0, None, "R"),  # SOW 150%: R (flagged "BP looks too low" by the metric)
        "NOBP": (None, 300.0, None, UNKNOWN),
        "BP0": (0.0, 300.0, None, UNKNOWN),
        "MAN": (1000.0, 900.0, "D", "D"),  # the override wins over R
        "MANNOBP": (None, 0.0, "A", "A"),
    }
    accounts = {}
    for code, (bp, booked, override, _cls) in cases.items():
        acc = seed.account(code, rep, rad_override=override)
        accounts[code] = acc.id
        if bp is not None:
            seed.bp(acc, Y, bp)
            seed.bp(acc, Y - 1, bp * 100)  # another year's BP must not count
        if booked:
            seed.contract(seed.opp(acc, booked, 5, "won", closed=date(Y, 3, 1)), booked, date(Y, 3, 1))
            seed.contract(seed.opp(acc, 10.0, 5, "won", closed=date(Y - 1, 3, 1)), 10.0, date(Y - 1, 3, 1))
    session.commit()
    sql = _sql_classes(session, Y)
    assert {code: sql[i][0] for code, i in accounts.items()} == {code: c[3] for code, c in cases.items()}
    assert sql[accounts["MAN"]][1] and not sql[accounts["R50"]][1]
    assert sql == _python_classes(session, Y)
    # other thresholds follow
    assert _sql_classes(session, Y, 0.9, 0.2)[accounts["R50"]][0] == "D"


def test_flt002_sql_class_equals_the_metric_on_the_demo(demo_session):
    for year in (AS_OF.year, AS_OF.year - 1):
        assert _sql_classes(demo_session, year) == _python_classes(demo_session, year)


def test_flt003_deal_filters_narrow_the_funnel(demo_session):
    everything = Scope.everything()
    p = Period(AS_OF.year)
    total = queries.funnel_stages(demo_session, everything, p.start, p.end)
    lines = queries.product_lines(demo_session, everything)
    assert len(lines) >= 3
    parts = [
        queries.funnel_stages(demo_session, everything.narrow(deals=(ProductLine(line),)), p.start, p.end)
        for line in lines
    ]
    summed = pd.concat(parts).groupby("stage", sort=False)[["count", "amount"]].sum()
    assert summed["count"].tolist() == total["count"].tolist()  # every deal has a product line in the demo
    classes = [RadClass(AS_OF.year, c, 0.5, 0.1) for c in ("R", "A", "D", UNKNOWN)]
    by_class = [queries.funnel_stages(demo_session, everything.narrow(deals=(c,)), p.start, p.end) for c in classes]
    assert sum(int(df["count"].sum()) for df in by_class) == int(total["count"].sum())
    assert all(int(df["count"].sum()) > 0 for df in by_class[:3])
    both = everything.narrow(deals=(ProductLine(lines[0]), classes[2]))
    n_both = int(queries.funnel_stages(demo_session, both, p.start, p.end)["count"].sum())
    assert 0 < n_both < int(parts[0]["count"].sum())


def test_flt010_a_class_funnel_read_in_one_statement_counts_each_stage(demo_session):
    """The whole company's deals of a class are read in one grouped statement (Scope.reads_class_list): each
    stage's count and amount equal plain Python over the deals and the classes the metric gives, also with a
    product line, and a team's class (a statement per stage) the same way."""
    year = AS_OF.year
    p = Period(year)
    classes = _python_classes(demo_session, year)
    rows = demo_session.execute(
        select(
            Opportunity.status,
            Opportunity.level,
            Opportunity.closed_date,
            Opportunity.account_id,
            Opportunity.amount,
            Opportunity.product_line,
            Opportunity.owner_rep_id,
        )
    ).all()
    team = set(demo_session.scalars(select(Rep.id).where(Rep.team_id == 1)))
    line = queries.product_lines(demo_session, Scope.everything())[0]

    def stage(status, level, closed):
        if status == "open":
            return str(level)
        if status == "won" and level in (5, 6) and p.start <= closed <= p.end:
            return "5w" if level == 5 else "6"
        return None

    for cls in ("R", "A", "D", UNKNOWN):
        rad = RadClass(year, cls, 0.5, 0.1)
        for scope, keep in (
            (Scope.everything().narrow(deals=(rad,)), lambda r: True),
            (Scope.everything().narrow(deals=(ProductLine(line), rad)), lambda r: r.product_line == line),
            (Scope.team(1).narrow(deals=(rad,)), lambda r: r.owner_rep_id in team),
        ):
            want = {s: [0, 0.0] for s in queries.STAGES}
            for r in rows:
                key = stage(r.status, r.level, r.closed_date)
                if key and keep(r) and classes.get(r.account_id, (UNKNOWN,))[0] == cls:
                    want[key][0] += 1
                    want[key][1] += float(r.amount)
            got = queries.funnel_stages(demo_session, scope, p.start, p.end)
            assert got["stage"].tolist() == list(queries.STAGES)
            assert got["count"].tolist() == [want[s][0] for s in queries.STAGES], (cls, scope)
            assert got["amount"].tolist() == pytest.approx([want[s][1] for s in queries.STAGES]), (cls, scope)
            assert scope.reads_class_list == (scope.restrictions == ())
            if cls != UNKNOWN and scope.restrictions == () and len(scope.deals) == 1:
                assert sum(want[s][0] for s in queries.STAGES) > 0


def test_flt011_a_class_kpi_set_reads_its_closed_deals_and_due_pipeline_once(session):
    """The KPI set's two closed windows (the period and the last 364 days), the open pipeline due and the funnel's
    stages, on literal deals of a class-A and a class-R account: read in one statement each for the whole company's
    class (Scope.reads_class_list) and per window or stage for a team's class, alike; deals closed on each window's
    bounds and the day outside, an open deal due on the period's last day and one the day after, a level with
    nothing due, won deals collecting (level 5) and collected (level 6) in the period and one the year before."""
    y = 2026
    seed = Seed(session)
    team = seed.team("T")
    rep = seed.rep("R1", team)
    a, r = seed.account("ACC-A", rep), seed.account("ACC-R", rep)
    seed.bp(a, y, 1000.0)  # nothing booked: SOW 0, class A
    seed.bp(r, y, 1000.0)
    seed.contract(seed.opp(r, 600.0, 5, "won", closed=date(y, 3, 1)), 600.0, date(y, 3, 1))  # SOW 60%: class R
    seed.opp(r, 900.0, 2, expected=date(y, 5, 1))
    for amount, status, closed in (
        (100.0, "won", date(y, 1, 1)),  # both windows
        (200.0, "won", date(y - 1, 11, 28)),  # the last 364 days' first day only
        (300.0, "lost", date(y - 1, 11, 27)),  # the day before: neither
        (400.0, "lost", date(y, 12, 31)),  # the period's last day only
        (500.0, "won", date(y, 11, 28)),  # the day after the last 364 days: the period only
    ):
        seed.opp(a, amount, 5, status, closed=closed)
    seed.opp(a, 700.0, 2, expected=date(y, 12, 31))  # due by the period's end
    seed.opp(a, 800.0, 2, expected=date(y + 1, 1, 1))  # the day after: not due
    seed.opp(a, 50.0, 4, expected=date(y, 6, 30))
    seed.opp(a, 20.0, 1, expected=date(y + 1, 3, 1))  # a level with nothing due
    # won deals of the period still collecting (level 5) and collected (level 6), and one collected the year before
    seed.opp(a, 11.0, 5, "won", closed=date(y, 2, 1), expected=date(y, 2, 1))
    seed.opp(a, 13.0, 6, "won", closed=date(y, 4, 1), expected=date(y, 4, 1))
    seed.opp(a, 17.0, 6, "won", closed=date(y - 1, 4, 1), expected=date(y - 1, 4, 1))
    session.commit()
    windows = [(date(y, 1, 1), date(y, 12, 31)), (date(y - 1, 11, 28), date(y, 11, 27))]
    stages_a = [(1, 20.0), (2, 1500.0), (0, 0.0), (1, 50.0), (0, 0.0), (3, 611.0), (1, 13.0)]  # 1-5, 5w, 6
    stages_r = [(0, 0.0), (1, 900.0), (0, 0.0), (0, 0.0), (0, 0.0), (1, 600.0), (0, 0.0)]
    for cls, want_closed, want_open, want_stages in (
        (
            "A",
            [(4, 1, 624.0, 400.0), (4, 0, 324.0, 0.0)],
            [(1, 1, 20.0, 0.0), (2, 2, 1500.0, 700.0), (4, 1, 50.0, 50.0)],
            stages_a,
        ),
        ("R", [(1, 0, 600.0, 0.0), (1, 0, 600.0, 0.0)], [(2, 1, 900.0, 900.0)], stages_r),
    ):
        rad = RadClass(y, cls, 0.5, 0.1)
        for scope in (Scope.everything().narrow(deals=(rad,)), Scope.team(team.id).narrow(deals=(rad,))):
            got = queries.closed_outcomes_of(session, scope, windows)
            assert [(o.won_count, o.lost_count, o.won_amount, o.lost_amount) for o in got] == want_closed, cls
            assert [queries.closed_outcomes(session, scope, *w) for w in windows] == got
            pipe = queries.open_pipeline_by_level(session, scope, due_by=date(y, 12, 31))
            assert [tuple(row) for row in pipe.itertuples(index=False)] == want_open, cls
            assert queries.open_pipeline_by_level(session, scope).columns.tolist() == ["level", "count", "amount"]
            stages = queries.funnel_stages(session, scope, *windows[0])
            assert stages["stage"].tolist() == list(queries.STAGES)
            assert list(zip(stages["count"], stages["amount"], strict=True)) == want_stages, cls
    # the same windows for a class with no deals: zeros, not a missing row
    none = Scope.everything().narrow(deals=(RadClass(y, "D", 0.5, 0.1),))
    assert [
        (o.won_count, o.lost_count, o.won_amount, o.lost_amount)
        for o in queries.closed_outcomes_of(session, none, windows)
    ] == [(0, 0, 0.0, 0.0)] * 2


def test_flt004_quota_stays_whole_under_a_deal_filter(demo_session):
    p = Period(AS_OF.year)
    scope = Scope.team(1)
    line = queries.product_lines(demo_session, scope)[0]
    whole = overview_kpis(demo_session, scope, p, AS_OF)
    part = overview_kpis(demo_session, scope.narrow(deals=(ProductLine(line),)), p, AS_OF)
    assert part.bookings == whole.bookings and part.revenue_target == whole.revenue_target
    assert part.v.remaining == whole.v.remaining
    assert 0 < part.v.pipeline_due < whole.v.pipeline_due


def test_flt005_the_funnel_page_follows_rep_product_and_class(director, demo_session):
    rep_id, rep_code = demo_session.execute(select(Rep.id, Rep.rep_code).where(Rep.rep_code == "R0002")).one()
    line = queries.product_lines(demo_session, Scope.everything())[1]
    tree = render_page(director, "/funnel", f"?rep={rep_code}&product={line}&rad=D")
    scope = Scope.rep(rep_id).narrow(deals=(ProductLine(line), RadClass(AS_OF.year, "D", 0.5, 0.1)))
    p = Period(AS_OF.year)
    stages = queries.funnel_stages(demo_session, scope, p.start, p.end)
    link = text_of(find(tree, "stage-link-1"))
    assert link.endswith(f"({int(stages['count'][0]):,})")
    k = overview_kpis(demo_session, scope, p, AS_OF)
    assert text_of(find(tree, "kpi-open-pipeline-value")) == cny(k.open_amount, "en")
    assert find(tree, "filter-rep")["props"]["value"] == rep_code
    assert find(tree, "filter-product")["props"]["value"] == line
    assert find(tree, "filter-rad")["props"]["value"] == "D"
    assert "narrow the deals" in text_of(find(tree, "filter-deal-note"))


@pytest.mark.parametrize("search", ["?rep=R0030", "?rep=R0002", "?rep=R0002&team=2"])
def test_flt006_a_rep_cannot_pick_another_rep(rep, demo_session, search):
    rep_id = demo_session.scalar(select(Rep.id).where(Rep.rep_code == "R0001"))
    tree = render_page(rep, "/funnel", search)
    k = overview_kpis(demo_session, Scope.rep(rep_id), Period(AS_OF.year), AS_OF)
    assert text_of(find(tree, "kpi-open-pipeline-value")) == cny(k.open_amount, "en")
    assert "is not one you can pick" in text_of(tree)
    options = find(tree, "filter-rep")["props"]["options"]
    assert [o["value"] for o in options] == ["R0001"]


def test_flt007_bad_product_and_class_are_dropped_with_a_notice(director):
    tree = render_page(director, "/funnel", "?product=nope&rad=X")
    text = text_of(tree)
    assert "product line 'nope'" in text and "RAD class 'X'" in text
    assert find(tree, "filter-product")["props"]["value"] is None


def _typed(client, typed, chosen=None, search=""):
    """The rep picker's options for what is typed (None: the server changed nothing)."""
    response = call_callback(
        client,
        "filter-rep.options",
        {("filter-rep", "search_value"): typed, ("filter-rep", "value"): chosen, ("url", "search"): search},
    )
    if response.status_code == 204:
        return None
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]["filter-rep"]["options"]


def test_flt008_a_long_rep_list_is_searched_on_the_server_in_scope(director, manager, rep, demo_session, monkeypatch):
    every = queries.reps_in_scope(demo_session, Scope.everything())
    assert 10 < len(every) <= filters.INLINE_CHOICES
    assert _typed(director, "R00") is None  # a list this short came with the page: nothing to fetch
    monkeypatch.setattr(filters, "INLINE_CHOICES", 3)
    monkeypatch.setattr(filters, "FOUND_CHOICES", 5)
    # the page sends only the chosen rep (the picker shows its name) and asks to type
    tree = render_page(director, "/funnel", "?rep=R0002&measure=count")
    picker = find(tree, "filter-rep")["props"]
    assert [o["value"] for o in picker["options"]] == ["R0002"] and picker["placeholder"] == "All reps (type to find)"
    # typing: the first reps whose "name (code)" holds it, letter case aside, and the chosen one stays
    name = every[5][2]
    found = _typed(director, name.lower() if name.isascii() else name, chosen="R0002")
    assert found[0]["value"] == "R0002" and any(o["value"] == every[5][1] for o in found)
    assert all(name.casefold() in o["label"].casefold() for o in found[1:]) and len(found) <= 6
    assert [o["value"] for o in _typed(director, "R00")] == [code for _i, code, _n in every if "R00" in code][:5]
    assert _typed(director, "  ") is None and _typed(director, "no such rep") == []
    # a manager finds the team's reps only, a rep only themselves (a list short enough to come with the page)
    own_team = demo_session.scalar(select(Rep.team_id).where(Rep.rep_code == "M001"))
    mine = {code for _i, code, _n in queries.reps_in_scope(demo_session, Scope.team(own_team))}
    assert {o["value"] for o in _typed(manager, "R")} <= mine
    other = next(code for _i, code, _n in every if code not in mine)
    assert _typed(manager, other) == [] and [o["value"] for o in _typed(director, other)] == [other]
    assert _typed(rep, "R") is None
    # a team chosen in the address narrows the search; a team the viewer may not pick is ignored
    team = demo_session.scalar(select(Rep.team_id).where(Rep.rep_code == "R0002"))
    in_team = {c for _i, c, _n in queries.reps_in_scope(demo_session, Scope.team(team))}
    assert {o["value"] for o in _typed(director, "R", search=f"?team={team}")} <= in_team


def _typed_team(client, typed, chosen=None):
    response = call_callback(
        client,
        "filter-team.options",
        {("filter-team", "search_value"): typed, ("filter-team", "value"): chosen, ("url", "search"): ""},
    )
    return None if response.status_code == 204 else response.get_json()["response"]["filter-team"]["options"]


def test_flt009_a_long_team_list_is_searched_on_the_server_too(dash_app, director, manager, demo_session, monkeypatch):
    teams = queries.teams(demo_session, Scope.everything())
    assert 3 < len(teams) <= filters.INLINE_CHOICES and _typed_team(director, teams[0][1]) is None
    monkeypatch.setattr(filters, "INLINE_CHOICES", 3)
    dash_app.server.extensions[KEPT].cache.clear()  # pages drawn before the patch are kept drawn without it
    tree = render_page(director, "/funnel", f"?team={teams[1][0]}&measure=count")
    picker = find(tree, "filter-team")["props"]
    assert picker["options"] == [{"label": teams[1][1], "value": teams[1][0]}]
    assert picker["placeholder"] == "All teams (type to find)"
    name = teams[2][1]
    found = _typed_team(director, name, chosen=teams[1][0])
    assert found[0]["value"] == teams[1][0] and {"label": name, "value": teams[2][0]} in found
    assert all(name in o["label"] for o in found[1:])
    assert _typed_team(manager, name) is None  # one team: it came with the page
