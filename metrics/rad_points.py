"""The RAD scatter's geometry: where each account sits, which markers are drawn, what a lasso or a zoom holds.

An account sits at its BP (x, log scale) and SOW (y, %, drawn at ``SOW_CAP`` at most). Up to ``THIN_FROM``
accounts every one is a marker; beyond, markers a few pixels apart cover each other anyway, so the
scatter draws one per class, symbol and cell of a ``THIN_CELLS`` grid (the account with the largest open
pipeline: the biggest marker). Zooming in redraws the zoomed window the same way, so every account shows
once the window is small enough; a lasso or box counts every account inside it, drawn or not. Pure numpy
on the accounts' frame: the figure is ``components.rad_scatter``.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pandas as pd

#: SOW above this is drawn at it, as a triangle (the hover tells the real SOW): a few accounts with SOW of
#: 2000% (a BP far too low) must not squash everyone else into the bottom of the chart.
SOW_CAP = 1.5
#: Marker symbols by plotly's numbers (circle, diamond: manual class, triangle-up: SOW above the cap).
SYMBOL_PLAIN, SYMBOL_MANUAL, SYMBOL_CAPPED = 0, 2, 5
#: Beyond this many accounts in view, markers are thinned (72,000 markers took 1.5 s to draw, 4,300 SVG
#: markers 0.29 s, 3,000 0.25 s); the grid's cells are about 11 x 9 pixels on the drawn plot, the size of a
#: middling marker (75,000 accounts: about 2,500 markers; 7,200: about 1,200).
THIN_FROM = 5_000
THIN_CELLS = (80, 48)

#: The zoomed axes' ranges: (log10 BP from, to) and (SOW % from, to); None for an axis not zoomed.
Window = tuple[tuple[float, float] | None, tuple[float, float] | None]


def sow_cap(r_min: float) -> float:
    """The SOW drawn at most (higher SOWs sit on it as triangles), above the R threshold in any case."""
    return max(SOW_CAP, r_min * 1.5)


#: Accounts at SOW 0% are drawn in a strip this deep (in SOW points) below the 0% line, each at its own
#: depth (from its code, so the same every time): ~190 A accounts on one line read as a single smear
ZERO_STRIP = 3.0


def zero_depth(codes: pd.Series) -> np.ndarray:
    """Each code's depth in the SOW-0% strip: 0.3 .. ZERO_STRIP, fixed by the code (CRC-32), not by chance."""
    spread = np.array([zlib.crc32(str(c).encode()) % 1000 for c in codes], dtype=float) / 1000
    return 0.3 + spread * (ZERO_STRIP - 0.3)


def placed(accounts: pd.DataFrame, r_min: float) -> pd.DataFrame:
    """The accounts the scatter places (a known SOW and a BP above 0), with lx (log10 BP), y (SOW % as drawn:
    capped at ``sow_cap``, an account at 0% in the strip below the line) and symbol."""
    known = accounts[accounts["sow"].notna() & (accounts["bp"].astype(float) > 0)]
    cap = sow_cap(r_min)
    sow = known["sow"].astype(float)
    symbol = np.where(sow > cap, SYMBOL_CAPPED, np.where(known["manual"].astype(bool), SYMBOL_MANUAL, SYMBOL_PLAIN))
    y = sow.clip(upper=cap) * 100
    zero = (sow <= 0).to_numpy()
    if zero.any():
        y = y.copy()
        y[zero] = -zero_depth(known["account_code"][zero])
    return known.assign(lx=np.log10(known["bp"].astype(float)), y=y, symbol=symbol)


def _inside(values: pd.Series, bounds: tuple[float, float] | None) -> Any:
    if bounds is None:
        return np.ones(len(values), dtype=bool)
    low, high = sorted(bounds)
    return ((values >= low) & (values <= high)).to_numpy()


def _cells(values: pd.Series, bounds: tuple[float, float] | None, n: int) -> Any:
    low, high = sorted(bounds) if bounds else (float(values.min()), float(values.max()))
    spread = high - low if high > low else 1.0
    return np.clip(((values.to_numpy() - low) / spread * n).astype(int), 0, n - 1)


