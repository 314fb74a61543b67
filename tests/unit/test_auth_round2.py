"""Security review, round 2 (issue 17), over HTTP as an attacker would post it: API tokens outside the API,
sessions that outlive sign-out, a lock-out that can be raced or abused, control characters in ``next``."""

from __future__ import annotations

import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from data_access import users
from data_access.db import session_factory
from data_access.models import LoginThrottle, User, UserSession
from data_access.settings import load_settings
from data_access.users import (
    LoginResult,
    authenticate,
    create_token,
    create_user,
    list_users,
    set_password,
    utcnow,
)
from tests.conftest import login
from tests.dash_http import ROUTER_OUTPUT, call_callback, find

ONLY_API = {"error": "unauthorized", "message": "API tokens are accepted under /api/v1/ only"}


@pytest.fixture()
def director_token(demo_engine) -> str:
    with session_factory(demo_engine)() as session:
        _row, secret = create_token(session, "director", "issue 17")
        session.commit()
    return secret


class _SplitClient:
    """Reads Dash's dependency list as a signed-in user but posts the callback as the attacker (with the
    attacker's headers): ``call_callback`` finds the callback, the attacker's request is what is tested."""

    def __init__(self, reader, writer, headers: dict[str, str]) -> None:
        self.reader, self.writer, self.headers = reader, writer, headers

    def get(self, path: str):
        return self.reader.get(path)

    def post(self, path: str, json: object):
        return self.writer.post(path, json=json, headers=self.headers)


def _save_thresholds(client):
    values = {
        ("rad-save", "n_clicks"): 1,
        ("rad-r-min", "value"): 55,
        ("rad-a-max", "value"): 15,
        ("url", "search"): "",
    }
    return call_callback(client, "rad-save-message.children", values)


def test_aut101_a_token_cannot_save_rad_thresholds(dash_app, director, director_token, demo_session):
    before = load_settings(demo_session)
    attacker = dash_app.server.test_client()
    response = _save_thresholds(_SplitClient(director, attacker, {"Authorization": f"Bearer {director_token}"}))
    assert response.status_code == 401
    assert response.get_json() == ONLY_API
    demo_session.expire_all()
    assert load_settings(demo_session) == before


