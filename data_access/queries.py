"""Queries behind the pages: SQL aggregates, scoped to the viewer, returning DataFrames or scalars.

Aggregation happens in SQL; pandas only sees the small result. Every function takes a ``Scope``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any, cast

import pandas as pd
from sqlalchemy import Executable, and_, case, false, func, literal, null, or_, select, true
from sqlalchemy.orm import Session

from data_access.models import Account, BuyingPower, Contract, Opportunity, Payment, Quota, Rep, Team
from data_access.rad import UNKNOWN, account_classes
from data_access.result_cache import kept
from data_access.scope import RadClass, Scope
from data_access.settings import load_settings
from metrics.rad import account_table
from metrics.sales import Outcomes
from metrics.winloss import MISSING, SIZE_BANDS, Drill


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a small query result as plain dicts (for JSON); missing values (NaN, NA) become None."""
    clean = df.astype(object).where(df.notna(), None)
    return cast(list[dict[str, Any]], clean.to_dict("records"))


def _frame(session: Session, stmt: Executable, columns: list[str]) -> pd.DataFrame:
    rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def bookings(session: Session, scope: Scope, start: date, end: date) -> tuple[float, float]:
    """Sum of contracts.amount and contracts.gross_margin signed in [start, end], owner in scope."""
    stmt = select(func.coalesce(func.sum(Contract.amount), 0), func.coalesce(func.sum(Contract.gross_margin), 0)).where(
        Contract.signed_date.between(start, end)
    )
    if scope.narrows_deals:
        stmt = stmt.join(Opportunity, Opportunity.id == Contract.opportunity_id).where(scope.opportunities())
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
    """Payments due before ``today`` and not fully paid (more than half a fen owed), summed per due date:
    due_date, amount, paid_amount (sums; nothing paid counts 0), n (payments)."""
    paid = func.coalesce(Payment.paid_amount, 0)
    stmt = select(Payment.due_date, func.sum(Payment.amount), func.sum(paid), func.count()).where(
        Payment.due_date < today, Payment.amount - paid > 0.005
    )
    if scope.narrows_deals:
        stmt = (
            stmt.join(Contract, Contract.id == Payment.contract_id)
            .join(Opportunity, Opportunity.id == Contract.opportunity_id)
            .where(scope.opportunities())
        )
    stmt = stmt.group_by(Payment.due_date).order_by(Payment.due_date)
    return _frame(session, stmt, ["due_date", "amount", "paid_amount", "n"])


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
    df = rad_accounts(session, scope, year, {}, date(year, 12, 31), activity=False)
    return df[["account_code", "name", "bp", "bookings", "rad_override", "owner_rep_id"]]


@kept
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


@kept
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


def _closed(scope: Scope, start: date, end: date) -> Any:
    """The condition "won or lost, closed in [start, end], in scope" (the outcome covering index answers it)."""
    return and_(
        Opportunity.status.in_(("won", "lost")),
        Opportunity.closed_date.between(start, end),
        scope.opportunities(),
    )


@kept
def year_classes(session: Session, scope: Scope, year: int) -> dict[int, str]:
    """Every account's RAD class in ``year`` (``data_access.rad``, thresholds from the settings), by account id;
    an account without one is left out (its class is ``UNKNOWN``). Classes are the same for every viewer:
    ``scope`` only keys the kept copy (pass ``Scope.everything()``)."""
    settings = load_settings(session)
    classes = account_classes(year, settings.rad_r_min, settings.rad_a_max)
    return {int(a): str(c) for a, c in session.execute(select(classes.c.account_id, classes.c.rad_class))}


def _classes_of(session: Session, account_ids: Any, year: int) -> dict[int, str]:
    """The RAD class in ``year`` of each of these accounts (``year_classes``, kept until the data changes)."""
    # on its own, not joined to the deals: PostgreSQL planned the grouped class subquery once per deal
    # (minutes at 100k deals); on its own it is one pass over the accounts
    every = year_classes(session, Scope.everything(), year)
    return {int(a): every[int(a)] for a in account_ids if int(a) in every}


#: The column a win/loss segment's keys come from, where it needs a join (``_segment_value``).
_SEGMENT_JOINS: Mapping[str, str] = {"industry": "account", "region": "account", "team": "team", "rep": "rep"}


def _segment_value(segment: str) -> Any:
    """The SQL value a closed deal is grouped by for ``segment`` (``metrics.winloss.SEGMENTS``): the column, a
    size band (``metrics.winloss.SIZE_BANDS``) for size_band, the account for rad_class (classed afterwards)."""
    if segment == "size_band":
        bands = SIZE_BANDS[:-1]
        return case(*[(Opportunity.amount < high, band) for band, _low, high in bands], else_=SIZE_BANDS[-1][0])
    columns = {
        "rad_class": Opportunity.account_id,
        "industry": Account.industry,
        "region": Account.region,
        "team": Team.name,
        "rep": Rep.rep_code,
        "product_line": Opportunity.product_line,
        "competitor": Opportunity.competitor,
    }
    return columns[segment]


