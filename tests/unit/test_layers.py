"""Features depend downward only (docs/ARCHITECTURE.md, 2.1): a test, so that it stays true."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"

# Package → the packages it must never import. sync and snapshot sit on directory, workspaces and
# auth; push sits on those three and below sync; auth and workspaces own the user's key and the
# membership helpers.
# readiness and poster read directory and workspaces; the poster sits above readiness; the
# workspace page shows their panels through a hook, never an import.
PANELS = {"readiness", "poster"}
# The lowest: the audit log, which every feature writes to, imports nothing of the app but the
# database's basics (its pages live in `activity`, above auth and workspaces).
SINK = "audit"
SINK_MAY_IMPORT = {"audit", "db"}
APP = {
    path.stem
    for path in WEBAPP.iterdir()
    if path.suffix == ".py" or (path / "__init__.py").is_file()
} - {"__init__"}
FORBIDDEN = {
    SINK: APP - SINK_MAY_IMPORT,
    "auth": {"workspaces", "directory", "sync", "snapshot", "push", *PANELS},
    "workspaces": {"directory", "sync", "snapshot", "push", *PANELS},
    "directory": {"sync", "snapshot", "push", *PANELS},
    "snapshot": {"sync", "push", *PANELS},
    # push sits below sync: the sync service writes the outbox row in the change's transaction.
    "push": {"sync", "snapshot", *PANELS},
    "readiness": {"sync", "snapshot", "push", "poster"},
    "poster": {"sync", "snapshot", "push"},
    # The crisis toolkit's data: nothing of the app, so anything may read it.
    "emergency_numbers": {
        "auth",
        "workspaces",
        "directory",
        "sync",
        "snapshot",
        "push",
        "toolkit",
        *PANELS,
    },
}
# The crisis toolkit creates workspaces with their defaults through sync, the audit pages read
# auth and workspaces, and import (`porting`) writes through sync: they sit on top, and no
# feature below may import them.
TOP = {"toolkit", "activity", "porting"}


def imported_packages(package: str) -> dict[str, set[str]]:
    """Return, per module file of a webapp package, the webapp packages it imports."""
    found: dict[str, set[str]] = {}
    for path in (WEBAPP / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(WEBAPP))] = {
            name.split(".")[1] for name in names if name.startswith("webapp.") and "." in name
        }
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_features_import_only_what_lies_below_them(package):
    wrong = {
        module: sorted(imports & FORBIDDEN[package])
        for module, imports in imported_packages(package).items()
        if imports & FORBIDDEN[package]
    }
    assert wrong == {}


def test_the_layer_check_sees_imports():
    # The check itself works: sync does import directory and workspaces.
    imports = set().union(*imported_packages("sync").values())
    assert {"directory", "workspaces", "auth"} <= imports


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_nothing_below_the_top_imports_it(package):
    wrong = [module for module, imports in imported_packages(package).items() if TOP & imports]
    assert wrong == []


def test_no_import_runs_back_up():
    # Every package of the table at once: the count of arrows against the layer order is 0.
    wrong = [
        (module, name)
        for package, forbidden in FORBIDDEN.items()
        for module, imports in imported_packages(package).items()
        for name in sorted(imports & (forbidden | TOP))
    ]
    assert wrong == []


def test_the_audit_sink_is_written_to_and_reads_only_the_database():
    assert SINK_MAY_IMPORT - {SINK} <= set().union(*imported_packages(SINK).values())
    assert {"auth", "workspaces", "sync", "push", "activity"} < APP
    assert SINK in set().union(*imported_packages("sync").values())


def test_the_toolkit_writes_through_sync_and_workspaces():
    imports = set().union(*imported_packages("toolkit").values())
    assert {"sync", "workspaces", "emergency_numbers"} <= imports
