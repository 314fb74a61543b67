"""A sortable, filterable, paged AG Grid for a list of rows, with links and money formatted for CNY."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import dash_ag_grid as dag

Kind = Literal["text", "money", "pct", "times", "account", "opp", "date", "markdown"]
#: The d3 formats of the numeric kinds (the grid formats client-side; the values stay numbers to sort).
FORMATS = {
    "money": "d3.format(',.2f')(params.value)",
    "pct": "params.value == null ? '—' : d3.format('.1%')(params.value)",
    "times": "params.value == null ? '—' : d3.format('.2f')(params.value) + '×'",
}
LINKS = {"account": "/accounts/", "opp": "/opportunities/"}


def _column(field: str, header: str, kind: Kind) -> dict[str, Any]:
    col: dict[str, Any] = {"field": field, "headerName": header}
    if kind in FORMATS:
        col |= {"type": "numericColumn", "valueFormatter": {"function": FORMATS[kind]}}
    if kind in LINKS or kind == "markdown":
        col |= {"cellRenderer": "markdown"}
    return col


def _cell(value: Any, kind: Kind) -> Any:
    if kind in LINKS and value is not None:
        return f"[{value}]({LINKS[kind]}{value})"
    if isinstance(value, date):  # dates travel as ISO text, whatever the column's kind
        return str(value)
    return value


def data_grid(grid_id: str, rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, Kind]]) -> dag.AgGrid:
    """``columns``: (field, header, kind); ``account`` and ``opp`` cells link to their pages, ``markdown``
    cells are rendered as given (e.g. a link the page built)."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=[_column(f, h, k) for f, h, k in columns],
        rowData=[{f: _cell(r.get(f), k) for f, _h, k in columns} for r in rows],
        defaultColDef={"sortable": True, "resizable": True, "filter": True},
        dashGridOptions={"pagination": True, "paginationPageSize": 20, "domLayout": "autoHeight"},
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine",
    )
