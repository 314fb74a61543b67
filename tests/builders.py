"""Seed hand-built data through the models, with defaults for what a test does not care about."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import (
    Account,
    BuyingPower,
    Contact,
    Contract,
    Event,
    EventAttendee,
    Opportunity,
    Payment,
    Quota,
    Rep,
    StageHistory,
    Team,
    Training,
    Visit,
)
from data_access.users import Viewer

_seq = count(1)


class Seed:
    def __init__(self, session: Session) -> None:
        self.s = session

    def team(self, name: str, region: str = "华东") -> Team:
        team = Team(name=name, region=region)
        self.s.add(team)
        self.s.flush()
        return team

    def rep(self, code: str, team: Team | None = None, role: str = "rep", **kw: Any) -> Rep:
        rep = Rep(rep_code=code, name=kw.pop("name", code), team_id=team.id if team else None, role=role, **kw)
        self.s.add(rep)
        self.s.flush()
        return rep

    def account(self, code: str, owner: Rep, **kw: Any) -> Account:
        acc = Account(
            account_code=code,
            name=kw.pop("name", code),
            industry=kw.pop("industry", "金融"),
            region=kw.pop("region", "华东"),
            owner_rep_id=owner.id,
            **kw,
        )
        self.s.add(acc)
        self.s.flush()
        return acc

    def bp(self, account: Account, year: int, bp: float) -> BuyingPower:
        row = BuyingPower(account_id=account.id, year=year, bp=bp)
        self.s.add(row)
        self.s.flush()
        return row

    def opp(
        self,
        account: Account,
        amount: float,
        level: int,
        status: str = "open",
        *,
        created: date = date(2026, 1, 10),
        expected: date = date(2026, 12, 1),
        closed: date | None = None,
        owner: Rep | None = None,
        stages: list[tuple[date, int]] | None = None,
        **kw: Any,
    ) -> Opportunity:
        """A deal and its stage history: one entry at ``level`` on ``created``, or ``stages`` as (day, level), each
        entry flushed in turn (so their ids follow the order written)."""
        opp = Opportunity(
            opp_code=kw.pop("code", f"OP{next(_seq):05d}"),
            account_id=account.id,
            owner_rep_id=(owner.id if owner else account.owner_rep_id),
            name=kw.pop("name", "deal"),
            amount=amount,
            level=level,
            status=status,
            created_date=created,
            expected_close_date=expected,
            closed_date=closed,
            **kw,
        )
        self.s.add(opp)
        self.s.flush()
        if stages is None:
            self.s.add(StageHistory(opportunity_id=opp.id, level=level, entered_date=created))
            return opp
        for day, entered in stages:
            self.s.add(StageHistory(opportunity_id=opp.id, level=entered, entered_date=day))
            self.s.flush()
        return opp

    def contract(
        self, opp: Opportunity, amount: float, signed: date, gm: float = 0.0, code: str | None = None
    ) -> Contract:
        c = Contract(
            contract_code=code or f"HT{next(_seq):05d}",
            opportunity_id=opp.id,
            signed_date=signed,
            amount=amount,
            gross_margin=gm,
        )
        self.s.add(c)
        self.s.flush()
        return c

    def payment(
        self,
        contract: Contract,
        milestone: str,
        due: date,
        amount: float,
        paid: float | None = None,
        paid_date: date | None = None,
    ) -> Payment:
        p = Payment(
            contract_id=contract.id,
            milestone=milestone,
            due_date=due,
            amount=amount,
            paid_amount=paid,
            paid_date=paid_date,
        )
        self.s.add(p)
        self.s.flush()
        return p

    def visit(self, rep: Rep, account: Account, when: date, status: str = "done", kind: str = "visit") -> Visit:
        v = Visit(rep_id=rep.id, account_id=account.id, visit_date=when, kind=kind, status=status)
        self.s.add(v)
        self.s.flush()
        return v

    def contact(self, account: Account, name: str, role: str) -> Contact:
        c = Contact(account_id=account.id, name=name, decision_role=role)
        self.s.add(c)
        self.s.flush()
        return c

    def training(self, rep: Rep, day: date, hours: float, course: str = "course") -> Training:
        """A product training of ``rep`` on ``day``."""
        t = Training(rep_id=rep.id, course=course, kind="product", training_date=day, hours=hours)
        self.s.add(t)
        self.s.flush()
        return t

    def many_opps(
        self,
        account: Account,
        count: int,
        code: str,
        *,
        amount: float,
        step: float = 0.0,
        name: str = "deal",
        level: int,
        status: str = "open",
        created: date,
        expected: date,
        closed: date | None = None,
    ) -> list[Opportunity]:
        """``count`` deals of the account's owner, coded ``code.format(i=i)`` and named ``name.format(i=i)`` for
        i = 0 .. count-1, of ``amount + i * step``, without stage history rows (a test's many rows, added at once)."""
        opps = [
            Opportunity(
                opp_code=code.format(i=i),
                account_id=account.id,
                owner_rep_id=account.owner_rep_id,
                name=name.format(i=i),
                amount=amount + i * step,
                level=level,
                status=status,
                created_date=created,
                expected_close_date=expected,
                closed_date=closed,
            )
            for i in range(count)
        ]
        self.s.add_all(opps)
        self.s.flush()
        return opps

    def quota(self, rep: Rep, year: int, revenue: float, gm: float, quarter: int | None = None) -> Quota:
        q = Quota(rep_id=rep.id, year=year, quarter=quarter, revenue_target=revenue, gm_target=gm)
        self.s.add(q)
        self.s.flush()
        return q


def make_viewer(user_id: int, role: str, rep: Rep | None = None) -> Viewer:
    """A signed-in viewer of ``role`` (a rep's or a manager's: ``rep``, whose id, code and team it carries)."""
    return Viewer(
        user_id=user_id,
        username=f"u{user_id}",
        role=role,
        rep_id=rep.id if rep else None,
        rep_code=rep.rep_code if rep else None,
        team_id=rep.team_id if rep else None,
    )


def add_event(session: Session, code: str, organiser: Any, kind: str, when: date, cost: float) -> Event:
    """An event named ``<code> name``."""
    event = Event(
        event_code=code, name=f"{code} name", kind=kind, event_date=when, organiser_rep_id=organiser.id, cost=cost
    )
    session.add(event)
    session.flush()
    return event


def attend(session: Session, event: Event, account: Any, attended: bool = True, contact: str | None = None) -> None:
    """An event's attendee row (``attended`` False: invited, did not come)."""
    session.add(EventAttendee(event_id=event.id, account_id=account.id, attended=attended, contact_name=contact))
    session.flush()


def book(seed: Seed, account: Any, year: int, bp: float | None, booked: float | None) -> None:
    """The account's BP of ``year`` and a contract signed in it (of a deal won long before the events' range): the
    ``account_years`` summary, kept by the flush, classes it from them (R from 50% SOW, A below 10%)."""
    if bp is not None:
        seed.bp(account, year, bp)
    if booked is not None:
        won = seed.opp(account, booked, 5, "won", created=date(2025, 1, 1), closed=date(year, 1, 2))
        seed.contract(won, booked, date(year, 1, 2))


def closed_history(
    seed: Seed,
    account: Account,
    level: int,
    won: int,
    lost: int,
    *,
    closed: date,
    expected: date,
    created: date = date(2025, 12, 1),
) -> None:
    """``won`` won then ``lost`` lost deals of 10 that entered ``level`` on ``created`` (their only stage entry) and
    closed on ``closed`` (a forecast's history of closed deals)."""
    for i in range(won + lost):
        seed.opp(
            account,
            10.0,
            level,
            "won" if i < won else "lost",
            created=created,
            expected=expected,
            closed=closed,
        )


def rep_by_code(session: Session, rep_code: str) -> tuple[int, int | None] | None:
    """(rep id, team id) of a rep code, or None (a test's lookup: the app's reads go through a scope)."""
    row = session.execute(select(Rep.id, Rep.team_id).where(Rep.rep_code == rep_code)).first()
    return (int(row[0]), row[1]) if row else None


_deal_codes = count(1)


def closed_deal_row(status: str, amount: float, **kw: Any) -> dict[str, Any]:
    """One closed deal as ``queries.closed_deals`` hands it over (win/loss's input); ``kw`` overrides a default:
    ``code``, ``created``, ``closed`` (or ``days`` after created), ``level``, ``reason``, ``win_reason``,
    ``competitor``, ``rad``, ``industry``, ``region``, ``team``, ``rep``, ``owner``, ``product``; others are added."""
    created = kw.pop("created", date(2026, 1, 1))
    return {
        "opp_code": kw.pop("code", f"OP{next(_deal_codes):05d}"),
        "status": status,
        "amount": amount,
        "level": kw.pop("level", 5),
        "created_date": created,
        "closed_date": kw.pop("closed", created + timedelta(days=kw.pop("days", 30))),
        "loss_reason": kw.pop("reason", None),
        "win_reason": kw.pop("win_reason", None),
        "competitor": kw.pop("competitor", None),
        "rad_class": kw.pop("rad", "R"),
        "industry": kw.pop("industry", "金融"),
        "region": kw.pop("region", "华东"),
        "team": kw.pop("team", "华东一部"),
        "rep_code": kw.pop("rep", "R1"),
        "owner": kw.pop("owner", "王伟"),
        "product_line": kw.pop("product", "云服务"),
        **kw,
    }


def rollup_frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    """Rows of ``queries.rep_rollup`` by rep_id (``columns`` names them, rep_id first); every other sum the
    scorecard reads is 0."""
    from metrics.scorecard import SUMS

    df = pd.DataFrame(rows, columns=columns).set_index("rep_id")
    for col in SUMS:
        if col not in df:
            df[col] = 0.0
    return df
