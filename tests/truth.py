"""The numbers a test expects, by plain SQL written here from the data dictionary's definitions (issue 23): never
through ``data_access.queries`` or ``metrics``, which the pages themselves call. A view's owners are the reps of
one team (``team``), one rep (``rep``), or everyone (neither): each statement says so in the same clause."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

#: the funnel's probability per level (the data dictionary's defaults, which the demo keeps)
P = {1: 0.10, 2: 0.25, 3: 0.50, 4: 0.75, 5: 0.90, 6: 1.0}


def _one(session: Session, sql: str, **params: object) -> float:
    value = session.execute(text(sql), {"team": None, "rep": None, **params}).scalar()
    return float(value or 0)


def bookings(session: Session, start: date, end: date, team: int | None = None, rep: int | None = None) -> float:
    """Sum of contracts.amount signed in [start, end], the deal's owner one of the owners."""
    return _one(
        session,
        "SELECT sum(c.amount) FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id "
        "JOIN reps r ON r.id = o.owner_rep_id WHERE c.signed_date BETWEEN :a AND :b AND "
        "(CAST(:team AS INTEGER) IS NULL OR r.team_id = :team) AND (CAST(:rep AS INTEGER) IS NULL OR r.id = :rep)",
        a=start,
        b=end,
        team=team,
        rep=rep,
    )


def open_pipeline(session: Session, team: int | None = None, rep: int | None = None) -> tuple[float, float]:
    """(amount, weighted) of the open deals: amount x p(level)."""
    rows = session.execute(
        text(
            "SELECT o.level, sum(o.amount) FROM opportunities o JOIN reps r ON r.id = o.owner_rep_id "
            "WHERE o.status = 'open' AND "
            "(CAST(:team AS INTEGER) IS NULL OR r.team_id = :team) AND (CAST(:rep AS INTEGER) IS NULL OR r.id = :rep)"
            " GROUP BY o.level"
        ),
        {"team": team, "rep": rep},
    ).all()
    return sum(float(a) for _l, a in rows), sum(float(a) * P[int(lv)] for lv, a in rows)


def overdue(session: Session, today: date, team: int | None = None, rep: int | None = None) -> float:
    """Unpaid amount of payments due before today, not fully paid."""
    return _one(
        session,
        "SELECT sum(p.amount - coalesce(p.paid_amount, 0)) FROM payments p JOIN contracts c ON c.id = p.contract_id "
        "JOIN opportunities o ON o.id = c.opportunity_id JOIN reps r ON r.id = o.owner_rep_id "
        "WHERE p.due_date < :today AND coalesce(p.paid_amount, 0) < p.amount - 0.005 AND "
        "(CAST(:team AS INTEGER) IS NULL OR r.team_id = :team) AND (CAST(:rep AS INTEGER) IS NULL OR r.id = :rep)",
        today=today,
        team=team,
        rep=rep,
    )


def closed(
    session: Session, start: date, end: date, team: int | None = None, rep: int | None = None
) -> tuple[int, int]:
    """(won, lost) deals closed in [start, end]."""
    row = session.execute(
        text(
            "SELECT sum(CASE WHEN o.status = 'won' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN o.status = 'lost' THEN 1 ELSE 0 END) "
            "FROM opportunities o JOIN reps r ON r.id = o.owner_rep_id "
            "WHERE o.status IN ('won', 'lost') AND o.closed_date BETWEEN :a AND :b AND "
            "(CAST(:team AS INTEGER) IS NULL OR r.team_id = :team) AND (CAST(:rep AS INTEGER) IS NULL OR r.id = :rep)"
        ),
        {"a": start, "b": end, "team": team, "rep": rep},
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def year_target(session: Session, year: int, rep: int) -> float | None:
    """A rep's revenue target of a whole year (the task book's row without a quarter)."""
    value = session.execute(
        text("SELECT revenue_target FROM quotas WHERE rep_id = :rep AND year = :y AND quarter IS NULL"),
        {"rep": rep, "y": year},
    ).scalar()
    return None if value is None else float(value)
