"""How a page, a download or an API route gets its data: the view's loader, in a fresh read session, for the
signed-in viewer and today's date. The one place between the request and ``metrics.views``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from data_access.runtime import read_session, runtime, today
from data_access.users import Viewer
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
