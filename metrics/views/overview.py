"""The Overview's loader: everything ``/`` shows for one address and viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.users import Viewer
from metrics.overview import OverviewKPIs, aging_frame, kpis_of
from metrics.views.filters import Choices, Filters, resolve_filters
from metrics.views.kpis import overview_inputs


@dataclass(frozen=True)
class OverviewData:
    filters: Filters
    choices: Choices
    kpis: OverviewKPIs
    #: open pipeline per level (level, count, amount): the chart
    pipeline: pd.DataFrame
    has_data: bool
    today: date

    def aging(self) -> pd.DataFrame:
        """The overdue aging table (the page's panel and its download)."""
        return aging_frame(self.kpis)


@kept
def load(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> OverviewData:
    chosen, choices, scope = resolve_filters(session, viewer.scope, query, today)
    inputs = overview_inputs(session, scope, chosen.period, today)  # the chart's levels are the KPIs' own read
    return OverviewData(
        filters=chosen,
        choices=choices,
        kpis=kpis_of(inputs),
        pipeline=inputs.pipeline,
        has_data=queries.has_any_data(session),
        today=today,
    )
