"""The warm-up draws the director's default pages in both languages: the first director to ask after a
change of the data is served a kept page, and it is the page the director would have drawn."""

from __future__ import annotations

from tests.dash_http import render_page
from web import warm
from web.view_cache import EXTENSION


def test_wrm001_warmed_pages_are_served_as_drawn(dash_app, director, manager):
    cache = dash_app.server.extensions[EXTENSION]
    cache._entries.clear()  # nothing kept: what follows is the warm-up's doing
    seconds = warm.warm_once(dash_app.server)
    assert seconds > 0 and len(cache._entries) == 2 * len(warm.PAGES)
    served = {}
    for lang in ("zh", "en"):
        for path in warm.PAGES:
            hits, misses = cache.hits, cache.misses
            served[lang, path] = render_page(director, path, lang=lang)
            assert (cache.hits, cache.misses) == (hits + 1, misses), (path, lang)
    cache._entries.clear()
    for (lang, path), page in served.items():
        assert render_page(director, path, lang=lang) == page  # what a fresh draw gives
    # another role and scope is not served the director's page
    hits = cache.hits
    render_page(manager, "/")
    assert cache.hits == hits