def test_aut102_a_token_is_refused_outside_the_api_even_beside_a_session(dash_app, director, director_token):
    bearer = {"Authorization": f"Bearer {director_token}"}
    router = {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/"},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    # the director's own signed-in client: the cookie alone works, the cookie plus a token does not
    assert director.post("/_dash-update-component", json=router).status_code == 200
    for c in (dash_app.server.test_client(), director):
        answers = [
            c.post("/_dash-update-component", json=router, headers=bearer),
            c.get("/download/export.xlsx", headers=bearer),
            c.get("/", headers=bearer),
            c.get("/_dash-layout", headers=bearer),
            c.get("/api/v2/rad", headers=bearer),
            c.get("/", headers={"Authorization": "bearer " + director_token}),  # the scheme is case-insensitive
        ]
        for response in answers:
            assert response.status_code == 401
            assert response.get_json() == ONLY_API
        assert b"PK" not in answers[1].data  # no workbook
    assert director.get("/download/export.xlsx").status_code == 200


def test_aut103_a_token_still_reads_the_api(dash_app, director_token):
    c = dash_app.server.test_client()
    bearer = {"Authorization": f"Bearer {director_token}"}
    assert c.get("/api/v1/rad", headers=bearer).status_code == 200
    assert c.get("/api/v1/funnel", headers=bearer).status_code == 200


def _post_login(client, username: str, password: str, next_url: str):
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page[:300]
    form = {"username": username, "password": password, "csrf": match.group(1), "next": next_url}
    return client.post("/login", data=form)


@pytest.mark.parametrize(
    "evil",
    [
        "/\r\nSet-Cookie: x=1",
        "/\\evil.example",
        "\\/evil.example",
        "/\t/evil.example",  # a browser drops the tab and reads //evil.example
        "/ok\x7f",
        "/ok\x00",
        "//evil.example",
        "https://evil.example/",
        "evil.example",
    ],
)
def test_aut104_login_next_with_control_characters_or_backslashes_lands_on_the_overview(client, evil):
    response = _post_login(client, "director", "demo-director", evil)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Set-Cookie: x=1" not in str(response.headers)
    page = client.get("/login?next=" + evil.replace("\r", "%0D").replace("\n", "%0A")).get_data(as_text=True)
    assert 'name="next" value="/"' in page


def test_aut105_a_plain_local_next_is_kept(client):
    response = _post_login(client, "director", "demo-director", "/rad?period=2026")
    assert response.status_code == 302
    assert response.headers["Location"] == "/rad?period=2026"


def _logout(client):
    layout = client.get("/_dash-layout").get_json()
    return client.post("/logout", data={"csrf": find(layout, "logout-csrf")["props"]["value"]})


def _copy_of_the_cookie(dash_app, client):
    """A second browser holding the cookie as it is now (what an attacker who copied it would send)."""
    other = dash_app.server.test_client()
    other.set_cookie("salesradar_session", client.get_cookie("salesradar_session").value)
    return other


def _new_user(demo_engine, username: str, password: str = "long-enough-1") -> int:
    with session_factory(demo_engine)() as session:
        user_id = create_user(session, username, password, "director").id
        session.commit()
    return user_id


def test_aut106_a_cookie_kept_from_before_sign_out_stops_working(dash_app, client):
    assert login(client, "director", "demo-director").status_code == 302
    kept = _copy_of_the_cookie(dash_app, client)
    assert kept.get("/api/v1/funnel").status_code == 200
    assert _logout(client).status_code == 302
    assert client.get("/").status_code == 302
    refused = kept.get("/api/v1/funnel")
    assert refused.status_code == 401
    assert refused.get_json()["error"] == "unauthorized"
    page = kept.get("/")
    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=%2F"


def test_aut107_sessions_are_rows_holding_only_the_hash_of_the_cookies_id(client, demo_engine):
    user_id = _new_user(demo_engine, "holder")
    assert login(client, "holder", "long-enough-1").status_code == 302
    with client.session_transaction() as cookie:
        sid = cookie["sid"]
    assert len(sid) >= 43  # 256 random bits, URL-safe base64
    with session_factory(demo_engine)() as session:
        rows = session.scalars(select(UserSession).where(UserSession.user_id == user_id)).all()
        assert [r.token_hash for r in rows] == [hashlib.sha256(sid.encode()).hexdigest()]
        assert rows[0].revoked_at is None
        assert rows[0].expires_at - rows[0].created_at == timedelta(hours=12)
    _logout(client)
    with session_factory(demo_engine)() as session:
        row = session.scalars(select(UserSession).where(UserSession.user_id == user_id)).one()
        assert row.revoked_at is not None


def test_aut108_an_expired_session_row_is_refused(client, demo_engine):
    user_id = _new_user(demo_engine, "expiring")
    assert login(client, "expiring", "long-enough-1").status_code == 302
    assert client.get("/api/v1/funnel").status_code == 200
    with session_factory(demo_engine)() as session:
        session.execute(
            update(UserSession).where(UserSession.user_id == user_id).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    assert client.get("/api/v1/funnel").status_code == 401
    assert client.get("/").status_code == 302


def test_aut109_a_password_change_revokes_every_session_row(dash_app, demo_engine):
    user_id = _new_user(demo_engine, "twice")
    first, second = dash_app.server.test_client(), dash_app.server.test_client()
    for c in (first, second):
        assert login(c, "twice", "long-enough-1").status_code == 302
        assert c.get("/api/v1/funnel").status_code == 200
    with session_factory(demo_engine)() as session:
        set_password(session, "twice", "long-enough-2")
        session.commit()
        revoked = session.scalars(select(UserSession.revoked_at).where(UserSession.user_id == user_id)).all()
        assert len(revoked) == 2 and all(r is not None for r in revoked)
    for c in (first, second):
        assert c.get("/api/v1/funnel").status_code == 401


def test_aut110_a_session_id_only_counts_for_its_own_user(client, demo_engine):
    _new_user(demo_engine, "owner")
    other_id = _new_user(demo_engine, "bystander")
    assert login(client, "owner", "long-enough-1").status_code == 302
    with client.session_transaction() as cookie:  # a cookie signed by this server, its uid changed
        cookie["uid"] = other_id
    assert client.get("/api/v1/funnel").status_code == 401
    assert login(client, "owner", "long-enough-1").status_code == 302
    with client.session_transaction() as cookie:  # a cookie from before server-side sessions: no sid
        del cookie["sid"]
    assert client.get("/api/v1/funnel").status_code == 401


FAILED_EN = b"Wrong username or password, or too many attempts: wait 15 minutes and try again."
FAILED_ZH = "用户名或密码错误，或尝试次数过多：请等 15 分钟后再试。".encode()
ERROR = re.compile(rb'<div class="alert alert-danger py-2" id="login-error" role="alert">(.*?)</div>')


def _error(response) -> bytes:
    """The login page's error text, as sent."""
    match = ERROR.search(response.data)
    assert match, response.data[:300]
    return match[1]


def _at(dash_app, address: str):
    """A browser at ``address`` (what request.remote_addr reads)."""
    c = dash_app.server.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def _csrf(client) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert match
    return match.group(1)


def _throttle(demo_engine) -> dict[str, int]:
    with session_factory(demo_engine)() as session:
        return {key: n for key, n in session.execute(select(LoginThrottle.key, LoginThrottle.failures))}


def _name(username: str) -> str:
    return hashlib.sha256(username.encode()).hexdigest()


def _locked(session, username: str) -> object:
    return next(u for u in list_users(session) if u["username"] == username)["locked"]


def test_aut111_forty_parallel_guesses_check_five_passwords(dash_app, demo_engine, monkeypatch):
    """39 wrong passwords posted at once by 39 browsers, then the right one: five passwords are checked,
    the right one is refused (before, 32 were checked and the right one at position 39 got in)."""
    _new_user(demo_engine, "racer", "the-right-one")
    with session_factory(demo_engine)() as session:
        racer_hash = session.scalar(select(User.password_hash).where(User.username == "racer"))
    checked: list[str] = []
    real_check = users.check_password_hash

    def counting_check(pwhash: str, password: str) -> bool:
        if pwhash == racer_hash:
            checked.append(password)
        return real_check(pwhash, password)

    monkeypatch.setattr(users, "check_password_hash", counting_check)
    browsers = [_at(dash_app, "198.51.100.40") for _ in range(40)]
    tokens = [_csrf(b) for b in browsers]
    start = threading.Barrier(39)

    def guess(i: int) -> int:
        start.wait()
        form = {"username": "racer", "password": f"wrong-{i}", "csrf": tokens[i], "next": "/"}
        return browsers[i].post("/login", data=form).status_code

    with ThreadPoolExecutor(39) as pool:
        codes = list(pool.map(guess, range(39)))
    assert codes == [401] * 39
    right = {"username": "racer", "password": "the-right-one", "csrf": tokens[39], "next": "/"}
    assert browsers[39].post("/login", data=right).status_code == 401
    assert browsers[39].get("/").status_code == 302
    assert len(checked) == 5
    counts = _throttle(demo_engine)
    assert counts[f"name@addr:{_name('racer')}|198.51.100.40"] == 40
    assert counts["addr:198.51.100.40"] == 40
    assert counts[f"name:{_name('racer')}"] == 40


def test_aut112_parallel_calls_each_see_the_others_counts(engine):
    """The same race one level down: 39 threads, each with its own Session, call authenticate at once."""
    with session_factory(engine)() as session:
        create_user(session, "target", "the-right-one", "director")
        session.commit()
    start = threading.Barrier(39)

    def attempt(i: int) -> LoginResult:
        with session_factory(engine)() as session:
            start.wait()
            return authenticate(session, "target", f"wrong-{i}", "198.51.100.41")

    with ThreadPoolExecutor(39) as pool:
        results = list(pool.map(attempt, range(39)))
    assert [r.user for r in results] == [None] * 39
    assert sum(not r.throttled for r in results) == 5  # only these five reached the password check
    with session_factory(engine)() as session:
        last = authenticate(session, "target", "the-right-one", "198.51.100.41")
        assert last.user is None and last.throttled is True
        assert session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == "addr:198.51.100.41")) == 40


