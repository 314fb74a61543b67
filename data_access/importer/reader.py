"""Read a workbook (.xlsx), a folder or .zip of ``<sheet>.csv``, and map its headers to the fields.

Nothing here touches the database. Every problem becomes an ``Issue`` (sheet, row, column, value,
message); rows are numbered as a spreadsheet shows them (the header is row 1).

What is read is bounded by a ``config.Limits`` the caller passes in (issue 17): a file or an upload
larger than ``max_upload_bytes`` is refused before it is read; the members of a .zip or an .xlsx may
inflate to ``max_inflated_bytes`` in all (their declared sizes are summed first, then a .zip's members
are counted as they inflate, chunk by chunk); a sheet may hold ``max_rows_per_sheet`` rows, empty ones
included, counted as they are read. CSV is read as a stream of lines, never whole. Past any bound:
``TooLarge`` with one issue saying which, and nothing more is read.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, NamedTuple

from config import Limits
from data_access.cells import unneutralise
from data_access.importer.schema import BY_NAME, Column, Sheet, column_for, normalise, sheet_for

MAX_CELL = 32_767  # Excel's own limit for one cell
#: the widest header read (the widest sheet has 15 columns); wider is refused, not padded row by row
MAX_COLUMNS = 256
#: the longest physical line of a CSV file, in characters (a real row is a few thousand at most)
MAX_LINE = 1024 * 1024
READ_CHUNK = 64 * 1024
MB = 1024 * 1024
WRONG_TYPE = "expected an .xlsx workbook, a .zip or folder of .csv files, or a .csv file"
#: the configured defaults (``config.Limits()``: frozen, so one instance serves every call)
DEFAULT_LIMITS = Limits()


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


class TooLarge(ImportRejected):
    """A limit refused the file, before or while reading it; ``issues`` holds the one sentence."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__([Issue(where, None, None, None, message)])


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


def size_text(n: int) -> str:
    """A byte count as a limit is told: ``15 MB``, ``64 KB``, ``512 bytes``."""
    for unit, size in (("MB", MB), ("KB", 1024)):
        if n >= size:
            return f"{n / size:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{n:,} bytes"


def _too_many_rows(title: str, limits: Limits) -> TooLarge:
    return TooLarge(title, f"more than {limits.max_rows_per_sheet:,} rows (the limit of one sheet)")


def _too_big(title: str, limits: Limits) -> TooLarge:
    return TooLarge(title, f"larger than {size_text(limits.max_upload_bytes)} (the largest file this server takes)")


def _too_inflated(title: str, limits: Limits) -> TooLarge:
    return TooLarge(title, f"unpacks to more than {size_text(limits.max_inflated_bytes)} (the limit of an archive)")


