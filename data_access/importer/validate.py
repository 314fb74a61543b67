"""Pass 1 of an import: every issue of the typed rows against each other and the database, writing nothing.

Duplicate keys, unknown codes, and the data dictionary's rules (won needs a contract, level 6 is won and fully
paid, stage history rises); a manager's rows must also stay inside the team (``team_rules``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.importer.common import Record, Rows, _codes, _in_chunks
from data_access.importer.reader import Issue
from data_access.importer.schema import CRM_ORIGIN, SHEETS
from data_access.importer.team_rules import _scope_issues
from data_access.models import (
    Account,
    Contract,
    Event,
    Opportunity,
    Payment,
    Product,
    QuoteLine,
    Rep,
    StageHistory,
)
from data_access.scope import Scope


def _key(record: Record, fields: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(record.get(f) for f in fields)


def validate(session: Session, typed: dict[str, Rows], scope: Scope | None = None) -> list[Issue]:
    """Every issue of the typed rows against each other and the database; writes nothing.

    With a ``scope`` narrower than everything (a manager), every row must stay inside it (``_scope_issues``).
    """
    issues: list[Issue] = []
    spec = {s.name: s for s in SHEETS}
    for name, rows in typed.items():
        seen: dict[tuple[Any, ...], int] = {}
        for number, rec in rows:
            key = _key(rec, spec[name].key)
            if key in seen:
                issues.append(
                    Issue(
                        name,
                        number,
                        ",".join(spec[name].key),
                        ",".join(map(str, key)),
                        f"duplicate of row {seen[key]}: the same {'/'.join(spec[name].key)} twice",
                    )
                )
            else:
                seen[key] = number

    def file_codes(sheet: str, col: str) -> set[str]:
        return {str(r[col]) for _, r in typed.get(sheet, [])}

    referenced: dict[str, set[str]] = defaultdict(set)
    refs = {
        "reps": [("manager_code", "rep")],
        "accounts": [("owner_rep_code", "rep")],
        "buying_power": [("account_code", "account")],
        "contacts": [("account_code", "account")],
        "opportunities": [("account_code", "account"), ("owner_rep_code", "rep")],
        "stage_history": [("opp_code", "opp")],
        "quotas": [("rep_code", "rep")],
        "contracts": [("opp_code", "opp")],
        "payments": [("contract_code", "contract")],
        "visits": [("rep_code", "rep"), ("account_code", "account"), ("opp_code", "opp")],
        "events": [("organiser_rep_code", "rep")],
        "event_attendees": [("event_code", "event"), ("account_code", "account")],
        "training": [("rep_code", "rep")],
        "bids": [("opp_code", "opp")],
        "support_requests": [("opp_code", "opp"), ("requested_by", "rep")],
        "quote_lines": [("opp_code", "opp"), ("product_code", "product"), ("approved_by", "rep")],
    }
    for sheet, pairs in refs.items():
        for _, rec in typed.get(sheet, []):
            for col, kind in pairs:
                if rec.get(col) is not None:
                    referenced[kind].add(str(rec[col]))
    known = {
        "rep": file_codes("reps", "rep_code") | set(_codes(session, Rep.rep_code, Rep.id, referenced["rep"])),
        "account": file_codes("accounts", "account_code")
        | set(_codes(session, Account.account_code, Account.id, referenced["account"])),
        "opp": file_codes("opportunities", "opp_code")
        | set(_codes(session, Opportunity.opp_code, Opportunity.id, referenced["opp"])),
        "contract": file_codes("contracts", "contract_code")
        | set(_codes(session, Contract.contract_code, Contract.id, referenced["contract"])),
        "event": file_codes("events", "event_code")
        | set(_codes(session, Event.event_code, Event.id, referenced["event"])),
        "product": file_codes("price_list", "product_code")
        | set(_codes(session, Product.product_code, Product.id, referenced["product"])),
    }
    for sheet, pairs in refs.items():
        for number, rec in typed.get(sheet, []):
            for col, kind in pairs:
                value = rec.get(col)
                if value is not None and str(value) not in known[kind]:
                    issues.append(Issue(sheet, number, col, str(value), f"unknown {kind} code {value!r}"))
    issues.extend(_rules(session, typed))
    issues.extend(_support_rules(session, typed))
    if scope is not None and not scope.is_everything:
        issues.extend(_scope_issues(session, typed, scope, known))
    return issues


def _rules(session: Session, typed: dict[str, Rows]) -> list[Issue]:
    """The data dictionary's rules, over the file and what the database already holds."""
    issues: list[Issue] = []
    for number, r in typed.get("contracts", []):
        if r.get("gross_margin") is None and r.get("origin") != CRM_ORIGIN:
            issues.append(
                Issue(
                    "contracts",
                    number,
                    "gross_margin",
                    None,
                    "required: only a contract derived from a CRM export (origin crm_export) may leave it empty",
                )
            )
    opps = typed.get("opportunities", [])
    if not opps and not typed.get("stage_history"):
        return issues
    codes = {str(r["opp_code"]) for _, r in opps} | {str(r["opp_code"]) for _, r in typed.get("stage_history", [])}
    db_contracts = _in_chunks(
        session,
        lambda chunk: (
            select(Opportunity.opp_code, Contract.contract_code, Contract.amount)
            .join(Contract, Contract.opportunity_id == Opportunity.id)
            .where(Opportunity.opp_code.in_(chunk))
        ),
        codes,
    )
    contracts: dict[str, dict[str, float]] = defaultdict(dict)  # opp -> contract -> amount
    opp_of: dict[str, str] = {}  # contract -> its opp
    for opp, code, amount in db_contracts:
        contracts[opp][code] = float(amount)
        opp_of[code] = opp
    for _, r in typed.get("contracts", []):
        code = str(r["contract_code"])
        if code in opp_of:  # the file moves or restates it
            contracts[opp_of[code]].pop(code, None)
        contracts[str(r["opp_code"])][code] = float(r["amount"])
        opp_of[code] = str(r["opp_code"])
    all_contracts = {c for per in contracts.values() for c in per}
    paid: dict[tuple[str, str], float] = {}
    for code, milestone, amount_paid in _in_chunks(
        session,
        lambda chunk: (
            select(Contract.contract_code, Payment.milestone, Payment.paid_amount)
            .join(Payment, Payment.contract_id == Contract.id)
            .where(Contract.contract_code.in_(chunk))
        ),
        all_contracts,
    ):
        paid[(code, milestone)] = float(amount_paid or 0)
    for _, r in typed.get("payments", []):
        paid[(str(r["contract_code"]), str(r["milestone"]))] = float(r.get("paid_amount") or 0)
    paid_by_contract: dict[str, float] = defaultdict(float)
    for (code, _m), value in paid.items():
        paid_by_contract[code] += value
    for number, r in opps:
        code = str(r["opp_code"])
        if r["status"] == "won" and not contracts.get(code):
            issues.append(
                Issue("opportunities", number, "status", "won", "a won opportunity needs a contract (contracts sheet)")
            )
        if r["level"] == 6:
            if r["status"] != "won":
                issues.append(Issue("opportunities", number, "level", "6", "level 6 (cash collected) must be won"))
            owed = sum(contracts.get(code, {}).values())
            got = sum(paid_by_contract[c] for c in contracts.get(code, {}))
            if contracts.get(code) and got + 0.005 < owed:
                issues.append(
                    Issue(
                        "opportunities",
                        number,
                        "level",
                        "6",
                        f"level 6 needs the contract fully paid: {got:,.2f} of {owed:,.2f} collected",
                    )
                )
    # stage history: the first entry into a higher level is never earlier than into a lower one
    history: dict[str, dict[int, tuple[date, int | None]]] = defaultdict(dict)
    for code, level, entered in _in_chunks(
        session,
        lambda chunk: (
            select(Opportunity.opp_code, StageHistory.level, StageHistory.entered_date)
            .join(StageHistory, StageHistory.opportunity_id == Opportunity.id)
            .where(Opportunity.opp_code.in_(chunk))
        ),
        {str(r["opp_code"]) for _, r in typed.get("stage_history", [])},
    ):
        first = history[code].get(level)
        if first is None or entered < first[0]:
            history[code][level] = (entered, None)
    for number, r in typed.get("stage_history", []):
        code, level, entered = str(r["opp_code"]), int(r["level"]), r["entered_date"]
        first = history[code].get(level)
        if first is None or entered < first[0]:
            history[code][level] = (entered, number)
    for code, levels in history.items():
        ordered = sorted(levels.items())
        for (low, (low_date, _)), (high, (high_date, row)) in pairwise(ordered):
            if high_date < low_date:
                issues.append(
                    Issue(
                        "stage_history",
                        row,
                        "entered_date",
                        high_date.isoformat(),
                        f"{code}: level {high} entered on {high_date} before level {low} on {low_date}",
                    )
                )
    return issues


