"""The win/loss queries on small hand-built worlds, every answer written out in full: loss reasons (sums, order,
index), the head-to-head per competitor (an open deal with a close date, a competitor only won against), the
year's RAD classes per scope, the "missing" reason drill, the size band drills at their edges, and the closed
deals' every column (a deal owned by someone else than its account's owner, a tie on amount, given classes)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access import queries
from data_access.models import Account, Rep, Team
from data_access.scope import Scope
from metrics.winloss import Drill
from tests.builders import Seed

Y = 2026
START, END = date(Y, 1, 1), date(Y, 12, 31)
BEFORE, AFTER = date(Y - 1, 12, 31), date(Y + 1, 1, 1)


def _plain(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts, a missing value (None, NaN) as None."""
    return [
        {str(k): (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
        for row in df.to_dict("records")
    ]


class People:
    """Two teams, three reps (R3 without a team) and four accounts: ACA (BP 1000, nothing booked: A), ACR (BP
    1000, 600 booked: R), ACN (no BP: none), ACD (override D); ACA and ACR are R1's, ACN R2's, ACD R3's."""

    def __init__(self, session: Session) -> None:
        seed = Seed(session)
        self.seed = seed
        self.east: Team = seed.team("East")
        self.west: Team = seed.team("West", region="西部")
        self.r1: Rep = seed.rep("R1", self.east, name="Wang")
        self.r2: Rep = seed.rep("R2", self.west, name="Li")
        self.r3: Rep = seed.rep("R3", None, name="Solo")
        self.aca: Account = seed.account("ACA", self.r1, industry="Gov", region="East")
        self.acr: Account = seed.account("ACR", self.r1, industry="Fin", region="East")
        self.acn: Account = seed.account("ACN", self.r2, industry="Mfg", region="West")
        self.acd: Account = seed.account("ACD", self.r3, industry="Energy", region="North", rad_override="D")
        seed.bp(self.aca, Y, 1000)
        seed.bp(self.acr, Y, 1000)
        # the 600 booked this year come from a deal won the day before the period (it is no closed deal of it)
        booked = seed.opp(self.acr, 600, 6, "won", created=date(Y - 1, 6, 1), closed=BEFORE, code="BOOK")
        seed.contract(booked, 600, date(Y, 3, 1))


def test_wqm001_loss_reasons_counted_summed_and_ordered(session: Session) -> None:
    """Lost deals closed on the first and last day count, the day before and after do not, nor a won deal or an
    open one (with a close date) naming a reason; two reasons of 2 deals are told apart by their amounts, the
    missing reason (None) is one row; ranked by count then amount, largest first, on a fresh 0.. index."""
    p = People(session)
    s = p.seed
    s.opp(p.aca, 100, 3, "lost", closed=START, code="P1", loss_reason="Price")
    s.opp(p.aca, 50, 3, "lost", closed=END, code="P2", loss_reason="Price")
    s.opp(p.aca, 300, 3, "lost", closed=date(Y, 6, 1), code="B1", loss_reason="Budget")
    s.opp(p.acn, 10, 3, "lost", closed=date(Y, 6, 2), code="B2", loss_reason="Budget")
    s.opp(p.aca, 999, 3, "lost", closed=date(Y, 7, 1), code="N1")
    s.opp(p.aca, 5, 3, "lost", closed=date(Y, 8, 1), code="T1", loss_reason="Timing")
    s.opp(p.aca, 7, 3, "lost", closed=BEFORE, code="T0", loss_reason="Timing")
    s.opp(p.aca, 8, 3, "lost", closed=AFTER, code="P9", loss_reason="Price")
    s.opp(p.aca, 40, 3, "won", closed=date(Y, 5, 5), code="W1", loss_reason="Price")
    s.opp(p.aca, 1000, 3, "open", closed=date(Y, 5, 5), code="O1", loss_reason="Budget")
    session.commit()

    every = queries.loss_reasons(session, Scope.everything(), START, END)
    assert list(every.columns) == ["reason", "count", "amount"]
    assert list(every.index) == [0, 1, 2, 3]
    assert _plain(every) == [
        {"reason": "Budget", "count": 2, "amount": 310.0},
        {"reason": "Price", "count": 2, "amount": 150.0},
        {"reason": None, "count": 1, "amount": 999.0},
        {"reason": "Timing", "count": 1, "amount": 5.0},
    ]
    mine = queries.loss_reasons(session, Scope.rep(p.r1.id), START, END)  # B2 is R2's
    assert list(mine.index) == [0, 1, 2, 3]
    assert _plain(mine) == [
        {"reason": "Price", "count": 2, "amount": 150.0},
        {"reason": None, "count": 1, "amount": 999.0},
        {"reason": "Budget", "count": 1, "amount": 300.0},
        {"reason": "Timing", "count": 1, "amount": 5.0},
    ]
    assert queries.loss_reasons(session, Scope.nothing(), START, END).empty


def test_wqm002_competitor_outcomes_per_competitor_in_name_order(session: Session) -> None:
    """Won and lost deals against ten competitors, written out of name order: Cisco only won against (its lost
    amount is 0, not missing), Acme only lost to; an open deal with a close date in the period (Zeta) and a deal
    without a competitor are no row; Acme's deals the day before and after the period do not count."""
    p = People(session)
    s = p.seed
    s.opp(p.aca, 200, 4, "won", closed=date(Y, 3, 1), code="H1", competitor="Huawei")
    s.opp(p.aca, 900, 4, "open", closed=date(Y, 3, 2), code="Z1", competitor="Zeta")
    for i, name in enumerate(["Kyocera", "Juniper", "Intel", "Fujitsu", "Ericsson", "Dell", "Bosch"]):
        s.opp(p.aca, 1 + i, 4, "lost", closed=date(Y, 4, 1 + i), code=f"K{i}", competitor=name)
    s.opp(p.aca, 100, 4, "won", closed=START, code="C1", competitor="Cisco")
    s.opp(p.aca, 50, 4, "lost", closed=END, code="H2", competitor="Huawei")
    s.opp(p.acn, 30, 4, "lost", closed=date(Y, 4, 4), code="H3", competitor="Huawei")
    s.opp(p.aca, 70, 4, "lost", closed=date(Y, 5, 5), code="A1", competitor="Acme")
    s.opp(p.aca, 500, 4, "won", closed=date(Y, 5, 6), code="M1")
    s.opp(p.aca, 11, 4, "lost", closed=BEFORE, code="A0", competitor="Acme")
    s.opp(p.aca, 12, 4, "won", closed=AFTER, code="A9", competitor="Acme")
    session.commit()

    def lost_to(name: str, amount: float) -> dict[str, Any]:
        return {"competitor": name, "won": 0, "lost": 1, "won_amount": 0.0, "lost_amount": amount}

    every = queries.competitor_outcomes(session, Scope.everything(), START, END)
    assert _plain(every) == [
        lost_to("Acme", 70.0),
        lost_to("Bosch", 7.0),
        {"competitor": "Cisco", "won": 1, "lost": 0, "won_amount": 100.0, "lost_amount": 0.0},
        lost_to("Dell", 6.0),
        lost_to("Ericsson", 5.0),
        lost_to("Fujitsu", 4.0),
        {"competitor": "Huawei", "won": 1, "lost": 2, "won_amount": 200.0, "lost_amount": 80.0},
        lost_to("Intel", 3.0),
        lost_to("Juniper", 2.0),
        lost_to("Kyocera", 1.0),
    ]
    west = queries.competitor_outcomes(session, Scope.team(p.west.id), START, END)
    assert _plain(west) == [lost_to("Huawei", 30.0)]


def test_wqm003_year_classes_by_scope(session: Session) -> None:
    """Each account's class this year by the saved thresholds (ACA: BP 1000, nothing booked, is A; ACR: 600 of
    1000 booked, R; ACN: no BP, none; ACD: override D), the whole company's or only the accounts a rep or team
    owns; last year nobody had a BP (ACD keeps its override)."""
    p = People(session)
    session.commit()
    assert queries.year_classes(session, Scope.everything(), Y) == {
        p.aca.id: "A",
        p.acr.id: "R",
        p.acn.id: "none",
        p.acd.id: "D",
    }
    assert queries.year_classes(session, Scope.rep(p.r1.id), Y) == {p.aca.id: "A", p.acr.id: "R"}
    assert queries.year_classes(session, Scope.team(p.west.id), Y) == {p.acn.id: "none"}
    assert queries.year_classes(session, Scope.rep(p.r3.id), Y) == {p.acd.id: "D"}
    assert queries.year_classes(session, Scope.nothing(), Y) == {}
    assert queries.year_classes(session, Scope.rep(p.r1.id), Y - 1) == {p.aca.id: "none", p.acr.id: "none"}


def test_wqm004_missing_reason_drill_takes_none_empty_and_the_word(session: Session) -> None:
    """The "none" reason drill names the lost deals whose reason is NULL, empty or the word "none" itself, not
    a named reason, not a won deal without a reason, not one closed after the period."""
    p = People(session)
    s = p.seed
    s.opp(p.aca, 10, 2, "lost", closed=date(Y, 2, 1), code="N0")
    s.opp(p.aca, 20, 2, "lost", closed=date(Y, 2, 2), code="E0", loss_reason="")
    s.opp(p.aca, 30, 2, "lost", closed=date(Y, 2, 3), code="S0", loss_reason="none")
    s.opp(p.aca, 40, 2, "lost", closed=date(Y, 2, 4), code="P0", loss_reason="Price")
    s.opp(p.aca, 50, 2, "won", closed=date(Y, 2, 5), code="W0")
    s.opp(p.aca, 60, 2, "lost", closed=AFTER, code="N9")
    session.commit()
    for value, codes in (("none", ["S0", "E0", "N0"]), ("Price", ["P0"]), ("Timing", [])):
        drill = Drill("reason", value)
        assert queries.closed_deals(session, Scope.everything(), START, END, drill)["opp_code"].tolist() == codes
        assert queries.closed_count(session, Scope.everything(), START, END, drill) == len(codes)


def test_wqm005_size_band_drills_at_the_band_edges(session: Session) -> None:
    """Deals of 0, 99,999, exactly 100k, 499,999, exactly 500k, 4,999,999 and exactly 5M: a band holds its lower
    bound and not its upper one; an unknown band holds nothing."""
    p = People(session)
    s = p.seed
    amounts = {"Z": 0, "A": 99_999, "B": 100_000, "C": 499_999, "D": 500_000, "E": 4_999_999, "F": 5_000_000}
    for i, (code, amount) in enumerate(amounts.items()):
        s.opp(p.aca, amount, 3, "lost" if i % 2 else "won", closed=date(Y, 3, 1 + i), code=code)
    s.opp(p.aca, 200_000, 3, "open", code="O")
    session.commit()
    for band, codes in (
        ("<100k", ["A", "Z"]),
        ("100k-500k", ["C", "B"]),
        ("500k-1M", ["D"]),
        ("1M-5M", ["E"]),
        (">=5M", ["F"]),
        ("9M-10M", []),
    ):
        drill = Drill("size_band", band)
        assert queries.closed_deals(session, Scope.everything(), START, END, drill)["opp_code"].tolist() == codes
        assert queries.closed_count(session, Scope.everything(), START, END, drill) == len(codes), band


def test_wqm006_closed_deals_every_column(session: Session) -> None:
    """Four closed deals and those left out (open, the day after, BOOK the day before): T2 on R1's account
    but owned by R2 (team, code and owner are R2's), T1 of the same amount (the code breaks the tie), D3 of R3
    without a team; the classes are the database's, or the ones handed in; rad_class is a column of objects."""
    p = People(session)
    s = p.seed
    t2 = s.opp(
        p.aca,
        300,
        4,
        "won",
        created=date(Y - 1, 12, 1),
        closed=START,
        owner=p.r2,
        code="T2",
        name="two",
        product_line="Cloud",
        competitor="Cisco",
        win_reason="Fast",
    )
    t1 = s.opp(p.acn, 300, 5, "lost", closed=END, code="T1", name="one", loss_reason="Price")
    d3 = s.opp(p.acd, 50, 2, "lost", closed=date(Y, 6, 1), code="D3", name="three", loss_reason="Budget")
    d4 = s.opp(p.acr, 1000, 6, "won", closed=date(Y, 7, 1), code="D4", name="four", product_line="Net")
    s.opp(p.aca, 5000, 3, "open", code="OPEN")
    s.opp(p.aca, 70, 3, "lost", closed=AFTER, code="NEXT")
    session.commit()

    def row(opp: Any, **kw: Any) -> dict[str, Any]:
        base = {
            "id": opp.id,
            "opp_code": opp.opp_code,
            "name": opp.name,
            "product_line": None,
            "competitor": None,
            "amount": float(opp.amount),
            "level": opp.level,
            "status": opp.status,
            "created_date": date(Y, 1, 10),
            "closed_date": opp.closed_date,
            "loss_reason": None,
            "win_reason": None,
        }
        return {**base, **kw}

    d4_row = row(d4, account="ACR", industry="Fin", region="East", team="East", rep_code="R1", owner="Wang")
    d4_row["product_line"] = "Net"
    t1_row = row(t1, account="ACN", industry="Mfg", region="West", team="West", rep_code="R2", owner="Li")
    t1_row["loss_reason"] = "Price"
    t2_row = row(t2, account="ACA", industry="Gov", region="East", team="West", rep_code="R2", owner="Li")
    t2_row.update(product_line="Cloud", competitor="Cisco", win_reason="Fast", created_date=date(Y - 1, 12, 1))
    d3_row = row(d3, account="ACD", industry="Energy", region="North", team=None, rep_code="R3", owner="Solo")
    d3_row["loss_reason"] = "Budget"
    order = [d4_row, t1_row, t2_row, d3_row]

    deals = queries.closed_deals(session, Scope.everything(), START, END)
    assert list(deals.columns) == queries.CLOSED_DEAL_COLUMNS
    assert list(deals.index) == [0, 1, 2, 3]
    assert deals["rad_class"].dtype == object
    want = [{**r, "rad_class": c} for r, c in zip(order, ["R", "none", "A", "D"], strict=True)]
    assert _plain(deals) == [{k: r[k] for k in queries.CLOSED_DEAL_COLUMNS} for r in want]

    given = {p.aca.id: "R", p.acn.id: "D"}  # what a loader holds: ACR and ACD are not in it
    handed = queries.closed_deals(session, Scope.everything(), START, END, classes=given)
    assert handed["rad_class"].dtype == object
    want = [{**r, "rad_class": c} for r, c in zip(order, ["none", "D", "R", "none"], strict=True)]
    assert _plain(handed) == [{k: r[k] for k in queries.CLOSED_DEAL_COLUMNS} for r in want]

    west = queries.closed_deals(session, Scope.team(p.west.id), START, END)  # T2 is R2's deal on R1's account
    assert west["opp_code"].tolist() == ["T1", "T2"]
    assert west["id"].tolist() == [t1.id, t2.id]
    top = queries.closed_deals(session, Scope.everything(), START, END, limit=2)
    assert top["opp_code"].tolist() == ["D4", "T1"]


def test_wqm007_closed_deals_of_a_team_drilled_to_a_class(session: Session) -> None:
    """R1's deals drilled to RAD class A and R (ACA is A, ACR is R this year): each deal of its account's class,
    counted the same."""
    p = People(session)
    s = p.seed
    s.opp(p.aca, 10, 3, "lost", closed=date(Y, 2, 1), code="A1")
    s.opp(p.acr, 20, 3, "won", closed=date(Y, 2, 2), code="R1")
    s.opp(p.acn, 30, 3, "won", closed=date(Y, 2, 3), code="N1")
    session.commit()
    for scope in (Scope.rep(p.r1.id), Scope.everything()):
        for cls, codes in (("A", ["A1"]), ("R", ["R1"]), ("D", [])):
            drill = Drill("rad_class", cls)
            assert queries.closed_deals(session, scope, START, END, drill)["opp_code"].tolist() == codes
            assert queries.closed_count(session, scope, START, END, drill) == len(codes)


@pytest.mark.parametrize("segment", ["industry", "product_line"])
def test_wqm008_missing_segment_drill(session: Session, segment: str) -> None:
    """The "none" drill of a text segment names the deals whose value is NULL, empty or "none" (product line
    here; an industry is never missing, so none)."""
    p = People(session)
    s = p.seed
    s.opp(p.aca, 10, 3, "lost", closed=date(Y, 2, 1), code="N0")
    s.opp(p.aca, 20, 3, "won", closed=date(Y, 2, 2), code="E0", product_line="")
    s.opp(p.aca, 30, 3, "won", closed=date(Y, 2, 3), code="S0", product_line="none")
    s.opp(p.aca, 40, 3, "won", closed=date(Y, 2, 4), code="C0", product_line="Cloud")
    session.commit()
    codes = ["S0", "E0", "N0"] if segment == "product_line" else []
    drill = Drill(segment, "none")
    assert queries.closed_deals(session, Scope.everything(), START, END, drill)["opp_code"].tolist() == codes
    assert queries.closed_count(session, Scope.everything(), START, END, drill) == len(codes)


def test_wqm009_equal_amounts_listed_by_code(session: Session) -> None:
    """Four closed deals of 250 written in none of code, close date or account order (Q3, Q1, Q4, Q2) and a
    larger one: the largest first, then the equal ones by code, whatever the order read; the limit cuts after
    the code order."""
    p = People(session)
    s = p.seed
    s.opp(p.acn, 250, 3, "lost", closed=date(Y, 6, 1), code="Q3")
    s.opp(p.acr, 250, 3, "won", closed=date(Y, 3, 1), code="Q1")
    s.opp(p.aca, 250, 3, "lost", closed=START, code="Q4")
    s.opp(p.acd, 250, 3, "won", closed=END, code="Q2")
    s.opp(p.aca, 251, 3, "won", closed=date(Y, 9, 1), code="Q0")
    session.commit()
    every = queries.closed_deals(session, Scope.everything(), START, END)
    assert every["opp_code"].tolist() == ["Q0", "Q1", "Q2", "Q3", "Q4"]
    assert every["amount"].tolist() == [251.0, 250.0, 250.0, 250.0, 250.0]
    for limit, codes in ((2, ["Q0", "Q1"]), (3, ["Q0", "Q1", "Q2"])):
        top = queries.closed_deals(session, Scope.everything(), START, END, limit=limit)
        assert top["opp_code"].tolist() == codes
    lost = queries.closed_deals(session, Scope.everything(), START, END, Drill("outcome", "lost"))
    assert lost["opp_code"].tolist() == ["Q3", "Q4"]
