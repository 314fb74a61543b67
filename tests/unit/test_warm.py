"""The warm-up draws the director's default pages in both languages: what their loaders answer is kept in the
shared store, so the first director to ask after a change of the data reads it instead of the database, and
is shown the page the director would have drawn."""

from __future__ import annotations

from data_access.result_cache import EXTENSION, KeptResults
from tests.dash_http import render_page
from web import warm


def _kept(dash_app) -> set[str]:
    store = dash_app.server.extensions[EXTENSION]
    assert isinstance(store, KeptResults) and store.folder is not None
    return {p.name for p in store.folder.iterdir()}


def test_wrm001_warmed_pages_are_served_from_what_the_warm_up_kept(dash_app, director, manager):
    store = dash_app.server.extensions[EXTENSION]
    store.cache.clear()  # nothing kept: what follows is the warm-up's doing
    seconds = warm.warm_once(dash_app.server)
    warmed = _kept(dash_app)
    assert seconds > 0 and len(warmed) >= len(warm.PAGES)
    served = {(lang, path): render_page(director, path, lang=lang) for lang in ("zh", "en") for path in warm.PAGES}
    assert _kept(dash_app) == warmed  # every answer was read from the store, nothing computed again
    store.cache.clear()
    for (lang, path), page in served.items():
        assert render_page(director, path, lang=lang) == page  # what a fresh draw gives
    # another role and scope is not served the director's answers: it computes and keeps its own
    before = _kept(dash_app)
    render_page(manager, "/")
    assert _kept(dash_app) - before
