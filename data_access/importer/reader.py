"""Read a workbook (.xlsx), a folder or .zip of ``<sheet>.csv``, and map its headers to the fields.

Nothing here touches the database. Every problem becomes an ``Issue`` (sheet, row, column, value,
message); rows are numbered as a spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from data_access.importer.schema import BY_NAME, Column, Sheet, column_for, normalise, sheet_for

MAX_ROWS = 2_000_000
MAX_CELL = 32_767  # Excel's own limit for one cell


@dataclass(frozen=True)
class Issue:
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class ImportRejected(Exception):
    """The file cannot be imported; ``issues`` says every reason."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


@dataclass(frozen=True)
class Applied:
    """A mapping the import applied: in ``tab`` (read as ``sheet``), file header ``header`` is ``field``.

    ``source``: ``explicit`` (this form, or the CLI's ``--mapping`` file), ``yours`` (remembered by the
    importing user) or ``shared`` (remembered for everyone by a director).
    """

    tab: str
    sheet: str
    header: str
    field: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"tab": self.tab, "sheet": self.sheet, "header": self.header, "field": self.field, "source": self.source}


class SavedField(NamedTuple):
    """A remembered mapping of one header: the field it means and whose it is (``yours`` / ``shared``)."""

    field: str
    source: str


#: {sheet: {normalised header: SavedField}}: what ``engine.saved_mappings`` returns
Saved = Mapping[str, Mapping[str, SavedField]]


@dataclass
class RawTable:
    """One tab or CSV file as read: its headers and its non-empty rows (row number, cells)."""

    title: str
    headers: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)


@dataclass
class MappedTable:
    sheet: Sheet
    title: str
    #: (row number, field name -> raw cell)
    rows: list[tuple[int, dict[str, object]]]
    #: the explicit or remembered mappings that decided this table's columns
    applied: list[Applied] = field(default_factory=list)


#: {file tab or CSV name: {"sheet": target sheet (optional), "columns": {file header: field}}}
Mapping_ = Mapping[str, Mapping[str, Any]]


