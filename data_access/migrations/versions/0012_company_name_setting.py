"""company_name: the company a task book is issued by, printed at its head (issue 18)

An empty name by default (``salesradar company "名称"`` sets it; the demo names its own). A database that
already has the row (set before this revision by hand) keeps it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.JSON))


def upgrade() -> None:
    present = op.get_bind().execute(sa.select(settings.c.key).where(settings.c.key == "company_name")).first()
    if present is None:
        op.bulk_insert(settings, [{"key": "company_name", "value": ""}])


def downgrade() -> None:
    op.execute(settings.delete().where(settings.c.key == "company_name"))
