"""deal_levels: each deal's stays at each level, kept with the stage history they sum

The funnel's health (conversion over the last 12 months, calibration over all history, days at each level, stalled
deals)
walked the stage history of every deal of the view: for a product line of the whole company 170,000 deals
and 400,000 history rows, 0.4-0.6 s a statement at a million deals, 1.5 s for the three. The summary holds
one row per deal and level with what those sums need, and the deal's owner, product line and account, so a
team's, a product line's or a RAD class's health is one index range (issue 16). ``data_access.summaries``
fills it at start when it is empty and keeps it in the transaction of every write.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SUMS = ["level", "entered", "status", "top", "entries", "closed_days", "open_since", "last_entered"]


def upgrade() -> None:
    op.create_table(
        "deal_levels",
        sa.Column("opportunity_id", sa.Integer(), nullable=False),  # no key: see DealLevel
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("entered", sa.Date(), nullable=False),
        sa.Column("top", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("closed_days", sa.Integer(), nullable=False),
        sa.Column("open_since", sa.Date(), nullable=True),
        sa.Column("last_entered", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("owner_rep_id", sa.Integer(), nullable=False),
        sa.Column("product_line", sa.String(length=100), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("opportunity_id", "level"),
    )
    op.create_index("ix_deal_levels_product", "deal_levels", ["product_line", *SUMS])
    op.create_index("ix_deal_levels_owner", "deal_levels", ["owner_rep_id", *SUMS, "product_line", "account_id"])
    op.create_index("ix_deal_levels_account", "deal_levels", ["account_id", *SUMS, "product_line", "owner_rep_id"])


def downgrade() -> None:
    for name in ("ix_deal_levels_account", "ix_deal_levels_owner", "ix_deal_levels_product"):
        op.drop_index(name, table_name="deal_levels")
    op.drop_table("deal_levels")
