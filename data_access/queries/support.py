"""Sales support's reads: bids, support requests, the price list, quotes and the rows behind the risk flags.

Every function takes the viewer's ``Scope``: a bid, a request and a quote are in scope when their deal is (its
owner, and any deal filter); an account's event spend when the account's owner is."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from data_access.models import (
    BID_STATUSES,
    Bid,
    Opportunity,
    Product,
    QuoteLine,
    Rep,
    SupportRequest,
    Team,
)
from data_access.queries.shared import _days_between, scoped_day
from data_access.scope import Scope
from metrics.support import (
    BID_DECIDED,
    DUE_SOON_DAYS,
    BidRow,
    BidSummary,
    LineRow,
    Quote,
    RequestRow,
    Turnaround,
    WinSplit,
)


def bids_between(
    session: Session, scope: Scope, start: date, end: date, latest_first: int = 0, soonest: int | None = None
) -> list[BidRow]:
    """The bids whose deadline is in [start, end], their deal in scope, soonest first (``soonest``: at most that
    many; ``latest_first``: that many, the latest deadlines first)."""
    stmt = (
        select(
            Bid.bid_code,
            Opportunity.opp_code,
            Bid.status,
            Bid.published_date,
            Bid.deadline,
            Bid.submitted_date,
            Bid.bid_amount,
            Bid.tender_name,
            Opportunity.name,
            func.coalesce(Team.name, ""),
            Opportunity.product_line,
            Rep.rep_code,
        )
        .join(Opportunity, Opportunity.id == Bid.opportunity_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .outerjoin(Team, Team.id == Rep.team_id)
        .where(scoped_day(session, Bid.deadline, scope).between(start, end), scope.opportunities())
        .order_by(Bid.deadline, Bid.bid_code)
    )
    if latest_first:
        stmt = stmt.order_by(None).order_by(Bid.deadline.desc(), Bid.bid_code.desc()).limit(latest_first)
    elif soonest is not None:
        stmt = stmt.limit(soonest)
    return [BidRow(*row) for row in session.execute(stmt)]


def _money(value: Any) -> float:
    return float(value or 0)


def _on_deals(stmt: Any, scope: Scope, deal: Any, *, needed: bool = False) -> Any:
    """``stmt`` limited to rows whose deal is in scope: joined to ``opportunities`` only when the scope narrows
    deals or the caller reads a deal's column (a director's whole company skips a lookup per row)."""
    if not needed and not scope.narrows_deals:
        return stmt
    return stmt.join(Opportunity, Opportunity.id == deal).where(scope.opportunities())


def bid_totals(
    session: Session, scope: Scope, start: date, end: date, today: date, by: str | None = None
) -> list[tuple[str, BidSummary]]:
    """``metrics.support.bid_summary`` of the bids whose deadline is in [start, end], summed in SQL, for the whole
    scope (``by`` None) or per ``team`` or product ``line`` (no product line: ""), largest group first."""
    key: Any = {
        None: literal(""),
        "team": func.coalesce(Team.name, ""),
        "line": func.coalesce(Opportunity.product_line, ""),
    }[by]

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    def amount(status: str) -> Any:
        return func.sum(case((Bid.status == status, func.coalesce(Bid.bid_amount, 0)), else_=0))

    stmt = (
        select(
            key,
            func.count(),
            amount("won"),
            amount("lost"),
            count(Bid.submitted_date.is_not(None)),
            count(Bid.submitted_date <= Bid.deadline),
            count(or_(Bid.submitted_date.is_not(None), Bid.status.in_(BID_DECIDED))),
            *[count(Bid.status == status) for status in BID_STATUSES],
        )
        .select_from(Bid)
        .where(scoped_day(session, Bid.deadline, scope).between(start, end))
        .group_by(key)
    )
    stmt = _on_deals(stmt, scope, Bid.opportunity_id, needed=by is not None)
    if by == "team":
        stmt = stmt.join(Rep, Rep.id == Opportunity.owner_rep_id).outerjoin(Team, Team.id == Rep.team_id)
    soon = select(Bid.bid_code, key).join(Opportunity, Opportunity.id == Bid.opportunity_id)
    if by == "team":
        soon = soon.join(Rep, Rep.id == Opportunity.owner_rep_id).outerjoin(Team, Team.id == Rep.team_id)
    soon = soon.where(
        scoped_day(session, Bid.deadline, scope).between(
            max(start, today), min(end, today + timedelta(days=DUE_SOON_DAYS))
        ),
        Bid.status == "preparing",
        scope.opportunities(),
    ).order_by(Bid.deadline, Bid.bid_code)
    due: dict[str, list[str]] = {}
    for code, group in session.execute(soon):
        due.setdefault(str(group), []).append(str(code))
    out = []
    for group, n, won_amount, lost_amount, submitted, on_time, went_in, *statuses in session.execute(stmt):
        by_status = {s: int(c or 0) for s, c in zip(BID_STATUSES, statuses, strict=True) if c}
        out.append(
            (
                str(group),
                BidSummary(
                    bids=int(n),
                    won=by_status.get("won", 0),
                    lost=by_status.get("lost", 0),
                    won_amount=_money(won_amount),
                    lost_amount=_money(lost_amount),
                    submitted=int(submitted or 0),
                    on_time=int(on_time or 0),
                    due_soon=tuple(due.get(str(group), ())),
                    by_status=by_status,
                    went_in=int(went_in or 0),
                ),
            )
        )
    return sorted(out, key=lambda item: (-item[1].bids, item[0]))


def request_totals(
    session: Session, scope: Scope, start: date, end: date, today: date, by: str | None = None
) -> list[tuple[str, Turnaround]]:
    """``metrics.support.turnaround_of`` of the requests requested in [start, end], summed in SQL, for the whole
    scope or per ``kind`` or ``engineer`` (none: ""), most requests first."""
    key: Any = {
        None: literal(""),
        "kind": SupportRequest.kind,
        "engineer": func.coalesce(SupportRequest.engineer, ""),
    }[by]
    resolved = SupportRequest.resolved_date.is_not(None)
    days = _days_between(session, SupportRequest.requested_date, SupportRequest.resolved_date)
    stmt = (
        select(
            key,
            func.count(),
            func.sum(case((resolved, 0), else_=1)),
            func.avg(case((resolved, days), else_=None)),
            func.sum(func.coalesce(SupportRequest.hours, 0)),
        )
        .select_from(SupportRequest)
        .where(scoped_day(session, SupportRequest.requested_date, scope).between(start, end))
        .group_by(key)
    )
    stmt = _on_deals(stmt, scope, SupportRequest.opportunity_id)
    out = [
        (str(group), Turnaround(int(n), int(still or 0), None if avg is None else float(avg), _money(hours)))
        for group, n, still, avg, hours in session.execute(stmt)
    ]
    return sorted(out, key=lambda item: (-item[1].requests, item[0]))


def engineer_weeks(session: Session, scope: Scope, mondays: list[date], today: date) -> dict[str, list[int]]:
    """``metrics.support.engineer_load`` summed in SQL: per engineer, the requests in hand in each week."""
    if not mondays:
        return {}
    last_sunday = mondays[-1] + timedelta(days=6)
    until = func.coalesce(SupportRequest.resolved_date, today)
    weeks = [
        func.sum(case((and_(SupportRequest.requested_date <= m + timedelta(days=6), until >= m), 1), else_=0))
        for m in mondays
    ]
    stmt = (
        select(SupportRequest.engineer, *weeks)
        .where(
            scoped_day(session, SupportRequest.requested_date, scope) <= last_sunday,
            or_(SupportRequest.resolved_date.is_(None), SupportRequest.resolved_date >= mondays[0]),
            SupportRequest.engineer.is_not(None),
            SupportRequest.engineer != "",
        )
        .group_by(SupportRequest.engineer)
    )
    stmt = _on_deals(stmt, scope, SupportRequest.opportunity_id)
    load = {str(name): [int(n or 0) for n in counts] for name, *counts in session.execute(stmt)}
    return dict(sorted(load.items(), key=lambda item: (-sum(item[1]), item[0])))


def _request_select() -> Any:
    """A support request as ``RequestRow`` holds it, with its deal's code and its requester's."""
    return (
        select(
            SupportRequest.request_code,
            Opportunity.opp_code,
            SupportRequest.kind,
            SupportRequest.requested_date,
            SupportRequest.engineer,
            SupportRequest.resolved_date,
            SupportRequest.hours,
            Rep.rep_code,
        )
        .join(Opportunity, Opportunity.id == SupportRequest.opportunity_id)
        .join(Rep, Rep.id == SupportRequest.requested_by_rep_id)
        .order_by(SupportRequest.requested_date, SupportRequest.request_code)
    )


def open_requests(session: Session, scope: Scope, start: date, end: date, limit: int) -> list[RequestRow]:
    """The ``limit`` oldest requests requested in [start, end] and not resolved."""
    stmt = _request_select().where(
        scoped_day(session, SupportRequest.requested_date, scope).between(start, end),
        SupportRequest.resolved_date.is_(None),
        scope.opportunities(),
    )
    return [RequestRow(*row) for row in session.execute(stmt.limit(limit))]


def requests_between(session: Session, scope: Scope, start: date, end: date) -> list[RequestRow]:
    """The support requests in hand some day of [start, end] (requested by its end, not resolved before its start),
    their deal in scope, oldest first."""
    stmt = _request_select().where(
        scoped_day(session, SupportRequest.requested_date, scope) <= end,
        or_(SupportRequest.resolved_date.is_(None), SupportRequest.resolved_date >= start),
        scope.opportunities(),
    )
    return [RequestRow(*row) for row in session.execute(stmt)]


def supported_outcomes(session: Session, scope: Scope, start: date, end: date) -> tuple[WinSplit, WinSplit]:
    """Won and lost deals closed in [start, end] in scope, supported (a request exists) and not: ``supported_split``
    summed in SQL.

    A scope that narrows deals asks each of its closed deals whether it has a request. The whole company sums its
    closed deals from their covering index, and the supported ones from the requests' distinct deals (the deals
    ever supported are fewer than a year's closed deals: 0.2 s against 0.8 s at a million deals on SQLite, which
    asked twice per deal); the unsupported are the difference."""
    won = Opportunity.status == "won"
    sums = (
        func.sum(case((won, 1), else_=0)),
        func.sum(case((won, 0), else_=1)),
        func.sum(case((won, Opportunity.amount), else_=0)),
        func.sum(case((won, 0), else_=Opportunity.amount)),
    )
    closed = (
        scoped_day(session, Opportunity.closed_date, scope).between(start, end),
        Opportunity.status.in_(("won", "lost")),
        scope.opportunities(),
    )

    def split(w: Any, lost: Any, wa: Any, la: Any) -> WinSplit:
        return WinSplit(int(w or 0), int(lost or 0), _money(wa), _money(la))

    if scope.narrows_deals:
        supported = select(SupportRequest.id).where(SupportRequest.opportunity_id == Opportunity.id).exists().label("s")
        by = {
            bool(s): split(*row)
            for s, *row in session.execute(select(supported, *sums).where(*closed).group_by(supported))
        }
        return by.get(True, WinSplit()), by.get(False, WinSplit())
    every = split(*session.execute(select(*sums).where(*closed)).one())
    asked = select(SupportRequest.opportunity_id)
    yes = split(*session.execute(select(*sums).where(*closed, Opportunity.id.in_(asked))).one())
    no = WinSplit(
        every.won - yes.won,
        every.lost - yes.lost,
        round(every.won_amount - yes.won_amount, 2),
        round(every.lost_amount - yes.lost_amount, 2),
    )
    return yes, no


def price_list(session: Session) -> list[dict[str, Any]]:
    """The whole price list (the company's: every viewer quotes from it), by product line and code."""
    stmt = select(
        Product.product_code,
        Product.product_line,
        Product.name,
        Product.list_price,
        Product.unit_cost,
        Product.floor_margin,
    ).order_by(Product.product_line, Product.product_code)
    keys = ["product_code", "product_line", "name", "list_price", "unit_cost", "floor_margin"]
    return [dict(zip(keys, row, strict=True)) for row in session.execute(stmt)]


def products_by_code(session: Session, codes: list[str]) -> dict[str, dict[str, Any]]:
    """The price list's rows of the given product codes (unknown codes are simply absent)."""
    if not codes:
        return {}
    stmt = select(
        Product.product_code, Product.name, Product.list_price, Product.unit_cost, Product.floor_margin
    ).where(Product.product_code.in_(codes[:200]))
    keys = ["product_code", "name", "list_price", "unit_cost", "floor_margin"]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in session.execute(stmt)}


