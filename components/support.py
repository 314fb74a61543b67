"""Sales support drawn: bid figures, the bid calendar and lists, turnaround and engineers' load, the price
calculator, discount distributions, a deal's quote versions and the risk flags with their evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.formatting import cny, cny_exact, count, day, pct
from components.i18n import code_name, t
from components.shell import empty_state, opp_link
from components.staff import colon, stat
from metrics.support import due_soon, on_time, turnaround
from metrics.views.filters import year_choices

# the calculator's ids (pages/pricing.py wires them)
CALC_PRODUCT = "calc-product"
CALC_QTY = "calc-qty"
CALC_PRICE = "calc-price"
CALC_RESULT = "calc-result"
CALC_ADD = "calc-add"
CALC_LINES = "calc-lines"
#: the calculator's lines shown at first
CALC_START = 3
# the thresholds form (pages/risk.py)
RISK_SAVE = "risk-save"
RISK_MESSAGE = "risk-message"
RISK_FIELDS = ("floor_margin", "contract_below_quote", "discount_gap", "min_team_reps", "event_cost_share")


def threshold_id(name: str) -> str:
    """The thresholds form's input of ``name`` (its own prefix: the flags' sections are ``risk-<kind>``)."""
    return f"risk-threshold-{name}"


#: the most rows any list here draws (its title counts them all)
ROWS = 200
DISCOUNT_BUCKETS = (0.0, 0.05, 0.10, 0.15, 0.20, 0.30)


def table(
    head: Sequence[tuple[str, bool]], rows: Sequence[Sequence[Any]], *, row_class: Sequence[str] = ()
) -> html.Div:
    """A compact table: ``head`` is (label, numeric) per column, numbers right-aligned; it scrolls inside its
    panel on a phone."""
    numeric = [n for _, n in head]
    header = html.Tr([html.Th(label, className="text-end" if n else "") for label, n in head])
    body = [
        html.Tr(
            [html.Td(cell, className="text-end" if numeric[i] else "") for i, cell in enumerate(row)],
            className=row_class[k] if k < len(row_class) else "",
        )
        for k, row in enumerate(rows)
    ]
    return html.Div(
        dbc.Table([html.Thead(header), html.Tbody(body)], size="sm", hover=True, className="week-table mb-0"),
        className="week-scroll",
    )


def rate_n(value: float | None, n: int, lang: str) -> str:
    """A rate with the count it stands on beside it: ``62.5% (n=8)``; ``—`` when nothing was decided."""
    return "—" if value is None else f"{pct(value, lang)} (n={n:,})"


def year_links(
    path: str, year: int, years: Sequence[int], today: date, lang: str, *after: Any, **keep: str | int | None
) -> html.Div:
    """The years that hold data, newest first, each a link keeping the other parameters (the shown one bold,
    ``year_choices``: the default and the address's own year too), then ``after`` (a page's own links)."""

    def to(y: int) -> str:
        return f"{path}?" + urlencode({"year": y, **{k: v for k, v in keep.items() if v not in (None, "")}})

    links: list[Any] = [html.Span(t("filter.year", lang), className="text-muted me-2")]
    for y in year_choices(list(years), today, year):
        shown = (
            html.Span(str(y), className="fw-semibold me-3")
            if y == year
            else dcc.Link(str(y), href=to(y), className="me-3")
        )
        links += [shown, " "]  # the years read apart, not as one number
    return html.Div([*links, *after], className="week-nav mb-3")


TEAM_PICK = "support-team-pick"


def team_links(path: str, teams: Sequence[tuple[int, str]], chosen: int | None, lang: str, **keep: Any) -> html.Div:
    """A director's team choice: the whole company or one team, picked from a searchable list (a thousand teams
    are one component, not a thousand links); ``pages/support.py`` turns a pick into the address."""
    if not teams:
        return html.Div()
    options = [{"label": t("support.all_teams", lang), "value": 0}] + [{"label": n, "value": i} for i, n in teams]
    return html.Div(
        dcc.Dropdown(
            id={"type": TEAM_PICK, "page": path},
            options=options,
            value=chosen or 0,
            clearable=False,
            searchable=True,
            className="team-pick",
        ),
        className="mb-3",
        style={"maxWidth": "22rem"},
    )


# --- bids -------------------------------------------------------------------------------------------------------


def bid_stats(summary: Any, lang: str) -> html.Div:
    return html.Div(
        [
            stat(t("support.bids", lang), count(summary.bids, lang)),
            stat(t("support.on_time_rate", lang), rate_n(summary.on_time_rate, summary.submitted, lang)),
            stat(t("support.win_rate", lang), rate_n(summary.win_rate, summary.won + summary.lost, lang)),
            stat(t("support.win_rate_amount", lang), pct(summary.win_rate_amount, lang)),
            stat(
                t("support.due_soon", lang),
                count(len(summary.due_soon), lang),
                tone="text-danger" if summary.due_soon else "",
            ),
        ],
        className="week-stats mb-3",
    )


def bid_funnel(summary: Any, lang: str) -> html.Div:
    """The status funnel as bars: every bid, submitted, decided, won; withdrawn and no-bid beside it."""
    top = max(summary.bids, 1)
    bars = [
        html.Div(
            [
                html.Div(t(f"support.funnel.{step}", lang), className="bar-label"),
                html.Div(
                    html.Div(className="bar-fill", style={"width": f"{100 * n / top:.1f}%"}), className="bar-track"
                ),
                html.Div(count(n, lang), className="bar-value"),
            ],
            className="bar-row",
        )
        for step, n in summary.funnel.items()
    ]
    aside = [
        f"{code_name('bid.status', s, lang)}{colon(lang)}{summary.by_status.get(s, 0):,}"
        for s in ("preparing", "withdrawn", "no_bid")
    ]
    return html.Div([*bars, html.Div(" · ".join(aside), className="small text-muted mt-2")], className="bars")


def _status(status: str, lang: str) -> html.Span:
    tone = {"won": "success", "lost": "secondary", "preparing": "warning", "submitted": "info"}.get(status, "light")
    return dbc.Badge(code_name("bid.status", status, lang), color=tone, className="fw-normal")


def _on_time(value: bool | None, lang: str) -> str:
    return "—" if value is None else t("support.on_time_yes" if value else "support.on_time_late", lang)


def calendar(bids: Sequence[Any], today: date, lang: str, limit: int) -> Any:
    """The coming weeks' deadlines, week by week, the soonest ``limit`` (the loader reads one more, to say there
    are more); due soon (preparing, within 14 days) in red."""
    if not bids:
        return empty_state(t("support.calendar_empty", lang))
    weeks: dict[date, list[Any]] = {}
    more = len(bids) > limit
    for b in bids[:limit]:
        weeks.setdefault(b.deadline - timedelta(days=b.deadline.weekday()), []).append(b)
    parts: list[Any] = (
        [html.Div(t("support.calendar_more", lang, n=limit), className="small text-muted")] if more else []
    )
    for monday, rows in sorted(weeks.items()):
        parts.append(html.Div(t("support.week_of", lang, day=day(monday, lang)), className="fw-semibold small mt-2"))
        parts.append(
            table(
                [
                    (t("support.deadline", lang), False),
                    (t("support.tender", lang), False),
                    (t("support.opp", lang), False),
                    (t("support.status", lang), False),
                ],
                [[day(b.deadline, lang), b.tender_name, opp_link(b.opp_code), _status(b.status, lang)] for b in rows],
                row_class=["table-danger" if due_soon(b, today) else "" for b in rows],
            )
        )
    return html.Div(parts)


def bid_list(bids: Sequence[Any], total: int, lang: str) -> html.Div:
    """The latest-deadline bids (the loader reads at most ROWS), under a title counting all ``total``."""
    shown = sorted(bids, key=lambda b: (b.deadline, b.bid_code), reverse=True)[:ROWS]
    return html.Div(
        [
            html.Div(t("support.list_title", lang, shown=len(shown), total=total), className="small text-muted mb-1"),
            table(
                [
                    (t("support.bid", lang), False),
                    (t("support.tender", lang), False),
                    (t("support.opp", lang), False),
                    (t("support.deadline", lang), False),
                    (t("support.status", lang), False),
                    (t("support.on_time", lang), False),
                    (t("support.amount", lang), True),
                ],
                [
                    [
                        html.Span(b.bid_code, className="font-monospace small"),
                        b.tender_name,
                        opp_link(b.opp_code),
                        day(b.deadline, lang),
                        _status(b.status, lang),
                        _on_time(on_time(b), lang),
                        cny(b.bid_amount, lang) if b.bid_amount is not None else "—",
                    ]
                    for b in shown
                ],
            ),
        ]
    )


def bid_groups(groups: Sequence[tuple[str, Any]], label: str, lang: str) -> html.Div:
    """Per team or product line: bids, won, lost, win rate (n), by amount, on time."""
    return table(
        [
            (label, False),
            (t("support.bids", lang), True),
            (t("support.win_rate", lang), True),
            (t("support.win_rate_amount", lang), True),
            (t("support.on_time_rate", lang), True),
        ],
        [
            [
                name or t("support.none", lang),
                count(s.bids, lang),
                rate_n(s.win_rate, s.won + s.lost, lang),
                pct(s.win_rate_amount, lang),
                rate_n(s.on_time_rate, s.submitted, lang),
            ]
            for name, s in groups[:ROWS]
        ],
    )


# --- technical support ------------------------------------------------------------------------------------------


def support_stats(requests: Any, supported: Any, unsupported: Any, lang: str) -> html.Div:
    avg = requests.avg_days
    return html.Div(
        [
            stat(t("support.requests", lang), count(requests.requests, lang)),
            stat(t("support.open", lang), count(requests.open, lang), tone="text-danger" if requests.open else ""),
            stat(t("support.avg_days", lang), "—" if avg is None else t("support.days", lang, n=f"{avg:.1f}")),
            stat(t("support.supported_rate", lang), rate_n(supported.win_rate, supported.n, lang)),
            stat(t("support.unsupported_rate", lang), rate_n(unsupported.win_rate, unsupported.n, lang)),
        ],
        className="week-stats mb-3",
    )


def turnaround_table(groups: Sequence[tuple[str, Any]], label: str, lang: str, family: str | None = None) -> html.Div:
    return table(
        [
            (label, False),
            (t("support.requests", lang), True),
            (t("support.open", lang), True),
            (t("support.avg_days", lang), True),
            (t("support.hours", lang), True),
        ],
        [
            [
                (code_name(family, name, lang) if family else name) or t("support.unassigned", lang),
                count(g.requests, lang),
                count(g.open, lang),
                "—" if g.avg_days is None else f"{g.avg_days:.1f}",
                f"{g.hours:,.0f}",
            ]
            for name, g in groups[:ROWS]
        ],
    )


def load_table(mondays: Sequence[date], load: dict[str, list[int]], lang: str) -> Any:
    """Requests in hand per engineer per week (most loaded first)."""
    if not load:
        return empty_state(t("support.no_requests", lang))
    head = [(t("support.engineer", lang), False)] + [(f"{m.month}/{m.day}", True) for m in mondays]
    return table(head, [[name, *[str(n) if n else "·" for n in weeks]] for name, weeks in list(load.items())[:ROWS]])


def open_requests(requests: Sequence[Any], today: date, lang: str) -> Any:
    """The year's open requests, oldest first, with how long each has waited."""
    if not requests:
        return empty_state(t("risk.none_of_kind", lang))
    rows = [
        [
            html.Span(r.request_code, className="font-monospace small"),
            opp_link(r.opp_code),
            code_name("support.kind", r.kind, lang),
            r.engineer or t("support.unassigned", lang),
            day(r.requested_date, lang),
            str(turnaround(r, today)),
        ]
        for r in sorted(requests, key=lambda r: r.requested_date)
    ]
    head = [
        (t("support.request", lang), False),
        (t("support.opp", lang), False),
        (t("support.kind", lang), False),
        (t("support.engineer", lang), False),
        (t("support.requested", lang), False),
        (t("support.age", lang), True),
    ]
    return table(head, rows)


