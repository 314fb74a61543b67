"""Odd input never answers 500: every page with malformed filters, every callback with inputs of the wrong type.

Issue 17, item 10: ``?team=²`` (a Unicode digit: ``isdigit()`` then ``int()``), a 5,000-digit team, ``?stalled=²``,
a year ``"abc"``, ``clickData: "abc"``, a what-if of ``-1`` gave 500s. Every filter value and callback input now
goes through one parser (``metrics.params``); what it refuses is a notice on the page, never an error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dash_http import ROUTER_OUTPUT, _spec_id, render_page, text_of

HUGE = "9" * 5000
PAGES = [
    "/",
    "/rad",
    "/funnel",
    "/scorecards",
    "/winloss",
    "/accounts/A00001",
    "/opportunities/OP0000001",
    "/support",
    "/pricing",
    "/risk",
    "/actions",
]
QUERIES = [
    "?team=²",
    f"?team={HUGE}",
    "?team=-1",
    "?period=²",
    "?period=2026Q²",
    f"?period={HUGE}",
    "?stalled=²",
    f"?stalled={HUGE}",
    "?since=²",
    "?since=2026-13-45",
    "?level=²",
    "?rep=%00",
    "?product=%00x",
    "?rad=%00",
    "?r=²&a=²",
    f"?r={HUGE}&a=-5",
    "?segment=²&value=%00",
    "?lost_level=²",
    f"?lost_level={HUGE}",
    "?reason=%00",
    "?view=%00",
    "?review=²&slide=²",
    "?measure=%00",
    "?outcome=²",
    "?year=²",
    f"?year={HUGE}",
    "?year=-2026",
    "?tab=%00",
    "?tab=tech&team=²",
    "?kind=²",
    "?opp=%00",
]


@pytest.mark.parametrize("path", PAGES)
def test_hos001_malformed_filters_render_the_page_with_a_notice(director, path):
    for search in QUERIES:
        tree = render_page(director, path, search)  # asserts a 200
        assert "Traceback" not in json.dumps(tree)


@pytest.mark.parametrize("code", ["%00", "A%00B", "²", "x" * 5000, "..%2F..%2Fetc"])
def test_hos002_odd_codes_in_the_path_are_not_found_pages(director, code):
    for prefix in ("/accounts/", "/opportunities/"):
        tree = render_page(director, prefix + code)
        assert "Traceback" not in text_of(tree)


HOSTILE: list[Any] = [
    "abc",
    -1,
    "²",
    HUGE,
    {"points": "abc"},
    {"points": [{"customdata": {"x": 1}, "x": "abc", "y": None}]},
    [None, {"a": 1}],
    1e308,
    True,
    "\x00",
]


def _payload(spec: dict[str, Any], value: Any) -> dict[str, Any]:
    def fill(items: list[dict[str, Any]]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            cid = _spec_id(item["id"])
            if isinstance(cid, dict):  # a pattern-matching (ALL) dependency: one hostile match
                one = {k: "x" if v == ["ALL"] else v for k, v in cid.items()}
                out.append([{"id": one, "property": item["property"], "value": value}])
            else:
                out.append({"id": cid, "property": item["property"], "value": value})
        return out

    outputs = []
    for raw in spec["output"].strip(".").split("..."):
        cid, prop = raw.rsplit(".", 1)
        outputs.append({"id": _spec_id(cid), "property": prop.split("@")[0]})
    first = spec["inputs"][0]
    return {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec["state"]),
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }


@pytest.mark.parametrize("role", ["director", "manager", "rep"])
def test_hos003_every_callback_with_inputs_of_the_wrong_type_never_answers_500(request, role):
    client = request.getfixturevalue(role)
    deps = client.get("/_dash-dependencies").get_json()
    assert len(deps) >= 15
    failures = []
    for spec in deps:
        if spec["output"] == ROUTER_OUTPUT or spec.get("clientside_function"):
            continue
        for value in HOSTILE:
            response = client.post("/_dash-update-component", json=_payload(spec, value))
            if response.status_code >= 500:
                failures.append((spec["output"][:80], repr(value)[:30], response.status_code))
            body = response.get_data(as_text=True)
            assert "Traceback" not in body and "SELECT" not in body
    assert failures == []
