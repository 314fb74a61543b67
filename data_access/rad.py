"""RAD classes in SQL: each account's BP, bookings and class of a year, as a subquery.

The formula is that of ``metrics.rad`` (data dictionary: SOW = bookings / BP; R if SOW >= r_min, A if
SOW < a_max, D otherwise; the override wins); it is written here a second time as SQL so that a filter
by class, and the per-class totals, never read all accounts into Python. A test holds the two equal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Subquery, and_, case, func, literal, select

from data_access.models import Account, BuyingPower, Contract, Opportunity

#: The class value of an account whose SOW is unknown (no BP known) and who has no override.
UNKNOWN = "none"


def account_bookings(year: int, only: Any = None) -> Subquery:
    """Bookings per account in ``year``: account_id, bookings (contracts signed in the year); ``only``, a
    select of account ids, limits the sums to those accounts."""
    conditions = [Contract.signed_date.between(date(year, 1, 1), date(year, 12, 31))]
    if only is not None:
        conditions.append(Opportunity.account_id.in_(only))
    return (
        select(Opportunity.account_id.label("account_id"), func.sum(Contract.amount).label("bookings"))
        .join(Contract, Contract.opportunity_id == Opportunity.id)
        .where(*conditions)
        .group_by(Opportunity.account_id)
        .subquery()
    )


def class_expression(bp: Any, booked: Any, override: Any, r_min: float, a_max: float) -> Any:
    """CASE: the override if set, else R / A / D by SOW = booked / bp, else ``UNKNOWN`` (no BP, or BP <= 0).

    Compared as booked >= r_min x bp rather than as a division, so there is no division by zero.
    """
    return case(
        (and_(override.is_not(None), override != ""), override),
        (bp.is_(None), literal(UNKNOWN)),
        (bp <= 0, literal(UNKNOWN)),
        (booked >= bp * r_min, literal("R")),
        (booked < bp * a_max, literal("A")),
        else_=literal("D"),
    )


def account_classes(year: int, r_min: float, a_max: float) -> Subquery:
    """Every account with its ``year``: account_id, owner_rep_id, bp (NULL when unknown), bookings (0 when
    none), rad_class (R/A/D/``UNKNOWN``), manual (override set).

    Bookings are a correlated sum per account (two index lookups each): joined as a grouped subquery,
    PostgreSQL re-aggregated all contracts once per account when this sits inside an IN (...) filter.
    """
    bookings = func.coalesce(
        select(func.sum(Contract.amount))
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(
            Opportunity.account_id == Account.id,
            Contract.signed_date.between(date(year, 1, 1), date(year, 12, 31)),
        )
        .correlate(Account)
        .scalar_subquery(),
        0,
    )
    manual = and_(Account.rad_override.is_not(None), Account.rad_override != "")
    return (
        select(
            Account.id.label("account_id"),
            Account.owner_rep_id.label("owner_rep_id"),
            BuyingPower.bp.label("bp"),
            bookings.label("bookings"),
            class_expression(BuyingPower.bp, bookings, Account.rad_override, r_min, a_max).label("rad_class"),
            case((manual, literal(True)), else_=literal(False)).label("manual"),
        )
        .outerjoin(BuyingPower, and_(BuyingPower.account_id == Account.id, BuyingPower.year == year))
        .subquery()
    )