def supported_table(supported: Any, unsupported: Any, lang: str) -> html.Div:
    return table(
        [
            ("", False),
            (t("support.won", lang), True),
            (t("support.lost", lang), True),
            (t("support.win_rate", lang), True),
        ],
        [
            [t(key, lang), count(s.won, lang), count(s.lost, lang), rate_n(s.win_rate, s.n, lang)]
            for key, s in (("support.supported", supported), ("support.unsupported", unsupported))
        ],
    )


# --- price calculation ------------------------------------------------------------------------------------------


def product_options(products: Sequence[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    return [
        {
            "label": f"{p['product_line']} · {p['name']} ({cny(float(p['list_price']), lang)})",
            "value": p["product_code"],
        }
        for p in products
    ]


def calc_line(index: int, options: list[dict[str, str]], lang: str) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                dcc.Dropdown(
                    id={"type": CALC_PRODUCT, "index": index},
                    options=options,
                    placeholder=t("pricing.pick_product", lang),
                    className="calc-product",
                ),
                xs=12,
                md=6,
            ),
            dbc.Col(
                dbc.Input(
                    id={"type": CALC_QTY, "index": index},
                    type="number",
                    min=0.01,
                    step="any",
                    value=1,
                    placeholder=t("pricing.quantity", lang),
                ),
                xs=4,
                md=2,
            ),
            dbc.Col(
                dbc.Input(
                    id={"type": CALC_PRICE, "index": index},
                    type="number",
                    min=0,
                    step="any",
                    placeholder=t("pricing.unit_price_hint", lang),
                ),
                xs=8,
                md=4,
            ),
        ],
        className="g-2 mb-2",
    )


