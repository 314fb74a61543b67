"""quote_lines: the product's index carries the unit price and the date

Risk flag (1) looks for the year's unapproved lines below their product's margin floor. The whole company's read
took every line of the year from the date index, 288,531 at a million deals, and compared each with its product
(0.3-0.5 s on SQLite, the risk page's slowest statement), to keep 3,382. Below floor is a unit price under
``unit_cost / (1 - floor)``: with the product's index led by the product and then the price, each product's lines
below its floor are one range, 17,788 of all years, read in 30 ms (issue 16). The new index replaces the product's
own, which it leads.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_quote_lines_price", "quote_lines", ["product_id", "unit_price", "quoted_date"])
    op.drop_index("ix_quote_lines_product_id", table_name="quote_lines")
    # the planner's statistics of the new index (as in 0008)
    op.execute("ANALYZE ix_quote_lines_price" if op.get_bind().dialect.name == "sqlite" else "ANALYZE quote_lines")


def downgrade() -> None:
    op.create_index("ix_quote_lines_product_id", "quote_lines", ["product_id"])
    op.drop_index("ix_quote_lines_price", table_name="quote_lines")
