"""The import format of ``shared/data-dictionary.md``: sheets, columns (English and Chinese), types, keys.

One declaration serves the reader (header matching), the validator (types, enums, required), the
template (headers in both languages, validation lists) and the exporter (column order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from data_access.models import (
    BID_STATUSES,
    DECISION_ROLES,
    EVENT_KINDS,
    MILESTONES,
    OPP_STATUSES,
    ROLES,
    SUPPORT_KINDS,
    TRAINING_KINDS,
    VISIT_KINDS,
    VISIT_STATUSES,
)

#: a contract's ``origin`` when the import derived it from a won deal of a CRM export (its margin unknown)
CRM_ORIGIN = "crm_export"

Kind = Literal[
    "text",
    "code",
    "date",
    "money",
    "int",
    "bool",
    "enum",
    "level",
    "quarter",
    "rad",
    "codes",
    "hours",
    "score",
    "quantity",
    "ratio",
]


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    kind: Kind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 200


@dataclass(frozen=True)
class Sheet:
    name: str
    zh: str
    columns: tuple[Column, ...]
    #: the business key: re-importing the same key updates the row, never duplicates it
    key: tuple[str, ...]
    extra_aliases: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def c(
    name: str,
    zh: str,
    kind: Kind = "text",
    required: bool = False,
    choices: tuple[str, ...] = (),
    max_length: int = 200,
) -> Column:
    return Column(name, zh, kind, required, choices, max_length)


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "reps",
        "销售人员",
        (
            c("rep_code", "销售编号", "code", True),
            c("name", "姓名", "text", True, max_length=100),
            c("team", "团队", "text", True, max_length=100),
            c("region", "区域", "text", True, max_length=100),
            c("role", "角色", "enum", True, ROLES),
            c("manager_code", "上级编号", "code"),
            c("email", "邮箱"),
            c("hire_date", "入职日期", "date"),
        ),
        ("rep_code",),
    ),
    Sheet(
        "accounts",
        "客户",
        (
            c("account_code", "客户编号", "code", True),
            c("name", "客户名称", "text", True),
            c("industry", "行业", "text", True, max_length=100),
            c("region", "区域", "text", True, max_length=100),
            c("owner_rep_code", "负责销售", "code", True),
            c("city", "城市", max_length=100),
            c("key_account", "重点客户", "bool"),
            c("rad_override", "RAD手工分类", "rad"),
        ),
        ("account_code",),
    ),
    Sheet(
        "buying_power",
        "年度采购量",
        (
            c("account_code", "客户编号", "code", True),
            c("year", "年度", "int", True),
            c("bp", "采购量", "money", True),
            c("source", "来源"),
        ),
        ("account_code", "year"),
    ),
    Sheet(
        "contacts",
        "联系人",
        (
            c("account_code", "客户编号", "code", True),
            c("name", "姓名", "text", True, max_length=100),
            c("decision_role", "决策角色", "enum", True, DECISION_ROLES),
            c("title", "职务", max_length=100),
            c("department", "部门", max_length=100),
            c("phone", "电话", max_length=50),
            c("email", "邮箱"),
        ),
        ("account_code", "name"),
    ),
    Sheet(
        "opportunities",
        "商机",
        (
            c("opp_code", "商机编号", "code", True),
            c("account_code", "客户编号", "code", True),
            c("owner_rep_code", "负责销售", "code", True),
            c("name", "商机名称", "text", True),
            c("amount", "金额", "money", True),
            c("level", "阶段", "level", True),
            c("status", "状态", "enum", True, OPP_STATUSES),
            c("created_date", "创建日期", "date", True),
            c("expected_close_date", "预计成交日期", "date", True),
            c("product_line", "产品线", max_length=100),
            c("gross_margin", "毛利", "money"),
            c("closed_date", "关闭日期", "date"),
            c("loss_reason", "输单原因"),
            c("win_reason", "赢单原因"),
            c("competitor", "竞争对手", max_length=100),
        ),
        ("opp_code",),
    ),
    Sheet(
        "stage_history",
        "阶段记录",
        (
            c("opp_code", "商机编号", "code", True),
            c("level", "阶段", "level", True),
            c("entered_date", "进入日期", "date", True),
        ),
        ("opp_code", "level", "entered_date"),
    ),
    Sheet(
        "quotas",
        "销售任务",
        (
            c("rep_code", "销售编号", "code", True),
            c("year", "年度", "int", True),
            c("quarter", "季度", "quarter"),
            c("revenue_target", "销售额指标", "money", True),
            c("gm_target", "毛利指标", "money", True),
            c("target_account_codes", "目标客户", "codes", max_length=4000),
            c("base_salary", "底薪", "money"),
            c("target_commission", "目标佣金", "money"),
            c("working_conditions", "工作条件", max_length=4000),
        ),
        ("rep_code", "year", "quarter"),
    ),
    Sheet(
        "contracts",
        "合同",
        (
            c("contract_code", "合同编号", "code", True),
            c("opp_code", "商机编号", "code", True),
            c("signed_date", "签订日期", "date", True),
            c("amount", "合同金额", "money", True),
            c("gross_margin", "毛利", "money"),  # required unless origin is crm_export (validate)
            c("origin", "来源", "enum", choices=(CRM_ORIGIN,)),
        ),
        ("contract_code",),
    ),
    Sheet(
        "payments",
        "回款",
        (
            c("contract_code", "合同编号", "code", True),
            c("milestone", "回款节点", "enum", True, MILESTONES),
            c("due_date", "应收日期", "date", True),
            c("amount", "应收金额", "money", True),
            c("paid_date", "实收日期", "date"),
            c("paid_amount", "实收金额", "money"),
        ),
        ("contract_code", "milestone"),
    ),
    Sheet(
        "visits",
        "拜访",
        (
            c("rep_code", "销售编号", "code", True),
            c("account_code", "客户编号", "code", True),
            c("visit_date", "拜访日期", "date", True),
            c("kind", "拜访类型", "enum", True, VISIT_KINDS),
            c("status", "状态", "enum", True, VISIT_STATUSES),
            c("contact_name", "联系人", max_length=100),
            c("purpose", "目的", max_length=4000),
            c("outcome", "结果", max_length=4000),
            c("opp_code", "商机编号", "code"),
        ),
        # the status is part of the key: a planned visit and its record on the same day are two rows (the
        # weekly plan is counted from the planned ones, "plan done" from the done ones)
        ("rep_code", "account_code", "visit_date", "kind", "status"),
    ),
    Sheet(
        "events",
        "客户推广活动",
        (
            c("event_code", "活动编号", "code", True),
            c("name", "活动名称", "text", True),
            c("kind", "活动类型", "enum", True, EVENT_KINDS),
            c("event_date", "活动日期", "date", True),
            c("organiser_rep_code", "组织者", "code", True),
            c("cost", "费用", "money", True),
            c("partner", "合作伙伴"),
            c("note", "备注", max_length=4000),
        ),
        ("event_code",),
        ("活动",),
    ),
    Sheet(
        "event_attendees",
        "活动参与",
        (
            c("event_code", "活动编号", "code", True),
            c("account_code", "客户编号", "code", True),
            c("contact_name", "联系人", max_length=100),
            c("attended", "是否出席", "bool"),
        ),
        ("event_code", "account_code"),
    ),
    Sheet(
        "training",
        "培训",
        (
            c("rep_code", "销售编号", "code", True),
            c("course", "课程", "text", True),
            c("kind", "培训类型", "enum", True, TRAINING_KINDS),
            c("training_date", "培训日期", "date", True),
            c("hours", "学时", "hours", True),
            c("score", "成绩", "score"),
            c("passed", "是否通过", "bool"),
        ),
        ("rep_code", "course", "training_date"),
    ),
    Sheet(
        "bids",
        "标案",
        (
            c("bid_code", "标案编号", "code", True),
            c("opp_code", "商机编号", "code", True),
            c("tender_name", "标案名称", "text", True),
            c("published_date", "发布日期", "date", True),
            c("deadline", "截止日期", "date", True),
            c("status", "状态", "enum", True, BID_STATUSES),
            c("submitted_date", "投标日期", "date"),
            c("bid_amount", "投标金额", "money"),
            c("support_owner", "标书负责人", max_length=100),
            c("result_date", "结果日期", "date"),
        ),
        ("bid_code",),
        ("标案支持", "投标"),
    ),
    Sheet(
        "support_requests",
        "技术支持",
        (
            c("request_code", "申请编号", "code", True),
            c("opp_code", "商机编号", "code", True),
            c("requested_by", "申请人", "code", True),
            c("kind", "支持类型", "enum", True, SUPPORT_KINDS),
            c("requested_date", "申请日期", "date", True),
            c("engineer", "工程师", max_length=100),
            c("resolved_date", "完成日期", "date"),
            c("hours", "工时", "hours"),
        ),
        ("request_code",),
    ),
    Sheet(
        "price_list",
        "价格表",
        (
            c("product_code", "产品编号", "code", True),
            c("product_line", "产品线", "text", True, max_length=100),
            c("name", "产品名称", "text", True),
            c("list_price", "目录价", "money", True),
            c("unit_cost", "单位成本", "money", True),
            c("floor_margin", "最低毛利率", "ratio"),
        ),
        ("product_code",),
        ("价格", "产品"),
    ),
    Sheet(
        "quote_lines",
        "报价",
        (
            c("quote_code", "报价编号", "code", True),
            c("opp_code", "商机编号", "code", True),
            c("quoted_date", "报价日期", "date", True),
            c("product_code", "产品编号", "code", True),
            c("quantity", "数量", "quantity", True),
            c("unit_price", "单价", "money", True),
            c("approved_by", "审批人", "code"),
            c("approval_note", "审批说明", max_length=4000),
        ),
        ("quote_code", "product_code"),
        ("报价单",),
    ),
)

BY_NAME = {s.name: s for s in SHEETS}


def normalise(header: object) -> str:
    """Header text compared loosely: case, spaces, underscores, full-width brackets ignored."""
    text = str(header or "").strip().lower()
    for ch in (" ", "_", "-", "\u3000", "(", ")", "（", "）"):
        text = text.replace(ch, "")
    return text


def sheet_for(name: str) -> Sheet | None:
    """The sheet a workbook tab or CSV file name stands for (English or Chinese name)."""
    key = normalise(name)
    for sheet in SHEETS:
        if key in (normalise(sheet.name), normalise(sheet.zh), *(normalise(a) for a in sheet.extra_aliases)):
            return sheet
    return None


def _candidates(header: object) -> list[str]:
    """A header and, for ``name (名称)`` / ``名称（name）``, each of its two halves."""
    text = str(header or "").replace("（", "(").replace("）", ")")
    out = [normalise(text)]
    if "(" in text and text.rstrip().endswith(")"):
        outer, inner = text.rstrip()[:-1].split("(", 1)
        out += [normalise(outer), normalise(inner)]
    return out


def column_for(sheet: Sheet, header: object) -> Column | None:
    """The column a header names: English or Chinese, alone or both as ``opp_code (商机编号)``."""
    for key in _candidates(header):
        for col in sheet.columns:
            if key and key in (normalise(col.name), normalise(col.zh)):
                return col
    return None


def bilingual(col: Column) -> str:
    """The template's header: ``opp_code (商机编号)``."""
    return f"{col.name} ({col.zh})"
