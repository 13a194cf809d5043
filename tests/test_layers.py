"""The house's rules, as a test: arrows point down only, and a workbook is an import and a call.

Floors (DESIGN.md): model at the bottom (it knows only our errors); content, store, analysis
and widgets above it; reports above analysis and the store; apps above all of those; the server
and the command line at the top. A module may import its own floor and the floors listed for
it, never one above: a widget never opens the database, the model never imports a widget.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "coprod_widgets"

# Leaves import nothing of ours: the registry of workbooks (read by the server, identity and
# the apps) and the stylesheets (read by every floor that draws).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "paths": set(),
    "registry": set(),
    "style": set(),
    "model": {"errors"},
    "identity": {"paths", "errors", "registry"},
    "content": {"model", "errors", "paths"},
    "store": {"model", "errors", "paths"},
    "analysis": {"model", "errors", "style"},
    "widgets": {"model", "errors", "style"},
    "reports": {"analysis", "content", "store", "model", "errors", "paths", "style"},
    # The notebooks' data API: tidy frames read through the same released results as the pages.
    "data": {"analysis", "store", "content", "model", "identity", "errors"},
    "apps": {
        "registry",
        "style",
        "widgets",
        "analysis",
        "store",
        "content",
        "model",
        "reports",
        "identity",
        "errors",
        "paths",
    },
    "demo": {"content", "store", "model", "errors", "paths"},
    "server": {
        "store",
        "identity",
        "registry",
        "style",
        "demo",
        "content",
        "model",
        "errors",
        "paths",
    },
    "jupyter": set(),
    "__init__": set(),
}
TOP = {"cli"}  # the command line may call any floor


def _floor(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path, top: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of our own package in ``path`` (a file under ``top``)."""
    rel = path.relative_to(top).with_suffix("")
    module = ".".join(rel.parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    if path.name == "__init__.py":
        package = module.removesuffix(".__init__")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                targets = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            else:
                targets = [node.module or ""]
            found += [(node.lineno, t) for t in targets if t.startswith("coprod_widgets")]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name) for a in node.names if a.name.startswith("coprod_widgets")
            ]
    return found


def upward_imports(root: Path = PACKAGE) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent)
        floor = _floor(".".join(rel.with_suffix("").parts))
        if floor in TOP:
            continue
        allowed = ALLOWED.get(floor)
        if allowed is None:
            problems.append(
                f"{rel}: floor {floor!r} is not in the house's plan (tests/test_layers.py)"
            )
            continue
        for line, target in imports_of(path, root.parent):
            to = _floor(target)
            if to != floor and to not in allowed:
                problems.append(f"{rel}:{line}: {floor} imports {target} ({to} is not below it)")
    return problems


def test_arrows_point_down_only():
    assert upward_imports() == []


def test_an_upward_import_is_caught(tmp_path):
    """The rule can fail: a widget that opens the store, planted in a copy of the package."""
    import shutil

    copy = tmp_path / "coprod_widgets"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "widgets" / "sneaky.py").write_text("from ..store import Store\n", encoding="utf-8")
    assert upward_imports(copy) == [
        "coprod_widgets/widgets/sneaky.py:1: widgets imports coprod_widgets.store "
        "(store is not below it)"
    ]


def _code_cells(notebook: Path) -> list[dict]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize(
    "notebook",
    sorted((REPO / "workbooks").rglob("*.ipynb")),
    ids=lambda p: p.name,
)
def test_a_workbook_is_an_import_and_a_call(notebook):
    """Its parameters cell sets plain values; the rest imports and makes one call."""
    calls = 0
    for cell in _code_cells(notebook):
        assert not cell.get("outputs"), f"{notebook.name}: outputs are not stripped"
        tree = ast.parse("".join(cell["source"]))
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            for node in tree.body:
                assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), (
                    f"{notebook.name}: the parameters cell may only set plain values"
                )
            continue
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                continue
            assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call), (
                f"{notebook.name}:{node.lineno}: a workbook holds an import and a call, not "
                f"{type(node).__name__}"
            )
            calls += 1
    assert calls == 1, f"{notebook.name}: {calls} calls; a workbook makes exactly one"
