"""The slow reads several views share, kept (``data_access.result_cache.kept``) until the data changes.

The loaders keep their own answers too (each page's ``load``); a read belongs here when views that differ in
their address still read it the same way: the funnel's level health for every chosen level and measure, the
RAD page's accounts for every zoom, lasso and threshold preview, the classes of a year for every win/loss
segment and drill, the filter bar's choices for every view. Each is the ``data_access.queries`` function of
the same name, kept; ``rad_table`` adds the classing (``metrics.rad.account_table``) to the kept rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from metrics.rad import account_table

# the filter bar's choices (80 ms at 8,500 reps, behind every filtered view and callback)
reps_in_scope = kept(queries.reps_in_scope)
product_lines = kept(queries.product_lines)
# the funnel: 0.3 s at a million deals each, for every level, measure and movement window of one period
funnel_stages = kept(queries.funnel_stages)
# conversion over a year, calibration and days at level over all history, in one read of the deal_levels summary
level_health = kept(queries.level_health)
stalled_deals = kept(queries.stalled_deals)
# the scorecards' one grouped pass over every rep
rep_rollup = kept(queries.rep_rollup)
# win/loss: the same for every segment and drill of a period
closed_shape = kept(queries.closed_shape)
loss_reasons = kept(queries.loss_reasons)
competitor_outcomes = kept(queries.competitor_outcomes)
# every account's class in a year, the same for every viewer (pass Scope.everything())
year_classes = kept(queries.year_classes)
# the RAD page's accounts: seconds at 75,000 (a picked few, ``codes``, are read each time instead)
account_rows = kept(queries.rad_accounts)


@kept
def rad_table(
    session: Session,
    scope: Scope,
    year: int,
    probabilities: Mapping[int, float],
    today: date,
    r_min: float,
    a_max: float,
    *,
    region: str | None = None,
    industry: str | None = None,
    activity: bool = True,
) -> pd.DataFrame:
    """``account_rows`` classed with these thresholds (``metrics.rad.account_table``): classing 75,000 accounts
    takes 0.45 s, and each zoom and lasso of the RAD scatter needs them (a threshold preview re-classes the
    kept rows)."""
    rows = account_rows(session, scope, year, probabilities, today, region=region, industry=industry, activity=activity)
    return account_table(rows, r_min, a_max)


@kept
def _company_years(session: Session, everyone: Scope) -> list[int]:
    return queries.data_years(session)


def data_years(session: Session) -> list[int]:
    """The years that hold data (``queries.data_years``, the whole company's: every viewer is offered the same
    years), kept until the data changes."""
    return _company_years(session, Scope.everything())
