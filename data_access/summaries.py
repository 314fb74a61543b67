"""Summary tables, kept in the transaction of the rows they sum (issue 16).

``deal_levels`` holds, per deal and level it ever entered, the first entry, the highest level the deal reached,
the entries and the days spent at the level, and the deal's status, owner, product line and account: the
funnel's health (conversion, calibration, days at level) of any part of the company is one index range of it.

``account_years`` holds, per account and year with a BP or a contract, the BP, the bookings and gross margin
of the contracts signed in the year, and the RAD class by the saved thresholds (``data_access.rad``'s SQL
twin of ``metrics.rad``; the account's override wins). A RAD-class filter, win/loss's classes and the RAD
page's bookings read it instead of summing every account's contracts again.

It is kept where the rows change, so nothing reads it stale:
- every ORM flush that adds, changes or deletes a BP, a contract, a deal's account or an account's override
  refreshes the rows of the accounts it touched, and every flush that adds or deletes a stage or changes a
  deal's status, close date, owner, product line or account refreshes that deal's levels, in the same
  transaction (``after_flush``): the importer, the UI's writes and the tests' builders all write through the
  ORM;
- a save of the RAD thresholds classes every row again, in the same transaction;
- the demo, which bulk-inserts, rebuilds them at the end of its transaction (``rebuild``);
- ``salesradar db rebuild-summaries`` rebuilds them from the rows, and start-up fills one that is empty while
  its rows exist (a database migrated from before it).

``quote_totals`` holds, per quote, its deal, date, revenue, cost and list amount, its number of lines, whether it
is its deal's current quote (latest date, then the greater code), and the deal's status, owner, product line and
account: the risk flags' contracts below their current quote and every rep's discount read it instead of every
quote line of the year. A flush that adds, changes or deletes a quote line, changes a deal's status, owner,
product line or account, or a product's unit cost or list price sums the quotes of the deals it touched again.

``unpaid_payments`` holds, per payment with something still owed (its amount less what was paid, above 0), its
deal, due date, amount, what was paid and what is owed, and the deal's owner, product line and account: the
scorecards' overdue per rep and the Overview's overdue tile are one index range of it instead of every late payment
asked its contract and deal. A flush that adds, changes or deletes a payment or a contract, or changes a deal's
owner, product line or account, sums the payments of the deals it touched again (a payment moved or deleted is
found under its old deal through its own row).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Table,
    and_,
    case,
    delete,
    event,
    exists,
    extract,
    false,
    func,
    insert,
    null,
    select,
    true,
    union,
    update,
)
from sqlalchemy import (
    cast as sql_cast,
)
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm import attributes as orm_attributes

from data_access.chunks import chunked
from data_access.models import (
    Account,
    AccountYear,
    BuyingPower,
    Contract,
    DealLevel,
    Opportunity,
    Payment,
    Product,
    QuoteLine,
    QuoteTotal,
    Setting,
    StageHistory,
    UnpaidPayment,
)
from data_access.rad import class_expression
from metrics.settings import BusinessSettings


def on_time_of(closed: Any, expected: Any) -> Any:
    """Whether a deal closed on or before its expected close date (NULL while it is open): the forecast's p_close."""
    return case((closed.is_(None), null()), (closed <= expected, true()), else_=false())


#: What a deal's level rows sum: a change of any of these refreshes them
DEAL_FIELDS = ("status", "closed_date", "owner_rep_id", "product_line", "account_id", "expected_close_date")


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


def _summed_again(
    conn: Connection, table: Table, key: str, columns: tuple[str, ...], rows_of: Any, ids: Iterable[int]
) -> None:
    """The rows of ``table`` whose ``key`` is one of ``ids`` deleted and summed again (``rows_of(chunk)``: the
    select of their new rows), a chunk of ids at a time (``data_access.chunks``)."""
    for chunk in chunked(sorted({int(i) for i in ids})):
        conn.execute(delete(table).where(table.c[key].in_(chunk)))
        conn.execute(insert(table).from_select(columns, rows_of(list(chunk))))


