"""Security review, round 2 (issue 17), over HTTP as an attacker would post it: API tokens outside the API,
sessions that outlive sign-out, a lock-out that can be raced or abused, control characters in ``next``."""

from __future__ import annotations

import re

import pytest

from data_access.db import session_factory
from data_access.settings import load_settings
from data_access.users import create_token
from tests.dash_http import ROUTER_OUTPUT, call_callback

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
