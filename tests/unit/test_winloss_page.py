"""/winloss over HTTP on the demo database: every number on the page is the metric's, every list the deals
behind its bar, the clicks go to the URL, and the viewer's scope holds whatever the client posts."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

import pandas as pd
import pytest
from sqlalchemy import and_, select, text

from components.formatting import cny, pct
from data_access import queries
from data_access.models import Opportunity, Rep
from data_access.scope import Scope
from metrics import winloss
from metrics.frames import records
from metrics.period import Period
from metrics.sales import win_rate
from tests.conftest import AS_OF
from tests.dash_http import call_callback, download, downloaded_text, find, render_page, text_of, walk

YEAR = Period(AS_OF.year)


def _deals(session, scope: Scope | None = None, period: Period = YEAR) -> pd.DataFrame:
    return queries.closed_deals(session, scope or Scope.everything(), period.start, period.end)


def _figure(tree, chart_id: str) -> dict:
    return find(tree, chart_id)["props"]["figure"]


def _grid_codes(tree) -> list[str]:
    return [r["opp_code"].split("]")[0].lstrip("[") for r in find(tree, "wl-deals-grid")["props"]["rowData"]]


def _value(tree, name: str) -> str:
    return text_of(find(tree, f"kpi-{name}-value"))


def _download(client, search: str) -> pd.DataFrame | int:
    """The win/loss list as the CSV button downloads it, or the status code when there is none."""
    response = download(client, "winloss_deals", "csv", search)
    if response.status_code != 200:
        return response.status_code
    return pd.read_csv(io.StringIO(downloaded_text(response)))


def _rep_id(session, code: str) -> int:
    return int(session.execute(text("SELECT id FROM reps WHERE rep_code = :c"), {"c": code}).scalar_one())


def test_wl029_every_segment_band_and_missing_value_reads_in_both_languages():
    from components.i18n import TRANSLATIONS

    keys = [f"wl.segment.{s}" for s in winloss.SEGMENTS]
    keys += [f"wl.band.{band}" for band, _lo, _hi in winloss.SIZE_BANDS]
    keys += [f"wl.none.{s}" for s in winloss.SEGMENTS if s not in ("rad_class", "size_band")]
    keys += [f"wl.{kind}.{o}" for o in winloss.OUTCOMES for kind in ("outcome", "drill")]
    keys += [f"wl.kpi.{o}" for o in winloss.OUTCOMES] + [f"wl.kpi.{o}_deals" for o in winloss.OUTCOMES]
    for key in keys:
        assert set(TRANSLATIONS[key]) == {"zh", "en"} and all(TRANSLATIONS[key].values()), key


def test_wl030_tiles_are_the_win_rate_of_the_period(director, demo_session):
    tree = render_page(director, "/winloss")
    o = winloss.outcomes(_deals(demo_session))
    assert o == queries.closed_outcomes(demo_session, Scope.everything(), YEAR.start, YEAR.end)  # SQL agrees
    assert o.won_count > 50 and o.lost_count > 50
    assert _value(tree, "wl-win-rate") == pct(o.won_count / (o.won_count + o.lost_count), "en")
    assert _value(tree, "wl-win-rate-amount") == pct(o.won_amount / (o.won_amount + o.lost_amount), "en")
    assert _value(tree, "wl-won") == cny(o.won_amount, "en") and _value(tree, "wl-lost") == cny(o.lost_amount, "en")
    assert f"{o.won_count:,} won" in text_of(find(tree, "wl-won-link"))
    assert f"{o.lost_count:,} lost" in text_of(find(tree, "kpi-wl-win-rate-sub"))


def test_wl031_pareto_and_the_reason_missing_prompt(director, demo_session):
    tree = render_page(director, "/winloss")
    pareto = winloss.loss_pareto(queries.loss_reasons(demo_session, Scope.everything(), YEAR.start, YEAR.end))
    figure = _figure(tree, "wl-pareto-chart")
    assert figure["data"][0]["customdata"] == pareto["reason"].tolist()
    assert figure["data"][0]["y"] == pareto["count"].tolist()
    assert figure["data"][1]["y"] == pytest.approx(pareto["cumulative"].tolist())
    assert figure["data"][1]["y"][-1] == pytest.approx(1.0)
    table = text_of(find(tree, "wl-reasons"))
    for r in records(pareto):
        assert f"{r['count']:,}{cny(r['amount'], 'en')}{pct(r['share'], 'en')}{pct(r['cumulative'], 'en')}" in table
    missing = demo_session.execute(
        text(
            "SELECT COUNT(*) FROM opportunities WHERE status = 'lost' AND loss_reason IS NULL "
            "AND closed_date BETWEEN :s AND :e"
        ),
        {"s": YEAR.start, "e": YEAR.end},
    ).scalar_one()
    assert missing > 0 and pareto["reason"].tolist()[-1] == winloss.MISSING
    assert text_of(find(tree, "wl-missing")).startswith(f"{missing} lost deals")
    assert find(tree, "wl-missing-link")["props"]["href"] == "/winloss?reason=none"
    assert text_of(find(tree, f"wl-reason-link-{len(pareto) - 1}")) == "Reason missing"


def test_wl032_each_list_is_the_deals_behind_its_bar(director, demo_session):
    deals = _deals(demo_session)
    pareto = winloss.loss_pareto(queries.loss_reasons(demo_session, Scope.everything(), YEAR.start, YEAR.end))
    top = pareto.iloc[0]
    tree = render_page(director, "/winloss")
    href = find(tree, "wl-reason-link-0")["props"]["href"]
    assert href == "/winloss?" + urlencode({"reason": top["reason"]})
    listed = render_page(director, "/winloss", href.removeprefix("/winloss"))
    assert len(_grid_codes(listed)) == top["count"]  # the bar's count, deal by deal
    assert (
        _grid_codes(listed) == winloss.deals_behind(deals, winloss.Drill("reason", top["reason"]))["opp_code"].tolist()
    )
    assert f"· {top['count']:,} deals" in text_of(find(listed, "wl-deals"))
    row = find(listed, "wl-deals-grid")["props"]["rowData"][0]
    code = _grid_codes(listed)[0]
    assert row["opp_code"] == code and row["reason"] == top["reason"]
    missing = render_page(director, "/winloss", "?reason=none")
    assert len(_grid_codes(missing)) == int(pareto["count"].iloc[-1])
    assert {r["reason"] for r in find(missing, "wl-deals-grid")["props"]["rowData"]} == {"Reason missing"}
    for search, drill in (
        ("?segment=industry&value=金融", winloss.Drill("industry", "金融")),
        ("?lost_level=2", winloss.Drill("lost_level", "2")),
        ("?outcome=won", winloss.Drill("outcome", "won")),
        ("?segment=size_band&value=%3E%3D5M", winloss.Drill("size_band", ">=5M")),
    ):
        want = winloss.deals_behind(deals, drill)["opp_code"].tolist()
        assert want and _grid_codes(render_page(director, "/winloss", search)) == want, search
    assert find(tree, "wl-deals")["props"].get("children") is None  # no drill: no list


@pytest.mark.parametrize("segment", winloss.SEGMENTS)
def test_wl033_win_rate_by_segment_with_the_deals_beside_it(director, demo_session, segment):
    tree = render_page(director, "/winloss", f"?segment={segment}")
    rates = winloss.segment_rates(_deals(demo_session), segment)
    shown = rates.head(25)
    figure = _figure(tree, "wl-segment-chart")
    assert figure["data"][0]["customdata"] == shown["key"].tolist()
    assert figure["data"][0]["x"] == pytest.approx(shown["win_rate"].tolist())
    assert figure["data"][1]["x"] == pytest.approx(shown["win_rate_amount"].tolist())
    for i, r in enumerate(records(shown)):
        assert f"n={r['n']:,}" in figure["data"][0]["text"][i]
        assert ("small sample" in figure["data"][0]["text"][i]) == (r["n"] < 10)
        link = find(tree, f"wl-segment-link-{i}")
        assert parse_qs(link["props"]["href"].split("?")[1]) == {"segment": [segment], "value": [r["key"]]}
    assert find(tree, "wl-segment")["props"]["value"] == segment
    assert int(rates["n"].sum()) == len(_deals(demo_session))  # every closed deal in one group


def test_wl034_head_to_head_the_same_in_sql_and_from_the_deals(director, demo_session):
    tree = render_page(director, "/winloss")
    sql = winloss.head_to_head(queries.competitor_outcomes(demo_session, Scope.everything(), YEAR.start, YEAR.end))
    pd.testing.assert_frame_equal(sql, winloss.head_to_head(winloss.tally(_deals(demo_session), "competitor")))
    table = text_of(find(tree, "wl-competitors"))
    for i, c in enumerate(records(sql)):
        assert text_of(find(tree, f"wl-competitor-link-{i}")) == c["competitor"]
        assert f"{c['met']:,}{c['won']:,}{c['lost']:,}{cny(c['amount'], 'en')}{pct(c['win_rate'], 'en')}" in table


def test_wl035_trend_cycle_and_lost_levels_are_the_metrics(director, demo_session):
    tree = render_page(director, "/winloss", f"?period={AS_OF.year}Q2")
    quarters = winloss.trend_quarters(Period(AS_OF.year, 2).end)
    assert [q.key for q in quarters][-1] == f"{AS_OF.year}Q2" and len(quarters) == 8
    trend = winloss.win_rate_trend({q: winloss.outcomes(_deals(demo_session, period=q)) for q in quarters})
    figure = _figure(tree, "wl-trend-chart")
    assert figure["data"][0]["x"] == trend["quarter"].tolist()
    got = [None if v is None else round(v, 9) for v in figure["data"][0]["y"]]
    assert got == [None if pd.isna(v) else round(v, 9) for v in trend["win_rate"]]
    deals = _deals(demo_session, period=Period(AS_OF.year, 2))
    cycle = winloss.cycle_lengths(deals).set_index("outcome")
    bars = {b["customdata"][0]: b["y"] for b in _figure(tree, "wl-cycle-chart")["data"]}
    assert bars == {o: [cycle.loc[o, "median_days"], cycle.loc[o, "mean_days"]] for o in ("won", "lost")}
    levels = winloss.lost_by_level(deals)
    assert _figure(tree, "wl-levels-chart")["data"][0]["y"] == levels["count"].tolist()
    assert text_of(find(tree, "wl-level-link-1")) == f"1 Identified ({int(levels['count'][0]):,})"


def test_wl036_clicks_and_the_picker_go_to_the_url(director):
    def post(search: str, picked: str | None = None, **clicks: Any) -> dict[str, str] | None:
        """The picker's value and a click on one chart (pareto, segment, levels, cycle: its customdata);
        the address the callback answers, as a dict (None: no navigation)."""
        values: dict[tuple[str, str], Any] = {("url", "search"): search, ("wl-segment", "value"): picked}
        for chart, value in clicks.items():
            values[(f"wl-{chart}-chart", "clickData")] = {"points": [{"customdata": value}]}
        response = call_callback(director, "url.search@", values)
        if response.status_code == 204:
            return None
        return dict(parse_qsl(response.get_json()["response"]["url"]["search"].lstrip("?")))

    assert post("?period=2026", pareto="价格偏高") == {"period": "2026", "reason": "价格偏高"}
    assert post("?reason=x&segment=industry", "industry", segment="金融") == {"segment": "industry", "value": "金融"}
    assert post("", segment="R") == {"segment": "rad_class", "value": "R"}  # a bar of the default segment
    assert post("?segment=rep&value=R0002&period=2025", "team") == {"period": "2025", "segment": "team"}
    assert post("?outcome=won", levels="3") == {"lost_level": "3"}
    assert post("?team=1", cycle="lost") == {"team": "1", "outcome": "lost"}
    assert post("?segment=team", "team") is None  # the page drawn as it is: no navigation
    assert post("") is None and post("", "rad_class") is None
    for crafted in ({"levels": "9"}, {"cycle": "open"}, {"pareto": ["a", "b"]}, {"pareto": "x" * 500}):
        assert post("?period=2026", **crafted) is None, crafted
    assert post("?period=2026", "no-such-segment") is None


def test_wl037_downloads_recompute_the_list(director):
    got = _download(director, "?reason=none&period=2025")
    tree = render_page(director, "/winloss", "?reason=none&period=2025")
    assert isinstance(got, pd.DataFrame) and got["opp_code"].tolist() == _grid_codes(tree)
    assert got["loss_reason"].isna().all() and set(got["status"]) == {"lost"}
    assert _download(director, "?period=2025") == 204  # no list chosen: nothing to download


def test_wl038_nothing_closed_is_an_empty_state_and_both_languages(director, demo_session):
    closes = demo_session.execute(
        select(Rep.rep_code, Opportunity.closed_date)
        .outerjoin(Opportunity, and_(Opportunity.owner_rep_id == Rep.id, Opportunity.status.in_(("won", "lost"))))
        .where(Rep.role == "rep")
    ).all()
    quarters = [Period(y, q) for y in (AS_OF.year - 2, AS_OF.year - 1) for q in (1, 2, 3, 4)]
    busy = {(code, q.key) for code, d in closes if d for q in quarters if q.contains(d)}
    code, quarter = next((c, q.key) for c, _d in closes for q in quarters if (c, q.key) not in busy)
    empty = render_page(director, "/winloss", f"?rep={code}&period={quarter}")
    assert "Nothing was won or lost in" in text_of(empty)
    assert not [n for n in walk(empty) if str(n["props"].get("id", "")).startswith("wl-")]
    zh = render_page(director, "/winloss", "?segment=size_band", lang="zh")
    assert "赢输分析" in text_of(zh) and "输单原因" in text_of(zh) and "10万以下" in text_of(zh)
    bad = render_page(director, "/winloss", "?segment=bogus&lost_level=99")
    assert "segment 'bogus' is not one of" in text_of(bad) and find(bad, "wl-segment")["props"]["value"] == "rad_class"


def test_wl039_a_rep_gets_only_their_own_rows_whatever_they_post(rep, demo_session):
    """R0001 posts every callback of the page with another rep's code and another team's id."""
    mine = _rep_id(demo_session, "R0001")
    other, other_team = demo_session.execute(
        text("SELECT rep_code, team_id FROM reps WHERE role = 'rep' AND team_id <> 1 ORDER BY rep_code")
    ).first()
    own = _deals(demo_session, Scope.rep(mine))
    own_name = demo_session.execute(text("SELECT name FROM reps WHERE id = :i"), {"i": mine}).scalar_one()
    assert len(own) > 0 and len(_deals(demo_session, Scope.rep(_rep_id(demo_session, other)))) > 0
    crafted = f"?team={other_team}&rep={other}"
    # 1. the page itself (the router's callback)
    tree = render_page(rep, "/winloss", f"{crafted}&outcome=lost")
    o = winloss.outcomes(own)
    assert _value(tree, "wl-win-rate") == pct(win_rate(o.won_count, o.lost_count), "en")
    assert _grid_codes(tree) == winloss.deals_behind(own, winloss.Drill("outcome", "lost"))["opp_code"].tolist()
    assert {r["owner"] for r in find(tree, "wl-deals-grid")["props"]["rowData"]} == {own_name}
    reps = winloss.segment_rates(own, "rep")
    assert reps["key"].tolist() == ["R0001"]
    # 2. the click callback: it only writes the address; that address shows R0001's rows alone
    response = call_callback(
        rep,
        "url.search@",
        {
            ("url", "search"): crafted + "&segment=rep",
            ("wl-segment", "value"): "rep",
            ("wl-segment-chart", "clickData"): {"points": [{"customdata": other}]},
        },
    )
    search = response.get_json()["response"]["url"]["search"]
    assert f"value={other}" in search
    clicked = render_page(rep, "/winloss", search)
    assert _grid_codes(clicked) == []  # another rep's deals are not there to list
    assert _value(clicked, "wl-won") == cny(o.won_amount, "en")
    team_view = render_page(rep, "/winloss", f"{crafted}&segment=team&value={other_team}")
    assert all(c in set(own["opp_code"]) for c in _grid_codes(team_view))
    # 3. the download: recomputed in R0001's scope, whatever the address says
    got = _download(rep, f"{crafted}&outcome=won")
    assert isinstance(got, pd.DataFrame) and len(got) > 0
    assert set(got["rep_code"]) == {"R0001"}
    assert got["opp_code"].tolist() == winloss.deals_behind(own, winloss.Drill("outcome", "won"))["opp_code"].tolist()


def test_wl041_a_long_list_shows_its_largest_deals_and_the_download_has_all(director, demo_session, monkeypatch):
    from metrics.views import winloss as view

    monkeypatch.setattr(view, "DRILL_ROWS", 5)
    want = winloss.deals_behind(_deals(demo_session), winloss.Drill("outcome", "lost"))
    assert len(want) > 5
    search = "?outcome=lost&segment=product_line"  # a view no other test draws (pages are kept per view)
    tree = render_page(director, "/winloss", search)
    assert _grid_codes(tree) == want["opp_code"].head(5).tolist()
    assert f"· {len(want):,} deals" in text_of(find(tree, "wl-deals"))
    assert text_of(find(tree, "wl-deals-capped")).startswith(
        f"The 5 largest are listed; the download has all {len(want):,}"
    )
    got = _download(director, search)
    assert isinstance(got, pd.DataFrame) and got["opp_code"].tolist() == want["opp_code"].tolist()