def calculator(products: Sequence[dict[str, Any]], floor_default: float, lang: str) -> html.Div:
    if not products:
        return empty_state(t("pricing.no_price_list", lang))
    options = product_options(products, lang)
    return html.Div(
        [
            html.Div(
                t("pricing.calc_hint", lang, floor=pct(floor_default, lang, 0)), className="small text-muted mb-2"
            ),
            dbc.Row(
                [
                    dbc.Col(html.Div(t("pricing.product", lang), className="small fw-semibold"), xs=12, md=6),
                    dbc.Col(html.Div(t("pricing.quantity", lang), className="small fw-semibold"), xs=4, md=2),
                    dbc.Col(html.Div(t("pricing.unit_price", lang), className="small fw-semibold"), xs=8, md=4),
                ],
                className="g-2 d-none d-md-flex",
            ),
            html.Div([calc_line(i, options, lang) for i in range(CALC_START)], id=CALC_LINES),
            dbc.Button(t("pricing.add_line", lang), id=CALC_ADD, color="secondary", outline=True, size="sm"),
            dcc.Loading(html.Div(id=CALC_RESULT, className="mt-3"), type="dot"),
        ]
    )


def quote_result(quote: Any, problems: Sequence[str], lang: str) -> html.Div:
    """The calculator's answer: each line's list price, price, discount, cost and margin, below-floor lines marked
    as needing approval; the totals."""
    parts: list[Any] = [dbc.Alert(str(p), color="warning", className="py-2") for p in problems]
    if not quote.lines:
        return html.Div([*parts, html.Div(t("pricing.pick_hint", lang), className="text-muted small")])
    rows = [
        [
            line.product_name,
            f"{line.quantity:,.2f}".rstrip("0").rstrip("."),
            cny_exact(line.list_price, lang),
            cny_exact(line.unit_price, lang),
            pct(line.discount, lang),
            cny(line.cost, lang),
            pct(line.margin, lang),
            dbc.Badge(t("pricing.needs_approval", lang), color="danger", className="fw-normal")
            if line.below_floor
            else html.Span(t("pricing.ok", lang), className="text-success small"),
        ]
        for line in quote.lines
    ]
    head = [
        (t("pricing.product", lang), False),
        (t("pricing.quantity", lang), True),
        (t("pricing.list_price", lang), True),
        (t("pricing.unit_price", lang), True),
        (t("pricing.discount", lang), True),
        (t("pricing.cost", lang), True),
        (t("pricing.gm", lang), True),
        (t("pricing.floor", lang), False),
    ]
    below = quote.below_floor_lines
    parts += [
        html.Div(
            [
                stat(t("pricing.list_amount", lang), cny(quote.list_amount, lang)),
                stat(t("pricing.revenue", lang), cny(quote.revenue, lang)),
                stat(t("pricing.discount", lang), pct(quote.discount, lang)),
                stat(t("pricing.cost", lang), cny(quote.cost, lang)),
                stat(t("pricing.gm", lang), pct(quote.gm, lang), tone="text-danger" if below else ""),
            ],
            className="week-stats mb-2",
            id="calc-totals",
        ),
        dbc.Alert(t("pricing.below_floor", lang, n=below), color="danger", className="py-2", id="calc-warning")
        if below
        else html.Div(),
        table(head, rows, row_class=["table-danger" if line.below_floor else "" for line in quote.lines]),
    ]
    return html.Div(parts)


