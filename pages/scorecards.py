"""/scorecards: the leaderboard managers and directors compare reps on, each rep's scorecard (a rep lands
on their own), the commission what-if, and the printable task book (?view=taskbook)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from components import actions as actions_drawn
from components import charts, filters
from components.formatting import cny, cny_exact, count, day, hours, known, pct, period_label, times
from components.i18n import code_name, current_lang, t
from components.kpi import kpi_tile, overview_tiles, tile_id
from components.scorecard import coverage_table, leaderboard_grid, payout_table, rollup_table, visit_list
from components.shell import empty_state, filtered_page, opp_link, page_header, panel
from metrics import params
from metrics.frames import records
from metrics.overview import OverviewKPIs
from metrics.views import filters as url_filters
from metrics.views import scorecards as view
from pages import _forecast as forecast_panels
from web.loading import load_view, page_layout

dash.register_page(__name__, path="/scorecards", order=3, nav_key="nav.scorecards", title="SalesRadar")

SHOWN = ("year", "quarter", "team", "rep")
WHATIF_PICK_ID = "sc-whatif-pick"
WHATIF_RESULT_ID = "sc-whatif-result"
PRINT_ID = "taskbook-print"


def leaderboard_layout(data: view.BoardData, query: dict[str, str], lang: str) -> html.Div:
    chosen, choices, board, teams, now = data.filters, data.choices, data.board, data.teams, data.today
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
    return filtered_page(header, bar, data.has_data, lang, body)


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


def scorecard_layout(data: view.ScorecardData, query: dict[str, str], lang: str) -> html.Div:
    (_rep_id, rep_code, rep_name), chosen, choices, now = data.rep, data.filters, data.choices, data.today
    k, line, payout, pipe, months, week, by_class = (
        data.kpis,
        data.line,
        data.payout,
        data.pipeline,
        data.months,
        data.week,
        data.by_class,
    )
    late, deals, p = data.late, data.deals, data.filters.period
    monday = view.week_of(now)[0]
    header = page_header(
        t("sc.rep_title", lang, name=rep_name, code=rep_code),
        t(
            "sc.rep_subtitle_region" if data.region else "sc.rep_subtitle",
            lang,
            period=period_label(p.year, p.quarter, lang),
            today=day(now, lang),
            region=known(data.region, lang),
        ),
    )
    # the bar shows what the address says (a rep's own scorecard has no ?rep=): else the URL callback would
    # "correct" the address and draw the page a second time
    shown = replace(chosen, rep_code=rep_code if query.get("rep") == rep_code else None)
    bar = filters.filter_bar(shown, now, choices, lang, SHOWN)
    level_names = {lv: t(f"level.{lv}", lang) for lv in range(1, 7)}
    cov = data.coverage
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
            actions_drawn.actions_card(
                data.actions,
                now,
                lang,
                title=t("actions.rep_list", lang, name=rep_name),
                more_href="/actions?" + urlencode({"rep": rep_code}),
            ),
            forecast_panels.panels(chosen, lang, rep=rep_code, with_classes=False),
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
                            charts.graph("sc-monthly", charts.monthly_bookings(months, lang)),
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
                            t(
                                "sc.visits",
                                lang,
                                done=week_done,
                                planned=len(week),
                                start=day(monday, lang),
                            ),
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
                                    html.Div(
                                        [
                                            t(
                                                "week.training_line",
                                                lang,
                                                hours=hours(data.training_hours),
                                                required=hours(data.training_required),
                                            ),
                                            " ",
                                            html.Span(t("week.under", lang), className="text-danger")
                                            if data.training_hours < data.training_required
                                            else "✓",
                                        ],
                                        className="small",
                                        id="sc-training",
                                    ),
                                    dcc.Link(
                                        t("sc.open_week", lang),
                                        href="/visits?" + urlencode({"rep": data.rep[1]}),
                                        className="small",
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
                            coverage_table(data.covered, lang),
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
                                f" {r['account']} · {code_name('payment.milestone', r['milestone'], lang)}"
                                f" · {day(r['due_date'], lang)} · ",
                                html.Strong(cny(r["owed"], lang)),
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


def _target_accounts(rows: list[dict[str, Any]], lang: str) -> dbc.Table:
    """The task book's target accounts with what each is worth this year (its BP) and where the rep stands on
    it: booked, open pipeline, visits done in the period."""
    right = ("sc.tb_bp", "sc.tb_booked", "sc.tb_pipeline", "sc.tb_visits")
    head = html.Thead(
        html.Tr(
            [html.Th("#"), html.Th(t("col.account", lang))] + [html.Th(t(k, lang), className="text-end") for k in right]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(str(i + 1)),
                    html.Td(f"{r['name']} ({r['account_code']})"),
                    html.Td(cny(r["bp"], lang), className="text-end"),
                    html.Td(cny(r["booked"], lang), className="text-end"),
                    html.Td(cny(r["open_pipeline"], lang), className="text-end"),
                    html.Td(f"{r['visited']:,}", className="text-end"),
                ]
            )
            for i, r in enumerate(rows)
        ]
    )
    return dbc.Table([head, body], size="sm", className="mb-3", id="taskbook-accounts")


def taskbook_layout(data: view.TaskbookData, lang: str) -> html.Div:
    """The task book (销售任务书), printable: targets, target accounts, working conditions, the reward
    formula with the rep's own numbers."""
    (_rep_id, rep_code, rep_name), book, k = data.rep, data.book, data.kpis
    p, codes, names = data.filters.period, data.target_codes, data.accounts
    if book.empty:
        body: list[Any] = [empty_state(t("sc.no_taskbook", lang))]
    else:
        annual = book[book["quarter"].isna()]
        first = (annual if not annual.empty else book).iloc[0]
        base = first["base_salary"]
        commission = k.target_commission
        tiers = " + ".join(
            f"{pct(lo, lang, 0)}–{pct(hi, lang, 0) if hi is not None else '∞'} × {m:g}" for lo, hi, m in data.tiers
        )
        payout = data.payout
        targets = dbc.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(t("sc.period", lang)),
                            html.Th(t("sc.revenue", lang), className="text-end"),  # over the numbers' column
                            html.Th(t("sc.gm", lang), className="text-end"),
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(
                                    t("filter.full_year", lang) if r["quarter"] is None else f"Q{int(r['quarter'])}"
                                ),
                                html.Td(cny_exact(r["revenue_target"], lang), className="text-end"),
                                html.Td(cny_exact(r["gm_target"], lang), className="text-end"),
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
            _target_accounts(records(names), lang),
            html.H5(t("sc.tb_conditions", lang)),
            html.P(first["working_conditions"] or "—", id="taskbook-conditions"),
            html.H5(t("sc.tb_reward", lang)),
            html.P(
                t(
                    "sc.tb_formula",
                    lang,
                    base=cny_exact(base, lang),
                    commission=cny_exact(commission, lang),
                    tiers=tiers,
                ),
                id="taskbook-formula",
            ),
            html.P(
                t(
                    "sc.tb_now",
                    lang,
                    attainment=pct(k.attainment, lang),
                    payout=cny_exact(payout.total if payout else None, lang),
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
                    html.Button(t("sc.print", lang), id=PRINT_ID, className="btn btn-primary btn-sm me-2"),
                    t("sc.print_hint", lang),
                ],
                className="no-print small mb-3",
            ),
            html.Div(data.company, className="taskbook-company", id="taskbook-company") if data.company else None,
            page_header(
                t("sc.tb_title", lang, name=rep_name, code=rep_code),
                period_label(p.year, p.quarter, lang),
            ),
            *body,
            _signatures(lang),
        ],
        className="taskbook",
        id="taskbook",
    )


