"""The risk flags' reads (控制腐败, issue 20): the quote lines flags (1) and (2) look at, the contracts below their
current quote, every rep's quoted and list amounts, the year's event spend per account; in the viewer's scope
(a line's and a contract's deal, an account's owner). The quote helpers are sales support's (``support``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session, aliased

from data_access.chunks import rows_in_chunks
from data_access.models import (
    Account,
    AccountYear,
    Contract,
    Event,
    EventAttendee,
    Opportunity,
    QuoteLine,
    QuoteTotal,
    Rep,
    Team,
)
from data_access.queries.shared import scoped_day
from data_access.queries.support import _below_floor, _line_select, _lines, _money, _price_bound
from data_access.scope import Scope
from metrics.support import ContractRow, EventCost, LineRow, Quote, QuoteOwner, RepDiscount

#: the lowest integer SQLite can store: ``id >= LOWEST_ID`` holds for every id there, never for NULL
LOWEST_ID = -(2**63)


def flagged_lines(session: Session, scope: Scope, start: date, end: date, floor_default: float) -> list[LineRow]:
    """The lines quoted in [start, end] in scope that flags (1) and (2) look at: below floor without an approver,
    and approved by the deal's own owner. Two statements, not one with an OR: SQLite answers an OR of the two by
    reading every unapproved line of the company through the approver index; the approver is asked as
    ``approved_by_rep_id + 0`` so no index on it is taken for a team's read either (NULL stays NULL: an unapproved
    line is never its owner's own approval, whatever the owner's id). The whole company's self-approved lines
    start from the approver's index instead, the few lines with an approver at all (5,374 of the year's 288,531 at
    a million deals: 0.5 s -> 30 ms on SQLite). On SQLite the approver is asked as a range no NULL is in (``>=``
    the lowest id SQLite can store: every id; its planner estimates ``IS NOT NULL`` as most of the table) and the
    date through ``coalesce``, so its planner does not read the year's range of lines instead; PostgreSQL's
    statistics know how few lines are approved, and its integer column would refuse that bound. The whole company's
    unapproved lines below floor are asked under each product's price bound too (``_price_bound``), so SQLite's
    planner reads the price index's ranges, the company's lines below floor of every year (17,788 at a million
    deals), not the year's 288,531 lines: 0.3-0.5 s -> 50 ms. PostgreSQL at 100,000 deals still reads the year's
    lines whole (27 ms; its plan at a million deals is not measured)."""
    period = scoped_day(session, QuoteLine.quoted_date, scope).between(start, end)
    approver = QuoteLine.approved_by_rep_id + 0
    unapproved = approver.is_(None)
    by_owner = approver == Opportunity.owner_rep_id
    own_period = period
    if not scope.restrictions and session.get_bind().dialect.name == "sqlite":
        by_owner = and_(QuoteLine.approved_by_rep_id >= LOWEST_ID, by_owner)
        own_period = func.coalesce(QuoteLine.quoted_date, QuoteLine.quoted_date).between(start, end)
    elif not scope.restrictions:
        by_owner = and_(QuoteLine.approved_by_rep_id.is_not(None), by_owner)  # PostgreSQL knows the NULL share
    below = _below_floor(floor_default)
    if not scope.restrictions:  # a team's lines come from its own deals, fewer than the company's below floor
        below = and_(QuoteLine.unit_price < _price_bound(floor_default), below)
    lines: list[LineRow] = []
    for when, condition in ((period, and_(unapproved, below)), (own_period, by_owner)):
        stmt = _line_select(floor_default).where(when, scope.opportunities(), condition)
        lines += _lines(session, stmt)
    return sorted(lines, key=lambda line: (line.quote_code, line.product_code))


def deal_owners(session: Session, scope: Scope, opp_codes: set[str]) -> dict[str, QuoteOwner]:
    """Each deal's owner rep and account, of the deals in scope."""
    if not opp_codes:
        return {}
    out: dict[str, QuoteOwner] = {}
    codes = sorted(opp_codes)
    for i in range(0, len(codes), 500):
        stmt = (
            select(Opportunity.opp_code, Rep.rep_code, Account.account_code)
            .join(Rep, Rep.id == Opportunity.owner_rep_id)
            .join(Account, Account.id == Opportunity.account_id)
            .where(Opportunity.opp_code.in_(codes[i : i + 500]), scope.opportunities())
        )
        out.update({opp: QuoteOwner(rep, account) for opp, rep, account in session.execute(stmt)})
    return out