def refresh(conn: Connection, accounts: Iterable[int], r_min: float, a_max: float) -> None:
    """The rows of these accounts summed again from their BPs and contracts."""
    _summed_again(conn, TABLE, "account_id", COLUMNS, lambda chunk: _rows(chunk, r_min, a_max), accounts)


def _level_rows(conn: Connection, deals: list[int] | None) -> Any:
    """(opportunity_id, level, entered, top, entries, closed_days, open_since, last_entered, status, owner_rep_id,
    product_line, account_id) of every deal and level in the stage history (of ``deals`` only, when given). A
    stay at a level ends at the deal's next entry (ordered by date, then level: ``metrics.funnel.days_in_level``),
    else at its close; one with neither lasts until today, which the reader adds. The entry with no next one is
    the deal's latest: its date is ``last_entered`` on its level's row."""
    stays = select(
        StageHistory.opportunity_id.label("oid"),
        StageHistory.level.label("level"),
        StageHistory.entered_date.label("entered"),
        func.lead(StageHistory.entered_date)
        .over(partition_by=StageHistory.opportunity_id, order_by=(StageHistory.entered_date, StageHistory.level))
        .label("next"),
    )
    tops = select(StageHistory.opportunity_id.label("oid"), func.max(StageHistory.level).label("top"))
    if deals is not None:
        stays = stays.where(StageHistory.opportunity_id.in_(deals))
        tops = tops.where(StageHistory.opportunity_id.in_(deals))
    h = stays.subquery()
    top = tops.group_by(StageHistory.opportunity_id).subquery()
    end = func.coalesce(h.c.next, Opportunity.closed_date)
    days = func.julianday(end) - func.julianday(h.c.entered) if conn.dialect.name == "sqlite" else end - h.c.entered
    on_time = on_time_of(Opportunity.closed_date, Opportunity.expected_close_date)
    return (
        select(
            h.c.oid,
            h.c.level,
            func.min(h.c.entered),
            func.max(top.c.top),
            func.count(),
            sql_cast(func.coalesce(func.sum(case((end.is_not(None), days), else_=0)), 0), Integer),
            func.max(case((end.is_(None), h.c.entered))),
            func.max(case((h.c.next.is_(None), h.c.entered))),
            Opportunity.status,
            Opportunity.owner_rep_id,
            Opportunity.product_line,
            Opportunity.account_id,
            Opportunity.closed_date,
            on_time,
        )
        .join(Opportunity, Opportunity.id == h.c.oid)
        .join(top, top.c.oid == h.c.oid)
        .group_by(
            h.c.oid,
            h.c.level,
            Opportunity.status,
            Opportunity.owner_rep_id,
            Opportunity.product_line,
            Opportunity.account_id,
            Opportunity.closed_date,
            on_time,
        )
    )


LEVEL_COLUMNS = (
    "opportunity_id",
    "level",
    "entered",
    "top",
    "entries",
    "closed_days",
    "open_since",
    "last_entered",
    "status",
    "owner_rep_id",
    "product_line",
    "account_id",
    "closed_date",
    "on_time",
)
LEVELS = cast(Table, DealLevel.__table__)


def refresh_deals(conn: Connection, deals: Iterable[int]) -> None:
    """The level rows of these deals summed again from their stage history."""
    _summed_again(conn, LEVELS, "opportunity_id", LEVEL_COLUMNS, lambda chunk: _level_rows(conn, chunk), deals)


