"""The scorecards' queries: per rep sums of a period, a rep's task book and target accounts, the week's visits,
overdue payments, the what-if's open deals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Executable, and_, case, func, literal, select
from sqlalchemy.orm import Session

from data_access.models import (
    Account,
    BuyingPower,
    Contract,
    Opportunity,
    Quota,
    Rep,
    Team,
    UnpaidPayment,
    Visit,
)
from data_access.queries.shared import OPEN_DEAL_COLUMNS, OPEN_DEAL_FIELDS, _days_between, _frame
from data_access.rad import account_classes
from data_access.scope import Scope

#: The open pipeline's owner, grouped by as an expression: with the plain column SQLite reads the company's
#: 333,000 open deals in owner order through the (status, owner) index, a probe into the table each (0.47 s at a
#: million deals); as ``owner_rep_id + 0`` it reads them from the open deals' covering index and sorts the sums
#: (0.08 s). A team's or a rep's scope still reads its deals through the owner's index.
OPEN_OWNER = Opportunity.owner_rep_id + 0


def _by_rep(session: Session, stmt: Executable, columns: list[str]) -> pd.DataFrame:
    return _frame(session, stmt, ["rep_id", *columns]).set_index("rep_id")


def rep_rollup(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    today: date,
    probabilities: Mapping[int, float],
    roles: tuple[str, ...] = ("rep",),
) -> pd.DataFrame:
    """Per rep row of ``roles`` in scope (sales reps unless asked; one rep's card asks every role, for a
    manager's own figures), index rep_id: rep_code, name, team_id, team, and the sums the scorecards need
    for the period [start, end] — bookings, gm_booked; pipeline_due and weighted_due (open, expected close
    by ``end``); open_pipeline and weighted_pipeline (all open); won/lost count and amount (closed in the
    period) and cycle_days_sum (over the deals won: closed_date - created_date in days, summed in the same read;
    reading the won deals to add them up in Python took 0.1-0.2 s for the whole company at 1M); overdue (what is
    owed of the payments past due at ``today``, from the ``unpaid_payments`` summary: 0.45-0.57 s -> 23 ms for the
    whole company at a million deals); visits done and planned in the period. One grouped query per measure,
    whatever the number of reps."""
    owner = Opportunity.owner_rep_id
    reps = _frame(
        session,
        select(Rep.id, Rep.rep_code, Rep.name, Rep.team_id, Team.name)
        .outerjoin(Team, Team.id == Rep.team_id)
        .where(Rep.role.in_(roles), scope.condition(Rep.id))
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
            OPEN_OWNER,
            func.sum(case((due, Opportunity.amount), else_=0)),
            func.sum(case((due, weight), else_=0)),
            func.sum(Opportunity.amount),
            func.sum(weight),
        )
        .where(Opportunity.status == "open", scope.opportunities())
        .group_by(OPEN_OWNER),
        ["pipeline_due", "weighted_due", "open_pipeline", "weighted_pipeline"],
    )
    won, lost = Opportunity.status == "won", Opportunity.status == "lost"
    cycle = _days_between(session, Opportunity.created_date, Opportunity.closed_date)
    closed = _by_rep(
        session,
        select(
            owner,
            func.sum(case((won, 1), else_=0)),
            func.sum(case((lost, 1), else_=0)),
            func.sum(case((won, Opportunity.amount), else_=0)),
            func.sum(case((lost, Opportunity.amount), else_=0)),
            func.sum(case((won, cycle), else_=0)),
        )
        .where(
            Opportunity.status.in_(("won", "lost")), Opportunity.closed_date.between(start, end), scope.opportunities()
        )
        .group_by(owner),
        ["won_count", "lost_count", "won_amount", "lost_amount", "cycle_days_sum"],
    )
    unpaid = UnpaidPayment  # the unpaid payments' summary: no contract or deal asked per payment
    overdue = _by_rep(
        session,
        select(unpaid.owner_rep_id, func.sum(unpaid.owed))
        .where(unpaid.due_date < today, scope.deals_on(unpaid.owner_rep_id, unpaid.product_line, unpaid.account_id))
        .group_by(unpaid.owner_rep_id),
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


def task_book(session: Session, scope: Scope, rep_id: int, year: int) -> pd.DataFrame:
    """One rep's task-book rows (销售任务书) of a year when ``scope`` holds the rep: quarter (None = whole year),
    revenue_target, gm_target, target_account_codes, base_salary, target_commission, working_conditions."""
    cols = [
        Quota.quarter,
        Quota.revenue_target,
        Quota.gm_target,
        Quota.target_account_codes,
        Quota.base_salary,
        Quota.target_commission,
        Quota.working_conditions,
    ]
    stmt = (
        select(*cols)
        .where(Quota.rep_id == rep_id, Quota.year == year, scope.condition(Quota.rep_id))
        .order_by(Quota.quarter)
    )
    names = [c.key for c in cols]
    return _frame(session, stmt, names)


def account_coverage(
    session: Session, scope: Scope, codes: list[str], start: date, end: date, today: date
) -> pd.DataFrame:
    """The task book's target accounts (by code, at most 500) the viewer sees: account_code, name, visited
    (done visits in the period), open_pipeline, booked (contracts signed in the period), bp (the account's
    buying power of the period's year: the wallet the target is about; None when not known)."""
    wanted = codes[:500]
    columns = ["account_code", "name", "visited", "open_pipeline", "booked", "bp"]
    if not wanted:
        return pd.DataFrame(columns=columns)
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
            BuyingPower.bp,
        )
        .outerjoin(visited, visited.c.account_id == Account.id)
        .outerjoin(BuyingPower, and_(BuyingPower.account_id == Account.id, BuyingPower.year == start.year))
        .outerjoin(pipeline, pipeline.c.account_id == Account.id)
        .outerjoin(booked, booked.c.account_id == Account.id)
        .where(Account.account_code.in_(wanted), scope.condition(Account.owner_rep_id))
        .order_by(Account.account_code)
    )
    df = _frame(session, stmt, columns)
    return df.astype({"visited": int, "open_pipeline": float, "booked": float, "bp": float})


