"""account_years: each account's BP, bookings and RAD class of a year, kept with the rows they sum

A RAD-class filter (``?rad=R``) classed every account of the company in every statement of a view: the
bookings of 75,000 accounts summed per account, 1-3 s a statement at a million deals, 4-33 s a view. The
summary holds them per account and year (issue 16); ``data_access.summaries`` fills it at start when it is
empty and keeps it in the transaction of every write.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2, asdecimal=False)


def upgrade() -> None:
    op.create_table(
        "account_years",
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("bp", MONEY, nullable=True),
        sa.Column("bookings", MONEY, nullable=False),
        sa.Column("gm_booked", MONEY, nullable=False),
        sa.Column("rad_class", sa.String(length=4), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "year"),
    )
    op.create_index("ix_account_years_class", "account_years", ["year", "rad_class", "account_id"])


def downgrade() -> None:
    op.drop_index("ix_account_years_class", table_name="account_years")
    op.drop_table("account_years")
