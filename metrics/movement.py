"""Pipeline movement between two dates: what the weekly review (业务回顾) walks through.

The pipeline of a period at a date d: opportunities open at d whose expected close date, as known at d,
falls on or before the period's end. Between d0 and d1:

    start + new + increased - decreased - won - lost - pushed out = end

- new: in the pipeline at d1, not at d0 (created since, or pulled into the period);
- increased / decreased: in both, amount at d1 minus amount at d0;
- won / lost: in at d0, closed in (d0, d1], at their d0 amount;
- pushed out: in at d0, still open at d1, expected close moved past the period end.

Values at a date come from today's row and the imports' change log: a field's value at d is the old
value of its first change after d, else today's value. Levels at d come from stage history.
Pure functions on DataFrames; ``data_access.queries.movement_rows`` supplies them (``metrics.views.funnel.movement_of``
reads and computes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

STEPS = ("new", "increased", "decreased", "won", "lost", "pushed_out")
LISTS = ("new", "advanced", "moved_back", "slipped", "won", "lost", "pushed_out")


@dataclass(frozen=True)
class Movement:
    start: float
    end: float
    steps: dict[str, float]
    #: per list name, the opportunity codes behind it
    lists: dict[str, list[str]] = field(default_factory=dict)
    #: the deals that changed level while open ("advanced", "moved_back"): code -> (level at start, at end)
    moves: dict[str, tuple[int, int]] = field(default_factory=dict)

    def balances(self) -> bool:
        s = self.steps
        total = self.start + s["new"] + s["increased"] - s["decreased"] - s["won"] - s["lost"] - s["pushed_out"]
        return abs(total - self.end) < 0.01


def _as_of(current: pd.Series, changes: pd.DataFrame, fld: str, day: date) -> pd.Series:
    """Each opportunity's ``fld`` at ``day``: the old value of its first change after ``day``, else today's."""
    later = changes[(changes["field"] == fld) & (changes["changed_on"] > day)]
    if later.empty:
        return current
    first = later.sort_values(["opportunity_id", "changed_on"]).drop_duplicates("opportunity_id")
    old = first.set_index("opportunity_id")["old_value"]
    out = current.astype(object).copy()
    hit = old.index.intersection(out.index)
    out.loc[hit] = old.loc[hit]
    return out


def _to_date(value: object) -> date | None:
    """A plain date of a cell: None for a missing one (None, NaN, NaT), a datetime's day (pandas' Timestamps are
    datetimes, NaT too: it is asked first), an ISO text's first ten characters."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def state_at(opps: pd.DataFrame, changes: pd.DataFrame, history: pd.DataFrame, day: date) -> pd.DataFrame:
    """Per opportunity (index = id) at ``day``: open, amount, expected close date and level."""
    status = _as_of(opps["status"], changes, "status", day)
    closed = _as_of(opps["closed_date"], changes, "closed_date", day).map(_to_date)
    amount = _as_of(opps["amount"], changes, "amount", day).astype(float)
    expected = _as_of(opps["expected_close_date"], changes, "expected_close_date", day).map(_to_date)
    created = opps["created_date"].map(_to_date)
    is_open = (created <= day) & ((status == "open") | closed.map(lambda c: c is not None and c > day))
    seen = history[history["entered_date"] <= day].sort_values(["opportunity_id", "entered_date", "level"])
    level = seen.drop_duplicates("opportunity_id", keep="last").set_index("opportunity_id")["level"]
    return pd.DataFrame(
        {"open": is_open, "amount": amount, "expected": expected, "level": level.reindex(opps.index)},
        index=opps.index,
    )


def movement(
    opps: pd.DataFrame,
    changes: pd.DataFrame,
    history: pd.DataFrame,
    start: date,
    end: date,
    period_end: date,
    steady: float = 0.0,
) -> Movement:
    """Pipeline movement between ``start`` and ``end`` for the period ending ``period_end``.

    ``opps``: indexed by id, with opp_code, status, closed_date, amount, expected_close_date, created_date;
    ``changes``: opportunity_id, changed_on, field, old_value; ``history``: opportunity_id, level, entered_date.
    ``steady``: the pipeline amount of deals left out of ``opps`` because nothing about them changed in the
    window (``queries.movement_rows``): it is in the pipeline at both dates and in no step.
    """
    if opps.empty:
        return Movement(steady, steady, dict.fromkeys(STEPS, 0.0), {name: [] for name in LISTS})
    a = state_at(opps, changes, history, start)
    b = state_at(opps, changes, history, end)
    in_a = a["open"] & a["expected"].map(lambda d: d is not None and d <= period_end)
    in_b = b["open"] & b["expected"].map(lambda d: d is not None and d <= period_end)
    closed_in = ~b["open"] & a["open"]
    status_now = opps["status"]
    won = in_a & closed_in & (status_now == "won")
    lost = in_a & closed_in & (status_now == "lost")
    pushed = in_a & b["open"] & ~in_b
    both = in_a & in_b
    delta = (b["amount"] - a["amount"]).where(both, 0.0)
    code = opps["opp_code"]
    lvl_a, lvl_b = a["level"].fillna(0), b["level"].fillna(0)
    steps = {
        "new": float(b["amount"][in_b & ~in_a].sum()),
        "increased": float(delta[delta > 0].sum()),
        "decreased": float(-delta[delta < 0].sum()),
        "won": float(a["amount"][won].sum()),
        "lost": float(a["amount"][lost].sum()),
        "pushed_out": float(a["amount"][pushed].sum()),
    }
    slipped = both & pd.Series(
        [x is not None and y is not None and y > x for x, y in zip(a["expected"], b["expected"], strict=True)],
        index=opps.index,
    )
    lists = {
        "new": sorted(code[in_b & ~in_a]),
        "advanced": sorted(code[b["open"] & (lvl_b > lvl_a) & a["open"]]),
        "moved_back": sorted(code[b["open"] & (lvl_b < lvl_a) & a["open"]]),
        "slipped": sorted(code[slipped]),
        "won": sorted(code[won]),
        "lost": sorted(code[lost]),
        "pushed_out": sorted(code[pushed]),
    }
    changed = b["open"] & a["open"] & (lvl_b != lvl_a)
    moves = {str(c): (int(x), int(y)) for c, x, y in zip(code[changed], lvl_a[changed], lvl_b[changed], strict=True)}
    start_total, end_total = steady + float(a["amount"][in_a].sum()), steady + float(b["amount"][in_b].sum())
    return Movement(start_total, end_total, steps, lists, moves)
