"""What the Import page asks a person to map: tabs that name no sheet, headers that name no field.

Suggestions come from header similarity against both the English and the Chinese field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from data_access.importer.reader import RawTable, Saved
from data_access.importer.schema import BY_NAME, Sheet, column_for, normalise, sheet_for


@dataclass(frozen=True)
class ColumnPlan:
    header: str
    suggestion: str | None


@dataclass(frozen=True)
class TabPlan:
    tab: str
    sheet: str | None
    columns: list[ColumnPlan] = field(default_factory=list)


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, normalise(a), normalise(b)).ratio()


def suggest_sheet(tab: str) -> str | None:
    best = max(BY_NAME.values(), key=lambda s: max(_similarity(tab, s.name), _similarity(tab, s.zh)))
    return best.name if max(_similarity(tab, best.name), _similarity(tab, best.zh)) >= 0.5 else None


def suggest_field(sheet: Sheet, header: str, taken: set[str]) -> str | None:
    scored = [
        (max(_similarity(header, c.name), _similarity(header, c.zh)), c.name)
        for c in sheet.columns
        if c.name not in taken
    ]
    if not scored:
        return None
    score, name = max(scored)
    return name if score >= 0.5 else None


def plan(
    tables: list[RawTable],
    mapping: Mapping[str, Mapping[str, Any]] | None = None,
    saved: Saved | None = None,
) -> list[TabPlan]:
    """Per tab: the sheet it maps to (None: unknown) and its headers that still need a field."""
    mapping, saved = mapping or {}, saved or {}
    out = []
    for table in tables:
        spec = mapping.get(table.title) or {}
        if not isinstance(spec, Mapping):
            spec = {}
        sheet = BY_NAME.get(str(spec.get("sheet"))) if spec.get("sheet") else sheet_for(table.title)
        if sheet is None:
            out.append(TabPlan(table.title, None))
            continue
        columns = spec.get("columns") or {}
        explicit = {normalise(k) for k in columns} if isinstance(columns, Mapping) else set()
        remembered = saved.get(sheet.name, {})
        taken = {c.name for h in table.headers if (c := column_for(sheet, h)) is not None}
        open_headers = [
            h
            for h in table.headers
            if str(h).strip()
            and column_for(sheet, h) is None
            and normalise(h) not in explicit
            and normalise(h) not in remembered
        ]
        columns = []
        for header in open_headers:
            suggestion = suggest_field(sheet, header, taken)
            if suggestion:
                taken.add(suggestion)
            columns.append(ColumnPlan(header, suggestion))
        out.append(TabPlan(table.title, sheet.name, columns))
    return out
