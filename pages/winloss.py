"""/winloss: why deals are won and lost (赢输分析).

Win rate by count and by amount of the deals closed in the period, the loss-reason Pareto, win rate by a
chosen segment, the competitor head-to-head, where lost deals were lost, the trend by quarter and the
sales cycle (``metrics.winloss``). Every bar and row leads to the deals behind it, and that choice lives in
the URL: ``?reason=R`` (``none``: reason missing), ``?segment=S&value=V``, ``?lost_level=N``,
``?outcome=won|lost``. Filters: the shared bar (period, team, rep, product line, RAD class).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components import filters
from components import winloss_charts as charts
from components.charts import graph
from components.deal_grid import deal_panel
from components.formatting import cny, count, pct, period_label
from components.i18n import current_lang, t
from components.kpi import kpi_tile
from components.shell import empty_state, filtered_page, page_header, panel
from metrics import params, winloss
from metrics.frames import records
from metrics.period import Period
from metrics.sales import Outcomes, win_rate
from metrics.views import filters as url_filters
from metrics.views import winloss as view
from web.loading import load_view, page_layout

dash.register_page(__name__, path="/winloss", order=4, nav_key="nav.winloss", title="SalesRadar")

KPI_ROW_ID = "wl-kpis"
MISSING_ID = "wl-missing"
PARETO_CHART_ID = "wl-pareto-chart"
REASONS_ID = "wl-reasons"
SEGMENT_ID = "wl-segment"
SEGMENT_CHART_ID = "wl-segment-chart"
SEGMENT_TABLE_ID = "wl-segment-table"
COMPETITORS_ID = "wl-competitors"
LEVELS_CHART_ID = "wl-levels-chart"
TREND_CHART_ID = "wl-trend-chart"
CYCLE_CHART_ID = "wl-cycle-chart"
DEALS_ID = "wl-deals"
#: A segment with more keys than this (reps of a big company) shows those with the most deals.
SEGMENT_ROWS = 25
#: The deal list behind a click: (field, header key; None for no header).
DEAL_COLUMNS = (
    ("opp_code", "col.opp"),
    ("name", "col.deal_name"),
    ("account", "col.account"),
    ("owner", "col.owner"),
    ("status", "wl.col.status"),
    ("amount", "col.amount"),
    ("level", "col.level"),
    ("closed_date", "wl.col.closed"),
    ("cycle_days", "wl.col.cycle"),
    ("reason", "wl.col.reason"),
    ("competitor", "wl.col.competitor"),
)


class _Links:
    """Links to the deals behind a bar or row: this page's address with another drill (``query`` is the
    current one, ``chosen`` its drill, shown in bold). A plain class: Dash loads pages outside sys.modules,
    where a dataclass cannot be defined."""

    def __init__(self, query: dict[str, str], chosen: winloss.Drill | None) -> None:
        self.query, self.chosen = query, chosen

    def href(self, drill: winloss.Drill | None) -> str:
        wanted = drill.applied_to(self.query) if drill else winloss.without_drill(self.query)
        return "/winloss?" + urlencode(wanted)

    def to(self, text: str, drill: winloss.Drill, link_id: str) -> dcc.Link:
        return dcc.Link(text, href=self.href(drill), id=link_id, className="fw-bold" if drill == self.chosen else None)


def _reason_label(reason: str, lang: str) -> str:
    return t("wl.reason_missing", lang) if reason == winloss.MISSING else reason


def _segment_label(segment: str, key: str, label: str, lang: str) -> str:
    """How a segment's key reads: RAD classes and size bands by name, a missing value as what is missing."""
    if segment == "rad_class":
        return t(f"rad.class.{key}", lang) if key in url_filters.RAD_CHOICES else key
    if segment == "size_band":
        return t(f"wl.band.{key}", lang)
    return t(f"wl.none.{segment}", lang) if key == winloss.MISSING else label


def _small(flag: Any, lang: str) -> Any:
    return dbc.Badge(t("wl.small", lang), color="warning", className="ms-1") if flag else None


def _rate(value: Any, lang: str) -> str:
    return pct(None if pd.isna(value) else float(value), lang)


def _table(header_keys: list[str], rows: list[list[Any]], table_id: str, lang: str) -> dbc.Table:
    """A small table: the first column text (a link), the others numbers, right-aligned."""
    head = html.Thead(
        html.Tr([html.Th(t(k, lang), className="text-end" if i else None) for i, k in enumerate(header_keys)])
    )
    body = html.Tbody(
        [html.Tr([html.Td(c, className="text-end" if i else None) for i, c in enumerate(r)]) for r in rows]
    )
    return dbc.Table([head, body], size="sm", striped=True, className="mb-0", id=table_id)