def _floor(floor_default: float) -> Any:
    return func.coalesce(Product.floor_margin, literal(floor_default))


def _below_floor(floor_default: float) -> Any:
    """SQL of ``LineRow.below_floor``: (unit_price - unit_cost) / unit_price < floor, written without a division;
    a line given away at a cost is below any floor."""
    return or_(
        and_(
            QuoteLine.unit_price > 0,
            QuoteLine.unit_price - Product.unit_cost < _floor(floor_default) * QuoteLine.unit_price,
        ),
        and_(QuoteLine.unit_price == 0, Product.unit_cost > 0),
    )


#: a unit price no quote reaches (``Money`` has 12 digits before the point): the bound of a product at a 100% floor
NO_PRICE_BOUND = 10**13


def _price_bound(floor_default: float) -> Any:
    """The unit price each product's lines are below floor under: ``unit_cost / (1 - floor)`` (``_below_floor``
    solved for the price; a floor of 100% leaves no bound), a hair looser than exact so that no rounding of the
    division drops a line ``_below_floor`` keeps. Asked beside ``_below_floor``, it lets a planner read each
    product's range of the price index (``ix_quote_lines_price``): the few lines below floor of all years, not
    every line of the period. On PostgreSQL ``1 - floor`` is cast to the floor's type (4 decimals): exact for a
    product's floor (4 decimals; at 100% the bound is not divided) and the setting's (4 decimals, at most 90%)."""
    floor = _floor(floor_default)
    return case(
        (floor < 1, Product.unit_cost / (1 - floor) * (1 + 1e-9) + 1e-9),
        else_=literal(NO_PRICE_BOUND),
    )


