"""Invariants every view keeps (issue 23), on the demo database through the loaders the pages call, for the whole
company and for each team: the aging buckets add up to the overdue amount, the funnel's levels to the open
pipeline, the movement waterfall's start and steps to its end, and the team lines to the company's line."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from data_access.users import Viewer
from metrics.views import funnel, overview, scorecards
from tests.conftest import AS_OF

DIRECTOR = Viewer(0, "d", "director", None, None, None)


def _viewers(session: Session) -> list[tuple[str, Viewer]]:
    teams = [int(t) for (t,) in session.execute(text("SELECT id FROM teams ORDER BY id"))]
    return [("company", DIRECTOR)] + [(f"team {t}", Viewer(0, "m", "manager", None, None, t)) for t in teams]


@pytest.mark.parametrize("period", [str(AS_OF.year), f"{AS_OF.year - 1}Q3"])
def test_inv001_buckets_levels_and_waterfall_add_up_in_every_scope(demo_session, period):
    for who, viewer in _viewers(demo_session):
        data = overview.load(demo_session, viewer, {"period": period}, AS_OF)
        k = data.kpis
        assert sum(k.overdue.buckets.values()) == pytest.approx(k.overdue.amount), who
        assert float(data.pipeline["amount"].sum()) == pytest.approx(k.open_amount), who
        assert int(data.pipeline["count"].sum()) == k.open_count, who
        f = funnel.load(demo_session, viewer, {"period": period}, AS_OF)
        levels = f.stages[f.stages["stage"].isin([str(lv) for lv in range(1, 6)])]
        assert float(levels["amount"].sum()) == pytest.approx(f.kpis.open_amount), who
        assert int(levels["count"].sum()) == f.kpis.open_count, who
        m = f.moved
        s = m.steps
        assert m.start + s["new"] + s["increased"] - s["decreased"] - s["won"] - s["lost"] - s["pushed_out"] == (
            pytest.approx(m.end, abs=0.01)
        ), who


def test_inv002_team_lines_add_up_to_the_company_line(demo_session):
    data = overview.load(demo_session, DIRECTOR, {"period": str(AS_OF.year)}, AS_OF)
    assert data.group_by == "team"
    assert float(data.groups["bookings"].sum()) == pytest.approx(data.kpis.bookings)
    board: Any = scorecards.load(demo_session, DIRECTOR, {"period": str(AS_OF.year)}, AS_OF)
    assert isinstance(board, scorecards.BoardData)
    teams = board.teams[board.teams["team"] != "*"]
    company = board.teams[board.teams["team"] == "*"].iloc[0]
    for column in ("bookings", "open_pipeline", "weighted_pipeline", "overdue"):
        if column in board.teams:
            assert float(teams[column].sum()) == pytest.approx(float(company[column])), column
    assert int(teams["reps"].sum()) == int(company["reps"])
    # each team's line is the sum of its reps' lines on the board
    for _, team in teams.iterrows():
        reps = board.board[board.board["team_id"] == team["team_id"]]
        assert float(reps["bookings"].sum()) == pytest.approx(float(team["bookings"])), team["team"]