def _signatures(lang: str) -> html.Div:
    """Where the rep and the manager sign the task book, with the date (it is a signed agreement)."""
    line = "＿＿＿＿＿＿＿＿＿＿"
    return html.Div(
        [
            html.Div(
                [t(f"sc.sign_{who}", lang), "：", line, "　", t("sc.sign_date", lang), "：", line], className="mb-4"
            )
            for who in ("rep", "manager")
        ],
        className="taskbook-signatures mt-4",
        id="taskbook-signatures",
    )


@page_layout()
def layout(**query: str) -> html.Div:
    lang = current_lang()
    data = load_view(view.load, query)
    if isinstance(data, view.NoRep):
        return html.Div([page_header(t("sc.title", lang)), empty_state(t("sc.no_reps", lang))])
    if isinstance(data, view.BoardData):
        return leaderboard_layout(data, query, lang)
    if isinstance(data, view.TaskbookData):
        return taskbook_layout(data, lang)
    return scorecard_layout(data, query, lang)


# the print button: the browser's own print dialog, nothing posted to the server
clientside_callback(
    "function (clicks) { if (clicks) { window.print(); } return window.dash_clientside.no_update; }",
    Output(PRINT_ID, "title"),
    Input(PRINT_ID, "n_clicks"),
    prevent_initial_call=True,
)


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
    found = load_view(partial(view.whatif_of, codes=codes), url_filters.query_of(search))
    if found is None:
        raise PreventUpdate
    result, n = found
    return html.Div(
        [
            html.Div(
                t(
                    "sc.whatif_result",
                    lang,
                    n=n,
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
