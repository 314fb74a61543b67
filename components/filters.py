"""The filter bar and the whitelist that turns a URL query into typed filters.

Filters live in the URL's query string so every view can be bookmarked. Anything a client sends is
checked here: unknown keys are dropped, bad values are ignored with a visible notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html
from sqlalchemy.orm import Session

from components.i18n import t
from data_access import queries
from data_access.scope import Scope
from metrics.period import Period

YEAR_ID = "filter-year"
QUARTER_ID = "filter-quarter"
TEAM_ID = "filter-team"
FULL_YEAR = "all"


@dataclass(frozen=True)
class Filters:
    period: Period
    team_id: int | None = None
    problems: tuple[str, ...] = field(default=())

    def query_string(self) -> str:
        params: dict[str, str] = {"period": self.period.key}
        if self.team_id is not None:
            params["team"] = str(self.team_id)
        return "?" + urlencode(params)


def year_choices(today: date) -> list[int]:
    """The three years the data covers, newest first."""
    return [today.year, today.year - 1, today.year - 2]


def parse_filters(query: dict[str, str], today: date, team_ids: set[int]) -> Filters:
    """Typed filters from a URL query; ``team_ids`` are the teams the viewer may pick."""
    problems: list[str] = []
    period = Period.current_year(today)
    raw_period = query.get("period")
    if raw_period:
        try:
            period = Period.parse(raw_period)
            if period.year not in year_choices(today):
                raise ValueError(f"year {period.year} is outside {year_choices(today)[-1]}-{today.year}")
        except ValueError as exc:
            problems.append(str(exc))
            period = Period.current_year(today)
    team_id: int | None = None
    raw_team = query.get("team")
    if raw_team:
        try:
            team_id = int(raw_team)
        except ValueError:
            problems.append(f"team {raw_team!r} is not a team id")
        else:
            if team_id not in team_ids:
                problems.append(f"team {team_id} is not one of yours")
                team_id = None
    return Filters(period, team_id, tuple(problems))


def resolve_filters(
    session: Session, scope: Scope, query: dict[str, str], today: date
) -> tuple[Filters, list[tuple[int, str]], Scope]:
    """A URL query checked against what the viewer may pick: the filters, the viewer's teams, and the
    viewer's scope narrowed by them (the one query path of every view and download of a filtered page)."""
    teams = queries.teams(session, scope)
    chosen = parse_filters(query, today, {tid for tid, _ in teams})
    return chosen, teams, scope.narrow(team_id=chosen.team_id)


def filters_from_controls(
    year: int | str | None, quarter: str | None, team: int | str | None, keep: dict[str, str] | None = None
) -> str:
    """The query string for the filter bar's current values (inverse of ``parse_filters``); ``keep``
    holds a page's own parameters (e.g. the funnel's ``since``), carried over unchanged."""
    params: dict[str, str] = {k: v for k, v in (keep or {}).items() if k not in ("period", "team")}
    if year:
        params["period"] = f"{int(year)}" if quarter in (None, "", FULL_YEAR) else f"{int(year)}Q{int(quarter)}"
    if team not in (None, ""):
        params["team"] = str(int(team))
    return "?" + urlencode(params) if params else ""


def canonical_query(search: str | None, today: date) -> str:
    """The query string of the view an address shows, in ``filters_from_controls``'s form.

    An address without a period shows the current year; values that do not parse are dropped (the page
    ignores them too). Comparing this with the controls tells a person's change from a redraw.
    """
    query = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
    try:
        period = Period.parse(query["period"]) if query.get("period") else Period.current_year(today)
    except ValueError:
        period = Period.current_year(today)
    team = query.get("team")
    return filters_from_controls(
        period.year, str(period.quarter or FULL_YEAR), team if team and team.isdigit() else None
    )


def filter_bar(filters: Filters, today: date, teams: list[tuple[int, str]], lang: str) -> html.Div:
    """Year, quarter and team pickers, set to ``filters``."""
    quarters = [{"label": t("filter.full_year", lang), "value": FULL_YEAR}] + [
        {"label": f"Q{q}", "value": str(q)} for q in (1, 2, 3, 4)
    ]
    team_options = [{"label": name, "value": tid} for tid, name in teams]
    notices = [
        dbc.Alert(t("filter.bad_value", lang, detail=p), color="warning", className="py-1 mb-2")
        for p in filters.problems
    ]
    return html.Div(
        [
            *notices,
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(t("filter.year", lang), html_for=YEAR_ID, className="small mb-0"),
                            dcc.Dropdown(
                                id=YEAR_ID,
                                options=[{"label": str(y), "value": y} for y in year_choices(today)],
                                value=filters.period.year,
                                clearable=False,
                            ),
                        ],
                        xs=6,
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("filter.quarter", lang), html_for=QUARTER_ID, className="small mb-0"),
                            dcc.Dropdown(
                                id=QUARTER_ID,
                                options=quarters,
                                value=str(filters.period.quarter) if filters.period.quarter else FULL_YEAR,
                                clearable=False,
                            ),
                        ],
                        xs=6,
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("filter.team", lang), html_for=TEAM_ID, className="small mb-0"),
                            dcc.Dropdown(
                                id=TEAM_ID,
                                options=team_options,
                                value=filters.team_id,
                                placeholder=t("filter.all_teams", lang),
                            ),
                        ],
                        xs=12,
                        md=3,
                    ),
                ],
                className="g-2",
            ),
        ],
        className="filter-bar mb-3",
    )
