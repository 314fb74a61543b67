"""A page, its download and the API say the same for the same view and viewer (issue 15): each reads one
loader (metrics/views) or the same figures under it, so they cannot drift. Compared as the user sees them:
the page's drawn tree, the CSV a download button returns, the API's JSON, for a director and for a rep."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from components.formatting import cny, count, pct
from tests.conftest import AS_OF
from tests.dash_http import download, downloaded_text, find, render_page, text_of, walk

YEAR = AS_OF.year


def _csv(client, table: str, search: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(downloaded_text(download(client, table, "csv", search))))


@pytest.mark.parametrize("role", ["director", "rep"])
def test_agr001_funnel_levels_page_and_api(request, role):
    client = request.getfixturevalue(role)
    figure = find(render_page(client, "/funnel", "?measure=count"), "funnel-levels-chart")["props"]["figure"]
    page_counts = [int(x) for x in figure["data"][0]["x"][:5]]  # open levels 1-5, then won stages
    api = client.get("/api/v1/funnel").get_json()
    assert [lv["count"] for lv in api["levels"]] == page_counts
    assert sum(page_counts) > 0


@pytest.mark.parametrize("role", ["director", "rep"])
def test_agr002_a_funnel_level_grid_and_its_download(request, role):
    client = request.getfixturevalue(role)
    search = f"?period={YEAR}&level=3&measure=count"
    grid = find(render_page(client, "/funnel", search), "funnel-stage-table-grid")["props"]["rowData"]
    got = _csv(client, "funnel_stage", search)
    assert sorted(r["opp_code"] for r in grid) == sorted(got["opp_code"].astype(str))
    assert len(grid) > 0


@pytest.mark.parametrize("role", ["director", "rep"])
def test_agr003_win_loss_tiles_drill_download_and_api(request, role):
    client = request.getfixturevalue(role)
    tree = render_page(client, "/winloss", f"?period={YEAR}&outcome=won")
    api = client.get(f"/api/v1/winloss?year={YEAR}").get_json()
    assert text_of(find(tree, "kpi-wl-win-rate-value")) == pct(api["win_rate"], "en")
    assert text_of(find(tree, "kpi-wl-win-rate-amount-value")) == pct(api["win_rate_amount"], "en")
    assert text_of(find(tree, "wl-won-link")).startswith(f"{count(api['won'], 'en')} ")
    assert text_of(find(tree, "wl-lost-link")).startswith(f"{count(api['lost'], 'en')} ")
    grid = next(n for n in walk(tree) if n["props"].get("id") == "wl-deals-grid")["props"]["rowData"]
    got = _csv(client, "winloss_deals", f"?period={YEAR}&outcome=won")
    assert [r["opp_code"] for r in grid] == got["opp_code"].astype(str).tolist()[: len(grid)]
    assert len(got) == api["won"] > 0


@pytest.mark.parametrize("role", ["director", "rep"])
def test_agr004_scorecard_tiles_and_api(request, role, demo_session):
    client = request.getfixturevalue(role)
    tree = render_page(client, "/scorecards", f"?period={YEAR}&rep=R0001")
    api = client.get(f"/api/v1/scorecard/R0001?year={YEAR}").get_json()
    assert text_of(find(tree, "kpi-bookings-value")) == cny(api["bookings"], "en")
    assert text_of(find(tree, "kpi-overdue-value")) == cny(api["overdue_amount"], "en")
    assert api["bookings"] > 0


def test_agr005_rad_classes_list_download_and_api(director):
    tree = render_page(director, "/rad", f"?year={YEAR}")
    api = director.get(f"/api/v1/rad?year={YEAR}").get_json()["accounts"]
    by_class = pd.Series([a["rad_class"] for a in api if a["rad_class"]]).value_counts()
    for rad_class in ("R", "A", "D"):
        row = find(tree, f"rad-summary-{rad_class}")
        assert text_of(row["props"]["children"][1]) == count(int(by_class[rad_class]), "en")
    got = _csv(director, "rad_accounts", "?rad=R")
    assert sorted(got["account_code"].astype(str)) == sorted(a["account_code"] for a in api if a["rad_class"] == "R")


@pytest.mark.parametrize("role", ["director", "rep"])
def test_agr006_overview_aging_panel_and_its_download(request, role):
    client = request.getfixturevalue(role)
    table = find(render_page(client, "/", f"?period={YEAR}"), "overview-aging")
    shown = [text_of(cell) for row in walk(table) if row.get("type") == "Tr" for cell in row["props"]["children"]]
    got = _csv(client, "overview_aging", f"?period={YEAR}")
    assert shown == [
        v
        for name, amount in zip(got["days_overdue"], got["amount_cny"], strict=True)
        for v in (f"{name} days", cny(float(amount), "en"))
    ]


def _tile(tree, name: str) -> str:
    return text_of(find(tree, f"kpi-{name}-value"))


def test_agr007_any_year_from_2000_is_a_view_on_pages_and_in_the_api(director):
    """One rule for years (issue 15): a page shows any year 2000-2100 as the API does, picker included."""
    tree = render_page(director, "/winloss", "?period=2019")
    assert "outside" not in text_of(tree)
    assert find(tree, "filter-year")["props"]["value"] == 2019
    assert 2019 in [o["value"] for o in find(tree, "filter-year")["props"]["options"]]
    api = director.get("/api/v1/winloss?year=2019").get_json()
    assert (api["won"], api["lost"]) == (0, 0)  # the demo starts later: the page's empty state, the API's zeros
    assert not any(n["props"].get("id") == "wl-won-link" for n in walk(tree))
    wrong = render_page(director, "/winloss", "?period=1999")
    assert "year 1999 is outside 2000-2100" in text_of(wrong)
    assert find(wrong, "filter-year")["props"]["value"] == YEAR
    assert director.get("/api/v1/winloss?year=1999").status_code == 400


def test_agr008_any_rep_row_in_scope_is_an_address_on_pages_and_in_the_api(manager, rep):
    """One rule for reps: a manager's own rep row (M001) is a scorecard on the page and in the API; a director's
    (D001) is outside the manager's scope on both; a rep's address is always the rep."""
    tree = render_page(manager, "/scorecards", f"?period={YEAR}&rep=M001")
    api = manager.get(f"/api/v1/scorecard/M001?year={YEAR}")
    assert api.status_code == 200
    assert _tile(tree, "bookings") == cny(api.get_json()["bookings"], "en")
    assert "M001" in text_of(find(tree, "sc-tiles")) or "M001" in text_of(tree)
    assert find(render_page(manager, "/scorecards", "?rep=D001"), "sc-board") is not None  # the leaderboard
    assert manager.get("/api/v1/scorecard/D001").status_code == 403
    assert manager.get("/api/v1/funnel?rep=D001").status_code == 403
    assert "rep 'D001' is not one you can pick" in text_of(render_page(manager, "/funnel", "?rep=D001"))
    own = render_page(rep, "/scorecards", f"?period={YEAR}&rep=M001")  # shows R0001, the rep
    assert _tile(own, "bookings") == cny(rep.get(f"/api/v1/scorecard/R0001?year={YEAR}").get_json()["bookings"], "en")
    assert rep.get("/api/v1/scorecard/M001").status_code == 403


@pytest.mark.parametrize("role", ["director", "manager"])
def test_agr009_funnel_api_with_a_rep_is_the_page_with_that_rep(request, role):
    client = request.getfixturevalue(role)
    for search, api_query in (("?rep=R0001", "rep=R0001"), ("?team=1", "team=1")):
        figure = find(render_page(client, "/funnel", f"{search}&measure=count"), "funnel-levels-chart")["props"]
        page_counts = [int(x) for x in figure["figure"]["data"][0]["x"][:5]]
        api = client.get(f"/api/v1/funnel?{api_query}").get_json()
        assert [lv["count"] for lv in api["levels"]] == page_counts
        assert sum(page_counts) > 0
