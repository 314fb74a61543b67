"""The one write of sales support in the app: a director's risk thresholds and default margin floor (settings
``floor_margin`` and ``risk_thresholds``), checked here whatever the form posted, logged in ``change_log``."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy.orm import Session

from data_access.models import Setting
from data_access.settings import load_settings, save_setting
from data_access.staff_writes import Refused, _log
from data_access.users import Viewer

#: each threshold the form posts, in percent (the team size in reps), and the range it must be in
BOUNDS: dict[str, tuple[float, float]] = {
    "floor_margin": (0.0, 90.0),
    "contract_below_quote": (0.0, 100.0),
    "discount_gap": (0.0, 100.0),
    "min_team_reps": (2.0, 100.0),
    "event_cost_share": (0.0, 1000.0),
}


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Refused("write.bad_threshold", name)
    try:
        number = float(str(value).strip().removesuffix("%"))
    except ValueError as exc:
        raise Refused("write.bad_threshold", name) from exc
    low, high = BOUNDS[name]
    if not math.isfinite(number) or not low <= number <= high:
        raise Refused("write.bad_threshold", name)
    return number


def set_risk_thresholds(session: Session, viewer: Viewer, form: dict[str, Any]) -> None:
    """Save the thresholds a director posted (percentages; the team size a whole number of reps)."""
    if viewer.role != "director":
        raise Refused("write.directors_only")
    values = {name: _number(name, form.get(name)) for name in BOUNDS}
    if not values["min_team_reps"].is_integer():
        raise Refused("write.bad_threshold", "min_team_reps")
    before = load_settings(session)
    risk = {
        "contract_below_quote": round(values["contract_below_quote"] / 100, 4),
        "discount_gap": round(values["discount_gap"] / 100, 4),
        "min_team_reps": int(values["min_team_reps"]),
        "event_cost_share": round(values["event_cost_share"] / 100, 4),
    }
    floor = round(values["floor_margin"] / 100, 4)
    old = {
        "floor_margin": before.floor_margin,
        "contract_below_quote": before.risk_contract_below_quote,
        "discount_gap": before.risk_discount_gap,
        "min_team_reps": before.risk_min_team_reps,
        "event_cost_share": before.risk_event_cost_share,
    }
    save_setting(session, "floor_margin", floor)
    save_setting(session, "risk_thresholds", risk)
    session.flush()
    _log(session, viewer, Setting.__tablename__, 0, "update", old, {"floor_margin": floor, **risk})
