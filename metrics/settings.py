"""Business parameters and their defaults from ``shared/data-dictionary.md``.

They live in the ``settings`` table (so a director can tune them); this module holds the typed view
and the defaults the migration seeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: p(level): 1→10%, 2→25%, 3→50%, 4→75%, 5→90%, 6→100% (data dictionary, "Funnel probability").
DEFAULT_LEVEL_PROBABILITIES: dict[int, float] = {1: 0.10, 2: 0.25, 3: 0.50, 4: 0.75, 5: 0.90, 6: 1.00}
#: R if SOW >= 50%, A if SOW < 10%, D otherwise.
DEFAULT_RAD_THRESHOLDS: dict[str, float] = {"r_min": 0.50, "a_max": 0.10}
#: 0-100% x1.0, 100-150% x1.5, above 150% x2.0 (佣金加速度). ``upto`` None = no upper bound.
DEFAULT_COMMISSION_TIERS: list[dict[str, float | None]] = [
    {"from": 0.0, "upto": 1.0, "multiplier": 1.0},
    {"from": 1.0, "upto": 1.5, "multiplier": 1.5},
    {"from": 1.5, "upto": None, "multiplier": 2.0},
]
#: base salary : on-target commission = 5 : 5.
DEFAULT_BASE_SHARE = 0.5
#: the yearly training a rep must take (培训), hours
DEFAULT_TRAINING_HOURS = 40.0
#: the lowest gross margin a quote line may carry without approval, where its product names none (价格核算)
DEFAULT_FLOOR_MARGIN = 0.15
#: the risk flags' thresholds (控制腐败): a won contract more than 5% below its current quote, a rep's discount
#: more than 10 points above the team's (teams of at least 3 quoting reps), event cost above 10% of bookings
DEFAULT_RISK_THRESHOLDS: dict[str, float] = {
    "contract_below_quote": 0.05,
    "discount_gap": 0.10,
    "min_team_reps": 3,
    "event_cost_share": 0.10,
}


def default_setting_rows() -> dict[str, Any]:
    """The ``settings`` rows (key -> JSON value) a fresh database starts with."""
    return {
        "level_probabilities": {str(k): v for k, v in DEFAULT_LEVEL_PROBABILITIES.items()},
        "rad_thresholds": dict(DEFAULT_RAD_THRESHOLDS),
        "commission_tiers": [dict(t) for t in DEFAULT_COMMISSION_TIERS],
        "base_share": DEFAULT_BASE_SHARE,
        "company_name": "",
        "training_required_hours": DEFAULT_TRAINING_HOURS,
        "floor_margin": DEFAULT_FLOOR_MARGIN,
        "risk_thresholds": dict(DEFAULT_RISK_THRESHOLDS),
    }


#: The longest company name kept
COMPANY_NAME_MAX = 100


@dataclass(frozen=True)
class BusinessSettings:
    level_probabilities: Mapping[int, float] = field(default_factory=lambda: dict(DEFAULT_LEVEL_PROBABILITIES))
    rad_r_min: float = DEFAULT_RAD_THRESHOLDS["r_min"]
    rad_a_max: float = DEFAULT_RAD_THRESHOLDS["a_max"]
    commission_tiers: tuple[tuple[float, float | None, float], ...] = tuple(
        (float(t["from"] or 0.0), t["upto"], float(t["multiplier"] or 0.0)) for t in DEFAULT_COMMISSION_TIERS
    )
    base_share: float = DEFAULT_BASE_SHARE
    #: printed at the head of a task book (``salesradar company``); empty: none
    company_name: str = ""
    #: the yearly training requirement of a rep, hours
    training_required_hours: float = DEFAULT_TRAINING_HOURS
    floor_margin: float = DEFAULT_FLOOR_MARGIN
    risk_contract_below_quote: float = DEFAULT_RISK_THRESHOLDS["contract_below_quote"]
    risk_discount_gap: float = DEFAULT_RISK_THRESHOLDS["discount_gap"]
    risk_min_team_reps: int = int(DEFAULT_RISK_THRESHOLDS["min_team_reps"])
    risk_event_cost_share: float = DEFAULT_RISK_THRESHOLDS["event_cost_share"]

    @classmethod
    def from_rows(cls, rows: Mapping[str, Any]) -> BusinessSettings:
        """Typed settings from ``settings`` rows; a missing key keeps its default."""
        base = cls()
        probs = rows.get("level_probabilities")
        rad = rows.get("rad_thresholds") or {}
        tiers = rows.get("commission_tiers")
        risk = rows.get("risk_thresholds") or {}
        return cls(
            level_probabilities={int(k): float(v) for k, v in probs.items()} if probs else base.level_probabilities,
            rad_r_min=float(rad.get("r_min", base.rad_r_min)),
            rad_a_max=float(rad.get("a_max", base.rad_a_max)),
            commission_tiers=tuple(
                (float(t["from"]), None if t.get("upto") is None else float(t["upto"]), float(t["multiplier"]))
                for t in tiers
            )
            if tiers
            else base.commission_tiers,
            base_share=float(rows.get("base_share", base.base_share)),
            company_name=str(rows.get("company_name") or "")[:COMPANY_NAME_MAX],
            training_required_hours=float(rows.get("training_required_hours", base.training_required_hours)),
            floor_margin=float(rows.get("floor_margin", base.floor_margin)),
            risk_contract_below_quote=float(risk.get("contract_below_quote", base.risk_contract_below_quote)),
            risk_discount_gap=float(risk.get("discount_gap", base.risk_discount_gap)),
            risk_min_team_reps=int(risk.get("min_team_reps", base.risk_min_team_reps)),
            risk_event_cost_share=float(risk.get("event_cost_share", base.risk_event_cost_share)),
        )
