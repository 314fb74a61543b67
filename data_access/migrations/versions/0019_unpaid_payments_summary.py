"""unpaid_payments: each payment with something still owed, with its deal's owner, product line and account

The whole company's scorecards sum what is overdue per rep: the 89,000 payments past due and unpaid at a million
deals, each asked its contract and then its deal's owner (0.45-0.57 s on SQLite, the view's slowest statement);
the Overview's overdue tile of a RAD class asked the same of each (0.44 s for class A).
The summary holds one row per payment that still owes something, with the deal's owner, product line and account,
so the sum per owner of any part of the company is one index range (issue 16). ``data_access.summaries`` fills it
at start when it is empty and keeps it in the transaction of every write.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SUMS = ["owed", "amount", "paid"]
MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "unpaid_payments",
        sa.Column("payment_id", sa.Integer(), nullable=False),  # no key: see UnpaidPayment
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("paid", MONEY, nullable=False),
        sa.Column("owed", MONEY, nullable=False),
        sa.Column("owner_rep_id", sa.Integer(), nullable=False),
        sa.Column("product_line", sa.String(length=100), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("payment_id"),
    )
    op.create_index("ix_unpaid_payments_opportunity_id", "unpaid_payments", ["opportunity_id"])
    op.create_index(
        "ix_unpaid_payments_due", "unpaid_payments", ["due_date", "owner_rep_id", *SUMS, "product_line", "account_id"]
    )
    op.create_index(
        "ix_unpaid_payments_owner",
        "unpaid_payments",
        ["owner_rep_id", "due_date", *SUMS, "product_line", "account_id"],
    )


def downgrade() -> None:
    for name in ("ix_unpaid_payments_owner", "ix_unpaid_payments_due", "ix_unpaid_payments_opportunity_id"):
        op.drop_index(name, table_name="unpaid_payments")
    op.drop_table("unpaid_payments")
