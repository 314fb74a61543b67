"""Summary tables, kept in the transaction of the rows they sum (issue 16).

``account_years`` holds, per account and year with a BP or a contract, the BP, the bookings and gross margin
of the contracts signed in the year, and the RAD class by the saved thresholds (``data_access.rad``'s SQL
twin of ``metrics.rad``; the account's override wins). A RAD-class filter, win/loss's classes and the RAD
page's bookings read it instead of summing every account's contracts again.

It is kept where the rows change, so nothing reads it stale:
- every ORM flush that adds, changes or deletes a BP, a contract, a deal's account or an account's override
  refreshes the rows of the accounts it touched, in the same transaction (``after_flush``): the importer,
  the UI's writes and the tests' builders all write through the ORM;
- a save of the RAD thresholds classes every row again, in the same transaction;
- the demo, which bulk-inserts, rebuilds it at the end of its transaction (``rebuild``);
- ``salesradar db rebuild-summaries`` rebuilds it from the rows, and start-up fills it when a database holds
  data but no summary (a database migrated from before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    delete,
    event,
    exists,
    extract,
    func,
    insert,
    select,
    union,
    update,
)
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm import attributes as orm_attributes

from data_access.models import Account, AccountYear, BuyingPower, Contract, Opportunity, Setting
from data_access.rad import class_expression
from metrics.settings import BusinessSettings

#: Accounts refreshed per statement (bound parameters: SQLite allows 32,766)
CHUNK = 5000


def thresholds(conn: Connection) -> tuple[float, float]:
    """The saved RAD thresholds (R from, A below), read on ``conn`` (inside a flush: no ORM query)."""
    rows = {k: v for k, v in conn.execute(select(Setting.key, Setting.value))}
    settings = BusinessSettings.from_rows(rows)
    return settings.rad_r_min, settings.rad_a_max


def _rows(accounts: list[int] | None, r_min: float, a_max: float) -> Any:
    """(account_id, year, bp, bookings, gm_booked, rad_class) of every account-year with a BP or a contract
    (of ``accounts`` only, when given)."""
    year = extract("year", Contract.signed_date)
    booked_stmt = (
        select(
            Opportunity.account_id.label("account_id"),
            year.label("year"),
            func.sum(Contract.amount).label("bookings"),
            func.sum(func.coalesce(Contract.gross_margin, 0)).label("gm"),
        )
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .group_by(Opportunity.account_id, year)
    )
    bp_keys = select(BuyingPower.account_id.label("account_id"), BuyingPower.year.label("year"))
    if accounts is not None:
        booked_stmt = booked_stmt.where(Opportunity.account_id.in_(accounts))
        bp_keys = bp_keys.where(BuyingPower.account_id.in_(accounts))
    booked = booked_stmt.subquery()
    keys = union(select(booked.c.account_id, booked.c.year), bp_keys).subquery()
    bookings = func.coalesce(booked.c.bookings, 0)
    return (
        select(
            keys.c.account_id,
            keys.c.year,
            BuyingPower.bp,
            bookings,
            func.coalesce(booked.c.gm, 0),
            class_expression(BuyingPower.bp, bookings, Account.rad_override, r_min, a_max),
        )
        .join(Account, Account.id == keys.c.account_id)
        .outerjoin(BuyingPower, and_(BuyingPower.account_id == keys.c.account_id, BuyingPower.year == keys.c.year))
        .outerjoin(booked, and_(booked.c.account_id == keys.c.account_id, booked.c.year == keys.c.year))
    )


COLUMNS = ("account_id", "year", "bp", "bookings", "gm_booked", "rad_class")
TABLE = cast(Table, AccountYear.__table__)


def refresh(conn: Connection, accounts: Iterable[int], r_min: float, a_max: float) -> None:
    """The rows of these accounts summed again from their BPs and contracts."""
    wanted = sorted({int(a) for a in accounts})
    table = TABLE
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i : i + CHUNK]
        conn.execute(delete(table).where(table.c.account_id.in_(chunk)))
        conn.execute(insert(table).from_select(COLUMNS, _rows(chunk, r_min, a_max)))


def rebuild(conn: Connection) -> int:
    """Every row summed again from the BPs and contracts; how many there are."""
    r_min, a_max = thresholds(conn)
    table = TABLE
    conn.execute(delete(table))
    conn.execute(insert(table).from_select(COLUMNS, _rows(None, r_min, a_max)))
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def reclass(conn: Connection, r_min: float, a_max: float) -> None:
    """Every row's class again, by these thresholds (a save of the thresholds)."""
    table = TABLE
    override = select(Account.rad_override).where(Account.id == table.c.account_id).scalar_subquery()
    conn.execute(update(table).values(rad_class=class_expression(table.c.bp, table.c.bookings, override, r_min, a_max)))


def missing(conn: Connection) -> bool:
    """Whether the database holds BPs or contracts but no summary (one migrated from before it)."""
    has_rows = conn.execute(select(exists(select(BuyingPower.id)) | exists(select(Contract.id)))).scalar()
    return bool(has_rows) and not conn.execute(select(exists(select(AccountYear.account_id)))).scalar()


def ensure_summaries(engine: Engine) -> bool:
    """Fill the summaries of a database that has rows but none (start-up); whether it had to."""
    with engine.begin() as conn:
        if not missing(conn):
            return False
        rebuild(conn)
        return True


def _old(obj: Any, name: str) -> list[Any]:
    """The values ``obj``'s attribute ``name`` had before this flush changed it."""
    history = orm_attributes.get_history(obj, name)
    return [v for v in (history.deleted or ()) if v is not None]


def _changed(obj: Any, name: str) -> bool:
    return bool(orm_attributes.get_history(obj, name).has_changes())


@event.listens_for(Session, "after_flush")
def _follow(session: Session, _flush: UOWTransaction) -> None:
    """Refresh the summary rows of every account this flush touched, in its transaction."""
    accounts: set[int] = set()
    deals: set[int] = set()
    new_thresholds = False
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, BuyingPower):
            accounts.update([obj.account_id, *_old(obj, "account_id")])
        elif isinstance(obj, Contract):
            deals.update([obj.opportunity_id, *_old(obj, "opportunity_id")])
        elif isinstance(obj, Opportunity):
            if obj in session.new or obj in session.deleted or _changed(obj, "account_id"):
                accounts.update([obj.account_id, *_old(obj, "account_id")])
        elif isinstance(obj, Account):
            if obj not in session.new and _changed(obj, "rad_override"):
                accounts.add(obj.id)
        elif isinstance(obj, Setting) and obj.key == "rad_thresholds":
            new_thresholds = True
    accounts.discard(None)  # type: ignore[arg-type,unused-ignore]
    deals.discard(None)  # type: ignore[arg-type,unused-ignore]
    if not (accounts or deals or new_thresholds):
        return
    conn = session.connection()
    r_min, a_max = thresholds(conn)
    if new_thresholds:
        reclass(conn, r_min, a_max)
    if deals:
        found = conn.execute(select(Opportunity.account_id).where(Opportunity.id.in_(sorted(deals)))).scalars()
        accounts.update(int(a) for a in found)
    if accounts:
        refresh(conn, accounts, r_min, a_max)
