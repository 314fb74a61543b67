"""The funnel page's loaders: ``load`` for ``/funnel`` (levels to cash, movement, health, stalled deals, the
deals of a chosen level), ``load_review`` for the weekly review (one rep at a time) and ``stage_deals`` for
a level's download. Each reads the address's filters once (``metrics.views.filters``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics import params
from metrics.frames import records
from metrics.funnel import (
    Calibration,
    LevelConversion,
    calibration_from_counts,
    conversion_from_counts,
    days_at_levels,
    stage_values,
)
from metrics.movement import LISTS, Movement, movement
from metrics.overview import OverviewKPIs, group_track
from metrics.period import Period
from metrics.views import reads
from metrics.views.filters import Choices, Filters, resolve_filters
from metrics.views.kpis import overview_kpis

MEASURES = ("count", "amount", "weighted")
#: The funnel's stages: open levels 1-5, won deals still collecting ("5w"), collected (6).
STAGES = queries.STAGES
STALLED_DAYS = 30
#: How many deals of a movement step the page lists (the step's title counts them all)
LIST_ROWS = 100
#: How many stalled deals the page lists (the note counts them all)
STALLED_ROWS = 50
REVIEW_LISTS = ("new", "advanced", "won", "lost")
REVIEW_ROWS = 4
#: How many of the rep's open deals the review lists (highest level first; the count says how many in all)
REVIEW_DEALS = 8


def since_of(query: dict[str, str], today: date) -> tuple[date, str | None]:
    """``?since=YYYY-MM-DD``: the start of the movement window (default a week ago), before today and within
    three years; anything else is the default and a notice."""
    raw = query.get("since")
    if not raw:
        return today - timedelta(days=7), None
    try:
        since = date.fromisoformat(raw)
    except ValueError:
        return today - timedelta(days=7), f"since {raw[:40]!r} is not a date (YYYY-MM-DD)"
    if not today - timedelta(days=3 * 366) <= since < today:
        return today - timedelta(days=7), f"since {raw} must be before today and within three years"
    return since, None


def stalled_days_of(query: dict[str, str]) -> tuple[int, str | None]:
    """``?stalled=N``: the days without a level change after which a deal counts as stalled (default 30)."""
    raw = query.get("stalled")
    if not raw:
        return STALLED_DAYS, None
    days = params.whole(raw, 1, 3650)
    if days is None:
        return STALLED_DAYS, f"stalled {raw[:40]!r} must be a number of days from 1 to 3650"
    return days, None


@kept
def movement_of(
    session: Session, scope: Scope, start: date, end: date, period_end: date, pipeline_due: float | None = None
) -> Movement:
    """``metrics.movement.movement`` of the deals in ``scope``, read through ``queries.movement_rows``; kept
    until the data changes. ``pipeline_due``: the period's open pipeline due, when the caller holds it (the KPI
    set's V value)."""
    opps, changes, history, steady = queries.movement_rows(session, scope, start, end, period_end, pipeline_due)
    return movement(opps, changes, history, start, end, period_end, steady)


def _by_code(session: Session, scope: Scope, codes: list[str]) -> dict[str, dict[str, Any]]:
    return {r["opp_code"]: r for r in records(queries.opportunity_rows(session, scope, codes))}


@dataclass(frozen=True)
class LevelsData:
    """The funnel's levels of an address: count, amount and weighted per stage (``stages``)."""

    filters: Filters
    stages: pd.DataFrame

    def open_levels(self) -> pd.DataFrame:
        """The open levels 1-5 only (``level`` as a number), the pipeline the API reports."""
        rows = self.stages[self.stages["stage"].isin([str(lv) for lv in range(1, 6)])].copy()
        rows.insert(0, "level", rows.pop("stage").astype(int))
        return rows.reset_index(drop=True)


def _stages(session: Session, scope: Scope, period: Period, probabilities: Mapping[int, float]) -> pd.DataFrame:
    return stage_values(reads.funnel_stages(session, scope, period.start, period.end), probabilities)


