"""A CRM's own opportunities export read as the import format (issue 22): Salesforce, HubSpot, Odoo or a generic
deals file, one row per deal, with stage names instead of levels and no history, contracts or payments.

``convert`` turns the export's one table into the unified sheets (``reps``, ``accounts``, ``opportunities``,
``stage_history``, ``contracts``) as raw tables with the standard headers, so everything after it is the
ordinary import: the same types, rules, team limits, one transaction. What the export lacks is derived and
said (``Derived``), never made up:

- a rep for each owner name and an account for each company name not stored yet (codes from the names, the
  same in every later export; region and industry "unknown"; the team the export's, else the CRM's name, a
  manager's own team for a manager);
- a deal's level and status from its stage through the stage map (``DEFAULT_STAGES`` per CRM, editable and
  remembered per user, ``stage_map``/``save_stage_map``); a lost deal keeps the level it had (a new one: 1);
- a won deal with a close date gets its won step on that date in the stage history (on the import's as-of date
  when a stage it entered is stored later than that: the history never goes back), and a contract at its amount
  signed that day, ``origin`` ``crm_export``, gross margin unknown (NULL);
- an open deal without an expected close date gets 90 days after its creation, a deal without an amount 0 (both
  counted in the preview: the next export that has them sets them).
Buying power, quotas and payments are unknown: the pages show them as unknown.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.importer.common import _codes, _in_chunks
from data_access.importer.convert import CONTROL, ISO_DATE
from data_access.importer.reader import Issue, RawTable
from data_access.importer.schema import CRM_ORIGIN, normalise
from data_access.models import Account, ImportMapping, Opportunity, Rep, StageHistory
from data_access.queries.shared import teams
from data_access.scope import Scope

SOURCES = ("salesforce", "hubspot", "odoo", "generic")
#: how a source is named to a person (the team of its reps when the export names none)
SOURCE_NAMES = {"salesforce": "Salesforce", "hubspot": "HubSpot", "odoo": "Odoo", "generic": "CRM"}
#: the prefix of the codes a source's rows get (a CRM's record id is kept after it)
PREFIXES = {"salesforce": "SF", "hubspot": "HS", "odoo": "ODOO", "generic": ""}
#: a text field the export does not hold (a derived rep's region, an account's region and industry)
UNKNOWN_TEXT = "unknown"
#: the account of the deals the export names no company for
NO_ACCOUNT = "未填客户 (no account in the export)"
#: days from creation to the expected close of an open deal the export gives none
OPEN_DAYS = 90
WON_LEVEL = 5

#: A stage's meaning: "1"-"5" an open deal at that level, "won" (level 5, won), "lost" (keeps its level).
STAGE_VALUES = ("1", "2", "3", "4", "5", "won", "lost")

#: The column headers each CRM writes (report or UI labels and API names; compared by ``normalise``), per field.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "salesforce": {
        "opp_id": ("Opportunity ID", "Id"),
        "name": ("Opportunity Name", "Name"),
        "account": ("Account Name", "Account"),
        "owner": ("Opportunity Owner", "Owner Name", "Owner Full Name"),
        "stage": ("Stage", "StageName", "Stage Name"),
        "amount": ("Amount",),
        "created": ("Created Date", "CreatedDate"),
        "close": ("Close Date", "CloseDate"),
        "product": ("Product Family", "Product Name"),
        "loss_reason": ("Loss Reason", "Closed Lost Reason"),
        "team": ("Sales Team",),
    },
    "hubspot": {
        "opp_id": ("Record ID", "Deal ID", "hs_object_id"),
        "name": ("Deal Name", "dealname"),
        "account": ("Associated Company", "Associated Company (Primary)", "Company name", "Company"),
        "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id"),
        "stage": ("Deal Stage", "dealstage"),
        "amount": ("Amount",),
        "created": ("Create Date", "createdate"),
        "close": ("Close Date", "closedate"),
        "product": ("Product line", "Deal Type", "dealtype"),
        "loss_reason": ("Closed Lost Reason", "closed_lost_reason"),
        "team": ("HubSpot Team", "hubspot_team_id"),
    },
    "odoo": {
        "opp_id": ("ID", "External ID", "id"),
        "name": ("Opportunity", "name"),
        "account": ("Customer", "partner_id", "Company Name"),
        "owner": ("Salesperson", "user_id"),
        "stage": ("Stage", "stage_id"),
        "amount": ("Expected Revenue", "expected_revenue"),
        "created": ("Created on", "create_date"),
        "close": ("Closed Date", "date_closed"),
        "expected": ("Expected Closing", "date_deadline"),
        "product": ("Product line",),
        "loss_reason": ("Lost Reason", "lost_reason_id"),
        "team": ("Sales Team", "team_id"),
        "active": ("Active", "active"),
    },
    "generic": {
        "opp_id": ("opp_code", "opportunity_id", "deal_id", "id"),
        "name": ("name", "opportunity_name", "deal_name", "opportunity"),
        "account": ("account", "account_name", "company", "customer"),
        "owner": ("owner", "sales_agent", "owner_name", "rep", "salesperson"),
        "stage": ("stage", "deal_stage"),
        "amount": ("amount", "close_value", "value", "revenue"),
        "created": ("created_date", "engage_date", "create_date", "created"),
        "close": ("close_date", "closed_date"),
        "expected": ("expected_close_date",),
        "product": ("product_line", "product"),
        "loss_reason": ("loss_reason", "lost_reason"),
        "team": ("team", "sales_team"),
    },
}
REQUIRED = ("stage", "created")

#: The default stage map of each CRM: its standard stages (compared by ``stage_key``).
DEFAULT_STAGES: dict[str, dict[str, str]] = {
    "salesforce": {
        "Prospecting": "1",
        "Qualification": "1",
        "Needs Analysis": "2",
        "Value Proposition": "3",
        "Id. Decision Makers": "3",
        "Perception Analysis": "3",
        "Proposal/Price Quote": "4",
        "Negotiation/Review": "4",
        "Closed Won": "won",
        "Closed Lost": "lost",
    },
    "hubspot": {
        "Appointment Scheduled": "1",
        "Qualified To Buy": "2",
        "Presentation Scheduled": "3",
        "Decision Maker Bought-In": "4",
        "Contract Sent": "5",
        "Closed Won": "won",
        "Closed Lost": "lost",
    },
    "odoo": {"New": "1", "Qualified": "3", "Proposition": "4", "Won": "won", "Lost": "lost"},
    "generic": {
        "Prospecting": "1",
        "Engaging": "2",
        "Qualified": "3",
        "Proposal": "4",
        "Negotiation": "5",
        "Won": "won",
        "Closed Won": "won",
        "Lost": "lost",
        "Closed Lost": "lost",
    },
}


def stage_key(stage: object) -> str:
    """A stage name compared loosely: case, spaces and punctuation ignored ("Closed Won" is HubSpot's
    ``closedwon``)."""
    return re.sub(r"[\W_]+", "", str(stage or "").lower())


@dataclass(frozen=True)
class CrmSource:
    """What an import of a CRM export needs: the CRM and its stage map (stage name -> ``STAGE_VALUES``)."""

    source: str
    stages: Mapping[str, str] = field(default_factory=dict)

    def stage_of(self, stage: object) -> str | None:
        """The stage's meaning by the map; a stage written as a value itself ("3", "won") means that."""
        wanted = stage_key(stage)
        found = next((v for k, v in self.stages.items() if stage_key(k) == wanted), None)
        return found if found is not None else (wanted if wanted in STAGE_VALUES else None)


