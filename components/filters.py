"""The filter bar: the pickers of a page's filters, drawn from what the page's loader resolved.

What the address asks for and what the viewer may pick is decided in ``metrics.views.filters``; this module
only draws the bar (and the options of its pickers).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import t
from metrics.views.filters import FULL_YEAR, RAD_CHOICES, Choices, Filters, year_choices

YEAR_ID = "filter-year"
QUARTER_ID = "filter-quarter"
TEAM_ID = "filter-team"
REP_ID = "filter-rep"
PRODUCT_ID = "filter-product"
CLASS_ID = "filter-rad"
#: Every control of the bar; a page shows some and keeps the others hidden (the URL callback needs them).
CONTROLS = ("year", "quarter", "team", "rep", "product", "rad")
#: Up to this many teams or reps a picker holds them all; with more (a director of thousands), the browser
#: would index every name on each page load (200 ms at 8,500 reps), so the picker asks the server as one types.
INLINE_CHOICES = 300
#: How many teams or reps a typed search offers.
FOUND_CHOICES = 50


def control(
    control_id: str,
    label: str,
    options: list[Any],
    value: Any,
    *,
    placeholder: str | None = None,
    hidden: bool = False,
    md: int = 2,
) -> dbc.Col:
    """One labelled picker of the bar (pages use it for their own pickers, passed as ``extra``): a dropdown
    with a placeholder is cleared to "all", one without always holds a value."""
    dropdown = dcc.Dropdown(
        id=control_id, options=options, value=value, placeholder=placeholder, clearable=placeholder is not None
    )
    return dbc.Col(
        [dbc.Label(label, html_for=control_id, className="small mb-0"), dropdown],
        xs=6,
        md=md,
        style={"display": "none"} if hidden else None,
    )


Option = dict[str, str | int]


def team_options(choices: Choices) -> list[Option]:
    return [{"label": name, "value": tid} for tid, name in choices.teams]


def rep_options(choices: Choices) -> list[Option]:
    return [{"label": f"{name} ({code})", "value": code} for _i, code, name in choices.reps]


def searched(options: list[Option], chosen: str | int | None, typed: str | None = None) -> list[Option]:
    """A picker's options: all of them up to ``INLINE_CHOICES``; beyond, the chosen one and, when something is
    ``typed``, the first ``FOUND_CHOICES`` whose label holds it (letter case aside)."""
    if len(options) <= INLINE_CHOICES:
        return options
    needle = (typed or "").strip().casefold()
    found = [o for o in options if needle and needle in str(o["label"]).casefold()][:FOUND_CHOICES]
    kept = [o for o in options if o["value"] == chosen and o not in found]
    return kept + found


def _placeholder(options: list[Option], everyone: str, lang: str) -> str:
    if len(options) <= INLINE_CHOICES:
        return t(everyone, lang)
    return t("filter.type_to_find", lang, all=t(everyone, lang))


def filter_bar(
    filters: Filters,
    today: date,
    choices: Choices,
    lang: str,
    show: tuple[str, ...] = CONTROLS,
    extra: tuple[dbc.Col, ...] = (),
) -> html.Div:
    """The pickers named in ``show`` (of ``CONTROLS``), set to ``filters``, then a page's own ``extra``
    columns; the others are drawn hidden, so the one URL callback finds all its inputs on every page. The team
    and rep pickers are hidden when there is one or none to pick (a rep's view)."""
    quarters = [{"label": t("filter.full_year", lang), "value": FULL_YEAR}] + [
        {"label": f"Q{q}", "value": str(q)} for q in (1, 2, 3, 4)
    ]
    teams, reps = team_options(choices), rep_options(choices)  # each built once (8,500 reps: 35 ms a time)
    # a picker with nothing to pick (a rep's own team, their own name) is not shown: on a phone it took the
    # first screen
    show = tuple(c for c in show if not (c == "team" and len(teams) <= 1) and not (c == "rep" and len(reps) <= 1))
    notices = [
        dbc.Alert(t("filter.bad_value", lang, detail=p), color="warning", className="py-1 mb-2")
        for p in filters.problems
    ]
    if filters.deal_filtered and "product" in show:
        notices.append(html.Div(t("filter.deal_note", lang), className="small text-muted mb-2", id="filter-deal-note"))
    columns = [
        control(
            YEAR_ID,
            t("filter.year", lang),
            [{"label": str(y), "value": y} for y in year_choices(choices.years, today, filters.period.year)],
            filters.period.year,
            hidden="year" not in show,
        ),
        control(
            QUARTER_ID,
            t("filter.quarter", lang),
            quarters,
            str(filters.period.quarter) if filters.period.quarter else FULL_YEAR,
            hidden="quarter" not in show,
        ),
        control(
            TEAM_ID,
            t("filter.team", lang),
            searched(teams, filters.team_id),
            filters.team_id,
            placeholder=_placeholder(teams, "filter.all_teams", lang),
            hidden="team" not in show,
        ),
        control(
            REP_ID,
            t("filter.rep", lang),
            searched(reps, filters.rep_code),
            filters.rep_code,
            placeholder=_placeholder(reps, "filter.all_reps", lang),
            hidden="rep" not in show,
        ),
        control(
            PRODUCT_ID,
            t("filter.product", lang),
            [{"label": p, "value": p} for p in choices.product_lines],
            filters.product_line,
            placeholder=t("filter.all_products", lang),
            hidden="product" not in show,
        ),
        control(
            CLASS_ID,
            t("filter.rad", lang),
            [{"label": t(f"rad.class.{c}", lang), "value": c} for c in RAD_CHOICES],
            filters.rad_class,
            placeholder=t("filter.all_classes", lang),
            hidden="rad" not in show,
        ),
    ]
    return html.Div([*notices, dbc.Row([*columns, *extra], className="g-2")], className="filter-bar mb-3")
