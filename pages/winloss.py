"""/winloss: placeholder until its own issue lands."""

from __future__ import annotations

import dash
from dash import html

from components.i18n import current_lang
from components.shell import placeholder

dash.register_page(__name__, path="/winloss", order=4, nav_key="nav.winloss", title="SalesRadar")


def layout(**_query: str) -> html.Div:
    return placeholder("nav.winloss", current_lang())
