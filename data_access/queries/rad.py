"""The RAD page's queries (and the account page's): each account's BP, bookings, pipeline and visits, classed
R / A / D; one account's fields, contacts, deals, visits and payments due."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, literal, null, select
from sqlalchemy.orm import Session

from data_access.models import Account, BuyingPower, Contact, Contract, Opportunity, Payment, Rep, Team, Visit
from data_access.queries.shared import _distinct_values, _frame
from data_access.rad import account_bookings
from data_access.scope import Scope


def account_year(session: Session, scope: Scope, year: int) -> pd.DataFrame:
    """Accounts owned in scope with their BP and bookings of ``year``: account_code, name, bp (None when
    unknown), bookings, rad_override, owner_rep_id."""
    df = rad_accounts(session, scope, year, {}, date(year, 12, 31), activity=False)
    return df[["account_code", "name", "bp", "bookings", "rad_override", "owner_rep_id"]]


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
    """Accounts owned in scope (optionally of one region / industry, or just ``codes``, at most 5000) with
    what the RAD analysis needs (RAD_ACCOUNT_COLUMNS): BP and bookings of ``year`` (bookings of every
    deal on the account, whoever owns it: SOW is the account's), open and weighted pipeline of the deals
    in scope (weighted by ``probabilities``), done visits in the 90 days up to ``today`` and the last one.
    One query; every aggregate is grouped per account in SQL. Without ``activity`` the pipeline and visit
    columns are 0 / None and not summed (enough to class the accounts: a third of the work)."""
    conditions = [scope.condition(Account.owner_rep_id)]
    if region:
        conditions.append(Account.region == region)
    if industry:
        conditions.append(Account.industry == industry)
    if codes is not None:  # picked accounts (a click, a lasso)
        conditions.append(Account.account_code.in_(codes[:5000]))
    # fewer accounts than all (a team's, a region's, picked ones): the sums below read only their deals,
    # contracts and visits, through the account indexes, not every one of the company's before the join
    only = select(Account.id).where(*conditions) if len(conditions) > 1 or not scope.is_everything else None
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
    # sorted here, not in SQL: ORDER BY account_code made SQLite walk every account in code order and test its
    # owner, where the owner's index finds a team's accounts directly
    stmt = stmt.where(*conditions)
    df = _frame(session, stmt, RAD_ACCOUNT_COLUMNS).sort_values("account_code", ignore_index=True)
    money = ["bookings", "open_pipeline", "weighted_pipeline"]
    df = df.astype({**dict.fromkeys(money, float), "open_count": int, "visits_90d": int, "key_account": bool})
    df["bp"] = pd.to_numeric(df["bp"], errors="coerce").astype(float)
    return df


def account_regions_industries(session: Session, scope: Scope) -> tuple[list[str], list[str]]:
    """The regions and industries of the accounts the viewer sees (the RAD page's filter choices)."""
    owned = None if scope.is_everything else scope.condition(Account.owner_rep_id)
    return _distinct_values(session, Account.region, owned), _distinct_values(session, Account.industry, owned)


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


def account_contacts(session: Session, scope: Scope, account_id: int) -> pd.DataFrame:
    """The contacts of an account in scope (its owner's): name, decision_role, title, department, phone, email (by
    role, then name)."""
    cols = [Contact.name, Contact.decision_role, Contact.title, Contact.department, Contact.phone, Contact.email]
    owned = select(Account.id).where(Account.id == account_id, scope.condition(Account.owner_rep_id))
    stmt = (
        select(*cols)
        .where(Contact.account_id == account_id, Contact.account_id.in_(owned))
        .order_by(Contact.decision_role, Contact.name)
    )
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
