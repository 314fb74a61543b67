"""The import engine: validate everything, then upsert everything in one transaction.

Pass 1 reads nothing but codes from the database and checks every row: types (convert), duplicate
keys, unknown codes, and the data dictionary's rules (won needs a contract, level 6 is won and fully
paid, stage history rises, no negative amounts). Any issue: nothing is written. Pass 2 upserts by
business key in dependency order inside one transaction, counting created / updated / unchanged per
sheet; a level change appends a stage-history row dated the import's as-of date.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased

from config import Limits
from data_access.importer.convert import CONTROL, typed_rows
from data_access.importer.reader import (
    DEFAULT_LIMITS,
    Applied,
    ImportRejected,
    Issue,
    Mapping_,
    SavedField,
    TooLarge,
    map_tables,
    read_source,
)
from data_access.importer.schema import BY_NAME, SHEETS, column_for, normalise
from data_access.models import (
    Account,
    BuyingPower,
    Contact,
    Contract,
    ImportLock,
    ImportMapping,
    ImportRun,
    Opportunity,
    OpportunityChange,
    Payment,
    Quota,
    Rep,
    StageHistory,
    Team,
    Visit,
)
from data_access.scope import Scope
from data_access.settings import bump_data_version
from data_access.users import utcnow

Record = dict[str, Any]
Rows = list[tuple[int, Record]]
Progress = Callable[[str, float], None]
CHUNK = 500
log = logging.getLogger("salesradar")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportReport:
    file_name: str
    as_of: date
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    #: the column mappings that decided how the file was read (explicit, yours, shared)
    applied: list[Applied] = field(default_factory=list)
    #: the import log's row of a real run
    run_id: int | None = None
    #: a limit refused the file (its one issue says which)
    too_large: bool = False
    #: the short sentence of a run that failed (an error id; the details are in the server log only)
    failed: str | None = None

    @property
    def ok(self) -> bool:
        return not self.issues and self.failed is None

    def counts_dict(self) -> dict[str, dict[str, int]]:
        return {sheet: c.as_dict() for sheet, c in self.counts.items()}


def _in_chunks(session: Session, stmt_for: Callable[[list[Any]], Any], values: Iterable[Any]) -> list[Any]:
    values = list(dict.fromkeys(v for v in values if v is not None))
    out: list[Any] = []
    for i in range(0, len(values), CHUNK):
        out.extend(session.execute(stmt_for(values[i : i + CHUNK])).all())
    return out


def _codes(session: Session, column: Any, id_column: Any, codes: Iterable[str]) -> dict[str, int]:
    rows = _in_chunks(session, lambda chunk: select(column, id_column).where(column.in_(chunk)), codes)
    return {str(code): int(i) for code, i in rows}


# --------------------------------------------------------------------------------------------------
# pass 1: validation


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
    }
    for sheet, pairs in refs.items():
        for number, rec in typed.get(sheet, []):
            for col, kind in pairs:
                value = rec.get(col)
                if value is not None and str(value) not in known[kind]:
                    issues.append(Issue(sheet, number, col, str(value), f"unknown {kind} code {value!r}"))
    issues.extend(_rules(session, typed))
    if scope is not None and not scope.is_everything:
        issues.extend(_scope_issues(session, typed, scope, known))
    return issues


OUTSIDE = "outside your team: not yours to change"


@dataclass(frozen=True)
class _DbOpp:
    owner: str
    account: str
    account_owner: str


def _scope_issues(session: Session, typed: dict[str, Rows], scope: Scope, known: Mapping[str, set[str]]) -> list[Issue]:
    """Rows a manager may not write: every row must stay inside the reps of their scope (their team).

    A rep row of an existing rep of the team may not change its team, role or manager; a new rep joins the
    team as a ``rep`` managed by someone of the team (or nobody). Every other row must belong to the team by
    its owner and by its account: an opportunity on another team's account, a visit to one, a contract of
    another team's deal are refused, whatever the stored row says and whatever the file says, and so is
    restating a row another team owns. Codes nobody knows are left to the "unknown code" issues.
    """
    issues: list[Issue] = []

    def refuse(sheet: str, number: int, column: str, value: object, message: str = OUTSIDE) -> None:
        issues.append(Issue(sheet, number, column, "" if value is None else str(value), message))

    manager = aliased(Rep)
    db_mine: dict[str, tuple[str | None, str, str | None]] = {
        str(code): (team, str(role), manager_code)
        for code, team, role, manager_code in session.execute(
            select(Rep.rep_code, Team.name, Rep.role, manager.rep_code)
            .outerjoin(Team, Team.id == Rep.team_id)
            .outerjoin(manager, manager.id == Rep.manager_id)
            .where(scope.condition(Rep.id))
        )
    }
    my_teams = sorted({team for team, _role, _m in db_mine.values() if team is not None})
    rep_rows = typed.get("reps", [])
    elsewhere = set(_codes(session, Rep.rep_code, Rep.id, [str(r["rep_code"]) for _, r in rep_rows])) - set(db_mine)
    new_ok: set[str] = set()
    new_rows: Rows = []
    for number, r in rep_rows:
        code = str(r["rep_code"])
        if code in db_mine:
            team, role, manager_code = db_mine[code]
            if r["team"] != team:
                refuse(
                    "reps",
                    number,
                    "team",
                    r["team"],
                    f"outside your team: only a director moves a rep to another team ({code} is in {team})",
                )
            if r["role"] != role:
                refuse(
                    "reps",
                    number,
                    "role",
                    r["role"],
                    f"not yours to change: only a director changes a role ({code} is {role})",
                )
            if r["manager_code"] != manager_code:
                refuse(
                    "reps",
                    number,
                    "manager_code",
                    r["manager_code"],
                    f"not yours to change: only a director changes who manages {code} ({manager_code or 'nobody'})",
                )
        elif code in elsewhere:
            refuse("reps", number, "rep_code", code)
        else:
            ok = True
            if r["team"] not in my_teams:
                refuse(
                    "reps",
                    number,
                    "team",
                    r["team"],
                    f"outside your team: a rep you add joins your team ({', '.join(my_teams) or 'none'})",
                )
                ok = False
            if r["role"] != "rep":
                refuse(
                    "reps", number, "role", r["role"], "not yours to change: a manager adds people with the role rep"
                )
                ok = False
            if ok:
                new_ok.add(code)
            new_rows.append((number, r))
    mine = set(db_mine) | new_ok
    for number, r in new_rows:
        if r["manager_code"] is not None and r["manager_code"] not in mine:
            refuse(
                "reps",
                number,
                "manager_code",
                r["manager_code"],
                "outside your team: a rep you add is managed by someone of your team",
            )

    def rep_outside(code: object) -> bool:
        return code is not None and str(code) in known["rep"] and str(code) not in mine

    # what the database says of every account, deal and contract the file names
    def codes_of(*pairs: tuple[str, str]) -> set[str]:
        return {str(r[col]) for sheet, col in pairs for _, r in typed.get(sheet, []) if r.get(col) is not None}

    contract_opp = {
        str(code): str(opp)
        for code, opp in _in_chunks(
            session,
            lambda chunk: (
                select(Contract.contract_code, Opportunity.opp_code)
                .join(Opportunity, Opportunity.id == Contract.opportunity_id)
                .where(Contract.contract_code.in_(chunk))
            ),
            codes_of(("contracts", "contract_code"), ("payments", "contract_code")),
        )
    }
    owner, account, account_owner = aliased(Rep), aliased(Account), aliased(Rep)
    db_opp = {
        str(code): _DbOpp(str(o), str(a), str(ao))
        for code, o, a, ao in _in_chunks(
            session,
            lambda chunk: (
                select(Opportunity.opp_code, owner.rep_code, account.account_code, account_owner.rep_code)
                .join(owner, owner.id == Opportunity.owner_rep_id)
                .join(account, account.id == Opportunity.account_id)
                .join(account_owner, account_owner.id == account.owner_rep_id)
                .where(Opportunity.opp_code.in_(chunk))
            ),
            codes_of(("opportunities", "opp_code"), ("stage_history", "opp_code"), ("contracts", "opp_code"))
            | codes_of(("visits", "opp_code"))
            | set(contract_opp.values()),
        )
    }
    targets = {c for _, r in typed.get("quotas", []) for c in str(r.get("target_account_codes") or "").split(",") if c}
    db_account_owner = {
        str(code): str(o)
        for code, o in _in_chunks(
            session,
            lambda chunk: (
                select(Account.account_code, Rep.rep_code)
                .join(Rep, Rep.id == Account.owner_rep_id)
                .where(Account.account_code.in_(chunk))
            ),
            codes_of(
                ("accounts", "account_code"),
                ("opportunities", "account_code"),
                ("buying_power", "account_code"),
                ("contacts", "account_code"),
                ("visits", "account_code"),
            )
            | targets,
        )
    }

    # accounts: the new owner and the stored one are of the team
    file_accounts = codes_of(("accounts", "account_code"))
    my_accounts: set[str] = set()
    for number, r in typed.get("accounts", []):
        code = str(r["account_code"])
        if rep_outside(r["owner_rep_code"]):
            refuse("accounts", number, "owner_rep_code", r["owner_rep_code"])
        elif code in db_account_owner and db_account_owner[code] not in mine:
            refuse("accounts", number, "account_code", code)
        else:
            my_accounts.add(code)

    def not_my_account(code: str) -> bool:
        return code not in my_accounts if code in file_accounts else db_account_owner.get(code) not in mine

    def account_outside(code: object) -> bool:
        return code is not None and str(code) in known["account"] and not_my_account(str(code))

    def account_message(code: object) -> str:
        return f"outside your team: {code} is an account of another team"

    # opportunities: the owner, the stored owner and the account are of the team
    file_opps = codes_of(("opportunities", "opp_code"))
    my_opps: set[str] = set()
    for number, r in typed.get("opportunities", []):
        code = str(r["opp_code"])
        stored = db_opp.get(code)
        bad = False
        if stored is not None and (stored.owner not in mine or stored.account_owner not in mine):
            refuse("opportunities", number, "opp_code", code)
            bad = True
        if rep_outside(r["owner_rep_code"]):
            refuse("opportunities", number, "owner_rep_code", r["owner_rep_code"])
            bad = True
        if account_outside(r["account_code"]):
            refuse("opportunities", number, "account_code", r["account_code"], account_message(r["account_code"]))
            bad = True
        if not bad:
            my_opps.add(code)

    def opp_outside(code: object) -> bool:
        if code is None or str(code) not in known["opp"]:
            return False
        code = str(code)
        if code in file_opps:
            return code not in my_opps
        stored = db_opp.get(code)
        return stored is None or stored.owner not in mine or stored.account_owner not in mine

    def opp_message(code: object) -> str:
        return f"outside your team: {code} is a deal of another team"

    for sheet in ("buying_power", "contacts"):
        for number, r in typed.get(sheet, []):
            if account_outside(r["account_code"]):
                refuse(sheet, number, "account_code", r["account_code"], account_message(r["account_code"]))
    for number, r in typed.get("stage_history", []):
        if opp_outside(r["opp_code"]):
            refuse("stage_history", number, "opp_code", r["opp_code"], opp_message(r["opp_code"]))
    for number, r in typed.get("quotas", []):
        if rep_outside(r["rep_code"]):
            refuse("quotas", number, "rep_code", r["rep_code"])
        for code in sorted({c for c in str(r.get("target_account_codes") or "").split(",") if c}):
            if (code in db_account_owner or code in file_accounts) and not_my_account(code):
                refuse("quotas", number, "target_account_codes", code, account_message(code))
    # contracts: their deal is the team's, and so is the deal a stored contract hangs on
    file_contracts = codes_of(("contracts", "contract_code"))
    my_contracts: set[str] = set()
    for number, r in typed.get("contracts", []):
        code = str(r["contract_code"])
        bad = False
        if code in contract_opp and contract_opp[code] != r["opp_code"] and opp_outside(contract_opp[code]):
            refuse(
                "contracts", number, "contract_code", code, f"outside your team: {code} is a contract of another team"
            )
            bad = True
        if opp_outside(r["opp_code"]):
            refuse("contracts", number, "opp_code", r["opp_code"], opp_message(r["opp_code"]))
            bad = True
        if not bad:
            my_contracts.add(code)
    for number, r in typed.get("payments", []):
        code = str(r["contract_code"])
        if code not in known["contract"]:
            continue
        outside = code not in my_contracts if code in file_contracts else opp_outside(contract_opp.get(code))
        if outside:
            refuse(
                "payments", number, "contract_code", code, f"outside your team: {code} is a contract of another team"
            )
    for number, r in typed.get("visits", []):
        if rep_outside(r["rep_code"]):
            refuse("visits", number, "rep_code", r["rep_code"])
        if account_outside(r["account_code"]):
            refuse("visits", number, "account_code", r["account_code"], account_message(r["account_code"]))
        if opp_outside(r["opp_code"]):
            refuse("visits", number, "opp_code", r["opp_code"], opp_message(r["opp_code"]))
    return issues


def _rules(session: Session, typed: dict[str, Rows]) -> list[Issue]:
    """The data dictionary's rules, over the file and what the database already holds."""
    issues: list[Issue] = []
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
    for opp, code, amount in db_contracts:
        contracts[opp][code] = float(amount)
    for _, r in typed.get("contracts", []):
        for per_opp in contracts.values():
            per_opp.pop(str(r["contract_code"]), None)  # the file moves or restates it
        contracts[str(r["opp_code"])][str(r["contract_code"])] = float(r["amount"])
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


