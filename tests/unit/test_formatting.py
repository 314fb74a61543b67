"""Money, rates and the translation table."""

from __future__ import annotations

import string
from datetime import date

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


def _grid_rows(lang: str) -> tuple[list[dict], dict]:
    from components.grid import Kind, data_grid

    rows = [
        {"name": "甲", "amount": 37_994_700.0, "v": 176.97, "due": date(2026, 6, 1), "plain": 12345.0},
        {"name": "乙", "amount": 9_800.5, "v": 2.5, "due": None, "plain": None, "amount_text": "—"},
        {"name": "丙", "amount": 312_000_000.0, "v": None, "due": date(2026, 12, 31), "plain": 1.0},
    ]
    columns: list[tuple[str, str, Kind]] = [
        ("name", "N", "text"),
        ("amount", "A", "money"),
        ("v", "V", "times"),
        ("due", "D", "date"),
    ]
    grid = data_grid("g", rows, columns, lang=lang)
    return grid.rowData, grid.dashGridOptions


def test_fmt006_grid_cells_in_the_apps_money_and_date_format():
    """Grids write money as the tiles do (万/亿, K/M; the full amount in the tooltip), a V over 10x as "> 10×"
    (the value in the tooltip), dates as the viewer reads them; the values stay numbers to sort (issue 18)."""
    zh, zh_options = _grid_rows("zh")
    assert [r["amount"] for r in zh] == [37_994_700.0, 9_800.5, 312_000_000.0]  # sorted as numbers
    assert zh[0]["amount_text"] == "¥3,799万" and zh[0]["amount_full"] == "¥37,994,700.00"
    assert zh[1]["amount_text"] == "—"  # a row's own text wins
    assert zh[2]["amount_text"] == "¥3.12亿" and zh[2]["amount_full"] == "¥312,000,000.00"
    assert zh[0]["v_text"] == "> 10×" and zh[0]["v_full"] == "176.97×"
    assert "v_text" not in zh[1] and "v_text" not in zh[2]  # 2.5× and no V: the grid's own format
    assert zh[0]["due_text"] == "2026年6月1日" and zh[0]["due"] == "2026-06-01" and "due_text" not in zh[1]
    assert "plain" not in zh[0]  # only the columns asked for travel
    assert zh_options["localeText"]["pageSizeSelectorLabel"] == "每页行数："
    en, en_options = _grid_rows("en")
    assert en[0]["amount_text"] == "¥37.99M" and en[0]["amount_full"] == "¥37,994,700.00"
    assert en[1]["amount_text"] == "—" and en[2]["amount_text"] == "¥312.00M"
    assert en[0]["due_text"] == "2026-06-01" and "localeText" not in en_options


def test_fmt007_grid_columns_show_the_text_and_tooltip():
    from components.grid import data_grid

    grid = data_grid(
        "g", [], [("a", "A", "money"), ("v", "V", "times"), ("d", "D", "date"), ("p", "P", "pct")], lang="zh"
    )
    cols = {c["field"]: c for c in grid.columnDefs}
    assert cols["a"]["tooltipField"] == "a_full" and cols["v"]["tooltipField"] == "v_full"
    assert "_text" in cols["a"]["valueFormatter"]["function"] and "_text" in cols["d"]["valueFormatter"]["function"]
    assert cols["a"]["type"] == "numericColumn" and "type" not in cols["d"]  # dates read left to right
    assert "tooltipField" not in cols["p"]


