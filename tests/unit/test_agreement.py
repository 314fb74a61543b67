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
        for v in (str(name), cny(float(amount), "en"))
    ]