def _quote_rows(deals: list[int] | None) -> Any:
    """(opportunity_id, quote_code, quoted_date, revenue, cost, list_amount, lines, is_current, status,
    owner_rep_id, product_line, account_id) of every quote (of ``deals``' only, when given): its lines summed (the
    price list's current unit cost and list price), and whether it is its deal's current quote, the latest by
    date, then the greater code (as ``queries.support`` picks it)."""
    grouped = (
        select(
            QuoteLine.opportunity_id.label("oid"),
            QuoteLine.quote_code.label("code"),
            func.max(QuoteLine.quoted_date).label("day"),
            func.sum(QuoteLine.quantity * QuoteLine.unit_price).label("revenue"),
            func.sum(QuoteLine.quantity * Product.unit_cost).label("cost"),
            func.sum(QuoteLine.quantity * Product.list_price).label("listed"),
            func.count().label("lines"),
        )
        .join(Product, Product.id == QuoteLine.product_id)
        .group_by(QuoteLine.opportunity_id, QuoteLine.quote_code)
    )
    if deals is not None:
        grouped = grouped.where(QuoteLine.opportunity_id.in_(deals))
    q = grouped.subquery()
    rank = func.row_number().over(partition_by=q.c.oid, order_by=(q.c.day.desc(), q.c.code.desc()))
    return select(
        q.c.oid,
        q.c.code,
        q.c.day,
        q.c.revenue,
        q.c.cost,
        q.c.listed,
        q.c.lines,
        case((rank == 1, true()), else_=false()),
        Opportunity.status,
        Opportunity.owner_rep_id,
        Opportunity.product_line,
        Opportunity.account_id,
    ).join(Opportunity, Opportunity.id == q.c.oid)


QUOTE_COLUMNS = (
    "opportunity_id",
    "quote_code",
    "quoted_date",
    "revenue",
    "cost",
    "list_amount",
    "lines",
    "is_current",
    "status",
    "owner_rep_id",
    "product_line",
    "account_id",
)
QUOTES = cast(Table, QuoteTotal.__table__)
#: a deal's fields its quotes' rows carry: a change of any of these sums them again
QUOTE_DEAL_FIELDS = ("status", "owner_rep_id", "product_line", "account_id")


def refresh_quotes(conn: Connection, deals: Iterable[int]) -> None:
    """The quote rows of these deals summed again from their quote lines."""
    _summed_again(conn, QUOTES, "opportunity_id", QUOTE_COLUMNS, _quote_rows, deals)


def owed_of() -> Any:
    """What a payment still owes: its amount less what was paid (nothing paid counts 0). The summary's rule and the
    queries' that still read the payments (the overdue list, the actions' late contracts)."""
    return Payment.amount - func.coalesce(Payment.paid_amount, 0)


def _unpaid_rows(deals: list[int] | None) -> Any:
    """(payment_id, opportunity_id, due_date, amount, paid, owed, owner_rep_id, product_line, account_id) of every
    payment with something still owed (of ``deals``' payments only, when given)."""
    stmt = (
        select(
            Payment.id,
            Contract.opportunity_id,
            Payment.due_date,
            Payment.amount,
            func.coalesce(Payment.paid_amount, 0),
            owed_of(),
            Opportunity.owner_rep_id,
            Opportunity.product_line,
            Opportunity.account_id,
        )
        .join(Contract, Contract.id == Payment.contract_id)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(owed_of() > 0)
    )
    return stmt if deals is None else stmt.where(Contract.opportunity_id.in_(deals))


UNPAID_COLUMNS = (
    "payment_id",
    "opportunity_id",
    "due_date",
    "amount",
    "paid",
    "owed",
    "owner_rep_id",
    "product_line",
    "account_id",
)
UNPAID = cast(Table, UnpaidPayment.__table__)
#: a deal's fields its payments' rows carry: a change of any of these sums them again
UNPAID_DEAL_FIELDS = ("owner_rep_id", "product_line", "account_id")


def refresh_unpaid(conn: Connection, deals: Iterable[int]) -> None:
    """The unpaid rows of these deals' payments summed again from their payments."""
    _summed_again(conn, UNPAID, "opportunity_id", UNPAID_COLUMNS, _unpaid_rows, deals)


SUMMARY_TABLES = (TABLE, LEVELS, QUOTES, UNPAID)