def _tiles(o: Outcomes, links: _Links, lang: str) -> dbc.Row:
    """Win rate by count and by amount, then what was won and lost, each with a link to its deals."""
    tiles = [
        kpi_tile(
            "wl-win-rate",
            t("wl.kpi.win_rate", lang),
            pct(win_rate(o.won_count, o.lost_count), lang),
            t("wl.kpi.closed", lang, won=count(o.won_count, lang), lost=count(o.lost_count, lang)),
        ),
        kpi_tile(
            "wl-win-rate-amount",
            t("wl.kpi.win_rate_amount", lang),
            pct(win_rate(o.won_amount, o.lost_amount), lang),
            t("wl.kpi.closed", lang, won=cny(o.won_amount, lang), lost=cny(o.lost_amount, lang)),
        ),
    ]
    for outcome, amount, n in (("won", o.won_amount, o.won_count), ("lost", o.lost_amount, o.lost_count)):
        link = links.to(
            t(f"wl.kpi.{outcome}_deals", lang, n=count(n, lang)),
            winloss.Drill("outcome", outcome),
            f"wl-{outcome}-link",
        )
        tiles.append(
            kpi_tile(
                f"wl-{outcome}",
                t(f"wl.kpi.{outcome}", lang),
                cny(amount, lang),
                title=cny(amount, lang, compact=False),
                extra=html.Div(link, className="kpi-sub"),
            )
        )
    return dbc.Row(tiles, id=KPI_ROW_ID, className="g-3")


def _missing_prompt(reasons: pd.DataFrame, links: _Links, lang: str) -> Any:
    """The data-quality prompt: lost deals without a reason, counted and one click from their list."""
    gap = reasons[reasons["missing"]]
    if gap.empty:
        return None
    n, amount = int(gap["count"].iloc[0]), float(gap["amount"].iloc[0])
    return dbc.Alert(
        [
            t("wl.missing", lang, n=count(n, lang), amount=cny(amount, lang)),
            " ",
            links.to(t("wl.missing_link", lang), winloss.Drill("reason", winloss.MISSING), "wl-missing-link"),
        ],
        color="warning",
        className="py-2",
        id=MISSING_ID,
    )


def _reasons_row(reasons: pd.DataFrame, links: _Links, lang: str) -> dbc.Row:
    """The Pareto, and each reason as a link to its deals (the keyboard's way to what a click on a bar does)."""
    if reasons.empty:
        figure = charts.empty_figure(t("wl.no_lost", lang))
        table: Any = html.Div(empty_state(t("wl.no_lost", lang)), id=REASONS_ID)
    else:
        labels = {r: _reason_label(r, lang) for r in reasons["reason"]}
        names = {"count": t("wl.pareto.count", lang), "cumulative": t("wl.pareto.cumulative", lang)}
        figure = charts.pareto(reasons, labels, names, lang)
        rows = [
            [
                links.to(labels[r["reason"]], winloss.Drill("reason", r["reason"]), f"wl-reason-link-{i}"),
                f"{int(r['count']):,}",
                cny(float(r["amount"]), lang),
                pct(float(r["share"]), lang),
                pct(float(r["cumulative"]), lang),
                pct(float(r["amount_share"]), lang),
            ]
            for i, r in enumerate(records(reasons))
        ]
        keys = [
            "wl.col.reason",
            "wl.col.deals",
            "col.amount",
            "wl.col.share",
            "wl.col.cumulative",
            "wl.col.amount_share",
        ]
        table = _table(keys, rows, REASONS_ID, lang)
    return dbc.Row(
        [
            dbc.Col(panel(t("wl.pareto", lang), graph(PARETO_CHART_ID, figure)), lg=7, className="mb-3"),
            dbc.Col(panel(t("wl.reasons", lang), table), lg=5, className="mb-3"),
        ],
        className="g-3",
    )