def test_aut113_a_stranger_cannot_lock_a_user_out_of_their_own_address(dash_app, demo_engine):
    stranger, at_home = _at(dash_app, "203.0.113.66"), _at(dash_app, "203.0.113.10")
    for _ in range(5):
        assert login(stranger, "rep", "guessing-wrong").status_code == 401
    assert login(stranger, "rep", "demo-rep").status_code == 401  # the stranger's own budget is spent
    signed_in = login(at_home, "rep", "demo-rep")
    assert signed_in.status_code == 302
    assert at_home.get("/").status_code == 200
    counts = _throttle(demo_engine)
    assert counts[f"name@addr:{_name('rep')}|203.0.113.66"] == 6  # still locked at the stranger's address
    assert f"name@addr:{_name('rep')}|203.0.113.10" not in counts  # a sign-in clears the name's counts
    assert f"name:{_name('rep')}" not in counts
    assert counts["addr:203.0.113.66"] == 6
    assert counts["addr:203.0.113.10"] == 0  # the success took its own count back


def test_aut114_every_refusal_reads_the_same_byte_for_byte(dash_app, demo_engine):
    _new_user(demo_engine, "shut", "long-enough-1")
    _new_user(demo_engine, "asleep", "long-enough-1")
    with session_factory(demo_engine)() as session:
        session.execute(update(User).where(User.username == "asleep").values(active=False))
        session.commit()
    c = _at(dash_app, "203.0.113.14")
    for _ in range(5):
        login(c, "shut", "not-it-at-all")
    answers = {
        "locked, right password": login(c, "shut", "long-enough-1"),
        "unknown user": login(c, "nobody-here", "long-enough-1"),
        "wrong password": login(c, "director", "not-it-at-all"),
        "inactive user": login(c, "asleep", "long-enough-1"),
    }
    for case_name, response in answers.items():
        assert response.status_code == 401, case_name
        assert _error(response) == FAILED_EN, case_name
    # the whole page, but for the name echoed into the form, is the same too
    pages = {re.sub(rb'id="username" name="username" ([^>]*)value="[^"]*"', b"", r.data) for r in answers.values()}
    assert len(pages) == 1
    c.set_cookie("lang", "zh")
    assert _error(login(c, "shut", "long-enough-1")) == FAILED_ZH
    assert _error(login(c, "nobody-here", "long-enough-1")) == FAILED_ZH