# --------------------------------------------------------------------------------------------------
# pass 2: upsert


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 0.005
    return bool(a == b)


#: Opportunity fields whose changes an import records in opportunity_changes.
TRACKED = ("amount", "level", "status", "expected_close_date", "closed_date")


def _text(field_name: str, value: Any) -> str | None:
    """A tracked value as stored text: money with two decimals (the same on every database), dates ISO."""
    if value is None:
        return None
    if field_name == "amount":
        return f"{float(value):.2f}"
    return value.isoformat() if isinstance(value, date) else str(value)


class _Writer:
    def __init__(self, session: Session, as_of: date, report: ImportReport) -> None:
        self.s = session
        self.as_of = as_of
        self.report = report
        self.reps: dict[str, int] = {}
        self.accounts: dict[str, int] = {}
        self.opps: dict[str, int] = {}
        self.contracts: dict[str, int] = {}
        self.teams = {name: tid for tid, name in session.execute(select(Team.id, Team.name))}

    def _upsert(self, sheet: str, existing: Any, model: type, attrs: Record, *, also_changed: bool = False) -> Any:
        """Create, or update what differs; count it. ``also_changed``: a change set outside ``attrs``."""
        counts = self.report.counts.setdefault(sheet, Counts())
        if existing is None:
            obj = model(**attrs)
            self.s.add(obj)
            counts.created += 1
            return obj
        changed = also_changed
        for name, value in attrs.items():
            if not _same(getattr(existing, name), value):
                setattr(existing, name, value)
                changed = True
        if changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
        return existing

    def _load(self, model: Any, column: Any, values: Iterable[Any]) -> list[Any]:
        values = list(dict.fromkeys(v for v in values if v is not None))
        out: list[Any] = []
        for i in range(0, len(values), CHUNK):
            out.extend(self.s.scalars(select(model).where(column.in_(values[i : i + CHUNK]))))
        return out

    def _ids(self, cache: dict[str, int], column: Any, id_column: Any, codes: Iterable[str]) -> None:
        missing = [c for c in codes if c is not None and c not in cache]
        cache.update(_codes(self.s, column, id_column, missing))

    def team(self, name: str, region: str) -> int:
        if name not in self.teams:
            team = Team(name=name, region=region)
            self.s.add(team)
            self.s.flush()
            self.teams[name] = team.id
        return self.teams[name]

    def reps_sheet(self, rows: Rows) -> None:
        existing = {r.rep_code: r for r in self._load(Rep, Rep.rep_code, [r["rep_code"] for _, r in rows])}
        manager_ids = {r.manager_id for r in existing.values() if r.manager_id is not None}
        code_of = {
            int(i): str(code)
            for i, code in _in_chunks(
                self.s, lambda chunk: select(Rep.id, Rep.rep_code).where(Rep.id.in_(chunk)), manager_ids
            )
        }
        for _, r in rows:
            attrs = {
                "rep_code": r["rep_code"],
                "name": r["name"],
                "team_id": self.team(r["team"], r["region"]),
                "region": r["region"],
                "role": r["role"],
                "email": r["email"],
                "hire_date": r["hire_date"],
            }
            old = existing.get(r["rep_code"])
            moved = old is not None and code_of.get(old.manager_id) != r["manager_code"]
            existing[r["rep_code"]] = self._upsert("reps", old, Rep, attrs, also_changed=moved)
        self.s.flush()
        self.reps.update({code: obj.id for code, obj in existing.items()})
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["manager_code"] for _, r in rows])
        for _, r in rows:  # managers once every rep of the file has an id
            existing[r["rep_code"]].manager_id = self.reps.get(r["manager_code"]) if r["manager_code"] else None

    def accounts_sheet(self, rows: Rows) -> None:
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["owner_rep_code"] for _, r in rows])
        existing = {
            a.account_code: a for a in self._load(Account, Account.account_code, [r["account_code"] for _, r in rows])
        }
        for _, r in rows:
            attrs = {
                "account_code": r["account_code"],
                "name": r["name"],
                "industry": r["industry"],
                "region": r["region"],
                "owner_rep_id": self.reps[r["owner_rep_code"]],
                "city": r["city"],
                "key_account": bool(r["key_account"]),
                "rad_override": r["rad_override"],
            }
            existing[r["account_code"]] = self._upsert("accounts", existing.get(r["account_code"]), Account, attrs)
        self.s.flush()
        self.accounts.update({code: obj.id for code, obj in existing.items()})

    def _account_ids(self, rows: Rows) -> None:
        self._ids(self.accounts, Account.account_code, Account.id, [r["account_code"] for _, r in rows])

    def buying_power_sheet(self, rows: Rows) -> None:
        self._account_ids(rows)
        existing = {
            (b.account_id, b.year): b
            for b in self._load(
                BuyingPower, BuyingPower.account_id, [self.accounts[r["account_code"]] for _, r in rows]
            )
        }
        for _, r in rows:
            aid = self.accounts[r["account_code"]]
            attrs = {"account_id": aid, "year": r["year"], "bp": r["bp"], "source": r["source"]}
            existing[(aid, r["year"])] = self._upsert(
                "buying_power", existing.get((aid, r["year"])), BuyingPower, attrs
            )

    def contacts_sheet(self, rows: Rows) -> None:
        self._account_ids(rows)
        existing = {
            (c.account_id, c.name): c
            for c in self._load(Contact, Contact.account_id, [self.accounts[r["account_code"]] for _, r in rows])
        }
        for _, r in rows:
            aid = self.accounts[r["account_code"]]
            attrs = {
                "account_id": aid,
                "name": r["name"],
                "decision_role": r["decision_role"],
                "title": r["title"],
                "department": r["department"],
                "phone": r["phone"],
                "email": r["email"],
            }
            existing[(aid, r["name"])] = self._upsert("contacts", existing.get((aid, r["name"])), Contact, attrs)

    def opportunities_sheet(self, rows: Rows, history_rows: Rows) -> None:
        self._account_ids(rows)
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["owner_rep_code"] for _, r in rows])
        existing = {
            o.opp_code: o for o in self._load(Opportunity, Opportunity.opp_code, [r["opp_code"] for _, r in rows])
        }
        before = {code: o.level for code, o in existing.items()}
        tracked = {code: {f: getattr(o, f) for f in TRACKED} for code, o in existing.items()}
        in_file_history = {(str(r["opp_code"]), int(r["level"])) for _, r in history_rows}
        with_history = {str(r["opp_code"]) for _, r in history_rows}
        fields = (
            "opp_code",
            "name",
            "amount",
            "level",
            "status",
            "created_date",
            "expected_close_date",
            "product_line",
            "gross_margin",
            "closed_date",
            "loss_reason",
            "win_reason",
            "competitor",
        )
        for _, r in rows:
            attrs = {f: r[f] for f in fields}
            attrs["account_id"] = self.accounts[r["account_code"]]
            attrs["owner_rep_id"] = self.reps[r["owner_rep_code"]]
            existing[r["opp_code"]] = self._upsert("opportunities", existing.get(r["opp_code"]), Opportunity, attrs)
        self.s.flush()
        self.opps.update({code: obj.id for code, obj in existing.items()})
        for code, old in tracked.items():  # what moved, for pipeline movement between two dates
            obj = existing[code]
            for name, was in old.items():
                now = getattr(obj, name)
                if not _same(was, now):
                    self.s.add(
                        OpportunityChange(
                            opportunity_id=obj.id,
                            changed_on=self.as_of,
                            field=name,
                            old_value=_text(name, was),
                            new_value=_text(name, now),
                        )
                    )
        history = self.report.counts.setdefault("stage_history", Counts())
        for _, r in rows:
            code, level = str(r["opp_code"]), int(r["level"])
            if code in before and before[code] != level and (code, level) not in in_file_history:
                # a weekly snapshot moved this deal: its funnel history grows, dated by the import
                self.s.add(StageHistory(opportunity_id=self.opps[code], level=level, entered_date=self.as_of))
                history.created += 1
            elif code not in before and code not in with_history:
                self.s.add(StageHistory(opportunity_id=self.opps[code], level=level, entered_date=r["created_date"]))
                history.created += 1

    def stage_history_sheet(self, rows: Rows) -> None:
        self._ids(self.opps, Opportunity.opp_code, Opportunity.id, [r["opp_code"] for _, r in rows])
        existing = {
            (h.opportunity_id, h.level, h.entered_date): h
            for h in self._load(StageHistory, StageHistory.opportunity_id, [self.opps[r["opp_code"]] for _, r in rows])
        }
        for _, r in rows:
            key = (self.opps[r["opp_code"]], r["level"], r["entered_date"])
            attrs = {"opportunity_id": key[0], "level": key[1], "entered_date": key[2]}
            existing[key] = self._upsert("stage_history", existing.get(key), StageHistory, attrs)

    def quotas_sheet(self, rows: Rows) -> None:
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["rep_code"] for _, r in rows])
        existing = {
            (q.rep_id, q.year, q.quarter): q
            for q in self._load(Quota, Quota.rep_id, [self.reps[r["rep_code"]] for _, r in rows])
        }
        for _, r in rows:
            key = (self.reps[r["rep_code"]], r["year"], r["quarter"])
            attrs = {"rep_id": key[0], "year": key[1], "quarter": key[2]}
            attrs.update(
                {
                    f: r[f]
                    for f in (
                        "revenue_target",
                        "gm_target",
                        "target_account_codes",
                        "base_salary",
                        "target_commission",
                        "working_conditions",
                    )
                }
            )
            existing[key] = self._upsert("quotas", existing.get(key), Quota, attrs)

    def contracts_sheet(self, rows: Rows) -> None:
        self._ids(self.opps, Opportunity.opp_code, Opportunity.id, [r["opp_code"] for _, r in rows])
        existing = {
            c.contract_code: c
            for c in self._load(Contract, Contract.contract_code, [r["contract_code"] for _, r in rows])
        }
        for _, r in rows:
            attrs = {
                "contract_code": r["contract_code"],
                "opportunity_id": self.opps[r["opp_code"]],
                "signed_date": r["signed_date"],
                "amount": r["amount"],
                "gross_margin": r["gross_margin"],
            }
            existing[r["contract_code"]] = self._upsert("contracts", existing.get(r["contract_code"]), Contract, attrs)
        self.s.flush()
        self.contracts.update({code: obj.id for code, obj in existing.items()})

    def payments_sheet(self, rows: Rows) -> None:
        self._ids(self.contracts, Contract.contract_code, Contract.id, [r["contract_code"] for _, r in rows])
        existing = {
            (p.contract_id, p.milestone): p
            for p in self._load(Payment, Payment.contract_id, [self.contracts[r["contract_code"]] for _, r in rows])
        }
        for _, r in rows:
            key = (self.contracts[r["contract_code"]], r["milestone"])
            attrs = {
                "contract_id": key[0],
                "milestone": key[1],
                "due_date": r["due_date"],
                "amount": r["amount"],
                "paid_date": r["paid_date"],
                "paid_amount": r["paid_amount"],
            }
            existing[key] = self._upsert("payments", existing.get(key), Payment, attrs)

    def visits_sheet(self, rows: Rows) -> None:
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["rep_code"] for _, r in rows])
        self._account_ids(rows)
        self._ids(self.opps, Opportunity.opp_code, Opportunity.id, [r["opp_code"] for _, r in rows])
        existing = {
            (v.rep_id, v.account_id, v.visit_date, v.kind): v
            for v in self._load(Visit, Visit.rep_id, [self.reps[r["rep_code"]] for _, r in rows])
        }
        for _, r in rows:
            key = (self.reps[r["rep_code"]], self.accounts[r["account_code"]], r["visit_date"], r["kind"])
            attrs = {
                "rep_id": key[0],
                "account_id": key[1],
                "visit_date": key[2],
                "kind": key[3],
                "status": r["status"],
                "contact_name": r["contact_name"],
                "purpose": r["purpose"],
                "outcome": r["outcome"],
                "opportunity_id": self.opps.get(r["opp_code"]) if r["opp_code"] else None,
            }
            existing[key] = self._upsert("visits", existing.get(key), Visit, attrs)