@dataclass
class Derived:
    """What the conversion derived (counts, for the preview) and what the export leaves unknown."""

    source: str
    rows: int = 0
    reps: int = 0
    accounts: int = 0
    contracts: int = 0
    won_steps: int = 0
    won_as_of: int = 0
    close_dates: int = 0
    no_amount: int = 0
    no_account: int = 0
    unknown: tuple[str, ...] = ("buying_power", "quotas", "payments", "gross_margin")

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)

    def lines(self) -> list[str]:
        """The derivations as English sentences (the CLI's; the page says them in its language)."""
        name = SOURCE_NAMES[self.source]
        out = [f"read {self.rows:,} deals from the {name} export"]
        said = (
            (self.reps, "new reps from the owner names (region unknown)"),
            (self.accounts, "new accounts from the company names (region and industry unknown)"),
            (self.contracts, "contracts derived from won deals (their amount and close date; gross margin unknown)"),
            (self.won_steps, "won steps dated by the close date"),
            (
                self.won_as_of,
                "won deals closed before a stage they entered since: their won step dated as of the import",
            ),
            (self.close_dates, f"open deals without a close date: expected {OPEN_DAYS} days after creation"),
            (self.no_amount, "deals without an amount: counted at 0 until an export gives one"),
            (self.no_account, f"deals without a company: on the account {NO_ACCOUNT!r}"),
        )
        out += [f"derived: {n:,} {what}" for n, what in said if n]
        out.append("unknown (not in the export): " + ", ".join(self.unknown))
        return out


