"""Collections (控制回款): overdue payments and their aging (data dictionary, "Overdue"). Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

#: Aging buckets in days past due: 1-30, 31-60, 61-90, >90.
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    (">90", 91, None),
)


@dataclass(frozen=True)
class Overdue:
    amount: float
    count: int
    buckets: dict[str, float] = field(default_factory=dict)


def overdue(payments: pd.DataFrame, today: date) -> Overdue:
    """Overdue payment: due_date < today and paid_amount < amount; the overdue sum is amount - paid_amount.

    ``payments`` has columns ``due_date`` (date), ``amount``, ``paid_amount`` (NaN/None = nothing paid), and
    optionally ``n``: the row then stands for ``n`` payments summed (``queries.unpaid_payments_due_before``
    sums per due date). Buckets by days past due (today - due_date): 1-30, 31-60, 61-90, >90.
    """
    empty = {name: 0.0 for name, _, _ in AGING_BUCKETS}
    if payments.empty:
        return Overdue(0.0, 0, empty)
    due = pd.to_datetime(payments["due_date"])
    paid = payments["paid_amount"].astype(float).fillna(0.0)
    owed = payments["amount"].astype(float) - paid
    days = (pd.Timestamp(today) - due).dt.days
    mask = (days > 0) & (owed > 0.005)
    owed, days = owed[mask], days[mask]
    buckets = dict(empty)
    for name, low, high in AGING_BUCKETS:
        in_bucket = (days >= low) & (days <= high) if high is not None else (days >= low)
        buckets[name] = float(owed[in_bucket].sum())
    counts = payments["n"].astype(int)[mask] if "n" in payments else mask[mask]
    return Overdue(float(owed.sum()), int(counts.sum()), buckets)
