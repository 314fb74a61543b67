"""Security review, round 2 (issue 17), over HTTP as an attacker would post it: API tokens outside the API,
sessions that outlive sign-out, a lock-out that can be raced or abused, control characters in ``next``."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from data_access.db import session_factory
from data_access.models import UserSession
from data_access.settings import load_settings
from data_access.users import create_token, create_user, set_password, utcnow
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
