"""a covering index that leads with the deal's owner

A team's or a rep's view sums the deals its reps own. The covering indexes of 0005 lead with status (and
closed date or level), so such a view read every open, won or lost deal of the company from the index and kept
its own (a million deals: the whole index, for eight reps). Leading with owner_rep_id, then status, each rep's
deals are one seek; the company's views keep the status-first indexes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NAME = "ix_opps_owner_cover"
COLUMNS = [
    "owner_rep_id",
    "status",
    "closed_date",
    "level",
    "expected_close_date",
    "amount",
    "product_line",
    "account_id",
    "created_date",
    "loss_reason",
    "competitor",
]


def upgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(NAME, COLUMNS, unique=False)
    # the planner's statistics of the new index (data_access/stats.py keeps them present; a database that
    # already had statistics would otherwise plan this index blind until its next import)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ANALYZE {NAME}")
    else:
        op.execute("ANALYZE opportunities")


def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index(NAME)
