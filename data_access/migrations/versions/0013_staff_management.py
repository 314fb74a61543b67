"""Staff management (issue 19): customer events and their attendees, training, the app's change log, and
what "My week" writes on a visit (next step, order, author and time)

The training requirement (40 h a year by default) becomes a setting; a database that already has the row
keeps it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
Money = sa.Numeric(14, 2)
EVENT_KINDS = "'dinner_6a2r', 'vip_event', 'exec_roundtable', 'seminar', 'service_month', 'partner_event'"
TRAINING_KINDS = "'product', 'technical', 'sales_method', 'compliance'"


def upgrade() -> None:
    # plain ADD COLUMNs (SQLite: no copy of the visits table, millions of rows at scale); so the author is a
    # user id without a foreign key (SQLite cannot add one without that copy)
    op.add_column("visits", sa.Column("next_step", sa.Text(), nullable=True))
    op.add_column("visits", sa.Column("next_step_date", sa.Date(), nullable=True))
    op.add_column("visits", sa.Column("position", sa.Integer(), nullable=True))
    op.add_column("visits", sa.Column("created_by", sa.Integer(), nullable=True))
    op.add_column("visits", sa.Column("created_at", sa.DateTime(), nullable=True))
    op.add_column("visits", sa.Column("updated_at", sa.DateTime(), nullable=True))
    op.create_index("ix_visits_date", "visits", ["visit_date", "rep_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("organiser_rep_id", sa.Integer(), nullable=False),
        sa.Column("cost", Money, nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(f"kind IN ({EVENT_KINDS})", name="ck_events_kind"),
        sa.ForeignKeyConstraint(["organiser_rep_id"], ["reps.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_events_created_by"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_code"),
    )
    op.create_index("ix_events_date", "events", ["event_date"])
    op.create_index("ix_events_organiser_rep_id", "events", ["organiser_rep_id"])
    op.create_table(
        "event_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "account_id", name="uq_event_attendees_event_account"),
    )
    op.create_index("ix_event_attendees_account", "event_attendees", ["account_id", "event_id"])
    op.create_table(
        "training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("training_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(6, 2), nullable=False),
        sa.Column("score", sa.Numeric(5, 1), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.CheckConstraint(f"kind IN ({TRAINING_KINDS})", name="ck_training_kind"),
        sa.ForeignKeyConstraint(["rep_id"], ["reps.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_training_rep_date", "training", ["rep_id", "training_date"])
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_change_log_user_id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_log_entity", "change_log", ["entity", "entity_id", "changed_at"])
    present = (
        op.get_bind().execute(sa.select(settings.c.key).where(settings.c.key == "training_required_hours")).first()
    )
    if present is None:
        op.bulk_insert(settings, [{"key": "training_required_hours", "value": 40.0}])


def downgrade() -> None:
    op.execute(settings.delete().where(settings.c.key == "training_required_hours"))
    op.drop_index("ix_change_log_entity", table_name="change_log")
    op.drop_table("change_log")
    op.drop_index("ix_training_rep_date", table_name="training")
    op.drop_table("training")
    op.drop_index("ix_event_attendees_account", table_name="event_attendees")
    op.drop_table("event_attendees")
    op.drop_index("ix_events_organiser_rep_id", table_name="events")
    op.drop_index("ix_events_date", table_name="events")
    op.drop_table("events")
    op.drop_index("ix_visits_date", table_name="visits")
    with op.batch_alter_table("visits") as batch:
        for name in ("updated_at", "created_at", "created_by", "position", "next_step_date", "next_step"):
            batch.drop_column(name)
