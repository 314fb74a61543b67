"""The Overview's loader: everything ``/`` shows for one address and viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.users import Viewer
from metrics.overview import (
    Drill,
    OverviewKPIs,
    aging_frame,
    bucket_days,
    drill_of,
    group_track,
    kpis_of,
)
from metrics.period import Period
from metrics.scorecard import cumulative_target
from metrics.views.filters import Choices, Filters, resolve_filters
from metrics.views.kpis import overview_inputs

#: A list behind a number shows its first rows on the page (largest or oldest first; its title counts them
#: all); the download has up to DOWNLOAD_ROWS.
DRILL_ROWS = 200
DOWNLOAD_ROWS = 10_000


@dataclass(frozen=True)
class OverviewData:
    filters: Filters
    choices: Choices
    kpis: OverviewKPIs
    #: open pipeline per level (level, count, amount): the chart
    pipeline: pd.DataFrame
    has_data: bool
    today: date
    #: bookings by month of the period against the cumulative target (``metrics.scorecard.cumulative_target``)
    track: pd.DataFrame
    #: "team" or "rep": whose line ``groups`` has (None: one rep, no breakdown)
    group_by: str | None
    #: bookings against target per team or rep, largest gap first (``metrics.overview.group_track``), with
    #: ``name`` (and ``rep_code`` for reps)
    groups: pd.DataFrame
    #: the list the address asks for (``?list=``) and its first DRILL_ROWS rows
    drill: Drill | None = None
    listed: queries.Listed | None = None

    def aging(self) -> pd.DataFrame:
        """The overdue aging table (the page's panel and its download)."""
        return aging_frame(self.kpis)


@kept
def load(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> OverviewData:
    chosen, choices, scope = resolve_filters(session, viewer.scope, query, today)
    inputs = overview_inputs(session, scope, chosen.period, today)  # the chart's levels are the KPIs' own read
    group_by = _group_by(chosen, choices)
    period = chosen.period
    booked = queries.bookings_by_month(session, scope.owners(), period.start, period.end, group_by or "rep")
    drill = drill_of(query)
    kpis = kpis_of(inputs)
    return OverviewData(
        filters=chosen,
        choices=choices,
        kpis=kpis,
        pipeline=inputs.pipeline,
        has_data=queries.has_any_data(session),
        today=today,
        track=cumulative_target(booked, kpis.revenue_target, period, today),
        group_by=group_by,
        groups=_groups(session, scope, booked, inputs.quota_rows, chosen, choices, group_by),
        drill=drill,
        listed=_listed(session, scope, chosen.period, today, drill, DRILL_ROWS) if drill else None,
    )


def _group_by(chosen: Filters, choices: Choices) -> str | None:
    """Teams for a viewer of several with none chosen, else reps when there are several, else no breakdown."""
    if chosen.rep_code is not None:
        return None
    if chosen.team_id is None and len(choices.teams) > 1:
        return "team"
    return "rep" if len(choices.reps) > 1 else None


def _groups(
    session: Session,
    scope: Scope,
    booked: pd.DataFrame,
    quotas: pd.DataFrame,
    chosen: Filters,
    choices: Choices,
    group_by: str | None,
) -> pd.DataFrame:
    if group_by is None:
        return pd.DataFrame(columns=["key", "name", "bookings", "target", "attainment", "gap"])
    group_of = queries.rep_teams(session, scope.owners()) if group_by == "team" else None
    out = group_track(booked, quotas, group_of, chosen.period.quarter)
    if group_by == "team":
        names = {team_id: name for team_id, name in choices.teams}
        out["name"] = [names.get(k, "") if k is not None and not pd.isna(k) else "" for k in out["key"]]
    else:
        reps = {rep_id: (code, name) for rep_id, code, name in choices.reps}
        out = out[out["key"].isin(list(reps))].reset_index(drop=True)
        out["rep_code"] = [reps[int(k)][0] for k in out["key"]]
        out["name"] = [reps[int(k)][1] for k in out["key"]]
    return out


def _listed(session: Session, scope: Scope, period: Period, today: date, drill: Drill, limit: int) -> queries.Listed:
    """The rows behind a number, in the scope that number has: bookings count every deal of the reps in scope
    (a task book is per rep), the rest the deals the filters leave."""
    if drill.kind == "bookings":
        return queries.booked_contracts(session, scope.owners(), period.start, period.end, limit)
    if drill.kind == "overdue":
        first, last = bucket_days(drill.bucket) if drill.bucket else (1, None)
        return queries.overdue_list(session, scope, today, first, last, limit)
    return queries.listed_deals(session, scope, drill.kind, period.start, period.end, drill.level, limit)


def drill_rows(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> pd.DataFrame:
    """The list the address names, up to DOWNLOAD_ROWS rows (the download); empty without one."""
    drill = drill_of(query)
    if drill is None:
        return pd.DataFrame()
    chosen, _choices, scope = resolve_filters(session, viewer.scope, query, today)
    return _listed(session, scope, chosen.period, today, drill, DOWNLOAD_ROWS).rows
