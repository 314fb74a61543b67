"""the outcome covering index also holds level and created_date

Win/loss counts closed deals per level at close and per sales cycle (closed_date - created_date) in SQL;
without these two columns in the index, each of the period's closed deals (392,000 in a year at a million
deals) costs a read of its table row.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NAME = "ix_opps_outcome_cover"
BEFORE = ["status", "closed_date", "owner_rep_id", "product_line", "account_id", "amount", "loss_reason", "competitor"]
AFTER = [*BEFORE, "level", "created_date"]


def _replace(columns: list[str]) -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index(NAME)
        batch_op.create_index(NAME, columns, unique=False)


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    _replace(BEFORE)
