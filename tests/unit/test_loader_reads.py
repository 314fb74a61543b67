"""A view's loader reads each thing once (issue 16): with nothing kept (a view nobody drew, kept results off), the
same statement with the same parameters run twice is a read the view pays for twice. The RAD page read its
region's classed accounts (0.6 s for a region's class at a million deals) once for its lists and again for its
scatter; the scatter now places the table the loader already read.

Every page's loader is run on the demo as the director and as a rep, every statement captured; the settings row
(read by each part that needs it, a primary-key lookup) and the duplicates listed in ``KNOWN`` are allowed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from data_access.models import User
from data_access.users import Viewer, viewer_for
from metrics.views import funnel, overview, rad, scorecards, staff, support, winloss
from tests.conftest import AS_OF

Loader = Callable[[Session, Viewer, dict[str, str], date], Any]
VIEWS: list[tuple[str, Loader, dict[str, str]]] = [
    ("/", overview.load, {"period": "2026Q2", "rad": "A"}),
    ("/funnel", funnel.load, {"period": "2026", "rad": "A", "level": "3"}),
    ("/rad", rad.load, {"period": "2025", "rad": "A"}),
    ("/rad?region", rad.load, {"period": "2026", "region": "华东"}),
    ("/scorecards", scorecards.load, {"period": "2026Q3"}),
    ("/winloss", winloss.load, {"period": "2025Q3", "segment": "industry", "outcome": "lost"}),
    ("/visits", staff.load_week, {"week": "2026-W40"}),
    ("/events", staff.load_events, {"year": "2026"}),
    ("/support", support.load_support, {"year": "2026"}),
    ("/support?tab=tech", support.load_support, {"year": "2026", "tab": "tech"}),
    ("/pricing", support.load_pricing, {"year": "2026"}),
    ("/risk", support.load_risk, {"year": "2026"}),
]
#: Duplicates not yet removed, each with what it costs (left for a later session: docs/performance.md)
KNOWN = {
    # a rep's own card: the leaderboard line and the KPIs each read the rep's row and quotas (ms); its open levels are
    # read twice too, the KPI set's with the due sum, so not as the same statement
    ("/scorecards", "SELECT reps.id, reps.rep_code, reps.name"),
    ("/scorecards", "SELECT quotas.rep_id, quotas.quarter"),
}


def _twice(session: Session, loader: Loader, viewer: Viewer, query: dict[str, str]) -> list[str]:
    seen: Counter[tuple[str, str]] = Counter()

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen[(" ".join(statement.split()), repr(parameters))] += 1

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", capture)
    try:
        loader(session, viewer, query, AS_OF)
    finally:
        event.remove(bind, "before_cursor_execute", capture)
    return [statement for (statement, _p), n in seen.items() if n > 1 and not statement.startswith("SELECT settings")]


@pytest.mark.parametrize("role", ["director", "rep"])
@pytest.mark.parametrize(("name", "loader", "query"), VIEWS, ids=[v[0] for v in VIEWS])
def test_lrd001_a_views_loader_runs_no_statement_twice(demo_session, role, name, loader, query):
    user = demo_session.scalars(select(User).where(User.username == role)).one()
    twice = _twice(demo_session, loader, viewer_for(demo_session, user), query)
    page = name.split("?")[0]
    unexpected = [s[:160] for s in twice if not any(page == p and s.startswith(k) for p, k in KNOWN)]
    assert unexpected == [], name


def test_lrd002_each_known_duplicate_is_still_there(demo_session):
    """A duplicate removed comes off ``KNOWN`` (so the list says what is left)."""
    found = set()
    for role in ("director", "rep"):
        viewer = viewer_for(demo_session, demo_session.scalars(select(User).where(User.username == role)).one())
        for name, loader, query in VIEWS:
            page = name.split("?")[0]
            twice = _twice(demo_session, loader, viewer, query)
            found |= {(p, k) for p, k in KNOWN if p == page and any(s.startswith(k) for s in twice)}
    assert found == KNOWN
