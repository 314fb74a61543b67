"""A sortable, filterable, paged AG Grid for a list of rows, with links and money formatted for CNY."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import dash_ag_grid as dag

Kind = Literal["text", "money", "pct", "times", "account", "opp", "date", "link"]
#: The d3 formats of the numeric kinds (the grid formats client-side; the values stay numbers to sort). A row's
#: ``<field>_text``, when it has one, is shown instead (e.g. "Quota met" for a V that has no number).
FORMATS = {
    "money": "d3.format(',.2f')(params.value)",
    "pct": "params.value == null ? '—' : d3.format('.1%')(params.value)",
    "times": "params.value == null ? '—' : d3.format('.2f')(params.value) + '×'",
}
TEXT_FIRST = "(params.data && params.data[params.colDef.field + '_text']) || "
LINKS = {"account": "/accounts/", "opp": "/opportunities/"}


#: The grid's link renderer (``assets/grid_links.js``): the cell's value is the link's text, shown as text
#: (never Markdown or HTML: a code or a name from an import cannot become a link elsewhere); the address is a
#: fixed prefix + the URL-encoded value, or the row's ``<field>_href`` (a local path the page built).
LINK_RENDERER = "SafeLink"


def _column(field: str, header: str, kind: Kind) -> dict[str, Any]:
    col: dict[str, Any] = {"field": field, "headerName": header}
    if kind in FORMATS:
        col |= {"type": "numericColumn", "valueFormatter": {"function": TEXT_FIRST + "(" + FORMATS[kind] + ")"}}
    if kind in LINKS:
        col |= {"cellRenderer": LINK_RENDERER, "cellRendererParams": {"prefix": LINKS[kind]}}
    if kind == "link":
        col |= {"cellRenderer": LINK_RENDERER}
    return col


def _cell(value: Any) -> Any:
    if isinstance(value, date):  # dates travel as ISO text, whatever the column's kind
        return str(value)
    return value


def _row(row: dict[str, Any], columns: Sequence[tuple[str, str, Kind]]) -> dict[str, Any]:
    out = {f: _cell(row.get(f)) for f, _h, _k in columns}
    for suffix in ("_text", "_href"):
        out |= {f + suffix: row[f + suffix] for f, _h, _k in columns if row.get(f + suffix) is not None}
    return out


def data_grid(
    grid_id: str,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str, Kind]],
    pinned: Sequence[dict[str, Any]] = (),
) -> dag.AgGrid:
    """``columns``: (field, header, kind); ``account`` and ``opp`` cells link to their pages, a ``link`` cell
    to its row's ``<field>_href`` (a local path); ``pinned`` rows stay on top (a total line)."""
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