def _line_select(floor_default: float) -> Any:
    approver = aliased(Rep)
    return (
        select(
            Product.product_code,
            QuoteLine.quantity,
            QuoteLine.unit_price,
            Product.list_price,
            Product.unit_cost,
            _floor(floor_default),
            QuoteLine.quote_code,
            Opportunity.opp_code,
            QuoteLine.quoted_date,
            Product.name,
            approver.rep_code,
            QuoteLine.approval_note,
        )
        .join(Product, Product.id == QuoteLine.product_id)
        .join(Opportunity, Opportunity.id == QuoteLine.opportunity_id)
        .outerjoin(approver, approver.id == QuoteLine.approved_by_rep_id)
    )


def _lines(session: Session, stmt: Any) -> list[LineRow]:
    return [
        LineRow(code, float(q), float(p), float(lp), float(c), float(f), *rest)
        for code, q, p, lp, c, f, *rest in session.execute(stmt)
    ]


def deal_quote_lines(session: Session, scope: Scope, opp_code: str, floor_default: float) -> list[LineRow]:
    """Every line of every quote of one deal in scope (none for a deal outside it)."""
    stmt = (
        _line_select(floor_default)
        .where(Opportunity.opp_code == opp_code, scope.opportunities())
        .order_by(QuoteLine.quoted_date, QuoteLine.quote_code, Product.product_code)
    )
    return _lines(session, stmt)


