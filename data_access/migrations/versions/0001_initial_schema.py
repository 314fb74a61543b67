"""initial schema: every sheet of the data dictionary, teams, and settings seeded with the defaults

Revision ID: 0001
Revises:
Create Date: 2026-11-27 03:37:31.144250
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "reps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("hire_date", sa.Date(), nullable=True),
        sa.CheckConstraint("role IN ('rep', 'manager', 'director')", name="ck_reps_role"),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["reps.id"],
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rep_code"),
    )
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reps_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reps_team_id"), ["team_id"], unique=False)

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("owner_rep_id", sa.Integer(), nullable=False),
        sa.Column("key_account", sa.Boolean(), nullable=False),
        sa.Column("rad_override", sa.String(length=1), nullable=True),
        sa.CheckConstraint("rad_override IS NULL OR rad_override IN ('R', 'A', 'D')", name="ck_accounts_rad"),
        sa.ForeignKeyConstraint(
            ["owner_rep_id"],
            ["reps.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_code"),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_industry"), ["industry"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_owner_rep_id"), ["owner_rep_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_region"), ["region"], unique=False)

    op.create_table(
        "quotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=True),
        sa.Column("revenue_target", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("gm_target", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("target_account_codes", sa.Text(), nullable=True),
        sa.Column("base_salary", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("target_commission", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("working_conditions", sa.Text(), nullable=True),
        sa.CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="ck_quotas_quarter"),
        sa.CheckConstraint("revenue_target >= 0 AND gm_target >= 0", name="ck_quotas_targets"),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["reps.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rep_id", "year", "quarter", name="uq_quotas_rep_period"),
    )
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotas_rep_id"), ["rep_id"], unique=False)
        batch_op.create_index("ix_quotas_year_quarter", ["year", "quarter"], unique=False)

    op.create_table(
        "buying_power",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("bp", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.CheckConstraint("bp >= 0", name="ck_buying_power_bp"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "year", name="uq_buying_power_account_year"),
    )
    with op.batch_alter_table("buying_power", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_buying_power_year"), ["year"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("decision_role", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "decision_role IN ('decision_maker', 'policy_maker', 'influencer', 'end_user')",
            name="ck_contacts_role",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_account_id"), ["account_id"], unique=False)

    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opp_code", sa.String(length=50), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("owner_rep_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_date", sa.Date(), nullable=False),
        sa.Column("expected_close_date", sa.Date(), nullable=False),
        sa.Column("product_line", sa.String(length=100), nullable=True),
        sa.Column("gross_margin", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("closed_date", sa.Date(), nullable=True),
        sa.Column("loss_reason", sa.String(length=200), nullable=True),
        sa.Column("win_reason", sa.String(length=200), nullable=True),
        sa.Column("competitor", sa.String(length=100), nullable=True),
        sa.CheckConstraint("status IN ('open', 'won', 'lost')", name="ck_opps_status"),
        sa.CheckConstraint("amount >= 0", name="ck_opps_amount"),
        sa.CheckConstraint("level BETWEEN 1 AND 6", name="ck_opps_level"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_rep_id"],
            ["reps.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("opp_code"),
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunities_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunities_created_date"), ["created_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunities_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunities_owner_rep_id"), ["owner_rep_id"], unique=False)
        batch_op.create_index("ix_opps_closed", ["closed_date", "status"], unique=False)
        batch_op.create_index("ix_opps_status_close", ["status", "expected_close_date"], unique=False)
        batch_op.create_index("ix_opps_status_owner", ["status", "owner_rep_id"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_code", sa.String(length=50), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("signed_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("gross_margin", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.CheckConstraint("amount >= 0", name="ck_contracts_amount"),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_code"),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_opportunity_id"), ["opportunity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_signed_date"), ["signed_date"], unique=False)

    op.create_table(
        "stage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("entered_date", sa.Date(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 6", name="ck_stage_history_level"),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stage_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_history_entered_date"), ["entered_date"], unique=False)
        batch_op.create_index("ix_stage_history_opp_level", ["opportunity_id", "level"], unique=False)

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('visit', 'call', 'exec_visit', 'vip_event', 'dinner', 'seminar')", name="ck_visits_kind"
        ),
        sa.CheckConstraint("status IN ('planned', 'done')", name="ck_visits_status"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["reps.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_account_date", ["account_id", "visit_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_visits_opportunity_id"), ["opportunity_id"], unique=False)
        batch_op.create_index("ix_visits_rep_date", ["rep_id", "visit_date"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.String(length=20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("paid_date", sa.Date(), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.CheckConstraint(
            "milestone IN ('advance', 'progress', 'acceptance', 'retention')", name="ck_payments_milestone"
        ),
        sa.CheckConstraint("amount >= 0 AND (paid_amount IS NULL OR paid_amount >= 0)", name="ck_payments_amounts"),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "milestone", name="uq_payments_contract_milestone"),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_due_date"), ["due_date"], unique=False)

    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
    op.bulk_insert(
        settings,
        [
            # The data dictionary's defaults, frozen here; tests compare them with metrics.settings.
            {
                "key": "level_probabilities",
                "value": {"1": 0.1, "2": 0.25, "3": 0.5, "4": 0.75, "5": 0.9, "6": 1.0},
            },
            {"key": "rad_thresholds", "value": {"r_min": 0.5, "a_max": 0.1}},
            {
                "key": "commission_tiers",
                "value": [
                    {"from": 0.0, "upto": 1.0, "multiplier": 1.0},
                    {"from": 1.0, "upto": 1.5, "multiplier": 1.5},
                    {"from": 1.5, "upto": None, "multiplier": 2.0},
                ],
            },
            {"key": "base_share", "value": 0.5},
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_due_date"))

    op.drop_table("payments")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_rep_date")
        batch_op.drop_index(batch_op.f("ix_visits_opportunity_id"))
        batch_op.drop_index("ix_visits_account_date")

    op.drop_table("visits")
    with op.batch_alter_table("stage_history", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_history_opp_level")
        batch_op.drop_index(batch_op.f("ix_stage_history_entered_date"))

    op.drop_table("stage_history")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_signed_date"))
        batch_op.drop_index(batch_op.f("ix_contracts_opportunity_id"))

    op.drop_table("contracts")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opps_status_owner")
        batch_op.drop_index("ix_opps_status_close")
        batch_op.drop_index("ix_opps_closed")
        batch_op.drop_index(batch_op.f("ix_opportunities_owner_rep_id"))
        batch_op.drop_index(batch_op.f("ix_opportunities_level"))
        batch_op.drop_index(batch_op.f("ix_opportunities_created_date"))
        batch_op.drop_index(batch_op.f("ix_opportunities_account_id"))

    op.drop_table("opportunities")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_account_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("buying_power", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buying_power_year"))

    op.drop_table("buying_power")
    with op.batch_alter_table("quotas", schema=None) as batch_op:
        batch_op.drop_index("ix_quotas_year_quarter")
        batch_op.drop_index(batch_op.f("ix_quotas_rep_id"))

    op.drop_table("quotas")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_region"))
        batch_op.drop_index(batch_op.f("ix_accounts_owner_rep_id"))
        batch_op.drop_index(batch_op.f("ix_accounts_industry"))

    op.drop_table("accounts")
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reps_team_id"))
        batch_op.drop_index(batch_op.f("ix_reps_manager_id"))

    op.drop_table("reps")
    op.drop_table("teams")
    op.drop_table("settings")
