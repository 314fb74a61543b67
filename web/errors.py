"""What a request that fails answers: never a stack trace, SQL text or parameters.

- The database cannot be reached (connection refused, server stopped, SQLite busy beyond its timeout): 503.
  The API and Dash's endpoints answer JSON ``{"error": "database_unavailable", "message"}`` with
  ``Retry-After``; a page answers a short notice that reloads itself. ``assets/outage.js`` shows the same
  notice over a page whose callbacks get a 503 and reloads the page once ``/readyz`` answers again.
- Anything unexpected: 500 with an error id (8 hex digits), which the server log has beside the traceback.
- A body larger than the request limit: 413, in one sentence.
"""

from __future__ import annotations

import logging
import secrets
from html import escape

from flask import Flask, Response, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from components.i18n import current_lang, t
from data_access.runtime import runtime

log = logging.getLogger("salesradar")
RETRY_AFTER = "5"


def _wants_json() -> bool:
    path = request.path
    return path.startswith(("/api/", "/_dash", "/_reload")) or request.method != "GET"


def _page(lang: str, status: int, message: str, *, refresh: bool = False) -> Response:
    meta = f'<meta http-equiv="refresh" content="{RETRY_AFTER}">' if refresh else ""
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{meta}'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/assets/bootstrap.min.css"><title>SalesRadar</title></head>'
        f'<body class="p-4"><div class="alert alert-{"warning" if refresh else "danger"}" id="error-notice">'
        f'{escape(message)}</div><a href="/">{escape(t("error.back", lang))}</a></body></html>'
    )
    response = Response(body, status=status, mimetype="text/html")
    if refresh:
        response.headers["Retry-After"] = RETRY_AFTER
    return response


def database_unavailable(exc: Exception) -> Response:
    """503: what the database said goes to the log only."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, type(exc).__name__)
    lang = current_lang()
    if _wants_json():
        response = jsonify({"error": "database_unavailable", "message": t("error.db_unavailable", lang)})
        response.status_code = 503
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    return _page(lang, 503, t("error.db_unavailable", lang), refresh=True)


def unexpected(exc: Exception) -> Response:
    """500 with an error id the log has too; the answer holds nothing of the exception."""
    error_id = secrets.token_hex(4)
    log.error("error %s on %s %s", error_id, request.method, request.path, exc_info=exc)
    lang = current_lang()
    if _wants_json():
        response = jsonify(
            {"error": "internal_error", "message": t("error.unexpected", "en", error_id=error_id), "error_id": error_id}
        )
        response.status_code = 500
        return response
    return _page(lang, 500, t("error.unexpected", lang, error_id=error_id))


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | DisconnectionError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def install_error_handlers(server: Flask, max_request_bytes: int) -> None:
    server.config["MAX_CONTENT_LENGTH"] = max_request_bytes

    @server.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge) -> tuple[Response, int]:
        mb = max_request_bytes // (1024 * 1024)
        return jsonify({"error": "too_large", "message": t("error.too_large", "en", mb=mb)}), 413

    @server.errorhandler(Exception)
    def _any(exc: Exception) -> Response | HTTPException:
        if isinstance(exc, HTTPException):  # 404, 405, ...: werkzeug's own short answers
            return exc
        if _is_outage(exc):
            return database_unavailable(exc)
        return unexpected(exc)

    @server.get("/readyz")
    def readyz() -> Response:
        """200 when the database answers, else 503 (``/healthz`` says only that the process serves)."""
        try:
            with runtime().engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (OperationalError, DBAPIError):
            return Response(t("error.db_unavailable", current_lang()), status=503, mimetype="text/plain")
        return Response("ok", mimetype="text/plain")