def discount_distribution(reps: Sequence[Any], lang: str) -> html.Div:
    """How many reps quoted at each discount (amount-weighted over their quotes of the year)."""
    edges = [*DISCOUNT_BUCKETS, None]
    counts = [0] * len(DISCOUNT_BUCKETS)
    for r in reps:
        d = r.discount
        if d is None:
            continue
        k = max(i for i, low in enumerate(DISCOUNT_BUCKETS) if d >= low or i == 0)
        counts[k] += 1
    top = max(counts) or 1
    rows = []
    for i, n in enumerate(counts):
        low, high = edges[i], edges[i + 1]
        label = f"{pct(low, lang, 0)}–{pct(high, lang, 0)}" if high is not None else f"≥ {pct(low, lang, 0)}"
        rows.append(
            html.Div(
                [
                    html.Div(label, className="bar-label"),
                    html.Div(
                        html.Div(className="bar-fill", style={"width": f"{100 * n / top:.1f}%"}), className="bar-track"
                    ),
                    html.Div(count(n, lang), className="bar-value"),
                ],
                className="bar-row",
            )
        )
    return html.Div(rows, className="bars")


def discount_table(rows: Sequence[Any], label: str, lang: str, *, with_team: bool = False) -> html.Div:
    head = [(label, False)] + ([(t("support.team", lang), False)] if with_team else [])
    head += [
        (t("pricing.quotes", lang), True),
        (t("pricing.list_amount", lang), True),
        (t("pricing.revenue", lang), True),
        (t("pricing.discount", lang), True),
    ]
    return table(
        head,
        [
            [
                r.name or r.rep_code,
                *([r.team] if with_team else []),
                count(r.quotes, lang),
                cny(r.list_amount, lang),
                cny(r.revenue, lang),
                pct(r.discount, lang),
            ]
            for r in rows[:ROWS]
        ],
    )


