"""Not a page (Dash skips files starting with "_"): the forecast's panels and their callbacks, shared by /funnel
and a rep's scorecard. The panels are drawn empty with the address's filters in a store; the callbacks fill them,
so neither the simulation nor the eight quarters' replay holds up the page's first draw."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from components import forecast as drawn
from components.formatting import period_label
from components.i18n import current_lang, t
from components.shell import panel
from metrics.views import forecast as view
from metrics.views.filters import Filters
from web.loading import load_view

CLASSES_BODY = "forecast-classes-body"
#: the address's parameters the forecast reads (the filter bar's); anything else a client posts is dropped
ASKED = ("period", "team", "rep", "product", "rad")


def _loading(body: html.Div) -> dcc.Loading:
    return dcc.Loading(body, type="dot", delay_show=150)


def panels(filters: Filters, lang: str, *, rep: str | None = None, with_classes: bool = True) -> html.Div:
    """The forecast panel (and the V value by class, and the track record) of ``filters``' view, to be filled."""
    asked = {
        "period": filters.period.key,
        "team": filters.team_id,
        "rep": rep or filters.rep_code,
        "product": filters.product_line,
        "rad": filters.rad_class,
    }
    period = period_label(filters.period.year, filters.period.quarter, lang)
    title = t("forecast.title", lang, period=period)
    parts: list[Any] = [
        dcc.Store(id=drawn.FORECAST_ASK, data={k: str(v) for k, v in asked.items() if v is not None}),
        html.Div(panel(title, _loading(html.Div(id=drawn.FORECAST_BODY)), panel_id="forecast-panel"), className="mb-3"),
    ]
    if with_classes:
        body = _loading(html.Div(id=CLASSES_BODY))
        parts.append(html.Div(panel(t("forecast.classes", lang), body), className="mb-3"))
    track = _loading(html.Div(t("forecast.track_wait", lang), id=drawn.TRACK_BODY))
    parts.append(html.Div(panel(t("forecast.track", lang), track), className="mb-3"))
    return html.Div(parts)


def _query(ask: Any) -> dict[str, str]:
    if not isinstance(ask, dict):
        raise PreventUpdate
    return {k: v for k, v in ask.items() if k in ASKED and isinstance(v, str)}


def fill_forecast(ask: Any) -> Any:
    """The forecast of the view's filters, in the viewer's scope (the loader narrows, whatever is posted)."""
    return drawn.forecast_body(load_view(view.load_forecast, _query(ask)), current_lang())


def fill_classes(ask: Any) -> Any:
    data = load_view(view.load_class_v, _query(ask))
    return drawn.class_table(data.classes, data.period.year, current_lang())


def fill_track(ask: Any) -> Any:
    return drawn.track_record(load_view(view.load_track_record, _query(ask)), current_lang())


def register() -> None:
    """Register the panels' callbacks for the app being built (``app.create_app`` calls it once per app: the two
    pages that show the panels share them, so neither page registers them)."""
    dash.callback(Output(drawn.FORECAST_BODY, "children"), Input(drawn.FORECAST_ASK, "data"))(fill_forecast)
    dash.callback(Output(CLASSES_BODY, "children"), Input(drawn.FORECAST_ASK, "data"))(fill_classes)
    dash.callback(Output(drawn.TRACK_BODY, "children"), Input(drawn.FORECAST_ASK, "data"))(fill_track)
