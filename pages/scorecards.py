"""/scorecards: the leaderboard managers and directors compare reps on, each rep's scorecard (a rep lands
on their own), the commission what-if, and the printable task book (?view=taskbook)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from components import charts, filters
from components.formatting import cny, count, day, pct, period_label, times
from components.i18n import current_lang, t
from components.kpi import kpi_tile, overview_tiles, tile_id
from components.scorecard import coverage_table, leaderboard_grid, payout_table, rollup_table, visit_list
from components.shell import empty_state, filtered_page, opp_link, page_header, panel
from data_access import queries
from data_access.runtime import read_session, today, viewer_scope
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics import params
from metrics.commission import commission_payout
from metrics.frames import records
from metrics.overview import OverviewKPIs
from metrics.scorecard import coverage, cumulative_target, leaderboard, rolled_up, what_if
from metrics.settings import BusinessSettings
from metrics.views import filters as url_filters
from metrics.views.kpis import overview_kpis
from web.auth import current_viewer
from web.view_cache import page_layout

dash.register_page(__name__, path="/scorecards", order=3, nav_key="nav.scorecards", title="SalesRadar")

SHOWN = ("year", "quarter", "team", "rep")
WHATIF_PICK_ID = "sc-whatif-pick"
WHATIF_RESULT_ID = "sc-whatif-result"


def _board(session: Session, scope: Scope, chosen: url_filters.Filters, now: date, settings: BusinessSettings) -> Any:
    p = chosen.period
    rollup = queries.rep_rollup(session, scope, p.start, p.end, now, settings.level_probabilities)
    quotas = queries.quota_rows(session, scope, p.year)
    won = queries.won_deals(session, scope, p.start, p.end)
    return leaderboard(rollup, quotas, won, p, now), rolled_up(rollup, quotas, won, p, now)


def leaderboard_layout(query: dict[str, str], lang: str, now: date) -> html.Div:
    with read_session() as session:
        chosen, choices, scope = url_filters.resolve_filters(session, viewer_scope(), query, now)
        board, teams = _board(session, scope, chosen, now, load_settings(session))
        has_data = queries.has_any_data(session)
    header = page_header(
        t("sc.title", lang),
        t(
            "sc.board_subtitle",
            lang,
            period=period_label(chosen.period.year, chosen.period.quarter, lang),
            n=len(board),
        ),
    )
    bar = filters.filter_bar(chosen, now, choices, lang, SHOWN)
    body = (
        [
            html.Div(panel(t("sc.rollup", lang), rollup_table(teams, lang)), className="mb-3"),
            panel(t("sc.board", lang), leaderboard_grid(board, query, lang), panel_id="sc-board"),
        ]
        if not board.empty
        else [empty_state(t("sc.no_reps", lang))]
    )
    return filtered_page(header, bar, has_data, lang, body)


def _week(now: date) -> tuple[date, date]:
    monday = now - timedelta(days=now.weekday())
    return monday, monday + timedelta(days=6)


def _target_codes(book: Any, quarter: int | None) -> list[str]:
    """The task book's target accounts for the period: the quarter's row if it names some, else the year's."""
    rows = book[book["quarter"] == quarter] if quarter else book[book["quarter"].isna()]
    if rows.empty or not rows["target_account_codes"].notna().any():
        rows = book
    codes: list[str] = []
    for text in rows["target_account_codes"].dropna():
        codes += [c.strip() for c in str(text).split(",") if c.strip() and c.strip() not in codes]
    return codes