def _fill(conn: Connection, name: str) -> None:
    """One summary emptied and summed again from all its rows."""
    table, columns, every_row = {
        TABLE.name: (TABLE, COLUMNS, lambda: _rows(None, *thresholds(conn))),
        LEVELS.name: (LEVELS, LEVEL_COLUMNS, lambda: _level_rows(conn, None)),
        QUOTES.name: (QUOTES, QUOTE_COLUMNS, lambda: _quote_rows(None)),
        UNPAID.name: (UNPAID, UNPAID_COLUMNS, lambda: _unpaid_rows(None)),
    }[name]
    conn.execute(delete(table))
    conn.execute(insert(table).from_select(columns, every_row()))


def rebuild(conn: Connection, only: Iterable[str] | None = None) -> dict[str, int]:
    """Every row of every summary (of those named ``only``) summed again from its rows; how many rows each
    summary summed holds."""
    names = [t.name for t in SUMMARY_TABLES] if only is None else [t.name for t in SUMMARY_TABLES if t.name in only]
    for name in names:
        _fill(conn, name)
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        for t in SUMMARY_TABLES
        if t.name in names
    }


def reclass(conn: Connection, r_min: float, a_max: float) -> None:
    """Every row's class again, by these thresholds (a save of the thresholds)."""
    table = TABLE
    override = select(Account.rad_override).where(Account.id == table.c.account_id).scalar_subquery()
    conn.execute(update(table).values(rad_class=class_expression(table.c.bp, table.c.bookings, override, r_min, a_max)))


def missing(conn: Connection) -> list[str]:
    """The summaries that are empty while the database holds their rows (one migrated from before them)."""

    def empty(column: Any) -> bool:
        return not conn.execute(select(exists(select(column)))).scalar()

    out = []
    if not (empty(BuyingPower.id) and empty(Contract.id)) and empty(AccountYear.account_id):
        out.append(TABLE.name)
    if not empty(StageHistory.id) and empty(DealLevel.opportunity_id):
        out.append(LEVELS.name)
    if not empty(QuoteLine.id) and empty(QuoteTotal.opportunity_id):
        out.append(QUOTES.name)
    if empty(UnpaidPayment.payment_id) and conn.execute(select(exists(_unpaid_rows(None)))).scalar():
        out.append(UNPAID.name)  # an empty summary is right when every payment is paid
    return out


def ensure_summaries(engine: Engine) -> list[str]:
    """Fill the summaries of a database that has their rows but none of them (start-up); the ones it filled."""
    with engine.begin() as conn:
        names = missing(conn)
        if names:
            rebuild(conn, names)
        return names


def _old(obj: Any, name: str) -> list[Any]:
    """The values ``obj``'s attribute ``name`` had before this flush changed it."""
    history = orm_attributes.get_history(obj, name)
    return [v for v in (history.deleted or ()) if v is not None]


def _changed(obj: Any, name: str) -> bool:
    return bool(orm_attributes.get_history(obj, name).has_changes())


def _deals_paid(conn: Connection, contracts: set[int], payments: set[int]) -> set[int]:
    """The deals of these contracts, and the deals these payments' unpaid rows were kept under (a payment moved to
    another contract, paid, or deleted with its contract, leaves its old deal)."""
    out: set[int] = set()
    for chunk in chunked(sorted(contracts)):
        out.update(
            int(d) for d in conn.execute(select(Contract.opportunity_id).where(Contract.id.in_(chunk))).scalars()
        )
    for chunk in chunked(sorted(payments)):
        kept = select(UNPAID.c.opportunity_id).where(UNPAID.c.payment_id.in_(chunk))
        out.update(int(d) for d in conn.execute(kept).scalars())
    return out


