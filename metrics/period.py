"""Periods: a calendar year, or a quarter of it (data dictionary, "Definitions")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2999:
            raise ValueError(f"year {self.year} is out of range")
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"quarter {self.quarter} must be 1-4")

    @property
    def start(self) -> date:
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def elapsed_share(self, today: date) -> float:
        """Share of the period's days that have passed by ``today`` (inclusive), clipped to 0..1."""
        total = (self.end - self.start).days + 1
        done = (min(max(today, self.start - timedelta(days=1)), self.end) - self.start).days + 1
        return max(0.0, min(1.0, done / total))

    @property
    def key(self) -> str:
        """URL form: ``2026`` or ``2026Q3``."""
        return f"{self.year}" if self.quarter is None else f"{self.year}Q{self.quarter}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """Inverse of ``key``; raises ValueError with a clear message on anything else."""
        raw = text.strip().upper()
        try:
            if "Q" in raw:
                year, quarter = raw.split("Q", 1)
                return cls(int(year), int(quarter))
            return cls(int(raw))
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a period (expected YYYY or YYYYQn): {exc}") from exc

    @classmethod
    def current_year(cls, today: date) -> Period:
        return cls(today.year)

    @classmethod
    def current_quarter(cls, today: date) -> Period:
        return cls(today.year, (today.month - 1) // 3 + 1)
