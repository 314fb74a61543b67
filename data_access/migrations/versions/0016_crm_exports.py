"""Imports from a CRM's own export (issue 22): a contract may be derived from a won deal of the export (its amount
and close date; ``origin`` says so), whose gross margin the export does not hold (NULL: unknown, never 0).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("origin", sa.String(20), nullable=True))
        batch.alter_column("gross_margin", existing_type=sa.Numeric(14, 2), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE contracts SET gross_margin = 0 WHERE gross_margin IS NULL")
    with op.batch_alter_table("contracts") as batch:
        batch.alter_column("gross_margin", existing_type=sa.Numeric(14, 2), nullable=False)
        batch.drop_column("origin")
