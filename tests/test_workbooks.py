"""Every registered workbook runs headless (as in JupyterLab), with a small database, and stays
thin; the notebooks in workbooks/ are the registry's, and make the call it declares."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coprod_widgets import registry
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.registry import Workbook, opened_by

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def run(wb: Workbook, params: dict, monkeypatch, db: str) -> nbformat.NotebookNode:
    """The notebook served for ``wb``, executed in a kernel with ``params`` set."""
    monkeypatch.setenv("COPROD_DB", db)  # the kernel inherits it
    nb = nbformat.reads(registry.notebook_text(wb, WORKBOOKS), as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def outputs(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def all_text(nb) -> str:
    return json.dumps(outputs(nb))


@pytest.fixture()
def links(store):
    return store.rounds.create("Workbook team", FrameworkLibrary().get("scie-four"))


@pytest.mark.parametrize("wb", registry.workbooks(), ids=lambda w: w.name)
def test_every_registered_workbook_runs_headless(monkeypatch, store, wb):
    """Opened as it is in JupyterLab, without a link: a page, never a traceback."""
    nb = run(wb, {}, monkeypatch, store.url)
    outs = outputs(nb)
    assert not [o for o in outs if o.output_type == "error"], all_text(nb)
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outs)
    assert "Traceback" not in json.dumps(nb.metadata.get("widgets", {}))


def test_self_assessment_runs_with_a_member_code(monkeypatch, store, links):
    params = {"code": links.member_code, "me": "workbook-me-token"}
    nb = run(opened_by("member"), params, monkeypatch, store.url)
    outs = outputs(nb)
    assert not [o for o in outs if o.output_type == "error"]
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outs)
    state = json.dumps(nb.metadata.get("widgets", {}))  # the widgets' saved state
    assert "Workbook team: how well do we co-produce?" in state
    assert "Equality" in state and "Traceback" not in state


def test_team_results_runs_with_a_facilitator_code(monkeypatch, store, links):
    nb = run(opened_by("facilitator"), {"code": links.facilitator_code}, monkeypatch, store.url)
    outs = outputs(nb)
    assert not [o for o in outs if o.output_type == "error"]
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outs)


def test_a_bad_code_gives_a_message_not_a_traceback(monkeypatch, store):
    params = {"code": "nope", "me": "workbook-me-token"}
    nb = run(opened_by("member"), params, monkeypatch, store.url)
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert "This link is not recognised" in state and "Traceback" not in state


def _code(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_every_notebook_in_workbooks_is_registered():
    """A notebook the registry does not know would be served with no link check and no pool."""
    names = {w.notebook for w in registry.workbooks()}
    assert {p.name for p in WORKBOOKS.glob("*.ipynb")} <= names


@pytest.mark.parametrize("made", [False, True], ids=["shipped", "made"])
@pytest.mark.parametrize("wb", registry.workbooks(), ids=lambda w: w.name)
def test_a_workbook_makes_the_call_its_entry_declares(wb, made, tmp_path):
    """Shipped or made from its entry: parameters for its arguments (its query fields unless
    it names others), one import of its app, one call ``app.call(name=name, ...)``, outputs
    stripped."""
    nb = nbformat.reads(registry.notebook_text(wb, tmp_path if made else WORKBOOKS), 4)
    nbformat.validate(nb)
    code = _code(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    set_there = {
        t.id
        for c in params
        for node in ast.parse(c.source).body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    assert set_there == set(wb.arguments)
    body = [n for c in code if c not in params for n in ast.parse(c.source).body]
    module, _, leaf = wb.app.rpartition(".")
    imports = [n for n in body if isinstance(n, ast.ImportFrom)]
    assert [(i.module, [a.name for a in i.names]) for i in imports] == [(module, [leaf])]
    [call] = [n.value for n in body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert ast.unparse(call.func) == f"{leaf}.{wb.call}"
    assert {k.arg for k in call.keywords} == set(wb.arguments)
    assert len(body) == 2


@pytest.mark.parametrize("path", sorted(WORKBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_workbooks_are_an_import_and_a_call_with_outputs_stripped(path):
    nb = nbformat.read(path, as_version=4)
    code = _code(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    lines = [
        ln
        for c in code
        for ln in c.source.splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]
    assert len(lines) <= 6, lines
    assert sum(ln.startswith(("import ", "from ")) for ln in lines) == 1
