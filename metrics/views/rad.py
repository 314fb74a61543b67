"""The RAD page's loaders: an address's filters checked against the viewer and the settings, the accounts
they show, classed, and what the page, its click, zoom and lasso callbacks and its downloads read of them.

Thresholds come from settings; anyone may preview others (``?r=60&a=15``, percent), a director may save them
(``save_thresholds``, through a write session).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.settings import load_settings, save_setting
from data_access.users import Viewer
from metrics import params, rad_points
from metrics.rad import (
    account_table,
    class_moves,
    class_summary,
    move_of,
    moved_accounts,
    threshold_problem,
    top_accounts,
    top_d_accounts,
)
from metrics.views import filters as url_filters
from metrics.views import reads


@dataclass(frozen=True)
class RadContext:
    """What a URL asks the RAD page for, checked against the viewer and the settings."""

    chosen: url_filters.Filters
    choices: url_filters.Choices
    scope: Scope
    r_min: float
    a_max: float
    preview: bool
    region: str | None
    industry: str | None
    regions: list[str]
    industries: list[str]

    @property
    def year(self) -> int:
        return self.chosen.period.year


def _percent(raw: str | None) -> float | None:
    value = params.number(raw, -(10**6), 10**6)
    return None if value is None else value / 100


def context(session: Session, viewer: Viewer, query: dict[str, str], now: date) -> RadContext:
    """The filters, the viewer's choices and scope, the thresholds (previewed ``r``/``a`` when valid)."""
    settings = load_settings(session)
    chosen, choices, scope = url_filters.resolve_filters(session, viewer.scope, query, now)
    problems: list[str] = []
    r_min, a_max = settings.rad_r_min, settings.rad_a_max
    wanted_r, wanted_a = _percent(query.get("r")), _percent(query.get("a"))
    preview = False
    if wanted_r is not None or wanted_a is not None:
        r, a = wanted_r if wanted_r is not None else r_min, wanted_a if wanted_a is not None else a_max
        problem = threshold_problem(r, a)
        if problem:
            problems.append(problem)
        else:
            r_min, a_max, preview = r, a, (r, a) != (settings.rad_r_min, settings.rad_a_max)
    regions, industries = queries.account_regions_industries(session, viewer.scope)
    region, industry = query.get("region"), query.get("industry")
    if region and region not in regions:
        problems.append(f"region {region[:40]!r} is not one you can pick")
        region = None
    if industry and industry not in industries:
        problems.append(f"industry {industry[:40]!r} is not one you can pick")
        industry = None
    return RadContext(
        chosen.with_problems(*problems),
        choices,
        scope.without_classes(),
        r_min,
        a_max,
        preview,
        region or None,
        industry or None,
        regions,
        industries,
    )


def accounts(
    session: Session,
    ctx: RadContext,
    now: date,
    year: int | None = None,
    codes: list[str] | None = None,
    activity: bool = True,
) -> pd.DataFrame:
    """The accounts of the context's filters (of ``year``, default the context's; or just ``codes``), classed;
    without ``activity``, no pipeline or visits (``queries.rad_accounts``). A whole list is kept classed
    (``queries.rad_table``); picked codes are read each time."""
    probabilities = load_settings(session).level_probabilities
    if codes is None:
        return reads.rad_table(
            session,
            ctx.scope,
            year or ctx.year,
            probabilities,
            now,
            ctx.r_min,
            ctx.a_max,
            region=ctx.region,
            industry=ctx.industry,
            activity=activity,
        )
    rows = queries.rad_accounts(
        session,
        ctx.scope,
        year or ctx.year,
        probabilities,
        now,
        region=ctx.region,
        industry=ctx.industry,
        codes=codes,
        activity=activity,
    )
    return account_table(rows, ctx.r_min, ctx.a_max)


#: What the scatter's zoom and selection need of each account: where it sits and the selection grid's columns.
POINT_COLUMNS = {
    "account_code": str,
    "name": str,
    "rad_class": str,
    "owner": object,
    "region": object,
    "industry": object,
    "bp": float,
    "bookings": float,
    "sow": float,
    "white_space": float,
    "open_pipeline": float,
    "last_visit": object,
    "manual": bool,
    "lx": float,
    "y": float,
    "symbol": int,
}


def scatter_points(session: Session, ctx: RadContext, now: date) -> pd.DataFrame:
    """The scatter's accounts (``rad_points.placed`` of the chosen class) with ``POINT_COLUMNS`` only, kept
    as plain numbers and text: a zoom or a lasso reads these in milliseconds, not the whole classed table."""
    probabilities = load_settings(session).level_probabilities
    return _kept_points(
        session,
        ctx.scope,
        ctx.year,
        probabilities,
        now,
        ctx.r_min,
        ctx.a_max,
        ctx.region,
        ctx.industry,
        ctx.chosen.rad_class,
    )


@kept
def _kept_points(
    session: Session,
    scope: Scope,
    year: int,
    probabilities: Mapping[int, float],
    now: date,
    r_min: float,
    a_max: float,
    region: str | None,
    industry: str | None,
    rad_class: str | None,
) -> pd.DataFrame:
    table = reads.rad_table(session, scope, year, probabilities, now, r_min, a_max, region=region, industry=industry)
    return placed_points(table, r_min, rad_class)


