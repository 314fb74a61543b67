"""Sign-in: the guard on every route, sessions, CSRF, lock-out, password changes, security headers."""

from __future__ import annotations

import os
import re
import stat
from datetime import timedelta

import pytest
from sqlalchemy import delete

from config import Config, ConfigError, load_or_create_secret
from data_access.db import session_factory
from data_access.models import Setting
from data_access.users import (
    LOCK_FOR,
    MAX_FAILURES,
    UserError,
    authenticate,
    create_user,
    list_users,
    set_password,
    utcnow,
)
from tests.conftest import login
from tests.dash_http import ROUTER_OUTPUT, find


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/rad",
        "/funnel",
        "/scorecards",
        "/winloss",
        "/no/such/page",
        "/_dash-layout",
        "/_dash-dependencies",
        "/api/v1/rad",
        "/api/v1/openapi.json",
        "/api/v1/nothing",
    ],
)
def test_aut001_signed_out_nothing_but_the_login_page_answers(client, path):
    response = client.get(path)
    if path.startswith(("/_dash", "/api/")):
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert b"kpi" not in response.data


def test_aut002_signed_out_callbacks_are_refused(client):
    payload = {"output": ROUTER_OUTPUT, "outputs": [], "inputs": [], "changedPropIds": [], "state": []}
    assert client.post("/_dash-update-component", json=payload).status_code == 401


def test_aut003_public_routes(client):
    assert client.get("/login").status_code == 200
    assert client.get("/assets/bootstrap.min.css").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_data(as_text=True) == "ok"  # the database answers (outage.js asks it)
    scripts = client.get("/_dash-component-suites/dash/deps/react@18.v4_4_1.min.js")
    assert scripts.status_code == 401  # Dash's scripts too need a signed-in user


def test_aut004_login_sets_a_hardened_session_cookie(client):
    response = login(client, "director", "demo-director")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("salesradar_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200


def test_aut004b_a_rep_lands_on_their_scorecard_others_on_the_overview(dash_app):
    """Issue 18: a rep on a phone landed on the Overview with their attainment 1.5 screens down."""
    for username, password, landed in (
        ("rep", "demo-rep", "/scorecards"),
        ("manager", "demo-manager", "/"),
        ("director", "demo-director", "/"),
    ):
        client = dash_app.server.test_client()
        response = login(client, username, password)
        assert response.status_code == 302 and response.headers["Location"] == landed, username
    client = dash_app.server.test_client()  # a page asked for wins
    page = client.get("/login?next=/funnel").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    data = {"username": "rep", "password": "demo-rep", "csrf": token.group(1), "next": "/funnel"}
    assert client.post("/login", data=data).headers["Location"] == "/funnel"


def test_aut005_wrong_password_and_unknown_user_look_alike(client):
    wrong = login(client, "director", "not-the-password")
    unknown = login(client, "nobody-at-all", "whatever-password")
    assert wrong.status_code == unknown.status_code == 401
    assert b"Wrong username or password" in wrong.data or "用户名或密码错误".encode() in wrong.data
    assert client.get("/").status_code == 302


def test_aut006_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "director", "password": "demo-director"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
    client.get("/login")  # the session has a token now: a forged one, even one no byte compare takes, is refused
    for forged in ("²", "x" * 40, "\u3000"):
        response = client.post("/login", data={"username": "director", "password": "demo-director", "csrf": forged})
        assert response.status_code == 400, forged
    assert client.get("/").status_code == 302


def test_aut007_next_is_never_an_open_redirect(client):
    client.get("/login")
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        page = client.get("/login?next=" + evil).get_data(as_text=True)
        assert 'name="next" value="/"' in page


def test_aut008_lock_out_after_repeated_failures(dash_app, demo_engine):
    with session_factory(demo_engine)() as session:
        create_user(session, "locky", "right-password", "director")
        session.commit()
    client = dash_app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    for _ in range(MAX_FAILURES):
        wrong = login(client, "locky", "wrong-password")
        assert wrong.status_code == 401
    # even the right password is refused now, and the answer is the wrong password's, word for word
    locked = login(client, "locky", "right-password")
    assert locked.status_code == 401
    error = re.compile(rb'<div class="alert alert-danger py-2" id="login-error" role="alert">(.*?)</div>')
    refused, failed = error.search(locked.data), error.search(wrong.data)
    assert refused and failed and refused[1] == failed[1]
    assert refused[1] == b"Wrong username or password, or too many attempts: wait 15 minutes and try again."
    assert client.get("/").status_code == 302
    with session_factory(demo_engine)() as session:
        assert next(u for u in list_users(session) if u["username"] == "locky")["locked"] is True
        soon = utcnow() + LOCK_FOR - timedelta(minutes=1)
        assert authenticate(session, "locky", "right-password", "192.0.2.8", now=soon).user is None
        later = utcnow() + LOCK_FOR + timedelta(seconds=1)
        assert authenticate(session, "locky", "right-password", "192.0.2.8", now=later).user is not None


def test_aut009_password_change_ends_existing_sessions(client, demo_engine):
    with session_factory(demo_engine)() as session:
        create_user(session, "mover", "first-password", "director")
        session.commit()
    assert login(client, "mover", "first-password").status_code == 302
    assert client.get("/").status_code == 200
    with session_factory(demo_engine)() as session:
        set_password(session, "mover", "second-password")
        session.commit()
    assert client.get("/").status_code == 302  # the old session is gone
    assert login(client, "mover", "second-password").status_code == 302


def test_aut010_logout_needs_the_csrf_token(director):
    assert director.post("/logout").status_code == 302
    assert director.get("/").status_code == 200  # no token: still signed in
    layout = director.get("/_dash-layout").get_json()
    token = find(layout, "logout-csrf")["props"]["value"]
    assert token, "the navbar carries the logout form"
    assert director.post("/logout", data={"csrf": token}).status_code == 302
    assert director.get("/").status_code == 302


def test_aut011_inactive_user_cannot_sign_in(client, demo_engine):
    with session_factory(demo_engine)() as session:
        user = create_user(session, "gone", "some-password", "director")
        user.active = False
        session.commit()
    assert login(client, "gone", "some-password").status_code == 401


def test_aut012_user_rules(session):
    with pytest.raises(UserError, match="at least 8"):
        create_user(session, "shorty", "short", "director")
    with pytest.raises(UserError, match="tied to a rep code"):
        create_user(session, "repless", "long-enough", "rep")
    with pytest.raises(UserError, match="no rep with code"):
        create_user(session, "ghost", "long-enough", "rep", "R9999")
    create_user(session, "Twin", "long-enough", "director")
    with pytest.raises(UserError, match="already exists"):
        create_user(session, "twin", "long-enough", "director")


def test_aut013_security_headers_everywhere(client, director):
    for c, path in ((client, "/login"), (director, "/"), (director, "/api/v1/funnel"), (client, "/api/v1/rad")):
        headers = c.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "https:" not in csp and "*" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_aut014_secret_key_generated_once_into_the_instance_folder(tmp_path):
    cfg = Config(database_url="sqlite://", instance_path=tmp_path / "inst")
    first = load_or_create_secret(cfg)
    assert len(first) >= 32 and load_or_create_secret(cfg) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "inst" / "secret_key").st_mode)
    assert mode == 0o600
    assert (
        load_or_create_secret(Config(database_url="sqlite://", instance_path=tmp_path, secret_key="x" * 40)) == "x" * 40
    )
    with pytest.raises(ConfigError):
        load_or_create_secret(Config(database_url="sqlite://", instance_path=tmp_path, secret_key="short"))


