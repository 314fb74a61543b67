"""/rad: placeholder until its own issue lands."""

from __future__ import annotations

import dash
from dash import html

from components.i18n import current_lang
from components.shell import placeholder

dash.register_page(__name__, path="/rad", order=1, nav_key="nav.rad", title="SalesRadar")


def layout(**_query: str) -> html.Div:
    return placeholder("nav.rad", current_lang())
