"""The win/loss page's loader: everything ``/winloss`` shows for one address and viewer, and the deals of a
drill for its download (all of them) and its grid (the largest ``DRILL_ROWS``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.users import Viewer
from metrics import winloss
from metrics.period import Period
from metrics.views import reads
from metrics.views.filters import Choices, Filters, resolve_filters

#: A drill's grid lists at most this many deals, the largest (the download has them all).
DRILL_ROWS = 2000


@dataclass(frozen=True)
class WinLossData:
    filters: Filters
    choices: Choices
    segment: str
    drill: winloss.Drill | None
    #: closed deals counted per segment key (``queries.closed_tally``) and the reps' labels
    tallies: pd.DataFrame
    rep_labels: dict[str, str]
    #: closed deals per status, level and cycle (``queries.closed_shape``)
    shape: pd.DataFrame
    #: the drill's largest deals and how many it has in all (None without a drill)
    drilled: tuple[pd.DataFrame, int] | None
    #: lost deals per reason (``queries.loss_reasons``) and their Pareto (``winloss.loss_pareto``)
    lost_reasons: pd.DataFrame
    reasons: pd.DataFrame
    #: won and lost per competitor (``queries.competitor_outcomes``) and the head-to-head table of it
    competitors: pd.DataFrame
    head_to_head: pd.DataFrame
    quarters: list[Period]
    trend: pd.DataFrame
    has_data: bool
    today: date

    def segment_rates(self) -> pd.DataFrame:
        """Win rate by count and by amount per key of the chosen segment (``winloss.ranked_rates``)."""
        return winloss.ranked_rates(winloss.regroup(self.tallies, self.segment), self.segment, self.rep_labels)


def _every_class(session: Session, scope: Scope, year: int) -> Mapping[int, str] | None:
    """Every account's class in ``year`` (kept, the same for every viewer) for a view of every account; None
    for a part of them (a team, a rep), whose deals' accounts are classed alone (``queries.closed_tally``)."""
    return reads.year_classes(session, Scope.everything(), year) if scope.is_everything else None


@kept
def load(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> WinLossData:
    segment, segment_problem = winloss.chosen_segment(query)
    drill = winloss.Drill.from_query(query)
    chosen, choices, scope = resolve_filters(session, viewer.scope, query, today)
    if segment_problem:
        chosen = chosen.with_problems(segment_problem)
    start, end = chosen.period.start, chosen.period.end
    classes = _every_class(session, scope, end.year) if segment == "rad_class" or drill else None
    tallies, rep_labels = queries.closed_tally(session, scope, start, end, segment, classes)
    drilled = None
    if drill:
        deals = queries.closed_deals(session, scope, start, end, drill, limit=DRILL_ROWS, classes=classes)
        drilled = (deals, queries.closed_count(session, scope, start, end, drill))
    quarters = winloss.trend_quarters(end)
    by_day = queries.closed_by_day(session, scope, min(q.start for q in quarters), max(q.end for q in quarters))
    lost_reasons = reads.loss_reasons(session, scope, start, end)
    competitors = reads.competitor_outcomes(session, scope, start, end)
    return WinLossData(
        filters=chosen,
        choices=choices,
        segment=segment,
        drill=drill,
        tallies=tallies,
        rep_labels=rep_labels,
        shape=reads.closed_shape(session, scope, start, end),
        drilled=drilled,
        lost_reasons=lost_reasons,
        reasons=winloss.loss_pareto(lost_reasons),
        competitors=competitors,
        head_to_head=winloss.head_to_head(competitors),
        quarters=quarters,
        trend=winloss.win_rate_trend({q: winloss.outcomes_in(by_day, q) for q in quarters}),
        has_data=queries.has_any_data(session),
        today=today,
    )


def drill_deals(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> pd.DataFrame:
    """Every deal behind the address's drill (the download's rows), as the page's grid shows them; empty
    without a drill."""
    drill = winloss.Drill.from_query(query)
    if drill is None:
        return pd.DataFrame()
    chosen, _choices, scope = resolve_filters(session, viewer.scope, query, today)
    period = chosen.period
    classes = _every_class(session, scope, period.end.year)
    deals = queries.closed_deals(session, scope, period.start, period.end, drill, classes=classes)
    return winloss.deals_behind(deals, drill)
