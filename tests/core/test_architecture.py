"""Imports point one way (docs/ARCHITECTURE.md, "Which may import which")."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "sinergi"

# What each app may import besides itself. `api` here means the API's shared layer
# (api.errors, api.auth), which imports no app.
ALLOWED = {
    "core": {"api"},  # core's error pages answer /api/ in the API's error shape
    "operations": {"core"},
    "accounts": {"core"},
    "partners": {"core", "accounts", "api"},
    "library": {"core", "accounts", "operations", "api"},
    "visits": {"core", "accounts", "api"},
    "training": {"core", "accounts", "partners", "api"},
    "learning": {"core", "accounts", "training", "api"},
    "certificates": {"core", "accounts", "operations", "training", "learning", "api"},
    "insights": {"core", "accounts", "partners", "training", "learning", "library", "visits"},
    "lti": {"core", "accounts", "training", "learning", "library"},
    "api": {
        "core",
        "accounts",
        "partners",
        "library",
        "visits",
        "training",
        "learning",
        "certificates",
        "insights",
        "lti",
    },
}
API_SHARED = {"sinergi.api.errors", "sinergi.api.auth", "sinergi.api.types"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def import_edges():
    """(app, imported module, file) for every import of another Sinergi app."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).parts
        if len(relative) < 2 or "migrations" in relative:
            continue
        app = relative[0]
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] == "sinergi" and len(parts) > 1 and parts[1] != app:
                yield app, module, path.relative_to(PACKAGE.parent)


def upward(edges):
    problems = []
    for app, module, path in edges:
        target = module.split(".")[1]
        if not (PACKAGE / target).is_dir():
            continue  # sinergi.settings, sinergi.urls
        if target not in ALLOWED.get(app, set()):
            problems.append(f"{path}: {app} imports {module}")
        elif target == "api" and app != "api" and module not in API_SHARED:
            problems.append(f"{path}: {app} imports the API's assembly {module}")
    return problems


def test_no_import_points_up():
    assert set(ALLOWED) == {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert upward(import_edges()) == []


def test_the_check_sees_an_upward_import():
    """Negative control: core importing training, or a domain app importing the assembly."""
    edges = [
        ("core", "sinergi.training.models", Path("sinergi/core/x.py")),
        ("visits", "sinergi.api.api", Path("sinergi/visits/y.py")),
        ("training", "sinergi.learning.models", Path("sinergi/training/z.py")),
    ]
    assert len(upward(edges)) == 3
