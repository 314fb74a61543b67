"""Turn raw cells into typed values, one column kind at a time; every failure is an Issue."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from data_access.importer.reader import Issue, MappedTable, short, too_long
from data_access.importer.schema import Column

TRUE = {"yes", "y", "true", "1", "是", "top", "x", "✓"}
FALSE = {"no", "n", "false", "0", "否", ""}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: C0 control characters but tab, LF and CR: PostgreSQL refuses NUL in text, and none belongs in a cell
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Bad(ValueError):
    pass


def _money(value: object) -> float:
    if isinstance(value, bool):
        raise Bad("is not an amount")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise Bad("is not an amount")
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").strip()
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise Bad("is not an amount (a number like 1234.50)") from exc
        if not number.is_finite():
            raise Bad("is not an amount")
    if number < 0:
        raise Bad("must not be negative")
    if number >= Decimal("1e12"):
        raise Bad("is too large for an amount")
    return float(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _ratio(value: object) -> float:
    """A share 0-1, written as a fraction (0.125) or a percentage (12.5%), kept to four decimals."""
    if isinstance(value, bool):
        raise Bad("is not a share (0.15 or 15%)")
    text = str(value).strip()
    percent = text.endswith(("%", "％"))
    try:
        number = Decimal(text.rstrip("%％").strip())
    except InvalidOperation as exc:
        raise Bad("is not a share (0.15 or 15%)") from exc
    if not number.is_finite():
        raise Bad("is not a share (0.15 or 15%)")
    share = number / 100 if percent else number
    if not 0 <= share <= 1:
        raise Bad("must be between 0 and 1 (or 0% and 100%)")
    return float(share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if ISO_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise Bad("is not a date (YYYY-MM-DD)")


def _int(value: object, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise Bad("is not a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise Bad("is not a whole number")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            raise Bad("is not a whole number")
        number = int(float(text))
    if not low <= number <= high:
        raise Bad(f"must be between {low} and {high}")
    return number


def convert(col: Column, value: object) -> object:
    """The typed value of one cell (None for an empty optional cell); raises Bad with the reason."""
    if isinstance(value, str) and (bad := CONTROL.search(value)):
        raise Bad(f"holds the control character U+{ord(bad.group()):04X}, which no cell may hold")
    if value is None or (isinstance(value, str) and not value.strip()):
        if col.required:
            raise Bad("is required")
        return None
    if col.kind in ("text", "code", "codes"):
        problem = too_long(col, value)
        if problem:
            raise Bad(problem)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a code typed as a number in Excel
        text = str(value).strip()
        if col.kind == "codes":
            return ",".join(p.strip() for p in re.split(r"[,，;；]", text) if p.strip()) or None
        return text
    if col.kind == "money":
        return _money(value)
    if col.kind == "hours":
        hours = _money(value)
        if hours > 1000:
            raise Bad("must be at most 1000 hours")
        return hours
    if col.kind == "score":
        score = _money(value)
        if score > 100:
            raise Bad("must be between 0 and 100")
        return score
    if col.kind == "quantity":
        quantity = _money(value)
        if quantity <= 0:
            raise Bad("must be more than 0")
        if quantity > 1_000_000:
            raise Bad("must be at most 1000000")
        return quantity
    if col.kind == "ratio":
        return _ratio(value)
    if col.kind == "date":
        return _date(value)
    if col.kind == "int":
        return _int(value, 1900, 2999)
    if col.kind == "level":
        return _int(value, 1, 6)
    if col.kind == "quarter":
        text = str(value).strip().upper().removeprefix("Q")
        return _int(text, 1, 4)
    if col.kind == "bool":
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise Bad("must be yes or no")
    if col.kind == "rad":
        text = str(value).strip().upper()
        if text not in ("R", "A", "D"):
            raise Bad("must be R, A or D")
        return text
    if col.kind == "enum":
        text = str(value).strip().lower()
        if text not in col.choices:
            raise Bad(f"must be one of {', '.join(col.choices)}")
        return text
    raise AssertionError(col.kind)


def shown(value: object) -> str | None:
    """A cell as an issue shows it: shortened, control characters written as ``\\x00``."""
    text = short(value)
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text) if text is not None else None


def typed_rows(table: MappedTable) -> tuple[list[tuple[int, dict[str, object]]], list[Issue]]:
    """Typed records of a mapped table, and the issues of the cells that would not convert."""
    out = []
    issues = []
    for number, record in table.rows:
        typed: dict[str, object] = {}
        ok = True
        for col in table.sheet.columns:
            raw = record.get(col.name)
            try:
                typed[col.name] = convert(col, raw)
            except Bad as exc:
                ok = False
                issues.append(Issue(table.sheet.name, number, col.name, shown(raw), f"{col.name} {exc}"))
        if ok:
            out.append((number, typed))
    return out, issues