@event.listens_for(Session, "after_flush")
def _follow(session: Session, _flush: UOWTransaction) -> None:
    """Refresh the summary rows of every account and deal this flush touched, in its transaction."""
    accounts: set[int] = set()
    deals: set[int] = set()
    staged: set[int] = set()  # deals whose level rows are summed again
    quoted: set[int] = set()  # deals whose quote rows are summed again
    priced: set[int] = set()  # products whose unit cost or list price changed
    owing: set[int] = set()  # deals whose unpaid payments are summed again
    paid_to: set[int] = set()  # contracts of the payments added or changed: their deals' payments
    unpaid: set[int] = set()  # payments changed or deleted: their old deals' payments
    new_thresholds = False
    # each of these builds a set of every pending object: asked once, not per object (8,800 new deals took 5.5 s)
    new, dirty, deleted = session.new, session.dirty, session.deleted
    for obj in (*new, *dirty, *deleted):
        if isinstance(obj, BuyingPower):
            accounts.update([obj.account_id, *_old(obj, "account_id")])
        elif isinstance(obj, Contract):
            deals.update([obj.opportunity_id, *_old(obj, "opportunity_id")])
            owing.update([obj.opportunity_id, *_old(obj, "opportunity_id")])
        elif isinstance(obj, Payment):
            if obj not in deleted:
                paid_to.add(obj.contract_id)
            if obj not in new:
                unpaid.add(obj.id)
        elif isinstance(obj, Opportunity):
            if obj in new or obj in deleted or _changed(obj, "account_id"):
                accounts.update([obj.account_id, *_old(obj, "account_id")])
            if obj in new or obj in deleted or any(_changed(obj, f) for f in DEAL_FIELDS):
                staged.add(obj.id)
            if obj not in new and any(_changed(obj, f) for f in QUOTE_DEAL_FIELDS):
                quoted.add(obj.id)  # a new deal has no quote yet; a deleted one's lines went first
            if obj not in new and any(_changed(obj, f) for f in UNPAID_DEAL_FIELDS):
                owing.add(obj.id)  # a new deal has no payment yet; a deleted one's went first
        elif isinstance(obj, QuoteLine):
            quoted.update([obj.opportunity_id, *_old(obj, "opportunity_id")])
        elif isinstance(obj, Product):
            if obj not in new and obj not in deleted and (_changed(obj, "unit_cost") or _changed(obj, "list_price")):
                priced.add(obj.id)
        elif isinstance(obj, StageHistory):
            staged.update([obj.opportunity_id, *_old(obj, "opportunity_id")])
        elif isinstance(obj, Account):
            if obj not in new and _changed(obj, "rad_override"):
                accounts.add(obj.id)
        elif isinstance(obj, Setting) and obj.key == "rad_thresholds":
            new_thresholds = True
    accounts.discard(None)  # type: ignore[arg-type,unused-ignore]
    deals.discard(None)  # type: ignore[arg-type,unused-ignore]
    staged.discard(None)  # type: ignore[arg-type,unused-ignore]
    quoted.discard(None)  # type: ignore[arg-type,unused-ignore]
    owing.discard(None)  # type: ignore[arg-type,unused-ignore]
    paid_to.discard(None)  # type: ignore[arg-type,unused-ignore]
    if not (accounts or deals or staged or quoted or priced or owing or paid_to or unpaid or new_thresholds):
        return
    conn = session.connection()
    if paid_to or unpaid:
        owing.update(_deals_paid(conn, paid_to, unpaid))
    if owing:
        refresh_unpaid(conn, owing)
    if priced:
        on_price_list = select(QuoteLine.opportunity_id).where(QuoteLine.product_id.in_(sorted(priced))).distinct()
        quoted.update(int(d) for d in conn.execute(on_price_list).scalars())
    if quoted:
        refresh_quotes(conn, quoted)
    if staged:
        refresh_deals(conn, staged)
    if not (accounts or deals or new_thresholds):
        return
    r_min, a_max = thresholds(conn)
    if new_thresholds:
        reclass(conn, r_min, a_max)
    if deals:
        found = conn.execute(select(Opportunity.account_id).where(Opportunity.id.in_(sorted(deals)))).scalars()
        accounts.update(int(a) for a in found)
    if accounts:
        refresh(conn, accounts, r_min, a_max)