def _whatif_options(deals: list[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    return [
        {"label": f" {d['opp_code']} · {d['name']} · {cny(d['amount'], lang)} (L{d['level']})", "value": d["opp_code"]}
        for d in deals
    ]


def _class_visits(by_class: dict[str, dict[str, Any]], lang: str) -> list[Any]:
    """Done visits by the RAD class of the account (are D accounts visited as often as the playbook asks?)."""
    parts: list[Any] = [t("sc.visits_by_class", lang), " "]
    for c in ("R", "D", "A", "none"):
        n = by_class[c]["visits"] if c in by_class else 0
        parts.append(html.Span(f"{t(f'rad.class.{c}', lang)}: {n}", className="me-3"))
    return parts


def _tiles(line: dict[str, Any], k: OverviewKPIs, lang: str) -> dbc.Row:
    """The Overview's bookings, V and overdue tiles for this rep, with forecast, remaining quota and win rate."""
    shared = overview_tiles(k, lang)
    return dbc.Row(
        [
            shared[tile_id("bookings")],
            kpi_tile(
                "sc-forecast",
                t("sc.col.forecast", lang),
                pct(line["forecast_attainment"], lang),
                t("sc.forecast_sub", lang, amount=cny(line["forecast"], lang)),
            ),
            kpi_tile(
                "sc-remaining",
                t("sc.remaining", lang),
                cny(k.v.remaining, lang),
                t("sc.pace_sub", lang, pace=times(line["pace"], lang)),
            ),
            shared[tile_id("v-value")],
            kpi_tile(
                "sc-winrate",
                t("kpi.win_rate", lang),
                pct(line["win_rate"], lang),
                t(
                    "sc.deal_sub",
                    lang,
                    size=cny(line["avg_deal"], lang),
                    days="—" if line["cycle_days"] is None else f"{line['cycle_days']:.0f}",
                ),
            ),
            shared[tile_id("overdue")],
        ],
        className="g-3",
        id="sc-tiles",
    )


def scorecard_layout(query: dict[str, str], lang: str, now: date, rep: tuple[int, str, str]) -> html.Div:
    rep_id, rep_code, rep_name = rep
    with read_session() as session:
        chosen, choices, scope = url_filters.resolve_filters(session, viewer_scope(), {**query, "rep": rep_code}, now)
        rep_scope = scope.narrow(rep_id=rep_id)
        settings = load_settings(session)
        p = chosen.period
        k = overview_kpis(session, rep_scope, p, now)
        board, _teams = _board(session, rep_scope, chosen, now, settings)
        pipe = queries.open_pipeline_by_level(session, rep_scope)
        months = cumulative_target(queries.monthly_bookings(session, rep_scope, p.start, p.end), k.revenue_target, p)
        book = queries.task_book(session, rep_id, p.year)
        codes = _target_codes(book, p.quarter) if not book.empty else []
        covered = queries.account_coverage(session, rep_scope, codes, p.start, p.end, now)
        week_start, week_end = _week(now)
        week = queries.week_visits(session, rep_scope, week_start, week_end)
        by_class = queries.visits_by_class(
            session, rep_scope, p.start, min(p.end, now), p.year, settings.rad_r_min, settings.rad_a_max
        )
        late = records(queries.overdue_payments(session, rep_scope, now))
        deals = records(queries.open_deals_due(session, rep_scope, p.end))
    line = board.iloc[0].to_dict() if not board.empty else {}
    payout = (
        commission_payout(k.target_commission, k.attainment, settings.commission_tiers)
        if k.target_commission is not None and k.attainment is not None
        else None
    )
    header = page_header(
        t("sc.rep_title", lang, name=rep_name, code=rep_code),
        t("sc.rep_subtitle", lang, period=period_label(p.year, p.quarter, lang), today=day(now, lang)),
    )
    # the bar shows what the address says (a rep's own scorecard has no ?rep=): else the URL callback would
    # "correct" the address and draw the page a second time
    shown = replace(chosen, rep_code=rep_code if query.get("rep") == rep_code else None)
    bar = filters.filter_bar(shown, now, choices, lang, SHOWN)
    month_labels = {
        "bookings": t("kpi.bookings", lang),
        "cumulative": t("sc.cumulative", lang),
        "target": t("sc.cumulative_target", lang),
        "month": t("sc.month", lang),
    }
    level_names = {lv: t(f"level.{lv}", lang) for lv in range(1, 7)}
    cov = coverage(covered, codes)
    taskbook_href = "/scorecards?" + urlencode({"period": p.key, "rep": rep_code, "view": "taskbook"})
    week_done = int((week["status"] == "done").sum()) if not week.empty else 0
    class_counts = {str(r["rad_class"]): r for r in records(by_class)}
    if not line:
        return filtered_page(header, bar, True, lang, [empty_state(t("sc.no_reps", lang))])
    return filtered_page(
        header,
        bar,
        True,
        lang,
        [
            dcc.Link(
                t("sc.taskbook", lang),
                href=taskbook_href,
                id="sc-taskbook-link",
                className="btn btn-outline-primary btn-sm mb-3",
            ),
            _tiles(line, k, lang),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("sc.attainment", lang),
                            dbc.Row(
                                [
                                    *[
                                        dbc.Col(
                                            charts.graph(
                                                f"sc-gauge-{name}",
                                                charts.attainment_gauge(
                                                    value, k.elapsed_share, t(f"sc.{name}", lang), lang
                                                ),
                                            ),
                                            md=6,
                                        )
                                        for name, value in (("revenue", k.attainment), ("gm", k.gm_attainment))
                                    ],
                                    html.Div(
                                        [
                                            html.Span(
                                                pct(k.attainment, lang), id="sc-attainment-value", className="fw-bold"
                                            ),
                                            " · ",
                                            t("kpi.attainment_sub", lang, elapsed=pct(k.elapsed_share, lang, 0)),
                                        ],
                                        className="small text-center",
                                    ),
                                ]
                            ),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("sc.monthly", lang),
                            charts.graph("sc-monthly", charts.monthly_bookings(months, month_labels, lang)),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("overview.pipeline_chart", lang),
                            charts.graph("sc-pipeline", charts.pipeline_by_level(pipe, level_names, lang)),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("sc.payout", lang),
                            html.Div(
                                [
                                    payout_table(payout, lang),
                                    html.Hr(),
                                    html.Div(t("sc.whatif", lang), className="panel-title mb-1"),
                                    dbc.Checklist(
                                        id=WHATIF_PICK_ID,
                                        options=_whatif_options(deals, lang),
                                        value=[],
                                        className="small sc-whatif-list",
                                    )
                                    if deals
                                    else empty_state(t("sc.no_open_deals", lang)),
                                    dcc.Loading(html.Div(id=WHATIF_RESULT_ID, className="mt-2")),
                                ]
                            ),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            t("sc.visits", lang, done=week_done, planned=len(week), start=day(week_start, lang)),
                            html.Div(
                                [
                                    visit_list(week, lang),
                                    html.Div(
                                        t(
                                            "sc.visits_period",
                                            lang,
                                            done=count(int(line["visits_done"]), lang),
                                            planned=count(int(line["visits_planned"]), lang),
                                            per_week="—"
                                            if line["visits_per_week"] is None
                                            else f"{line['visits_per_week']:.1f}",
                                        ),
                                        className="small mt-2",
                                        id="sc-visits-period",
                                    ),
                                    html.Div(
                                        _class_visits(class_counts, lang),
                                        className="small",
                                        id="sc-visits-class",
                                    ),
                                ]
                            ),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        panel(
                            t("sc.coverage", lang, **{k2: str(v) for k2, v in cov.items()}),
                            coverage_table(covered, lang),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            panel(
                t("sc.overdue_list", lang, n=len(late)),
                html.Ul(
                    [
                        html.Li(
                            [
                                opp_link(r["opp_code"]),
                                f" {r['account']} · {r['milestone']} · {day(r['due_date'], lang)} · ",
                                html.Strong(cny(r["amount"] - r["paid_amount"], lang)),
                                f" ({(now - r['due_date']).days} {t('sc.days_late', lang)})",
                            ]
                        )
                        for r in late
                    ],
                    className="small mb-0",
                    id="sc-overdue-list",
                )
                if late
                else empty_state(t("sc.no_overdue", lang)),
            ),
        ],
    )


def taskbook_layout(query: dict[str, str], lang: str, now: date, rep: tuple[int, str, str]) -> html.Div:
    """The task book (销售任务书), printable: targets, target accounts, working conditions, the reward
    formula with the rep's own numbers."""
    rep_id, rep_code, rep_name = rep
    with read_session() as session:
        chosen, _choices, scope = url_filters.resolve_filters(session, viewer_scope(), {**query, "rep": rep_code}, now)
        rep_scope = scope.narrow(rep_id=rep_id)
        p = chosen.period
        book = queries.task_book(session, rep_id, p.year)
        k = overview_kpis(session, rep_scope, p, now)
        settings = load_settings(session)
        codes = _target_codes(book, p.quarter) if not book.empty else []
        names = queries.account_coverage(session, rep_scope, codes, p.start, p.end, now)
    if book.empty:
        body: list[Any] = [empty_state(t("sc.no_taskbook", lang))]
    else:
        annual = book[book["quarter"].isna()]
        first = (annual if not annual.empty else book).iloc[0]
        base = first["base_salary"]
        commission = k.target_commission
        tiers = " + ".join(
            f"{pct(lo, lang, 0)}–{pct(hi, lang, 0) if hi is not None else '∞'} × {m:g}"
            for lo, hi, m in settings.commission_tiers
        )
        payout = (
            commission_payout(commission, k.attainment, settings.commission_tiers)
            if commission is not None and k.attainment is not None
            else None
        )
        targets = dbc.Table(
            [
                html.Thead(html.Tr([html.Th(t(x, lang)) for x in ("sc.period", "sc.revenue", "sc.gm")])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(
                                    t("filter.full_year", lang) if r["quarter"] is None else f"Q{int(r['quarter'])}"
                                ),
                                html.Td(cny(r["revenue_target"], lang, compact=False), className="text-end"),
                                html.Td(cny(r["gm_target"], lang, compact=False), className="text-end"),
                            ]
                        )
                        for r in records(book)
                    ]
                ),
            ],
            size="sm",
            className="mb-3",
            id="taskbook-targets",
        )
        body = [
            html.H5(t("sc.tb_targets", lang)),
            targets,
            html.H5(t("sc.tb_accounts", lang, n=len(codes))),
            html.Ol([html.Li(f"{r['name']} ({r['account_code']})") for r in records(names)], id="taskbook-accounts"),
            html.H5(t("sc.tb_conditions", lang)),
            html.P(first["working_conditions"] or "—", id="taskbook-conditions"),
            html.H5(t("sc.tb_reward", lang)),
            html.P(
                t(
                    "sc.tb_formula",
                    lang,
                    base=cny(base, lang, compact=False),
                    commission=cny(commission, lang, compact=False),
                    tiers=tiers,
                ),
                id="taskbook-formula",
            ),
            html.P(
                t(
                    "sc.tb_now",
                    lang,
                    attainment=pct(k.attainment, lang),
                    payout=cny(payout.total if payout else None, lang, compact=False),
                ),
                id="taskbook-now",
            ),
        ]
    back = "/scorecards?" + urlencode({"period": p.key, "rep": rep_code})
    return html.Div(
        [
            html.Div(
                [
                    dcc.Link(t("sc.back", lang), href=back, className="btn btn-outline-secondary btn-sm me-2"),
                    t("sc.print_hint", lang),
                ],
                className="no-print small mb-3",
            ),
            page_header(
                t("sc.tb_title", lang, name=rep_name, code=rep_code),
                period_label(p.year, p.quarter, lang),
            ),
            *body,
        ],
        className="taskbook",
        id="taskbook",
    )