def placed_points(table: pd.DataFrame, r_min: float, rad_class: str | None) -> pd.DataFrame:
    """A classed table's accounts of ``rad_class`` (all of them when None), placed on the scatter
    (``rad_points.placed``), with ``POINT_COLUMNS`` only. The page's loader places the table it already read;
    the zoom and the lasso read the kept points."""
    shown = table if rad_class is None else table[table["rad_class"] == rad_class]
    points = rad_points.placed(shown, r_min)[list(POINT_COLUMNS)]
    return points.astype(POINT_COLUMNS).reset_index(drop=True)


def in_chosen_class(classed: pd.DataFrame, ctx: RadContext) -> pd.DataFrame:
    """``accounts``' rows of the class the filter bar chose (all of them when none is chosen)."""
    if ctx.chosen.rad_class is None:
        return classed
    return classed[classed["rad_class"] == ctx.chosen.rad_class]


@dataclass(frozen=True)
class RadData:
    ctx: RadContext
    #: every class's accounts of the filters (the summary and the moves count every class)
    everything: pd.DataFrame
    #: the accounts of the chosen class (all when none is chosen): the list, TOP 20 and TOP 10 D
    shown: pd.DataFrame
    #: the scatter's placed points (kept: its zoom and lasso read them too)
    points: pd.DataFrame
    summary: pd.DataFrame
    moves: pd.DataFrame
    top: pd.DataFrame
    top_d: pd.DataFrame
    has_data: bool
    is_director: bool
    today: date
    #: the class change the address asks for (``?moved=R-A``) and its accounts (None without one)
    move: tuple[str, str] | None = None
    moved: pd.DataFrame | None = None


def load(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> RadData:
    ctx = context(session, viewer, query, today)
    everything = accounts(session, ctx, today)
    shown = in_chosen_class(everything, ctx)
    before = accounts(session, ctx, today, year=ctx.year - 1, activity=False)  # its classes only
    move = move_of(query.get("moved"))
    return RadData(
        ctx=ctx,
        everything=everything,
        shown=shown,
        points=placed_points(everything, ctx.r_min, ctx.chosen.rad_class),
        summary=class_summary(everything),
        moves=class_moves(before, everything),
        top=top_accounts(shown),
        top_d=top_d_accounts(shown),
        has_data=queries.has_any_data(session),
        is_director=viewer.role == "director",
        today=today,
        move=move,
        moved=moved_accounts(before, everything, move) if move else None,
    )


def moved_list(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> pd.DataFrame:
    """The accounts of the address's class change (its download), in the viewer's scope and filters; empty
    without one."""
    move = move_of(query.get("moved"))
    if move is None:
        return pd.DataFrame()
    ctx = context(session, viewer, query, today)
    before = accounts(session, ctx, today, year=ctx.year - 1, activity=False)
    return moved_accounts(before, accounts(session, ctx, today), move)


def picked_accounts(
    session: Session, viewer: Viewer, query: dict[str, str], today: date, codes: list[str]
) -> pd.DataFrame:
    """The accounts of ``codes`` (a click, a selection, a download of it), re-read in the viewer's scope and
    the address's filters: a code outside them yields nothing."""
    ctx = context(session, viewer, query, today)
    return accounts(session, ctx, today, codes=codes) if codes else accounts(session, ctx, today).head(0)


def chosen_accounts(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> pd.DataFrame:
    """The accounts the page lists (the chosen class's; the download of the list)."""
    return accounts_answer(session, viewer, query, today)[1]


def accounts_answer(
    session: Session, viewer: Viewer, query: dict[str, str], today: date
) -> tuple[url_filters.Filters, pd.DataFrame]:
    """``GET /api/v1/rad``: the filters as checked (the route answers their refusals) and the listed accounts."""
    ctx = context(session, viewer, query, today)
    return ctx.chosen, in_chosen_class(accounts(session, ctx, today), ctx)


def points_in_view(
    session: Session, viewer: Viewer, query: dict[str, str], today: date
) -> tuple[RadContext, pd.DataFrame]:
    """The context and the scatter's placed points of an address (a zoom's redraw, a lasso's count)."""
    ctx = context(session, viewer, query, today)
    return ctx, scatter_points(session, ctx, today)


def saved_thresholds(session: Session, _viewer: Viewer, _query: dict[str, str], _today: date) -> tuple[float, float]:
    """The R and A thresholds in settings (a preview differs from them)."""
    settings = load_settings(session)
    return settings.rad_r_min, settings.rad_a_max


#: What ``save_thresholds`` says to anyone but a director.
NOT_DIRECTOR = "only a director saves the thresholds"


def save_thresholds(session: Session, viewer: Viewer, r_min: float, a_max: float) -> str | None:
    """A director saves the R/A thresholds as everyone's default, in the caller's write session; the problem
    (not a director, thresholds that do not fit) as a sentence instead, nothing written."""
    if viewer.role != "director":
        return NOT_DIRECTOR
    problem = threshold_problem(r_min, a_max)
    if problem:
        return problem
    save_setting(session, "rad_thresholds", {"r_min": r_min, "a_max": a_max})
    return None
