"""A page's drawing is kept beside its loader's answer, under the same rule: per address, the viewer's role
and scope, the language, today and the data version (web/loading.py page_layout, data_access/result_cache.py);
odd query strings never break a page."""

from __future__ import annotations

import pytest

from data_access.result_cache import EXTENSION, KeptResults
from data_access.settings import load_settings, save_setting
from tests.dash_http import find, render_page, text_of
from web.loading import plain_query


def _entries(dash_app) -> set[str]:
    store = dash_app.server.extensions[EXTENSION]
    assert isinstance(store, KeptResults) and store.folder is not None
    return {p.name for p in store.folder.iterdir()}


def test_kpg001_the_same_view_is_drawn_once_per_scope_language_and_data(dash_app, director, rep, demo_session):
    search = "?period=2026Q2"
    first = render_page(director, "/rad", search)
    kept = _entries(dash_app)
    assert render_page(director, "/rad", search) == first
    assert render_page(director, "/rad", "?period=2026Q2&region=") == first  # an empty parameter is no other view
    assert _entries(dash_app) == kept  # served as kept: nothing computed, nothing written
    mine = render_page(rep, "/rad", search)  # another scope: its own entries, never the director's page
    assert mine != first and _entries(dash_app) - kept
    chinese = render_page(director, "/rad", search, lang="zh")  # another language likewise
    assert chinese != first
    # a change to the data (here the RAD thresholds) expires every page drawn before it
    before = load_settings(demo_session)
    try:
        save_setting(demo_session, "rad_thresholds", {"r_min": 0.7, "a_max": 0.2})
        demo_session.commit()
        changed = render_page(director, "/rad", search)
        assert "R: SOW ≥ 70%" in text_of(find(changed, "rad-thresholds-text"))
    finally:
        save_setting(demo_session, "rad_thresholds", {"r_min": before.rad_r_min, "a_max": before.rad_a_max})
        demo_session.commit()
    assert "R: SOW ≥ 50%" in text_of(find(render_page(director, "/rad", search), "rad-thresholds-text"))


@pytest.mark.parametrize("path", ["/", "/funnel", "/rad", "/scorecards", "/winloss"])
def test_kpg002_a_repeated_parameter_counts_by_its_first_value(director, path):
    tree = render_page(director, path, "?team=1&team=2&period=2025&period=x")
    assert find(tree, "filter-team")["props"]["value"] == 1
    assert find(tree, "filter-year")["props"]["value"] == 2025


def test_kpg003_plain_query():
    assert plain_query({"a": "1", "b": ["2", "3"], "c": [], "d": 4, "e": "x\x00"}) == {"a": "1", "b": "2"}
