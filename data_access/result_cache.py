"""Aggregates kept across requests, workers and restarts until the data changes.

Some sums read the whole stage history or every account (the funnel's health over all history, the RAD
page's accounts): seconds at a million deals, yet the same answer for every request of the same scope and
filters until the next import. ``@kept`` stores a query function's result under the instance folder
(``<instance>/results/v<data version>/``), keyed by the function, the viewer's scope (``Scope.cache_key``:
owners and deal filters) and every other argument, so every worker of the server answers from one copy.
A new data version (an import, a settings save, a demo run: ``data_access.settings``) starts a new folder
and removes the old ones. Outside a running app (tests, the command line) the function simply runs.

Files are pickles written by this process into the server's own instance folder (never from user input).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from data_access.scope import Scope
from data_access.settings import data_version

F = TypeVar("F", bound=Callable[..., Any])
FOLDER = "results"


def _root() -> Path | None:
    if not has_app_context():
        return None
    from data_access.runtime import EXTENSION, Runtime

    runtime = current_app.extensions.get(EXTENSION)
    if not isinstance(runtime, Runtime) or not runtime.config.keep_results:
        return None
    return Path(runtime.config.instance_path) / FOLDER


def _folder(root: Path, version: int) -> Path:
    folder = root / f"v{version}"
    if not folder.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for old in root.glob("v*"):  # what earlier data versions kept is stale for good
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
    return folder


def kept(fn: F) -> F:
    """Keep ``fn(session, scope, *args, **kwargs)``'s result per data version, scope and arguments."""

    signature = inspect.signature(fn)

    @wraps(fn)
    def wrapper(session: Session, scope: Scope, *args: Any, **kwargs: Any) -> Any:
        root = _root()
        if root is None:
            return fn(session, scope, *args, **kwargs)
        # every argument by name, defaults filled in: f(x, a=1) and f(x) are one result, not two
        bound = signature.bind(session, scope, *args, **kwargs)
        bound.apply_defaults()
        arguments = list(bound.arguments.items())[2:]
        name = f"{fn.__module__}.{fn.__qualname__}|{scope.cache_key()}|{arguments!r}"
        key = hashlib.sha256(name.encode()).hexdigest()
        try:
            folder = _folder(root, data_version(session))
        except OSError:  # an instance folder we cannot write: answer from the database, as without keeping
            return fn(session, scope, *args, **kwargs)
        path = folder / f"{key}.pkl"
        try:
            with path.open("rb") as stored:
                return pickle.load(stored)
        except FileNotFoundError:
            pass
        except Exception:  # a truncated or outdated file (a class renamed by an upgrade): draw it again
            path.unlink(missing_ok=True)
        result = fn(session, scope, *args, **kwargs)
        try:  # written whole, then renamed: another worker never reads half a file
            with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as out:
                pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(out.name, path)
        except OSError:  # a full disk or a removed folder costs the next request a draw, nothing more
            pass
        return result

    return cast(F, wrapper)
