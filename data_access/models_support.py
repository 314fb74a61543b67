"""Sales support (issue 20, seed module 4): bids, technical support requests, the price list and quote lines.

Kept beside ``models`` (which imports this module, so one ``Base.metadata`` holds every table) to keep each file
of the data layer short.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models import Base, _in

BID_STATUSES = ("preparing", "submitted", "won", "lost", "withdrawn", "no_bid")
SUPPORT_KINDS = ("demo", "solution_design", "poc", "site_survey", "consulting")
Ratio = Numeric(5, 4, asdecimal=False)
Money = Numeric(14, 2, asdecimal=False)
#: a quote's sums of quantity x price: two decimals times two, kept whole (no rounding to the fen on PostgreSQL)
Amount = Numeric(20, 4, asdecimal=False)


class Bid(Base):
    """A tender (标案) answered for an opportunity: its deadline, when it went in, how it ended."""

    __tablename__ = "bids"
    __table_args__ = (
        CheckConstraint(_in("status", BID_STATUSES), name="ck_bids_status"),
        Index("ix_bids_deadline", "deadline", "opportunity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_code: Mapped[str] = mapped_column(String(50), unique=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    tender_name: Mapped[str] = mapped_column(String(200))
    published_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    submitted_date: Mapped[date | None] = mapped_column(Date)
    bid_amount: Mapped[float | None] = mapped_column(Money)
    support_owner: Mapped[str | None] = mapped_column(String(100))
    result_date: Mapped[date | None] = mapped_column(Date)


class SupportRequest(Base):
    """A request for a solution engineer (技术支持) on a deal: a demo, a design, a POC."""

    __tablename__ = "support_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", SUPPORT_KINDS), name="ck_support_requests_kind"),
        # the period's requests summed per engineer and kind from the index alone (migration 0018)
        Index(
            "ix_support_requests_cover",
            "requested_date",
            "opportunity_id",
            "kind",
            "engineer",
            "resolved_date",
            "hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_code: Mapped[str] = mapped_column(String(50), unique=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    requested_by_rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    requested_date: Mapped[date] = mapped_column(Date)
    engineer: Mapped[str | None] = mapped_column(String(100))
    resolved_date: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))


class Product(Base):
    """A line of the price list (价格表): list price, unit cost and the lowest gross margin a quote may carry."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("list_price >= 0 AND unit_cost >= 0", name="ck_products_prices"),
        CheckConstraint("floor_margin IS NULL OR (floor_margin >= 0 AND floor_margin <= 1)", name="ck_products_floor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_code: Mapped[str] = mapped_column(String(50), unique=True)
    product_line: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    list_price: Mapped[float] = mapped_column(Money)
    unit_cost: Mapped[float] = mapped_column(Money)
    #: NULL: the ``floor_margin`` setting (15% by default)
    floor_margin: Mapped[float | None] = mapped_column(Ratio)


class QuoteLine(Base):
    """One product of one quote version (报价); a quote's lines share its code, deal and date."""

    __tablename__ = "quote_lines"
    __table_args__ = (
        UniqueConstraint("quote_code", "product_id", name="uq_quote_lines_quote_product"),
        CheckConstraint("quantity > 0 AND unit_price >= 0", name="ck_quote_lines_amounts"),
        Index("ix_quote_lines_opp", "opportunity_id", "quoted_date"),
        Index("ix_quote_lines_date", "quoted_date", "opportunity_id"),
        # each product's lines by price: the lines below its floor are one range (risk flag 1, issue 16)
        Index("ix_quote_lines_price", "product_id", "unit_price", "quoted_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_code: Mapped[str] = mapped_column(String(50))
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"))
    quoted_date: Mapped[date] = mapped_column(Date)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    unit_price: Mapped[float] = mapped_column(Money)
    approved_by_rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id"), index=True)
    approval_note: Mapped[str | None] = mapped_column(Text)


#: what the quote summary's readers sum, after the columns they narrow by
QUOTE_SUMS = ("revenue", "list_amount", "quote_code")


class QuoteTotal(Base):
    """Summary, one row per quote (``data_access.summaries`` keeps it in the transaction of every write): its
    deal, date, revenue, cost and list amount (quantity x unit price, unit cost and list price summed over its
    lines), how many lines, whether it is its deal's current quote (latest date, then the greater code), and the
    deal's status, owner, product line and account. The risk flags' contracts below their current quote and every
    rep's discount read it instead of every quote line of the year (issue 16)."""

    __tablename__ = "quote_totals"
    __table_args__ = (
        Index("ix_quote_totals_date", "quoted_date", "owner_rep_id", *QUOTE_SUMS, "product_line", "account_id"),
        Index("ix_quote_totals_owner", "owner_rep_id", "quoted_date", *QUOTE_SUMS, "product_line", "account_id"),
        Index("ix_quote_totals_current", "opportunity_id", "is_current", "revenue", "status", "owner_rep_id"),
    )

    #: no foreign key: a deal's rows go in the flush that deletes the deal, after its row (the summary's listener)
    opportunity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    quoted_date: Mapped[date] = mapped_column(Date)
    revenue: Mapped[float] = mapped_column(Amount)
    cost: Mapped[float] = mapped_column(Amount)
    list_amount: Mapped[float] = mapped_column(Amount)
    lines: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10))
    owner_rep_id: Mapped[int] = mapped_column(Integer)
    product_line: Mapped[str | None] = mapped_column(String(100), nullable=True)
    account_id: Mapped[int] = mapped_column(Integer)