@kept
def load_levels(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> LevelsData:
    """The levels of the page's chart (the API's ``/funnel`` reads this, the page the same ``_stages``)."""
    chosen, _choices, scope = resolve_filters(session, viewer.scope, query, today)
    return LevelsData(chosen, _stages(session, scope, chosen.period, load_settings(session).level_probabilities))


@dataclass(frozen=True)
class FunnelData:
    filters: Filters
    choices: Choices
    today: date
    since: date
    stalled_days: int
    measure: str
    #: the chosen level's stage key (``?level=``), None when none is chosen
    stage: str | None
    #: count, amount and weighted per stage (open levels 1-5, then won deals collecting and collected)
    stages: pd.DataFrame
    stage_rows: list[dict[str, Any]]
    moved: Movement
    #: the deals of each movement step listed on the page (code -> row)
    details: dict[str, dict[str, Any]]
    kpis: OverviewKPIs
    stuck: pd.DataFrame
    stuck_total: int
    stuck_rows: list[dict[str, Any]]
    conversion: list[LevelConversion]
    calibration: list[Calibration]
    days_at: dict[int, float | None]
    has_data: bool


@kept
def load(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> FunnelData:
    since, since_problem = since_of(query, today)
    stalled_days, stalled_problem = stalled_days_of(query)
    chosen, choices, scope = resolve_filters(session, viewer.scope, query, today)
    problems = tuple(p for p in (since_problem, stalled_problem) if p)
    if problems:
        chosen = chosen.with_problems(*problems)
    period = chosen.period
    probabilities = load_settings(session).level_probabilities
    stage = params.one_of(query.get("level"), queries.STAGES)
    kpis = overview_kpis(session, scope, period, today)
    moved = movement_of(session, scope, since, today, period.end, kpis.v.pipeline_due)
    stuck, stuck_total = reads.stalled_deals(session, scope, today, stalled_days, limit=STALLED_ROWS)
    listed = sorted({c for name in LISTS for c in moved.lists[name][: LIST_ROWS * 5]})
    health = reads.level_health(session, scope, today)
    return FunnelData(
        filters=chosen,
        choices=choices,
        today=today,
        since=since,
        stalled_days=stalled_days,
        measure=params.one_of(query.get("measure"), MEASURES) or "amount",
        stage=stage,
        stages=_stages(session, scope, period, probabilities),
        stage_rows=records(queries.stage_opportunities(session, scope, stage, period.start, period.end))
        if stage
        else [],
        moved=moved,
        details=_by_code(session, scope, listed),
        kpis=kpis,
        stuck=stuck,
        stuck_total=stuck_total,
        stuck_rows=records(
            queries.opportunity_rows(session, scope, ids=stuck["opportunity_id"].tolist()[:STALLED_ROWS])
        ),
        conversion=conversion_from_counts(health),
        calibration=calibration_from_counts(health, probabilities),
        days_at=days_at_levels(health),
        has_data=queries.has_any_data(session),
    )


@dataclass(frozen=True)
class ReviewData:
    """One slide of the weekly review: the team's (``index`` None: its numbers, its week and the reps ranked by
    gap to quota) or a rep's (their numbers, their week, their open deals)."""

    filters: Filters
    today: date
    since: date
    #: (code, name) of every rep in scope, in the order the review steps through them: largest gap first
    reps: list[tuple[str, str]]
    #: the rep on screen (an index of ``reps``); None for the team's slide
    index: int | None
    kpis: OverviewKPIs | None
    moved: Movement | None
    details: dict[str, dict[str, Any]]
    #: the rep's open deals, highest level first (``REVIEW_DEALS`` of them), with ``idle_days`` at their level
    #: and ``stalled`` (no level change for ``STALLED_DAYS``): what a one-on-one review talks about
    deals: list[dict[str, Any]] = field(default_factory=list)
    open_count: int = 0
    #: the reps by gap to their quota of the period, largest first: rep_code, name, bookings, target,
    #: attainment, gap (``metrics.overview.group_track``; a rep with neither bookings nor a target last)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    #: whose slide the team's is: the chosen team's name, None for every team in scope
    team_name: str | None = None


#: The printable deck (``?review=print``) holds the team's slide and at most this many reps' slides
REVIEW_DECK_REPS = 30


def _ranking(session: Session, scope: Scope, period: Period, reps: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """The reps in scope by gap to their quota (bookings of the period against the task book), largest first."""
    booked = queries.bookings_by_month(session, scope.owners(), period.start, period.end, "rep")
    quotas = queries.quota_rows(session, scope.owners(), period.year)
    names = {rep_id: (code, name) for rep_id, code, name in reps}
    ranked = [r for r in records(group_track(booked, quotas, None, period.quarter)) if int(r["key"]) in names]
    seen = {int(r["key"]) for r in ranked}
    ranked += [
        {"key": i, "bookings": 0.0, "target": None, "attainment": None, "gap": None} for i in names if i not in seen
    ]
    return [{**r, "rep_code": names[int(r["key"])][0], "name": names[int(r["key"])][1]} for r in ranked]


@dataclass(frozen=True)
class _Review:
    """What every slide of one review shares: the filters, the scope, the reps ranked by gap, the team's name."""

    filters: Filters
    scope: Scope
    ranking: list[dict[str, Any]]
    team_name: str | None


def _review(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> _Review:
    """``?rep=`` is not a filter here: the team, period and deal filters narrow the reps, read and ranked once."""
    without_rep = {k: v for k, v in query.items() if k not in ("rep", "review")}
    chosen, choices, scope = resolve_filters(session, viewer.scope, without_rep, today)
    reps = reads.reps_in_scope(session, scope)
    ranking = _ranking(session, scope, chosen.period, reps) if reps else []
    teams = dict(choices.teams)
    team_name = teams.get(chosen.team_id) if chosen.team_id is not None else _only(choices.teams)
    return _Review(chosen, scope, ranking, team_name)


def _slide(session: Session, review: _Review, index: int | None, today: date) -> ReviewData:
    """The team's slide (``index`` None) or the ``index``-th ranked rep's."""
    chosen, scope, ranking, since = review.filters, review.scope, review.ranking, today - timedelta(days=7)
    if not ranking:
        return ReviewData(chosen, today, since, [], None, None, None, {})
    slide_scope = scope if index is None else scope.narrow(rep_id=int(ranking[index]["key"]))
    kpis = overview_kpis(session, slide_scope, chosen.period, today)
    moved = movement_of(session, slide_scope, since, today, chosen.period.end, kpis.v.pipeline_due)
    wanted = sorted({c for name in REVIEW_LISTS for c in moved.lists[name][:REVIEW_ROWS]})
    deals = records(queries.open_deals_by_level(session, slide_scope, REVIEW_DEALS)) if index is not None else []
    for d in deals:
        d["idle_days"] = (today - d["since"]).days if d["since"] else None
        d["stalled"] = d["idle_days"] is not None and d["idle_days"] > STALLED_DAYS
    return ReviewData(
        filters=chosen,
        today=today,
        since=since,
        reps=[(r["rep_code"], r["name"]) for r in ranking],
        index=index,
        kpis=kpis,
        moved=moved,
        details=_by_code(session, slide_scope, wanted),
        deals=deals,
        open_count=kpis.open_count,
        ranking=ranking,
        team_name=review.team_name,
    )


@kept
def load_review(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> ReviewData:
    """``?rep=`` is the rep on screen here (not a filter): the team, period and deal filters narrow the reps.
    Without one (or with one outside the scope), the team's slide; a viewer with one rep sees that rep's."""
    review = _review(session, viewer, query, today)
    codes = [r["rep_code"] for r in review.ranking]
    index = codes.index(query["rep"]) if query.get("rep") in codes else 0 if len(codes) == 1 else None
    return _slide(session, review, index, today)


def _only(teams: list[tuple[int, str]]) -> str | None:
    """The name of a viewer's one team (a manager's), None for several."""
    return teams[0][1] if len(teams) == 1 else None


@kept
def load_review_deck(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> list[ReviewData]:
    """The whole review to print: the team's slide, then each rep's in the review's order (at most
    ``REVIEW_DECK_REPS``), the reps read and ranked once for all of them."""
    review = _review(session, viewer, query, today)
    if len(review.ranking) == 1:  # one rep: their slide is the deck
        return [_slide(session, review, 0, today)]
    reps = range(min(len(review.ranking), REVIEW_DECK_REPS))
    return [_slide(session, review, None, today), *(_slide(session, review, i, today) for i in reps)]


def stage_deals(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> pd.DataFrame:
    """Every deal of the address's level (the download of the level's grid); empty without a level."""
    stage = params.one_of(query.get("level"), queries.STAGES)
    if stage is None:
        return pd.DataFrame()
    chosen, _choices, scope = resolve_filters(session, viewer.scope, query, today)
    return queries.stage_opportunities(session, scope, stage, chosen.period.start, chosen.period.end)
