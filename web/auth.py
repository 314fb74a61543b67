"""Sign-in: the login page, the session, bearer tokens, and the guard in front of every route.

One ``Viewer`` is resolved per request (session cookie or ``Authorization: Bearer``) into ``g.viewer``;
queries filter by its scope. Signed out, only the login page, the static assets, the language switch
and the health check answer: pages redirect to /login, Dash's endpoints and the API say 401.

API tokens are read-only credentials for the JSON API: they count under ``/api/v1/`` only. Anywhere else
(pages, Dash's callbacks, downloads) a request carrying ``Authorization: Bearer`` is refused with 401,
whether or not it also carries a session cookie.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlparse

from flask import Blueprint, Flask, Response, g, jsonify, redirect, render_template, request, session
from werkzeug.wrappers import Response as WerkzeugResponse

from components.i18n import current_lang, t
from data_access.runtime import runtime
from data_access.users import (
    SESSION_LIFETIME,
    Viewer,
    authenticate,
    demo_sign_ins,
    end_session,
    start_session,
    user_for_token,
    viewer_for,
    viewer_for_session,
)

PUBLIC_PATHS = ("/login", "/healthz", "/readyz", "/_favicon.ico")
PUBLIC_PREFIXES = ("/assets/", "/lang/")
#: the only paths where an API token counts
API_PREFIX = "/api/v1/"

bp = Blueprint("auth", __name__, template_folder="templates")


def current_viewer() -> Viewer | None:
    return g.get("viewer")


def safe_next(target: str | None) -> str:
    r"""Only a local path: never an open redirect, never a header injection.

    Refused (the overview instead): anything not starting with exactly one "/", any backslash (browsers
    read "/\evil.example" as "//evil.example"), any control character (CR/LF would split the Location
    header; browsers drop tabs and newlines from URLs, so "/\t/evil.example" would become "//evil.example").
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc:
        return "/"
    return target


#: Where a role lands after signing in when no other page was asked for: a rep's own numbers are their
#: scorecard (attainment first), everyone else's the Overview
LANDINGS = {"rep": "/scorecards"}


def landing(role: str, next_url: str) -> str:
    """The page a sign-in goes to: the one asked for (``?next=``), else the role's landing page."""
    return LANDINGS.get(role, next_url) if next_url == "/" else next_url


