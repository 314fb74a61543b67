"""The docs stay true to the code: every API path and parameter, and every demo user, is documented."""

from __future__ import annotations

from pathlib import Path

from data_access.demo import DEMO_USERS
from web.openapi import openapi_document

ROOT = Path(__file__).resolve().parents[2]


def test_doc001_every_api_endpoint_and_parameter_is_in_docs_api():
    text = (ROOT / "docs" / "api.md").read_text()
    for path, item in openapi_document()["paths"].items():
        documented = path.replace("{rep_code}", "<rep_code>")
        assert f"`GET {documented}" in text, path
        for param in item["get"].get("parameters", []):
            assert param["name"] in text, (path, param["name"])


def test_doc002_demo_users_are_named_in_readme_and_security_doc():
    for doc in ("README.md", "docs/security.md"):
        text = (ROOT / doc).read_text()
        for username, _role, rep_code, password in DEMO_USERS:
            assert f"`{username}`" in text and f"`{password}`" in text and rep_code in text, (doc, username)
