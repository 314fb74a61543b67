"""Rendered pages, kept per worker for the viewer's scope and the page's filters until the data changes.

A page's layout is a pure function of the address's query, the viewer's scope and role, the language,
"today" and the data. The key holds all of them; the data is represented by its version
(``data_access.settings.data_version``), which every import, settings change and demo run bumps in the
same transaction, so each request reads one row to know whether what it holds is still true. The cache
lives on the Flask app (one per worker process), bounded by least recent use to ``MAX_ENTRIES`` pages and
``MAX_BYTES`` of their JSON: a rep's page weighs tens of kilobytes, a director's RAD page at 75,000
accounts megabytes, and hundreds of viewers' pages must fit while the big ones cannot crowd out memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

import orjson
from flask import current_app
from plotly.io.json import to_json_plotly

from components.i18n import current_lang
from data_access.runtime import read_session, today
from data_access.settings import data_version
from metrics import params
from web.auth import current_viewer

MAX_ENTRIES = 1000
MAX_BYTES = 48 * 1024 * 1024
EXTENSION = "salesradar_view_cache"


class ViewCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._sizes: dict[tuple[Any, ...], int] = {}
        self.bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            self.misses += 1
            return None

    def put(self, key: tuple[Any, ...], value: Any, size: int = 0) -> None:
        """Keep ``value`` (``size``: its JSON's length) and drop the least recently used beyond the bounds."""
        with self._lock:
            self.bytes += size - self._sizes.get(key, 0)
            self._entries[key] = value
            self._sizes[key] = size
            self._entries.move_to_end(key)
            while len(self._entries) > 1 and (len(self._entries) > self.max_entries or self.bytes > self.max_bytes):
                old, _value = self._entries.popitem(last=False)
                self.bytes -= self._sizes.pop(old, 0)


def install(server: Any, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> ViewCache:
    cache = ViewCache(max_entries, max_bytes)
    server.extensions[EXTENSION] = cache
    return cache


def plain_query(query: dict[str, Any]) -> dict[str, str]:
    """The address's parameters as strings: a repeated one (``?team=1&team=2``) arrives as a list and counts
    by its first value; anything else that is not text, and text with a control character (a NUL reaches
    PostgreSQL as an error), is dropped (``metrics.params.text``)."""
    out: dict[str, str] = {}
    for key, value in query.items():
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str)), None)
        if params.text(value, params.MAX_QUERY) is not None and params.text(key, 40) is not None:
            out[str(key)] = str(value)
    return out


def as_json_tree(layout: Any) -> tuple[Any, int]:
    """A component tree as the plain dicts and lists Dash sends (``{"type", "namespace", "props"}``), and
    the length of its JSON. Kept that way, a page is serialized again by orjson alone on every later
    request: turning components and numpy arrays into JSON is most of what a big kept page (75,000 RAD
    markers, 8,500 reps) would otherwise cost each time it is served."""
    text = to_json_plotly(layout)
    return orjson.loads(text), len(text)


def page_layout(cache: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Every page's ``layout``: its parameters made plain (``plain_query``) and, with ``cache``, served from
    the cache when the same viewer scope asked for the same view of the same data (else drawn and kept)."""

    def decorate(layout: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(layout)
        def serve(**raw: Any) -> Any:
            query = plain_query(raw)
            store = current_app.extensions.get(EXTENSION) if cache else None
            viewer = current_viewer()
            if store is None or viewer is None:
                return layout(**query)
            with read_session() as session:
                version = data_version(session)
            key = (
                layout.__module__,
                tuple(sorted(query.items())),
                viewer.scope.cache_key(),
                viewer.role,
                current_lang(),
                today().isoformat(),
                version,
            )
            hit = store.get(key)
            if hit is None:
                hit, size = as_json_tree(layout(**query))
                store.put(key, hit, size)
            return hit

        return serve

    return decorate