def stage_map(session: Session, source: str, user_id: int | None) -> dict[str, str]:
    """The stage map an import by ``user_id`` uses: the CRM's default overlaid with the user's remembered one."""
    out = dict(DEFAULT_STAGES.get(source, {}))
    if user_id is None or source not in SOURCES:
        return out
    rows = session.execute(
        select(ImportMapping.header, ImportMapping.field)
        .where(ImportMapping.user_id == user_id, ImportMapping.sheet == f"stage_map:{source}")
        .order_by(ImportMapping.id)
    )
    for stage, value in rows:
        for known in [k for k in out if stage_key(k) == stage_key(stage)]:
            del out[known]
        out[str(stage)] = str(value)
    return out


def parse_stage_map(text: str) -> tuple[dict[str, str], list[str]]:
    """``stage = value`` lines (the page's box) as a map, and a sentence per line that is not one."""
    stages: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(str(text or "").splitlines()[:500], start=1):
        if not line.strip():
            continue
        stage, sep, value = line.rpartition("=")
        stage, value = stage.strip(), value.strip().lower()
        if not sep or not stage or len(stage) > 100 or CONTROL.search(stage) or value not in STAGE_VALUES:
            problems.append(f"line {number}: {line.strip()[:60]!r} is not 'stage = 1-5, won or lost'")
            continue
        stages[stage] = value
    return stages, problems


def save_stage_map(session: Session, source: str, stages: Mapping[str, str], user_id: int) -> int:
    """Remember ``stages`` as the user's own stage map of ``source`` (replacing their earlier one); the count."""
    if source not in SOURCES:
        return 0
    sheet = f"stage_map:{source}"
    for old in session.scalars(
        select(ImportMapping).where(ImportMapping.user_id == user_id, ImportMapping.sheet == sheet)
    ):
        session.delete(old)
    session.flush()
    kept = {stage.strip()[:100]: v for stage, v in stages.items() if v in STAGE_VALUES and stage.strip()}
    for stage, value in kept.items():
        session.add(ImportMapping(user_id=user_id, sheet=sheet, header=stage, field=value))
    return len(kept)


def format_stage_map(stages: Mapping[str, str]) -> str:
    return "\n".join(f"{stage} = {value}" for stage, value in stages.items())


# --- the conversion ----------------------------------------------------------------------------------------------


def _day(value: object) -> object:
    """A CRM's date cell as ISO text when it is one it writes (an Excel date, ``2017-03-01``, ``2017-03-01
    14:00:00``, ``2017-03-01T14:00:00.000Z``, ``3/1/2017`` month first as in en-US, else day first when the first
    number cannot be a month); anything else as it is, for the importer to refuse with its column."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value or "").strip()
    if m := re.match(r"^(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$", text):
        return m.group(1)
    if m := re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+[\d:. ]+(?:AM|PM|am|pm)?)?$", text):
        first, second, year = (int(g) for g in m.groups())
        month, day = (first, second) if first <= 12 else (second, first)
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text
    return text


def _amount(value: object) -> object:
    """An amount cell without a currency code in front (``USD 1,200.00``, ``CNY 5000``)."""
    if isinstance(value, str):
        return re.sub(r"^\s*[A-Z]{3}\s+", "", value)
    return value


def _code(prefix: str, kind: str, name: str) -> str:
    """A stable code for a name (the same in every later export): prefix, kind and a hash of the name."""
    digest = hashlib.sha1(normalise(name).encode("utf-8")).hexdigest()[:10].upper()
    return "-".join(p for p in (prefix or "CRM", kind, digest) if p)


def _opp_code(prefix: str, record_id: str, name: str, account: str, created: object) -> str:
    if record_id:
        return f"{prefix}-{record_id}" if prefix else record_id
    return _code(prefix, "O", f"{name}|{account}|{created}")


def _columns(table: RawTable, source: str) -> dict[str, int]:
    """The export's column of each field (its position), by the CRM's headers compared loosely."""
    found: dict[str, int] = {}
    normalised = [normalise(h) for h in table.headers]
    for fld, names in COLUMNS[source].items():
        for name in names:
            if normalise(name) in normalised:
                found[fld] = normalised.index(normalise(name))
                break
    return found


def _iso_day(value: object) -> date | None:
    """The date of an ISO day as ``_day`` leaves it; None for anything else (the importer refuses it later)."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _falsy(value: object) -> bool:
    return str(value).strip().lower() in ("false", "0", "no", "n", "否")


