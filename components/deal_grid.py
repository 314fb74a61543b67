"""A list of deals as an AG Grid: sortable, filterable, pageable, downloadable, each deal linking to its page.

The funnel lists a level's deals with it, the win/loss page the deals behind a bar or a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import dash_ag_grid as dag
from dash import html

from components import tables
from components.i18n import t
from components.shell import panel

#: Columns shown as money (right-aligned, grouped digits, numeric sort).
MONEY_COLUMNS = ("amount",)


def _cell(value: Any) -> Any:
    return str(value) if isinstance(value, date) else value


Columns = Sequence[tuple[str, str | None]]


def deal_grid(grid_id: str, rows: Sequence[dict[str, Any]], columns: Columns, lang: str) -> dag.AgGrid:
    """``columns`` are (field, i18n key of the header; None for no header); ``opp_code`` becomes a link to
    ``/opportunities/<opp_code>``, dates become ISO text."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=[
            {
                "field": field,
                "headerName": t(key, lang) if key else "",
                **(
                    {"type": "numericColumn", "valueFormatter": {"function": "d3.format(',.2f')(params.value)"}}
                    if field in MONEY_COLUMNS
                    else {}
                ),
                **({"cellRenderer": "markdown"} if field == "opp_code" else {}),
            }
            for field, key in columns
        ],
        rowData=[
            {
                **{field: _cell(r.get(field)) for field, _key in columns},
                "opp_code": f"[{r['opp_code']}](/opportunities/{r['opp_code']})",
            }
            for r in rows
        ],
        defaultColDef={"sortable": True, "resizable": True, "filter": True},
        dashGridOptions={"pagination": True, "paginationPageSize": 20, "domLayout": "autoHeight"},
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine",
    )


def deal_panel(
    panel_id: str,
    title: str,
    rows: Sequence[dict[str, Any]],
    columns: Columns,
    table: str,
    lang: str,
    extra: Any = None,
) -> html.Div:
    """The grid (id ``<panel_id>-grid``) in a titled panel with the CSV/Excel buttons of ``table`` (a name in
    ``web.tables.TABLES``, which recomputes the rows in the viewer's scope); ``extra`` goes under the title."""
    body = [deal_grid(f"{panel_id}-grid", rows, columns, lang), tables.download_buttons(table, lang)]
    if extra is not None:
        body.insert(0, extra)
    return html.Div(panel(title, html.Div(body)), id=panel_id, className="mb-3")
