"""Queries behind the pages: SQL aggregates, scoped to the viewer, returning DataFrames or scalars.

Aggregation happens in SQL; pandas only sees the small result. Every function takes a ``Scope``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import pandas as pd
from sqlalchemy import Executable, and_, case, func, select
from sqlalchemy.orm import Session

from data_access.models import Account, BuyingPower, Contract, Opportunity, Payment, Quota, Rep, Team
from data_access.rad import account_classes
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics.sales import Outcomes


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a small query result as plain dicts (for JSON); missing values (NaN, NA) become None."""
    clean = df.astype(object).where(df.notna(), None)
    return cast(list[dict[str, Any]], clean.to_dict("records"))


def _frame(session: Session, stmt: Executable, columns: list[str]) -> pd.DataFrame:
    rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def bookings(session: Session, scope: Scope, start: date, end: date) -> tuple[float, float]:
    """Sum of contracts.amount and contracts.gross_margin signed in [start, end], owner in scope."""
    stmt = (
        select(func.coalesce(func.sum(Contract.amount), 0), func.coalesce(func.sum(Contract.gross_margin), 0))
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(Contract.signed_date.between(start, end), scope.opportunities())
    )
    amount, gm = session.execute(stmt).one()
    return float(amount), float(gm)


def quota_rows(session: Session, scope: Scope, year: int) -> pd.DataFrame:
    """One year's task-book rows of the reps in scope: rep_id, quarter, revenue_target, gm_target,
    target_commission."""
    stmt = select(Quota.rep_id, Quota.quarter, Quota.revenue_target, Quota.gm_target, Quota.target_commission).where(
        Quota.year == year, scope.condition(Quota.rep_id)
    )
    return _frame(session, stmt, ["rep_id", "quarter", "revenue_target", "gm_target", "target_commission"])


def open_pipeline_by_level(session: Session, scope: Scope) -> pd.DataFrame:
    """Open opportunities by level: level, count, amount."""
    stmt = (
        select(Opportunity.level, func.count(), func.coalesce(func.sum(Opportunity.amount), 0))
        .where(Opportunity.status == "open", scope.opportunities())
        .group_by(Opportunity.level)
        .order_by(Opportunity.level)
    )
    df = _frame(session, stmt, ["level", "count", "amount"])
    return df.astype({"level": int, "count": int, "amount": float})


def open_pipeline_due(session: Session, scope: Scope, end: date) -> float:
    """Sum of amount of open opportunities whose expected_close_date <= end."""
    stmt = select(func.coalesce(func.sum(Opportunity.amount), 0)).where(
        Opportunity.status == "open",
        Opportunity.expected_close_date <= end,
        scope.opportunities(),
    )
    return float(session.execute(stmt).scalar_one())


def closed_outcomes(session: Session, scope: Scope, start: date, end: date) -> Outcomes:
    """Count and amount of won and lost opportunities closed in [start, end]."""
    stmt = (
        select(Opportunity.status, func.count(), func.coalesce(func.sum(Opportunity.amount), 0))
        .where(
            Opportunity.status.in_(("won", "lost")),
            Opportunity.closed_date.between(start, end),
            scope.opportunities(),
        )
        .group_by(Opportunity.status)
    )
    found = {status: (int(n), float(amount)) for status, n, amount in session.execute(stmt)}
    won, lost = found.get("won", (0, 0.0)), found.get("lost", (0, 0.0))
    return Outcomes(won_count=won[0], lost_count=lost[0], won_amount=won[1], lost_amount=lost[1])


def unpaid_payments_due_before(session: Session, scope: Scope, today: date) -> pd.DataFrame:
    """Payments due before ``today`` and not fully paid: due_date, amount, paid_amount."""
    stmt = (
        select(Payment.due_date, Payment.amount, Payment.paid_amount)
        .join(Contract, Contract.id == Payment.contract_id)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(
            Payment.due_date < today,
            and_(func.coalesce(Payment.paid_amount, 0) < Payment.amount),
            scope.opportunities(),
        )
    )
    return _frame(session, stmt, ["due_date", "amount", "paid_amount"])


