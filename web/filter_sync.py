"""The filter bar's callbacks, for every page that shows it: filters live in the URL; a long list of teams
or reps is searched on the server as one types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from components import filters
from data_access.runtime import today
from metrics.views import filters as url_filters
from web.loading import load_view


def sync_filters_to_url(
    year: int | None,
    quarter: str | None,
    team: int | None,
    rep: str | None,
    product: str | None,
    rad: str | None,
    search: str | None,
) -> str:
    """Changing a filter navigates to the bookmarkable address of the new view.

    Dash also calls this when the controls are first drawn; when they show the view the address already
    shows, nothing happens (answering would render the page a second time). A page's own parameters stay.
    """
    keep = url_filters.query_of(search)
    wanted = url_filters.filters_from_controls(year, quarter, team, keep, rep=rep, product=product, rad=rad)
    shown = url_filters.filters_from_controls(year, quarter, team, rep=rep, product=product, rad=rad)
    if shown == url_filters.canonical_query(search, today(), load_view(url_filters.years_of, {})):
        raise PreventUpdate
    return wanted


def searching(picker_id: str, options_of: Callable[[url_filters.Choices], list[filters.Option]]) -> None:
    """Register the callback that answers what is typed into a picker (team, rep): the options whose label
    holds it, among those the viewer may pick (reps: in the chosen team), when there are too many to send
    with the page (``filters.INLINE_CHOICES``); otherwise nothing changes."""

    @dash.callback(
        Output(picker_id, "options"),
        Input(picker_id, "search_value"),
        State(picker_id, "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def find(typed: Any, chosen: Any, search: Any) -> list[filters.Option]:
        if not isinstance(typed, str) or not typed.strip():
            raise PreventUpdate
        options = options_of(load_view(url_filters.choices_of, url_filters.query_of(search)))
        if len(options) <= filters.INLINE_CHOICES:
            raise PreventUpdate
        return filters.searched(options, chosen if isinstance(chosen, str | int) else None, typed[:100])


def register() -> None:
    """Register the filter bar's callbacks for the app being built (``app.create_app`` calls it once per app)."""
    dash.callback(
        Output("url", "search"),
        Input(filters.YEAR_ID, "value"),
        Input(filters.QUARTER_ID, "value"),
        Input(filters.TEAM_ID, "value"),
        Input(filters.REP_ID, "value"),
        Input(filters.PRODUCT_ID, "value"),
        Input(filters.CLASS_ID, "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )(sync_filters_to_url)
    searching(filters.TEAM_ID, filters.team_options)
    searching(filters.REP_ID, filters.rep_options)
