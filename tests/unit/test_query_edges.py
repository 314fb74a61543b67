"""The Overview's unpaid payments and open pipeline by level, and the win/loss deals' class of an account the kept
classes do not hold, on hand-built rows: each expected figure is written from the rows here (issue 23's
survivors of ``data_access.queries.overview`` and ``.winloss``)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from data_access import queries
from data_access.scope import Scope
from tests.builders import Seed

TODAY = date(2026, 6, 30)


@pytest.fixture()
def world(session: Session) -> dict[str, int]:
    """East's A1 and West's B1, one won deal each with a contract, and their payments around ``TODAY``."""
    seed = Seed(session)
    east, west = seed.team("East"), seed.team("West")
    a1, b1 = seed.rep("A1", east), seed.rep("B1", west)
    acc_a, acc_b = seed.account("ACC-A", a1), seed.account("ACC-B", b1)
    ca = seed.contract(seed.opp(acc_a, 1_000, 5, "won", closed=date(2026, 3, 1)), 1_000, date(2026, 3, 1))
    ca2 = seed.contract(seed.opp(acc_a, 600, 5, "won", closed=date(2026, 3, 5)), 600, date(2026, 3, 5))
    cb = seed.contract(seed.opp(acc_b, 500, 5, "won", closed=date(2026, 3, 2)), 500, date(2026, 3, 2))
    seed.payment(ca, "advance", date(2026, 6, 29), 100)  # p1, nothing paid: owes 100, due the day before today
    seed.payment(ca, "progress", date(2026, 6, 30), 200)  # p2, due today: not yet late
    seed.payment(ca, "acceptance", date(2026, 7, 1), 300)  # p3, due tomorrow
    seed.payment(ca, "retention", date(2026, 5, 1), 300, paid=100, paid_date=date(2026, 5, 2))  # p4, owes 200
    seed.payment(ca2, "advance", date(2026, 5, 1), 50, paid=49.99, paid_date=date(2026, 5, 2))  # p5, owes a fen
    seed.payment(ca2, "progress", date(2026, 4, 1), 80, paid=80, paid_date=date(2026, 4, 1))  # p6, paid in full
    seed.payment(cb, "advance", date(2026, 6, 29), 40)  # q1, West's, the same day as p1
    # half a fen owed (0.005 as written: SQLite keeps it, not late; PostgreSQL keeps money to the fen: 0.01, late)
    seed.payment(cb, "progress", date(2026, 2, 2), 0.005)
    # open deals: East at levels 5, 1, 3 (written out of level order), two at level 3; West one at 1; closed ones
    for level, amount in ((5, 70.0), (1, 10.0), (3, 30.0), (3, 33.0)):
        seed.opp(acc_a, amount, level)
    seed.opp(acc_b, 7.0, 1)
    seed.opp(acc_a, 999.0, 4, "lost", closed=date(2026, 2, 1))
    session.commit()
    return {"east": east.id, "west": west.id, "a1": a1.id, "acc_a": acc_a.id, "acc_b": acc_b.id}


def test_qed001_late_payments_are_those_due_before_today_with_more_than_half_a_fen_owed(session, world):
    """Per due date: p1 (100, nothing paid) with West's q1 (40) on 29 June, p4 (300, 100 paid) and p5 (50, 49.99
    paid) on 1 May; p2 (due today), p3 (tomorrow) and p6 (paid) are not late, nor half a fen owed (on SQLite).
    Nothing paid sums as 0, not NULL."""
    everyone = queries.unpaid_payments_due_before(session, Scope.everything(), TODAY)
    half_fen = [{"due_date": date(2026, 2, 2), "amount": 0.01, "paid_amount": 0.0, "n": 1}]
    assert everyone.to_dict("records") == [
        *(half_fen if session.get_bind().dialect.name == "postgresql" else []),
        {"due_date": date(2026, 5, 1), "amount": 350.0, "paid_amount": 149.99, "n": 2},
        {"due_date": date(2026, 6, 29), "amount": 140.0, "paid_amount": 0.0, "n": 2},
    ]
    east = queries.unpaid_payments_due_before(session, Scope.team(world["east"]), TODAY)
    assert [(r["due_date"], r["amount"], r["paid_amount"], r["n"]) for r in east.to_dict("records")] == [
        (date(2026, 5, 1), 350.0, 149.99, 2),
        (date(2026, 6, 29), 100.0, 0.0, 1),
    ]
    # the day after: p2 is late too (due the day before), p3 still not
    later = queries.unpaid_payments_due_before(session, Scope.team(world["east"]), date(2026, 7, 1))
    assert [(r["due_date"], r["amount"]) for r in later.to_dict("records")] == [
        (date(2026, 5, 1), 350.0),
        (date(2026, 6, 29), 100.0),
        (date(2026, 6, 30), 200.0),
    ]


def test_qed002_the_open_pipeline_by_level_in_level_order_with_whole_number_columns(session, world):
    """East's open deals: level 1 (10), level 3 (30 + 33), level 5 (70); West's level 1 (7) only for everyone; the
    lost deal at level 4 is no pipeline. Levels and counts are whole numbers, amounts floats."""
    east = queries.open_pipeline_by_level(session, Scope.team(world["east"]))
    assert east.to_dict("records") == [
        {"level": 1, "count": 1, "amount": 10.0},
        {"level": 3, "count": 2, "amount": 63.0},
        {"level": 5, "count": 1, "amount": 70.0},
    ]
    assert [str(t) for t in east.dtypes] == ["int64", "int64", "float64"]
    everyone = queries.open_pipeline_by_level(session, Scope.everything())
    assert [(r["level"], r["count"], r["amount"]) for r in everyone.to_dict("records")] == [
        (1, 2, 17.0),
        (3, 2, 63.0),
        (5, 1, 70.0),
    ]
    # with the pipeline due as well: the same types, also for a scope with no deals
    for scope in (Scope.team(world["east"]), Scope.nothing()):
        due = queries.open_pipeline_by_level(session, scope, due_by=date(2026, 12, 31))
        assert due.columns.tolist() == ["level", "count", "amount", "due"]
        assert [str(t) for t in due.dtypes] == ["int64", "int64", "float64", "float64"]


def test_qed003_a_closed_deal_at_an_account_the_kept_classes_lack_is_of_no_class(session, world):
    """The loader hands the whole company's kept classes; an account missing from them (ACC-B here) is "none", the
    column of text kept as objects as the frame's other text columns."""
    deals = queries.closed_deals(
        session, Scope.everything(), date(2026, 1, 1), date(2026, 12, 31), classes={world["acc_a"]: "R"}
    )
    assert list(zip(deals["amount"], deals["status"], deals["rad_class"], strict=True)) == [
        (1_000.0, "won", "R"),
        (999.0, "lost", "R"),
        (600.0, "won", "R"),
        (500.0, "won", "none"),
    ]
    assert deals["rad_class"].dtype == object


