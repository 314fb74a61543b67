"""The one parser of what a client sends: URL query values and Dash callback inputs (issue 17, item 10).

Every callback is a public POST endpoint and every URL parameter is typed by hand, so anything may arrive:
Unicode digits (``"²".isdigit()`` is True, ``int("²")`` fails; ``int("٣")`` is 3), 5,000-digit numbers, NUL
bytes, a string where a dict was expected. Each function here takes ``Any`` and returns the typed value or
``None`` (the caller's default); none of them raises. Pages turn a ``None`` from a present value into a notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

#: a whole number as a person types it: ASCII digits only, at most nine (anything longer is no id we have)
_WHOLE = re.compile(r"-?[0-9]{1,9}")
#: C0 control characters and DEL: never part of a code, a name or a filter value (NUL breaks PostgreSQL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_TEXT = 200
MAX_QUERY = 8192


def whole(value: Any, low: int, high: int) -> int | None:
    """An int in ``low..high`` from an int (not a bool) or its ASCII-decimal text; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if low <= number <= high else None


def number(value: Any, low: float, high: float) -> float | None:
    """A finite float in ``low..high`` from a number (not a bool) or plain decimal text; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}(\.[0-9]{1,9})?", value.strip()):
        result = float(value.strip())
    else:
        return None
    return result if low <= result <= high else None


def text(value: Any, max_length: int = MAX_TEXT) -> str | None:
    """A non-empty string without control characters, at most ``max_length`` long; else None."""
    if not isinstance(value, str) or not value or len(value) > max_length or _CONTROL.search(value):
        return None
    return value


def path_code(value: Any, max_length: int = 50) -> str | None:
    """A business code from an address's path (``/accounts/<code>``): percent-decoded (the grids' links encode
    it, and Dash's pages hand the variable over as the browser sent it), then checked by ``text``."""
    return text(unquote(value), max_length) if isinstance(value, str) else None


def one_of(value: Any, allowed: Iterable[str]) -> str | None:
    """``value`` when it is one of ``allowed`` (exact text); else None."""
    return value if isinstance(value, str) and value in set(allowed) else None


def texts(value: Any, limit: int, max_length: int = 50) -> list[str]:
    """The strings of a list (each checked by ``text``), at most ``limit`` of them; anything else: []."""
    if not isinstance(value, list):
        return []
    out = [v for v in value if text(v, max_length) is not None]
    return out[:limit]


def query(search: Any) -> dict[str, str]:
    """An address's query string (``?a=1&b=2``) as a dict of the first value of each parameter.

    Not a string, or longer than any address we make: {}. Values with control characters are dropped (the
    page then shows its default and, where it checks the value, a notice).
    """
    if not isinstance(search, str) or len(search) > MAX_QUERY:
        return {}
    parsed = parse_qs(search.lstrip("?"))
    return {k: v[0] for k, v in parsed.items() if text(k, 40) is not None and text(v[0], MAX_QUERY) is not None}


def event_points(event: Any) -> list[dict[str, Any]]:
    """The ``points`` of a plotly click or selection event, each a dict; anything else: []."""
    if not isinstance(event, dict):
        return []
    points = event.get("points")
    if not isinstance(points, list):
        return []
    return [p for p in points if isinstance(p, dict)]


def first_customdata(event: Any) -> Any:
    """The ``customdata`` of a plotly event's first point (None when there is none)."""
    points = event_points(event)
    return points[0].get("customdata") if points else None
