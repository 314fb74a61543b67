"""The weekly review's slides (the projector view of ``/funnel?review=1``) and the week's movement as both the
funnel page and the review draw it.

The team's slide comes first: the team's numbers, its week, and the reps ranked by gap to quota; then one slide
per rep in that order: their numbers, their week (moves with from → to levels, won in green, lost with its
reason) and their open deals by level. ``?review=print`` stacks every slide for the browser's print dialog,
one per A4 landscape page (assets/salesradar.css, ``@media print``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import charts
from components.formatting import cny, day, pct
from components.i18n import t
from components.kpi import overview_tiles, tile_row
from components.shell import opp_link, panel
from metrics.movement import Movement
from metrics.views.funnel import REVIEW_LISTS, REVIEW_ROWS, ReviewData

REVIEW_TILES = ["attainment", "open-pipeline", "weighted-pipeline", "v-value"]
CHART_HEIGHT = 230
#: The filters that stay on when entering or leaving review mode (which steps through reps itself).
KEEP = ("period", "team", "product", "rad")
PRINT_ID = "review-print"


def movement_labels(lang: str) -> dict[str, str]:
    """The waterfall's bar names: start, each movement step, end."""
    names = ("start", "end", "new", "increased", "decreased", "won", "lost", "pushed_out")
    return {name: t(f"move.{name}", lang) for name in names}


def movement_body(graph_id: str, figure: Any, end: float, lang: str, note_id: str) -> html.Div:
    """The movement waterfall and what it counts (the V value's pipeline: its end is that tile's figure)."""
    note = html.Div(t("funnel.movement_base", lang, amount=cny(end, lang)), className="small text-muted", id=note_id)
    return html.Div([charts.graph(graph_id, figure), note])


def _deals_table(deals: list[dict[str, Any]], total: int, lang: str, key: str) -> Any:
    """The rep's open deals by level, as the one-on-one talks them through: level, deal, account, amount,
    expected close, days at the level (stalled ones marked)."""
    title = t("review.open_deals", lang, shown=len(deals), n=total)
    if not deals:
        return panel(title, html.Div(t("review.no_deals", lang), className="empty-state"))
    keys = ("col.level", "col.opp", "col.account", "col.amount", "col.expected_close", "review.idle")
    right = {"col.amount", "review.idle"}
    head = html.Thead(html.Tr([html.Th(t(k, lang), className="text-end" if k in right else None) for k in keys]))
    rows = []
    for d in deals:
        idle = "—" if d["idle_days"] is None else f"{d['idle_days']:,}"
        rows.append(
            html.Tr(
                [
                    html.Td(str(d["level"]), title=t(f"level.{d['level']}", lang)),
                    html.Td([opp_link(d["opp_code"]), " ", d["name"]], className="review-deal", title=d["name"]),
                    html.Td(d["account"], className="review-account", title=d["account"]),
                    html.Td(cny(d["amount"], lang), className="text-end"),
                    html.Td(day(d["expected_close_date"], lang)),
                    html.Td(
                        [idle, " ", dbc.Badge(t("review.stalled", lang), color="danger")] if d["stalled"] else idle,
                        className="text-end",
                    ),
                ],
                className="review-stalled" if d["stalled"] else None,
            )
        )
    table = dbc.Table([head, html.Tbody(rows)], size="sm", className="mb-0 review-deals", id=f"review-deals{key}")
    return panel(title, table)


def _move_item(name: str, deal: dict[str, Any], moved: Movement, lang: str) -> html.Li:
    """One deal of the week: a level change from → to, its amount, a loss's reason, then its name (a long name
    is cut at the end, never the figures)."""
    parts = []
    if deal["opp_code"] in moved.moves:
        before, after = moved.moves[deal["opp_code"]]
        parts.append(t("review.from_to", lang, before=before, after=after))
    parts.append(cny(deal["amount"], lang))
    if name == "lost" and deal.get("loss_reason"):
        parts.append(str(deal["loss_reason"]))
    parts.append(deal["name"])
    return html.Li(" · ".join(parts), className="review-won" if name == "won" else None, title=" · ".join(parts))


def _week_list(name: str, moved: Movement, details: Mapping[str, dict[str, Any]], lang: str) -> html.Div:
    codes = moved.lists[name]
    items = [_move_item(name, details[c], moved, lang) for c in codes if c in details]
    return html.Div(
        [
            html.Div(f"{t('move.' + name, lang)} ({len(codes)})", className="panel-title mt-2"),
            html.Ul(items[:REVIEW_ROWS] or [html.Li("—")], className="review-list"),
        ]
    )


def _ranking(data: ReviewData, href_of: Any, lang: str, key: str) -> Any:
    """The reps by gap to quota, largest first: each name opens that rep's slide."""
    head = html.Thead(
        html.Tr(
            [
                html.Th("#"),
                html.Th(t("sc.col.rep", lang)),
                html.Th(t("kpi.bookings", lang), className="text-end"),
                html.Th(t("kpi.attainment", lang), className="text-end"),
                html.Th(t("overview.col.gap", lang), className="text-end"),
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(str(i + 1)),
                html.Td(dcc.Link(f"{r['name']} ({r['rep_code']})", href=href_of(i)), className="review-deal"),
                html.Td(cny(r["bookings"], lang), className="text-end"),
                html.Td(pct(r["attainment"], lang), className="text-end"),
                html.Td("—" if r["gap"] is None else cny(r["gap"], lang), className="text-end"),
            ]
        )
        for i, r in enumerate(data.ranking)
    ]
    table = dbc.Table([head, html.Tbody(rows)], size="sm", className="mb-0 review-deals", id=f"review-ranking{key}")
    return panel(t("review.ranking", lang, n=len(rows)), html.Div(table, className="review-scroll"))


