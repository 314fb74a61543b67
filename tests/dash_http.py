"""Drive Dash over HTTP the way the browser does: POST /_dash-update-component, read the JSON tree."""

from __future__ import annotations

import time
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
    (ALL) ones are sent as empty lists unless given. Several callbacks may write one output (``url.search@``
    with allow_duplicate): the one whose inputs ``values`` names most is posted. Returns the Flask response.
    """
    deps = client.get("/_dash-dependencies").get_json()
    named = {str(cid) for cid, _prop in values}
    candidates = [d for d in deps if output_contains in d["output"]]
    assert candidates, f"no callback writes {output_contains!r}"

    def overlap(d: dict[str, Any]) -> int:
        return sum(str(_spec_id(i["id"])) in named for i in d["inputs"])

    candidates.sort(key=overlap, reverse=True)
    assert len(candidates) == 1 or overlap(candidates[0]) > overlap(candidates[1]), (
        f"{output_contains!r} is written by several callbacks: name their inputs in values"
    )
    spec = candidates[0]

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


def download(client: Any, table: str, fmt: str, search: str = "", selection: list[str] | None = None) -> Any:
    """Click a table's download button, as the browser posts it (a pattern-matching input), on the page at
    ``search`` with ``selection`` in the shell's selection store; returns the Flask response."""
    button = {"type": "table-download", "table": table, "fmt": fmt}
    payload = {
        "output": "table-download-target.data",
        "outputs": {"id": "table-download-target", "property": "data"},
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [
            {"id": "url", "property": "search", "value": search},
            {"id": "table-selection", "property": "data", "value": selection or []},
        ],
        "changedPropIds": [f'{{"fmt":"{fmt}","table":"{table}","type":"table-download"}}.n_clicks'],
    }
    return client.post("/_dash-update-component", json=payload)


def downloaded_text(response: Any) -> str:
    """The text of a CSV a ``download`` answered (base64 or not, the UTF-8 BOM dropped)."""
    import base64

    data = response.get_json()["response"]["table-download-target"]["data"]
    return base64.b64decode(data["content"]).decode("utf-8-sig") if data.get("base64") else str(data["content"])


def confirm_import(client: Any, store: dict[str, Any], as_of: str = "2026-11-27") -> dict[str, Any]:
    """Confirm the previewed upload of the Import page (``store``: the page's import-store) and poll its
    progress as the page does until the result is drawn; the poll's last answer."""
    started = call_callback(
        client,
        "import-poll.disabled",
        {("import-confirm", "n_clicks"): 1, ("import-store", "data"): store, ("import-as-of", "date"): as_of},
    )
    assert started.status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        polled = call_callback(
            client, "import-progress.value", {("import-poll", "n_intervals"): 1, ("import-store", "data"): store}
        )
        result = polled.get_json()["response"] if polled.status_code == 200 else {}
        if "import-result" in result:
            return dict(result)
        time.sleep(0.2)
    raise AssertionError("the import did not finish")
