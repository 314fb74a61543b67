"""The one parser of client input (metrics.params): literal inputs, literal answers; it never raises."""

from __future__ import annotations

import pytest

from metrics import params


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("7", 7),
        (" 12 ", 12),
        (7, 7),
        ("²", None),  # str.isdigit() says yes; int() says no
        ("٣", None),  # int() reads Arabic-Indic digits: we do not
        ("9" * 5000, None),  # int() refuses beyond 4,300 digits with a ValueError
        ("1234567890", None),  # ten digits: no id of ours
        ("-1", None),  # below low
        (True, None),  # a bool is no number
        (1.5, None),
        (None, None),
        ({"a": 1}, None),
        ("0x10", None),
        ("1e3", None),
        ("", None),
    ],
)
def test_prm001_whole(raw, want):
    assert params.whole(raw, 0, 10**6) == want


def test_prm002_whole_bounds_are_inclusive():
    assert params.whole("1", 1, 4) == 1 and params.whole("4", 1, 4) == 4
    assert params.whole("0", 1, 4) is None and params.whole("5", 1, 4) is None


@pytest.mark.parametrize(
    ("raw", "want"),
    [("0.6", 0.6), (60, 60.0), ("-5", None), ("1e308", None), (float("inf"), None), ("nan", None), (True, None)],
)
def test_prm003_number(raw, want):
    assert params.number(raw, 0, 100) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [("A00001", "A00001"), ("华东", "华东"), ("a\x00b", None), ("x\r\ny", None), ("\x7f", None), ("", None), (5, None)],
)
def test_prm004_text(raw, want):
    assert params.text(raw) == want


def test_prm005_text_length():
    assert params.text("x" * 200) == "x" * 200
    assert params.text("x" * 201) is None
    assert params.text("x" * 51, 50) is None


def test_prm006_texts_and_one_of():
    assert params.texts(["a", 1, None, "b\x00", "c", {"x": 1}], 10) == ["a", "c"]
    assert params.texts(["a", "b", "c"], 2) == ["a", "b"]
    assert params.texts("abc", 5) == [] and params.texts(-1, 5) == []
    assert params.one_of("3", ("1", "2", "3")) == "3"
    assert params.one_of(3, ("1", "2", "3")) is None and params.one_of(["3"], ("3",)) is None


def test_prm007_query():
    assert params.query("?period=2026Q3&team=2&team=3") == {"period": "2026Q3", "team": "2"}
    assert params.query("period=2026") == {"period": "2026"}
    assert params.query("?rep=%00&team=1") == {"team": "1"}  # a NUL value is dropped
    assert params.query(True) == {} and params.query({"a": 1}) == {} and params.query(None) == {}
    assert params.query("?a=" + "x" * 9000) == {}


def test_prm009_path_code():
    assert params.path_code("OPZ1%5D(https%3A%2F%2Fevil.example)%20x") == "OPZ1](https://evil.example) x"
    assert params.path_code("A00001") == "A00001"
    assert params.path_code("A%00B") is None and params.path_code("x" * 51) is None and params.path_code(5) is None


def test_prm008_event_points():
    click = {"points": [{"customdata": "A1", "x": 1}, "junk", {"customdata": ["L2"]}]}
    assert params.event_points(click) == [{"customdata": "A1", "x": 1}, {"customdata": ["L2"]}]
    assert params.first_customdata(click) == "A1"
    for junk in ("abc", -1, None, [1], {"points": "abc"}, {"points": [1, 2]}, {}):
        assert params.event_points(junk) == []
        assert params.first_customdata(junk) is None
