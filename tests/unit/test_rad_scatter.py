"""The RAD scatter at scale: thinned markers stand for every account, a zoom redraws its window, a lasso or box
counts every account inside it (drawn or not), all in the viewer's scope."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from data_access import queries
from data_access.models import Rep
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics import rad_points
from metrics.rad import account_table
from metrics.rad_points import in_selection, placed, thinned, zoom_window
from tests.conftest import AS_OF
from tests.dash_http import call_callback, find, render_page, text_of, walk


def _points(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    bp = 10 ** rng.uniform(4, 8, n)
    frame = pd.DataFrame(
        {
            "account_code": [f"A{i:05d}" for i in range(n)],
            "name": [f"客户{i}" for i in range(n)],
            "bp": bp,
            "sow": rng.uniform(0, 2.0, n),
            "manual": rng.uniform(0, 1, n) < 0.05,
            "rad_class": rng.choice(["R", "A", "D"], n),
            "open_pipeline": rng.uniform(0, 1e6, n).round(-3),
        }
    )
    return placed(frame, 0.5)


def test_rsc001_below_the_threshold_every_account_is_a_marker():
    points = _points(500)
    assert thinned(points).equals(points)
    assert len(placed(pd.DataFrame({**points.iloc[:3].to_dict("list"), "bp": [0.0, 1e5, 1e6]}), 0.5)) == 2


def test_rsc002_beyond_it_one_marker_per_cell_class_and_symbol_the_largest_pipeline(monkeypatch):
    monkeypatch.setattr(rad_points, "THIN_FROM", 100)
    monkeypatch.setattr(rad_points, "THIN_CELLS", (20, 10))
    points = _points(5000)
    drawn = thinned(points)
    assert 100 < len(drawn) < len(points) and drawn.index.is_monotonic_increasing

    def cells(df: pd.DataFrame) -> pd.Series:
        x0, x1, y0, y1 = points["lx"].min(), points["lx"].max(), points["y"].min(), points["y"].max()
        cx = np.clip(((df["lx"] - x0) / (x1 - x0) * 20).astype(int), 0, 19)
        cy = np.clip(((df["y"] - y0) / (y1 - y0) * 10).astype(int), 0, 9)
        return cx.astype(str) + ":" + cy.astype(str) + ":" + df["rad_class"] + ":" + df["symbol"].astype(str)

    keys = cells(points)
    assert sorted(cells(drawn)) == sorted(keys.unique())  # every occupied cell is drawn, once
    largest = points.assign(key=keys).groupby("key")["open_pipeline"].max()
    assert (drawn["open_pipeline"].to_numpy() == largest[cells(drawn)].to_numpy()).all()
    # a zoomed window draws only what is inside it, thinned over the window's own cells
    window = ((5.0, 6.0), (10.0, 60.0))
    inside = points[points["lx"].between(5, 6) & points["y"].between(10, 60)]
    zoomed = thinned(points, window)
    assert set(zoomed["account_code"]) <= set(inside["account_code"]) and len(zoomed) > len(
        drawn[drawn["lx"].between(5, 6) & drawn["y"].between(10, 60)]
    )


@pytest.mark.parametrize(
    ("relayout", "window"),
    [
        ({"xaxis.range[0]": 5, "xaxis.range[1]": 7, "yaxis.range[0]": 0, "yaxis.range[1]": 50}, ((5, 7), (0, 50))),
        ({"xaxis.range": [5, 7]}, ((5, 7), None)),
        ({"xaxis.autorange": True, "yaxis.autorange": True}, (None, None)),
        ({"selections": [{"type": "path"}]}, None),
        ({"dragmode": "zoom"}, None),
        ({"xaxis.range[0]": "x", "xaxis.range[1]": 7}, None),
        ({"xaxis.range": [7, 7]}, None),
        ("nonsense", None),
    ],
)
def test_rsc003_what_a_relayout_zooms_to(relayout, window):
    assert zoom_window(relayout) == window


def _held(points: pd.DataFrame, selected: dict) -> pd.DataFrame:
    inside = in_selection(points, selected)
    assert inside is not None
    return inside


def test_rsc004_a_lasso_or_box_holds_every_account_inside_it():
    points = _points(3000)
    # a square lasso in data units (BP on the log axis, SOW %), drawn open: the same as the box
    lasso = {"lassoPoints": {"x": [1e5, 1e7, 1e7, 1e5], "y": [20, 20, 80, 80]}}
    box = {"range": {"x": [1e7, 1e5], "y": [80, 20]}}
    want = points[points["lx"].between(5, 7) & points["y"].between(20, 80)]
    assert set(_held(points, lasso)["account_code"]) == set(want["account_code"])
    assert set(_held(points, box)["account_code"]) == set(want["account_code"])
    # a triangle: half of the square, below its diagonal
    tri = _held(points, {"lassoPoints": {"x": [1e5, 1e7, 1e7], "y": [20, 20, 80]}})
    below = want[(want["y"] - 20) < (want["lx"] - 5) * 30]
    assert set(tri["account_code"]) == set(below["account_code"]) and 0 < len(tri) < len(want)
    bad: object
    for bad in (
        None,
        {},
        {"points": []},
        {"lassoPoints": {"x": [1, 2], "y": [1, 2]}},
        {"range": {"x": [0, 5]}},
        {"lassoPoints": {"x": ["a", 2, 3], "y": [1, 2, 3]}},
        {"lassoPoints": {"x": [-1, 2, 3], "y": [1, 2, 3]}},
    ):
        assert in_selection(points, bad) is None


def _table(session, scope: Scope, r_min: float | None = None) -> pd.DataFrame:
    """The placed accounts in ``scope`` (thresholds from the settings, or a previewed R)."""
    s = load_settings(session)
    rows = queries.rad_accounts(session, scope, AS_OF.year, s.level_probabilities, AS_OF)
    r = s.rad_r_min if r_min is None else r_min
    return placed(account_table(rows, r, s.rad_a_max), r)


def _zoom(client, relayout, search=""):
    answer = call_callback(
        client, "rad-scatter.figure", {("rad-scatter", "relayoutData"): relayout, ("url", "search"): search}
    )
    return None if answer.status_code == 204 else answer.get_json()["response"]["rad-scatter"]["figure"]


def _codes(figure) -> set[str]:
    return {c for trace in figure["data"] for c in trace["customdata"]}


def test_rsc005_the_page_thins_a_zoom_redraws_and_a_lasso_counts_all(director, rep, demo_session, monkeypatch):
    everyone = _table(demo_session, Scope.everything())
    assert _zoom(director, {"xaxis.range": [5, 7]}) is None  # every account is drawn already: nothing to do
    monkeypatch.setattr(rad_points, "THIN_FROM", 20)
    monkeypatch.setattr(rad_points, "THIN_CELLS", (8, 5))
    tree = render_page(director, "/rad", "?r=49")  # a view no other test draws (pages are kept per view)
    drawn = _codes(find(tree, "rad-scatter")["props"]["figure"])
    previewed = _table(demo_session, Scope.everything(), r_min=0.49)
    assert 20 < len(drawn) < len(previewed)
    assert f"{len(drawn)} markers: accounts a few pixels apart are drawn once" in text_of(
        find(tree, "rad-count-thinned")
    )
    assert drawn <= set(previewed["account_code"])
    # a zoom: the window's accounts, thinned over its own cells; the axes keep the window
    window = {"xaxis.range[0]": 5.5, "xaxis.range[1]": 7.5, "yaxis.range[0]": 0, "yaxis.range[1]": 60}
    figure = _zoom(director, window)
    inside = everyone[everyone["lx"].between(5.5, 7.5) & everyone["y"].between(0, 60)]
    assert _codes(figure) <= set(inside["account_code"]) and len(_codes(figure)) > 20
    assert figure["layout"]["xaxis"]["range"] == [5.5, 7.5] and figure["layout"]["yaxis"]["range"] == [0, 60]
    reset = _zoom(director, {"xaxis.autorange": True, "yaxis.autorange": True})
    assert "range" not in reset["layout"]["xaxis"] and len(_codes(reset)) < len(everyone)
    # a rep's zoom shows only the rep's accounts, whatever the client sends
    rep_id = demo_session.scalar(select(Rep.id).where(Rep.rep_code == "R0001"))
    mine = _table(demo_session, Scope.rep(rep_id))
    assert _zoom(rep, window) is None or _codes(_zoom(rep, window)) <= set(mine["account_code"])
    # a lasso counts every account inside it, drawn or thinned away, in the viewer's scope
    # (from below the SOW-0% strip: the accounts at 0% are drawn there)
    lasso = {"lassoPoints": {"x": [10**5.5, 10**7.5, 10**7.5, 10**5.5], "y": [-5, -5, 60, 60]}, "points": []}
    for client, table in ((director, everyone), (rep, mine)):
        answer = call_callback(
            client, "rad-selection.children", {("rad-scatter", "selectedData"): lasso, ("url", "search"): ""}
        )
        body = answer.get_json()["response"]
        want = table[table["lx"].between(5.5, 7.5) & table["y"].between(-5, 60)]
        assert sorted(body["table-selection"]["data"]) == sorted(want["account_code"]) and len(want) > 0
        grid = next(n for n in walk(body["rad-selection"]["children"]) if n["props"].get("id") == "rad-selection-grid")
        assert len(grid["props"]["rowData"]) == len(want)


def test_rsc006_the_axis_in_the_viewers_language():
    """The BP axis's title and decades in the viewer's language (issue 18), whatever the points."""
    import pandas as pd

    from components.rad_scatter import BP_TICKS, rad_scatter

    empty = pd.DataFrame(columns=["rad_class", "symbol", "name", "sow", "open_pipeline", "bp", "y", "account_code"])
    labels = {"R": "R", "A": "A", "D": "D"}
    zh = rad_scatter(empty, 0.5, 0.1, labels, "zh")["layout"]["xaxis"]
    assert zh["title"]["text"].startswith("年度采购量") and zh["tickvals"] == list(BP_TICKS)
    assert zh["ticktext"][:3] == ["1,000", "1万", "10万"] and zh["ticktext"][-1] == "100亿"
    en = rad_scatter(empty, 0.5, 0.1, labels, "en")["layout"]["xaxis"]
    assert en["ticktext"][3] == "1M" and en["title"]["text"].startswith("BP")


def test_rsc007_the_hover_writes_the_bp_as_every_amount():
    import pandas as pd

    from components.rad_scatter import rad_scatter
    from metrics.rad_points import SYMBOL_PLAIN

    one = pd.DataFrame(
        [
            {
                "rad_class": "D",
                "symbol": SYMBOL_PLAIN,
                "name": "甲客户",
                "sow": 0.2,
                "open_pipeline": 1.0,
                "bp": 20_785_000.0,
                "y": 20.0,
                "account_code": "C1",
            }
        ]
    )
    labels = {"R": "R", "A": "A", "D": "D"}
    (trace,) = [tr for tr in rad_scatter(one, 0.5, 0.1, labels, "zh")["data"] if len(tr["x"])]
    assert list(trace["hovertext"]) == ["BP ¥2,078万 · SOW 20.0%"] and "%{hovertext}" in trace["hovertemplate"]
    (trace,) = [tr for tr in rad_scatter(one, 0.5, 0.1, labels, "en")["data"] if len(tr["x"])]
    assert list(trace["hovertext"]) == ["BP ¥20.79M · SOW 20.0%"]


def test_rsc020_accounts_at_sow_zero_spread_in_a_strip_below_the_line_and_say_zero():
    """Issue 18: ~190 A accounts piled on the SOW 0% line. Each is drawn at its own depth below it (the same
    every time), the hover still says 0.0%; an account above 0% stays where it is."""
    from components.rad_scatter import rad_scatter
    from metrics.rad_points import ZERO_STRIP

    frame = pd.DataFrame(
        {
            "account_code": [f"Z{i:03d}" for i in range(200)] + ["P1"],
            "name": ["客户"] * 201,
            "bp": [1e6] * 201,
            "sow": [0.0] * 200 + [0.25],
            "manual": [False] * 201,
            "rad_class": ["A"] * 201,
            "open_pipeline": [0.0] * 201,
        }
    )
    points = placed(frame, 0.5)
    zero = points["y"].iloc[:200]
    assert ((zero < 0) & (zero >= -ZERO_STRIP)).all() and zero.nunique() > 150
    assert points["y"].iloc[200] == 25.0
    assert placed(frame, 0.5)["y"].equals(points["y"])  # the same strip every time
    labels = {"R": "R", "A": "A", "D": "D"}
    (trace,) = [tr for tr in rad_scatter(points.head(3), 0.5, 0.1, labels, "zh")["data"] if len(tr["x"])]
    assert all(text.endswith("SOW 0.0%") for text in trace["hovertext"])
