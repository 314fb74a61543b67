"""Download buttons for tables: every table a page shows can be had as CSV or Excel.

The buttons carry only the table's name; the server recomputes the rows in the viewer's scope
(``web.tables``), so a download never holds more than the page showed.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.i18n import t

BUTTON_TYPE = "table-download"
TARGET_ID = "table-download-target"
#: A store in the shell holding the account or deal codes a person selected on a chart (a download of a
#: selection re-reads those codes in the viewer's scope; they are never trusted as rows).
SELECTION_ID = "table-selection"


def download_buttons(table: str, lang: str) -> html.Div:
    return html.Div(
        [
            dbc.Button(
                t("table.csv", lang),
                id={"type": BUTTON_TYPE, "table": table, "fmt": "csv"},
                size="sm",
                color="link",
                className="p-0 me-3",
            ),
            dbc.Button(
                t("table.xlsx", lang),
                id={"type": BUTTON_TYPE, "table": table, "fmt": "xlsx"},
                size="sm",
                color="link",
                className="p-0",
            ),
        ],
        className="table-downloads mt-2 small",
    )
