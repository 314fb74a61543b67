"""Pages drawn before anyone asks: each serving worker draws the director's default view of every page, in
both languages, whenever the data changes, so the first viewer after an import waits for a kept page.

A background thread per worker (started by ``data_access.serve``'s post-fork hook) reads the data version
every ``INTERVAL`` seconds, a one-row read; when it has moved (an import, a settings save, a demo run,
whichever worker or command made it) it draws the pages through their own ``layout`` with a director as
the viewer. What their loaders answer, and the slow reads behind them, land in the shared kept results
(``data_access.result_cache``), with the drawn pages, so the second worker's warm-up, and another
server's, is mostly reads. Other scopes and filters are drawn on first request.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from pathlib import Path
from typing import Any

import dash
from flask import Flask, g

from components.i18n import COOKIE, LANGS
from data_access.runtime import EXTENSION, read_session
from data_access.settings import data_version
from data_access.users import Viewer

LOG = logging.getLogger("salesradar.warm")
INTERVAL = 30.0
#: The pages a director opens first, by path.
PAGES = ("/", "/funnel", "/rad", "/scorecards", "/winloss")
DIRECTOR = Viewer(user_id=0, username="(warm-up)", role="director", rep_id=None, rep_code=None, team_id=None)


def warm_once(server: Flask) -> float:
    """Draw every page of ``PAGES`` for a director in each language; the seconds it took."""
    t0 = time.perf_counter()
    layouts: dict[str, Any] = {p["path"]: p["layout"] for p in dash.page_registry.values()}
    for lang in LANGS:
        for path in PAGES:
            layout = layouts.get(path)
            if layout is None:
                continue
            with server.test_request_context(path, headers={"Cookie": f"{COOKIE}={lang}"}):
                g.viewer = DIRECTOR
                try:
                    layout()
                except Exception:  # a page that cannot draw now will draw (and report) on request
                    LOG.exception("warm-up of %s (%s) failed", path, lang)
    return time.perf_counter() - t0


def _version(server: Flask) -> int:
    with server.app_context(), read_session() as session:
        return data_version(session)


def _one_at_a_time(server: Flask) -> Any:
    """An exclusive lock on ``<instance>/warm.lock``: the workers warm up one after the other, so the second
    reads the aggregates the first kept instead of computing them beside it."""
    folder = Path(server.extensions[EXTENSION].config.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    lock = (folder / "warm.lock").open("a")
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock  # closing it releases the lock


def _loop(server: Flask, interval: float) -> None:
    seen: int | None = None
    while True:
        try:
            version = _version(server)
            if version != seen:
                with _one_at_a_time(server):
                    seconds = warm_once(server)
                LOG.warning("warm-up done: data version %s, %d pages in %.1f s", version, 2 * len(PAGES), seconds)
                seen = version
        except Exception:  # never take the worker down; try again next round
            LOG.exception("warm-up round failed")
        time.sleep(interval)


def start(server: Flask, interval: float = INTERVAL) -> threading.Thread:
    """Start the warm-up thread of this worker (a daemon: it ends with the worker)."""
    thread = threading.Thread(target=_loop, args=(server, interval), name="salesradar-warm", daemon=True)
    thread.start()
    return thread
