"""The RAD scatter's geometry on literal points (issue 23: tests that catch a wrong number): where an account sits,
which markers a thinned scatter keeps, what a zoom, a box or a lasso holds, at every edge. Expected values are
written here from the rows, never taken from the functions under test."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from metrics.rad_points import (
    MAX_CORNERS,
    SYMBOL_CAPPED,
    SYMBOL_MANUAL,
    SYMBOL_PLAIN,
    THIN_FROM,
    in_selection,
    placed,
    sow_cap,
    thinned,
    zero_depth,
    zoom_window,
)


def test_rpe001_the_cap_is_one_and_a_half_times_r_and_never_below_150_percent():
    assert sow_cap(0.5) == 1.5
    assert sow_cap(1.0) == 1.5
    assert sow_cap(1.2) == pytest.approx(1.8)


def test_rpe002_a_zero_sow_accounts_depth_is_fixed_by_its_code():
    # 0.3 + (CRC-32 of the code mod 1000) / 1000 x 2.7: CRC-32 mod 1000 of G0, Z1, Z2 is 73, 547, 793
    depths = zero_depth(pd.Series(["G0", "Z1", "Z2"]))
    assert depths.tolist() == pytest.approx([0.4971, 1.7769, 2.4411], abs=1e-12)


def _accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_code": ["A0", "B1", "C2", "D3", "E4", "F5", "G0", "H7"],
            "bp": [0.0, 0.5, 1_000.0, 100_000.0, 10_000.0, 1_000_000.0, 100.0, 10.0],
            "sow": [0.4, 0.2, None, 2.0, 1.5, 0.3, 0.0, 1.7],
            "manual": [False, False, False, False, False, True, False, False],
        }
    )


def test_rpe003_placed_drops_no_bp_and_unknown_sow_and_caps_above_150_percent():
    points = placed(_accounts(), 0.5)
    assert points["account_code"].tolist() == ["B1", "D3", "E4", "F5", "G0", "H7"]
    assert points["lx"].tolist() == pytest.approx([np.log10(0.5), 5.0, 4.0, 6.0, 2.0, 1.0])
    # SOW 2.0 and 1.7 above the 150% cap sit on it as triangles; exactly 150% is not above it
    assert points["y"].tolist() == pytest.approx([20.0, 150.0, 150.0, 30.0, -0.4971, 150.0])
    assert points["symbol"].tolist() == [
        SYMBOL_PLAIN,
        SYMBOL_CAPPED,
        SYMBOL_PLAIN,
        SYMBOL_MANUAL,
        SYMBOL_PLAIN,
        SYMBOL_CAPPED,
    ]


def test_rpe004_a_high_r_threshold_raises_the_cap():
    points = placed(_accounts(), 1.2)  # cap 180%
    assert dict(zip(points["account_code"], points["y"], strict=True))["D3"] == pytest.approx(180.0)
    assert dict(zip(points["account_code"], points["y"], strict=True))["H7"] == pytest.approx(170.0)
    assert dict(zip(points["account_code"], points["symbol"], strict=True))["H7"] == SYMBOL_PLAIN


def _point(code: str, lx: float, y: float, cls: str | None, symbol: int = SYMBOL_PLAIN, pipe: float = 1.0) -> dict:
    return {"account_code": code, "lx": lx, "y": y, "rad_class": cls, "symbol": symbol, "open_pipeline": pipe}


WINDOW: Any = ((0.0, 80.0), (0.0, 48.0))  # one grid cell per unit on both axes (the grid is 80 x 48)


def test_rpe005_a_window_holds_its_edges_and_below_the_threshold_every_point_inside():
    rows = [
        _point("LOW", 0.0, 0.0, "A"),
        _point("HIGH", 80.0, 48.0, "A"),
        _point("MID", 40.0, 24.0, "A"),
        _point("RIGHT", 80.5, 24.0, "A"),
        _point("ABOVE", 40.0, 48.5, "A"),
        _point("LEFT", -0.5, 24.0, "A"),
    ]
    assert thinned(pd.DataFrame(rows), WINDOW)["account_code"].tolist() == ["LOW", "HIGH", "MID"]
    assert thinned(pd.DataFrame(rows))["account_code"].tolist() == [r["account_code"] for r in rows]


def test_rpe006_thinning_keeps_one_marker_per_cell_class_and_symbol():
    # 5,000 points in cell (1, 1) and one in (70, 40): the drawn points span 1.5 .. 70.5 and 1.5 .. 40.5, not the
    # window's 0 .. 80 and 0 .. 48, so cells counted from the points' own span would differ from the window's
    rows = [_point(f"F{i:04d}", 1.5, 1.5, "R") for i in range(THIN_FROM)]
    rows.append(_point("MAX", 70.5, 40.5, "R"))
    # cell (10, 10): one marker each for R, A, D and no class, and for R as a diamond; the larger of two R circles
    rows += [
        _point("CR", 10.5, 10.5, "R", pipe=3.0),
        _point("CRBIG", 10.2, 10.9, "R", pipe=5.0),
        _point("CA", 10.5, 10.5, "A"),
        _point("CD", 10.5, 10.5, "D"),
        _point("CN", 10.5, 10.5, None),
        _point("CR2", 10.5, 10.5, "R", symbol=SYMBOL_MANUAL),
    ]
    # no class in cell (20, 20) beside an R in cell (20, 21): two cells, two markers
    rows += [_point("NN", 20.5, 20.5, None), _point("NR", 20.5, 21.5, "R")]
    # one cell of the window each: the larger pipeline is the marker
    rows += [_point("X1", 30.1, 5.5, "A", pipe=1.0), _point("X2", 30.9, 5.5, "A", pipe=2.0)]
    rows += [_point("Y1", 40.5, 20.1, "D", pipe=1.0), _point("Y2", 40.5, 20.9, "D", pipe=2.0)]
    drawn = thinned(pd.DataFrame(rows), WINDOW)
    assert drawn["account_code"].tolist() == ["F0000", "MAX", "CRBIG", "CA", "CD", "CN", "CR2", "NN", "NR", "X2", "Y2"]


def test_rpe007_exactly_the_threshold_is_not_thinned():
    rows = [_point(f"F{i:04d}", 1.5, 1.5, "R") for i in range(THIN_FROM)]
    assert len(thinned(pd.DataFrame(rows), WINDOW)) == THIN_FROM
    rows.append(_point("ONE", 1.5, 1.5, "R", pipe=2.0))
    assert thinned(pd.DataFrame(rows), WINDOW)["account_code"].tolist() == ["ONE"]


@pytest.mark.parametrize(
    ("relayout", "window"),
    [
        ({"xaxis.autorange": True}, (None, None)),
        ({"yaxis.autorange": True}, (None, None)),
        ({"xaxis.autorange": False}, None),
        ({"yaxis.autorange": False, "xaxis.autorange": False}, None),
        # a whole range wins over its parts
        ({"xaxis.range": [1, 2], "xaxis.range[0]": 5, "xaxis.range[1]": 6}, ((1.0, 2.0), None)),
        ({"xaxis.range[0]": 5, "xaxis.range[1]": 6}, ((5.0, 6.0), None)),
        ({"yaxis.range": [10, 20]}, (None, (10.0, 20.0))),
    ],
)
def test_rpe008_what_a_relayout_means(relayout, window):
    assert zoom_window(relayout) == window


def _square() -> pd.DataFrame:
    """Points against the lasso (10, 0) (1000, 0) (1000, 10) (10, 10) in BP x SOW: lx 1 .. 3, y 0 .. 10."""
    rows = [
        _point("IN", 2.0, 5.0, "A"),
        _point("BOTTOM", 2.0, 0.0, "A"),  # on the lower edge: inside (a half-open rule, y from its low end)
        _point("TOP", 2.0, 10.0, "A"),  # on the upper edge: outside
        _point("LEFT", 1.0, 5.0, "A"),  # on the left edge: inside (x from its low end)
        _point("RIGHT", 3.0, 5.0, "A"),  # on the right edge: outside
        _point("OUT", 4.0, 5.0, "A"),
    ]
    return pd.DataFrame(rows)


def _codes(frame: pd.DataFrame | None) -> list[str] | None:
    return None if frame is None else frame["account_code"].tolist()


def test_rpe009_a_lasso_holds_its_lower_and_left_edges():
    lasso = {"lassoPoints": {"x": [10, 1000, 1000, 10], "y": [0, 0, 10, 10]}}
    assert _codes(in_selection(_square(), lasso)) == ["IN", "BOTTOM", "LEFT"]
    # the numbers as text (a client may post them so): the same
    as_text = {"lassoPoints": {"x": ["10", "1000", "1000", "10"], "y": ["0", "0", "10", "10"]}}
    assert _codes(in_selection(_square(), as_text)) == ["IN", "BOTTOM", "LEFT"]
    # a corner at BP 1 (lx 0) is a BP like any other; at BP 0 or below there is no log scale
    wide = {"lassoPoints": {"x": [1, 1000, 1000, 1], "y": [0, 0, 10, 10]}}
    assert _codes(in_selection(_square(), wide)) == ["IN", "BOTTOM", "LEFT"]
    assert in_selection(_square(), {"lassoPoints": {"x": [0, 1000, 1000, 0], "y": [0, 0, 10, 10]}}) is None


def test_rpe010_a_lasso_of_up_to_max_corners():
    angles = np.linspace(0, 2 * np.pi, MAX_CORNERS, endpoint=False)
    circle = {"x": (10 ** (2 + np.cos(angles) * 0.5)).tolist(), "y": (5 + np.sin(angles) * 4).tolist()}
    assert _codes(in_selection(_square(), {"lassoPoints": circle})) == ["IN"]
    longer = {"x": circle["x"] + [100.0], "y": circle["y"] + [5.0]}
    assert in_selection(_square(), {"lassoPoints": longer}) is None


def test_rpe011_a_box_holds_its_edges_and_refuses_a_bp_of_zero_or_a_third_value():
    box = {"range": {"x": [10, 1000], "y": [0, 10]}}
    assert _codes(in_selection(_square(), box)) == ["IN", "BOTTOM", "TOP", "LEFT", "RIGHT"]
    assert _codes(in_selection(_square(), {"range": {"x": [1, 100], "y": [0, 10]}})) == ["IN", "BOTTOM", "TOP", "LEFT"]
    assert in_selection(_square(), {"range": {"x": [0, 1000], "y": [0, 10]}}) is None
    assert in_selection(_square(), {"range": {"x": [10, 1000], "y": [0, 5, 10]}}) is None
    assert in_selection(_square(), {"range": {"x": [10, 1000]}}) is None
