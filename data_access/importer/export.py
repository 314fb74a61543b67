"""Export the whole database in the import format, and the blank template.

``export`` -> ``run_import`` into an empty database gives back the same business data (tested).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from data_access.cells import csv_bytes, xlsx_row
from data_access.importer.schema import SHEETS, Sheet, bilingual
from data_access.models import (
    Account,
    Bid,
    BuyingPower,
    Contact,
    Contract,
    Event,
    EventAttendee,
    Opportunity,
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


def _queries() -> dict[str, Select[Any]]:
    manager = aliased(Rep)
    return {
        "reps": select(
            Rep.rep_code, Rep.name, Team.name, Rep.region, Rep.role, manager.rep_code, Rep.email, Rep.hire_date
        )
        .outerjoin(Team, Team.id == Rep.team_id)
        .outerjoin(manager, manager.id == Rep.manager_id)
        .order_by(Rep.rep_code),
        "accounts": select(
            Account.account_code,
            Account.name,
            Account.industry,
            Account.region,
            Rep.rep_code,
            Account.city,
            Account.key_account,
            Account.rad_override,
        )
        .join(Rep, Rep.id == Account.owner_rep_id)
        .order_by(Account.account_code),
        "buying_power": select(Account.account_code, BuyingPower.year, BuyingPower.bp, BuyingPower.source)
        .join(Account, Account.id == BuyingPower.account_id)
        .order_by(Account.account_code, BuyingPower.year),
        "contacts": select(
            Account.account_code,
            Contact.name,
            Contact.decision_role,
            Contact.title,
            Contact.department,
            Contact.phone,
            Contact.email,
        )
        .join(Account, Account.id == Contact.account_id)
        .order_by(Account.account_code, Contact.name),
        "opportunities": select(
            Opportunity.opp_code,
            Account.account_code,
            Rep.rep_code,
            Opportunity.name,
            Opportunity.amount,
            Opportunity.level,
            Opportunity.status,
            Opportunity.created_date,
            Opportunity.expected_close_date,
            Opportunity.product_line,
            Opportunity.gross_margin,
            Opportunity.closed_date,
            Opportunity.loss_reason,
            Opportunity.win_reason,
            Opportunity.competitor,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .order_by(Opportunity.opp_code),
        "stage_history": select(Opportunity.opp_code, StageHistory.level, StageHistory.entered_date)
        .join(Opportunity, Opportunity.id == StageHistory.opportunity_id)
        .order_by(Opportunity.opp_code, StageHistory.entered_date, StageHistory.level),
        "quotas": select(
            Rep.rep_code,
            Quota.year,
            Quota.quarter,
            Quota.revenue_target,
            Quota.gm_target,
            Quota.target_account_codes,
            Quota.base_salary,
            Quota.target_commission,
            Quota.working_conditions,
        )
        .join(Rep, Rep.id == Quota.rep_id)
        .order_by(Rep.rep_code, Quota.year, Quota.quarter),
        "contracts": select(
            Contract.contract_code,
            Opportunity.opp_code,
            Contract.signed_date,
            Contract.amount,
            Contract.gross_margin,
            Contract.origin,
        )
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .order_by(Contract.contract_code),
        "payments": select(
            Contract.contract_code,
            Payment.milestone,
            Payment.due_date,
            Payment.amount,
            Payment.paid_date,
            Payment.paid_amount,
        )
        .join(Contract, Contract.id == Payment.contract_id)
        .order_by(Contract.contract_code, Payment.milestone),
        "visits": select(
            Rep.rep_code,
            Account.account_code,
            Visit.visit_date,
            Visit.kind,
            Visit.status,
            Visit.contact_name,
            Visit.purpose,
            Visit.outcome,
            Opportunity.opp_code,
        )
        .join(Rep, Rep.id == Visit.rep_id)
        .join(Account, Account.id == Visit.account_id)
        .outerjoin(Opportunity, Opportunity.id == Visit.opportunity_id)
        .order_by(Rep.rep_code, Visit.visit_date, Account.account_code, Visit.kind, Visit.status),
        "events": select(
            Event.event_code,
            Event.name,
            Event.kind,
            Event.event_date,
            Rep.rep_code,
            Event.cost,
            Event.partner,
            Event.note,
        )
        .join(Rep, Rep.id == Event.organiser_rep_id)
        .order_by(Event.event_code),
        "event_attendees": select(
            Event.event_code, Account.account_code, EventAttendee.contact_name, EventAttendee.attended
        )
        .join(Event, Event.id == EventAttendee.event_id)
        .join(Account, Account.id == EventAttendee.account_id)
        .order_by(Event.event_code, Account.account_code),
        "training": select(
            Rep.rep_code,
            Training.course,
            Training.kind,
            Training.training_date,
            Training.hours,
            Training.score,
            Training.passed,
        )
        .join(Rep, Rep.id == Training.rep_id)
        .order_by(Rep.rep_code, Training.training_date, Training.course),
        "bids": select(
            Bid.bid_code,
            Opportunity.opp_code,
            Bid.tender_name,
            Bid.published_date,
            Bid.deadline,
            Bid.status,
            Bid.submitted_date,
            Bid.bid_amount,
            Bid.support_owner,
            Bid.result_date,
        )
        .join(Opportunity, Opportunity.id == Bid.opportunity_id)
        .order_by(Bid.bid_code),
        "support_requests": select(
            SupportRequest.request_code,
            Opportunity.opp_code,
            Rep.rep_code,
            SupportRequest.kind,
            SupportRequest.requested_date,
            SupportRequest.engineer,
            SupportRequest.resolved_date,
            SupportRequest.hours,
        )
        .join(Opportunity, Opportunity.id == SupportRequest.opportunity_id)
        .join(Rep, Rep.id == SupportRequest.requested_by_rep_id)
        .order_by(SupportRequest.request_code),
        "price_list": select(
            Product.product_code,
            Product.product_line,
            Product.name,
            Product.list_price,
            Product.unit_cost,
            Product.floor_margin,
        ).order_by(Product.product_code),
        "quote_lines": select(
            QuoteLine.quote_code,
            Opportunity.opp_code,
            QuoteLine.quoted_date,
            Product.product_code,
            QuoteLine.quantity,
            QuoteLine.unit_price,
            Rep.rep_code,
            QuoteLine.approval_note,
        )
        .join(Opportunity, Opportunity.id == QuoteLine.opportunity_id)
        .join(Product, Product.id == QuoteLine.product_id)
        .outerjoin(Rep, Rep.id == QuoteLine.approved_by_rep_id)
        .order_by(QuoteLine.quote_code, Product.product_code),
    }


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def rows(session: Session, sheet: Sheet) -> Iterator[list[Any]]:
    for row in session.execute(_queries()[sheet.name].execution_options(yield_per=5000)):
        yield [_cell(v) for v in row]


def export(session: Session, path: Path) -> dict[str, int]:
    """Write every sheet: ``.xlsx`` -> one workbook, ``.zip`` -> CSV files in a zip, else a folder of CSV."""
    counts: dict[str, int] = {}
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        for sheet in SHEETS:
            ws = book.create_sheet(sheet.name)
            ws.append([c.name for c in sheet.columns])
            n = 0
            for row in rows(session, sheet):
                ws.append(xlsx_row(ws, row))  # text as text: a name starting with "=" is no formula
                n += 1
            counts[sheet.name] = n
        book.save(path)
        return counts
    files: dict[str, bytes] = {}
    for sheet in SHEETS:
        sheet_rows = list(rows(session, sheet))
        counts[sheet.name] = len(sheet_rows)
        # formula-like text gets a leading "'" (data_access.cells); the importer takes it off again
        files[f"{sheet.name}.csv"] = csv_bytes([c.name for c in sheet.columns], sheet_rows)
    if suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        path.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (path / name).write_bytes(data)
    return counts


#: One consistent example per sheet, so the untouched template imports cleanly.
EXAMPLE: dict[str, list[Any]] = {
    "reps": ["R0001", "张伟", "华东大客户部", "华东", "rep", "", "zhangwei@example.com", date(2022, 3, 1)],
    "accounts": ["A00001", "上海华信银行", "金融", "华东", "R0001", "上海", "yes", ""],
    "buying_power": ["A00001", 2026, 12_000_000, "电话调研"],
    "contacts": ["A00001", "李强", "decision_maker", "CIO", "信息中心", "13800000000", ""],
    "opportunities": [
        "OP0000001",
        "A00001",
        "R0001",
        "数据中心网络升级",
        1_200_000,
        3,
        "open",
        date(2026, 3, 2),
        date(2026, 12, 15),
        "数据中心",
        300_000,
        "",
        "",
        "",
        "",
    ],
    "stage_history": ["OP0000001", 1, date(2026, 3, 2)],
    "quotas": ["R0001", 2026, "", 10_000_000, 2_500_000, "A00001", 200_000, 200_000, "每周提交工作计划"],
    "contracts": [],
    "payments": [],
    "visits": ["R0001", "A00001", date(2026, 4, 10), "visit", "done", "李强", "需求沟通", "确认方案", "OP0000001"],
    "events": ["EV0001", "华东客户答谢晚宴", "dinner_6a2r", date(2026, 5, 20), "R0001", 24_000, "", "6A+2R"],
    "event_attendees": ["EV0001", "A00001", "李强", "yes"],
    "training": ["R0001", "数据中心产品培训", "product", date(2026, 3, 12), 8, 92, "yes"],
    "bids": [
        "BD000001",
        "OP0000001",
        "数据中心网络升级项目招标",
        date(2026, 9, 1),
        date(2026, 9, 30),
        "submitted",
        date(2026, 9, 28),
        1_150_000,
        "王工",
        "",
    ],
    "support_requests": [
        "SR000001",
        "OP0000001",
        "R0001",
        "solution_design",
        date(2026, 6, 3),
        "王工",
        date(2026, 6, 10),
        16,
    ],
    "price_list": ["P0001", "数据中心", "核心交换机", 200_000, 140_000, "15%"],
    "quote_lines": ["Q000001", "OP0000001", date(2026, 9, 20), "P0001", 6, 190_000, "", ""],
}


def template(path: Path) -> None:
    """The blank workbook: every sheet, headers in both languages, one example row, lists for enumerations."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    lists = {"enum": None, "level": "1,2,3,4,5,6", "quarter": "1,2,3,4", "rad": "R,A,D", "bool": "yes,no"}
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append([bilingual(col) for col in sheet.columns])
        if EXAMPLE[sheet.name]:
            ws.append(EXAMPLE[sheet.name])
        for i, col in enumerate(sheet.columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(14, len(bilingual(col)) + 4)
            choices = ",".join(col.choices) if col.kind == "enum" else lists.get(col.kind)
            if choices:
                dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=not col.required)
                dv.add(f"{letter}2:{letter}100000")
                ws.add_data_validation(dv)
    book.save(path)