def quote_versions(quotes: Sequence[Any], lang: str) -> Any:
    """A deal's quote versions, newest first, the current one marked; the current one's lines beneath."""
    if not quotes:
        return empty_state(t("pricing.no_quotes", lang))
    rows = [
        [
            html.Span(
                [
                    html.Span(q.quote_code, className="font-monospace small me-1"),
                    dbc.Badge(t("pricing.current", lang), color="primary", className="fw-normal") if q.current else "",
                ]
            ),
            day(q.quoted_date, lang) if q.quoted_date else "—",
            cny(q.revenue, lang),
            pct(q.gm, lang),
            pct(q.discount, lang),
            html.Span(str(q.below_floor_lines), className="text-danger fw-semibold") if q.below_floor_lines else "0",
        ]
        for q in quotes
    ]
    head = [
        (t("pricing.quote", lang), False),
        (t("pricing.quoted_date", lang), False),
        (t("pricing.revenue", lang), True),
        (t("pricing.gm", lang), True),
        (t("pricing.discount", lang), True),
        (t("pricing.below_floor_lines", lang), True),
    ]
    current = next((q for q in quotes if q.current), None)
    parts: list[Any] = [table(head, rows)]
    if current is not None and current.lines:
        parts.append(
            html.Div(t("pricing.current_lines", lang, code=current.quote_code), className="small fw-semibold mt-3")
        )
        parts.append(quote_result(current, [], lang))
    return html.Div(parts)


# --- risk -------------------------------------------------------------------------------------------------------


def risk_counts(counts: dict[str, int], year: int, lang: str, *, team: int | None = None) -> html.Div:
    """A figure per flag, each opening its list."""

    def to(kind: str) -> str:
        return "/risk?" + urlencode({"year": year, "kind": kind, **({"team": team} if team else {})})

    return html.Div(
        [
            dcc.Link(
                stat(t(f"risk.kind.{kind}", lang), count(n, lang), tone="text-danger" if n else ""),
                href=to(kind),
                className="text-reset text-decoration-none risk-count",
            )
            for kind, n in counts.items()
        ],
        className="week-stats mb-3",
    )


