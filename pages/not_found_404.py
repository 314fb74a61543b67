"""The 404 page (Dash picks this module up by its name)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.i18n import current_lang, t
from components.shell import page_header
from web.loading import page_layout

dash.register_page(__name__, path="/404", title="404 · SalesRadar")


@page_layout(keep_page=False)
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    return html.Div(
        [
            page_header(t("404.title", lang), t("404.body", lang)),
            dbc.Button(t("404.back", lang), href="/", color="primary", id="not-found-back"),
        ],
        id="not-found",
    )
