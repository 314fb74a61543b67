"""/funnel: placeholder until its own issue lands."""

from __future__ import annotations

import dash
from dash import html

from components.i18n import current_lang
from components.shell import placeholder

dash.register_page(__name__, path="/funnel", order=2, nav_key="nav.funnel", title="SalesRadar")


def layout(**_query: str) -> html.Div:
    return placeholder("nav.funnel", current_lang())
