"""The import engine: validate everything, then upsert everything in one transaction.

Pass 1 reads nothing but codes from the database and checks every row: types (convert), duplicate
keys, unknown codes, and the data dictionary's rules (won needs a contract, level 6 is won and fully
paid, stage history rises, no negative amounts). Any issue: nothing is written. Pass 2 upserts by
business key in dependency order inside one transaction, counting created / updated / unchanged per
sheet; a level change appends a stage-history row dated the import's as-of date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access.importer.convert import typed_rows
from data_access.importer.reader import ImportRejected, Issue, Mapping_, map_tables, read_source
from data_access.importer.schema import SHEETS, normalise
from data_access.models import (
    Account,
    BuyingPower,
    Contact,
    Contract,
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

    @property
    def ok(self) -> bool:
        return not self.issues

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

    With a ``scope`` narrower than everything (a manager), every row must belong to a rep in it.
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
        issues.extend(_scope_issues(session, typed, scope))
    return issues


def _scope_issues(session: Session, typed: dict[str, Rows], scope: Scope) -> list[Issue]:
    """Rows a manager may not write: reps outside their team, and anything owned by such reps."""
    issues: list[Issue] = []
    mine = {str(c) for (c,) in session.execute(select(Rep.rep_code).where(scope.condition(Rep.id)))}
    my_teams = {
        str(n)
        for (n,) in session.execute(
            select(Team.name).where(Team.id.in_(select(Rep.team_id).where(scope.condition(Rep.id))))
        )
    }
    every_rep = {str(c) for (c,) in session.execute(select(Rep.rep_code))}
    for number, r in typed.get("reps", []):
        if r["rep_code"] in mine or (r["rep_code"] not in every_rep and r["team"] in my_teams):
            mine.add(str(r["rep_code"]))
        else:
            issues.append(
                Issue("reps", number, "rep_code", str(r["rep_code"]), "outside your team: not yours to change")
            )

    def owned(model: Any, code_col: Any, codes: set[str]) -> dict[str, str]:
        rows = _in_chunks(
            session,
            lambda chunk: (
                select(code_col, Rep.rep_code).join(Rep, Rep.id == model.owner_rep_id).where(code_col.in_(chunk))
            ),
            codes,
        )
        return {str(code): str(owner) for code, owner in rows}

    def check_owned(sheet: str, code_col: str, model: Any, db_col: Any) -> set[str]:
        rows = typed.get(sheet, [])
        db_owner = owned(model, db_col, {str(r[code_col]) for _, r in rows})
        ok: set[str] = set()
        for number, r in rows:
            code = str(r[code_col])
            if r["owner_rep_code"] not in mine or (code in db_owner and db_owner[code] not in mine):
                issues.append(Issue(sheet, number, code_col, code, "outside your team: not yours to change"))
            else:
                ok.add(code)
        return ok

    my_accounts = check_owned("accounts", "account_code", Account, Account.account_code)
    my_opps = check_owned("opportunities", "opp_code", Opportunity, Opportunity.opp_code)
    refs = {
        "buying_power": "account_code",
        "contacts": "account_code",
        "visits": "account_code",
        "stage_history": "opp_code",
        "contracts": "opp_code",
    }
    for sheet, col in refs.items():
        rows = typed.get(sheet, [])
        codes = {str(r[col]) for _, r in rows}
        if col == "account_code":
            allowed = my_accounts | {c for c, o in owned(Account, Account.account_code, codes).items() if o in mine}
        else:
            allowed = my_opps | {c for c, o in owned(Opportunity, Opportunity.opp_code, codes).items() if o in mine}
        for number, r in rows:
            if str(r[col]) not in allowed or (sheet == "visits" and r["rep_code"] not in mine):
                issues.append(Issue(sheet, number, col, str(r[col]), "outside your team: not yours to change"))
    for number, r in typed.get("quotas", []):
        if r["rep_code"] not in mine:
            issues.append(
                Issue("quotas", number, "rep_code", str(r["rep_code"]), "outside your team: not yours to change")
            )
    contract_opp = {str(r["contract_code"]): str(r["opp_code"]) for _, r in typed.get("contracts", [])}
    db_contracts = _in_chunks(
        session,
        lambda chunk: (
            select(Contract.contract_code, Rep.rep_code)
            .join(Opportunity, Opportunity.id == Contract.opportunity_id)
            .join(Rep, Rep.id == Opportunity.owner_rep_id)
            .where(Contract.contract_code.in_(chunk))
        ),
        {str(r["contract_code"]) for _, r in typed.get("payments", [])},
    )
    db_contract_owner = {str(c): str(o) for c, o in db_contracts}
    for number, r in typed.get("payments", []):
        code = str(r["contract_code"])
        in_file_ok = code in contract_opp and contract_opp[code] in my_opps
        if not in_file_ok and db_contract_owner.get(code) not in mine:
            issues.append(Issue("payments", number, "contract_code", code, "outside your team: not yours to change"))
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


def saved_mappings(session: Session) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for sheet, header, field_name in session.execute(
        select(ImportMapping.sheet, ImportMapping.header, ImportMapping.field)
    ):
        out[sheet][header] = field_name
    return dict(out)


def save_mapping(session: Session, sheet: str, columns: Mapping[str, str]) -> None:
    """Remember that, in ``sheet``, each file header means its field (next imports apply it by themselves)."""
    current = {m.header: m for m in session.scalars(select(ImportMapping).where(ImportMapping.sheet == sheet))}
    for header, field_name in columns.items():
        key = normalise(header)
        if key in current:
            current[key].field = field_name
        else:
            session.add(ImportMapping(sheet=sheet, header=key, field=field_name))


def parse(
    session: Session, path: Path, data: bytes | None = None, mapping: Mapping_ | None = None
) -> tuple[dict[str, Rows], list[Issue]]:
    """Read, map and type a file: the typed rows per sheet and every issue found so far."""
    try:
        tables = read_source(path, data)
    except ImportRejected as exc:
        return {}, exc.issues
    mapped, issues = map_tables(tables, mapping, saved_mappings(session))
    typed: dict[str, Rows] = {}
    for table in mapped:
        rows, problems = typed_rows(table)
        typed[table.sheet.name] = rows
        issues.extend(problems)
    return typed, issues


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
) -> ImportReport:
    """Import a file in one transaction; a dry run reports the same counts and writes nothing.

    A file with any issue writes nothing but its entry in the import log (status ``rejected``).
    """
    say = progress or (lambda _msg, _frac: None)
    report = ImportReport(file_name=path.name, as_of=as_of, dry_run=dry_run)
    started = utcnow()
    with Session(engine) as session:
        say("reading", 0.05)
        typed, issues = parse(session, path, data, mapping)
        if not issues:
            say("validating", 0.2)
            issues = validate(session, typed, scope)
        report.issues = issues
        if issues:
            session.rollback()
            if not dry_run:
                session.add(
                    ImportRun(
                        username=username,
                        started_at=started,
                        finished_at=utcnow(),
                        file_name=path.name,
                        as_of=as_of,
                        status="rejected",
                        counts={},
                        issue_count=len(issues),
                    )
                )
                session.commit()
            return report
        writer = _Writer(session, as_of, report)
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
        if dry_run:
            session.rollback()
            return report
        session.add(
            ImportRun(
                username=username,
                started_at=started,
                finished_at=utcnow(),
                file_name=path.name,
                as_of=as_of,
                status="done",
                counts=report.counts_dict(),
                issue_count=0,
            )
        )
        if any(c.created or c.updated for c in report.counts.values()):
            bump_data_version(session)  # pages cached before this import expire with it
        say("committing", 0.97)
        session.commit()
    say("done", 1.0)
    return report


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
