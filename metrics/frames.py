"""Small frames as plain rows: what a grid, a table or a JSON answer takes."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a small frame as plain dicts (for JSON); missing values (NaN, NA) become None."""
    clean = df.astype(object).where(df.notna(), None)
    return cast(list[dict[str, Any]], clean.to_dict("records"))
