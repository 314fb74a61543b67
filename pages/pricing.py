"""/pricing: price calculation (价格核算) — a calculator a rep uses while quoting (products and quantities from
the price list: list price, discount, cost, GM% and the lines below their margin floor that need approval; read
only, nothing stored), and the year's discounts per rep and team. A deal's quote versions are on its page."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from components import support as drawn
from components.i18n import current_lang, t
from components.shell import empty_state, page_header, panel
from metrics.views import support as view
from web.loading import current_day, load_view, page_layout, read_view

dash.register_page(__name__, path="/pricing", order=4.7, nav_key="nav.pricing", title="SalesRadar")


@page_layout()
def layout(**query: str) -> html.Div:
    return render(load_view(view.load_pricing, query), current_lang())


def render(data: view.PricingData, lang: str) -> html.Div:
    discounts: list[Any]
    if data.reps:
        discounts = [
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("pricing.distribution", lang, year=data.year),
                            drawn.discount_distribution(data.reps, lang),
                        ),
                        lg=5,
                    ),
                    dbc.Col(
                        panel(
                            t("pricing.by_team", lang), drawn.discount_table(data.teams, t("support.team", lang), lang)
                        ),
                        lg=7,
                    ),
                ],
                className="g-3 mb-3",
            ),
            panel(
                t("pricing.by_rep", lang),
                drawn.discount_table(data.reps, t("pricing.rep", lang), lang, with_team=True),
            ),
        ]
    else:
        discounts = [empty_state(t("pricing.no_discounts", lang, year=data.year))]
    return html.Div(
        [
            page_header(t("pricing.title", lang), t("pricing.subtitle", lang, year=data.year)),
            *[dbc.Alert(str(p), color="warning", className="py-2") for p in data.problems],
            html.Div(
                panel(t("pricing.calculator", lang), drawn.calculator(data.products, data.floor_default, lang)),
                className="mb-3",
            ),
            drawn.year_links("/pricing", data.year, data.years, current_day(), lang, team=data.team_id),
            drawn.team_links("/pricing", data.choices, data.team_id, lang),
            *discounts,
        ]
    )


@dash.callback(
    Output(drawn.CALC_RESULT, "children"),
    Input({"type": drawn.CALC_PRODUCT, "index": ALL}, "value"),
    Input({"type": drawn.CALC_QTY, "index": ALL}, "value"),
    Input({"type": drawn.CALC_PRICE, "index": ALL}, "value"),
)
def calculate(products: Any, quantities: Any, prices: Any) -> Any:
    """The calculator's answer from the stored price list; whatever the client posts is only codes and numbers."""
    if not all(isinstance(v, list) for v in (products, quantities, prices)):
        raise PreventUpdate
    picked = list(zip(products, quantities + [None] * len(products), prices + [None] * len(products), strict=False))
    quote, problems = read_view(lambda session, viewer: view.load_calculation(session, viewer, picked))
    return drawn.quote_result(quote, problems, current_lang())


@dash.callback(
    Output(drawn.CALC_LINES, "children"),
    Input(drawn.CALC_ADD, "n_clicks"),
    State(drawn.CALC_LINES, "children"),
    prevent_initial_call=True,
)
def add_line(clicks: Any, lines: Any) -> Any:
    """One more line (at most the calculator's limit)."""
    if not isinstance(lines, list) or len(lines) >= view.CALC_LINES:
        return no_update
    products = load_view(view.load_products, {})
    return [*lines, drawn.calc_line(len(lines), drawn.product_options(products, current_lang()), current_lang())]
