"""The house's rules, read from the code's own imports (issue 15): pages wire, components draw, metrics'
formula modules compute without a database, loaders (metrics/views) and web/ reach data_access.

A module that breaks a rule fails here, naming the import; the allow-list below is what is left to move,
and a module that no longer needs its place on it fails too, so the list can only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Still importing data_access from pages/ or components/ (none left: a module that needs to is a design to fix).
NOT_YET: set[str] = set()
MAX_LINES = 600


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, at any depth of the file (inside functions too)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]  # "from web import imports"
    return found


def _reaches(path: Path, *packages: str) -> list[str]:
    return [m for m in _imports(path) if any(m == p or m.startswith(p + ".") for p in packages)]


def test_arc001_pages_and_components_never_import_data_access():
    broken, moved = {}, []
    for folder in ("pages", "components"):
        for path in sorted((ROOT / folder).glob("*.py")):
            name = f"{folder}/{path.name}"
            reached = _reaches(path, "data_access", "sqlalchemy")
            if reached and name not in NOT_YET:
                broken[name] = reached
            if not reached and name in NOT_YET:
                moved.append(name)
    assert broken == {}, "pages and components take what a loader (metrics/views) gives them"
    assert moved == [], "no longer imports data_access: take it off NOT_YET"


def test_arc002_formula_modules_of_metrics_know_no_database():
    broken = {
        path.name: reached
        for path in sorted((ROOT / "metrics").glob("*.py"))
        if (reached := _reaches(path, "data_access", "sqlalchemy", "flask", "dash", "components", "pages", "web"))
    }
    assert broken == {}, "metrics/*.py are pure formulas; reading belongs to metrics/views"


def test_arc003_loaders_and_formulas_never_draw():
    broken = {
        str(path.relative_to(ROOT)): reached
        for path in sorted((ROOT / "metrics").rglob("*.py"))
        if (reached := _reaches(path, "components", "pages", "web", "dash", "plotly"))
    }
    assert broken == {}


def test_arc004_every_page_reads_through_a_loader():
    """A page's layout gets its data from ``web.loading.load_view`` (a loader of metrics/views), or, for the
    import page, from ``web.imports`` (uploads and jobs); never from a session of its own."""
    pages = [p for p in sorted((ROOT / "pages").glob("*.py")) if p.name not in ("__init__.py", "not_found_404.py")]
    readers = {"web.loading", "web.imports"}
    without = [p.name for p in pages if f"pages/{p.name}" not in NOT_YET and not readers & set(_imports(p))]
    assert without == []


def test_arc005_no_file_of_data_access_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / "data_access").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_arc006_only_the_loaders_keep_results():
    """One cache layer (issue 15): ``kept`` is applied in metrics/views only, never to a query of data_access;
    the one other user of the store is the page's drawing of its loader's answer (``web/loading.py``, the same
    key rule); the per-worker page cache is gone."""
    users = {
        str(path.relative_to(ROOT)): found
        for folder in ("pages", "components", "metrics", "data_access", "web")
        for path in (ROOT / folder).rglob("*.py")
        if (found := [m for m in _imports(path) if m.startswith("data_access.result_cache.")])
    }
    keepers = sorted(name for name, found in users.items() if "data_access.result_cache.kept" in found)
    assert keepers and all(k.startswith("metrics/views/") for k in keepers), keepers
    others = {
        name for name, found in users.items() if name not in keepers and found != ["data_access.result_cache.EXTENSION"]
    }
    assert others <= {"web/loading.py", "app.py"}, others
    assert not (ROOT / "web" / "view_cache.py").exists()


def test_arc010_every_test_id_names_one_test():
    """Short ids (``test_fnl008_...``) are what ``-k`` picks and what the docs cite: each names one test."""
    import re
    from collections import Counter

    ids = Counter(
        match.group(1)
        for path in Path(__file__).resolve().parents[1].rglob("test_*.py")
        for match in re.finditer(r"^(?:async )?def test_([a-z]+\d+)_", path.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(ids) > 500  # the suite was read