def _later_version() -> Any:
    """A quote of the same deal quoted later (or the same day with a greater code): the row is not current."""
    later = aliased(QuoteLine)
    return (
        select(later.id)
        .where(
            later.opportunity_id == QuoteLine.opportunity_id,
            or_(
                later.quoted_date > QuoteLine.quoted_date,
                and_(later.quoted_date == QuoteLine.quoted_date, later.quote_code > QuoteLine.quote_code),
            ),
        )
        .exists()
    )


def quote_totals(
    session: Session, scope: Scope, start: date, end: date, floor_default: float, opp_code: str | None = None
) -> list[Quote]:
    """The quotes quoted in [start, end] in scope (one deal's with ``opp_code``): revenue, cost, list amount and
    below-floor lines summed in SQL per quote, each marked current when no later version of its deal exists."""
    current = ~_later_version()
    stmt = (
        select(
            QuoteLine.quote_code,
            Opportunity.opp_code,
            QuoteLine.quoted_date,
            func.sum(QuoteLine.quantity * QuoteLine.unit_price),
            func.sum(QuoteLine.quantity * Product.unit_cost),
            func.sum(QuoteLine.quantity * Product.list_price),
            func.sum(case((_below_floor(floor_default), 1), else_=0)),
            func.max(case((current, 1), else_=0)),
            Rep.rep_code,
        )
        .join(Product, Product.id == QuoteLine.product_id)
        .join(Opportunity, Opportunity.id == QuoteLine.opportunity_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .where(scoped_day(session, QuoteLine.quoted_date, scope).between(start, end), scope.opportunities())
        .group_by(QuoteLine.quote_code, Opportunity.opp_code, QuoteLine.quoted_date, Rep.rep_code)
        .order_by(Opportunity.opp_code, QuoteLine.quoted_date.desc(), QuoteLine.quote_code.desc())
    )
    if opp_code is not None:
        stmt = stmt.where(Opportunity.opp_code == opp_code)
    return [
        Quote(
            code, opp, day, _money(rev), _money(cost), _money(listed), int(below or 0), current=bool(cur), rep_code=rep
        )
        for code, opp, day, rev, cost, listed, below, cur, rep in session.execute(stmt)
    ]
