"""A sortable, filterable, paged AG Grid for a list of rows, with links and money formatted for CNY."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import dash_ag_grid as dag

Kind = Literal["text", "money", "pct", "times", "account", "opp", "date", "markdown"]
#: The d3 formats of the numeric kinds (the grid formats client-side; the values stay numbers to sort). A row's
#: ``<field>_text``, when it has one, is shown instead (e.g. "Quota met" for a V that has no number).
FORMATS = {
    "money": "d3.format(',.2f')(params.value)",
    "pct": "params.value == null ? '—' : d3.format('.1%')(params.value)",
    "times": "params.value == null ? '—' : d3.format('.2f')(params.value) + '×'",
}
TEXT_FIRST = "(params.data && params.data[params.colDef.field + '_text']) || "
LINKS = {"account": "/accounts/", "opp": "/opportunities/"}


def _column(field: str, header: str, kind: Kind) -> dict[str, Any]:
    col: dict[str, Any] = {"field": field, "headerName": header}
    if kind in FORMATS:
        col |= {"type": "numericColumn", "valueFormatter": {"function": TEXT_FIRST + "(" + FORMATS[kind] + ")"}}
    if kind in LINKS or kind == "markdown":
        col |= {"cellRenderer": "markdown"}
    return col


def _cell(value: Any, kind: Kind) -> Any:
    if kind in LINKS and value is not None:
        return f"[{value}]({LINKS[kind]}{value})"
    if isinstance(value, date):  # dates travel as ISO text, whatever the column's kind
        return str(value)
    return value


def _row(row: dict[str, Any], columns: Sequence[tuple[str, str, Kind]]) -> dict[str, Any]:
    out = {f: _cell(row.get(f), k) for f, _h, k in columns}
    return out | {f"{f}_text": row[f"{f}_text"] for f, _h, _k in columns if row.get(f"{f}_text") is not None}


def data_grid(
    grid_id: str,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str, Kind]],
    pinned: Sequence[dict[str, Any]] = (),
) -> dag.AgGrid:
    """``columns``: (field, header, kind); ``account`` and ``opp`` cells link to their pages, ``markdown``
    cells are rendered as given (e.g. a link the page built); ``pinned`` rows stay on top (a total line)."""
    options: dict[str, Any] = {"pagination": True, "paginationPageSize": 20, "domLayout": "autoHeight"}
    if pinned:
        options["pinnedTopRowData"] = [_row(r, columns) for r in pinned]
    return dag.AgGrid(
        id=grid_id,
        columnDefs=[_column(f, h, k) for f, h, k in columns],
        rowData=[_row(r, columns) for r in rows],
        defaultColDef={"sortable": True, "resizable": True, "filter": True},
        dashGridOptions=options,
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine",
    )