def saved_mappings(session: Session, user_id: int | None) -> dict[str, dict[str, SavedField]]:
    """The remembered mappings an import by ``user_id`` applies: the shared ones (a director's, for
    everyone) overlaid with the user's own. ``None`` (the CLI): the shared ones only."""
    owner: ColumnElement[bool] = ImportMapping.user_id.is_(None)
    if user_id is not None:
        owner = or_(owner, ImportMapping.user_id == user_id)
    out: dict[str, dict[str, SavedField]] = defaultdict(dict)
    rows = session.execute(
        select(ImportMapping.sheet, ImportMapping.header, ImportMapping.field, ImportMapping.user_id)
        .where(owner)
        .order_by(ImportMapping.user_id.is_not(None), ImportMapping.id)
    )
    for sheet, header, field_name, saver in rows:
        out[sheet][header] = SavedField(field_name, "shared" if saver is None else "yours")
    return dict(out)


def save_mapping(session: Session, sheet: str, columns: Mapping[str, str], *, user_id: int | None) -> dict[str, str]:
    """Remember that, in ``sheet``, each file header means its field: for ``user_id`` only, or for everyone
    (``user_id`` None: only a director's form saves those, and the CLI's ``--mapping`` never does).

    Kept: headers that are not a standard column of the sheet (those are always read as themselves) mapped to
    a field of the sheet. Anything else the form sends is left out. Returns {normalised header: field} saved.
    """
    if sheet not in BY_NAME:
        return {}
    spec = BY_NAME[sheet]
    fields = {c.name for c in spec.columns}
    owner = ImportMapping.user_id.is_(None) if user_id is None else ImportMapping.user_id == user_id
    current = {
        m.header: m
        for m in session.scalars(
            select(ImportMapping).where(ImportMapping.sheet == sheet, owner).order_by(ImportMapping.id)
        )
    }
    saved: dict[str, str] = {}
    for header, field_name in columns.items():
        key = normalise(header)
        if not key or len(key) > 200 or CONTROL.search(key) or field_name not in fields:
            continue
        if column_for(spec, header) is not None:
            continue
        if key in current:
            current[key].field = field_name
        else:
            current[key] = ImportMapping(user_id=user_id, sheet=sheet, header=key, field=field_name)
            session.add(current[key])
        saved[key] = field_name
    return saved


