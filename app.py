"""SalesRadar's Dash app.

``create_app(config)`` builds a fresh app; ``server`` (for ``gunicorn app:server``) is created lazily on
first access, so importing this module has no side effect.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

import dash
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html
from flask import Flask, Response, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from components.i18n import COOKIE, LANGS, current_lang, t
from components.shell import navbar
from components.tables import SELECTION_ID as TABLE_SELECTION_ID
from components.tables import TARGET_ID as TABLE_DOWNLOAD_ID
from config import Config, load_or_create_secret
from data_access import demo
from data_access.db import connect, session_factory
from data_access.importer.jobs import reap_interrupted
from data_access.migrate import upgrade
from data_access.queries import has_any_data
from data_access.result_cache import install as install_kept_results
from data_access.runtime import Runtime, install
from data_access.stats import analyze, ensure_statistics
from data_access.summaries import ensure_summaries
from pages import _forecast as forecast_panels
from web import filter_sync, tables
from web import navbar as navbar_toggler
from web.api import bp as api_blueprint
from web.auth import csrf_token, current_viewer, install_auth, safe_next
from web.downloads import bp as downloads_blueprint
from web.errors import install_error_handlers
from web.security import install_security_headers

ROOT = Path(__file__).resolve().parent
URL_ID = "url"
log = logging.getLogger("salesradar")


def seed_demo_if_first_run(runtime: Runtime) -> bool:
    """Seed demo data into the embedded default database when it is empty (never into DATABASE_URL)."""
    if not runtime.config.default_database:
        return False
    with runtime.sessions() as session:
        if has_any_data(session):
            return False
    log.warning("First start on the default database: seeding demo data")
    demo.generate(runtime.engine, as_of=runtime.config.today())
    return True


def shell_layout() -> html.Div:
    lang = current_lang()
    return html.Div(
        [
            dcc.Location(id=URL_ID, refresh="callback-nav"),
            dcc.Download(id=TABLE_DOWNLOAD_ID),
            dcc.Store(id=TABLE_SELECTION_ID, data=[]),
            navbar(dash.page_registry.values(), lang, current_viewer(), csrf_token()),
            dbc.Container(
                dcc.Loading(
                    dash.page_container,
                    target_components={"_pages_content": "children"},  # type: ignore[arg-type]
                    delay_show=300,
                    overlay_style={"visibility": "visible", "opacity": 0.5},
                    custom_spinner=html.Div(
                        [dbc.Spinner(color="primary"), html.Div(t("common.loading", lang))], className="text-center"
                    ),
                ),
                fluid=True,
                className="sr-main",
            ),
        ]
    )


def _register_routes(server: Flask) -> None:
    @server.get("/lang/<code>")
    def set_language(code: str) -> WerkzeugResponse:
        parsed = urlparse(request.referrer or "/")
        # back to the same page of this site only: another host, or a path that a browser reads as one
        # ("//evil.example/x", "/\\evil.example"), goes to "/" (never an open redirect)
        target = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        if parsed.netloc and parsed.netloc != request.host:
            target = "/"
        response = redirect(safe_next(target))
        if code in LANGS:
            response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
        return response

    @server.get("/healthz")
    def healthz() -> Response:
        return Response("ok", mimetype="text/plain")


def _register_shared_callbacks() -> None:
    """The callbacks that are no single page's (filter bar, navbar toggler, table downloads, forecast panels), for
    the app about to be built. Dash hands what ``dash.callback`` registered to the first app of the process and
    re-runs the page modules for each app, so these are registered here, once per app, not at import: a second
    app in the same process (the tests' runs under mutmut, a WSGI dispatcher) answers them too."""
    filter_sync.register()
    navbar_toggler.register()
    tables.register()
    forecast_panels.register()


def create_app(config: Config | None = None, *, seed_demo: bool = True) -> Dash:
    config = config or Config.from_env()
    engine = connect(config.database_url)
    upgrade(engine)
    runtime = Runtime(config=config, engine=engine, sessions=session_factory(engine))
    if seed_demo:
        seed_demo_if_first_run(runtime)
    filled = ensure_summaries(engine)  # a database migrated from before a summary (issue 16)
    if filled:
        analyze(engine, filled)  # what the planner knows of them was of empty tables
        log.warning("the database had empty summaries (%s): summed them from the rows", ", ".join(filled))
    if ensure_statistics(engine):  # a database loaded without them plans 5-100x slower (issue 16)
        log.warning("the database had no planner statistics: analysed")
    reaped = reap_interrupted(engine)  # imports whose process died mid-write: failed, not "running" forever
    if reaped:
        log.warning("marked %d interrupted import(s) as failed", reaped)

    _register_shared_callbacks()
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        title="SalesRadar 销售雷达",
        update_title="",
        suppress_callback_exceptions=True,
        external_stylesheets=[],
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    server: Flask = app.server
    server.config["SALESRADAR_DEFAULT_LANG"] = config.default_lang
    install(server, runtime)
    install_kept_results(server, config)  # Flask-Caching: <instance>/cache, or the Redis of SALESRADAR_CACHE_URL
    install_error_handlers(server, config.limits.max_request_bytes)
    install_auth(server, load_or_create_secret(config), config.secure_cookies)
    server.register_blueprint(api_blueprint)
    server.register_blueprint(downloads_blueprint)
    _register_routes(server)
    app.layout = shell_layout
    install_security_headers(server, app.csp_hashes)
    # Dash finishes its setup (script registry, callback map) on the first request it serves. Under a
    # threaded worker, requests racing that first one were answered 500. Serve one request now.
    warm = server.test_client().get("/healthz")
    assert warm.status_code == 200
    return app


def __getattr__(name: str) -> object:
    """``app.server`` / ``app.app`` built on first access (``gunicorn app:server``)."""
    if name in ("server", "app"):
        application = create_app()
        globals()["app"] = application
        globals()["server"] = application.server
        return globals()[name]
    raise AttributeError(name)