def contracts_below_quotes(
    session: Session, scope: Scope, start: date, end: date, threshold: float
) -> tuple[list[ContractRow], dict[str, Quote]]:
    """Flag (3)'s rows: the won deals' contracts signed in [start, end] in scope whose amount is below their deal's
    current quote's revenue x (1 - threshold), with those current quotes. It reads the period's contracts from
    their date's covering index and asks each its deal's current quote in the quote summary (``quote_totals``, which
    carries the deal's status, owner, line and account: one index probe, where it sorted and summed the deal's
    quote lines); the comparison is in SQL, and only the flagged contracts' and deals' codes are read after."""
    total = QuoteTotal
    stmt = (
        select(
            Contract.id,
            Contract.signed_date,
            Contract.amount,
            Rep.rep_code,
            Account.account_code,
            total.quote_code,
            total.quoted_date,
            total.revenue,
            total.cost,
            total.list_amount,
        )
        .join(total, and_(total.opportunity_id == Contract.opportunity_id, total.is_current.is_(true())))
        .join(Rep, Rep.id == total.owner_rep_id)
        .join(Account, Account.id == total.account_id)
        .where(
            scoped_day(session, Contract.signed_date, scope).between(start, end),
            total.status == "won",
            scope.deals_on(total.owner_rep_id, total.product_line, total.account_id),
            Contract.amount < total.revenue * (1 - threshold),
        )
    )
    flagged = session.execute(stmt).all()
    named = rows_in_chunks(
        session,
        lambda chunk: (
            select(Contract.id, Contract.contract_code, Opportunity.opp_code)
            .join(Opportunity, Opportunity.id == Contract.opportunity_id)
            .where(Contract.id.in_(chunk))
        ),
        sorted({int(row[0]) for row in flagged}),
    )
    codes = {int(i): (str(code), str(opp)) for i, code, opp in named}
    contracts: list[ContractRow] = []
    quotes: dict[str, Quote] = {}
    for cid, signed, amount, rep, account, quote, quoted, rev, cost, listed in flagged:
        code, opp = codes[int(cid)]
        contracts.append(ContractRow(code, opp, signed, float(amount), rep, account))
        quotes[opp] = Quote(quote, opp, quoted, _money(rev), _money(cost), _money(listed), 0, current=True)
    contracts.sort(key=lambda c: c.contract_code)
    return contracts, quotes


def rep_discounts(session: Session, scope: Scope, start: date, end: date) -> list[RepDiscount]:
    """Per rep of the scope who quoted in [start, end]: the quotes' revenue and list amount summed (every version
    quoted in the period), with the rep's team; summed per owner from the quote summary (``quote_totals``), then
    named."""
    total = QuoteTotal
    per_owner = (
        select(
            total.owner_rep_id.label("owner"),
            func.sum(total.revenue).label("revenue"),
            func.sum(total.list_amount).label("listed"),
            func.count(func.distinct(total.quote_code)).label("quotes"),
        )
        .where(
            scoped_day(session, total.quoted_date, scope).between(start, end),
            scope.deals_on(total.owner_rep_id, total.product_line, total.account_id),
        )
        .group_by(total.owner_rep_id)
        .subquery()
    )
    stmt = (
        select(
            Rep.rep_code,
            func.coalesce(Team.name, ""),
            per_owner.c.revenue,
            per_owner.c.listed,
            per_owner.c.quotes,
            Rep.name,
        )
        .join(Rep, Rep.id == per_owner.c.owner)
        .outerjoin(Team, Team.id == Rep.team_id)
    )
    return [
        RepDiscount(rep, team, _money(rev), _money(listed), int(n), name)
        for rep, team, rev, listed, n, name in session.execute(stmt)
    ]


