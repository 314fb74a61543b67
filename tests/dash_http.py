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


def _spec_id(spec_id: Any) -> Any:
    """A dependency id as the client sends it: strings as they are, pattern ids as dicts."""
    if isinstance(spec_id, str) and spec_id.startswith("{"):
        import json

        return json.loads(spec_id)
    return spec_id


def call_callback(
    client: Any, output_contains: str, values: dict[tuple[str, str], Any], changed: list[str] | None = None
) -> Any:
    """POST one callback the way the browser would, found in /_dash-dependencies by its output.

    ``values`` gives (component id, property) -> value for the inputs and states; pattern-matching
    (ALL) ones are sent as empty lists unless given. Returns the Flask response.
    """
    deps = client.get("/_dash-dependencies").get_json()
    candidates = [d for d in deps if output_contains in d["output"]]

    def given(d: dict[str, Any]) -> bool:  # several callbacks write url.search: the one whose inputs we give
        ids = [(i["id"], i["property"]) for i in d["inputs"] if not str(i["id"]).startswith("{")]
        return all(key in values for key in ids)

    spec = next((d for d in candidates if given(d)), candidates[0])

    def fill(items: list[dict[str, Any]]) -> list[Any]:
        out = []
        for item in items:
            cid = _spec_id(item["id"])
            if isinstance(cid, dict):
                out.append(values.get((str(cid), item["property"]), []))
            else:
                out.append({"id": cid, "property": item["property"], "value": values.get((cid, item["property"]))})
        return out

    outputs_raw = spec["output"].strip(".").split("...")
    outputs = []
    for raw in outputs_raw:
        cid, prop = raw.rsplit(".", 1)
        outputs.append({"id": _spec_id(cid), "property": prop.split("@")[0]})
    payload = {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec["state"]),
        "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in spec["inputs"][:1]],
    }
    return client.post("/_dash-update-component", json=payload)
