"""opportunity changes recorded by imports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 04:48:02.360303
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opportunity_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.String(length=200), nullable=True),
        sa.Column("new_value", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("opportunity_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_changes_changed_on"), ["changed_on"], unique=False)
        batch_op.create_index("ix_opportunity_changes_opp_date", ["opportunity_id", "changed_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("opportunity_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunity_changes_opp_date")
        batch_op.drop_index(batch_op.f("ix_opportunity_changes_changed_on"))

    op.drop_table("opportunity_changes")