@dataclass
class Parsed:
    typed: dict[str, Rows]
    issues: list[Issue]
    applied: list[Applied]
    #: a limit refused the file (``issues`` holds the one sentence)
    too_large: bool = False


def parse(
    session: Session,
    path: Path,
    data: bytes | None = None,
    mapping: Mapping_ | None = None,
    *,
    user_id: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Parsed:
    """Read, map and type a file: the typed rows per sheet, every issue found so far, the mappings applied."""
    try:
        tables = read_source(path, data, limits)
    except TooLarge as exc:
        return Parsed({}, exc.issues, [], too_large=True)
    except ImportRejected as exc:
        return Parsed({}, exc.issues, [])
    mapped, issues = map_tables(tables, mapping, saved_mappings(session, user_id))
    typed: dict[str, Rows] = {}
    applied: list[Applied] = []
    for table in mapped:
        rows, problems = typed_rows(table)
        typed[table.sheet.name] = rows
        issues.extend(problems)
        applied.extend(table.applied)
    return Parsed(typed, issues, applied)


class ImportBusy(Exception):
    """Another import holds the lock and did not let go within the database's wait."""


BUSY = "another import is running, try again in a minute"


def _log_name(name: str) -> str:
    """A file name as the import log keeps it: no control characters, at most 300 characters."""
    clean = CONTROL.sub("", name)
    return clean if len(clean) <= 300 else clean[:297] + "..."


def _begin_run(engine: Engine, username: str, file_name: str, as_of: date, started: datetime) -> int:
    """The log's ``running`` row, committed on its own: an import that dies leaves it, to be reaped."""
    with Session(engine) as session:
        run = ImportRun(
            username=username[:100],
            started_at=started,
            file_name=_log_name(file_name),
            as_of=as_of,
            status="running",
            counts={},
            issue_count=0,
            host=socket.gethostname()[:200],
            pid=os.getpid(),
        )
        session.add(run)
        session.commit()
        return int(run.id)


def _close_run(session: Session, run_id: int, status: str, report: ImportReport, message: str | None = None) -> None:
    """Set the run's outcome inside ``session``'s transaction (the caller commits it with the data)."""
    session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(
            status=status,
            finished_at=utcnow(),
            counts=report.counts_dict() if status == "done" else {},
            issue_count=len(report.issues),
            message=message,
        )
    )