def test_fmt008_a_ranked_scrolling_grid_with_coloured_cells():
    """The leaderboard's grid (issue 18): ranked by a column, every row in one box that scrolls (a few rows at
    their own height), cells coloured by a row's ``<field>_status``."""
    from components.grid import Kind, data_grid

    columns: list[tuple[str, str, Kind]] = [("rep", "R", "text"), ("pace", "P", "times"), ("a", "A", "pct")]
    many = [{"rep": f"R{i}", "pace": i / 10, "pace_status": "behind" if i < 9 else "on", "a": i} for i in range(20)]
    grid = data_grid("g", many, columns, lang="en", sort=("a", "desc"), height="640px")
    cols = {c["field"]: c for c in grid.columnDefs}
    assert cols["a"]["sort"] == "desc" and "sort" not in cols["pace"]
    # its arrow beside a header word like "Attainment": the sorted column is wider than the others may be
    assert cols["a"]["minWidth"] == 150 and "minWidth" not in cols["pace"] and grid.defaultColDef["minWidth"] == 120
    # a header wraps between words instead of being cut, and a cut one reads whole in its tooltip
    assert grid.defaultColDef["wrapHeaderText"] is True and grid.defaultColDef["autoHeaderHeight"] is True
    assert [c["headerTooltip"] for c in grid.columnDefs] == ["R", "P", "A"]
    assert set(cols["pace"]["cellClassRules"]) == {"cell-behind", "cell-on", "cell-ahead"}
    assert "pace_status" in cols["pace"]["cellClassRules"]["cell-behind"] and "cellClassRules" not in cols["a"]
    assert grid.rowData[0]["pace_status"] == "behind" and grid.rowData[19]["pace_status"] == "on"
    assert "pagination" not in grid.dashGridOptions and grid.style["height"] == "640px"
    few = data_grid("g", many[:5], columns, lang="en", sort=("a", "desc"), height="640px")
    assert few.dashGridOptions["domLayout"] == "autoHeight" and "pagination" not in few.dashGridOptions
    paged = data_grid("g", many, columns, lang="en")
    assert paged.dashGridOptions["pagination"] is True and paged.dashGridOptions["paginationPageSize"] == 20


def test_fmt009_every_code_of_the_data_has_a_name_in_both_languages():
    """Issue 18: visit kinds and payment milestones were shown raw ("exec_visit", "acceptance")."""
    from components.i18n import code_name
    from data_access.models import MILESTONES, VISIT_KINDS

    for family, codes in (("visit.kind", VISIT_KINDS), ("payment.milestone", MILESTONES)):
        for code in codes:
            zh, en = code_name(family, code, "zh"), code_name(family, code, "en")
            assert zh != code and en != code and not zh.isascii(), (family, code)
    assert code_name("visit.kind", "exec_visit", "zh") == "高层拜访"
    assert code_name("payment.milestone", "acceptance", "en") == "Acceptance payment"
    assert code_name("visit.kind", "unheard_of", "zh") == "unheard_of"  # shown as it is, never an error


def test_fmt010_money_ticks_of_an_axis():
    """Issue 18: the RAD axis read 100k / 1M / 25M and "BP (CNY)" in the Chinese UI."""
    from components.formatting import money_tick

    zh = [money_tick(v, "zh") for v in (1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1.5e4, 2.5e8)]
    assert zh == ["1,000", "1万", "10万", "100万", "1,000万", "1亿", "10亿", "1.5万", "2.5亿"]
    en = [money_tick(v, "en") for v in (500, 1e3, 1e5, 1e6, 2.5e7, 1e9)]
    assert en == ["500", "1K", "100K", "1M", "25M", "1B"]


def test_fmt011_a_money_axis_from_zero_in_round_steps():
    """Issue 18: the scorecard's monthly chart read 800k / 1.2M in Chinese, and -1 .. 1 for a rep with nothing."""
    from components.charts import money_axis

    assert money_axis(1_234_567, "zh") == {
        "tickvals": [0, 500_000, 1_000_000, 1_500_000],
        "ticktext": ["0", "50万", "100万", "150万"],
    }
    assert money_axis(1_234_567, "en")["ticktext"] == ["0", "500K", "1M", "1.5M"]
    assert money_axis(90_000_000, "zh")["ticktext"] == ["0", "2,500万", "5,000万", "7,500万", "1亿"]
    assert money_axis(0.0, "zh") == {"tickvals": [0], "ticktext": ["0"]}


def test_fmt020_exact_amounts_in_wan_never_a_row_of_raw_digits():
    from components.formatting import cny_exact

    assert cny_exact(188_881, "zh") == "¥18.8881万"
    assert cny_exact(180_000, "zh") == "¥18万"
    assert cny_exact(20_785_000.25, "zh") == "¥2078.500025万"
    assert cny_exact(123_456_789.5, "zh") == "¥1.234567895亿"
    assert cny_exact(-48_800, "zh") == "-¥4.88万"
    assert cny_exact(7_240, "zh") == "¥7,240.00"
    assert cny_exact(188_881, "en") == "¥188,881.00"
    assert cny_exact(None, "zh") == cny_exact(float("nan"), "zh")