def teams(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Teams that own at least one rep visible in scope: (id, name), by name."""
    stmt = (
        select(Team.id, Team.name)
        .where(Team.id.in_(select(Rep.team_id).where(scope.condition(Rep.id))))
        .order_by(Team.name)
    )
    return [(int(tid), str(name)) for tid, name in session.execute(stmt)]


def has_any_data(session: Session) -> bool:
    """True when the database holds any rep, account or opportunity."""
    models = (Rep, Account, Opportunity)
    return any(session.execute(select(m.id).limit(1)).first() is not None for m in models)


def account_year(session: Session, scope: Scope, year: int) -> pd.DataFrame:
    """Accounts owned in scope with their BP and bookings of ``year``: account_code, name, bp (None when
    unknown), bookings, rad_override, owner_rep_id."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    booked = (
        select(Opportunity.account_id.label("account_id"), func.sum(Contract.amount).label("bookings"))
        .join(Contract, Contract.opportunity_id == Opportunity.id)
        .where(Contract.signed_date.between(start, end))
        .group_by(Opportunity.account_id)
        .subquery()
    )
    stmt = (
        select(
            Account.account_code,
            Account.name,
            BuyingPower.bp,
            func.coalesce(booked.c.bookings, 0),
            Account.rad_override,
            Account.owner_rep_id,
        )
        .outerjoin(BuyingPower, and_(BuyingPower.account_id == Account.id, BuyingPower.year == year))
        .outerjoin(booked, booked.c.account_id == Account.id)
        .where(scope.condition(Account.owner_rep_id))
        .order_by(Account.account_code)
    )
    df = _frame(session, stmt, ["account_code", "name", "bp", "bookings", "rad_override", "owner_rep_id"])
    return df.astype({"bookings": float})


def loss_reasons(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Lost deals closed in [start, end] by loss_reason (None = reason missing): reason, count, amount."""
    stmt = (
        select(Opportunity.loss_reason, func.count(), func.coalesce(func.sum(Opportunity.amount), 0))
        .where(
            Opportunity.status == "lost",
            Opportunity.closed_date.between(start, end),
            scope.opportunities(),
        )
        .group_by(Opportunity.loss_reason)
    )
    df = _frame(session, stmt, ["reason", "count", "amount"]).astype({"count": int, "amount": float})
    return df.sort_values(["count", "amount"], ascending=False, ignore_index=True)


def competitor_outcomes(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Deals closed in [start, end] against a named competitor: competitor, won, lost (counts), won_amount,
    lost_amount."""
    won = func.sum(case((Opportunity.status == "won", 1), else_=0))
    lost = func.sum(case((Opportunity.status == "lost", 1), else_=0))
    won_amount = func.sum(case((Opportunity.status == "won", Opportunity.amount), else_=0))
    lost_amount = func.sum(case((Opportunity.status == "lost", Opportunity.amount), else_=0))
    stmt = (
        select(Opportunity.competitor, won, lost, won_amount, lost_amount)
        .where(
            Opportunity.status.in_(("won", "lost")),
            Opportunity.competitor.is_not(None),
            Opportunity.closed_date.between(start, end),
            scope.opportunities(),
        )
        .group_by(Opportunity.competitor)
        .order_by(Opportunity.competitor)
    )
    columns = ["competitor", "won", "lost", "won_amount", "lost_amount"]
    return _frame(session, stmt, columns).astype({"won": int, "lost": int, "won_amount": float, "lost_amount": float})


CLOSED_DEAL_COLUMNS = [
    "id",
    "opp_code",
    "name",
    "account",
    "industry",
    "region",
    "team",
    "rep_code",
    "owner",
    "product_line",
    "competitor",
    "amount",
    "level",
    "status",
    "created_date",
    "closed_date",
    "loss_reason",
    "win_reason",
    "rad_class",
]


def closed_deals(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Opportunities won or lost with closed_date in [start, end], in scope, largest first, with what win/loss
    analysis cuts them by (CLOSED_DEAL_COLUMNS): the account's industry and region, the owner's team, code
    and name, product line, competitor, level at close, reasons, and rad_class, the account's RAD class in
    the year of ``end`` (``data_access.rad``, thresholds from the settings; ``none``: SOW unknown)."""
    settings = load_settings(session)
    classes = account_classes(end.year, settings.rad_r_min, settings.rad_a_max)
    stmt = (
        select(
            Opportunity.id,
            Opportunity.opp_code,
            Opportunity.name,
            Account.name,
            Account.industry,
            Account.region,
            Team.name,
            Rep.rep_code,
            Rep.name,
            Opportunity.product_line,
            Opportunity.competitor,
            Opportunity.amount,
            Opportunity.level,
            Opportunity.status,
            Opportunity.created_date,
            Opportunity.closed_date,
            Opportunity.loss_reason,
            Opportunity.win_reason,
            classes.c.rad_class,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .outerjoin(Team, Team.id == Rep.team_id)
        .outerjoin(classes, classes.c.account_id == Opportunity.account_id)
        .where(
            Opportunity.status.in_(("won", "lost")),
            Opportunity.closed_date.between(start, end),
            scope.opportunities(),
        )
        .order_by(Opportunity.amount.desc(), Opportunity.opp_code)
    )
    return _frame(session, stmt, CLOSED_DEAL_COLUMNS).astype({"amount": float})


def rep_by_code(session: Session, rep_code: str) -> tuple[int, int | None] | None:
    """(rep id, team id) of a rep code, or None."""
    row = session.execute(select(Rep.id, Rep.team_id).where(Rep.rep_code == rep_code)).first()
    return (int(row[0]), row[1]) if row else None


def rep_in_scope(session: Session, scope: Scope, rep_id: int) -> bool:
    return session.execute(select(Rep.id).where(Rep.id == rep_id, scope.condition(Rep.id))).first() is not None


def recent_imports(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The import log, newest first: when, who, file, status, rows created and updated."""
    from data_access.models import ImportRun

    out = []
    for run in session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)):
        counts = run.counts if isinstance(run.counts, dict) else {}
        out.append(
            {
                "when": run.started_at.strftime("%Y-%m-%d %H:%M"),
                "who": run.username,
                "file": run.file_name,
                "status": run.status,
                "created": sum(int(c.get("created", 0)) for c in counts.values()),
                "updated": sum(int(c.get("updated", 0)) for c in counts.values()),
            }
        )
    return out