def _is_rep() -> bool:
    viewer = current_viewer()
    return viewer is not None and viewer.role == "rep"


def _rep_of(query: dict[str, str]) -> tuple[int, str, str] | None:
    """The rep the address asks for (``?rep=CODE``) if the viewer may see them; a rep always gets themselves."""
    with read_session() as session:
        reps = queries.reps_in_scope(session, viewer_scope())
    if _is_rep():
        return reps[0] if reps else None
    return next((r for r in reps if r[1] == query.get("rep")), None)


@page_layout()
def layout(**query: str) -> html.Div:
    lang = current_lang()
    now = today()
    rep = _rep_of(query)
    if rep is None:
        if _is_rep():  # a user with the rep role but no rep row: nothing to show
            return html.Div([page_header(t("sc.title", lang)), empty_state(t("sc.no_reps", lang))])
        return leaderboard_layout(query, lang, now)
    if query.get("view") == "taskbook":
        return taskbook_layout(query, lang, now, rep)
    return scorecard_layout(query, lang, now, rep)


@callback(
    Output(WHATIF_RESULT_ID, "children"),
    Input(WHATIF_PICK_ID, "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def what_if_these_close(picked: list[str] | None, search: str | None) -> Any:
    """ "If these open deals close": attainment and payout, for the rep on screen (re-checked in the viewer's
    scope; only open deals in scope count, whatever codes arrive)."""
    codes = params.texts(picked, 200)
    if not codes:
        raise PreventUpdate
    lang = current_lang()
    now = today()
    query = url_filters.query_of(search)
    rep = _rep_of(query)
    if rep is None:
        raise PreventUpdate
    with read_session() as session:
        chosen, _c, scope = url_filters.resolve_filters(session, viewer_scope(), {**query, "rep": rep[1]}, now)
        rep_scope = scope.narrow(rep_id=rep[0])
        k = overview_kpis(session, rep_scope, chosen.period, now)
        amounts = queries.open_amounts(session, rep_scope, codes)
        tiers = load_settings(session).commission_tiers
    result = what_if(k.bookings, k.revenue_target, k.target_commission, list(amounts.values()), tiers)
    return html.Div(
        [
            html.Div(
                t(
                    "sc.whatif_result",
                    lang,
                    n=len(amounts),
                    added=cny(result.added, lang),
                    attainment=pct(result.attainment, lang),
                ),
                id="sc-whatif-attainment",
            ),
            html.Div(
                t("sc.whatif_pay", lang, payout=cny(result.payout.total, lang), extra=cny(result.extra_pay, lang))
                if result.payout is not None
                else t("sc.no_commission", lang),
                className="fw-bold",
                id="sc-whatif-payout",
            ),
        ],
        className="alert alert-success py-2 small mb-0",
    )