def visits_by_class(
    session: Session, scope: Scope, start: date, end: date, year: int, r_min: float, a_max: float
) -> pd.DataFrame:
    """Done visits in [start, end] by reps in scope, by the RAD class of the visited account in ``year``:
    rad_class, visits, accounts (distinct accounts visited)."""
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
    stmt = (
        select(Visit.visit_date, Account.account_code, Account.name, Visit.kind, Visit.status, Visit.purpose)
        .join(Account, Account.id == Visit.account_id)
        .where(Visit.visit_date.between(start, end), scope.condition(Visit.rep_id))
        .order_by(Visit.visit_date, Account.account_code)
    )
    return _frame(session, stmt, ["visit_date", "account_code", "account", "kind", "status", "purpose"])


def open_deals_due(session: Session, scope: Scope, end: date, limit: int = 30) -> pd.DataFrame:
    """The largest open deals expected to close by ``end`` (the what-if's choices): opp_code, name, account,
    level, amount, expected_close_date."""
    stmt = (
        select(*OPEN_DEAL_FIELDS)
        .join(Account, Account.id == Opportunity.account_id)
        .where(Opportunity.status == "open", Opportunity.expected_close_date <= end, scope.opportunities())
        .order_by(Opportunity.amount.desc(), Opportunity.opp_code)
        .limit(limit)
    )
    return _frame(session, stmt, OPEN_DEAL_COLUMNS).astype({"amount": float})


def open_amounts(session: Session, scope: Scope, codes: list[str]) -> dict[str, float]:
    """The amounts of the open deals among ``codes`` (at most 200) that are in scope (others are ignored)."""
    stmt = select(Opportunity.opp_code, Opportunity.amount).where(
        Opportunity.opp_code.in_(codes[:200]), Opportunity.status == "open", scope.named_opportunities()
    )
    return {str(c): float(a) for c, a in session.execute(stmt)}
