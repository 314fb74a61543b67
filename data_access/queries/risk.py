"""The risk flags' reads (控制腐败, issue 20): the quote lines flags (1) and (2) look at, the contracts below their
current quote, every rep's quoted and list amounts, the year's event spend per account; in the viewer's scope
(a line's and a contract's deal, an account's owner). The quote helpers are sales support's (``support``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from data_access.models import (
    Account,
    AccountYear,
    Contract,
    Event,
    EventAttendee,
    Opportunity,
    Product,
    QuoteLine,
    Rep,
    Team,
)
from data_access.queries.shared import scoped_day
from data_access.queries.support import _below_floor, _line_select, _lines, _money
from data_access.scope import Scope
from metrics.support import ContractRow, EventCost, LineRow, Quote, QuoteOwner, RepDiscount


def flagged_lines(session: Session, scope: Scope, start: date, end: date, floor_default: float) -> list[LineRow]:
    """The lines quoted in [start, end] in scope that flags (1) and (2) look at: below floor without an approver,
    and approved by the deal's own owner. Two statements, not one with an OR: SQLite answers an OR of the two by
    reading every unapproved line of the company through the approver index; the approver is asked as
    ``approved_by_rep_id + 0`` so no index on it is taken for a team's read either (NULL stays NULL: an unapproved
    line is never its owner's own approval, whatever the owner's id)."""
    period = scoped_day(session, QuoteLine.quoted_date, scope).between(start, end)
    approver = QuoteLine.approved_by_rep_id + 0
    unapproved = approver.is_(None)
    by_owner = approver == Opportunity.owner_rep_id
    lines: list[LineRow] = []
    for condition in (and_(unapproved, _below_floor(floor_default)), by_owner):
        stmt = _line_select(floor_default).where(period, scope.opportunities(), condition)
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
    current quote's revenue x (1 - threshold), with those current quotes. It starts from the period's contracts;
    each deal's current quote code is looked up through the deal's quote index (latest date, then the greater
    code) and only its lines are summed; the comparison is in SQL, so only the flagged rows come back."""
    latest = (
        select(QuoteLine.quote_code)
        .where(QuoteLine.opportunity_id == Opportunity.id)
        .order_by(QuoteLine.quoted_date.desc(), QuoteLine.quote_code.desc())
        .limit(1)
        .scalar_subquery()
    )
    line = aliased(QuoteLine)
    revenue = func.sum(line.quantity * line.unit_price)
    stmt = (
        select(
            Contract.contract_code,
            Opportunity.opp_code,
            Contract.signed_date,
            Contract.amount,
            Rep.rep_code,
            Account.account_code,
            line.quote_code,
            func.max(line.quoted_date),
            revenue,
            func.sum(line.quantity * Product.unit_cost),
            func.sum(line.quantity * Product.list_price),
        )
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .join(line, and_(line.opportunity_id == Opportunity.id, line.quote_code == latest))
        .join(Product, Product.id == line.product_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            scoped_day(session, Contract.signed_date, scope).between(start, end),
            Opportunity.status == "won",
            scope.opportunities(),
        )
        .group_by(
            Contract.contract_code,
            Opportunity.opp_code,
            Contract.signed_date,
            Contract.amount,
            Rep.rep_code,
            Account.account_code,
            line.quote_code,
        )
        .having(Contract.amount < revenue * (1 - threshold))
        .order_by(Contract.contract_code)
    )
    contracts: list[ContractRow] = []
    quotes: dict[str, Quote] = {}
    for code, opp, signed, amount, rep, account, quote, quoted, rev, cost, listed in session.execute(stmt):
        contracts.append(ContractRow(code, opp, signed, float(amount), rep, account))
        quotes[opp] = Quote(quote, opp, quoted, _money(rev), _money(cost), _money(listed), 0, current=True)
    return contracts, quotes


def rep_discounts(session: Session, scope: Scope, start: date, end: date) -> list[RepDiscount]:
    """Per rep of the scope who quoted in [start, end]: the quotes' revenue and list amount summed (every version
    quoted in the period), with the rep's team."""
    stmt = (
        select(
            Rep.rep_code,
            func.coalesce(Team.name, ""),
            func.sum(QuoteLine.quantity * QuoteLine.unit_price),
            func.sum(QuoteLine.quantity * Product.list_price),
            func.count(func.distinct(QuoteLine.quote_code)),
            Rep.name,
        )
        .select_from(QuoteLine)
        .join(Product, Product.id == QuoteLine.product_id)
        .join(Opportunity, Opportunity.id == QuoteLine.opportunity_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .outerjoin(Team, Team.id == Rep.team_id)
        .where(scoped_day(session, QuoteLine.quoted_date, scope).between(start, end), scope.opportunities())
        .group_by(Rep.rep_code, Team.name, Rep.name)
    )
    return [
        RepDiscount(rep, team, _money(rev), _money(listed), int(n), name)
        for rep, team, rev, listed, n, name in session.execute(stmt)
    ]


def event_costs(session: Session, scope: Scope, year: int) -> tuple[list[EventCost], dict[str, float], dict[str, str]]:
    """Flag (5)'s rows: the year's events with the attended accounts (every attended account counts in the split;
    only those of the scope are kept afterwards by the caller's bookings), the bookings of the scope's accounts
    that attended an event, and those accounts' owners."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    attended = (
        select(Event.event_code, Event.name, Event.event_date, Event.cost, Account.account_code)
        .join(EventAttendee, EventAttendee.event_id == Event.id)
        .join(Account, Account.id == EventAttendee.account_id)
        .where(Event.event_date.between(start, end), EventAttendee.attended.is_(True))
        .order_by(Event.event_date, Event.event_code, Account.account_code)
    )
    if not scope.is_everything:  # only the events an account of the scope attended (all their accounts split it)
        attended = attended.where(
            Event.id.in_(
                select(EventAttendee.event_id)
                .join(Account, Account.id == EventAttendee.account_id)
                .where(scope.condition(Account.owner_rep_id), EventAttendee.attended.is_(True))
            )
        )
    by_event: dict[str, tuple[str, date, float, list[str]]] = {}
    for code, name, day, cost, account in session.execute(attended):
        by_event.setdefault(code, (name, day, float(cost), []))[3].append(account)
    events = [EventCost(code, n, d, c, tuple(a)) for code, (n, d, c, a) in by_event.items()]
    mine = (
        select(Account.account_code, func.coalesce(AccountYear.bookings, 0), Rep.rep_code)
        .join(Rep, Rep.id == Account.owner_rep_id)
        .outerjoin(AccountYear, and_(AccountYear.account_id == Account.id, AccountYear.year == year))
        .where(
            scope.condition(Account.owner_rep_id),
            Account.id.in_(
                select(EventAttendee.account_id)
                .join(Event, Event.id == EventAttendee.event_id)
                .where(Event.event_date.between(start, end), EventAttendee.attended.is_(True))
            ),
        )
    )
    bookings: dict[str, float] = {}
    owners: dict[str, str] = {}
    for account, booked, rep in session.execute(mine):
        bookings[account] = float(booked)
        owners[account] = rep
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