def _fail_run(engine: Engine, run_id: int, report: ImportReport, message: str) -> None:
    """Log a failed run in its own transaction (on SQLite it may first wait for another import's commit)."""
    for attempt in range(3):
        try:
            with Session(engine) as session:
                _close_run(session, run_id, "failed", report, message)
                session.commit()
            return
        except Exception:
            if attempt == 2:
                log.exception("import run %s could not be marked failed (%s)", run_id, message)


def _is_busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked" (its busy wait ran out), PostgreSQL's lock_not_available."""
    return "database is locked" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "55P03"


def _take_lock(session: Session, run_id: int, username: str) -> None:
    """Update the one ``import_lock`` row inside the import's transaction: PostgreSQL holds the row lock,
    SQLite its write lock, until this import commits or rolls back; a second import waits here."""
    values = {"holder": f"run {run_id}: {username[:60]} on {socket.gethostname()[:60]} pid {os.getpid()}"}
    try:
        done = session.execute(update(ImportLock).where(ImportLock.id == 1).values(acquired_at=utcnow(), **values))
        if not done.rowcount:  # type: ignore[attr-defined]  # the migration made it; someone deleted it
            session.add(ImportLock(id=1, acquired_at=utcnow(), **values))
            session.flush()
    except OperationalError as exc:
        if _is_busy(exc):
            raise ImportBusy from exc
        raise