def csrf_token() -> str:
    """This session's CSRF token for the login and logout forms."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return str(token)


def csrf_ok(sent: object) -> bool:
    """True when ``sent`` is this session's CSRF token (a form the app drew for this session, not a request
    another site made the browser send). Compared as UTF-8 bytes: ``compare_digest`` refuses text with a
    non-ASCII character ("²") with a TypeError, which must be a refusal, not a 500."""
    expected = session.get("csrf")
    if not isinstance(sent, str) or not sent or not expected:
        return False
    return secrets.compare_digest(sent.encode("utf-8", "replace"), str(expected).encode("utf-8", "replace"))


def _check_csrf() -> bool:
    return csrf_ok(request.form.get("csrf", ""))


def _demo_users() -> list[tuple[str, str, str]]:
    """(username, role, password) of the demo's users whose published passwords still hold: on the demo
    database only (``salesradar demo`` marks them; a changed password drops its user)."""
    from data_access.demo import DEMO_USERS

    with runtime().sessions() as db:
        listed = set(demo_sign_ins(db))
    return [(name, role, password) for name, role, _rep, password in DEMO_USERS if name in listed]


@bp.get("/login")
def login_form() -> str:
    lang = current_lang()
    return render_template(
        "login.html",
        t=t,
        lang=lang,
        csrf=csrf_token(),
        next=safe_next(request.args.get("next")),
        error=None,
        username="",
        demo_users=_demo_users(),
    )


@bp.post("/login")
def login_submit() -> WerkzeugResponse | tuple[str, int]:
    lang = current_lang()
    username = request.form.get("username", "")[:100]
    next_url = safe_next(request.form.get("next"))
    if not _check_csrf():
        return render_template(
            "login.html",
            t=t,
            lang=lang,
            csrf=csrf_token(),
            next=next_url,
            error=t("login.expired", lang),
            username=username,
        ), 400
    # the client's own address: X-Forwarded-For is not trusted. Behind a reverse proxy every request would
    # come from the proxy's address; such a deployment wraps the app in werkzeug's ProxyFix (x_for=1)
    address = request.remote_addr
    with runtime().sessions() as db:
        result = authenticate(db, username, request.form.get("password", "")[:200], address)
        if result.user is None:
            # one answer for every refusal (wrong password, unknown name, too many attempts, inactive user)
            error = t("login.failed", lang)
            return render_template(
                "login.html", t=t, lang=lang, csrf=csrf_token(), next=next_url, error=error, username=username
            ), 401
        user_id, version = result.user.id, result.user.session_version
        next_url = landing(result.user.role, next_url)
        sid = start_session(db, result.user)
        db.commit()
    session.clear()  # a new session on sign-in: no fixation
    session.permanent = True
    session["uid"] = user_id
    session["ver"] = version
    session["sid"] = sid  # names the server-side row; sign-out revokes it
    # the token the logout form will carry, fixed for the session's life: requests running in parallel
    # must never each mint (and save) a different one
    session["csrf"] = secrets.token_urlsafe(24)
    return redirect(next_url)


@bp.post("/logout")
def logout() -> WerkzeugResponse:
    if _check_csrf():
        sid = session.get("sid")
        if isinstance(sid, str):
            with runtime().sessions() as db:
                end_session(db, sid)
                db.commit()
        session.clear()
    return redirect("/login")


def _bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header (the scheme in any case), or None without one."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _resolve_viewer(token: str | None) -> Viewer | None:
    """The viewer of this request: by its API token when it sends one, else by its session cookie.

    Database errors propagate (the app answers them with 503); nothing here swallows them.
    """
    with runtime().sessions() as db:
        if token is not None:
            user = user_for_token(db, token)
            db.commit()
            return viewer_for(db, user) if user else None
        uid, version, sid = session.get("uid"), session.get("ver"), session.get("sid")
        if uid is None:
            return None
        viewer = None
        if isinstance(uid, int) and isinstance(version, int) and isinstance(sid, str):
            viewer = viewer_for_session(db, sid, uid, version)
        if viewer is None:
            session.clear()  # revoked, expired, signed out elsewhere, or from before server-side sessions
        return viewer


def _guard() -> WerkzeugResponse | Response | tuple[Response, int] | None:
    path = request.path
    token = _bearer_token()
    if token is not None and not path.startswith(API_PREFIX):
        # a read-only API token must never drive the UI: Dash callbacks write (RAD thresholds, imports)
        return jsonify({"error": "unauthorized", "message": "API tokens are accepted under /api/v1/ only"}), 401
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    viewer = _resolve_viewer(token)
    if viewer is not None:
        g.viewer = viewer
        return None
    if path.startswith("/api/"):
        response = jsonify({"error": "unauthorized", "message": "sign in or send Authorization: Bearer <token>"})
        response.headers["WWW-Authenticate"] = 'Bearer realm="salesradar"'
        return response, 401
    if request.method == "GET" and not path.startswith("/_"):
        query = urlencode({"next": request.full_path.rstrip("?")})
        return redirect(f"/login?{query}")
    return jsonify({"error": "unauthorized", "message": "sign in first"}), 401


def install_auth(server: Flask, secret_key: str, secure_cookies: bool) -> None:
    server.secret_key = secret_key
    server.config.update(
        SESSION_COOKIE_NAME="salesradar_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,  # the server-side row expires at the same time
        # save the cookie only when the session changes: a slow request must not write back an older copy
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    server.register_blueprint(bp)
    server.before_request(_guard)