def test_qed004_a_read_sees_the_sessions_own_writes_not_yet_flushed(session, world):
    """``_frame`` reads through the Core connection, which does not flush; a session holding writes still reads
    them (the ORM's autoflush): a deal added, one changed and one deleted, none flushed by hand."""
    from sqlalchemy import select

    from data_access.models import Account, Opportunity

    def pipeline() -> list[tuple[int, int, float]]:
        rows = queries.open_pipeline_by_level(session, Scope.team(world["east"])).to_dict("records")
        return [(r["level"], r["count"], r["amount"]) for r in rows]

    assert pipeline() == [(1, 1, 10.0), (3, 2, 63.0), (5, 1, 70.0)]
    account = session.scalars(select(Account).where(Account.account_code == "ACC-A")).one()
    session.add(
        Opportunity(
            opp_code="NEW-1",
            account_id=account.id,
            owner_rep_id=account.owner_rep_id,
            name="new",
            amount=5.0,
            level=2,
            status="open",
            created_date=date(2026, 6, 1),
            expected_close_date=date(2026, 9, 1),
        )
    )
    assert pipeline() == [(1, 1, 10.0), (2, 1, 5.0), (3, 2, 63.0), (5, 1, 70.0)]  # pending: added
    session.commit()
    five = session.scalars(select(Opportunity).where(Opportunity.level == 5, Opportunity.status == "open")).one()
    five.amount = 75.0
    assert pipeline() == [(1, 1, 10.0), (2, 1, 5.0), (3, 2, 63.0), (5, 1, 75.0)]  # dirty: changed
    session.commit()
    session.delete(session.scalars(select(Opportunity).where(Opportunity.opp_code == "NEW-1")).one())
    assert pipeline() == [(1, 1, 10.0), (3, 2, 63.0), (5, 1, 75.0)]  # deleted
