"""The summary tables (issue 16): sums of the business rows that ``data_access.summaries`` keeps in the transaction of
every write, so a view of any part of the company reads one index range instead of every row below it.

Kept beside ``models`` (which imports this module, so one ``Base.metadata`` holds every table) to keep each file of
the data layer short; ``quote_totals`` is with the sales support tables it sums (``models_support``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models import Base, Money


class AccountYear(Base):
    """Summary, one row per account and year with a BP or a contract (``data_access.summaries`` keeps it in the
    transaction of every write): the BP, the bookings and gross margin of the contracts signed in the year, and
    the RAD class by the saved thresholds (the account's override winning)."""

    __tablename__ = "account_years"
    __table_args__ = (Index("ix_account_years_class", "year", "rad_class", "account_id"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    bp: Mapped[float | None] = mapped_column(Money, nullable=True)
    bookings: Mapped[float] = mapped_column(Money, default=0, nullable=False)
    gm_booked: Mapped[float] = mapped_column(Money, default=0, nullable=False)
    rad_class: Mapped[str] = mapped_column(String(4), nullable=False)


#: What the stalled deals' index carries after status and the latest entry (the lists' and the counts' columns)
STALLED_COVER = ("owner_rep_id", "account_id", "product_line", "level", "opportunity_id")
#: The columns of a ``deal_levels`` row its indexes carry after their leading ones (the funnel's health sums)
DEAL_LEVEL_SUMS = ("level", "entered", "status", "top", "entries", "closed_days", "open_since", "last_entered")


class DealLevel(Base):
    """Summary, one row per deal and level it ever entered (``data_access.summaries`` keeps it in the
    transaction of every write): the first entry, the highest level the deal reached, how many times it entered
    the level and the days it stayed there (``closed_days``: the stays that ended, at the next entry or the
    close; ``open_since``: the start of a stay that lasts until today; ``last_entered``: on the level of the
    deal's latest entry only, that entry's date), and the deal's status, owner, product line, account, close date
    and whether it closed by its expected date (``on_time``). The
    funnel's health (conversion, calibration, days at level, stalled deals) sums it for any part of the company
    through one index, instead of walking every deal's stage history."""

    __tablename__ = "deal_levels"
    __table_args__ = (
        Index("ix_deal_levels_product", "product_line", *DEAL_LEVEL_SUMS),
        Index("ix_deal_levels_owner", "owner_rep_id", *DEAL_LEVEL_SUMS, "product_line", "account_id"),
        Index("ix_deal_levels_account", "account_id", *DEAL_LEVEL_SUMS, "product_line", "owner_rep_id"),
        # the forecast's rates: the levels of the deals closed in a window, won and in time (migration 0015)
        Index("ix_deal_levels_closed", "closed_date", "level", "status", "on_time", "owner_rep_id", "product_line"),
        # the company's stalled deals (funnel, actions): open deals by their latest stage entry (migration 0015)
        Index("ix_deal_levels_stalled", "status", "last_entered", *STALLED_COVER),
    )

    #: no foreign key: a deal's rows go in the flush that deletes the deal, after its row (the summary's listener)
    opportunity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    entered: Mapped[date] = mapped_column(Date)
    top: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)
    closed_days: Mapped[int] = mapped_column(Integer)
    open_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    last_entered: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    owner_rep_id: Mapped[int] = mapped_column(Integer)
    product_line: Mapped[str | None] = mapped_column(String(100), nullable=True)
    account_id: Mapped[int] = mapped_column(Integer)
    #: the deal's close date, and whether it closed on or before its expected close date (migration 0015)
    closed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


#: what the unpaid payments' readers sum, after the columns they narrow by
UNPAID_SUMS = ("owed", "amount", "paid")


class UnpaidPayment(Base):
    """Summary, one row per payment with something still owed (amount less what was paid, above 0;
    ``data_access.summaries`` keeps it in the transaction of every write): its deal, due date, amount, what was paid
    (nothing paid counts 0) and what is owed, and the deal's owner, product line and account. The scorecards'
    overdue per rep and the Overview's overdue tile read it instead of asking each of the 89,000 late payments at a
    million deals its contract and its deal (issue 16)."""

    __tablename__ = "unpaid_payments"
    __table_args__ = (
        Index("ix_unpaid_payments_due", "due_date", "owner_rep_id", *UNPAID_SUMS, "product_line", "account_id"),
        Index("ix_unpaid_payments_owner", "owner_rep_id", "due_date", *UNPAID_SUMS, "product_line", "account_id"),
    )

    #: no foreign key: a payment's row goes in the flush that deletes the payment, after its row
    payment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(Integer, index=True)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Money)
    paid: Mapped[float] = mapped_column(Money)
    owed: Mapped[float] = mapped_column(Money)
    owner_rep_id: Mapped[int] = mapped_column(Integer)
    product_line: Mapped[str | None] = mapped_column(String(100), nullable=True)
    account_id: Mapped[int] = mapped_column(Integer)
