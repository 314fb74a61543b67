"""The scorecards' loaders: the leaderboard (managers and directors), one rep's scorecard (a rep always gets
their own), the printable task book (``?view=taskbook``) and the commission what-if of picked deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.models import ROLES
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics.commission import Payout, commission_payout
from metrics.frames import records
from metrics.overview import OverviewKPIs
from metrics.period import Period
from metrics.scorecard import WhatIf, coverage, cumulative_target, leaderboard, rolled_up, what_if
from metrics.views import reads
from metrics.views.actions import ActionList, action_list
from metrics.views.filters import Choices, Filters, rep_named, resolve_filters
from metrics.views.kpis import overview_kpis

#: (id, code, name) of a rep
Rep = tuple[int, str, str]
#: The scorecard lists the rep's oldest overdue payments, at most this many (``queries.overdue_list``, the
#: Overview's overdue list: the same rows and sums as the overdue tile)
LATE_ROWS = 200


def rep_of(session: Session, viewer: Viewer, query: dict[str, str]) -> Rep | None:
    """The rep the address asks for (``?rep=CODE``, any rep row the viewer may see: ``filters.rep_named``); a
    rep always gets themselves."""
    if viewer.role == "rep":
        reps = reads.reps_in_scope(session, viewer.scope)
        return reps[0] if reps else None
    return rep_named(session, viewer.scope, query.get("rep"))


def week_of(today: date) -> tuple[date, date]:
    """Monday to Sunday of the ISO week holding ``today``."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def target_codes(book: pd.DataFrame, quarter: int | None) -> list[str]:
    """The task book's target accounts for the period: the quarter's row if it names some, else the year's."""
    if book.empty:
        return []
    rows = book[book["quarter"] == quarter] if quarter else book[book["quarter"].isna()]
    if rows.empty or not rows["target_account_codes"].notna().any():
        rows = book
    codes: list[str] = []
    for text in rows["target_account_codes"].dropna():
        codes += [c.strip() for c in str(text).split(",") if c.strip() and c.strip() not in codes]
    return codes


