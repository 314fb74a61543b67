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


#: The class order of every RAD table; ``none`` = SOW unknown (no BP) and no override.
CLASSES = ("R", "A", "D", "none")


def white_space(bp: float | None, bookings: float) -> float | None:
    """White space of an account = BP - bookings (what it buys from others), never below 0; None without BP."""
    if bp is None or (isinstance(bp, float) and math.isnan(bp)):
        return None
    return max(float(bp) - float(bookings), 0.0)


def with_white_space(classified: pd.DataFrame) -> pd.DataFrame:
    """``classify``'s rows with ``white_space`` added and ``rad_class`` None written as ``none``."""
    out = classified.copy()
    out["white_space"] = pd.Series(
        [
            white_space(None if pd.isna(bp) else float(bp), float(b))
            for bp, b in zip(out["bp"], out["bookings"], strict=True)
        ],
        index=out.index,
        dtype="object",
    )
    out["rad_class"] = out["rad_class"].map(lambda c: c if c in CLASSES else "none")
    return out


def account_table(rows: pd.DataFrame, r_min: float, a_max: float) -> pd.DataFrame:
    """Rows of ``queries.rad_accounts`` classed: sow, rad_class (``none`` when unknown), manual, flags,
    white_space."""
    return with_white_space(classify(rows, r_min, a_max))


def class_summary(accounts: pd.DataFrame) -> pd.DataFrame:
    """Per class (R, A, D, none): accounts, total BP, bookings, the class's SOW, open pipeline, white space.

    ``accounts``: rows of ``with_white_space``. The class's SOW = bookings of its accounts with a known BP /
    their BP; white space = sum of the accounts' white space (BP, SOW and white space None when no account of
    the class has a BP).
    """
    rows = []
    for cls in CLASSES:
        part = accounts[accounts["rad_class"] == cls]
        known = part[part["bp"].notna() & (part["bp"].astype(float) > 0)]
        bp = float(known["bp"].astype(float).sum())
        rows.append(
            {
                "rad_class": cls,
                "accounts": len(part),
                "bp": bp if not known.empty else None,
                "bookings": float(part["bookings"].astype(float).sum()),
                "sow": float(known["bookings"].astype(float).sum()) / bp if bp > 0 else None,
                "open_pipeline": float(part["open_pipeline"].astype(float).sum()) if "open_pipeline" in part else 0.0,
                "white_space": float(sum(w for w in part["white_space"] if w is not None)) if not known.empty else None,
            }
        )
    return pd.DataFrame(rows, dtype=object)


def class_moves(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Accounts that changed class from one year to the next: from_class, to_class, accounts (most first).

    ``before`` and ``after`` hold ``account_code`` and ``rad_class`` (``none`` for unknown); accounts in
    only one of them are left out (nothing to compare).
    """
    both = before[["account_code", "rad_class"]].merge(
        after[["account_code", "rad_class"]], on="account_code", suffixes=("_from", "_to")
    )
    moved = both[both["rad_class_from"] != both["rad_class_to"]]
    out = (
        moved.groupby(["rad_class_from", "rad_class_to"]).size().reset_index(name="accounts")
        if not moved.empty
        else pd.DataFrame(columns=["rad_class_from", "rad_class_to", "accounts"])
    )
    out = out.rename(columns={"rad_class_from": "from_class", "rad_class_to": "to_class"})
    return out.sort_values(["accounts", "from_class", "to_class"], ascending=[False, True, True], ignore_index=True)


#: The classes an account can move between (``none``: no BP known that year)
MOVE_CLASSES = ("R", "A", "D", "none")


def move_of(value: object) -> tuple[str, str] | None:
    """A class change named in an address (``?moved=R-A``: R last year, A this year); None for anything else."""
    if not isinstance(value, str) or value.count("-") != 1:
        return None
    before, after = value.split("-")
    return (before, after) if before in MOVE_CLASSES and after in MOVE_CLASSES and before != after else None


def moved_accounts(before: pd.DataFrame, after: pd.DataFrame, move: tuple[str, str]) -> pd.DataFrame:
    """The rows of ``after`` whose account was of class ``move[0]`` in ``before`` and is ``move[1]`` now (the
    accounts behind one line of ``class_moves``), by BP, largest first."""
    was = set(before.loc[before["rad_class"] == move[0], "account_code"])
    now = after[(after["rad_class"] == move[1]) & after["account_code"].isin(was)]
    return now.sort_values(["bp", "account_code"], ascending=[False, True], na_position="last", ignore_index=True)


def top_accounts(accounts: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The TOP ``n`` key accounts (重点客户 TOP20): flagged ``key_account`` first, then the others, each by BP
    (largest first; unknown BP last)."""
    ranked = accounts.assign(_bp=accounts["bp"].astype(float).fillna(-1.0), _key=~accounts["key_account"].astype(bool))
    return (
        ranked.sort_values(["_key", "_bp", "account_code"], ascending=[True, False, True])
        .head(n)
        .drop(columns=["_bp", "_key"])
    )


def top_d_accounts(accounts: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The TOP ``n`` D accounts the sales director manages personally: class D by white space (room to grow),
    largest first."""
    d = accounts[accounts["rad_class"] == "D"]
    ranked = d.assign(_ws=d["white_space"].map(lambda w: -1.0 if w is None else float(w)))
    return ranked.sort_values(["_ws", "account_code"], ascending=[False, True]).head(n).drop(columns=["_ws"])


def threshold_problem(r_min: float, a_max: float) -> str | None:
    """Why R/A thresholds are not usable (None when they are): 0 < A's upper bound < R's lower bound <= 100%."""
    if not (math.isfinite(r_min) and math.isfinite(a_max)):
        return "thresholds must be numbers"
    if not 0 < a_max < r_min <= 1:
        return f"need 0% < A ({a_max * 100:g}%) < R ({r_min * 100:g}%) <= 100%"
    return None