def short(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([Issue(name, None, None, None, "not readable as UTF-8 or GB18030 text")])


def _csv_table(title: str, data: bytes) -> RawTable:
    text = _decode(data, title)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportRejected([Issue(title, None, None, None, f"not a readable CSV file: {exc}")]) from exc
    if not rows:
        return RawTable(title, [])
    table = RawTable(title, [str(h) for h in rows[0]])
    for number, row in enumerate(rows[1:], start=2):
        if any(str(v).strip() for v in row):
            table.rows.append((number, list(row)))
    return table


def _xlsx_tables(data: bytes, name: str) -> list[RawTable]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(
            [Issue(name, None, None, None, f"not an Excel .xlsx workbook ({type(exc).__name__})")]
        ) from exc
    tables = []
    try:
        for ws in book.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            table = RawTable(ws.title, ["" if h is None else str(h) for h in (header or ())])
            for number, row in enumerate(rows, start=2):
                if number > MAX_ROWS:
                    raise ImportRejected([Issue(ws.title, number, None, None, f"more than {MAX_ROWS:,} rows")])
                if any(v is not None and str(v).strip() for v in row):
                    table.rows.append((number, list(row)))
            tables.append(table)
    finally:
        book.close()
    return tables


def read_source(path: Path, data: bytes | None = None) -> list[RawTable]:
    """Tables of an .xlsx file, a .zip of CSV files, a folder of CSV files, or one .csv file.

    ``data`` (bytes of an upload) is read instead of the file at ``path``; the name still decides the type.
    """
    name = path.name
    if data is None and path.is_dir():
        csvs = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not csvs:
            raise ImportRejected([Issue(name, None, None, None, "the folder holds no .csv file")])
        return [_csv_table(p.stem, p.read_bytes()) for p in csvs]
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportRejected([Issue(name, None, None, None, f"cannot read the file: {exc.strerror}")]) from exc
    if not data:
        raise ImportRejected([Issue(name, None, None, None, "the file is empty")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_tables(data, name)
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = sorted(m for m in archive.namelist() if m.lower().endswith(".csv") and not m.startswith("__"))
                if not members:
                    raise ImportRejected([Issue(name, None, None, None, "the zip holds no .csv file")])
                return [_csv_table(Path(m).stem, archive.read(m)) for m in members]
        except zipfile.BadZipFile as exc:
            raise ImportRejected([Issue(name, None, None, None, "not a readable .zip file")]) from exc
    if suffix == ".csv":
        return [_csv_table(path.stem, data)]
    raise ImportRejected(
        [Issue(name, None, None, None, "expected an .xlsx workbook, a .zip or folder of .csv files, or a .csv file")]
    )


def map_tables(
    tables: list[RawTable], mapping: Mapping_ | None = None, saved: Saved | None = None
) -> tuple[list[MappedTable], list[Issue]]:
    """Match tabs to sheets and headers to fields.

    A standard header (a field's name or its Chinese name, ``column_for``) is always read as that field:
    neither a ``saved`` mapping nor the explicit ``mapping`` can turn it into another (an explicit attempt is
    an issue). Any other header is read by the explicit ``mapping``, else by a ``saved`` one ({sheet:
    {normalised header: SavedField}}); each applied mapping is kept in ``MappedTable.applied``.

    Unknown tabs and unknown columns are errors (nothing is silently dropped); so is a missing required
    column or a column mapped twice.
    """
    mapping = mapping or {}
    saved = saved or {}
    issues: list[Issue] = []
    out: list[MappedTable] = []
    seen: dict[str, str] = {}
    for table in tables:
        spec = mapping.get(table.title) or {}
        if not isinstance(spec, Mapping):
            spec = {}
        target = spec.get("sheet")
        sheet = BY_NAME.get(str(target)) if target else sheet_for(table.title)
        if sheet is None:
            issues.append(
                Issue(
                    table.title,
                    None,
                    None,
                    None,
                    f"unknown sheet {table.title!r}: expected one of {', '.join(BY_NAME)} (or map it)",
                )
            )
            continue
        if sheet.name in seen:
            issues.append(
                Issue(
                    table.title,
                    None,
                    None,
                    None,
                    f"sheet {sheet.name} is given twice ({seen[sheet.name]!r} and {table.title!r})",
                )
            )
            continue
        seen[sheet.name] = table.title
        columns = spec.get("columns") or {}
        explicit = {normalise(k): str(v) for k, v in columns.items()} if isinstance(columns, Mapping) else {}
        remembered = saved.get(sheet.name, {})
        fields: list[Column | None] = []
        applied: list[Applied] = []
        for header in table.headers:
            key = normalise(header)
            standard = column_for(sheet, header)
            if standard is not None:
                wanted = explicit.get(key)
                if wanted and wanted != standard.name:
                    issues.append(
                        Issue(
                            table.title,
                            1,
                            header,
                            wanted,
                            f"{header!r} is the standard column {standard.name} of {sheet.name}: "
                            f"it is always read as {standard.name}, it cannot be mapped to {wanted}",
                        )
                    )
                fields.append(standard)
                continue
            if explicit.get(key):
                wanted, source = explicit[key], "explicit"
            elif key in remembered:
                wanted, source = remembered[key].field, remembered[key].source
            else:
                if str(header).strip():
                    issues.append(Issue(table.title, 1, header, None, f"unknown column {header!r} (map it to a field)"))
                fields.append(None)
                continue
            col = next((c for c in sheet.columns if c.name == wanted), None)
            if col is None:
                issues.append(Issue(table.title, 1, header, None, f"mapped to unknown field {wanted!r}"))
            else:
                applied.append(Applied(table.title, sheet.name, str(header), col.name, source))
            fields.append(col)
        names = [f.name for f in fields if f is not None]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            issues.append(Issue(table.title, 1, dup, None, f"two columns are mapped to {dup}"))
        for req in sheet.required:
            if req not in names:
                issues.append(
                    Issue(table.title, 1, req, None, f"missing required column {req} ({sheet.column(req).zh})")
                )
        rows = []
        for number, cells in table.rows:
            record = {f.name: cells[i] if i < len(cells) else None for i, f in enumerate(fields) if f is not None}
            rows.append((number, record))
        out.append(MappedTable(sheet, table.title, rows, applied))
    if not out and not issues:
        issues.append(Issue("(file)", None, None, None, "no sheet of the data dictionary found"))
    return out, issues


def too_long(col: Column, value: object) -> str | None:
    text = str(value)
    if len(text) > min(col.max_length, MAX_CELL):
        return f"too long ({len(text):,} characters, at most {col.max_length:,})"
    return None


__all__ = [
    "Applied",
    "ImportRejected",
    "Issue",
    "MappedTable",
    "RawTable",
    "Saved",
    "SavedField",
    "map_tables",
    "read_source",
    "short",
    "too_long",
]
