"""Queries more than one page needs: the filter bar's choices (teams, reps, product lines), a rep by code and
whether the viewer sees them, the import log, whether there is any data at all, the open pipeline due by a date
(the overview's forecast and the funnel's movement), and the helpers every query module uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Executable, Integer, cast, func, select
from sqlalchemy.orm import Session

from data_access.chunks import rows_in_chunks
from data_access.models import Account, Contract, DealLevel, ImportRun, Opportunity, Quota, Rep, Team
from data_access.scope import Scope


def _frame(session: Session, stmt: Executable, columns: list[str]) -> pd.DataFrame:
    """The rows of a select of columns, as a frame with these column names.

    Read through the session's connection (Core), not ``session.execute``: the ORM's result layer handles every
    row once more to hand back the same tuples (the whole company's scorecards: 8,500 reps in five grouped reads,
    1.15 -> 0.86 s at a million deals). The ORM's one service here, flushing pending writes first, is kept: a
    session holding any takes the ORM's way."""
    if session.new or session.dirty or session.deleted:
        rows = session.execute(stmt).all()
    else:
        rows = session.connection().execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def class_list_probed(session: Session, scope: Scope, table: Any = Opportunity) -> Any:
    """``scope``'s deal condition on ``table`` (``Opportunity`` or ``DealLevel``) for a read that an index of its own
    narrows: its status and level (the open deals' covering index), its status and close date (the closed deals'),
    its latest entry (the stalled deals'). The whole company's deals of a RAD class on SQLite: the class's account
    list is kept off the account index (``account_id + 0``), so each row the read's own index finds is asked its
    account's class (a lookup in the list), instead of every deal of the class read through the account index
    (two thirds of all deals for class A) and then narrowed. At a million deals: the stalled deals of a class
    138-346 -> 23-72 ms, a funnel level's deals 109-159 -> 19-108 ms. Reads that the class's accounts narrow most
    (a level's counts, the funnel's health) keep ``scope.opportunities()``; PostgreSQL plans both well as they
    are, and so do a team's and a rep's scopes (the owner's index)."""
    if scope.reads_class_list and session.get_bind().dialect.name == "sqlite":
        return scope.deals_on(table.owner_rep_id, table.product_line, table.account_id + 0)
    return scope.deals_on(table.owner_rep_id, table.product_line, table.account_id)


#: An open deal as the lists of open deals show it (the review's, the what-if's): the select and the names
OPEN_DEAL_FIELDS = (
    Opportunity.opp_code,
    Opportunity.name,
    Account.name,
    Opportunity.level,
    Opportunity.amount,
    Opportunity.expected_close_date,
)
OPEN_DEAL_COLUMNS = ["opp_code", "name", "account", "level", "amount", "expected_close_date"]
#: A deal as a list of deals shows it with its owner (a funnel level's, a movement step's, an Overview tile's)
DEAL_LIST_COLUMNS = ["opp_code", "name", "account", "owner", "level", "amount", "expected_close_date"]


