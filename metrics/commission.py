"""Commission (考核激励): pay = base salary + commission, 5:5 on target, with accelerators (佣金加速度)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Tier = tuple[float, float | None, float]  # from, upto (None = no bound), multiplier


@dataclass(frozen=True)
class TierPay:
    start: float
    upto: float | None
    multiplier: float
    #: the part of attainment that falls inside this tier (0.2 = 20 points)
    inside: float
    amount: float


@dataclass(frozen=True)
class Payout:
    target_commission: float
    attainment: float
    tiers: tuple[TierPay, ...]

    @property
    def multiplier(self) -> float:
        return sum(t.inside * t.multiplier for t in self.tiers)

    @property
    def total(self) -> float:
        return sum(t.amount for t in self.tiers)


def commission_payout(target_commission: float, attainment: float, tiers: Sequence[Tier]) -> Payout:
    """Payout = target commission x sum over tiers of (attainment inside the tier x multiplier).

    Default tiers 0-100% x1.0, 100-150% x1.5, above 150% x2.0: attainment 120% pays
    1.0 + 0.2 x 1.5 = 1.3 x target commission (data dictionary, "Commission").
    """
    att = max(attainment, 0.0)
    parts = []
    for start, upto, multiplier in tiers:
        top = att if upto is None else min(att, upto)
        inside = max(top - start, 0.0)
        parts.append(TierPay(start, upto, multiplier, inside, target_commission * inside * multiplier))
    return Payout(target_commission, att, tuple(parts))


def on_target_split(on_target_earnings: float, base_share: float = 0.5) -> tuple[float, float]:
    """Base salary and target commission of an on-target pay (base : commission = 5 : 5 by default)."""
    base = on_target_earnings * base_share
    return base, on_target_earnings - base