def convert(
    session: Session, tables: list[RawTable], crm: CrmSource, scope: Scope | None = None
) -> tuple[list[RawTable], list[Issue], Derived]:
    """The unified sheets of one CRM export (its first table); issues for what cannot be read at all."""
    derived = Derived(crm.source)
    if crm.source not in SOURCES:
        return [], [Issue("source", None, None, crm.source, f"unknown source: one of {', '.join(SOURCES)}")], derived
    if len(tables) != 1:
        where = tables[1].title if len(tables) > 1 else "file"
        return [], [Issue(where, None, None, None, "a CRM export is one table (one CSV file or one sheet)")], derived
    table = tables[0]
    cols = _columns(table, crm.source)
    missing = [f for f in REQUIRED if f not in cols]
    if "opp_id" not in cols and "name" not in cols:
        missing.append("name")
    if missing:
        wanted = "; ".join(f"{f}: {' / '.join(COLUMNS[crm.source][f])}" for f in missing)
        return [], [Issue(table.title, 1, None, None, f"missing column(s) of a {crm.source} export: {wanted}")], derived

    def cell(cells: list[object], fld: str) -> object:
        i = cols.get(fld)
        return cells[i] if i is not None and i < len(cells) else None

    def text(cells: list[object], fld: str) -> str:
        value = cell(cells, fld)
        return "" if value is None else str(value).strip()

    prefix = PREFIXES[crm.source]
    team_name = _team_of(session, scope) or SOURCE_NAMES[crm.source]
    issues: list[Issue] = []
    deals: list[tuple[int, dict[str, object]]] = []
    for number, cells in table.rows:
        stage = text(cells, "stage")
        value = crm.stage_of(stage)
        lost_at: int | None = None
        if crm.source == "odoo" and "active" in cols and _falsy(cell(cells, "active")) and value != "won":
            lost_at = int(value) if value is not None and value.isdigit() else None
            value = "lost"  # Odoo archives a lost deal in the stage it was in
        if value is None:
            issues.append(
                Issue(table.title, number, "stage", stage[:80], "not in the stage map: add 'stage = 1-5, won or lost'")
            )
            continue
        account = text(cells, "account")
        owner = text(cells, "owner") or "(no owner in the export)"
        name = text(cells, "name") or text(cells, "opp_id")
        created, close = _day(cell(cells, "created")), _day(cell(cells, "close"))
        no_amount = cell(cells, "amount") in (None, "")
        deals.append(
            (
                number,
                {
                    "code": _opp_code(prefix, text(cells, "opp_id"), name, account, created),
                    "name": name,
                    "account": account or NO_ACCOUNT,
                    "owner": owner,
                    "team": text(cells, "team") if scope is None or scope.is_everything else "",
                    "value": value,
                    "amount": 0 if no_amount else _amount(cell(cells, "amount")),
                    "created": created,
                    "close": close,
                    "expected": _day(cell(cells, "expected")),
                    "product": text(cells, "product"),
                    "loss_reason": text(cells, "loss_reason"),
                    "lost_at": lost_at,
                },
            )
        )
        if value == "won" and not close:
            issues.append(Issue(table.title, number, "close", None, "a won deal needs its close date (its contract's)"))
        derived.no_account += not account
        derived.no_amount += no_amount
    derived.rows = len(deals)
    stored_levels: dict[str, int] = {}
    latest_entry: dict[str, date] = {}  # a stored deal's latest stage entry: a won step is never dated before it
    for code, stored_level, latest in _in_chunks(
        session,
        lambda chunk: (
            select(Opportunity.opp_code, Opportunity.level, func.max(StageHistory.entered_date))
            .outerjoin(StageHistory, StageHistory.opportunity_id == Opportunity.id)
            .where(Opportunity.opp_code.in_(chunk))
            .group_by(Opportunity.opp_code, Opportunity.level)
        ),
        (str(d["code"]) for _, d in deals),
    ):
        stored_levels[str(code)] = int(stored_level)
        if latest is not None:
            latest_entry[str(code)] = latest if isinstance(latest, date) else date.fromisoformat(str(latest))
    rep_codes = {str(d["owner"]): _code(prefix, "R", str(d["owner"])) for _, d in deals}
    account_codes = {str(d["account"]): _code(prefix, "A", str(d["account"])) for _, d in deals}
    stored_reps = set(_codes(session, Rep.rep_code, Rep.id, rep_codes.values()))
    stored_accounts = set(_codes(session, Account.account_code, Account.id, account_codes.values()))

    reps = RawTable("reps", ["rep_code", "name", "team", "region", "role"])
    accounts = RawTable("accounts", ["account_code", "name", "industry", "region", "owner_rep_code"])
    opps = RawTable(
        "opportunities",
        [
            "opp_code",
            "account_code",
            "owner_rep_code",
            "name",
            "amount",
            "level",
            "status",
            "created_date",
            "expected_close_date",
            "closed_date",
            "product_line",
            "loss_reason",
        ],
    )
    history = RawTable("stage_history", ["opp_code", "level", "entered_date"])
    contracts = RawTable("contracts", ["contract_code", "opp_code", "signed_date", "amount", "origin"])
    new_reps: set[str] = set()
    new_accounts: set[str] = set()
    for number, d in deals:
        owner, account, code = str(d["owner"]), str(d["account"]), str(d["code"])
        rep_code, account_code = rep_codes[owner], account_codes[account]
        if rep_code not in stored_reps and rep_code not in new_reps:
            new_reps.add(rep_code)
            reps.rows.append((number, [rep_code, owner[:100], str(d["team"]) or team_name, UNKNOWN_TEXT, "rep"]))
        if account_code not in stored_accounts and account_code not in new_accounts:
            new_accounts.add(account_code)
            accounts.rows.append((number, [account_code, account[:200], UNKNOWN_TEXT, UNKNOWN_TEXT, rep_code]))
        value = str(d["value"])
        status = value if value in ("won", "lost") else "open"
        if value == "won":
            level: object = WON_LEVEL
        elif value == "lost":
            level = d["lost_at"] or stored_levels.get(code, 1)
        else:
            level = int(value)
        close = d["close"]
        closed = close if status != "open" else ""
        expected = d["expected"] or close
        created_on = _iso_day(d["created"])
        if status == "open" and not expected and created_on:
            expected = (created_on + timedelta(days=OPEN_DAYS)).isoformat()
            derived.close_dates += 1
        opps.rows.append(
            (
                number,
                [
                    code,
                    account_code,
                    rep_code,
                    str(d["name"])[:200],
                    d["amount"],
                    level,
                    status,
                    d["created"],
                    expected,
                    closed,
                    str(d["product"])[:100],
                    str(d["loss_reason"])[:200] if status == "lost" else "",
                ],
            )
        )
        if status == "won" and close:
            contracts.rows.append((number, [f"{code}-CRM", code, close, d["amount"], CRM_ORIGIN]))
            derived.contracts += 1
            closed_on, latest = _iso_day(close), latest_entry.get(code)
            if closed_on and latest and closed_on < latest:  # closed before a stage this deal entered since: as of
                derived.won_as_of += stored_levels.get(code) != WON_LEVEL  # the import's day (a level change)
            else:
                history.rows.append((number, [code, WON_LEVEL, close]))
                derived.won_steps += 1
    derived.reps, derived.accounts = len(new_reps), len(new_accounts)
    out = [t for t in (reps, accounts, opps, history, contracts) if t.rows]
    return out, issues, derived


def _team_of(session: Session, scope: Scope | None) -> str | None:
    """The name of a manager's team (their new reps join it); None for the whole company."""
    if scope is None or scope.is_everything:
        return None
    names = [name for _id, name in teams(session, scope)]
    return names[0] if len(names) == 1 else None
