"""Drive Dash over HTTP the way the browser does: POST /_dash-update-component, read the JSON tree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def render_page(
    client: Any, pathname: str, search: str = "", *, lang: str | None = "en", headers: dict[str, str] | None = None
) -> Any:
    """The page layout the pages router returns for ``pathname`` + ``search`` (the component tree as JSON).

    ``lang`` sets the language cookie (None: no cookie, the browser's Accept-Language decides).
    """
    if lang is None:
        client.delete_cookie("lang")
    else:
        client.set_cookie("lang", lang)
    payload = {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=payload, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["_pages_content"]["children"]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "props" in node:
            yield node
            yield from walk(node["props"].get("children"))
            for key, value in node["props"].items():
                if key != "children" and isinstance(value, dict | list):
                    yield from walk(value)
    elif isinstance(node, list):
        for child in node:
            yield from walk(child)


def find(tree: Any, component_id: str) -> dict[str, Any]:
    for node in walk(tree):
        if node["props"].get("id") == component_id:
            return node
    raise AssertionError(f"no component with id {component_id!r}")


def text_of(node: Any) -> str:
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    if isinstance(node, dict):
        return text_of(node.get("props", {}).get("children"))
    return ""
