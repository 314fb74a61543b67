"""The forecast drawn: P10 / P50 / P90 against the quota as figures and a range bar, the rates by level, the deals
that matter most, the track record table, and the V value per RAD class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from components.formatting import cny, many, pct, period_label, times
from components.i18n import t
from components.shell import opp_link
from components.staff import stat
from components.support import table

# the panels filled by a callback (pages/funnel.py, pages/scorecards.py)
FORECAST_BODY = "forecast-body"
FORECAST_ASK = "forecast-ask"
TRACK_BODY = "forecast-track-body"


def _bar(f: Any) -> html.Div:
    """A range bar on one scale: booked (solid), P10-P90 (band), P50 (tick), the quota (a line)."""
    top = max(f.p90, f.quota or 0.0, f.booked, 1.0) * 1.05

    def at(v: float) -> str:
        return f"{100 * v / top:.2f}%"

    marks: list[Any] = [
        html.Div(className="fc-booked", style={"width": at(f.booked)}),
        html.Div(className="fc-band", style={"left": at(f.p10), "width": at(max(f.p90 - f.p10, 0.0))}),
        html.Div(className="fc-p50", style={"left": at(f.p50)}),
    ]
    if f.quota:
        marks.append(html.Div(className="fc-quota", style={"left": at(f.quota)}))
    return html.Div(marks, className="fc-bar mb-2", role="img")


def forecast_summary(data: Any, lang: str) -> html.Div:
    """The figures: booked, P10, P50, P90, quota and the chance to make it, with the range bar and how it was made."""
    f = data.forecast
    chance = t("forecast.no_quota", lang) if f.probability_of_quota is None else pct(f.probability_of_quota, lang, 0)
    tone = (
        "" if f.probability_of_quota is None else ("text-success" if f.probability_of_quota >= 0.5 else "text-danger")
    )
    figures = html.Div(
        [
            stat(t("forecast.booked", lang), cny(f.booked, lang)),
            stat(t("forecast.p10", lang), cny(f.p10, lang)),
            stat(t("forecast.p50", lang), cny(f.p50, lang), tone="fw-bold"),
            stat(t("forecast.p90", lang), cny(f.p90, lang)),
            stat(t("forecast.quota", lang), cny(f.quota, lang) if f.quota is not None else "—"),
            stat(t("forecast.chance", lang), chance, tone=tone),
        ],
        className="week-stats mb-2",
        id="forecast-figures",
    )
    if data.closed_period:
        return html.Div([figures, html.Div(t("forecast.closed", lang), className="small text-muted")])
    shrunk = [str(r.level) for r in data.rates.values() if r.shrunk]
    notes = [
        html.Div(
            t("forecast.method", lang, runs=many(f.runs, lang), deals=many(f.deals, lang), drawn=many(f.drawn, lang)),
            className="small text-muted",
        ),
    ]
    if shrunk:
        notes.append(
            html.Div(t("forecast.shrunk", lang, levels=", ".join(shrunk)), className="small text-warning-emphasis")
        )
    return html.Div([figures, _bar(f), *notes])


def rates_table(rates: dict[int, Any], lang: str) -> html.Div:
    head = [
        (t("forecast.level", lang), False),
        (t("forecast.closed_n", lang), True),
        (t("forecast.p_level", lang), True),
        (t("forecast.p_win", lang), True),
        (t("forecast.p_close", lang), True),
    ]
    rows = [
        [
            f"{r.level}" + (" *" if r.shrunk else ""),
            many(r.closed, lang),
            pct(r.configured, lang, 0),
            pct(r.p_win, lang),
            pct(r.p_close, lang),
        ]
        for r in rates.values()
    ]
    return table(head, rows)


def drivers_table(drivers: Sequence[dict[str, Any]], lang: str) -> html.Div:
    head = [
        (t("forecast.deal", lang), False),
        (t("forecast.level", lang), True),
        (t("forecast.amount", lang), True),
        (t("forecast.p_land", lang), True),
        (t("forecast.share", lang), True),
    ]
    rows = [
        [
            html.Span([opp_link(d["opp_code"]), html.Div(f"{d['name']} · {d['owner']}", className="small text-muted")]),
            str(d["level"]),
            cny(d["amount"], lang),
            pct(d["p_land"], lang, 0),
            pct(d["share"], lang, 0),
        ]
        for d in drivers
    ]
    return html.Div([html.Div(t("forecast.drivers_note", lang), className="small text-muted mb-1"), table(head, rows)])


def forecast_body(data: Any, lang: str) -> html.Div:
    """The whole forecast panel's body: the summary, then the deals that matter and the rates side by side."""
    if data.closed_period or not data.drivers:
        return forecast_summary(data, lang)
    return html.Div(
        [
            forecast_summary(data, lang),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(t("forecast.drivers", lang), className="fw-semibold mt-2 mb-1"),
                            drivers_table(data.drivers, lang),
                        ],
                        className="fc-col",
                    ),
                    html.Div(
                        [
                            html.Div(t("forecast.rates", lang), className="fw-semibold mt-2 mb-1"),
                            rates_table(data.rates, lang),
                        ],
                        className="fc-col",
                    ),
                ],
                className="fc-cols",
            ),
        ]
    )