def deal_list(*extra: Any) -> Any:
    """A select of DEAL_LIST_COLUMNS (then ``extra``) with the deal's account and owner, largest first."""
    return (
        select(
            Opportunity.opp_code,
            Opportunity.name,
            Account.name,
            Rep.name,
            Opportunity.level,
            Opportunity.amount,
            Opportunity.expected_close_date,
            *extra,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .order_by(Opportunity.amount.desc(), Opportunity.opp_code)
    )


def _frame_of_ids(
    session: Session, ids: list[int], stmt_of: Callable[[Sequence[int]], Executable], columns: list[str]
) -> pd.DataFrame:
    """``_frame`` of ``stmt_of(chunk)`` over every chunk of ``ids`` (``data_access.chunks``), one frame: ids read
    once and used by several statements, instead of each statement finding them again."""
    return pd.DataFrame([tuple(r) for r in rows_in_chunks(session, stmt_of, ids)], columns=columns)


def open_pipeline_due(session: Session, scope: Scope, end: date) -> float:
    """Sum of amount of open opportunities whose expected_close_date <= end."""
    stmt = select(func.coalesce(func.sum(Opportunity.amount), 0)).where(
        Opportunity.status == "open",
        Opportunity.expected_close_date <= end,
        scope.opportunities(),
    )
    return float(session.execute(stmt).scalar_one())


def teams(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Teams that own at least one rep visible in scope: (id, name), by name."""
    stmt = (
        select(Team.id, Team.name)
        .where(Team.id.in_(select(Rep.team_id).where(scope.condition(Rep.id))))
        .order_by(Team.name)
    )
    return [(int(tid), str(name)) for tid, name in session.execute(stmt)]


#: the dates whose years hold data (each the leading column of an index): (column, the rows' condition)
_DATED: tuple[tuple[Any, Any], ...] = (
    (Opportunity.created_date, None),
    (Opportunity.closed_date, None),
    (Opportunity.expected_close_date, Opportunity.status == "open"),
    (Contract.signed_date, None),
)


def data_years(session: Session) -> list[int]:
    """The years that hold data, newest first: a deal created, closed or (open) due in it, a contract signed in
    it, or a quota of it (the whole company's: a year is offered to every viewer, whose view of it may be empty).

    Each step is an index seek per source, from one year with data to the next, never a pass over the rows."""

    def first_year_from(year: int) -> int | None:
        found: list[int] = []
        for column, condition in _DATED:
            stmt = select(column).where(column >= date(year, 1, 1)).order_by(column).limit(1)
            day = session.execute(stmt if condition is None else stmt.where(condition)).scalar()
            if day is not None:
                found.append(day.year)
        quota = session.execute(select(func.min(Quota.year)).where(Quota.year >= year)).scalar()
        if quota is not None:
            found.append(int(quota))
        return min(found) if found else None

    years: list[int] = []
    year = first_year_from(1)
    while year is not None and year <= date.max.year - 1:
        years.append(year)
        year = first_year_from(year + 1)
    return sorted(years, reverse=True)


def has_any_data(session: Session) -> bool:
    """True when the database holds any rep, account or opportunity."""
    models = (Rep, Account, Opportunity)
    return any(session.execute(select(m.id).limit(1)).first() is not None for m in models)


def rep_named(session: Session, scope: Scope, rep_code: str) -> tuple[int, str, str] | None:
    """(id, rep_code, name) of the rep row with ``rep_code`` (any role) when ``scope`` holds it, else None."""
    stmt = select(Rep.id, Rep.rep_code, Rep.name).where(Rep.rep_code == rep_code, scope.condition(Rep.id))
    row = session.execute(stmt).first()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


def rep_region(session: Session, scope: Scope, rep_id: int) -> str | None:
    """The region of the rep row ``rep_id`` when ``scope`` holds it, else None."""
    stmt = select(Rep.region).where(Rep.id == rep_id, scope.condition(Rep.id))
    return session.execute(stmt).scalar()


def recent_imports(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The import log, newest first: when, who, file, status, rows created and updated."""
    out = []
    for run in session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)):
        counts = run.counts if isinstance(run.counts, dict) else {}
        out.append(
            {
                "when": run.started_at.strftime("%Y-%m-%d %H:%M"),
                "who": run.username,
                "file": run.file_name,
                "status": run.status,
                "created": sum(int(c.get("created", 0)) for c in counts.values()),
                "updated": sum(int(c.get("updated", 0)) for c in counts.values()),
            }
        )
    return out


def _distinct_values(session: Session, column: Any, condition: Any = None) -> list[str]:
    """The distinct non-empty values of an indexed ``column``, sorted. Under ``condition`` (a viewer's part of
    the company) a plain DISTINCT over its rows; without one, one index seek per value (a loose index scan as
    a recursive query: the next value is the least one above the last), not a pass over every row's entry:
    the company's product lines are 6 seeks, not a million entries."""
    if condition is not None:
        stmt = select(column).where(column.is_not(None), column != "", condition).distinct().order_by(column)
        return [str(v) for v in session.scalars(stmt)]
    values = select(func.min(column).label("v")).where(column.is_not(None), column != "").cte("v", recursive=True)
    following = select(func.min(column)).where(column > values.c.v).scalar_subquery()
    values = values.union_all(select(following).where(values.c.v.is_not(None)))
    return [str(v) for v in session.scalars(select(values.c.v).where(values.c.v.is_not(None)))]


def product_lines(session: Session, scope: Scope) -> list[str]:
    """The product lines of the opportunities the viewer sees, sorted (for the filter's choices)."""
    return _distinct_values(
        session, Opportunity.product_line, None if not scope.narrows_deals else scope.opportunities()
    )


def reps_in_scope(session: Session, scope: Scope) -> list[tuple[int, str, str]]:
    """Sales reps (role rep) the viewer may see: (id, rep_code, name), by code (kept: 80 ms at 8,500 reps,
    behind every filtered page and callback)."""
    stmt = (
        select(Rep.id, Rep.rep_code, Rep.name).where(Rep.role == "rep", scope.condition(Rep.id)).order_by(Rep.rep_code)
    )
    return [(int(i), str(c), str(n)) for i, c, n in session.execute(stmt)]


def _days_between(session: Session, start: Any, end: Any) -> Any:
    """end - start in days, as each database counts it."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return end - start


def _year_of(session: Session, day: Any) -> Any:
    """The year of a date column, as each database reads it."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%Y", day), Integer)
    return cast(func.extract("year", day), Integer)


def _month_of(session: Session, day: Any) -> Any:
    """The month (1-12) of a date column, as each database reads it."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%m", day), Integer)
    return cast(func.extract("month", day), Integer)


def scoped_day(session: Session, column: Any, scope: Scope) -> Any:
    """A row's date as a period's condition reads it. SQLite, for a team or a rep: the same value through
    ``coalesce``, which no index answers, so its planner starts from the scope's own deals (the owner's index)
    instead of every team's rows of the period; PostgreSQL already starts from the owner's index for those (and
    the ``coalesce`` would blind its estimates), and the whole company reads the date's index on both."""
    if scope.restrictions and session.get_bind().dialect.name == "sqlite":
        return func.coalesce(column, column)
    return column


def latest_entry(scope: Scope) -> Any:
    """A deal's latest stage entry (``deal_levels.last_entered``) as the stalled deals read it: for a team or a rep
    through ``coalesce`` on every database, so neither planner serves the part's list, ordered by it, from the
    company's range of the stalled index (status, latest entry) instead of the owner's index; the whole company
    reads that index."""
    column = DealLevel.last_entered
    return func.coalesce(column, column) if scope.restrictions else column