def _segment_panel(segment: str, rates: pd.DataFrame, labels: dict[str, str], links: _Links, lang: str) -> html.Div:
    """The segment picker, win rate per key as bars, and the same as a table of links, deals beside each rate."""
    shown = rates.head(SEGMENT_ROWS)
    names = {"count": t("wl.rate.count", lang), "amount": t("wl.rate.amount", lang), "small": t("wl.small", lang)}
    rows = [
        [
            html.Span(
                [
                    links.to(labels[r["key"]], winloss.Drill(segment, r["key"]), f"wl-segment-link-{i}"),
                    _small(r["small"], lang),
                ]
            ),
            f"{int(r['n']):,}",
            f"{int(r['won']):,}",
            f"{int(r['lost']):,}",
            _rate(r["win_rate"], lang),
            _rate(r["win_rate_amount"], lang),
        ]
        for i, r in enumerate(records(shown))
    ]
    keys = [
        f"wl.segment.{segment}",
        "wl.col.deals",
        "wl.col.won",
        "wl.col.lost",
        "wl.col.win_rate",
        "wl.col.win_rate_amount",
    ]
    notes = [t("wl.small_note", lang, n=winloss.MIN_SAMPLE)]
    if len(rates) > SEGMENT_ROWS:
        notes.append(t("wl.top_note", lang, shown=SEGMENT_ROWS, n=f"{len(rates):,}"))
    picker = html.Div(
        [
            dbc.Label(t("wl.segment_pick", lang), html_for=SEGMENT_ID, className="small me-2"),
            dbc.RadioItems(
                id=SEGMENT_ID,
                options=[{"label": t(f"wl.segment.{s}", lang), "value": s} for s in winloss.SEGMENTS],
                value=segment,
                inline=True,
                className="small d-inline-block",
            ),
        ],
        className="mb-2",
    )
    body = dbc.Row(
        [
            dbc.Col([picker, graph(SEGMENT_CHART_ID, charts.segment_rates(shown, labels, names, lang))], lg=7),
            dbc.Col(
                [
                    _table(keys, rows, SEGMENT_TABLE_ID, lang),
                    html.Div(" ".join(notes), className="small text-muted mt-1"),
                ],
                lg=5,
            ),
        ]
    )
    return html.Div(
        panel(t("wl.segment_chart", lang, segment=t(f"wl.segment.{segment}", lang)), body), className="mb-3"
    )


def _competitors(h2h: pd.DataFrame, links: _Links, lang: str) -> Any:
    """Head-to-head per competitor; each name links to the deals met against it."""
    if h2h.empty:
        return html.Div(empty_state(t("wl.no_competitors", lang)), id=COMPETITORS_ID)
    rows = [
        [
            html.Span(
                [
                    links.to(c["competitor"], winloss.Drill("competitor", c["competitor"]), f"wl-competitor-link-{i}"),
                    _small(c["small"], lang),
                ]
            ),
            f"{int(c['met']):,}",
            f"{int(c['won']):,}",
            f"{int(c['lost']):,}",
            cny(float(c["amount"]), lang),
            _rate(c["win_rate"], lang),
            _rate(c["win_rate_amount"], lang),
        ]
        for i, c in enumerate(records(h2h))
    ]
    keys = [
        "wl.col.competitor",
        "wl.col.met",
        "wl.col.won",
        "wl.col.lost",
        "col.amount",
        "wl.col.win_rate",
        "wl.col.win_rate_amount",
    ]
    return _table(keys, rows, COMPETITORS_ID, lang)


def _levels(levels: pd.DataFrame, links: _Links, lang: str) -> html.Div:
    """Lost deals by their level at close, and each level as a link to its deals."""
    names = {lv: t(f"level.{lv}", lang) for lv in range(1, 7)}
    items = [
        html.Span(
            links.to(
                f"{names.get(int(lv), str(lv))} ({int(n):,})",
                winloss.Drill("lost_level", str(lv)),
                f"wl-level-link-{lv}",
            ),
            className="me-3 small",
        )
        for lv, n in zip(levels["level"], levels["count"], strict=True)
    ]
    return html.Div(
        [graph(LEVELS_CHART_ID, charts.lost_levels(levels, names, lang)), html.Div(items, className="mt-1")]
    )


def _deals_panel(
    drill: winloss.Drill | None,
    drilled: tuple[pd.DataFrame, int] | None,
    labels: dict[str, str],
    links: _Links,
    lang: str,
) -> Any:
    """The deals behind the chosen bar or row: the largest of them (``queries.closed_deals`` of the drill) and
    how many there are (none chosen: an empty placeholder)."""
    if drill is None or drilled is None:
        return html.Div(id=DEALS_ID)
    if drill.dimension == "reason":
        what = (
            t("wl.drill.no_reason", lang)
            if drill.value == winloss.MISSING
            else t("wl.drill.reason", lang, reason=drill.value)
        )
    elif drill.dimension == "lost_level":
        what = t("wl.drill.lost_level", lang, level=t(f"level.{drill.value}", lang))
    elif drill.dimension == "outcome":
        what = t(f"wl.drill.{drill.value}", lang)
    else:
        segment = t(f"wl.segment.{drill.dimension}", lang)
        what = t("wl.drill.segment", lang, segment=segment, value=labels.get(drill.value, drill.value))
    deals, total = drilled
    rows = records(winloss.deals_behind(deals, drill))
    for r in rows:
        r["status"] = t(f"wl.outcome.{r['status']}", lang)
        if winloss.key(r["reason"]) == winloss.MISSING:
            r["reason"] = t("wl.reason_missing", lang)
    close = dcc.Link(t("wl.close", lang), href=links.href(None), id="wl-deals-close", className="small")
    title = t("wl.deals", lang, what=what, n=f"{total:,}")
    extra: Any = close
    if total > len(rows):
        note = html.Span(t("wl.deals_capped", lang, shown=f"{len(rows):,}", n=f"{total:,}"), className="small me-2")
        extra = html.Div([note, close], id="wl-deals-capped")
    return deal_panel(DEALS_ID, title, rows, DEAL_COLUMNS, "winloss_deals", lang, extra=extra)


