"""The KPI set of a scope and period, read from the database: the loader part of ``metrics.overview``.

The Overview, the funnel's V gauge, the scorecards and the API's scorecard read the same figures for the same
view, so they are kept (``@kept``) until the data changes. The formulas are ``metrics.overview.kpis_of``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics.overview import OverviewInputs, OverviewKPIs, kpis_of
from metrics.period import Period


def overview_inputs(session: Session, scope: Scope, period: Period, today: date) -> OverviewInputs:
    """The sums of ``kpis_of`` for ``scope``: bookings of the reps (a task book is per rep: no deal filter),
    their task book, the open pipeline (per level, and due by the period's end), the period's and the last
    365 days' closed deals, and the payments due before today."""
    booked, gm_booked = queries.bookings(session, scope.owners(), period.start, period.end)
    closed, history = queries.closed_outcomes_of(
        session, scope, [(period.start, period.end), (today - timedelta(days=364), today)]
    )
    pipeline = queries.open_pipeline_by_level(session, scope, due_by=period.end)
    return OverviewInputs(
        period=period,
        today=today,
        bookings=booked,
        gm_booked=gm_booked,
        quota_rows=queries.quota_rows(session, scope, period.year),
        pipeline=pipeline.drop(columns="due"),
        pipeline_due=float(pipeline["due"].sum()),
        won_count=closed.won_count,
        lost_count=closed.lost_count,
        won_amount=closed.won_amount,
        lost_amount=closed.lost_amount,
        history_won_amount=history.won_amount,
        history_lost_amount=history.lost_amount,
        unpaid=queries.unpaid_payments_due_before(session, scope, today),
        level_probabilities=load_settings(session).level_probabilities,
    )


@kept
def overview_kpis(session: Session, scope: Scope, period: Period, today: date) -> OverviewKPIs:
    """``metrics.overview.kpis_of`` over what ``overview_inputs`` reads (kept until the data changes)."""
    return kpis_of(overview_inputs(session, scope, period, today))
