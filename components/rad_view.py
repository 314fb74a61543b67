"""The RAD page's view of a URL: its filters checked against the viewer and the settings, and the accounts
they show, classed. One place for the page, its callbacks and its downloads.

Thresholds come from settings; anyone may preview others (``?r=60&a=15``, percent), a director may save them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs

import pandas as pd
from sqlalchemy.orm import Session

from components import filters
from data_access import queries
from data_access.runtime import viewer_scope
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics.rad import account_table, threshold_problem


@dataclass(frozen=True)
class RadContext:
    """What a URL asks the RAD page for, checked against the viewer and the settings."""

    chosen: filters.Filters
    choices: filters.Choices
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


def query_of(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}


def _percent(raw: str | None) -> float | None:
    try:
        return float(raw) / 100 if raw not in (None, "") else None
    except ValueError:
        return None


def context(session: Session, query: dict[str, str], now: date) -> RadContext:
    """The filters, the viewer's choices and scope, the thresholds (previewed ``r``/``a`` when valid)."""
    settings = load_settings(session)
    chosen, choices, scope = filters.resolve_filters(session, viewer_scope(), query, now)
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
    regions, industries = queries.account_regions_industries(session, viewer_scope())
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
    without ``activity``, no pipeline or visits (``queries.rad_accounts``)."""
    probabilities = load_settings(session).level_probabilities
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


def in_chosen_class(classed: pd.DataFrame, ctx: RadContext) -> pd.DataFrame:
    """``accounts``' rows of the class the filter bar chose (all of them when none is chosen)."""
    if ctx.chosen.rad_class is None:
        return classed
    return classed[classed["rad_class"] == ctx.chosen.rad_class]
