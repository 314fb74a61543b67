"""How a page, a download or an API route gets its data: the view's loader, in a fresh read session, for the
signed-in viewer and today's date. The one place between the request and ``metrics.views``.

The loaders keep their answers (``data_access.result_cache.kept``, one store for every worker and server);
a page keeps its drawing of them in the same store under the same rule (``page_layout``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

import orjson
from plotly.io.json import to_json_plotly
from sqlalchemy.orm import Session

from components.i18n import current_lang
from data_access.result_cache import keep, viewer_key
from data_access.runtime import read_session, runtime, today
from data_access.users import Viewer
from metrics import params
from web.auth import current_viewer

T = TypeVar("T")
Loader = Callable[[Session, Viewer, dict[str, str], date], T]


class NoViewer(PermissionError):
    """A loader was asked for outside a signed-in request (the sign-in guard answers before this)."""


def load_view(loader: Loader[T], query: dict[str, str]) -> T:
    viewer = current_viewer()
    if viewer is None:
        raise NoViewer("no signed-in viewer")
    with read_session() as session:
        return loader(session, viewer, query, today())


def read_view(action: Callable[[Session, Viewer], T]) -> T:
    """``action`` in a read session for the signed-in viewer: a callback's read that is not an address (the
    price calculator's lines)."""
    viewer = current_viewer()
    if viewer is None:
        raise NoViewer("no signed-in viewer")
    with read_session() as session:
        return action(session, viewer)


def viewer_role() -> str | None:
    """The signed-in viewer's role (what a layout shows or leaves out, never what it may read: loaders decide)."""
    viewer = current_viewer()
    return viewer.role if viewer is not None else None


def current_day() -> date:
    """Today as the app counts it (``SALESRADAR_AS_OF`` pins it in a demo): what a form's default day is."""
    return today()


def write_view(action: Callable[[Session, Viewer], T]) -> T:
    """``action`` in a write session for the signed-in viewer, committed when it returns (the few writes of
    the UI: the RAD thresholds, an import's remembered mapping). The action checks the viewer's rights."""
    viewer = current_viewer()
    if viewer is None:
        raise NoViewer("no signed-in viewer")
    with runtime().sessions() as session:
        result = action(session, viewer)
        session.commit()
        return result


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


def page_layout(keep_page: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Every page's ``layout``: called with the address's parameters made plain (``plain_query``); with
    ``keep_page``, what it drew is kept beside its loader's answer, under the same rule (the page, the address,
    the viewer's role and scope, the language, today and the data version: ``data_access.result_cache``), so a
    second viewer of the same view, on any worker or server, is served the drawing, not a redraw. The drawing
    is the JSON Dash sends, returned as an ``orjson.Fragment`` that Dash's serializer (orjson) copies into its
    answer as it is: a kept page is served without parsing or walking its tree again, which is most of what a
    big page (75,000 RAD accounts, 8,500 reps) costs to send."""

    def decorate(layout: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(layout)
        def serve(**raw: Any) -> Any:
            query = plain_query(raw)
            viewer = current_viewer()
            if not keep_page or viewer is None:
                return layout(**query)
            name = f"page:{layout.__module__}|{current_lang()}|{today().isoformat()}|{viewer_key(viewer, query)}"
            with read_session() as session:
                text = keep(name, session, lambda: to_json_plotly(layout(**query)).encode())
            return orjson.Fragment(text)

        return serve

    return decorate
