"""The win/loss page's queries: closed deals tallied per segment, by level and sales cycle, loss reasons and
competitors, and the deals behind a drill; the accounts' RAD classes they are cut by."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session

from data_access.chunks import rows_in_chunks
from data_access.models import Account, Opportunity, Rep, Team
from data_access.queries.shared import _days_between, _frame
from data_access.rad import UNKNOWN, account_classes
from data_access.scope import RadClass, Scope
from data_access.settings import load_settings
from metrics.winloss import MISSING, SIZE_BANDS, Drill


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


def _closed(scope: Scope, start: date, end: date) -> Any:
    """The condition "won or lost, closed in [start, end], in scope" (the outcome covering index answers it)."""
    return and_(
        Opportunity.status.in_(("won", "lost")),
        Opportunity.closed_date.between(start, end),
        scope.opportunities(),
    )


def year_classes(session: Session, scope: Scope, year: int) -> dict[int, str]:
    """The RAD class in ``year`` of every account in scope (``data_access.rad``, thresholds from the settings), by
    account id; an account without one is left out (its class is ``UNKNOWN``). A class is the same for every
    viewer, so the loaders keep the whole company's once (``metrics.views.reads``, ``Scope.everything()``)."""
    settings = load_settings(session)
    classes = account_classes(year, settings.rad_r_min, settings.rad_a_max)
    stmt = select(classes.c.account_id, classes.c.rad_class)
    if not scope.is_everything:
        stmt = stmt.where(classes.c.account_id.in_(select(Account.id).where(scope.condition(Account.owner_rep_id))))
    return {int(a): str(c) for a, c in session.execute(stmt)}


def _classes_of(session: Session, account_ids: Any, year: int, classes: Mapping[int, str] | None) -> dict[int, str]:
    """The RAD class in ``year`` of each of these accounts: from ``classes`` (every account's, ``year_classes``,
    which the loader keeps for a viewer who sees everything), else read for these accounts alone, through the
    accounts' primary key (a team's deals never class the whole company)."""
    # on its own, not joined to the deals: PostgreSQL planned the grouped class subquery once per deal
    # (minutes at 100k deals); on its own it is one pass over the accounts
    wanted = sorted({int(a) for a in account_ids})
    if classes is not None:
        return {a: classes[a] for a in wanted if a in classes}
    settings = load_settings(session)
    table = account_classes(year, settings.rad_r_min, settings.rad_a_max)
    rows = rows_in_chunks(
        session,
        lambda chunk: select(table.c.account_id, table.c.rad_class).where(table.c.account_id.in_(chunk)),
        wanted,
    )
    return {int(a): str(c) for a, c in rows}


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
    session: Session, scope: Scope, start: date, end: date, segment: str, classes: Mapping[int, str] | None = None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Deals won or lost with closed_date in [start, end], in scope, summed in SQL per value of ``segment``
    (``metrics.winloss.SEGMENTS``): a column named ``segment`` (the raw value: None when missing; for
    rad_class the account's RAD class in the year of ``end``, ``UNKNOWN`` when unknown), won, lost (counts),
    won_amount, lost_amount; ``metrics.winloss.regroup`` makes keys of the values. And for reps each code's
    "name (code)" (else empty). ``classes``: ``year_classes`` of ``end``'s year, when the caller holds them."""
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
        found = _classes_of(session, out[segment], end.year, classes)
        out[segment] = pd.Series([found.get(int(a), UNKNOWN) for a in out[segment]], index=out.index, dtype=object)
    return out, labels


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
    classes: Mapping[int, str] | None = None,
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
    found = _classes_of(session, deals["account_id"], end.year, classes)
    deals["rad_class"] = pd.Series(
        [found.get(int(a), UNKNOWN) for a in deals["account_id"]], index=deals.index, dtype=object
    )
    return deals.drop(columns=["account_id"])[CLOSED_DEAL_COLUMNS]
