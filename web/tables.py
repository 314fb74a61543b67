"""The one callback behind every table download button, and the tables it knows.

Each table is recomputed here from the viewer's scope and the page's URL query, exactly as the page
computed it: the client names a table, it never sends rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import ALL, Input, Output, State, ctx, dcc
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from components.rad import ACCOUNT_COLUMNS
from components.tables import BUTTON_TYPE, SELECTION_ID, TARGET_ID
from data_access import queries
from data_access.cells import frame_csv, frame_xlsx
from data_access.runtime import read_session, today
from data_access.users import Viewer
from metrics.overview import drill_of
from metrics.rad import move_of
from metrics.views import funnel, overview, rad, winloss
from metrics.views.filters import query_of
from metrics.winloss import Drill
from web.auth import current_viewer

Source = Callable[[Session, Viewer, dict[str, str], date], pd.DataFrame]


def _overview_aging(session: Session, viewer: Viewer, query: dict[str, str], now: date) -> pd.DataFrame:
    return overview.load(session, viewer, query, now).aging()


def _overview_list(session: Session, viewer: Viewer, query: dict[str, str], now: date) -> pd.DataFrame:
    if drill_of(query) is None:
        raise PreventUpdate
    return overview.drill_rows(session, viewer, query, now)


def _import_history(session: Session, viewer: Viewer, _query: dict[str, str], _now: date) -> pd.DataFrame:
    if viewer.role != "director":
        raise PreventUpdate
    return pd.DataFrame(queries.recent_imports(session, limit=1000))


def _funnel_stage(session: Session, viewer: Viewer, query: dict[str, str], now: date) -> pd.DataFrame:
    if query.get("level") not in queries.STAGES:
        raise PreventUpdate
    return funnel.stage_deals(session, viewer, query, now)


def _winloss_deals(session: Session, viewer: Viewer, query: dict[str, str], now: date) -> pd.DataFrame:
    if Drill.from_query(query) is None:
        raise PreventUpdate
    return winloss.drill_deals(session, viewer, query, now)


def _account_export(df: pd.DataFrame) -> pd.DataFrame:
    return df[[field for field, _h, _k in ACCOUNT_COLUMNS]]


def _rad_accounts(session: Session, viewer: Viewer, query: dict[str, str], now: date) -> pd.DataFrame:
    return _account_export(rad.chosen_accounts(session, viewer, query, now))


def _rad_selection(session: Session, viewer: Viewer, query: dict[str, str], now: date) -> pd.DataFrame:
    codes = [c for c in query.get("selected", "").split(",") if c]
    if not codes:
        raise PreventUpdate
    return _account_export(rad.picked_accounts(session, viewer, query, now, codes))


def _rad_moved(session: Session, viewer: Viewer, query: dict[str, str], now: date) -> pd.DataFrame:
    if move_of(query.get("moved")) is None:
        raise PreventUpdate
    return _account_export(rad.moved_list(session, viewer, query, now))


TABLES: Mapping[str, Source] = {
    "overview_aging": _overview_aging,
    "overview_list": _overview_list,
    "import_history": _import_history,
    "funnel_stage": _funnel_stage,
    "winloss_deals": _winloss_deals,
    "rad_accounts": _rad_accounts,
    "rad_selection": _rad_selection,
    "rad_moved": _rad_moved,
}


def download_table(clicks: list[int | None], search: str | None, selection: Any = None) -> Any:
    trigger = ctx.triggered_id
    viewer = current_viewer()
    if viewer is None or not isinstance(trigger, Mapping) or not any(clicks):
        raise PreventUpdate
    source = TABLES.get(str(trigger.get("table")))
    fmt = trigger.get("fmt")
    if source is None or fmt not in ("csv", "xlsx"):
        raise PreventUpdate
    query = query_of(search)
    codes = [c for c in selection or [] if isinstance(c, str)] if isinstance(selection, list) else []
    query["selected"] = ",".join(codes[:5000])
    with read_session() as session:
        frame = source(session, viewer, query, today())
    name = f"{trigger['table']}.{fmt}"
    # text that a spreadsheet would run as a formula stays text (data_access.cells)
    data = frame_csv(frame) if fmt == "csv" else frame_xlsx(frame, str(trigger["table"]))
    return dcc.send_bytes(data, name)


def register() -> None:
    """Register the download callback for the app being built (``app.create_app`` calls it once per app)."""
    dash.callback(
        Output(TARGET_ID, "data"),
        Input({"type": BUTTON_TYPE, "table": ALL, "fmt": ALL}, "n_clicks"),
        State("url", "search"),
        State(SELECTION_ID, "data"),
        prevent_initial_call=True,
    )(download_table)