def _nav(data: ReviewData, href_of: Any, base: dict[str, str], lang: str) -> list[Any]:
    """Previous / next (the team's slide, then the reps in order, round again), print, leave."""
    steps = len(data.reps) + 1  # the team's slide is step 0
    at = 0 if data.index is None else data.index + 1
    link_of = {0: href_of(None), **{i + 1: href_of(i) for i in range(len(data.reps))}}
    return [
        dcc.Link(
            t("review.prev", lang),
            href=link_of[(at - 1) % steps],
            id="review-prev",
            className="btn btn-outline-light me-2",
        ),
        dcc.Link(
            t("review.next", lang), href=link_of[(at + 1) % steps], id="review-next", className="btn btn-light me-2"
        ),
        dcc.Link(
            t("review.print", lang),
            href="/funnel?" + urlencode({**base, "review": "print"}),
            id="review-print-link",
            className="btn btn-outline-light me-2",
        ),
        dcc.Link(
            t("review.exit", lang),
            href="/funnel?" + urlencode(base),
            id="review-exit",
            className="btn btn-outline-secondary",
        ),
    ]


def slide(data: ReviewData, query: Mapping[str, str], lang: str, *, key: str = "") -> html.Div:
    """One slide: the team's (``data.index`` None) or a rep's. ``key`` tells slides on one page apart (the
    printed deck: no buttons, ids suffixed); on screen it is empty and the slide has its buttons."""
    now, since = data.today, data.since
    kpis, moved, details = data.kpis, data.moved, data.details
    if kpis is None or moved is None:
        return html.Div([html.Div(t("review.no_reps", lang), className="review-title")], className="review-slide")
    base = {k: v for k, v in query.items() if k in KEEP}
    codes = [code for code, _name in data.reps]

    def href_of(i: int | None) -> str:
        return "/funnel?" + urlencode({**base, "review": "1", **({"rep": codes[i]} if i is not None else {})})

    if data.index is None:
        title = t("review.team_title", lang, name=data.team_name or t("review.everyone", lang))
        position = t("review.team_position", lang, n=len(codes), since=day(since, lang))
    else:
        rep_code, rep_name = data.reps[data.index]
        title = t("review.title", lang, name=rep_name, code=rep_code)
        position = t("review.position", lang, i=data.index + 1, n=len(codes), since=day(since, lang))
    # two-word bar names on two lines: level, readable, and the chart keeps its height for the bars
    names = {k: v.replace(" ", "<br>", 1) for k, v in movement_labels(lang).items()}
    figure = charts.movement_waterfall(moved.start, moved.steps, moved.end, names, lang)
    figure.update_layout(height=CHART_HEIGHT, font={"size": 18, "color": "#fff"})
    figure.update_xaxes(tickangle=0)
    lists = [_week_list(name, moved, details, lang) for name in REVIEW_LISTS]
    week = panel(
        t("funnel.movement", lang, start=day(since, lang), end=day(now, lang)),
        movement_body(f"review-movement{key}", figure, moved.end, lang, f"review-movement-base{key}"),
    )
    right = (
        _ranking(data, href_of, lang, key)
        if data.index is None
        else _deals_table(data.deals, data.open_count, lang, key)
    )
    lists_panel = panel(t("review.deals", lang), dbc.Row([dbc.Col(block, md=3, sm=6) for block in lists]))
    header = dbc.Row(
        [
            dbc.Col(
                [html.H1(title, className="review-title"), html.Div(position, className="review-sub")],
                md=7 if not key else 12,
            ),
            dbc.Col(_nav(data, href_of, base, lang), md=5, className="text-end align-self-center no-print")
            if not key
            else None,
        ],
        className="mb-2",
    )
    return html.Div(
        [
            header,
            tile_row(overview_tiles(kpis, lang, prefix=key), REVIEW_TILES, row_id=f"review-kpis{key}"),
            # one screen of a projector: the week's movement beside the open deals (or the ranking), then the
            # week's deals step by step
            dbc.Row([dbc.Col(week, md=5), dbc.Col(right, md=7)], className="g-3"),
            html.Div(lists_panel, className="mt-3"),
        ],
        className="review-slide",
    )


def review(data: ReviewData, query: Mapping[str, str], lang: str) -> html.Div:
    """The projector screen: one slide with its buttons."""
    if not data.reps:
        return html.Div([html.Div(t("review.no_reps", lang), className="review-title")], className="review-mode")
    return html.Div(slide(data, query, lang), className="review-mode", id="review-mode")


def deck(slides: list[ReviewData], query: Mapping[str, str], lang: str) -> html.Div:
    """Every slide one after the other, to print (one per page) or hand out as a PDF."""
    base = {k: v for k, v in query.items() if k in KEEP}
    bar = html.Div(
        [
            html.Button(t("sc.print", lang), id=PRINT_ID, className="btn btn-light me-2"),
            dcc.Link(
                t("review.back", lang),
                href="/funnel?" + urlencode({**base, "review": "1"}),
                className="btn btn-outline-light",
            ),
            html.Span(t("review.print_hint", lang), className="ms-3 review-sub"),
        ],
        className="no-print mb-3",
    )
    if not slides or not slides[0].reps:
        return html.Div([bar, html.Div(t("review.no_reps", lang), className="review-title")], className="review-mode")
    drawn = [slide(s, query, lang, key=f"-{i}") for i, s in enumerate(slides)]
    return html.Div([bar, *drawn], className="review-mode review-deck", id="review-mode")
