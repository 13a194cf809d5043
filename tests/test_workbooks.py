"""Every workbook runs headless (as in JupyterLab), with a small database, and stays thin."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coprod_widgets.content import FrameworkLibrary

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def run(name: str, params: dict, monkeypatch, db: str) -> nbformat.NotebookNode:
    monkeypatch.setenv("COPROD_DB", db)  # the kernel inherits it
    nb = nbformat.read(WORKBOOKS / name, as_version=4)
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
    return store.create_round("Workbook team", FrameworkLibrary().get("scie-four"))


def test_self_assessment_runs_with_a_member_code(monkeypatch, store, links):
    nb = run(
        "self_assessment.ipynb",
        {"code": links.member_code, "me": "workbook-me-token"},
        monkeypatch,
        store.url,
    )
    outs = outputs(nb)
    assert not [o for o in outs if o.output_type == "error"]
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outs)
    state = json.dumps(nb.metadata.get("widgets", {}))  # the widgets' saved state
    assert "Workbook team: how well do we co-produce?" in state
    assert "Equality" in state and "Traceback" not in state


def test_team_results_runs_with_a_facilitator_code(monkeypatch, store, links):
    nb = run("team_results.ipynb", {"code": links.facilitator_code}, monkeypatch, store.url)
    outs = outputs(nb)
    assert not [o for o in outs if o.output_type == "error"]
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outs)


def test_start_round_runs(monkeypatch, store):
    nb = run("start_round.ipynb", {}, monkeypatch, store.url)
    outs = outputs(nb)
    assert not [o for o in outs if o.output_type == "error"]
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outs)


def test_a_bad_code_gives_a_message_not_a_traceback(monkeypatch, store):
    nb = run(
        "self_assessment.ipynb", {"code": "nope", "me": "workbook-me-token"}, monkeypatch, store.url
    )
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert "This link is not recognised" in state and "Traceback" not in state


@pytest.mark.parametrize("path", sorted(WORKBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_workbooks_are_an_import_and_a_call_with_outputs_stripped(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    lines = [
        ln
        for c in code
        for ln in c.source.splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]
    assert len(lines) <= 6, lines
    assert sum(ln.startswith(("import ", "from ")) for ln in lines) == 1
