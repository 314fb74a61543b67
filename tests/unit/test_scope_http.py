"""Row-level security over HTTP: each role through the pages' callbacks and the API, crafted inputs included.

The rep is R0001 (team 1), the manager M001 (team 1's manager), the director sees everyone.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from components.formatting import cny
from data_access import queries
from data_access.scope import Scope
from metrics.period import Period
from metrics.views.kpis import overview_kpis
from tests import truth
from tests.conftest import AS_OF
from tests.dash_http import download, downloaded_text, find, render_page, text_of


@pytest.fixture()
def ids(demo_session):
    rows = demo_session.execute(text("SELECT rep_code, id, team_id FROM reps")).all()
    by_code = {code: (rid, team) for code, rid, team in rows}
    other_team_rep = next(code for code, (_rid, team) in by_code.items() if team not in (None, 1))
    return {
        "rep": by_code["R0001"],
        "manager": by_code["M001"],
        "other": other_team_rep,
        "other_id": by_code[other_team_rep][0],
        "other_team": by_code[other_team_rep][1],
        "teammate": next(c for c, (_r, t) in by_code.items() if t == 1 and c.startswith("R") and c != "R0001"),
    }


def _bookings(tree) -> str:
    return text_of(find(tree, "kpi-bookings-value"))


def _expected(demo_session, scope: Scope, period: Period | None = None) -> str:
    """The bookings tile of ``scope`` (a rep, a team or everyone) by the test's own SQL (tests/truth.py)."""
    p = period or Period(AS_OF.year)
    owner = dict(scope.restrictions)
    return cny(truth.bookings(demo_session, p.start, p.end, owner.get("team"), owner.get("rep")), "en")


def test_sec001_each_role_sees_its_own_overview(director, manager, rep, demo_session, ids):
    rep_id, team = ids["rep"]
    assert _bookings(render_page(rep, "/")) == _expected(demo_session, Scope.rep(rep_id))
    assert _bookings(render_page(manager, "/")) == _expected(demo_session, Scope.team(team))
    assert _bookings(render_page(director, "/")) == _expected(demo_session, Scope.everything())
    assert len({_expected(demo_session, s) for s in (Scope.rep(rep_id), Scope.team(team), Scope.everything())}) == 3


@pytest.mark.parametrize(
    "search", ["?team={other_team}", "?team={other_team}&period=2025", "?rep={other_id}", "?team=1&rep={other_id}"]
)
def test_sec002_rep_posting_crafted_filters_gets_only_their_own_rows(rep, demo_session, ids, search):
    tree = render_page(rep, "/", search.format(**ids))
    rep_id, _team = ids["rep"]
    year = 2025 if "2025" in search else AS_OF.year
    assert _bookings(tree) == _expected(demo_session, Scope.rep(rep_id), Period(year))


def test_sec003_manager_cannot_reach_another_team(manager, demo_session, ids):
    tree = render_page(manager, "/", f"?team={ids['other_team']}")
    assert _bookings(tree) == _expected(demo_session, Scope.team(ids["manager"][1]))
    assert "Ignored an invalid filter" in text_of(tree)
    team_options = find(tree, "filter-team")["props"]["options"]
    assert [o["value"] for o in team_options] == [1]


def test_sec004_rep_api_sees_only_own_rows(rep, demo_session, ids):
    rep_id, _team = ids["rep"]
    own_accounts = set(
        pd.read_sql(
            text("SELECT account_code FROM accounts WHERE owner_rep_id = :r"),
            demo_session.connection(),
            params={"r": rep_id},
        )["account_code"]
    )
    rad = rep.get("/api/v1/rad").get_json()
    assert {a["account_code"] for a in rad["accounts"]} == own_accounts
    funnel = rep.get("/api/v1/funnel").get_json()
    own_open = queries.open_pipeline_by_level(demo_session, Scope.rep(rep_id))
    assert funnel["open_amount"] == pytest.approx(float(own_open["amount"].sum()))
    assert rep.get("/api/v1/scorecard/R0001").status_code == 200
    for code in (ids["other"], ids["teammate"], "M001", "D001", "NO-SUCH-REP"):
        response = rep.get(f"/api/v1/scorecard/{code}")
        assert response.status_code == 403, code
        assert "bookings" not in response.get_json()
    assert rep.get(f"/api/v1/funnel?rep={ids['other']}").status_code == 403
    assert rep.get(f"/api/v1/funnel?team={ids['other_team']}").status_code == 403
    wl = rep.get("/api/v1/winloss").get_json()
    outcomes = queries.closed_outcomes(
        demo_session, Scope.rep(rep_id), Period(AS_OF.year).start, Period(AS_OF.year).end
    )
    assert (wl["won"], wl["lost"]) == (outcomes.won_count, outcomes.lost_count)


def test_sec005_manager_api_sees_the_team(manager, ids):
    assert manager.get(f"/api/v1/scorecard/{ids['teammate']}").status_code == 200
    assert manager.get(f"/api/v1/scorecard/{ids['other']}").status_code == 403
    assert manager.get("/api/v1/funnel?team=1").status_code == 200
    assert manager.get(f"/api/v1/funnel?team={ids['other_team']}").status_code == 403


def test_sec006_director_sees_everyone_and_gets_404_for_unknown(director, ids):
    assert director.get(f"/api/v1/scorecard/{ids['other']}").status_code == 200
    assert director.get("/api/v1/scorecard/NO-SUCH-REP").status_code == 404
    assert director.get(f"/api/v1/funnel?team={ids['other_team']}").status_code == 200


def test_sec007_table_downloads_are_recomputed_in_the_viewer_scope(rep, director, manager, demo_session, ids):
    import base64
    import io

    from metrics.overview import aging_frame

    rep_id, _team = ids["rep"]
    response = download(rep, "overview_aging", "csv", f"?team={ids['other_team']}")
    assert response.status_code == 200
    got = pd.read_csv(io.StringIO(downloaded_text(response)))
    want = aging_frame(overview_kpis(demo_session, Scope.rep(rep_id), Period(AS_OF.year), AS_OF))
    assert got["amount_cny"].round(2).tolist() == want["amount_cny"].round(2).tolist()
    xlsx = download(director, "overview_aging", "xlsx")
    content = base64.b64decode(xlsx.get_json()["response"]["table-download-target"]["data"]["content"])
    assert content[:2] == b"PK"
    assert download(manager, "import_history", "csv").status_code == 204  # directors only
    assert download(director, "no_such_table", "csv").status_code == 204
    assert download(director, "overview_aging", "pdf").status_code == 204
