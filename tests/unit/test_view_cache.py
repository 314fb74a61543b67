"""Pages are kept per viewer scope and view until the data changes; odd query strings never break a page."""

from __future__ import annotations

import pytest

from data_access.settings import load_settings, save_setting
from tests.dash_http import find, render_page, text_of
from web.view_cache import EXTENSION, ViewCache, plain_query


@pytest.fixture()
def cache(dash_app) -> ViewCache:
    return dash_app.server.extensions[EXTENSION]


def test_vc001_the_same_view_is_drawn_once_per_scope_and_data(director, rep, cache, demo_session):
    search = "?period=2026Q2"
    first = render_page(director, "/rad", search)
    hits, misses = cache.hits, cache.misses
    assert render_page(director, "/rad", search) == first
    assert (cache.hits, cache.misses) == (hits + 1, misses)
    mine = render_page(rep, "/rad", search)  # another scope: its own entry, never the director's page
    assert cache.misses == misses + 1 and mine != first
    assert render_page(director, "/rad", search, lang="zh") != first  # another language likewise
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


def test_vc002_bounded_least_recently_used():
    cache = ViewCache(max_entries=2)
    cache.put(("a",), 1)
    cache.put(("b",), 2)
    assert cache.get(("a",)) == 1  # a is now the most recent
    cache.put(("c",), 3)
    assert cache.get(("b",)) is None and cache.get(("a",)) == 1 and cache.get(("c",)) == 3


def test_vc005_bounded_by_the_size_of_what_it_keeps():
    cache = ViewCache(max_entries=100, max_bytes=1000)
    for name in "abcdefghij":
        cache.put((name,), name, 100)  # ten small pages fit exactly
    assert cache.bytes == 1000 and cache.get(("a",)) == "a"
    cache.put(("big",), "big", 650)  # a big one pushes out the least recently used small ones
    assert cache.bytes <= 1000 and cache.get(("big",)) == "big" and cache.get(("a",)) == "a"
    assert cache.get(("b",)) is None and cache.get(("j",)) == "j"
    cache.put(("huge",), "huge", 5000)  # bigger than the whole budget: kept alone, until the next one
    assert cache.get(("huge",)) == "huge" and cache.bytes == 5000 and cache.get(("big",)) is None
    cache.put(("small",), "small", 10)
    assert cache.get(("huge",)) is None and cache.bytes == 10


@pytest.mark.parametrize("path", ["/", "/funnel", "/rad", "/scorecards", "/winloss"])
def test_vc003_a_repeated_parameter_counts_by_its_first_value(director, path):
    tree = render_page(director, path, "?team=1&team=2&period=2025&period=x")
    assert find(tree, "filter-team")["props"]["value"] == 1
    assert find(tree, "filter-year")["props"]["value"] == 2025


def test_vc004_plain_query():
    assert plain_query({"a": "1", "b": ["2", "3"], "c": [], "d": 4}) == {"a": "1", "b": "2"}
