"""RAD classes in SQL: each account's BP, bookings and class of a year, as a subquery.

The formula is that of ``metrics.rad`` (data dictionary: SOW = bookings / BP; R if SOW >= r_min, A if
SOW < a_max, D otherwise; the override wins); it is written here a second time as SQL so that a filter
by class, and the per-class totals, never read all accounts into Python. A test holds the two equal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, and_, case, exists, func, literal, or_, select, union
from sqlalchemy.orm import aliased

from data_access.models import Account, AccountYear

#: The class value of an account whose SOW is unknown (no BP known) and who has no override.
UNKNOWN = "none"


def account_bookings(year: int, only: Any = None) -> Subquery:
    """Bookings per account in ``year``: account_id, bookings (contracts signed in the year, from the
    ``account_years`` summary); ``only``, a select of account ids, limits it to those accounts."""
    conditions = [AccountYear.year == year]
    if only is not None:
        conditions.append(AccountYear.account_id.in_(only))
    return select(AccountYear.account_id, AccountYear.bookings).where(*conditions).subquery()


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


def overridden(account: Any) -> Any:
    """Whether the account (``Account`` or an alias of it) has a manual class (a set, non-empty override)."""
    return and_(account.rad_override.is_not(None), account.rad_override != "")


def account_classes(year: int, r_min: float, a_max: float) -> Subquery:
    """Every account with its ``year``: account_id, owner_rep_id, bp (NULL when unknown), bookings (0 when
    none), rad_class (R/A/D/``UNKNOWN``, by these thresholds), manual (override set); the BP and bookings from
    the ``account_years`` summary (no sum over contracts per account)."""
    bookings = func.coalesce(AccountYear.bookings, 0)
    manual = overridden(Account)
    return (
        select(
            Account.id.label("account_id"),
            Account.owner_rep_id.label("owner_rep_id"),
            AccountYear.bp.label("bp"),
            bookings.label("bookings"),
            class_expression(AccountYear.bp, bookings, Account.rad_override, r_min, a_max).label("rad_class"),
            case((manual, literal(True)), else_=literal(False)).label("manual"),
        )
        .outerjoin(AccountYear, and_(AccountYear.account_id == Account.id, AccountYear.year == year))
        .subquery()
    )


def in_class(account: Any, year: int, rad_class: str) -> Any:
    """Whether the account in column ``account`` is of ``rad_class`` in ``year``: ``class_accounts``'s rule,
    asked of each row (two key lookups) instead of listing the class's accounts, for a part of the company
    whose few deals are read through their owner (a rep's 120 deals against a class of 43,000 accounts: the
    list cost 8 ms a statement). Aliased tables: the outer statement may read accounts itself."""
    acc, year_row = aliased(Account), aliased(AccountYear)
    if rad_class == UNKNOWN:
        classed = select(year_row.account_id).where(
            year_row.account_id == account, year_row.year == year, year_row.rad_class != UNKNOWN
        )
        manual = select(acc.id).where(acc.id == account, overridden(acc))
        return and_(~exists(manual), ~exists(classed))
    return or_(
        exists(
            select(year_row.account_id).where(
                year_row.account_id == account, year_row.year == year, year_row.rad_class == rad_class
            )
        ),
        exists(select(acc.id).where(acc.id == account, acc.rad_override == rad_class)),
    )


def class_accounts(year: int, rad_class: str) -> Any:
    """A select of the ids of the accounts of ``rad_class`` in ``year`` by the saved thresholds (the summary's
    classes, through its (year, class) index; an override holds in a year without a row too)."""
    if rad_class == UNKNOWN:
        classed = select(AccountYear.account_id).where(AccountYear.year == year, AccountYear.rad_class != UNKNOWN)
        return select(Account.id).where(~overridden(Account), Account.id.not_in(classed))
    return union(
        select(AccountYear.account_id).where(AccountYear.year == year, AccountYear.rad_class == rad_class),
        select(Account.id).where(Account.rad_override == rad_class),
    )
