"""The forecast (issue 21): each deal-level summary row carries the deal's close date and whether it closed by its
expected date, so the rates of a level (won, in time) of the deals closed in a window are one index range, not a
join of every closed deal with its levels; and the open deals by their latest stage entry have an index (the
company's stalled deals were a pass over every row).

The new columns are filled from the deals in the same migration.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEX = ("closed_date", "level", "status", "on_time", "owner_rep_id", "product_line")
STALLED = ("status", "last_entered", "owner_rep_id", "account_id", "product_line", "level", "opportunity_id")


def upgrade() -> None:
    op.add_column("deal_levels", sa.Column("closed_date", sa.Date(), nullable=True))
    op.add_column("deal_levels", sa.Column("on_time", sa.Boolean(), nullable=True))
    op.execute(
        """
        UPDATE deal_levels SET
            closed_date = (SELECT o.closed_date FROM opportunities o WHERE o.id = deal_levels.opportunity_id),
            on_time = (
                SELECT CASE WHEN o.closed_date IS NULL THEN NULL
                            WHEN o.closed_date <= o.expected_close_date THEN TRUE ELSE FALSE END
                FROM opportunities o WHERE o.id = deal_levels.opportunity_id
            )
        """
    )
    op.create_index("ix_deal_levels_closed", "deal_levels", list(INDEX))
    op.create_index("ix_deal_levels_stalled", "deal_levels", list(STALLED))
    # planner statistics of the new index where the database has them (a migrated one: issue 16's rule)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            op.execute("ANALYZE ix_deal_levels_closed")
            op.execute("ANALYZE ix_deal_levels_stalled")
    else:
        op.execute("ANALYZE deal_levels")


def downgrade() -> None:
    op.drop_index("ix_deal_levels_stalled", table_name="deal_levels")
    op.drop_index("ix_deal_levels_closed", table_name="deal_levels")
    with op.batch_alter_table("deal_levels") as batch:
        batch.drop_column("on_time")
        batch.drop_column("closed_date")
