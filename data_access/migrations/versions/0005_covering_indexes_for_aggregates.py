"""covering indexes for the aggregates every page runs

At a million deals the pages' sums (won/lost by period, open pipeline by level, bookings, collections)
read one row of the table per matching index entry: random reads of a large file (the RAD page's
visits per account: 2.3 s at 75,000 accounts). These indexes hold
every column those sums need, so they are answered from the index alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {
    "opportunities": {
        "ix_opps_outcome_cover": [
            "status",
            "closed_date",
            "owner_rep_id",
            "product_line",
            "account_id",
            "amount",
            "loss_reason",
            "competitor",
        ],
        "ix_opps_open_cover": [
            "status",
            "level",
            "owner_rep_id",
            "product_line",
            "account_id",
            "amount",
            "expected_close_date",
            "closed_date",
        ],
        "ix_opps_product_line": ["product_line"],
    },
    "contracts": {"ix_contracts_signed_cover": ["signed_date", "opportunity_id", "amount", "gross_margin"]},
    "payments": {"ix_payments_due_cover": ["due_date", "contract_id", "amount", "paid_amount"]},
    "visits": {"ix_visits_account_cover": ["account_id", "status", "visit_date", "rep_id"]},
}


def upgrade() -> None:
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in indexes.items():
                batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
