"""/rad: the RAD matrix directors explore (客户RAD分析): SOW against BP per account, the classes and their
white space, accounts that moved class, TOP accounts, and a drill-down to every account.

Filters: year, team, rep, RAD class (the shared bar) and region, industry (this page's); thresholds and
the URL's reading and every figure come from the loaders of ``metrics.views.rad``.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import charts, filters, rad_scatter, tables
from components.formatting import count, known, pct
from components.i18n import current_lang, t
from components.rad import account_card, accounts_grid, moved_list, moves_table, summary_table, top_table
from components.shell import empty_state, filtered_page, page_header, panel
from components.tables import SELECTION_ID as TABLE_SELECTION_ID
from metrics import params, rad_points
from metrics.frames import records
from metrics.rad import move_of, threshold_problem
from metrics.views import rad as view
from metrics.views.filters import query_of
from metrics.views.rad import RadContext
from web.loading import load_view, page_layout, write_view

dash.register_page(__name__, path="/rad", order=1, nav_key="nav.rad", title="SalesRadar")

SCATTER_ID = "rad-scatter"
PANEL_ID = "rad-account-panel"
SELECTION_ID = "rad-selection"
REGION_ID = "rad-region"
INDUSTRY_ID = "rad-industry"
R_INPUT_ID = "rad-r-min"
A_INPUT_ID = "rad-a-max"
SAVE_ID = "rad-save"
SAVE_MESSAGE_ID = "rad-save-message"
COUNT_ID = "rad-count"
SHOWN = ("year", "team", "rep", "rad")
#: The most accounts a selection lists (a lasso over 50,000 markers must not send them all back).
MAX_SELECTION = 5000


def _extra_controls(ctx: RadContext, lang: str) -> tuple[dbc.Col, ...]:
    return (
        filters.control(
            REGION_ID,
            t("rad.region", lang),
            [{"label": known(r, lang), "value": r} for r in ctx.regions],
            ctx.region,
            placeholder=t("rad.all_regions", lang),
        ),
        filters.control(
            INDUSTRY_ID,
            t("rad.industry", lang),
            [{"label": known(i, lang), "value": i} for i in ctx.industries],
            ctx.industry,
            placeholder=t("rad.all_industries", lang),
        ),
    )


def _percent_input(input_id: str, label: str, share: float, low: int, high: int) -> dbc.Col:
    """A threshold as a percentage to type (sent to the URL when the person stops typing)."""
    return dbc.Col(
        [
            dbc.Label(label, html_for=input_id, className="small mb-0"),
            dbc.Input(
                id=input_id,
                type="number",
                min=low,
                max=high,
                step=1,
                value=round(share * 100, 2),
                debounce=True,
                size="sm",
            ),
        ],
        xs=6,
        md=4,
    )


def _thresholds(ctx: RadContext, lang: str, is_director: bool) -> html.Div:
    text = t("rad.thresholds_text", lang, r=pct(ctx.r_min, lang, 0), a=pct(ctx.a_max, lang, 0))
    note = (
        dbc.Alert(t("rad.preview", lang, r=pct(ctx.r_min, lang, 0), a=pct(ctx.a_max, lang, 0)), color="info")
        if ctx.preview
        else None
    )
    inputs = dbc.Row(
        [
            _percent_input(R_INPUT_ID, t("rad.r_min", lang), ctx.r_min, 1, 100),
            _percent_input(A_INPUT_ID, t("rad.a_max", lang), ctx.a_max, 0, 99),
            dbc.Col(
                dbc.Button(t("rad.save", lang), id=SAVE_ID, size="sm", color="primary", className="mt-3")
                if is_director
                else html.Div(t("rad.only_director", lang), className="small text-muted mt-3"),
                xs=12,
                md=4,
            ),
        ],
        className="g-2 align-items-end",
    )
    return html.Div(
        [
            html.Div(t("rad.thresholds", lang), className="panel-title mt-3 mb-1"),
            html.Div(text, className="small mb-2", id="rad-thresholds-text"),
            note,
            inputs,
            html.Div(id=SAVE_MESSAGE_ID, className="small mt-1"),
        ]
    )


def _chart_body(shown: pd.DataFrame, points: pd.DataFrame, ctx: RadContext, query: dict[str, str], lang: str) -> Any:
    if shown.empty:
        return empty_state(t("common.no_data", lang))
    if ctx.chosen.rad_class == "none":
        return html.Div(
            [
                html.Div(t("rad.unknown_list", lang, n=count(len(shown), lang)), className="small mb-2"),
                accounts_grid(f"{SELECTION_ID}-unknown", records(shown), lang),
                tables.download_buttons("rad_accounts", lang),
            ]
        )
    unknown = int(shown["sow"].isna().sum())
    plotted = len(shown) - unknown
    notes: list[Any] = [html.Span(t("rad.shown", lang, n=count(plotted, lang)), id=COUNT_ID)]
    if unknown:
        href = "/rad?" + urlencode({**query, "rad": "none"})
        notes += [
            " · ",
            t("rad.no_bp_note", lang, n=count(unknown, lang)),
            " ",
            dcc.Link(t("rad.list_them", lang), href=href),
        ]
    figure, drawn = _scatter(points, ctx, lang)
    if drawn < plotted:
        notes += [" · ", html.Span(t("rad.thinned", lang, n=count(drawn, lang)), id=f"{COUNT_ID}-thinned")]
    return html.Div([html.Div(notes, className="small text-muted mb-1"), charts.graph(SCATTER_ID, figure)])


def _listed(data: view.RadData, lang: str) -> Any:
    """What the selection panel shows first: the accounts of the class change the address names, else the
    prompt to select some."""
    if data.move is None or data.moved is None:
        return empty_state(t("rad.selection_empty", lang))
    return moved_list(data.move, records(data.moved), f"{SELECTION_ID}-moved", lang)


def _scatter(points: pd.DataFrame, ctx: RadContext, lang: str, window: rad_points.Window = (None, None)) -> Any:
    """The scatter of the ``placed`` points in ``window`` (thinned beyond ``THIN_FROM``), and how many markers
    it draws."""
    labels = {c: t(f"rad.class.{c}", lang) for c in ("R", "A", "D")}
    drawn = rad_points.thinned(points, window)
    biggest = float(points["open_pipeline"].max()) if not points.empty else 0.0
    return rad_scatter.rad_scatter(drawn, ctx.r_min, ctx.a_max, labels, lang, window, biggest), len(drawn)


@page_layout()
def layout(**query: str) -> html.Div:
    return render(load_view(view.load, query), query, current_lang())


def render(data: view.RadData, query: dict[str, str], lang: str) -> html.Div:
    ctx, shown, points, now = data.ctx, data.shown, data.points, data.today
    header = page_header(t("rad.title", lang), t("rad.subtitle", lang, year=ctx.year, n=count(len(shown), lang)))
    bar = filters.filter_bar(ctx.chosen, now, ctx.choices, lang, SHOWN, _extra_controls(ctx, lang))
    base = {k: v for k, v in query.items() if k != "rad"}
    return filtered_page(
        header,
        bar,
        data.has_data,
        lang,
        [
            dbc.Row(
                [
                    dbc.Col(
                        panel(t("rad.scatter", lang), _chart_body(shown, points, ctx, query, lang)),
                        lg=8,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("col.account", lang),
                            dcc.Loading(html.Div(empty_state(t("rad.panel_empty", lang)), id=PANEL_ID)),
                        ),
                        lg=4,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            html.Div(
                panel(t("rad.selection_title", lang), dcc.Loading(html.Div(_listed(data, lang), id=SELECTION_ID))),
                # a class change's list opened from its line: brought into view (assets/scroll_into_view.js)
                className="mb-3 scroll-here" if data.moved is not None else "mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("rad.summary", lang),
                            html.Div(
                                [summary_table(data.summary, base, lang), _thresholds(ctx, lang, data.is_director)]
                            ),
                        ),
                        lg=7,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("rad.moves", lang, prev=ctx.year - 1, year=ctx.year),
                            html.Div(
                                [
                                    moves_table(data.moves, {k: v for k, v in query.items() if k != "moved"}, lang),
                                    html.Div(t("rad.moves_note", lang), className="small text-muted mt-2"),
                                ]
                            ),
                        ),
                        lg=5,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel(t("rad.top", lang), top_table(data.top, "rad-top", lang)),
                        width=12,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(t("rad.top_d", lang), top_table(data.top_d, "rad-top-d", lang)),
                        width=12,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
        ],
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input(REGION_ID, "value"),
    Input(INDUSTRY_ID, "value"),
    Input(R_INPUT_ID, "value"),
    Input(A_INPUT_ID, "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def choose_region_industry_thresholds(
    region: str | None, industry: str | None, r: float | None, a: float | None, search: str | None
) -> str:
    """Region, industry and previewed thresholds go to the URL (bookmarkable); the page checks them."""
    query = query_of(search)
    wanted = {k: v for k, v in query.items() if k not in ("region", "industry", "r", "a")}
    for key, picked in (("region", region), ("industry", industry)):
        if picked:
            wanted[key] = str(picked)
    saved_r, saved_a = load_view(view.saved_thresholds, query)
    for key, number, saved in (("r", r, saved_r), ("a", a, saved_a)):
        if isinstance(number, int | float) and abs(float(number) / 100 - saved) > 1e-9:
            wanted[key] = f"{float(number):g}"
    if wanted == query:
        raise PreventUpdate
    return "?" + urlencode(wanted)


@callback(
    Output("url", "search", allow_duplicate=True),
    Output(SAVE_MESSAGE_ID, "children"),
    Input(SAVE_ID, "n_clicks"),
    State(R_INPUT_ID, "value"),
    State(A_INPUT_ID, "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def save_thresholds(clicks: int | None, r: float | None, a: float | None, search: str | None) -> tuple[Any, Any]:
    """A director saves the R/A thresholds as the default (checked here, whatever the page showed)."""
    if not clicks:
        raise PreventUpdate
    lang = current_lang()
    r_pct, a_pct = params.number(r, 0, 100), params.number(a, 0, 100)
    if r_pct is None or a_pct is None:
        return no_update, dbc.Alert(
            threshold_problem(float("nan"), float("nan")), color="danger", className="py-1 mb-0"
        )
    r_min, a_max = r_pct / 100, a_pct / 100
    problem = write_view(lambda session, viewer: view.save_thresholds(session, viewer, r_min, a_max))
    if problem == view.NOT_DIRECTOR:
        return no_update, dbc.Alert(t("rad.only_director", lang), color="danger", className="py-1 mb-0")
    if problem:
        return no_update, dbc.Alert(problem, color="danger", className="py-1 mb-0")
    query = {k: v for k, v in query_of(search).items() if k not in ("r", "a")}
    message = dbc.Alert(
        t("rad.saved", lang, r=pct(r_min, lang, 0), a=pct(a_max, lang, 0)), color="success", className="py-1 mb-0"
    )
    wanted = "?" + urlencode(query) if query else ""
    return (wanted if wanted != (search or "") else no_update), message


def _account_codes(points: Any) -> list[str]:
    """The account codes of plotly event points (strings only; everything else is ignored)."""
    return params.texts([p.get("customdata") for p in params.event_points(points)], MAX_SELECTION, 50)


@callback(
    Output(PANEL_ID, "children"),
    Input(SCATTER_ID, "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def show_account(click: dict[str, Any] | None, search: str | None) -> Any:
    """The clicked marker's account, re-read in the viewer's scope (a code outside it shows nothing)."""
    codes = _account_codes(click)[:1]
    if not codes:
        raise PreventUpdate
    lang = current_lang()
    picked = load_view(partial(view.picked_accounts, codes=codes), query_of(search))
    rows = records(picked)
    if not rows:
        return empty_state(t("rad.panel_empty", lang))
    return account_card(rows[0], lang)


@callback(
    Output(SCATTER_ID, "figure"),
    Input(SCATTER_ID, "relayoutData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def redraw_zoomed(relayout: dict[str, Any] | None, search: str | None) -> Any:
    """A zoom redraws the window with the markers thinned for it (more accounts show the closer one looks);
    a reset redraws the whole. Nothing happens where every account is drawn anyway."""
    window = rad_points.zoom_window(relayout)
    if window is None:
        raise PreventUpdate
    ctx, points = load_view(view.points_in_view, query_of(search))
    if len(points) <= rad_points.THIN_FROM:
        raise PreventUpdate
    return _scatter(points, ctx, current_lang(), window)[0]


@callback(
    Output(SELECTION_ID, "children"),
    Output(TABLE_SELECTION_ID, "data"),
    Input(SCATTER_ID, "selectedData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def show_selection(selected: dict[str, Any] | None, search: str | None) -> tuple[Any, list[str]]:
    """The box- or lasso-selected accounts in a grid (re-read in the viewer's scope; every account inside
    the lasso or box, drawn or thinned away), and their codes for the download buttons."""
    lang = current_lang()
    region = isinstance(selected, dict) and bool(selected.get("lassoPoints") or selected.get("range"))
    codes = [] if region else _account_codes(selected)
    if not region and not codes:
        if move_of(query_of(search).get("moved")) is not None:
            raise PreventUpdate  # the chart drawn with nothing selected: the class change's list stays
        return empty_state(t("rad.selection_empty", lang)), []
    if region:  # every account inside, drawn or thinned away, from the kept points
        _ctx, points = load_view(view.points_in_view, query_of(search))
        inside = rad_points.in_selection(points, selected)
        rows = records(inside.head(MAX_SELECTION)) if inside is not None else []
    else:
        rows = records(load_view(partial(view.picked_accounts, codes=codes), query_of(search)))
    if not rows:
        return empty_state(t("rad.selection_empty", lang)), []
    return (
        html.Div(
            [
                html.Div(
                    t("rad.selection", lang, n=count(len(rows), lang)),
                    className="small mb-1",
                    id=f"{SELECTION_ID}-count",
                ),
                accounts_grid(f"{SELECTION_ID}-grid", rows, lang),
                tables.download_buttons("rad_selection", lang),
            ]
        ),
        [r["account_code"] for r in rows],
    )
