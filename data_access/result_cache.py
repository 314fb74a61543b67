"""What the loaders keep, across requests, workers, restarts and app servers, until the data changes.

A view's data (``metrics.views``) is the same for every request of the same address, viewer scope and day
until the next import, and some of its sums read the whole stage history or every account (seconds at a
million deals). ``kept`` is the one cache layer: the loaders apply it, to their entry points and to the slow
reads several views share (``metrics.views.reads``); nothing below them keeps anything. It keeps a result in
the app's Flask-Caching store:
a ``FileSystemCache`` in ``<instance>/cache`` (every worker of one server reads the same files), or, with
``SALESRADAR_CACHE_URL``, a Redis server that several app servers share. The key is the database (its URL
without the password) and the app's code (``code_fingerprint``: a deploy never serves what older code kept),
the data version (``data_access.settings.data_version``: every import, settings save
and demo run bumps it in its writing transaction), the function, the viewer's scope (``Scope.cache_key``:
owners and deal filters; for a loader's ``Viewer`` also the role) and every other argument, bound by name with
defaults filled in, an address's query in its sorted, non-empty items. A new data version
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
from collections.abc import Callable, Mapping
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
from data_access.users import Viewer

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
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


#: The packages whose code decides what is kept (a loader's answer, a page's drawing)
CODE = ("app.py", "config.py", "pages", "components", "metrics", "data_access", "web")
ROOT = Path(__file__).resolve().parent.parent


def code_fingerprint(root: Path = ROOT) -> str:
    """A hash of the app's source files (paths and contents): part of every key, so a server running other code
    (a deploy, an upgrade) never serves what the former code kept, while servers running the same code share."""
    digest = hashlib.sha256()
    for name in CODE:
        top = root / name
        for path in sorted([top] if top.is_file() else top.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
    namespace = hashlib.sha256(f"{database}|{code_fingerprint()}".encode()).hexdigest()[:16]
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


def _who(scope_or_viewer: Scope | Viewer) -> str:
    """What of the viewer a result depends on: the scope, and for a loader's viewer also the role (a rep is
    always shown themselves, a director may save)."""
    if isinstance(scope_or_viewer, Scope):
        return scope_or_viewer.cache_key()
    return f"{scope_or_viewer.role}|{scope_or_viewer.scope.cache_key()}"


def _plain(value: Any) -> Any:
    """An argument as its key sees it: a mapping (an address's query, the level probabilities) as its sorted
    items without empty values, so ``?a=1&b=`` and ``?b=&a=1`` are one view."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items() if v is not None and v != ""))
    return value


def keep(name: str, session: Session, compute: Callable[[], T]) -> T:
    """``compute()``'s result kept under ``name`` (what it depends on, but the data) and the data version read
    in ``session``; without a store (tests, the command line, keeping switched off) simply ``compute()``."""
    store = _store()
    if store is None:
        return compute()
    key = store.key(name, data_version(session))
    found, value = store.get(key)
    if found:
        return cast(T, value)
    result = compute()
    store.put(key, result)
    return result


def viewer_key(who: Scope | Viewer, *arguments: Any) -> str:
    """The part of a key that names the viewer and the arguments: ``who``'s scope (and role), each argument
    made plain (a mapping as its sorted, non-empty items)."""
    return f"{_who(who)}|{[_plain(a) for a in arguments]!r}"


def kept(fn: F) -> F:
    """Keep ``fn(session, scope_or_viewer, *args, **kwargs)``'s result per data version, viewer scope and
    arguments (a loader: ``load(session, viewer, query, today)``; a shared read: ``read(session, scope, ...)``)."""

    signature = inspect.signature(fn)

    @wraps(fn)
    def wrapper(session: Session, who: Scope | Viewer, *args: Any, **kwargs: Any) -> Any:
        if _store() is None:
            return fn(session, who, *args, **kwargs)
        # every argument by name, defaults filled in: f(x, a=1) and f(x) are one result, not two
        bound = signature.bind(session, who, *args, **kwargs)
        bound.apply_defaults()
        arguments = [(k, _plain(v)) for k, v in list(bound.arguments.items())[2:]]
        name = f"{fn.__module__}.{fn.__qualname__}|{_who(who)}|{arguments!r}"
        return keep(name, session, lambda: fn(session, who, *args, **kwargs))

    return cast(F, wrapper)
