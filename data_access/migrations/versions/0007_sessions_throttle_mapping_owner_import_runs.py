"""server-side sessions, a login throttle, mappings per user, import runs that say how they ended

Security round 2: sign-out must end a session on the server (``user_sessions``); failed sign-ins are
counted atomically per name, per address and per name at an address (``login_throttle``); a remembered
column mapping belongs to the user who saved it (``import_mappings.user_id``, NULL: shared by a
director); an import run records its process and a message, so one killed mid-write is marked failed
on the next start; the one row of ``import_lock`` is what an import locks, so imports run one at a time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("import_mappings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_import_mappings_sheet_header", type_="unique")
        batch_op.create_unique_constraint("uq_import_mappings_user_sheet_header", ["user_id", "sheet", "header"])
        batch_op.create_foreign_key("fk_import_mappings_user_id", "users", ["user_id"], ["id"])
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.create_index("ix_imports_status", ["status"], unique=False)
    lock = op.create_table(
        "import_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("acquired_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(lock, [{"id": 1, "holder": None, "acquired_at": None}])


def downgrade() -> None:
    op.drop_table("import_lock")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index("ix_imports_status")
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
        batch_op.drop_column("message")
    op.execute(sa.text("DELETE FROM import_mappings WHERE user_id IS NOT NULL"))
    with op.batch_alter_table("import_mappings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_import_mappings_user_id", type_="foreignkey")
        batch_op.drop_constraint("uq_import_mappings_user_sheet_header", type_="unique")
        batch_op.create_unique_constraint("uq_import_mappings_sheet_header", ["sheet", "header"])
        batch_op.drop_column("user_id")
    op.drop_table("login_throttle")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
