"""A list of deals as an AG Grid: sortable, filterable, pageable, downloadable, each deal linking to its page.

The funnel lists a level's deals with it, the win/loss page the deals behind a bar or a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from components import tables
from components.grid import Kind, data_grid
from components.i18n import t
from components.shell import panel

#: Columns shown as money (right-aligned, grouped digits, numeric sort).
MONEY_COLUMNS = ("amount",)

Columns = Sequence[tuple[str, str | None]]


def _kind(field: str) -> Kind:
    if field == "opp_code":
        return "opp"
    return "money" if field in MONEY_COLUMNS else "date" if field.endswith("_date") else "text"


def deal_grid(grid_id: str, rows: Sequence[dict[str, Any]], columns: Columns, lang: str) -> Any:
    """``columns`` are (field, i18n key of the header; None for no header); ``opp_code`` becomes a link to
    ``/opportunities/<opp_code>``, dates become ISO text (``components.grid`` draws it)."""
    columns_of = [(field, t(key, lang) if key else "", _kind(field)) for field, key in columns]
    return data_grid(grid_id, rows, columns_of, lang=lang)


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
    # drawn when a level, a bar or a row was clicked: brought into view (assets/scroll_into_view.js)
    return html.Div(panel(title, html.Div(body)), id=panel_id, className="mb-3 scroll-here")
