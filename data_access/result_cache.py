"""Aggregates kept across requests, workers, restarts and app servers until the data changes.

Some sums read the whole stage history or every account (the funnel's health over all history, the RAD
page's accounts): seconds at a million deals, yet the same answer for every request of the same scope and
filters until the next import. ``@kept`` keeps a query function's result in the app's Flask-Caching store:
a ``FileSystemCache`` in ``<instance>/cache`` (every worker of one server reads the same files), or, with
``SALESRADAR_CACHE_URL``, a Redis server that several app servers share. The key is the database (its URL
without the password), the data version (``data_access.settings.data_version``: every import, settings save
and demo run bumps it in its writing transaction), the function, the viewer's scope (``Scope.cache_key``:
owners and deal filters) and every other argument, bound by name with defaults filled in. A new data version
simply asks new keys: nothing kept outlives its data, and what older versions kept expires after
``TIMEOUT`` (the folder also holds at most ``THRESHOLD`` entries, the oldest go first).

A store that does not answer (Redis unreachable, a folder that cannot be written) never fails a request: the
function runs as without keeping, one warning is logged, and the store is tried again ``RETRY_SECONDS``
later. Outside a running app (tests, the command line) the function simply runs.

Values are pickled by Flask-Caching (cachelib) into the server's own folder or Redis and read back by the
servers only; nothing a client sends is ever unpickled.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import shutil
import threading
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Flask, current_app, has_app_context
from flask_caching import Cache
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from config import Config, hide_password
from data_access.runtime import EXTENSION as RUNTIME
from data_access.runtime import Runtime
from data_access.scope import Scope
from data_access.settings import data_version

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION = "salesradar_results"
FOLDER = "cache"
#: kept results of earlier data versions are never asked again; they go after a day
TIMEOUT = 24 * 3600
#: most entries the folder holds (Flask-Caching's CACHE_THRESHOLD; Redis is bounded by its own maxmemory)
THRESHOLD = 2000
#: a store that failed is left alone this long before it is tried again (no request waits on it meanwhile)
RETRY_SECONDS = 30.0
#: Redis: a connection attempt may take this long, a command this long, before the result is computed instead
REDIS_CONNECT_SECONDS = 1.0
REDIS_COMMAND_SECONDS = 10.0
#: what tells that the store is away (a refused or timed-out connection, a full disk), not that one entry is bad
UNAVAILABLE = (RedisError, OSError)
log = logging.getLogger("salesradar.results")


class KeptResults:
    """One app's store of kept results: the Flask-Caching object and whether its backend answers."""

    def __init__(self, cache: Cache, where: str, namespace: str, folder: Path | None = None) -> None:
        self.cache = cache
        #: for messages: the folder, or the Redis URL without its password
        self.where = where
        #: the database the results are of, in every key
        self.namespace = namespace
        #: the FileSystemCache's folder, made again if someone removed it
        self.folder = folder
        self._retry_at = 0.0
        self._warned = False
        self._lock = threading.Lock()

    def key(self, name: str, version: int) -> str:
        return f"kept:{self.namespace}:v{version}:{hashlib.sha256(name.encode()).hexdigest()}"

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, the kept value) or (False, None): not kept, unreadable, or the store is away."""
        if time.monotonic() < self._retry_at:
            return False, None
        try:
            stored = self.cache.get(key)
        except UNAVAILABLE as exc:
            self._failed(exc)
            return False, None
        except Exception:  # an entry that no longer unpickles (a class renamed by an upgrade): drawn again
            log.debug("kept result %s unreadable", key, exc_info=True)
            return False, None
        # kept as a 1-tuple: a miss (None) is never confused with a result, and a damaged entry (cachelib
        # answers None or raw bytes for it) is drawn again and written over
        if isinstance(stored, tuple) and len(stored) == 1:
            return True, stored[0]
        return False, None

    def put(self, key: str, value: Any) -> None:
        if time.monotonic() < self._retry_at:
            return
        try:
            written = bool(self.cache.set(key, (value,)))
            if not written and self.folder is not None:  # the folder was removed under us: make it again
                self.folder.mkdir(parents=True, exist_ok=True)
                written = bool(self.cache.set(key, (value,)))
        except UNAVAILABLE as exc:
            self._failed(exc)
            return
        except Exception:  # a value that does not pickle is a bug of its function, not of the store
            log.warning("kept result %s not stored", key, exc_info=True)
            return
        if not written:
            self._failed(f"could not write to {self.where}")
        elif self._warned:
            with self._lock:
                self._warned = False
            log.info("kept results: %s answers again", self.where)

    def _failed(self, reason: object) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + RETRY_SECONDS
            first, self._warned = not self._warned, True
        if first:
            log.warning(
                "kept results: %s does not answer (%s); results are computed until it does (tried again every %d s)",
                self.where,
                reason,
                RETRY_SECONDS,
            )


def install(server: Flask, config: Config) -> KeptResults | None:
    """Build the app's store once (``create_app``): Redis when ``config.cache_url`` names one, else the folder
    ``<instance>/cache``. Nothing with keeping switched off; nothing, with a warning, when the store cannot
    even be built (the results are then computed every time)."""
    server.extensions.pop(EXTENSION, None)
    if not config.keep_results:
        return None
    # the pickles of the storage before Flask-Caching (<instance>/results/v<N>/) are never read again
    shutil.rmtree(Path(config.instance_path) / "results", ignore_errors=True)
    database = make_url(config.database_url).render_as_string(hide_password=True)
    namespace = hashlib.sha256(database.encode()).hexdigest()[:16]
    folder: Path | None = None
    if config.cache_url:
        where = hide_password(config.cache_url)
        settings: dict[str, Any] = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": config.cache_url,
            "CACHE_KEY_PREFIX": "salesradar:",
            "CACHE_OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_SECONDS,
                "socket_timeout": REDIS_COMMAND_SECONDS,
            },
        }
    else:
        folder = Path(config.instance_path) / FOLDER
        where = str(folder)
        settings = {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(folder), "CACHE_THRESHOLD": THRESHOLD}
    settings["CACHE_DEFAULT_TIMEOUT"] = TIMEOUT
    cache = Cache(with_jinja2_ext=False, config=settings)
    try:
        cache.init_app(server)
    except Exception as exc:  # a folder that cannot be made (a file in its place, no right to write there)
        log.warning("kept results: %s cannot be used (%s); results are computed every time", where, exc)
        return None
    store = KeptResults(cache, where, namespace, folder)
    server.extensions[EXTENSION] = store
    return store


def _store() -> KeptResults | None:
    """The running app's store, when it keeps results; None outside an app (tests, the command line)."""
    if not has_app_context():
        return None
    runtime = current_app.extensions.get(RUNTIME)
    if not isinstance(runtime, Runtime) or not runtime.config.keep_results:
        return None
    store = current_app.extensions.get(EXTENSION)
    return store if isinstance(store, KeptResults) else None


def kept(fn: F) -> F:
    """Keep ``fn(session, scope, *args, **kwargs)``'s result per data version, scope and arguments."""

    signature = inspect.signature(fn)

    @wraps(fn)
    def wrapper(session: Session, scope: Scope, *args: Any, **kwargs: Any) -> Any:
        store = _store()
        if store is None:
            return fn(session, scope, *args, **kwargs)
        # every argument by name, defaults filled in: f(x, a=1) and f(x) are one result, not two
        bound = signature.bind(session, scope, *args, **kwargs)
        bound.apply_defaults()
        arguments = list(bound.arguments.items())[2:]
        name = f"{fn.__module__}.{fn.__qualname__}|{scope.cache_key()}|{arguments!r}"
        key = store.key(name, data_version(session))
        found, value = store.get(key)
        if found:
            return value
        result = fn(session, scope, *args, **kwargs)
        store.put(key, result)
        return result

    return cast(F, wrapper)
