"""Money, rates and the translation table."""

from __future__ import annotations

import string

import pytest

from components.formatting import cny, pct, period_label, times
from components.i18n import LANGS, TRANSLATIONS, t


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (0, "zh", "¥0"),
        (9_999, "zh", "¥9,999"),
        (12_345, "zh", "¥1.2万"),
        (1_234_567, "zh", "¥123.5万"),
        (82_732_000, "zh", "¥8,273万"),
        (172_000_000, "zh", "¥1.72亿"),
        (-50_000, "zh", "-¥5.0万"),
        (950, "en", "¥950"),
        (12_345, "en", "¥12.35K"),
        (82_732_000, "en", "¥82.73M"),
        (1_720_000_000, "en", "¥1.72B"),
    ],
)
def test_fmt001_cny_compact(value, lang, expected):
    assert cny(value, lang) == expected


def test_fmt002_cny_full_and_unknown():
    assert cny(1234567.891, "en", compact=False) == "¥1,234,567.89"
    assert cny(None, "zh") == "未知"
    assert cny(None, "en") == "unknown"


def test_fmt003_rates():
    assert pct(0.8888, "en") == "88.9%"
    assert pct(None, "en") == "unknown"
    assert times(1.866, "zh") == "1.87×"
    assert period_label(2026, None, "zh") == "2026年"
    assert period_label(2026, 3, "en") == "Q3 2026"


def test_fmt004_every_string_in_both_languages_with_same_placeholders():
    for key, texts in TRANSLATIONS.items():
        assert set(texts) == set(LANGS), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in LANGS]
        assert fields[0] == fields[1], key
        assert all(texts[lang].strip() for lang in LANGS), key


def test_fmt005_unknown_key_fails_loudly():
    with pytest.raises(KeyError):
        t("no.such.key", "en")