def _evidence_rows(flag: Any, lang: str) -> list[list[Any]]:
    out = []
    for e in flag.evidence:
        out.append(
            [
                t(f"risk.row.{e.what}", lang),
                html.Span(e.code, className="font-monospace small") if e.code else "",
                e.name or "",
                day(e.day, lang) if e.day else "",
                cny(e.amount, lang) if e.amount is not None else "",
                pct(e.share, lang) if e.share is not None else "",
                e.who or "",
                t("risk.quotes_n", lang, n=e.note) if e.what == "rep" and e.note else e.note or "",
            ]
        )
    return out


def _named(code: str | None, names: dict[str, str]) -> str | None:
    """A code by its name, the code beside it: ``张伟 (R0003)``."""
    if not code:
        return None
    name = names.get(code)
    return f"{name} ({code})" if name else code


def flag_card(flag: Any, lang: str, names: dict[str, str] | None = None) -> dbc.Card:
    """One flag: what tripped it (its value), whose it is (by name) and the rows behind it."""
    names = names or {}
    who = [
        (t("risk.rep", lang), _named(flag.rep_code, names)),
        (t("risk.account", lang), _named(flag.account_code, names)),
        (t("risk.quote", lang), flag.quote_code),
    ]
    title: list[Any] = [
        html.Span(t(f"risk.value.{flag.kind}", lang, value=pct(flag.value, lang)), className="fw-semibold me-3")
    ]
    if flag.opp_code:
        title += [
            html.Span(t("risk.opp", lang) + colon(lang)),
            opp_link(flag.opp_code),
            html.Span(" ", className="me-2"),
        ]
    title += [html.Span(f"{label}{colon(lang)}{value}", className="me-3 small") for label, value in who if value]
    head = [
        (t("risk.what", lang), False),
        (t("risk.code", lang), False),
        (t("risk.name", lang), False),
        (t("risk.day", lang), False),
        (t("risk.amount", lang), True),
        (t("risk.share", lang), True),
        (t("risk.who", lang), False),
        (t("risk.note", lang), False),
    ]
    return dbc.Card(
        dbc.CardBody([html.Div(title, className="mb-2"), table(head, _evidence_rows(flag, lang))]),
        className="mb-2 risk-flag",
    )


def flag_list(flags: Sequence[Any], lang: str, names: dict[str, str] | None = None, limit: int = ROWS) -> Any:
    """The flags of a kind, largest first, at most ``limit`` drawn (the title counts them all)."""
    if not flags:
        return empty_state(t("risk.none_of_kind", lang))
    shown = flags[:limit]
    return html.Div(
        [
            html.Div(
                t("support.list_title", lang, shown=len(shown), total=len(flags)), className="small text-muted mb-1"
            ),
            *[flag_card(f, lang, names) for f in shown],
        ]
    )


def thresholds_form(settings: Any, lang: str) -> dbc.Card:
    """A director's thresholds: the margin floor and the four flags' limits (fractions shown as percentages)."""
    values = {
        "floor_margin": settings.floor_margin * 100,
        "contract_below_quote": settings.risk_contract_below_quote * 100,
        "discount_gap": settings.risk_discount_gap * 100,
        "min_team_reps": settings.risk_min_team_reps,
        "event_cost_share": settings.risk_event_cost_share * 100,
    }
    fields = [
        dbc.Col(
            [
                dbc.Label(t(f"risk.setting.{name}", lang), html_for=threshold_id(name), className="small"),
                dbc.InputGroup(
                    [
                        dbc.Input(
                            id=threshold_id(name), type="number", value=round(values[name], 2), step="any", min=0
                        ),
                        dbc.InputGroupText("%" if name != "min_team_reps" else t("risk.people", lang)),
                    ],
                    size="sm",
                ),
            ],
            xs=12,
            sm=6,
            lg=True,
        )
        for name in RISK_FIELDS
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(t("risk.settings_title", lang), className="panel-title mb-2"),
                dbc.Row(fields, className="g-2 mb-2"),
                dbc.Button(t("risk.save", lang), id=RISK_SAVE, color="primary", size="sm"),
                html.Div(id=RISK_MESSAGE, className="mt-2"),
            ]
        ),
        className="panel-card mb-3",
    )