def _board(
    session: Session, scope: Scope, period: Period, today: date, roles: tuple[str, ...] = ("rep",)
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The leaderboard and the team rollup of ``scope``'s rep rows of ``roles`` (the board lists sales reps)."""
    probabilities = load_settings(session).level_probabilities
    rollup = reads.rep_rollup(session, scope, period.start, period.end, today, probabilities, roles)
    quotas = queries.quota_rows(session, scope, period.year)
    return leaderboard(rollup, quotas, period, today), rolled_up(rollup, quotas, period, today)


@dataclass(frozen=True)
class CardData:
    """One rep's figures of an address: the KPIs and the commission payout (the API's scorecard)."""

    filters: Filters
    rep: Rep
    kpis: OverviewKPIs
    payout: Payout | None
    #: the rep's region (the reps sheet's ``region``)
    region: str | None = None


@dataclass(frozen=True)
class NoRep:
    """A user with the rep role but no rep row: nothing to show."""


@dataclass(frozen=True)
class BoardData:
    filters: Filters
    choices: Choices
    board: pd.DataFrame
    teams: pd.DataFrame
    has_data: bool
    today: date


@dataclass(frozen=True)
class ScorecardData:
    filters: Filters
    choices: Choices
    rep: Rep
    kpis: OverviewKPIs
    #: the rep's leaderboard line (empty when the rep has none)
    line: dict[str, Any]
    payout: Payout | None
    pipeline: pd.DataFrame
    months: pd.DataFrame
    #: the task book's target accounts: visited, with pipeline, booked (``queries.account_coverage``)
    covered: pd.DataFrame
    coverage: dict[str, int]
    target_codes: list[str]
    week: pd.DataFrame
    by_class: pd.DataFrame
    #: the rep's overdue payments, oldest first (``queries.OVERDUE_COLUMNS``: owed = amount less what was paid)
    late: list[dict[str, Any]]
    deals: list[dict[str, Any]]
    today: date
    #: the rep's training hours in the period's year against the yearly requirement (培训)
    training_hours: float = 0.0
    training_required: float = 40.0
    #: the rep's next best actions (``metrics.views.actions``)
    actions: ActionList = field(default_factory=ActionList)
    #: the rep's region (the reps sheet's ``region``)
    region: str | None = None


@dataclass(frozen=True)
class TaskbookData:
    filters: Filters
    rep: Rep
    book: pd.DataFrame
    kpis: OverviewKPIs
    payout: Payout | None
    tiers: tuple[tuple[float, float | None, float], ...]
    target_codes: list[str]
    accounts: pd.DataFrame
    today: date
    #: the company named at the head (``salesradar company``); empty: none
    company: str = ""


def _rep_view(
    session: Session, viewer: Viewer, query: dict[str, str], today: date, rep: Rep
) -> tuple[Filters, Choices, Scope]:
    chosen, choices, scope = resolve_filters(session, viewer.scope, {**query, "rep": rep[1]}, today)
    return chosen, choices, scope.narrow(rep_id=rep[0])


def _payout(k: OverviewKPIs, tiers: tuple[tuple[float, float | None, float], ...]) -> Payout | None:
    if k.target_commission is None or k.attainment is None:
        return None
    return commission_payout(k.target_commission, k.attainment, tiers)


def _card(
    session: Session, viewer: Viewer, query: dict[str, str], today: date, rep: Rep
) -> tuple[CardData, Choices, Scope]:
    """The rep's card (the KPIs and payout every scorecard view shows), their choices and their scope."""
    chosen, choices, rep_scope = _rep_view(session, viewer, query, today, rep)
    k = overview_kpis(session, rep_scope, chosen.period, today)
    region = queries.rep_region(session, rep_scope, rep[0])
    card = CardData(chosen, rep, k, _payout(k, load_settings(session).commission_tiers), region)
    return card, choices, rep_scope


@kept
def load_card(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> CardData | None:
    """The card of the address's rep (``rep_of``), None without one."""
    rep = rep_of(session, viewer, query)
    return None if rep is None else _card(session, viewer, query, today, rep)[0]


@kept
def load(
    session: Session, viewer: Viewer, query: dict[str, str], today: date
) -> NoRep | BoardData | ScorecardData | TaskbookData:
    rep = rep_of(session, viewer, query)
    if rep is None:
        return NoRep() if viewer.role == "rep" else load_board(session, viewer, query, today)
    if query.get("view") == "taskbook":
        return load_taskbook(session, viewer, query, today, rep)
    return load_scorecard(session, viewer, query, today, rep)


def load_board(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> BoardData:
    chosen, choices, scope = resolve_filters(session, viewer.scope, query, today)
    board, teams = _board(session, scope, chosen.period, today)
    return BoardData(chosen, choices, board, teams, queries.has_any_data(session), today)


def load_scorecard(session: Session, viewer: Viewer, query: dict[str, str], today: date, rep: Rep) -> ScorecardData:
    card, choices, rep_scope = _card(session, viewer, query, today, rep)
    settings = load_settings(session)
    chosen, p, k = card.filters, card.filters.period, card.kpis
    board, _teams = _board(session, rep_scope, p, today, ROLES)  # the addressed rep row, whatever its role
    codes = target_codes(queries.task_book(session, rep_scope, rep[0], p.year), p.quarter)
    covered = queries.account_coverage(session, rep_scope, codes, p.start, p.end, today)
    week_start, week_end = week_of(today)
    return ScorecardData(
        filters=chosen,
        choices=choices,
        rep=rep,
        region=card.region,
        kpis=k,
        line=records(board.head(1))[0] if not board.empty else {},
        payout=card.payout,
        pipeline=queries.open_pipeline_by_level(session, rep_scope),
        months=cumulative_target(
            queries.bookings_by_month(session, rep_scope, p.start, p.end, "rep"), k.revenue_target, p, today
        ),
        covered=covered,
        coverage=coverage(covered, codes),
        target_codes=codes,
        week=queries.week_visits(session, rep_scope, week_start, week_end),
        by_class=queries.visits_by_class(
            session, rep_scope, p.start, min(p.end, today), p.year, settings.rad_r_min, settings.rad_a_max
        ),
        late=records(queries.overdue_list(session, rep_scope, today, 1, None, LATE_ROWS).rows),
        deals=records(queries.open_deals_due(session, rep_scope, p.end)),
        today=today,
        training_hours=queries.training_hours(session, rep_scope.owners(), p.year).get(rep[0], 0.0),
        training_required=settings.training_required_hours,
        actions=action_list(session, rep_scope.owners(), today),
    )


def load_taskbook(session: Session, viewer: Viewer, query: dict[str, str], today: date, rep: Rep) -> TaskbookData:
    card, _choices, rep_scope = _card(session, viewer, query, today, rep)
    p = card.filters.period
    book = queries.task_book(session, rep_scope, rep[0], p.year)
    settings = load_settings(session)
    tiers = settings.commission_tiers
    codes = target_codes(book, p.quarter)
    return TaskbookData(
        filters=card.filters,
        rep=rep,
        book=book,
        kpis=card.kpis,
        payout=card.payout,
        tiers=tiers,
        target_codes=codes,
        accounts=queries.account_coverage(session, rep_scope, codes, p.start, p.end, today),
        today=today,
        company=settings.company_name,
    )


def whatif_of(
    session: Session, viewer: Viewer, query: dict[str, str], today: date, codes: list[str]
) -> tuple[WhatIf, int] | None:
    """ "If these open deals close", for the rep on screen: the new attainment and payout, and how many of
    ``codes`` counted (only open deals in the viewer's scope count, whatever codes arrive)."""
    rep = rep_of(session, viewer, query)
    if rep is None:
        return None
    card, _choices, rep_scope = _card(session, viewer, query, today, rep)
    k = card.kpis
    amounts = queries.open_amounts(session, rep_scope, codes)
    tiers = load_settings(session).commission_tiers
    return what_if(k.bookings, k.revenue_target, k.target_commission, list(amounts.values()), tiers), len(amounts)