class _Budget:
    """The running total of bytes inflated out of one archive; past the limit it refuses at once."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.used = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limits.max_inflated_bytes:
            raise _too_inflated(self.name, self.limits)


class _Counted(io.RawIOBase):
    """A binary stream read in chunks, each counted against a budget before it is handed on."""

    def __init__(self, inner: IO[bytes], budget: _Budget | None) -> None:
        self.inner = inner
        self.budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(min(len(buffer), READ_CHUNK))
        if self.budget is not None:
            self.budget.take(len(data))
        buffer[: len(data)] = data
        return len(data)


def _lines(stream: IO[str], title: str) -> Iterator[str]:
    """The physical lines of a text stream, each at most MAX_LINE characters (a longer one is refused)."""
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE:
            raise TooLarge(title, f"a line longer than {MAX_LINE:,} characters: not a CSV file of rows")
        yield line


def _csv_rows(title: str, raw: IO[bytes], encoding: str, limits: Limits, budget: _Budget | None) -> RawTable:
    buffered = io.BufferedReader(_Counted(raw, budget), READ_CHUNK)
    text = io.TextIOWrapper(buffered, encoding=encoding, newline="")
    reader = csv.reader(_lines(text, title))
    try:
        header = next(reader, None)
        if header is None:
            return RawTable(title, [])
        if len(header) > MAX_COLUMNS:
            raise TooLarge(title, f"more than {MAX_COLUMNS} columns")
        table = RawTable(title, [str(h) for h in header])
        width = len(header)
        for number, row in enumerate(reader, start=2):
            if reader.line_num - 1 > limits.max_rows_per_sheet:  # physical lines, empty ones too
                raise _too_many_rows(title, limits)
            if any(v.strip() for v in row):
                # our CSV exports write formula-like text as '=...; it reads back as it was stored
                table.rows.append((number, [unneutralise(v) for v in row[:width]]))
    except csv.Error as exc:
        raise ImportRejected([Issue(title, None, None, None, f"not a readable CSV file: {exc}")]) from exc
    return table


def _csv_table(title: str, open_binary: Callable[[], IO[bytes]], limits: Limits, budget: _Budget | None) -> RawTable:
    """One CSV file read as a stream: UTF-8 (with or without BOM), else GB18030 from the start again."""
    for encoding in ("utf-8-sig", "gb18030"):
        before = budget.used if budget is not None else 0
        try:
            with open_binary() as raw:
                return _csv_rows(title, raw, encoding, limits, budget)
        except UnicodeDecodeError:
            if budget is not None:
                budget.used = before  # the same bytes are read again in the next encoding
    raise ImportRejected([Issue(title, None, None, None, "not readable as UTF-8 or GB18030 text")])


def _declared(infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    """Refuse an archive whose members say they inflate past the limit, before inflating any of them."""
    if sum(i.file_size for i in infos) > limits.max_inflated_bytes:
        raise _too_inflated(name, limits)


#: what a damaged archive or workbook raises while it is read
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)


def _zip_tables(data: bytes, name: str, limits: Limits) -> list[RawTable]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = sorted(
                (
                    i
                    for i in archive.infolist()
                    if not i.is_dir() and i.filename.lower().endswith(".csv") and not i.filename.startswith("__")
                ),
                key=lambda i: i.filename,
            )
            if not infos:
                raise ImportRejected([Issue(name, None, None, None, "the zip holds no .csv file")])
            _declared(infos, name, limits)
            budget = _Budget(name, limits)
            return [_csv_table(Path(info.filename).stem, partial(archive.open, info), limits, budget) for info in infos]
    except UNREADABLE as exc:
        raise ImportRejected([Issue(name, None, None, None, "not a readable .zip file")]) from exc


def _xlsx_tables(data: bytes, name: str, limits: Limits) -> list[RawTable]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _declared(archive.infolist(), name, limits)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TooLarge:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(
            [Issue(name, None, None, None, f"not an Excel .xlsx workbook ({type(exc).__name__})")]
        ) from exc
    tables = []
    try:
        for ws in book.worksheets:
            header = next(ws.iter_rows(max_row=1, values_only=True), None) or ()
            headers = ["" if h is None else str(h) for h in header]
            while headers and not headers[-1].strip():
                headers.pop()
            if len(headers) > MAX_COLUMNS:
                raise TooLarge(ws.title, f"more than {MAX_COLUMNS} columns")
            table = RawTable(ws.title, headers)
            # only the header's columns: a sheet that says it is 16,384 columns wide is not padded row by row
            for number, row in enumerate(ws.iter_rows(min_row=2, max_col=max(len(headers), 1), values_only=True), 2):
                if number - 1 > limits.max_rows_per_sheet:  # rows the file skips are counted too
                    raise _too_many_rows(ws.title, limits)
                if any(v is not None and str(v).strip() for v in row):
                    table.rows.append((number, list(row)))
            tables.append(table)
    except (*UNREADABLE, KeyError, ValueError, SyntaxError) as exc:  # SyntaxError: xml ParseError
        raise ImportRejected(
            [Issue(name, None, None, None, f"not a readable .xlsx workbook ({type(exc).__name__})")]
        ) from exc
    finally:
        book.close()
    return tables


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def read_source(path: Path, data: bytes | None = None, limits: Limits = DEFAULT_LIMITS) -> list[RawTable]:
    """Tables of an .xlsx file, a .zip of CSV files, a folder of CSV files, or one .csv file.

    ``data`` (bytes of an upload) is read instead of the file at ``path``; the name still decides the type.
    A single file (or ``data``) over ``limits.max_upload_bytes`` is refused before it is read; a folder's
    CSV files together may hold ``limits.max_inflated_bytes``, as an archive's members may.
    """
    name = path.name
    if data is None and path.is_dir():
        csvs = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not csvs:
            raise ImportRejected([Issue(name, None, None, None, "the folder holds no .csv file")])
        if sum(p.stat().st_size for p in csvs) > limits.max_inflated_bytes:
            raise TooLarge(name, f"its .csv files hold more than {size_text(limits.max_inflated_bytes)} together")
        return [_csv_table(p.stem, _opener(p), limits, None) for p in csvs]
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".zip", ".csv"):
        raise ImportRejected([Issue(name, None, None, None, WRONG_TYPE)])
    if data is None:
        try:
            size = path.stat().st_size
            if size > limits.max_upload_bytes:
                raise _too_big(name, limits)
            if suffix == ".csv":
                if size == 0:
                    raise ImportRejected([Issue(name, None, None, None, "the file is empty")])
                return [_csv_table(path.stem, lambda: path.open("rb"), limits, None)]
            data = path.read_bytes()
        except OSError as exc:
            raise ImportRejected([Issue(name, None, None, None, f"cannot read the file: {exc.strerror}")]) from exc
    if len(data) > limits.max_upload_bytes:
        raise _too_big(name, limits)
    if not data:
        raise ImportRejected([Issue(name, None, None, None, "the file is empty")])
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_tables(data, name, limits)
    if suffix == ".zip":
        return _zip_tables(data, name, limits)
    return [_csv_table(path.stem, lambda: io.BytesIO(data), limits, None)]


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
    "TooLarge",
    "map_tables",
    "read_source",
    "short",
    "size_text",
    "too_long",
]