def _error(value: float | None, lang: str) -> str:
    return "—" if value is None else f"{'+' if value > 0 else ''}{pct(value, lang, 0)}"


def track_record(record: Any, lang: str) -> html.Div:
    """The last eight quarters: P10 / P50 / P90 made at each quarter's start, the weighted pipeline, the actual,
    whether it landed in the range, and the errors; the note sums them up."""
    head = [
        (t("forecast.quarter", lang), False),
        (t("forecast.p10", lang), True),
        (t("forecast.p50", lang), True),
        (t("forecast.p90", lang), True),
        (t("forecast.weighted", lang), True),
        (t("forecast.actual", lang), True),
        (t("forecast.inside", lang), True),
        (t("forecast.error", lang), True),
        (t("forecast.weighted_error", lang), True),
    ]
    rows = [
        [
            period_label(r.quarter.year, r.quarter.quarter, lang),
            cny(r.p10, lang),
            cny(r.p50, lang),
            cny(r.p90, lang),
            cny(r.weighted, lang),
            cny(r.actual, lang),
            "—" if r.empty else t("forecast.yes", lang) if r.inside else t("forecast.no", lang),
            _error(r.p50_error, lang),
            _error(r.weighted_error, lang),
        ]
        for r in record.replays
    ]
    note = t(
        "forecast.track_note",
        lang,
        coverage=pct(record.coverage, lang, 0),
        p50=pct(record.p50_mean_error, lang, 0),
        weighted=pct(record.weighted_mean_error, lang, 0),
    )
    return html.Div(
        [
            html.Div(note, className="small text-muted mb-2"),
            table(head, rows, row_class=["" if r.inside or r.empty else "text-danger" for r in record.replays]),
        ],
        id="forecast-track",
    )


def class_table(classes: Sequence[Any], year: int, lang: str) -> html.Div:
    """The V value per RAD class against the required V of the class's own win rate."""
    head = [
        (t("forecast.class", lang), False),
        (t("forecast.pipeline_due", lang), True),
        (t("forecast.share_last_year", lang), True),
        (t("forecast.remaining", lang), True),
        (t("forecast.v", lang), True),
        (t("forecast.required_v", lang), True),
    ]
    rows = []
    for c in classes:
        v = t("forecast.quota_met", lang) if c.v.quota_met else times(c.v.value, lang) if c.v.value is not None else "—"
        short = c.v.value is not None and c.required_v is not None and c.v.value < c.required_v
        rows.append(
            [
                t(f"rad.class.{c.rad_class}", lang),
                cny(c.pipeline_due, lang),
                pct(c.share, lang, 0) if c.share is not None else "—",
                cny(c.v.remaining, lang) if c.v.remaining is not None else "—",
                html.Span(v, className="text-danger fw-semibold" if short else ""),
                times(c.required_v, lang) if c.required_v is not None else "—",
            ]
        )
    return html.Div(
        [html.Div(t("forecast.classes_note", lang, year=year), className="small text-muted mb-2"), table(head, rows)],
        id="forecast-classes",
    )
