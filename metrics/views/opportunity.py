"""The deal page's loader: ``/opportunities/<opp_code>`` for one viewer (``query["opp_code"]`` is the path's
code); None where the code is unknown or outside the viewer's scope (they look the same)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics import params
from metrics.support import Quote, quotes_of


@dataclass(frozen=True)
class OpportunityData:
    deal: dict[str, Any]
    #: the deal's stage history: level, entered_date
    history: pd.DataFrame
    today: date
    #: its quote versions, newest first, the current one marked (with its lines)
    quotes: list[Quote] = field(default_factory=list)


@kept
def load(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> OpportunityData | None:
    code = params.path_code(query.get("opp_code")) or ""  # a code with control characters names nothing
    found = queries.opportunity_detail(session, viewer.scope, code) if code else None
    if found is None:
        return None
    deal, history = found
    lines = queries.deal_quote_lines(session, viewer.scope, code, load_settings(session).floor_margin)
    return OpportunityData(deal, history, today, quotes_of(lines))
