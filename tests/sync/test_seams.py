"""The engine knows no target: what `sfqb.sync` may import, and the literals it must not hold.

See shared reference second-target.md: the engine asks a `TargetProfile` instead of testing type
names by prefix or bare QuickBooks codes, and only `cycle.py` builds on `Cycle` at run time.
"""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

import pytest

SYNC = Path(str(resources.files("sfqb.sync")))
MODULES = sorted(SYNC.glob("*.py"))
OUTER_LAYERS = ("sfqb.connectors", "sfqb.cli", "sfqb.store", "sfqb.jobs", "sfqb.web")


def _imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """(module imported, under `if TYPE_CHECKING`) for every import in the module."""
    found: list[tuple[str, bool]] = []

    def walk(node: ast.AST, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in (
                "TYPE_CHECKING", "typing.TYPE_CHECKING"
            ):  # fmt: skip
                for part in child.body:
                    walk_one(part, True)
                for part in child.orelse:
                    walk_one(part, typing_only)
                continue
            walk_one(child, typing_only)

    def walk_one(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, typing_only) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, typing_only))
        walk(node, typing_only)

    walk(tree, False)
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_sync_module_but_cycle_imports_the_cycle_at_run_time(path: Path) -> None:
    if path.name == "cycle.py":
        return
    tree = ast.parse(path.read_text("utf-8"))
    runtime = [m for m, typing_only in _imports(tree) if not typing_only]
    assert "sfqb.sync.cycle" not in runtime, f"{path.name} imports sfqb.sync.cycle at run time"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_sync_module_imports_an_outer_layer(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    outer = [m for m, _ in _imports(tree) if m.startswith(OUTER_LAYERS)]
    assert not outer, f"{path.name} imports {outer}"


def _literals(tree: ast.Module) -> list[str]:
    """Type tests by prefix and bare QuickBooks codes the module's code holds."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "startswith"
            and any(
                isinstance(arg, ast.Constant) and str(arg.value).startswith("Item")
                for arg in node.args
            )
        ):
            found.append(ast.unparse(node))
        if isinstance(node, ast.Constant) and node.value in ("3100", "3120", "3250"):
            found.append(repr(node.value))
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_type_prefix_test_or_bare_code_literal_in_the_engine(path: Path) -> None:
    assert _literals(ast.parse(path.read_text("utf-8"))) == []


def test_the_checks_catch_what_they_look_for() -> None:
    bad = ast.parse(
        "from sfqb.sync.cycle import Cycle\n"
        "from sfqb.store import Store\n"
        "x = t.startswith('Item') or code != '3100'\n"
    )
    assert ("sfqb.sync.cycle", False) in _imports(bad)
    assert _literals(bad) == ["t.startswith('Item')", "'3100'"]
    typed = ast.parse("if TYPE_CHECKING:\n    from sfqb.sync.cycle import Cycle\n")
    assert _imports(typed) == [("sfqb.sync.cycle", True)]