def _before(sheet: str, number: int, rec: Record, early: str, late: str) -> Issue | None:
    """An issue when the row's ``late`` date is before its ``early`` one (a deadline before publication)."""
    if rec.get(late) is not None and rec.get(early) is not None and rec[late] < rec[early]:
        return Issue(sheet, number, late, rec[late].isoformat(), f"{late} {rec[late]} is before {early} {rec[early]}")
    return None


def _support_rules(session: Session, typed: dict[str, Rows]) -> list[Issue]:
    """Dates in order on bids and support requests; one quote (its code) is one deal's, quoted on one day."""
    issues = [
        issue
        for sheet, early, late in (
            ("bids", "published_date", "deadline"),
            ("bids", "published_date", "submitted_date"),
            ("support_requests", "requested_date", "resolved_date"),
        )
        for number, rec in typed.get(sheet, [])
        if (issue := _before(sheet, number, rec, early, late)) is not None
    ]
    lines = typed.get("quote_lines", [])
    stored: dict[str, tuple[str, date]] = {
        str(code): (str(opp), quoted)
        for code, opp, quoted in _in_chunks(
            session,
            lambda chunk: (
                select(QuoteLine.quote_code, Opportunity.opp_code, QuoteLine.quoted_date)
                .join(Opportunity, Opportunity.id == QuoteLine.opportunity_id)
                .where(QuoteLine.quote_code.in_(chunk))
            ),
            {str(r["quote_code"]) for _, r in lines},
        )
    }
    first: dict[str, tuple[str, date, int | None]] = {code: (opp, day, None) for code, (opp, day) in stored.items()}
    for number, r in lines:
        code, opp, day = str(r["quote_code"]), str(r["opp_code"]), r["quoted_date"]
        seen = first.setdefault(code, (opp, day, number))
        where = "stored" if seen[2] is None else f"row {seen[2]}"
        if seen[0] != opp:
            issues.append(
                Issue(
                    "quote_lines",
                    number,
                    "opp_code",
                    opp,
                    f"quote {code} is for {seen[0]} ({where}): one quote, one deal",
                )
            )
        elif seen[1] != day:
            issues.append(
                Issue(
                    "quote_lines",
                    number,
                    "quoted_date",
                    day.isoformat(),
                    f"quote {code} is dated {seen[1]} ({where}): a new date is a new quote version (a new quote_code)",
                )
            )
    return issues
