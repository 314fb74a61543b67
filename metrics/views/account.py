"""The account page's loader: ``/accounts/<account_code>`` for one viewer (``query["account_code"]`` is the
path's code); None where the code is unknown or outside the viewer's scope (they look the same)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics import params
from metrics.frames import records
from metrics.rad import account_table


@dataclass(frozen=True)
class AccountData:
    code: str
    account: dict[str, Any]
    #: the account's RAD row (BP, bookings, SOW, class, white space, pipeline) for each of the last three years
    history: pd.DataFrame
    contacts: pd.DataFrame
    opportunities: list[dict[str, Any]]
    visits: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    today: date


@kept
def load(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> AccountData | None:
    code = params.path_code(query.get("account_code")) or ""  # a code with control characters names nothing
    scope = viewer.scope
    found = queries.account_detail(session, scope, code) if code else None
    if found is None:
        return None
    settings = load_settings(session)
    years = [
        account_table(
            queries.rad_accounts(session, scope, year, settings.level_probabilities, today, codes=[code]),
            settings.rad_r_min,
            settings.rad_a_max,
        ).assign(year=year)
        for year in (today.year - 2, today.year - 1, today.year)
    ]
    return AccountData(
        code=code,
        account=found,
        history=pd.concat(years, ignore_index=True),
        contacts=queries.account_contacts(session, scope, found["id"]),
        opportunities=records(queries.account_opportunities(session, scope, found["id"])),
        visits=records(queries.account_visits(session, scope, found["id"])),
        payments=records(queries.account_payments_due(session, scope, found["id"])),
        today=today,
    )