def test_aut015_debug_off_by_default(dash_app):
    assert Config.from_env({}).debug is False
    assert dash_app.server.debug is False


def test_aut016_csp_allows_exactly_the_inline_scripts_dash_writes(director):
    import base64
    import hashlib
    import re

    response = director.get("/")
    html = re.sub(r"<!--\[if IE\]>.*?<!\[endif\]-->", "", response.get_data(as_text=True), flags=re.S)
    csp = response.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    inline = [
        body
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        if "src=" not in attrs and "application/json" not in attrs
    ]
    assert inline
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src.split()
    assert "'unsafe-inline'" not in script_src


def test_aut017_requests_after_sign_in_never_rewrite_the_session(client):
    """Parallel requests each writing back their copy of the session once lost the logout token."""
    response = login(client, "director", "demo-director")
    assert "salesradar_session=" in response.headers["Set-Cookie"]
    for path in ("/", "/_dash-layout", "/api/v1/funnel", "/assets/salesradar.css"):
        assert "Set-Cookie" not in client.get(path).headers, path
    layout = client.get("/_dash-layout").get_json()
    assert find(layout, "logout-csrf")["props"]["value"]  # minted at sign-in, not by the layout


def test_aut004c_the_demo_database_names_its_users_on_the_sign_in_page(dash_app, demo_engine):
    """Issue 18: on the demo database the sign-in page says which demo users exist; a user whose password
    changed is no longer listed, and a database the demo did not make lists none (data_access.users)."""
    from data_access.users import DEMO_SIGN_INS, demo_sign_ins, set_password

    page = dash_app.server.test_client().get("/login").get_data(as_text=True)
    assert 'id="login-demo-users"' in page
    for name, password in (("director", "demo-director"), ("manager", "demo-manager"), ("rep", "demo-rep")):
        assert f">{name}</td>" in page and f">{password}</td>" in page
    with session_factory(demo_engine)() as db:
        set_password(db, "rep", "a-new-long-password-1")
        assert demo_sign_ins(db) == ["director", "manager"]
        db.flush()
        db.execute(delete(Setting).where(Setting.key == DEMO_SIGN_INS))
        assert demo_sign_ins(db) == []  # not the demo's database
        db.rollback()  # the shared demo database stays as it was
