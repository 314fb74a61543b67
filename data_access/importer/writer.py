"""Pass 2 of an import: upsert by business key, sheet by sheet in dependency order, counting created / updated /
unchanged per sheet; a level change appends a stage-history row dated the import's as-of date, and the changes of
tracked deal fields are logged for pipeline movement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import data_access.summaries  # noqa: F401  (its after_flush listener keeps the summaries with what is written)
from data_access.importer.common import CHUNK, Counts, ImportReport, Record, Rows, _codes, _in_chunks
from data_access.importer.schema import BY_NAME
from data_access.models import (
    Account,
    Bid,
    BuyingPower,
    Contact,
    Contract,
    Event,
    EventAttendee,
    Opportunity,
    OpportunityChange,
    Payment,
    Product,
    Quota,
    QuoteLine,
    Rep,
    StageHistory,
    SupportRequest,
    Team,
    Training,
    Visit,
)


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
        self.events: dict[str, int] = {}
        self.products: dict[str, int] = {}
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
        # the sheet's own fields (its two codes are written as the account and owner ids)
        fields = [c.name for c in BY_NAME["opportunities"].columns if c.name not in ("account_code", "owner_rep_code")]
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
                "gross_margin": r.get("gross_margin"),
                "origin": r.get("origin"),
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
            (v.rep_id, v.account_id, v.visit_date, v.kind, v.status): v
            for v in self._load(Visit, Visit.rep_id, [self.reps[r["rep_code"]] for _, r in rows])
        }
        for _, r in rows:
            key = (self.reps[r["rep_code"]], self.accounts[r["account_code"]], r["visit_date"], r["kind"], r["status"])
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

    def events_sheet(self, rows: Rows) -> None:
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["organiser_rep_code"] for _, r in rows])
        existing = {e.event_code: e for e in self._load(Event, Event.event_code, [r["event_code"] for _, r in rows])}
        for _, r in rows:
            attrs = {
                "event_code": r["event_code"],
                "name": r["name"],
                "kind": r["kind"],
                "event_date": r["event_date"],
                "organiser_rep_id": self.reps[r["organiser_rep_code"]],
                "cost": r["cost"],
                "partner": r["partner"],
                "note": r["note"],
            }
            existing[r["event_code"]] = self._upsert("events", existing.get(r["event_code"]), Event, attrs)
        self.s.flush()
        self.events.update({code: obj.id for code, obj in existing.items()})

    def event_attendees_sheet(self, rows: Rows) -> None:
        self._ids(self.events, Event.event_code, Event.id, [r["event_code"] for _, r in rows])
        events = self.events
        self._account_ids(rows)
        existing = {
            (a.event_id, a.account_id): a
            for a in self._load(EventAttendee, EventAttendee.event_id, [events[r["event_code"]] for _, r in rows])
        }
        for _, r in rows:
            key = (events[r["event_code"]], self.accounts[r["account_code"]])
            attrs = {
                "event_id": key[0],
                "account_id": key[1],
                "contact_name": r["contact_name"],
                "attended": True if r["attended"] is None else r["attended"],
            }
            existing[key] = self._upsert("event_attendees", existing.get(key), EventAttendee, attrs)

    def training_sheet(self, rows: Rows) -> None:
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["rep_code"] for _, r in rows])
        existing = {
            (t.rep_id, t.course, t.training_date): t
            for t in self._load(Training, Training.rep_id, [self.reps[r["rep_code"]] for _, r in rows])
        }
        for _, r in rows:
            key = (self.reps[r["rep_code"]], r["course"], r["training_date"])
            attrs = {
                "rep_id": key[0],
                "course": key[1],
                "training_date": key[2],
                "kind": r["kind"],
                "hours": r["hours"],
                "score": r["score"],
                "passed": r["passed"],
            }
            existing[key] = self._upsert("training", existing.get(key), Training, attrs)

    def bids_sheet(self, rows: Rows) -> None:
        self._ids(self.opps, Opportunity.opp_code, Opportunity.id, [r["opp_code"] for _, r in rows])
        existing = {b.bid_code: b for b in self._load(Bid, Bid.bid_code, [r["bid_code"] for _, r in rows])}
        fields = ("tender_name", "published_date", "deadline", "status", "submitted_date", "bid_amount")
        for _, r in rows:
            attrs = {f: r[f] for f in (*fields, "support_owner", "result_date", "bid_code")}
            attrs["opportunity_id"] = self.opps[r["opp_code"]]
            existing[r["bid_code"]] = self._upsert("bids", existing.get(r["bid_code"]), Bid, attrs)

    def support_requests_sheet(self, rows: Rows) -> None:
        self._ids(self.opps, Opportunity.opp_code, Opportunity.id, [r["opp_code"] for _, r in rows])
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["requested_by"] for _, r in rows])
        existing = {
            q.request_code: q
            for q in self._load(SupportRequest, SupportRequest.request_code, [r["request_code"] for _, r in rows])
        }
        for _, r in rows:
            attrs = {f: r[f] for f in ("request_code", "kind", "requested_date", "engineer", "resolved_date", "hours")}
            attrs["opportunity_id"] = self.opps[r["opp_code"]]
            attrs["requested_by_rep_id"] = self.reps[r["requested_by"]]
            existing[r["request_code"]] = self._upsert(
                "support_requests", existing.get(r["request_code"]), SupportRequest, attrs
            )

    def price_list_sheet(self, rows: Rows) -> None:
        existing = {
            p.product_code: p for p in self._load(Product, Product.product_code, [r["product_code"] for _, r in rows])
        }
        for _, r in rows:
            attrs = {
                f: r[f] for f in ("product_code", "product_line", "name", "list_price", "unit_cost", "floor_margin")
            }
            existing[r["product_code"]] = self._upsert("price_list", existing.get(r["product_code"]), Product, attrs)
        self.s.flush()
        self.products.update({code: obj.id for code, obj in existing.items()})

    def quote_lines_sheet(self, rows: Rows) -> None:
        self._ids(self.opps, Opportunity.opp_code, Opportunity.id, [r["opp_code"] for _, r in rows])
        self._ids(self.products, Product.product_code, Product.id, [r["product_code"] for _, r in rows])
        self._ids(self.reps, Rep.rep_code, Rep.id, [r["approved_by"] for _, r in rows])
        existing = {
            (q.quote_code, q.product_id): q
            for q in self._load(QuoteLine, QuoteLine.quote_code, [r["quote_code"] for _, r in rows])
        }
        for _, r in rows:
            key = (r["quote_code"], self.products[r["product_code"]])
            attrs = {
                "quote_code": key[0],
                "product_id": key[1],
                "opportunity_id": self.opps[r["opp_code"]],
                "quoted_date": r["quoted_date"],
                "quantity": r["quantity"],
                "unit_price": r["unit_price"],
                "approved_by_rep_id": self.reps[r["approved_by"]] if r["approved_by"] else None,
                "approval_note": r["approval_note"],
            }
            existing[key] = self._upsert("quote_lines", existing.get(key), QuoteLine, attrs)
