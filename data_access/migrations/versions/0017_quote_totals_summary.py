"""quote_totals: each quote's revenue, cost and list amount, kept with the quote lines they sum

The whole company's risk flags compared each of the year's 89,000 contracts with its deal's current quote, found
by sorting the deal's quote lines and summing the current one's (1.2 s at a million deals on SQLite), and summed
every quote line of the year per rep for the discount outliers (1.1 s). The summary holds one row per quote with
those sums, whether it is its deal's current quote, and the deal's status, owner, product line and account, so
both are one index range (issue 16). ``data_access.summaries`` fills it at start when it is empty and keeps it
in the transaction of every write.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SUMS = ["revenue", "list_amount", "quote_code"]
AMOUNT = sa.Numeric(20, 4)


def upgrade() -> None:
    op.create_table(
        "quote_totals",
        sa.Column("opportunity_id", sa.Integer(), nullable=False),  # no key: see QuoteTotal
        sa.Column("quote_code", sa.String(length=50), nullable=False),
        sa.Column("quoted_date", sa.Date(), nullable=False),
        sa.Column("revenue", AMOUNT, nullable=False),
        sa.Column("cost", AMOUNT, nullable=False),
        sa.Column("list_amount", AMOUNT, nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("owner_rep_id", sa.Integer(), nullable=False),
        sa.Column("product_line", sa.String(length=100), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("opportunity_id", "quote_code"),
    )
    op.create_index(
        "ix_quote_totals_date", "quote_totals", ["quoted_date", "owner_rep_id", *SUMS, "product_line", "account_id"]
    )
    op.create_index(
        "ix_quote_totals_owner", "quote_totals", ["owner_rep_id", "quoted_date", *SUMS, "product_line", "account_id"]
    )
    op.create_index(
        "ix_quote_totals_current",
        "quote_totals",
        ["opportunity_id", "is_current", "revenue", "status", "owner_rep_id"],
    )


def downgrade() -> None:
    for name in ("ix_quote_totals_current", "ix_quote_totals_owner", "ix_quote_totals_date"):
        op.drop_index(name, table_name="quote_totals")
    op.drop_table("quote_totals")
