"""The app's plotly.js is the "finance" partial bundle in assets/ (issue 18: the full 4.8 MB bundle's parsing
was most of a page's first load). It must draw every trace type the app makes and be the plotly.js the Python
plotly package writes figures for (same major and minor version)."""

from __future__ import annotations

import re
from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "assets" / "plotly-finance.min.js"
#: The bundle's trace modules (its README: bar, candlestick, funnel, funnelarea, histogram, indicator, ohlc, pie,
#: scatter, waterfall)
IN_BUNDLE = {
    "bar",
    "candlestick",
    "funnel",
    "funnelarea",
    "histogram",
    "indicator",
    "ohlc",
    "pie",
    "scatter",
    "waterfall",
}


def _version(text: str) -> tuple[int, int]:
    found = re.search(r"plotly\.js.*?v(\d+)\.(\d+)\.\d+", text[:400])
    assert found, text[:200]
    return int(found.group(1)), int(found.group(2))


def test_plb001_the_bundle_is_the_plotly_js_the_python_package_writes_for():
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert _version(BUNDLE.read_text(errors="replace")[:400]) == _version(full.read_text(errors="replace")[:400])
    assert (ROOT / "assets" / "plotly-LICENSE.txt").read_text().startswith("MIT License")


def test_plb002_every_trace_type_the_app_draws_is_in_the_bundle():
    used: set[str] = set()
    for path in [*(ROOT / "components").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        source = path.read_text()
        used |= {
            name.lower()
            for name in re.findall(r"\bgo\.(Bar|Scatter\w*|Funnel\w*|Indicator|Pie|Waterfall|Heatmap|Box)\(", source)
        }
        used |= {
            m.lower() for m in re.findall(r"\.add_(bar|scatter|funnel|indicator|pie|waterfall|heatmap|box)\(", source)
        }
        used |= set(re.findall(r'"type":\s*"([a-z0-9]+)"', source)) - {
            "category",
            "log",
            "line",
            "linear",
            "date",
            "rect",
            "path",
        }
        used |= set(re.findall(r'\bkind = "([a-z0-9]+)"', source))
    assert used and used <= IN_BUNDLE, used - IN_BUNDLE
    assert {"bar", "scatter", "funnel", "indicator"} <= used
