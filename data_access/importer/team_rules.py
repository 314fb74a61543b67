"""A manager's import stays inside the team: the rows pass 1 refuses when the importer's scope is narrower than
everything (``validate``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from data_access.importer.common import Rows, _codes, _in_chunks
from data_access.importer.reader import Issue
from data_access.models import Account, Bid, Contract, Event, Opportunity, QuoteLine, Rep, SupportRequest, Team
from data_access.scope import Scope

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
    stored_support = _stored_support_opps(session, typed)
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
            | codes_of(("visits", "opp_code"), ("bids", "opp_code"), ("support_requests", "opp_code"))
            | codes_of(("quote_lines", "opp_code"))
            | set(contract_opp.values())
            | set(stored_support.values()),
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
                ("event_attendees", "account_code"),
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

    def stored_elsewhere(opp: str) -> bool:
        """A stored deal (not one the file names, so ``known`` may not hold it) outside the team."""
        stored = db_opp.get(opp)
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
        if code in contract_opp and contract_opp[code] != r["opp_code"] and stored_elsewhere(contract_opp[code]):
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
    for number, r in typed.get("training", []):
        if rep_outside(r["rep_code"]):
            refuse("training", number, "rep_code", r["rep_code"])
    # events: organised by someone of the team, and a stored event stays the team's; attendees only at the
    # team's events and of the team's accounts
    event_organiser = {
        str(code): str(rep)
        for code, rep in _in_chunks(
            session,
            lambda chunk: (
                select(Event.event_code, Rep.rep_code)
                .join(Rep, Rep.id == Event.organiser_rep_id)
                .where(Event.event_code.in_(chunk))
            ),
            codes_of(("events", "event_code"), ("event_attendees", "event_code")),
        )
    }
    file_events = codes_of(("events", "event_code"))
    my_events: set[str] = set()
    for number, r in typed.get("events", []):
        code = str(r["event_code"])
        if code in event_organiser and event_organiser[code] not in mine:
            refuse("events", number, "event_code", code, f"outside your team: {code} is an event of another team")
        elif rep_outside(r["organiser_rep_code"]):
            refuse("events", number, "organiser_rep_code", r["organiser_rep_code"])
        else:
            my_events.add(code)
    for number, r in typed.get("event_attendees", []):
        code = str(r["event_code"])
        outside = code not in my_events if code in file_events else event_organiser.get(code, "") not in mine
        if code in known["event"] and outside:
            refuse(
                "event_attendees", number, "event_code", code, f"outside your team: {code} is an event of another team"
            )
        if account_outside(r["account_code"]):
            refuse("event_attendees", number, "account_code", r["account_code"], account_message(r["account_code"]))
    # sales support: a bid, a request and a quote belong to their deal (the stored one too); the price list is the
    # company's (a director's to change)
    for sheet, column in (("bids", "bid_code"), ("support_requests", "request_code"), ("quote_lines", "quote_code")):
        for number, r in typed.get(sheet, []):
            code = str(r[column])
            if (sheet, code) in stored_support and stored_elsewhere(stored_support[(sheet, code)]):
                refuse(sheet, number, column, code, f"outside your team: {code} belongs to a deal of another team")
            elif opp_outside(r["opp_code"]):
                refuse(sheet, number, "opp_code", r["opp_code"], opp_message(r["opp_code"]))
    for number, r in typed.get("support_requests", []):
        if rep_outside(r["requested_by"]):
            refuse("support_requests", number, "requested_by", r["requested_by"])
    for number, r in typed.get("price_list", []):
        refuse(
            "price_list",
            number,
            "product_code",
            r["product_code"],
            "not yours to change: only a director changes the price list",
        )
    return issues


def _stored_support_opps(session: Session, typed: dict[str, Rows]) -> dict[tuple[str, str], str]:
    """The deal each stored bid, support request and quote the file names hangs on, by (sheet, code)."""
    out: dict[tuple[str, str], str] = {}
    for sheet, column, deal in (
        ("bids", Bid.bid_code, Bid.opportunity_id),
        ("support_requests", SupportRequest.request_code, SupportRequest.opportunity_id),
        ("quote_lines", QuoteLine.quote_code, QuoteLine.opportunity_id),
    ):
        stmt = functools.partial(_deal_of, column, deal)
        for code, opp in _in_chunks(session, stmt, {str(r[column.key]) for _, r in typed.get(sheet, [])}):
            out[(sheet, str(code))] = str(opp)
    return out


def _deal_of(column: Any, deal: Any, chunk: Sequence[Any]) -> Any:
    return select(column, Opportunity.opp_code).join(Opportunity, Opportunity.id == deal).where(column.in_(chunk))
