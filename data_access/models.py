"""SQLAlchemy 2 models: one table per sheet of ``shared/data-dictionary.md`` plus teams and settings.

Business keys (``*_code``) are unique; foreign keys use surrogate integer ids. Money is CNY with two
decimals, stored as NUMERIC(14, 2) and read back as float (the BI layer aggregates, it never books).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money: Numeric[float] = Numeric(14, 2, asdecimal=False)  # typed: models_summaries imports it in a cycle

ROLES = ("rep", "manager", "director")
RAD_CLASSES = ("R", "A", "D")
DECISION_ROLES = ("decision_maker", "policy_maker", "influencer", "end_user")
OPP_STATUSES = ("open", "won", "lost")
LEVELS = (1, 2, 3, 4, 5, 6)
MILESTONES = ("advance", "progress", "acceptance", "retention")
VISIT_KINDS = ("visit", "call", "exec_visit", "vip_event", "dinner", "seminar")
VISIT_STATUSES = ("planned", "done")
EVENT_KINDS = ("dinner_6a2r", "vip_event", "exec_roundtable", "seminar", "service_month", "partner_event")
TRAINING_KINDS = ("product", "technical", "sales_method", "compliance")


def _in(column: str, values: tuple[object, ...]) -> str:
    """SQL text of a CHECK that ``column`` is one of fixed literal ``values`` (schema DDL, not a query)."""
    rendered = ", ".join(repr(v) for v in values)
    return f"{column} IN ({rendered})"


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region: Mapped[str | None] = mapped_column(String(100))

    reps: Mapped[list[Rep]] = relationship(back_populates="team")


class Rep(Base):
    __tablename__ = "reps"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_reps_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), default="rep")
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    hire_date: Mapped[date | None] = mapped_column(Date)

    team: Mapped[Team | None] = relationship(back_populates="reps")
    manager: Mapped[Rep | None] = relationship(remote_side=[id])


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(f"rad_override IS NULL OR {_in('rad_override', RAD_CLASSES)}", name="ck_accounts_rad"),
        # the overridden accounts of a RAD class, without reading every account (migration 0010)
        Index(
            "ix_accounts_override",
            "rad_override",
            sqlite_where=text("rad_override IS NOT NULL"),
            postgresql_where=text("rad_override IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(100), index=True)
    region: Mapped[str] = mapped_column(String(100), index=True)
    city: Mapped[str | None] = mapped_column(String(100))
    owner_rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    key_account: Mapped[bool] = mapped_column(Boolean, default=False)
    rad_override: Mapped[str | None] = mapped_column(String(1))


class BuyingPower(Base):
    __tablename__ = "buying_power"
    __table_args__ = (
        UniqueConstraint("account_id", "year", name="uq_buying_power_account_year"),
        CheckConstraint("bp >= 0", name="ck_buying_power_bp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    bp: Mapped[float] = mapped_column(Money)
    source: Mapped[str | None] = mapped_column(String(200))


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (CheckConstraint(_in("decision_role", DECISION_ROLES), name="ck_contacts_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    decision_role: Mapped[str] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))


class Opportunity(Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 6", name="ck_opps_level"),
        CheckConstraint(_in("status", OPP_STATUSES), name="ck_opps_status"),
        CheckConstraint("amount >= 0", name="ck_opps_amount"),
        Index("ix_opps_status_owner", "status", "owner_rep_id"),
        Index("ix_opps_status_close", "status", "expected_close_date"),
        Index("ix_opps_closed", "closed_date", "status"),
        # covering indexes (migration 0005): the pages' sums read the index, never the table
        Index(
            "ix_opps_outcome_cover",
            "status",
            "closed_date",
            "owner_rep_id",
            "product_line",
            "account_id",
            "amount",
            "loss_reason",
            "competitor",
            "level",  # win/loss per level at close and per sales cycle (migration 0006)
            "created_date",
        ),
        Index(
            "ix_opps_open_cover",
            "status",
            "level",
            "owner_rep_id",
            "product_line",
            "account_id",
            "amount",
            "expected_close_date",
            "closed_date",
        ),
        Index("ix_opps_product_line", "product_line"),
        # a team's or a rep's sums: each owner's deals in one seek (migration 0008)
        Index(
            "ix_opps_owner_cover",
            "owner_rep_id",
            "status",
            "closed_date",
            "level",
            "expected_close_date",
            "amount",
            "product_line",
            "account_id",
            "created_date",
            "loss_reason",
            "competitor",
        ),
        # a RAD class's or an account's deals: each account's in one seek, never a visit to the table (migration
        # 0010, replacing the one-column account index)
        Index(
            "ix_opps_account_cover",
            "account_id",
            "status",
            "closed_date",
            "level",
            "expected_close_date",
            "amount",
            "product_line",
            "owner_rep_id",
            "created_date",
            "loss_reason",
            "competitor",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opp_code: Mapped[str] = mapped_column(String(50), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    owner_rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[float] = mapped_column(Money)
    level: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(10))
    created_date: Mapped[date] = mapped_column(Date, index=True)
    expected_close_date: Mapped[date] = mapped_column(Date)
    product_line: Mapped[str | None] = mapped_column(String(100))
    gross_margin: Mapped[float | None] = mapped_column(Money)
    closed_date: Mapped[date | None] = mapped_column(Date)
    loss_reason: Mapped[str | None] = mapped_column(String(200))
    win_reason: Mapped[str | None] = mapped_column(String(200))
    competitor: Mapped[str | None] = mapped_column(String(100))

    history: Mapped[list[StageHistory]] = relationship(
        back_populates="opportunity", order_by="StageHistory.entered_date"
    )


class StageHistory(Base):
    __tablename__ = "stage_history"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 6", name="ck_stage_history_level"),
        Index("ix_stage_history_opp_level", "opportunity_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"))
    level: Mapped[int] = mapped_column(Integer)
    entered_date: Mapped[date] = mapped_column(Date, index=True)

    opportunity: Mapped[Opportunity] = relationship(back_populates="history")


class Quota(Base):
    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint("rep_id", "year", "quarter", name="uq_quotas_rep_period"),
        CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="ck_quotas_quarter"),
        CheckConstraint("revenue_target >= 0 AND gm_target >= 0", name="ck_quotas_targets"),
        Index("ix_quotas_year_quarter", "year", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer)
    revenue_target: Mapped[float] = mapped_column(Money)
    gm_target: Mapped[float] = mapped_column(Money)
    target_account_codes: Mapped[str | None] = mapped_column(Text)
    base_salary: Mapped[float | None] = mapped_column(Money)
    target_commission: Mapped[float | None] = mapped_column(Money)
    working_conditions: Mapped[str | None] = mapped_column(Text)


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="ck_contracts_amount"),
        Index("ix_contracts_signed_cover", "signed_date", "opportunity_id", "amount", "gross_margin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_code: Mapped[str] = mapped_column(String(50), unique=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    signed_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[float] = mapped_column(Money)
    gross_margin: Mapped[float | None] = mapped_column(Money)  # None: unknown (a contract derived from a CRM export)
    origin: Mapped[str | None] = mapped_column(String(20))  # "crm_export": derived from a won deal of a CRM export


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_in("milestone", MILESTONES), name="ck_payments_milestone"),
        CheckConstraint("amount >= 0 AND (paid_amount IS NULL OR paid_amount >= 0)", name="ck_payments_amounts"),
        UniqueConstraint("contract_id", "milestone", name="uq_payments_contract_milestone"),
        Index("ix_payments_due_cover", "due_date", "contract_id", "amount", "paid_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    milestone: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[float] = mapped_column(Money)
    paid_date: Mapped[date | None] = mapped_column(Date)
    paid_amount: Mapped[float | None] = mapped_column(Money)


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint(_in("kind", VISIT_KINDS), name="ck_visits_kind"),
        CheckConstraint(_in("status", VISIT_STATUSES), name="ck_visits_status"),
        Index("ix_visits_rep_date", "rep_id", "visit_date"),
        Index("ix_visits_account_date", "account_id", "visit_date"),
        Index("ix_visits_account_cover", "account_id", "status", "visit_date", "rep_id"),
        # a week of the whole company (a director's team week, the visits API): one date range
        Index("ix_visits_date", "visit_date", "rep_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    visit_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    #: entered in the app ("My week"): the next step agreed and its date, the plan's order, who wrote it and when
    next_step: Mapped[str | None] = mapped_column(Text)
    next_step_date: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int | None] = mapped_column(Integer)
    #: a users.id (no foreign key: SQLite could not add one to the visits without copying the table)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class Event(Base):
    """A customer event (客户推广): a 6A+2R dinner, a VIP event, a round table; its accounts in event_attendees."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="ck_events_kind"),
        Index("ix_events_date", "event_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    event_date: Mapped[date] = mapped_column(Date)
    organiser_rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    cost: Mapped[float] = mapped_column(Money)
    partner: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", name="fk_events_created_by"))
    created_at: Mapped[datetime | None] = mapped_column(DateTime)


class EventAttendee(Base):
    """An account invited to an event; ``attended`` false when it was invited and did not come."""

    __tablename__ = "event_attendees"
    __table_args__ = (
        UniqueConstraint("event_id", "account_id", name="uq_event_attendees_event_account"),
        Index("ix_event_attendees_account", "account_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    attended: Mapped[bool] = mapped_column(Boolean, default=True)


class Training(Base):
    """A course a rep took (培训): hours count against the yearly requirement (setting ``training_required_hours``)."""

    __tablename__ = "training"
    __table_args__ = (
        CheckConstraint(_in("kind", TRAINING_KINDS), name="ck_training_kind"),
        Index("ix_training_rep_date", "rep_id", "training_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    course: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    training_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Numeric(6, 2, asdecimal=False))
    score: Mapped[float | None] = mapped_column(Numeric(5, 1, asdecimal=False))
    passed: Mapped[bool | None] = mapped_column(Boolean)


class ChangeLog(Base):
    """Every change made in the app (not by import): which row, what it was and became, who, when."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity", "entity", "entity_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", name="fk_change_log_user_id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    before: Mapped[object | None] = mapped_column(JSON)
    after: Mapped[object | None] = mapped_column(JSON)


class Setting(Base):
    """Tunable business parameters (RAD thresholds, level probabilities, commission tiers)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class User(Base):
    """A person who signs in. Reps and managers are tied to their rep row (which gives the team)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_users_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("reps.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: bumped by a password change: every session signed before it stops working
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    rep: Mapped[Rep | None] = relationship()


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class UserSession(Base):
    """One sign-in: the cookie carries its random id, only the id's SHA-256 is stored. Sign-out revokes it
    here, so a copy of the cookie kept from before stops working."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginThrottle(Base):
    """Failed sign-ins counted per key (a name, an address, a name at an address) in a fixed window."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(DateTime)


class ImportLock(Base):
    """One row (id 1): a real import updates it first, so a second import waits for the first to commit."""

    __tablename__ = "import_lock"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    acquired_at: Mapped[datetime | None] = mapped_column(DateTime)


class ImportRun(Base):
    """One import (or a rejected attempt): who, when, which file, what it changed."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(String(300))
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True)  # running / done / rejected / failed
    counts: Mapped[object] = mapped_column(JSON)
    issue_count: Mapped[int] = mapped_column(Integer, default=0)
    #: why a run failed (a short sentence and an error id; details only in the server log)
    message: Mapped[str | None] = mapped_column(Text)
    #: the host and process running it: a ``running`` row whose process is gone was interrupted
    host: Mapped[str | None] = mapped_column(String(200))
    pid: Mapped[int | None] = mapped_column(Integer)


class ImportMapping(Base):
    """A remembered column mapping: in sheet ``sheet``, a file header (normalised) means ``field``.

    It belongs to the user who saved it; ``user_id`` NULL is a shared one (only a director saves those).
    """

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("user_id", "sheet", "header", name="uq_import_mappings_user_sheet_header"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", name="fk_import_mappings_user_id"))
    sheet: Mapped[str] = mapped_column(String(50))
    header: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(50))


class OpportunityChange(Base):
    """What an import changed on an opportunity (amount, level, status, close dates), dated by its as-of.

    Stage history records levels; this records the rest, so pipeline movement between two dates
    (new, increased, decreased, slipped, won, lost) can be told from weekly snapshots.
    """

    __tablename__ = "opportunity_changes"
    __table_args__ = (Index("ix_opportunity_changes_opp_date", "opportunity_id", "changed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"))
    changed_on: Mapped[date] = mapped_column(Date, index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))


# the summary tables (issue 16) live in their own module; importing it here registers them on Base.metadata
from data_access.models_summaries import DEAL_LEVEL_SUMS as DEAL_LEVEL_SUMS  # noqa: E402
from data_access.models_summaries import STALLED_COVER as STALLED_COVER  # noqa: E402
from data_access.models_summaries import UNPAID_SUMS as UNPAID_SUMS  # noqa: E402
from data_access.models_summaries import AccountYear as AccountYear  # noqa: E402
from data_access.models_summaries import DealLevel as DealLevel  # noqa: E402
from data_access.models_summaries import UnpaidPayment as UnpaidPayment  # noqa: E402

# the support tables (issue 20) likewise
from data_access.models_support import BID_STATUSES as BID_STATUSES  # noqa: E402
from data_access.models_support import SUPPORT_KINDS as SUPPORT_KINDS  # noqa: E402
from data_access.models_support import Bid as Bid  # noqa: E402
from data_access.models_support import Product as Product  # noqa: E402
from data_access.models_support import QuoteLine as QuoteLine  # noqa: E402
from data_access.models_support import QuoteTotal as QuoteTotal  # noqa: E402
from data_access.models_support import SupportRequest as SupportRequest  # noqa: E402
