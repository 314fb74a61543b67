"""Sales support (issue 20): bids, technical support requests, the price list and quote lines; the margin floor
and the risk flags' thresholds as settings (a database that already has a row keeps it)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
Money = sa.Numeric(14, 2)
BID_STATUSES = "'preparing', 'submitted', 'won', 'lost', 'withdrawn', 'no_bid'"
SUPPORT_KINDS = "'demo', 'solution_design', 'poc', 'site_survey', 'consulting'"
NEW_SETTINGS = {
    "floor_margin": 0.15,
    "risk_thresholds": {
        "contract_below_quote": 0.05,
        "discount_gap": 0.10,
        "min_team_reps": 3,
        "event_cost_share": 0.10,
    },
}


def upgrade() -> None:
    op.create_table(
        "bids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bid_code", sa.String(length=50), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("tender_name", sa.String(length=200), nullable=False),
        sa.Column("published_date", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_date", sa.Date(), nullable=True),
        sa.Column("bid_amount", Money, nullable=True),
        sa.Column("support_owner", sa.String(length=100), nullable=True),
        sa.Column("result_date", sa.Date(), nullable=True),
        sa.CheckConstraint(f"status IN ({BID_STATUSES})", name="ck_bids_status"),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bid_code"),
    )
    op.create_index("ix_bids_deadline", "bids", ["deadline", "opportunity_id"])
    op.create_index("ix_bids_opportunity_id", "bids", ["opportunity_id"])
    op.create_table(
        "support_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_code", sa.String(length=50), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_rep_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("requested_date", sa.Date(), nullable=False),
        sa.Column("engineer", sa.String(length=100), nullable=True),
        sa.Column("resolved_date", sa.Date(), nullable=True),
        sa.Column("hours", sa.Numeric(8, 2), nullable=True),
        sa.CheckConstraint(f"kind IN ({SUPPORT_KINDS})", name="ck_support_requests_kind"),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"]),
        sa.ForeignKeyConstraint(["requested_by_rep_id"], ["reps.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_code"),
    )
    op.create_index("ix_support_requests_date", "support_requests", ["requested_date", "opportunity_id"])
    op.create_index("ix_support_requests_opportunity_id", "support_requests", ["opportunity_id"])
    op.create_index("ix_support_requests_requested_by_rep_id", "support_requests", ["requested_by_rep_id"])
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.String(length=50), nullable=False),
        sa.Column("product_line", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("list_price", Money, nullable=False),
        sa.Column("unit_cost", Money, nullable=False),
        sa.Column("floor_margin", sa.Numeric(5, 4), nullable=True),
        sa.CheckConstraint("list_price >= 0 AND unit_cost >= 0", name="ck_products_prices"),
        sa.CheckConstraint(
            "floor_margin IS NULL OR (floor_margin >= 0 AND floor_margin <= 1)", name="ck_products_floor"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_code"),
    )
    op.create_table(
        "quote_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_code", sa.String(length=50), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("quoted_date", sa.Date(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(14, 2), nullable=False),
        sa.Column("unit_price", Money, nullable=False),
        sa.Column("approved_by_rep_id", sa.Integer(), nullable=True),
        sa.Column("approval_note", sa.Text(), nullable=True),
        sa.CheckConstraint("quantity > 0 AND unit_price >= 0", name="ck_quote_lines_amounts"),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"]),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.ForeignKeyConstraint(["approved_by_rep_id"], ["reps.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quote_code", "product_id", name="uq_quote_lines_quote_product"),
    )
    op.create_index("ix_quote_lines_opp", "quote_lines", ["opportunity_id", "quoted_date"])
    op.create_index("ix_quote_lines_date", "quote_lines", ["quoted_date", "opportunity_id"])
    op.create_index("ix_quote_lines_product_id", "quote_lines", ["product_id"])
    op.create_index("ix_quote_lines_approved_by_rep_id", "quote_lines", ["approved_by_rep_id"])
    bind = op.get_bind()
    for key, value in NEW_SETTINGS.items():
        if bind.execute(sa.select(settings.c.key).where(settings.c.key == key)).first() is None:
            op.bulk_insert(settings, [{"key": key, "value": value}])


def downgrade() -> None:
    op.execute(settings.delete().where(settings.c.key.in_(list(NEW_SETTINGS))))
    for name in (
        "ix_quote_lines_approved_by_rep_id",
        "ix_quote_lines_product_id",
        "ix_quote_lines_date",
        "ix_quote_lines_opp",
    ):
        op.drop_index(name, table_name="quote_lines")
    op.drop_table("quote_lines")
    op.drop_table("products")
    for name in (
        "ix_support_requests_requested_by_rep_id",
        "ix_support_requests_opportunity_id",
        "ix_support_requests_date",
    ):
        op.drop_index(name, table_name="support_requests")
    op.drop_table("support_requests")
    op.drop_index("ix_bids_opportunity_id", table_name="bids")
    op.drop_index("ix_bids_deadline", table_name="bids")
    op.drop_table("bids")