def _trend_and_cycle(trend: pd.DataFrame, quarters: list[Period], shape: pd.DataFrame, lang: str) -> dbc.Row:
    rates = {"count": t("wl.rate.count", lang), "amount": t("wl.rate.amount", lang), "small": t("wl.small", lang)}
    outcomes = {o: t(f"wl.outcome.{o}", lang) for o in winloss.OUTCOMES}
    days = {"median": t("wl.cycle.median", lang), "mean": t("wl.cycle.mean", lang), "days": t("wl.cycle.days", lang)}
    trend_title = t("wl.trend", lang, first=quarters[0].key, last=quarters[-1].key)
    return dbc.Row(
        [
            dbc.Col(
                panel(trend_title, graph(TREND_CHART_ID, charts.trend(trend, rates, lang))), lg=7, className="mb-3"
            ),
            dbc.Col(
                panel(
                    t("wl.cycle", lang),
                    graph(CYCLE_CHART_ID, charts.cycle(winloss.cycle_lengths(shape), outcomes, days)),
                ),
                lg=5,
                className="mb-3",
            ),
        ],
        className="g-3",
    )


@page_layout()
def layout(**query: str) -> html.Div:
    return render(load_view(view.load, query), query, current_lang())


def render(data: view.WinLossData, query: dict[str, str], lang: str) -> html.Div:
    chosen, choices, now, period = data.filters, data.choices, data.today, data.filters.period
    segment, drill, shape, reasons, h2h = data.segment, data.drill, data.shape, data.reasons, data.head_to_head
    has_data, drilled, quarters, trend = data.has_data, data.drilled, data.quarters, data.trend
    label = period_label(period.year, period.quarter, lang)
    header = page_header(t("wl.title", lang), t("wl.subtitle", lang, period=label))
    bar = filters.filter_bar(chosen, now, choices, lang)
    if shape.empty:
        return filtered_page(header, bar, has_data, lang, [empty_state(t("wl.empty", lang, period=label))])
    rates = data.segment_rates()
    labels = {k: _segment_label(segment, k, lb, lang) for k, lb in zip(rates["key"], rates["label"], strict=True)}
    links = _Links(query, drill)
    return filtered_page(
        header,
        bar,
        has_data,
        lang,
        [
            _tiles(winloss.outcomes(shape), links, lang),
            _missing_prompt(reasons, links, lang),
            _deals_panel(drill, drilled, labels, links, lang),
            _reasons_row(reasons, links, lang),
            _segment_panel(segment, rates, labels, links, lang),
            dbc.Row(
                [
                    dbc.Col(panel(t("wl.competitors", lang), _competitors(h2h, links, lang)), lg=7, className="mb-3"),
                    dbc.Col(
                        panel(t("wl.levels", lang), _levels(winloss.lost_by_level(shape), links, lang)),
                        lg=5,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            _trend_and_cycle(trend, quarters, shape, lang),
        ],
    )


def _clicked(click: dict[str, Any] | None) -> Any:
    return params.first_customdata(click)


@callback(
    Output("url", "search", allow_duplicate=True),
    Input(SEGMENT_ID, "value"),
    Input(PARETO_CHART_ID, "clickData"),
    Input(SEGMENT_CHART_ID, "clickData"),
    Input(LEVELS_CHART_ID, "clickData"),
    Input(CYCLE_CHART_ID, "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def choose_segment_or_deals(
    segment: str | None,
    reason_click: dict[str, Any] | None,
    segment_click: dict[str, Any] | None,
    level_click: dict[str, Any] | None,
    cycle_click: dict[str, Any] | None,
    search: str | None,
) -> str:
    """The segment picker and a click on any bar go to the URL (bookmarkable); unknown values are ignored.

    Dash also calls this when the page is drawn; showing what the address already says, it does nothing."""
    query = url_filters.query_of(search)
    wanted = dict(query)
    if segment in winloss.SEGMENTS and segment != winloss.chosen_segment(query)[0]:
        wanted = {k: v for k, v in wanted.items() if k != "value"}  # a value of the former segment
        wanted["segment"] = str(segment)
    shown = winloss.chosen_segment(wanted)[0]
    for click, dimension in (
        (reason_click, "reason"),
        (segment_click, shown),
        (level_click, "lost_level"),
        (cycle_click, "outcome"),
    ):
        drill = winloss.Drill.make(dimension, _clicked(click))
        if drill is not None:
            wanted = drill.applied_to(wanted)
    if wanted == query:
        raise PreventUpdate
    return "?" + urlencode(wanted)
