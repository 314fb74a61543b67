"""Serve the WSGI app with gunicorn, the way production runs it (``salesradar run``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from sqlalchemy import Engine


class _Gunicorn(BaseApplication):
    def __init__(self, server: Flask, options: dict[str, Any]) -> None:
        self.server = server
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.server


def serve(
    server: Flask,
    *,
    host: str,
    port: int,
    workers: int,
    engine: Engine,
    in_each_worker: Callable[[], object] | None = None,
) -> None:
    """Fork ``workers`` processes from the app built here; each gets its own connection pool, then runs
    ``in_each_worker`` (the page warm-up)."""

    def post_fork(_server: Any, _worker: Any) -> None:
        engine.dispose(close=False)  # never share a pooled connection across processes
        if in_each_worker is not None:
            in_each_worker()

    _Gunicorn(
        server,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": 4,
            "worker_class": "gthread",
            "timeout": 120,
            # idle keep-alive connections stay open 75 s (a load balancer's usual idle time): with gunicorn's
            # 2 s default a client's next request often met a socket the server was just closing
            "keepalive": 75,
            "accesslog": "-",
            "post_fork": post_fork,
            # gunicorn's control socket defaults to one path in the user's home folder, shared by every
            # instance on the machine (two servers, a test's server beside a developer's): nothing uses it
            "control_socket_disable": True,
        },
    ).run()