def _joined(stmt: Any, needs: set[str]) -> Any:
    """``stmt`` over opportunities joined to what ``needs`` names: account, rep, team (a team needs its rep)."""
    if "account" in needs:
        stmt = stmt.join(Account, Account.id == Opportunity.account_id)
    if needs & {"rep", "team"}:
        stmt = stmt.join(Rep, Rep.id == Opportunity.owner_rep_id)
    if "team" in needs:
        stmt = stmt.outerjoin(Team, Team.id == Rep.team_id)
    return stmt


def closed_tally(
    session: Session, scope: Scope, start: date, end: date, segment: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Deals won or lost with closed_date in [start, end], in scope, summed in SQL per value of ``segment``
    (``metrics.winloss.SEGMENTS``): a column named ``segment`` (the raw value: None when missing; for
    rad_class the account's RAD class in the year of ``end``, ``UNKNOWN`` when unknown), won, lost (counts),
    won_amount, lost_amount; ``metrics.winloss.regroup`` makes keys of the values. And for reps each code's
    "name (code)" (else empty)."""
    named = [Rep.name.label("name")] if segment == "rep" else []
    deals = _joined(
        select(_segment_value(segment).label("value"), *named, Opportunity.status, Opportunity.amount),
        {_SEGMENT_JOINS.get(segment, "")},
    ).where(_closed(scope, start, end))
    rows = deals.subquery()
    won, lost = rows.c.status == "won", rows.c.status == "lost"
    groups = [rows.c.value, *([rows.c.name] if named else [])]
    stmt = select(
        *groups,
        func.sum(case((won, 1), else_=0)),
        func.sum(case((lost, 1), else_=0)),
        func.coalesce(func.sum(case((won, rows.c.amount), else_=0)), 0),
        func.coalesce(func.sum(case((lost, rows.c.amount), else_=0)), 0),
    ).group_by(*groups)
    columns = [segment, *(["name"] if named else []), "won", "lost", "won_amount", "lost_amount"]
    out = _frame(session, stmt, columns).astype({"won": int, "lost": int, "won_amount": float, "lost_amount": float})
    labels: dict[str, str] = {}
    if named:
        labels = {str(c): f"{n} ({c})" for c, n in zip(out[segment], out["name"], strict=True)}
        out = out.drop(columns="name")
    if segment == "rad_class":
        found = _classes_of(session, out[segment], end.year)
        out[segment] = pd.Series([found.get(int(a), UNKNOWN) for a in out[segment]], index=out.index, dtype=object)
    return out, labels


@kept
def closed_shape(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Deals won or lost with closed_date in [start, end], in scope, counted in SQL per outcome, level at close
    and sales cycle: status, level, days (closed_date - created_date), count, amount (their sum). Kept, like
    the loss reasons and the head-to-head: every segment and drill of one period's win/loss shows them."""
    rows = (
        select(
            Opportunity.status,
            Opportunity.level,
            _days_between(session, Opportunity.created_date, Opportunity.closed_date).label("days"),
            Opportunity.amount,
        )
        .where(_closed(scope, start, end))
        .subquery()
    )
    stmt = select(
        rows.c.status, rows.c.level, rows.c.days, func.count(), func.coalesce(func.sum(rows.c.amount), 0)
    ).group_by(rows.c.status, rows.c.level, rows.c.days)
    out = _frame(session, stmt, ["status", "level", "days", "count", "amount"])
    return out.astype({"level": int, "days": float, "count": int, "amount": float}).astype({"days": int})


def _drilled(session: Session, scope: Scope, drill: Drill, year: int) -> tuple[Scope, Any]:
    """``scope`` and a condition narrowing the closed deals to those ``drill`` names (RAD classes of ``year``);
    ``metrics.winloss.deals_behind`` then takes them in order. Text is stored stripped (the importer), so a
    key is the stored value, and ``MISSING`` stands for no value."""

    def is_key(column: Any) -> Any:
        if drill.value == MISSING:
            return or_(column.is_(None), column == "", column == MISSING)
        return column == drill.value

    lost = Opportunity.status == "lost"
    if drill.dimension == "outcome":
        return scope, Opportunity.status == drill.value
    if drill.dimension == "lost_level":
        return scope, and_(lost, Opportunity.level == int(drill.value))
    if drill.dimension == "reason":
        return scope, and_(lost, is_key(Opportunity.loss_reason))
    if drill.dimension == "rad_class":
        settings = load_settings(session)
        return scope.narrow(deals=(RadClass(year, drill.value, settings.rad_r_min, settings.rad_a_max),)), true()
    if drill.dimension == "size_band":
        bands = {band: (low, high) for band, low, high in SIZE_BANDS}
        if drill.value not in bands:
            return scope, false()
        low, high = bands[drill.value]
        above = true() if drill.value == SIZE_BANDS[0][0] else Opportunity.amount >= low
        return scope, and_(above, true() if math.isinf(high) else Opportunity.amount < high)
    return scope, is_key(_segment_value(drill.dimension))


def closed_count(session: Session, scope: Scope, start: date, end: date, drill: Drill) -> int:
    """How many deals won or lost with closed_date in [start, end], in scope, ``drill`` names."""
    scope, narrowed = _drilled(session, scope, drill, end.year)
    counted = _joined(select(func.count()).select_from(Opportunity), {_SEGMENT_JOINS.get(drill.dimension, "")})
    return int(session.execute(counted.where(_closed(scope, start, end), narrowed)).scalar_one())


def closed_deals(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    drill: Drill | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Opportunities won or lost with closed_date in [start, end], in scope (and among those ``drill`` names,
    when given; the ``limit`` largest, when given), largest first, with what win/loss analysis cuts them by
    (CLOSED_DEAL_COLUMNS): the account's industry and region, the owner's team, code and name, product line,
    competitor, level at close, reasons, and rad_class, the account's RAD class in the year of ``end``
    (``data_access.rad``, thresholds from the settings; ``none``: SOW unknown)."""
    scope, narrowed = _drilled(session, scope, drill, end.year) if drill else (scope, true())
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
            Opportunity.account_id,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .outerjoin(Team, Team.id == Rep.team_id)
        .where(_closed(scope, start, end), narrowed)
        .order_by(Opportunity.amount.desc(), Opportunity.opp_code)
        .limit(limit)
    )
    deals = _frame(session, stmt, [*CLOSED_DEAL_COLUMNS[:-1], "account_id"]).astype({"amount": float})
    found = _classes_of(session, deals["account_id"], end.year)
    deals["rad_class"] = pd.Series(
        [found.get(int(a), UNKNOWN) for a in deals["account_id"]], index=deals.index, dtype=object
    )
    return deals.drop(columns=["account_id"])[CLOSED_DEAL_COLUMNS]


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
    session: Session, scope: Scope, start: date, end: date, period_end: date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float]:
    """The inputs of ``metrics.movement`` for the window (start, end] and the period ending ``period_end``:
    the opportunities in scope touched since ``start`` (created, closed, moved a level or changed a field
    after it), their logged changes, their stage history, and ``steady``: the amount of every other deal in
    the period's pipeline (open, expected close by ``period_end``), the same at both dates.

    A deal untouched since ``start`` is in the same state at ``start`` and ``end``: it adds the same amount
    to both ends and nothing to any step or list, so it is summed in SQL (the period's open pipeline less
    the touched deals' share of it) instead of being read: at a million deals, a week touches a few
    thousand."""
    from sqlalchemy import union

    from data_access.models import OpportunityChange, StageHistory

    touched = union(
        select(OpportunityChange.opportunity_id).where(OpportunityChange.changed_on > start),
        select(StageHistory.opportunity_id).where(StageHistory.entered_date > start),
        select(Opportunity.id).where(Opportunity.created_date > start),
        select(Opportunity.id).where(Opportunity.closed_date > start),
    )
    relevant = select(Opportunity.id).where(Opportunity.id.in_(touched), scope.opportunities())
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
    due = pd.to_datetime(opps["expected_close_date"]).dt.date <= period_end
    touched_share = float(opps["amount"].astype(float)[(opps["status"] == "open") & due].sum())
    steady = open_pipeline_due(session, scope, period_end) - touched_share
    return opps.set_index("id"), changes, history, steady


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


@kept
def funnel_stages(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """The six levels to cash: open deals at levels 1-5, then the period's won deals still collecting (5w)
    and fully collected (6): stage, count, amount (kept: 0.3 s at a million deals, for every view of the
    funnel in the same period)."""
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


@kept
def product_lines(session: Session, scope: Scope) -> list[str]:
    """The product lines of the opportunities the viewer sees, sorted (for the filter's choices; kept: a
    distinct scan of a million deals, 56 ms, behind every filtered page and callback)."""
    stmt = (
        select(Opportunity.product_line)
        .where(Opportunity.product_line.is_not(None), Opportunity.product_line != "", scope.opportunities())
        .distinct()
        .order_by(Opportunity.product_line)
    )
    return [str(p) for p in session.scalars(stmt)]


@kept
def reps_in_scope(session: Session, scope: Scope) -> list[tuple[int, str, str]]:
    """Sales reps (role rep) the viewer may see: (id, rep_code, name), by code (kept: 80 ms at 8,500 reps,
    behind every filtered page and callback)."""
    stmt = (
        select(Rep.id, Rep.rep_code, Rep.name).where(Rep.role == "rep", scope.condition(Rep.id)).order_by(Rep.rep_code)
    )
    return [(int(i), str(c), str(n)) for i, c, n in session.execute(stmt)]


RAD_ACCOUNT_COLUMNS = [
    "account_id",
    "account_code",
    "name",
    "industry",
    "region",
    "city",
    "key_account",
    "rad_override",
    "owner_rep_id",
    "owner_code",
    "owner",
    "team",
    "bp",
    "bookings",
    "open_count",
    "open_pipeline",
    "weighted_pipeline",
    "visits_90d",
    "last_visit",
]


def rad_accounts(
    session: Session,
    scope: Scope,
    year: int,
    probabilities: Mapping[int, float],
    today: date,
    *,
    region: str | None = None,
    industry: str | None = None,
    codes: list[str] | None = None,
    activity: bool = True,
) -> pd.DataFrame:
    """``_account_rows``: a whole list of accounts is kept (``data_access.result_cache``: seconds at 75,000
    accounts); picked ones (a click, a lasso: ``codes``) are a quick sum, drawn each time rather than
    written to a file no later request would read."""
    read = _account_rows if codes is not None else _kept_account_rows
    return read(
        session,
        scope,
        year,
        probabilities,
        today,
        region=region,
        industry=industry,
        codes=codes,
        activity=activity,
    )


def _account_rows(
    session: Session,
    scope: Scope,
    year: int,
    probabilities: Mapping[int, float],
    today: date,
    *,
    region: str | None = None,
    industry: str | None = None,
    codes: list[str] | None = None,
    activity: bool = True,
) -> pd.DataFrame:
    """Accounts owned in scope (optionally of one region / industry, or just ``codes``, at most 5000) with
    what the RAD analysis needs (RAD_ACCOUNT_COLUMNS): BP and bookings of ``year`` (bookings of every
    deal on the account, whoever owns it: SOW is the account's), open and weighted pipeline of the deals
    in scope (weighted by ``probabilities``), done visits in the 90 days up to ``today`` and the last one.
    One query; every aggregate is grouped per account in SQL. Without ``activity`` the pipeline and visit
    columns are 0 / None and not summed (enough to class the accounts: a third of the work)."""
    from data_access.models import Visit
    from data_access.rad import account_bookings

    # picked accounts (a click, a lasso): sum for them only, not for every account and then pick
    only = select(Account.id).where(Account.account_code.in_(codes[:5000])) if codes is not None else None
    deal_conditions = [Opportunity.account_id.in_(only)] if only is not None else []
    visit_conditions = [Visit.account_id.in_(only)] if only is not None else []
    booked = account_bookings(year, only)
    whens = [(Opportunity.level == level, Opportunity.amount * p) for level, p in sorted(probabilities.items())]
    weight: Any = case(*whens, else_=0) if whens else literal(0)
    pipeline = (
        select(
            Opportunity.account_id.label("account_id"),
            func.count().label("n"),
            func.sum(Opportunity.amount).label("amount"),
            func.sum(weight).label("weighted"),
        )
        .where(Opportunity.status == "open", scope.opportunities(), *deal_conditions)
        .group_by(Opportunity.account_id)
        .subquery()
    )
    visits = (
        select(
            Visit.account_id.label("account_id"),
            func.sum(case((Visit.visit_date > date.fromordinal(today.toordinal() - 90), 1), else_=0)).label("n90"),
            func.max(Visit.visit_date).label("last"),
        )
        .where(Visit.status == "done", Visit.visit_date <= today, scope.condition(Visit.rep_id), *visit_conditions)
        .group_by(Visit.account_id)
        .subquery()
    )
    conditions = [scope.condition(Account.owner_rep_id)]
    if region:
        conditions.append(Account.region == region)
    if industry:
        conditions.append(Account.industry == industry)
    if only is not None:
        conditions.append(Account.id.in_(only))
    stmt = (
        select(
            Account.id,
            Account.account_code,
            Account.name,
            Account.industry,
            Account.region,
            Account.city,
            Account.key_account,
            Account.rad_override,
            Account.owner_rep_id,
            Rep.rep_code,
            Rep.name,
            Team.name,
            BuyingPower.bp,
            func.coalesce(booked.c.bookings, 0),
            *(
                (
                    func.coalesce(pipeline.c.n, 0),
                    func.coalesce(pipeline.c.amount, 0),
                    func.coalesce(pipeline.c.weighted, 0),
                    func.coalesce(visits.c.n90, 0),
                    visits.c.last,
                )
                if activity
                else (literal(0), literal(0), literal(0), literal(0), null())
            ),
        )
        .join(Rep, Rep.id == Account.owner_rep_id)
        .outerjoin(Team, Team.id == Rep.team_id)
        .outerjoin(BuyingPower, and_(BuyingPower.account_id == Account.id, BuyingPower.year == year))
        .outerjoin(booked, booked.c.account_id == Account.id)
    )
    if activity:
        stmt = stmt.outerjoin(pipeline, pipeline.c.account_id == Account.id).outerjoin(
            visits, visits.c.account_id == Account.id
        )
    stmt = stmt.where(*conditions).order_by(Account.account_code)
    df = _frame(session, stmt, RAD_ACCOUNT_COLUMNS)
    money = ["bookings", "open_pipeline", "weighted_pipeline"]
    df = df.astype({**dict.fromkeys(money, float), "open_count": int, "visits_90d": int, "key_account": bool})
    df["bp"] = pd.to_numeric(df["bp"], errors="coerce").astype(float)
    return df


_kept_account_rows = kept(_account_rows)


@kept
def rad_table(
    session: Session,
    scope: Scope,
    year: int,
    probabilities: Mapping[int, float],
    today: date,
    r_min: float,
    a_max: float,
    *,
    region: str | None = None,
    industry: str | None = None,
    activity: bool = True,
) -> pd.DataFrame:
    """``_account_rows`` classed with these thresholds (``metrics.rad.account_table``), kept until the data
    changes: classing 75,000 accounts takes 0.45 s, and each zoom and lasso of the RAD scatter needs them."""
    rows = _account_rows(
        session, scope, year, probabilities, today, region=region, industry=industry, activity=activity
    )
    return account_table(rows, r_min, a_max)


def account_regions_industries(session: Session, scope: Scope) -> tuple[list[str], list[str]]:
    """The regions and industries of the accounts the viewer sees (the RAD page's filter choices)."""
    owned = scope.condition(Account.owner_rep_id)
    regions = session.scalars(select(Account.region).where(owned).distinct().order_by(Account.region))
    industries = session.scalars(select(Account.industry).where(owned).distinct().order_by(Account.industry))
    return [str(r) for r in regions], [str(i) for i in industries]


def account_detail(session: Session, scope: Scope, account_code: str) -> dict[str, Any] | None:
    """One account the viewer sees (None if unknown or not theirs, alike): its fields and owner."""
    row = session.execute(
        select(
            Account.id,
            Account.account_code,
            Account.name,
            Account.industry,
            Account.region,
            Account.city,
            Account.key_account,
            Account.rad_override,
            Rep.rep_code,
            Rep.name,
        )
        .join(Rep, Rep.id == Account.owner_rep_id)
        .where(Account.account_code == account_code, scope.condition(Account.owner_rep_id))
    ).first()
    keys = [
        "id",
        "account_code",
        "name",
        "industry",
        "region",
        "city",
        "key_account",
        "rad_override",
        "owner_code",
        "owner",
    ]
    return None if row is None else dict(zip(keys, row, strict=True))


def account_contacts(session: Session, account_id: int) -> pd.DataFrame:
    """An account's contacts: name, decision_role, title, department, phone, email (by role, then name)."""
    from data_access.models import Contact

    cols = [Contact.name, Contact.decision_role, Contact.title, Contact.department, Contact.phone, Contact.email]
    stmt = select(*cols).where(Contact.account_id == account_id).order_by(Contact.decision_role, Contact.name)
    return _frame(session, stmt, ["name", "decision_role", "title", "department", "phone", "email"])


def account_opportunities(session: Session, scope: Scope, account_id: int) -> pd.DataFrame:
    """The deals in scope on one account, open first, then by amount: opp_code, name, owner, level, status,
    amount, expected_close_date, closed_date."""
    stmt = (
        select(
            Opportunity.opp_code,
            Opportunity.name,
            Rep.name,
            Opportunity.level,
            Opportunity.status,
            Opportunity.amount,
            Opportunity.expected_close_date,
            Opportunity.closed_date,
        )
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .where(Opportunity.account_id == account_id, scope.opportunities())
        .order_by(case((Opportunity.status == "open", 0), else_=1), Opportunity.amount.desc(), Opportunity.opp_code)
        .limit(500)
    )
    cols = ["opp_code", "name", "owner", "level", "status", "amount", "expected_close_date", "closed_date"]
    return _frame(session, stmt, cols).astype({"amount": float})


def account_visits(session: Session, scope: Scope, account_id: int, limit: int = 50) -> pd.DataFrame:
    """The latest visits to one account by reps in scope (planned ones too): visit_date, kind, status, rep,
    contact_name, purpose, outcome."""
    from data_access.models import Visit

    stmt = (
        select(Visit.visit_date, Visit.kind, Visit.status, Rep.name, Visit.contact_name, Visit.purpose, Visit.outcome)
        .join(Rep, Rep.id == Visit.rep_id)
        .where(Visit.account_id == account_id, scope.condition(Visit.rep_id))
        .order_by(Visit.visit_date.desc())
        .limit(limit)
    )
    return _frame(session, stmt, ["visit_date", "kind", "status", "rep", "contact_name", "purpose", "outcome"])


def account_payments_due(session: Session, scope: Scope, account_id: int) -> pd.DataFrame:
    """Payments not yet fully collected on the account's contracts (deals in scope), by due date: contract_code,
    opp_code, milestone, due_date, amount, paid_amount."""
    stmt = (
        select(
            Contract.contract_code,
            Opportunity.opp_code,
            Payment.milestone,
            Payment.due_date,
            Payment.amount,
            func.coalesce(Payment.paid_amount, 0),
        )
        .join(Contract, Contract.id == Payment.contract_id)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(
            Opportunity.account_id == account_id,
            func.coalesce(Payment.paid_amount, 0) < Payment.amount,
            scope.opportunities(),
        )
        .order_by(Payment.due_date)
    )
    cols = ["contract_code", "opp_code", "milestone", "due_date", "amount", "paid_amount"]
    return _frame(session, stmt, cols).astype({"amount": float, "paid_amount": float})


def _by_rep(session: Session, stmt: Executable, columns: list[str]) -> pd.DataFrame:
    return _frame(session, stmt, ["rep_id", *columns]).set_index("rep_id")


@kept
def rep_rollup(
    session: Session, scope: Scope, start: date, end: date, today: date, probabilities: Mapping[int, float]
) -> pd.DataFrame:
    """Per sales rep in scope (index rep_id): rep_code, name, team_id, team, and the sums the scorecards need
    for the period [start, end] — bookings, gm_booked; pipeline_due and weighted_due (open, expected close
    by ``end``); open_pipeline and weighted_pipeline (all open); won/lost count and amount (closed in the
    period); overdue (unpaid past due at ``today``); visits done and planned in the period. One grouped
    query per measure, whatever the number of reps."""
    from data_access.models import Visit

    owner = Opportunity.owner_rep_id
    reps = _frame(
        session,
        select(Rep.id, Rep.rep_code, Rep.name, Rep.team_id, Team.name)
        .outerjoin(Team, Team.id == Rep.team_id)
        .where(Rep.role == "rep", scope.condition(Rep.id))
        .order_by(Rep.rep_code),
        ["rep_id", "rep_code", "name", "team_id", "team"],
    ).set_index("rep_id")
    whens = [(Opportunity.level == level, Opportunity.amount * p) for level, p in sorted(probabilities.items())]
    weight: Any = case(*whens, else_=0) if whens else literal(0)
    due = Opportunity.expected_close_date <= end
    booked = _by_rep(
        session,
        select(owner, func.sum(Contract.amount), func.sum(Contract.gross_margin))
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(Contract.signed_date.between(start, end), scope.opportunities())
        .group_by(owner),
        ["bookings", "gm_booked"],
    )
    pipe = _by_rep(
        session,
        select(
            owner,
            func.sum(case((due, Opportunity.amount), else_=0)),
            func.sum(case((due, weight), else_=0)),
            func.sum(Opportunity.amount),
            func.sum(weight),
        )
        .where(Opportunity.status == "open", scope.opportunities())
        .group_by(owner),
        ["pipeline_due", "weighted_due", "open_pipeline", "weighted_pipeline"],
    )
    won, lost = Opportunity.status == "won", Opportunity.status == "lost"
    closed = _by_rep(
        session,
        select(
            owner,
            func.sum(case((won, 1), else_=0)),
            func.sum(case((lost, 1), else_=0)),
            func.sum(case((won, Opportunity.amount), else_=0)),
            func.sum(case((lost, Opportunity.amount), else_=0)),
        )
        .where(
            Opportunity.status.in_(("won", "lost")), Opportunity.closed_date.between(start, end), scope.opportunities()
        )
        .group_by(owner),
        ["won_count", "lost_count", "won_amount", "lost_amount"],
    )
    owed = Payment.amount - func.coalesce(Payment.paid_amount, 0)
    overdue = _by_rep(
        session,
        select(owner, func.sum(owed))
        .join(Contract, Contract.id == Payment.contract_id)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(Payment.due_date < today, owed > 0, scope.opportunities())
        .group_by(owner),
        ["overdue"],
    )
    visits = _by_rep(
        session,
        select(
            Visit.rep_id,
            func.sum(case((Visit.status == "done", 1), else_=0)),
            func.sum(case((Visit.status == "planned", 1), else_=0)),
        )
        .where(Visit.visit_date.between(start, end), scope.condition(Visit.rep_id))
        .group_by(Visit.rep_id),
        ["visits_done", "visits_planned"],
    )
    out = reps.join([booked, pipe, closed, overdue, visits], how="left")
    measures = [c for c in out.columns if c not in ("rep_code", "name", "team_id", "team")]
    out[measures] = out[measures].astype(float).fillna(0.0)
    return out


def won_deals(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Deals won in [start, end] (closed date) in scope: rep_id, amount, created_date, closed_date."""
    stmt = select(
        Opportunity.owner_rep_id, Opportunity.amount, Opportunity.created_date, Opportunity.closed_date
    ).where(Opportunity.status == "won", Opportunity.closed_date.between(start, end), scope.opportunities())
    return _frame(session, stmt, ["rep_id", "amount", "created_date", "closed_date"]).astype({"amount": float})


def monthly_bookings(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Bookings per calendar month in [start, end]: month (1-12), bookings. Months without any are left out."""
    stmt = (
        select(Contract.signed_date, Contract.amount)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(Contract.signed_date.between(start, end), scope.opportunities())
    )
    rows = _frame(session, stmt, ["signed_date", "amount"])
    if rows.empty:
        return pd.DataFrame({"month": pd.Series(dtype=int), "bookings": pd.Series(dtype=float)})
    rows["month"] = [d.month for d in rows["signed_date"]]
    out = rows.groupby("month")["amount"].sum().astype(float)
    return pd.DataFrame({"month": out.index.astype(int), "bookings": out.to_numpy()})


def task_book(session: Session, rep_id: int, year: int) -> pd.DataFrame:
    """One rep's task-book rows (销售任务书) of a year: quarter (None = whole year), revenue_target, gm_target,
    target_account_codes, base_salary, target_commission, working_conditions."""
    cols = [
        Quota.quarter,
        Quota.revenue_target,
        Quota.gm_target,
        Quota.target_account_codes,
        Quota.base_salary,
        Quota.target_commission,
        Quota.working_conditions,
    ]
    stmt = select(*cols).where(Quota.rep_id == rep_id, Quota.year == year).order_by(Quota.quarter)
    names = [c.key for c in cols]
    return _frame(session, stmt, names)


def account_coverage(
    session: Session, scope: Scope, codes: list[str], start: date, end: date, today: date
) -> pd.DataFrame:
    """The task book's target accounts (by code, at most 500) the viewer sees: account_code, name, visited
    (done visits in the period), open_pipeline, booked (contracts signed in the period)."""
    from data_access.models import Visit

    wanted = codes[:500]
    if not wanted:
        return pd.DataFrame(columns=["account_code", "name", "visited", "open_pipeline", "booked"])
    visited = (
        select(Visit.account_id, func.count().label("n"))
        .where(
            Visit.status == "done",
            Visit.visit_date.between(start, min(end, today)),
            scope.condition(Visit.rep_id),
        )
        .group_by(Visit.account_id)
        .subquery()
    )
    pipeline = (
        select(Opportunity.account_id, func.sum(Opportunity.amount).label("amount"))
        .where(Opportunity.status == "open", scope.opportunities())
        .group_by(Opportunity.account_id)
        .subquery()
    )
    booked = (
        select(Opportunity.account_id, func.sum(Contract.amount).label("amount"))
        .join(Contract, Contract.opportunity_id == Opportunity.id)
        .where(Contract.signed_date.between(start, end), scope.opportunities())
        .group_by(Opportunity.account_id)
        .subquery()
    )
    stmt = (
        select(
            Account.account_code,
            Account.name,
            func.coalesce(visited.c.n, 0),
            func.coalesce(pipeline.c.amount, 0),
            func.coalesce(booked.c.amount, 0),
        )
        .outerjoin(visited, visited.c.account_id == Account.id)
        .outerjoin(pipeline, pipeline.c.account_id == Account.id)
        .outerjoin(booked, booked.c.account_id == Account.id)
        .where(Account.account_code.in_(wanted), scope.condition(Account.owner_rep_id))
        .order_by(Account.account_code)
    )
    df = _frame(session, stmt, ["account_code", "name", "visited", "open_pipeline", "booked"])
    return df.astype({"visited": int, "open_pipeline": float, "booked": float})


def visits_by_class(
    session: Session, scope: Scope, start: date, end: date, year: int, r_min: float, a_max: float
) -> pd.DataFrame:
    """Done visits in [start, end] by reps in scope, by the RAD class of the visited account in ``year``:
    rad_class, visits, accounts (distinct accounts visited)."""
    from data_access.models import Visit
    from data_access.rad import account_classes

    classes = account_classes(year, r_min, a_max)
    stmt = (
        select(classes.c.rad_class, func.count(), func.count(func.distinct(Visit.account_id)))
        .join(classes, classes.c.account_id == Visit.account_id)
        .where(Visit.status == "done", Visit.visit_date.between(start, end), scope.condition(Visit.rep_id))
        .group_by(classes.c.rad_class)
    )
    return _frame(session, stmt, ["rad_class", "visits", "accounts"]).astype({"visits": int, "accounts": int})


def week_visits(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """The visits of one week (weekly work plan, 每周工作计划表) by reps in scope: visit_date, account_code,
    account, kind, status, purpose."""
    from data_access.models import Visit

    stmt = (
        select(Visit.visit_date, Account.account_code, Account.name, Visit.kind, Visit.status, Visit.purpose)
        .join(Account, Account.id == Visit.account_id)
        .where(Visit.visit_date.between(start, end), scope.condition(Visit.rep_id))
        .order_by(Visit.visit_date, Account.account_code)
    )
    return _frame(session, stmt, ["visit_date", "account_code", "account", "kind", "status", "purpose"])


def overdue_payments(session: Session, scope: Scope, today: date, limit: int = 200) -> pd.DataFrame:
    """Payments past due and not fully paid, oldest first: contract_code, opp_code, account, milestone,
    due_date, amount, paid_amount."""
    owed = Payment.amount - func.coalesce(Payment.paid_amount, 0)
    stmt = (
        select(
            Contract.contract_code,
            Opportunity.opp_code,
            Account.name,
            Payment.milestone,
            Payment.due_date,
            Payment.amount,
            func.coalesce(Payment.paid_amount, 0),
        )
        .join(Contract, Contract.id == Payment.contract_id)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(Payment.due_date < today, owed > 0, scope.opportunities())
        .order_by(Payment.due_date, Contract.contract_code)
        .limit(limit)
    )
    cols = ["contract_code", "opp_code", "account", "milestone", "due_date", "amount", "paid_amount"]
    return _frame(session, stmt, cols).astype({"amount": float, "paid_amount": float})


def open_deals_due(session: Session, scope: Scope, end: date, limit: int = 30) -> pd.DataFrame:
    """The largest open deals expected to close by ``end`` (the what-if's choices): opp_code, name, account,
    level, amount, expected_close_date."""
    stmt = (
        select(
            Opportunity.opp_code,
            Opportunity.name,
            Account.name,
            Opportunity.level,
            Opportunity.amount,
            Opportunity.expected_close_date,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(Opportunity.status == "open", Opportunity.expected_close_date <= end, scope.opportunities())
        .order_by(Opportunity.amount.desc(), Opportunity.opp_code)
        .limit(limit)
    )
    cols = ["opp_code", "name", "account", "level", "amount", "expected_close_date"]
    return _frame(session, stmt, cols).astype({"amount": float})


def open_amounts(session: Session, scope: Scope, codes: list[str]) -> dict[str, float]:
    """The amounts of the open deals among ``codes`` (at most 200) that are in scope (others are ignored)."""
    stmt = select(Opportunity.opp_code, Opportunity.amount).where(
        Opportunity.opp_code.in_(codes[:200]), Opportunity.status == "open", scope.opportunities()
    )
    return {str(c): float(a) for c, a in session.execute(stmt)}


# ---- funnel health in SQL: the same rules as metrics.funnel (which stays the reference, tested equal), without
# reading a stage history that grows with every deal ever made.


def _owned_history(scope: Scope, opportunity_id: Any) -> Any:
    """Stage-history rows of deals in scope; no condition at all when the scope holds every deal (a director
    without filters), so the database aggregates the table instead of probing it deal by deal."""
    if not scope.narrows_deals:
        return true()
    return opportunity_id.in_(select(Opportunity.id).where(scope.opportunities()))


def _history_in_scope(scope: Scope) -> tuple[Any, Any]:
    """First entry of each (deal, level) and the highest level each deal reached, for deals in scope."""
    from data_access.models import StageHistory as SH

    owned = _owned_history(scope, SH.opportunity_id)
    first = (
        select(SH.opportunity_id.label("oid"), SH.level.label("level"), func.min(SH.entered_date).label("entered"))
        .where(owned)
        .group_by(SH.opportunity_id, SH.level)
        .subquery()
    )
    top = (
        select(SH.opportunity_id.label("oid"), func.max(SH.level).label("top"))
        .where(owned)
        .group_by(SH.opportunity_id)
        .subquery()
    )
    return first, top


@kept
def level_conversion(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Per level 1-5, the deals that first entered it in [start, end]: level, entered, advanced (later reached
    a higher level), won (``metrics.funnel.conversion``)."""
    first, top = _history_in_scope(scope)
    stmt = (
        select(
            first.c.level,
            func.count(),
            func.sum(case((top.c.top > first.c.level, 1), else_=0)),
            func.sum(case((Opportunity.status == "won", 1), else_=0)),
        )
        .join(top, top.c.oid == first.c.oid)
        .join(Opportunity, Opportunity.id == first.c.oid)
        .where(first.c.entered.between(start, end), first.c.level.between(1, 5))
        .group_by(first.c.level)
        .order_by(first.c.level)
    )
    return _frame(session, stmt, ["level", "entered", "advanced", "won"]).astype(int)


@kept
def level_calibration(session: Session, scope: Scope) -> pd.DataFrame:
    """Per level 1-5, the closed deals that ever entered it and how many of them were won: level, closed, won
    (``metrics.funnel.calibration``)."""
    first, _top = _history_in_scope(scope)
    closed = Opportunity.status.in_(("won", "lost"))
    stmt = (
        select(
            first.c.level,
            func.sum(case((closed, 1), else_=0)),
            func.sum(case((Opportunity.status == "won", 1), else_=0)),
        )
        .join(Opportunity, Opportunity.id == first.c.oid)
        .where(first.c.level.between(1, 5))
        .group_by(first.c.level)
        .order_by(first.c.level)
    )
    return _frame(session, stmt, ["level", "closed", "won"]).astype(int)


def _days_between(session: Session, start: Any, end: Any) -> Any:
    """end - start in days, as each database counts it."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return end - start


@kept
def level_days(session: Session, scope: Scope, today: date) -> dict[int, float | None]:
    """Average days at each level 1-5: from entering it to the deal's next entry, else its close, else today
    (``metrics.funnel.days_in_level``)."""
    from data_access.models import StageHistory as SH

    following = func.lead(SH.entered_date).over(partition_by=SH.opportunity_id, order_by=(SH.entered_date, SH.level))
    rows = (
        select(
            SH.opportunity_id.label("oid"),
            SH.level.label("level"),
            SH.entered_date.label("entered"),
            following.label("next"),
        )
        .where(_owned_history(scope, SH.opportunity_id))
        .subquery()
    )
    until = func.coalesce(rows.c.next, Opportunity.closed_date, literal(today))
    stmt = (
        select(rows.c.level, func.avg(_days_between(session, rows.c.entered, until)))
        .join(Opportunity, Opportunity.id == rows.c.oid)
        .where(rows.c.level.between(1, 5))
        .group_by(rows.c.level)
    )
    found = {int(level): float(days) for level, days in session.execute(stmt) if days is not None}
    return {level: found.get(level) for level in range(1, 6)}


@kept
def stalled_deals(session: Session, scope: Scope, today: date, days: int, limit: int = 50) -> tuple[pd.DataFrame, int]:
    """Open deals whose last level change is more than ``days`` days ago, longest idle first (at most
    ``limit``): opportunity_id, level, since, idle_days; and how many there are (``metrics.funnel.stalled``)."""
    from data_access.models import StageHistory as SH

    last = (
        select(SH.opportunity_id.label("oid"), func.max(SH.entered_date).label("since"))
        .join(Opportunity, Opportunity.id == SH.opportunity_id)
        .where(Opportunity.status == "open", scope.opportunities())
        .group_by(SH.opportunity_id)
        .subquery()
    )
    idle = last.c.since < date.fromordinal(today.toordinal() - days)
    total = int(session.execute(select(func.count()).select_from(last).where(idle)).scalar_one())
    stmt = (
        select(last.c.oid, func.max(SH.level), last.c.since)
        .join(SH, and_(SH.opportunity_id == last.c.oid, SH.entered_date == last.c.since))
        .where(idle)
        .group_by(last.c.oid, last.c.since)
        .order_by(last.c.since, last.c.oid)
        .limit(limit)
    )
    df = _frame(session, stmt, ["opportunity_id", "level", "since"])
    df["idle_days"] = [(today - d).days for d in df["since"]]
    return df.astype({"opportunity_id": int, "level": int, "idle_days": int}), total
