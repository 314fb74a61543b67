"""How the server fails: a short answer with an error id (never a trace or SQL), 413 past the body limit,
same-site redirects from the language switch (issue 17, items 5, 8, 10 and 11)."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

import pytest
from flask import Flask

from web.errors import install_error_handlers


@pytest.fixture()
def failing_app() -> Flask:
    """A bare Flask app with the app's error handlers, whose routes fail the way an unexpected bug does."""
    server = Flask("failing")
    install_error_handlers(server, 1024)

    @server.get("/api/v1/boom")
    def api_boom() -> str:
        raise RuntimeError("SELECT secret_column FROM users WHERE password = 'hunter2'")

    @server.get("/page")
    def page_boom() -> str:
        raise KeyError("secret_column")

    @server.post("/echo")
    def echo() -> str:
        from flask import request

        return str(len(request.get_data()))

    return server


def test_err001_unexpected_errors_answer_an_error_id_that_the_log_has(failing_app, caplog):
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR, logger="salesradar"):
        api = client.get("/api/v1/boom")
        page = client.get("/page", headers={"Accept-Language": "zh-CN"})
    assert api.status_code == 500 and api.get_json()["error"] == "internal_error"
    error_id = api.get_json()["error_id"]
    assert len(error_id) == 8 and error_id in api.get_json()["message"]
    assert page.status_code == 500 and page.mimetype == "text/html"
    body = page.get_data(as_text=True)
    assert "出错了" in body
    for answer in (api.get_data(as_text=True), body):
        assert "SELECT" not in answer and "secret_column" not in answer and "Traceback" not in answer
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert error_id in logged
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)  # the details: log only


def test_err002_a_body_over_the_limit_is_413(failing_app):
    client = failing_app.test_client()
    assert client.post("/echo", data=b"x" * 1024).get_data(as_text=True) == "1024"
    too_big = client.post("/echo", data=b"x" * 1025)
    assert too_big.status_code == 413 and too_big.get_json()["error"] == "too_large"


def test_err003_the_app_refuses_a_callback_body_over_20_mb_from_a_rep(rep):
    body = b'{"output": "x", "inputs": [], "pad": "' + b"x" * (21 * 1024 * 1024) + b'"}'
    response = rep.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {"error": "too_large", "message": "The request is too large (at most 20 MB)."}


@pytest.mark.parametrize(
    "referer",
    [
        "http://localhost//evil.example/x",
        "http://localhost/\\evil.example/x",
        "http://localhost/%2F%2Fevil.example",
        "http://evil.example/funnel",
        "//evil.example/x",
        "javascript:alert(1)",
    ],
)
def test_err004_language_switch_never_leaves_the_site(client, referer):
    response = client.get("/lang/en", headers={"Referer": referer})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert urlparse(location).netloc == "" and "\\" not in location


def test_err005_language_switch_returns_to_the_same_page(client):
    response = client.get("/lang/zh", headers={"Referer": "http://localhost/funnel?period=2026Q3"})
    assert response.headers["Location"] == "/funnel?period=2026Q3"
    assert "lang=zh" in response.headers["Set-Cookie"]
