"""Number formatting for money (CNY), rates and ratios, in both languages.

Chinese groups large sums by 万 (1e4) and 亿 (1e8); English by K / M / B. ``None`` (and NaN, which is how
pandas holds a missing number) is "unknown".
"""

from __future__ import annotations

import math
from datetime import date

from components.i18n import t
from metrics.views.filters import UNKNOWN_FIELD


def cny(value: float | None, lang: str, *, compact: bool = True) -> str:
    """``¥1,234,567.89`` in full; compact: ``¥123.5万``, ``¥8,273万``, ``¥1.23亿`` (zh) or ``¥1.23M`` (en)."""
    if value is None or math.isnan(value):
        return t("common.unknown", lang)
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if not compact:
        return f"{sign}¥{v:,.2f}"
    if lang == "zh":
        if v >= 1e8:
            return f"{sign}¥{v / 1e8:,.2f}亿"
        if v >= 1e7:
            return f"{sign}¥{v / 1e4:,.0f}万"
        if v >= 1e4:
            return f"{sign}¥{v / 1e4:,.1f}万"
        return f"{sign}¥{v:,.0f}"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= limit:
            return f"{sign}¥{v / limit:,.2f}{suffix}"
    return f"{sign}¥{v:,.0f}"


def cny_exact(value: float | None, lang: str) -> str:
    """Every yuan of an amount, as a document states it: ``¥18.8881万``, ``¥1.2345亿`` (zh: never a row of raw
    digits), ``¥188,881.00`` (en)."""
    if value is None or math.isnan(value) or lang != "zh" or abs(float(value)) < 1e4:
        return cny(value, lang, compact=False)
    v = abs(float(value))
    unit, name = (1e8, "亿") if v >= 1e8 else (1e4, "万")
    digits = f"{v / unit:.{10 if unit == 1e8 else 6}f}".rstrip("0").rstrip(".")
    return f"{'-' if value < 0 else ''}¥{digits}{name}"


#: The units a short amount is written in, largest first
TICK_UNITS = {"zh": ((1e8, "亿"), (1e4, "万")), "en": ((1e9, "B"), (1e6, "M"), (1e3, "K"))}


def money_tick(value: float, lang: str) -> str:
    """A money axis's tick, short: ``1万``, ``100万``, ``1亿`` (zh) or ``10K``, ``1M``, ``1B`` (en)."""
    v = float(value)
    for limit, suffix in TICK_UNITS["zh" if lang == "zh" else "en"]:
        if v >= limit:
            return f"{v / limit:,.{0 if (v / limit).is_integer() else 1}f}{suffix}"
    return f"{v:,.0f}"


def pct(value: float | None, lang: str, digits: int = 1) -> str:
    """A fraction as a percentage: 0.875 -> ``87.5%``."""
    if value is None or math.isnan(value):
        return t("common.unknown", lang)
    return f"{value * 100:.{digits}f}%"


def times(value: float | None, lang: str) -> str:
    """A coverage ratio: 2.345 -> ``2.35×`` (V value, required V)."""
    if value is None or math.isnan(value):
        return t("common.unknown", lang)
    return f"{value:.2f}×"


def count(value: int, lang: str) -> str:
    return f"{value:,}"


def many(value: int, lang: str) -> str:
    """A count as said aloud: from ten thousand up, 万 in Chinese (``1万``, ``4.25万``); else ``count``."""
    if lang == "zh" and abs(value) >= 10_000:
        return f"{value / 1e4:,.2f}".rstrip("0").rstrip(".") + "万"
    return count(value, lang)


def day(value: date, lang: str) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if lang == "zh" else value.isoformat()


def period_label(year: int, quarter: int | None, lang: str) -> str:
    if lang == "zh":
        return f"{year}年" if quarter is None else f"{year}年第{quarter}季度"
    return f"{year}" if quarter is None else f"Q{quarter} {year}"


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_name(month: int, lang: str) -> str:
    """A calendar month (1-12) as an axis reads it: 6月, Jun."""
    return f"{month}月" if lang == "zh" else _MONTHS_EN[month - 1]


_WEEKDAYS = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def weekday(value: date, lang: str) -> str:
    """A day of a week's plan, short: ``周三 12月2日`` / ``Wed Dec 2``."""
    names = _WEEKDAYS["zh" if lang == "zh" else "en"]
    if lang == "zh":
        return f"{names[value.weekday()]} {value.month}月{value.day}日"
    return f"{names[value.weekday()]} {_MONTHS_EN[value.month - 1]} {value.day}"


def hours(value: float) -> str:
    """Training hours: ``38`` or ``37.5``."""
    return f"{value:,.1f}".removesuffix(".0")


def known(text: str | None, lang: str) -> str:
    """A region, industry or other text field as stored, or "unknown" in the UI's language when the import could
    not know it (a CRM export's rep region, account industry: ``UNKNOWN_FIELD``)."""
    return t("common.unknown", lang) if not text or text == UNKNOWN_FIELD else text
