"""RAD analysis (客户RAD分析): share of wallet against buying power, per account and year."""

from __future__ import annotations

import math

import pandas as pd

NO_BP = "no_bp"
BP_TOO_LOW = "bp_too_low"


def share_of_wallet(bookings: float, bp: float | None) -> float | None:
    """SOW (客户覆盖深度) = bookings(account, Y) / BP(account, Y). None (unknown, never 0) without a BP.

    A BP of 0 with bookings is as unknown as no BP at all.
    """
    if bp is None or (isinstance(bp, float) and math.isnan(bp)) or bp <= 0:
        return None
    return bookings / bp


def rad_class(sow: float | None, r_min: float, a_max: float) -> str | None:
    """R if SOW >= r_min (50%), A if SOW < a_max (10%), D otherwise; None when SOW is unknown."""
    if sow is None:
        return None
    if sow >= r_min:
        return "R"
    if sow < a_max:
        return "A"
    return "D"


def classify(accounts: pd.DataFrame, r_min: float, a_max: float) -> pd.DataFrame:
    """Add ``sow``, ``rad_class``, ``manual`` and ``flags`` to rows of ``bp``, ``bookings``, ``rad_override``.

    The override wins and is marked manual. Flags: ``no_bp`` (SOW unknown), ``bp_too_low`` (SOW > 100%).
    """
    out = accounts.copy()
    sows = [
        share_of_wallet(float(b), None if pd.isna(bp) else float(bp))
        for b, bp in zip(out["bookings"], out["bp"], strict=True)
    ]
    computed = [rad_class(s, r_min, a_max) for s in sows]
    overrides = [None if pd.isna(o) or o == "" else str(o) for o in out["rad_override"]]
    out["sow"] = pd.Series(sows, index=out.index, dtype="object")
    out["rad_class"] = pd.Series(
        [o or c for o, c in zip(overrides, computed, strict=True)], index=out.index, dtype="object"
    )
    out["manual"] = [o is not None for o in overrides]
    out["flags"] = [[NO_BP] if s is None else [BP_TOO_LOW] if s > 1.0 else [] for s in sows]
    return out