def thinned(points: pd.DataFrame, window: Window = (None, None)) -> pd.DataFrame:
    """What the scatter draws of ``placed`` points: those inside ``window``; beyond ``THIN_FROM`` of them, one
    per class, symbol and grid cell of the window, the one with the largest open pipeline (ties: the first)."""
    xs, ys = window
    shown = points[_inside(points["lx"], xs) & _inside(points["y"], ys)]
    if len(shown) <= THIN_FROM:
        return shown
    nx, ny = THIN_CELLS
    cls = shown["rad_class"].to_numpy(dtype=object)
    classes = np.select([cls == "R", cls == "A", cls == "D"], [0, 1, 2], 3)
    key = ((_cells(shown["lx"], xs, nx) * ny + _cells(shown["y"], ys, ny)) * 4 + classes) * 8
    key = key + shown["symbol"].to_numpy(dtype=int)
    pipe = shown["open_pipeline"].to_numpy(dtype=float)
    # by cell, then the largest pipeline, then the earlier row: each cell's first is its marker (numpy, not a
    # sort of the whole frame: 62 ms -> a few at 72,000 accounts)
    order = np.lexsort((np.arange(len(key)), -pipe, key))
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    return shown.iloc[np.sort(order[first])]


def zoom_window(relayout: Any) -> Window | None:
    """The window a plotly relayout event zooms to (ranges as the axes count them: log10 BP, SOW %);
    (None, None) for a reset (autorange); None when the event is about something else (a selection, a drag
    mode) or malformed."""
    if not isinstance(relayout, dict):
        return None

    def axis(name: str) -> tuple[float, float] | None:
        pair = relayout.get(f"{name}.range")
        if pair is None and f"{name}.range[0]" in relayout:
            pair = [relayout.get(f"{name}.range[0]"), relayout.get(f"{name}.range[1]")]
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            return None
        try:
            low, high = float(pair[0]), float(pair[1])
        except (TypeError, ValueError):
            return None
        return (low, high) if np.isfinite(low) and np.isfinite(high) and low != high else None

    x, y = axis("xaxis"), axis("yaxis")
    if x is not None or y is not None:
        return (x, y)
    if relayout.get("xaxis.autorange") is True or relayout.get("yaxis.autorange") is True:
        return (None, None)
    return None


#: A lasso with more corners than this is not one a hand drew (and would cost a request seconds).
MAX_CORNERS = 5000


def in_selection(points: pd.DataFrame, selected: Any) -> pd.DataFrame | None:
    """The ``placed`` points inside a lasso or box selection (plotly's ``lassoPoints`` or ``range``, in data
    units: BP, SOW %), drawn or not; None when the selection is neither (a click selects its marker)."""
    if not isinstance(selected, dict):
        return None
    lasso, box = selected.get("lassoPoints"), selected.get("range")
    try:
        if isinstance(lasso, dict):
            xs, ys = np.asarray(lasso.get("x"), dtype=float), np.asarray(lasso.get("y"), dtype=float)
            if not 3 <= len(xs) == len(ys) <= MAX_CORNERS or (xs <= 0).any():
                return None
            return points[_in_polygon(points["lx"].to_numpy(), points["y"].to_numpy(), np.log10(xs), ys)]
        if isinstance(box, dict):
            bx, by = [float(v) for v in box.get("x", [])], [float(v) for v in box.get("y", [])]
            if len(bx) != 2 or len(by) != 2 or min(bx) <= 0:
                return None
            return points[
                _inside(points["lx"], (np.log10(bx[0]), np.log10(bx[1]))) & _inside(points["y"], (by[0], by[1]))
            ]
    except (TypeError, ValueError):
        return None
    return None


def _in_polygon(px: Any, py: Any, vx: Any, vy: Any) -> Any:
    """Even-odd rule: which points (px, py) lie inside the polygon (vx, vy) (closed or not)."""
    inside = np.zeros(len(px), dtype=bool)
    for i in range(len(vx)):
        x1, y1, x2, y2 = vx[i - 1], vy[i - 1], vx[i], vy[i]
        if y1 == y2:
            continue
        crosses = (py < y1) != (py < y2)
        at = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < at)
    return inside