def movement_rows(
    session: Session, scope: Scope, start: date, end: date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The inputs of ``metrics.movement``: opportunities that may be in the pipeline at ``start`` or ``end``
    (created by ``end``, not closed before ``start``), their logged changes, and their stage history."""
    from data_access.models import OpportunityChange, StageHistory

    relevant = select(Opportunity.id).where(
        Opportunity.created_date <= end,
        (Opportunity.closed_date.is_(None)) | (Opportunity.closed_date > start),
        scope.opportunities(),
    )
    opps = _frame(
        session,
        select(
            Opportunity.id,
            Opportunity.opp_code,
            Opportunity.status,
            Opportunity.closed_date,
            Opportunity.amount,
            Opportunity.expected_close_date,
            Opportunity.created_date,
        ).where(Opportunity.id.in_(relevant)),
        ["id", "opp_code", "status", "closed_date", "amount", "expected_close_date", "created_date"],
    )
    changes = _frame(
        session,
        select(
            OpportunityChange.opportunity_id,
            OpportunityChange.changed_on,
            OpportunityChange.field,
            OpportunityChange.old_value,
        ).where(OpportunityChange.opportunity_id.in_(relevant), OpportunityChange.changed_on > start),
        ["opportunity_id", "changed_on", "field", "old_value"],
    )
    history = _frame(
        session,
        select(StageHistory.opportunity_id, StageHistory.level, StageHistory.entered_date).where(
            StageHistory.opportunity_id.in_(relevant), StageHistory.entered_date <= end
        ),
        ["opportunity_id", "level", "entered_date"],
    )
    return opps.set_index("id"), changes, history


DEAL_COLUMNS = ["id", "opp_code", "name", "account", "owner", "level", "amount", "expected_close_date", "created_date"]


def _deals(session: Session, scope: Scope, condition: Any, limit: int) -> pd.DataFrame:
    """A list of deals (the columns of DEAL_COLUMNS), in scope, largest first."""
    stmt = (
        select(
            Opportunity.id,
            Opportunity.opp_code,
            Opportunity.name,
            Account.name,
            Rep.name,
            Opportunity.level,
            Opportunity.amount,
            Opportunity.expected_close_date,
            Opportunity.created_date,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .where(condition, scope.opportunities())
        .order_by(Opportunity.amount.desc(), Opportunity.opp_code)
        .limit(limit)
    )
    return _frame(session, stmt, DEAL_COLUMNS)


def opportunity_rows(
    session: Session, scope: Scope, codes: list[str] | None = None, ids: list[int] | None = None
) -> pd.DataFrame:
    """Opportunities by code or id (at most 1000), in scope, largest first (DEAL_COLUMNS)."""
    if not codes and not ids:
        return pd.DataFrame(columns=DEAL_COLUMNS)
    wanted = Opportunity.opp_code.in_(codes[:1000]) if codes else Opportunity.id.in_([int(i) for i in ids or []][:1000])
    return _deals(session, scope, wanted, 1000)


def funnel_history(session: Session, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage history (opportunity_id, level, entered_date) and outcomes (by id: status, closed_date) of the
    opportunities in scope."""
    from data_access.models import StageHistory

    owned = select(Opportunity.id).where(scope.opportunities())
    history = _frame(
        session,
        select(StageHistory.opportunity_id, StageHistory.level, StageHistory.entered_date).where(
            StageHistory.opportunity_id.in_(owned)
        ),
        ["opportunity_id", "level", "entered_date"],
    )
    opps = _frame(
        session,
        select(Opportunity.id, Opportunity.status, Opportunity.closed_date).where(scope.opportunities()),
        ["id", "status", "closed_date"],
    )
    return history, opps.set_index("id")


def _stage_condition(stage: str, start: date, end: date) -> Any:
    """Rows of one funnel stage: an open level "1".."5", won deals still collecting "5w", or cash in "6"
    (won deals of the period, by closed date)."""
    if stage in ("1", "2", "3", "4", "5"):
        return and_(Opportunity.status == "open", Opportunity.level == int(stage))
    level = 5 if stage == "5w" else 6
    return and_(Opportunity.status == "won", Opportunity.level == level, Opportunity.closed_date.between(start, end))


STAGES = ("1", "2", "3", "4", "5", "5w", "6")


def funnel_stages(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """The six levels to cash: open deals at levels 1-5, then the period's won deals still collecting (5w)
    and fully collected (6): stage, count, amount."""
    out = []
    for stage in STAGES:
        n, amount = session.execute(
            select(func.count(), func.coalesce(func.sum(Opportunity.amount), 0)).where(
                _stage_condition(stage, start, end), scope.opportunities()
            )
        ).one()
        out.append((stage, int(n), float(amount)))
    return pd.DataFrame(out, columns=["stage", "count", "amount"])


def stage_opportunities(
    session: Session, scope: Scope, stage: str, start: date, end: date, limit: int = 2000
) -> pd.DataFrame:
    """The deals behind one funnel stage, largest first (DEAL_COLUMNS)."""
    return _deals(session, scope, _stage_condition(stage, start, end), limit)


def opportunity_detail(session: Session, scope: Scope, opp_code: str) -> tuple[dict[str, Any], pd.DataFrame] | None:
    """One opportunity in scope (None if unknown or outside the scope, alike) and its stage history."""
    from data_access.models import StageHistory

    row = session.execute(
        select(
            Opportunity.id,
            Opportunity.opp_code,
            Opportunity.name,
            Account.account_code,
            Account.name,
            Rep.rep_code,
            Rep.name,
            Opportunity.amount,
            Opportunity.level,
            Opportunity.status,
            Opportunity.created_date,
            Opportunity.expected_close_date,
            Opportunity.closed_date,
            Opportunity.product_line,
            Opportunity.loss_reason,
            Opportunity.win_reason,
            Opportunity.competitor,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .where(Opportunity.opp_code == opp_code, scope.opportunities())
    ).first()
    if row is None:
        return None
    keys = [
        "id",
        "opp_code",
        "name",
        "account_code",
        "account",
        "rep_code",
        "owner",
        "amount",
        "level",
        "status",
        "created_date",
        "expected_close_date",
        "closed_date",
        "product_line",
        "loss_reason",
        "win_reason",
        "competitor",
    ]
    detail = dict(zip(keys, row, strict=True))
    history = _frame(
        session,
        select(StageHistory.level, StageHistory.entered_date)
        .where(StageHistory.opportunity_id == detail["id"])
        .order_by(StageHistory.entered_date, StageHistory.level),
        ["level", "entered_date"],
    )
    return detail, history


def product_lines(session: Session, scope: Scope) -> list[str]:
    """The product lines of the opportunities the viewer sees, sorted (for the filter's choices)."""
    stmt = (
        select(Opportunity.product_line)
        .where(Opportunity.product_line.is_not(None), Opportunity.product_line != "", scope.opportunities())
        .distinct()
        .order_by(Opportunity.product_line)
    )
    return [str(p) for p in session.scalars(stmt)]


def reps_in_scope(session: Session, scope: Scope) -> list[tuple[int, str, str]]:
    """Sales reps (role rep) the viewer may see: (id, rep_code, name), by code."""
    stmt = (
        select(Rep.id, Rep.rep_code, Rep.name).where(Rep.role == "rep", scope.condition(Rep.id)).order_by(Rep.rep_code)
    )
    return [(int(i), str(c), str(n)) for i, c, n in session.execute(stmt)]