def event_costs(
    session: Session, scope: Scope, year: int, threshold: float
) -> tuple[list[EventCost], dict[str, float], dict[str, str]]:
    """Flag (5)'s rows: the scope's accounts whose share of the year's event costs may pass ``threshold`` of their
    bookings in the year (each event's cost split equally over every account that attended it, the scope's or not),
    with those bookings, the accounts' owners, and the events each of them attended, with their seats. The split
    and the comparison are summed in SQL, a hair looser than the flag (``event_cost_high`` decides): accounts
    without bookings in the year or far below the share are not read (at a million deals 913 of the 21,035
    accounts that attended a 2026 event), where the whole company's 70,000 seats of the year were read and sorted
    (0.5-0.7 s on SQLite)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    seats = (
        select(EventAttendee.event_id, func.count().label("seats"))
        .join(Event, Event.id == EventAttendee.event_id)
        .where(Event.event_date.between(start, end), EventAttendee.attended.is_(True))
        .group_by(EventAttendee.event_id)
    )
    if not scope.is_everything:  # only the events an account of the scope attended (all their accounts split it)
        seats = seats.where(
            EventAttendee.event_id.in_(
                select(EventAttendee.event_id)
                .join(Account, Account.id == EventAttendee.account_id)
                .where(scope.condition(Account.owner_rep_id), EventAttendee.attended.is_(True))
            )
        )
    seated = seats.subquery()
    seat = aliased(EventAttendee)
    spent = (
        select(seat.account_id, func.sum(Event.cost / seated.c.seats).label("spent"))
        .join(seated, seated.c.event_id == seat.event_id)
        .join(Event, Event.id == seat.event_id)
        .where(seat.attended.is_(True))
        .group_by(seat.account_id)
        .subquery()
    )
    candidates = (
        select(Account.id, Account.account_code, AccountYear.bookings, Rep.rep_code)
        .join(spent, spent.c.account_id == Account.id)
        .join(Rep, Rep.id == Account.owner_rep_id)
        .join(AccountYear, and_(AccountYear.account_id == Account.id, AccountYear.year == year))
        .where(
            scope.condition(Account.owner_rep_id),
            AccountYear.bookings > 0,
            spent.c.spent > AccountYear.bookings * (threshold * (1 - 1e-9)),
        )
    )
    accounts = {int(i): (str(code), float(booked), str(rep)) for i, code, booked, rep in session.execute(candidates)}
    others = aliased(EventAttendee)
    seats_of = (
        select(func.count())
        .where(others.event_id == Event.id, others.attended.is_(True))
        .correlate(Event)
        .scalar_subquery()
    )
    attended = rows_in_chunks(
        session,
        lambda chunk: (
            select(Event.event_code, Event.name, Event.event_date, Event.cost, seats_of, EventAttendee.account_id)
            .join(EventAttendee, EventAttendee.event_id == Event.id)
            .where(
                EventAttendee.account_id.in_(chunk),
                EventAttendee.attended.is_(True),
                Event.event_date.between(start, end),
            )
        ),
        sorted(accounts),
    )
    by_event: dict[str, tuple[str, date, float, int, list[str]]] = {}
    for code, name, day, cost, n, account in attended:
        by_event.setdefault(code, (name, day, float(cost), int(n), []))[4].append(accounts[int(account)][0])
    events = [
        EventCost(code, name, day, cost, tuple(sorted(codes)), n)
        for code, (name, day, cost, n, codes) in sorted(by_event.items(), key=lambda item: (item[1][1], item[0]))
    ]
    bookings = {code: booked for code, booked, _ in accounts.values()}
    owners = {code: rep for code, _, rep in accounts.values()}
    return events, bookings, owners


def names_of(session: Session, scope: Scope, rep_codes: set[str], account_codes: set[str]) -> dict[str, str]:
    """The names of the reps and accounts in scope, by their codes."""
    out: dict[str, str] = {}
    for model, column, codes, owned in (
        (Rep, Rep.rep_code, rep_codes, scope.condition(Rep.id)),
        (Account, Account.account_code, account_codes, scope.condition(Account.owner_rep_id)),
    ):
        ordered = sorted(codes)
        for i in range(0, len(ordered), 500):
            stmt = select(column, model.name).where(column.in_(ordered[i : i + 500]), owned)
            out.update({str(code): str(name) for code, name in session.execute(stmt)})
    return out