def test_aut115_the_window_passes_after_fifteen_minutes(engine):
    with session_factory(engine)() as session:
        create_user(session, "patient", "the-right-one", "director")
        session.commit()
        t0 = datetime(2026, 11, 27, 9, 0, 0)
        for minute in range(5):
            assert (
                authenticate(session, "patient", "wrong", "192.0.2.15", now=t0 + timedelta(minutes=minute)).user is None
            )
        refused = authenticate(session, "patient", "the-right-one", "192.0.2.15", now=t0 + timedelta(minutes=14))
        assert refused.user is None and refused.throttled is True
        # the window is fixed from its first failure: refused attempts do not push it on
        later = authenticate(
            session, "patient", "the-right-one", "192.0.2.15", now=t0 + timedelta(minutes=15, seconds=1)
        )
        assert later.user is not None and later.throttled is False
        assert session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == "addr:192.0.2.15")) == 0


def test_aut116_a_password_change_lifts_the_lock(dash_app, demo_engine):
    _new_user(demo_engine, "forgetful", "long-enough-1")
    c = _at(dash_app, "203.0.113.16")
    for _ in range(6):
        assert login(c, "forgetful", "not-the-password").status_code == 401
    with session_factory(demo_engine)() as session:
        assert _locked(session, "forgetful") is True
        set_password(session, "forgetful", "long-enough-2")  # what `salesradar users passwd` does
        session.commit()
        assert _locked(session, "forgetful") is False
    counts = _throttle(demo_engine)
    assert not any(key.startswith(f"name@addr:{_name('forgetful')}|") for key in counts)
    assert f"name:{_name('forgetful')}" not in counts
    assert counts["addr:203.0.113.16"] == 6  # the address keeps its failures
    assert login(c, "forgetful", "long-enough-2").status_code == 302


def test_aut117_one_address_spraying_many_names_is_throttled(dash_app, demo_engine):
    _new_user(demo_engine, "sprayed", "long-enough-1")
    sprayer, elsewhere = _at(dash_app, "203.0.113.17"), _at(dash_app, "203.0.113.18")
    for i in range(20):
        assert login(sprayer, f"guess-{i}", "password-1").status_code == 401
    assert login(sprayer, "sprayed", "long-enough-1").status_code == 401  # 21st attempt at that address
    assert login(elsewhere, "sprayed", "long-enough-1").status_code == 302
    with session_factory(demo_engine)() as session:
        assert _locked(session, "sprayed") is False  # the address is throttled, not the name


def test_aut118_a_distributed_attack_on_one_name_still_stops(dash_app, demo_engine):
    _new_user(demo_engine, "popular", "long-enough-1")
    c = dash_app.server.test_client()
    token = _csrf(c)
    for i in range(50):
        c.environ_base["REMOTE_ADDR"] = f"10.17.0.{i + 1}"
        form = {"username": " Popular ", "password": "wrong-guess", "csrf": token, "next": "/"}
        assert c.post("/login", data=form).status_code == 401
    assert _throttle(demo_engine)[f"name:{_name('popular')}"] == 50
    with session_factory(demo_engine)() as session:
        assert _locked(session, "popular") is True
    assert login(_at(dash_app, "10.17.1.1"), "popular", "long-enough-1").status_code == 401


def test_aut119_unlocking_one_name_leaves_names_that_match_it_as_a_pattern_alone(engine):
    with session_factory(engine)() as session:
        for name in ("ann_", "anna", "ann%"):
            create_user(session, name, "the-right-one", "director")
        session.commit()
        for name in ("anna", "ann%"):
            for _ in range(5):
                authenticate(session, name, "wrong", "192.0.2.19")
        set_password(session, "ann_", "the-right-two")
        set_password(session, "ann%", "the-right-two")
        session.commit()
        assert [(u["username"], u["locked"]) for u in list_users(session)] == [
            ("ann%", False),
            ("ann_", False),
            ("anna", True),
        ]