def _release_lock(session: Session) -> None:
    """Empty the lock row again before the commit that releases it: what is committed is always the row as
    the migration made it (an unchanged database stays byte for byte unchanged; the log says who ran)."""
    session.execute(update(ImportLock).where(ImportLock.id == 1).values(holder=None, acquired_at=None))


def run_import(
    engine: Engine,
    path: Path,
    *,
    as_of: date,
    username: str,
    data: bytes | None = None,
    mapping: Mapping_ | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    scope: Scope | None = None,
    user_id: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    on_run: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a file in one transaction; a dry run reports the same counts and writes nothing.

    A real run is logged first as ``running`` (host and pid, committed at once; ``on_run`` hears its id),
    then takes the import lock inside its transaction, validates, writes, and sets the log to ``done`` or
    ``rejected`` in that same transaction: one import at a time per database, and the log never disagrees
    with the data. A file with any issue writes nothing but its log entry. Anything unexpected rolls
    back and is logged as ``failed`` with an error id (the details go to the ``salesradar`` logger only);
    ``report.failed`` then holds the short sentence a person may see. ``user_id``: whose remembered
    mappings apply (None: the shared ones only). ``limits`` bounds what is read.
    """
    say = progress or (lambda _msg, _frac: None)
    report = ImportReport(file_name=path.name, as_of=as_of, dry_run=dry_run)
    try:
        if not dry_run:
            report.run_id = _begin_run(engine, username, path.name, as_of, utcnow())
            if on_run is not None:
                on_run(report.run_id)
        _run(engine, path, report, say, username, data, mapping, scope, user_id, limits)
    except Exception as exc:  # MemoryError too: one sentence for the person, the traceback for the log
        if isinstance(exc, ImportBusy) or (isinstance(exc, OperationalError) and _is_busy(exc)):
            report.failed = BUSY  # (on SQLite even the log's first row may wait its 30 s behind an import)
            log.warning("import run %s of %s by %s: %s", report.run_id, path.name, username, BUSY)
        else:
            error_id = secrets.token_hex(4)
            report.failed = f"an unexpected error (error id {error_id})"
            log.error(
                "import run %s of %s by %s failed (error id %s)",
                report.run_id,
                path.name,
                username,
                error_id,
                exc_info=exc,
            )
    if report.failed is not None and report.run_id is not None:
        _fail_run(engine, report.run_id, report, report.failed)
    say("done", 1.0)
    return report


def _run(
    engine: Engine,
    path: Path,
    report: ImportReport,
    say: Progress,
    username: str,
    data: bytes | None,
    mapping: Mapping_ | None,
    scope: Scope | None,
    user_id: int | None,
    limits: Limits,
) -> None:
    with Session(engine) as session:
        say("reading", 0.05)
        parsed = parse(session, path, data, mapping, user_id=user_id, limits=limits)
        report.applied, report.too_large, issues = parsed.applied, parsed.too_large, parsed.issues
        typed = parsed.typed
        session.rollback()  # the reads of parsing end here: the import's own transaction starts with its lock
        if report.run_id is not None:
            say("waiting for any other import to finish", 0.1)
            _take_lock(session, report.run_id, username)
        if not issues:
            say("validating", 0.2)
            issues = validate(session, typed, scope)
        report.issues = issues
        if issues:
            if report.run_id is None:  # a dry run
                session.rollback()
                return
            _close_run(session, report.run_id, "rejected", report)  # validation only read: the lock is still held
            _release_lock(session)
            session.commit()
            return
        writer = _Writer(session, report.as_of, report)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("reps", lambda: writer.reps_sheet(typed["reps"])),
            ("accounts", lambda: writer.accounts_sheet(typed["accounts"])),
            ("buying_power", lambda: writer.buying_power_sheet(typed["buying_power"])),
            ("contacts", lambda: writer.contacts_sheet(typed["contacts"])),
            (
                "opportunities",
                lambda: writer.opportunities_sheet(typed["opportunities"], typed.get("stage_history", [])),
            ),
            ("stage_history", lambda: writer.stage_history_sheet(typed["stage_history"])),
            ("quotas", lambda: writer.quotas_sheet(typed["quotas"])),
            ("contracts", lambda: writer.contracts_sheet(typed["contracts"])),
            ("payments", lambda: writer.payments_sheet(typed["payments"])),
            ("visits", lambda: writer.visits_sheet(typed["visits"])),
        ]
        present = [(name, step) for name, step in steps if name in typed]
        for i, (name, step) in enumerate(present):
            say(f"writing {name}", 0.3 + 0.65 * i / max(len(present), 1))
            step()
            session.flush()
        if report.run_id is None:  # a dry run
            session.rollback()
            return
        _close_run(session, report.run_id, "done", report)
        _release_lock(session)
        if any(c.created or c.updated for c in report.counts.values()):
            bump_data_version(session)  # pages cached before this import expire with it
        say("committing", 0.97)
        session.commit()


def issues_csv(issues: list[Issue]) -> bytes:
    """The downloadable error report: one line per problem (UTF-8 with BOM, so Excel shows Chinese)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["sheet", "row", "column", "value", "problem"])
    for i in issues:
        writer.writerow([i.sheet, "" if i.row is None else i.row, i.column or "", i.value or "", i.message])
    return buf.getvalue().encode("utf-8-sig")
