"""The navbar's toggler on a narrow screen: opens and closes the collapsed links, in the browser only (a
clientside callback: nothing is posted to the server)."""

from __future__ import annotations

import dash
from dash import Input, Output, State

from components.shell import NAV_COLLAPSE_ID, NAV_TOGGLER_ID


def register() -> None:
    """Register the toggler's callback for the app being built (``app.create_app`` calls it once per app)."""
    dash.clientside_callback(
        "function (clicks, open) { return clicks ? !open : open; }",
        Output(NAV_COLLAPSE_ID, "is_open"),
        Input(NAV_TOGGLER_ID, "n_clicks"),
        State(NAV_COLLAPSE_ID, "is_open"),
        prevent_initial_call=True,
    )
