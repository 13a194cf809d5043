"""In JupyterLab a workbook asks for the code a link would carry, and brings the page's look
with it; under Voilà the template does that instead."""

from __future__ import annotations

import ipywidgets as w
import nbformat
import pytest
from nbclient import NotebookClient

from coprod_widgets import registry
from coprod_widgets.apps import common
from coprod_widgets.apps.common import CodeEntry, code_in
from coprod_widgets.style import css


@pytest.mark.parametrize(
    "pasted",
    [
        "Abc123_-xyz",
        "  Abc123_-xyz\n",
        "http://127.0.0.1:8866/j/Abc123_-xyz",
        "https://coprod.example.org/j/Abc123_-xyz/",
        "https://coprod.example.org/j/Abc123_-xyz?resume=tok.mac#top",
    ],
)
def test_the_code_is_read_from_a_pasted_link_or_code(pasted):
    assert code_in(pasted) == "Abc123_-xyz"


def test_the_entry_opens_what_the_pasted_link_names():
    entry = CodeEntry("Team results", lambda code: w.HTML(f"opened {code}"))
    assert entry.code.description == "Link code"  # a labelled box
    entry.code.value = "http://x/j/Abc123_-xyz?resume=a.b"
    entry.open_button.click()
    assert entry.body.children[0].value == "opened Abc123_-xyz"


def test_no_style_is_shown_under_voila_or_outside_a_kernel(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    common.page_style_in_notebook()  # no IPython here: nothing
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    common.page_style_in_notebook()  # Voilà's template has it
    assert shown == []
    monkeypatch.delenv("VOILA_KERNEL_ID")
    common.page_style_in_notebook()
    assert len(shown) == 1 and css("page").strip() in shown[0][0].data


def test_a_workbook_run_as_in_lab_brings_the_page_style(monkeypatch, db_url):
    monkeypatch.setenv("COPROD_DB", db_url)
    wb = registry.opened_by("facilitator")
    nb = nbformat.reads(registry.notebook_text(wb, registry_folder()), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    html = [o["data"].get("text/html", "") for o in outs if "data" in o]
    assert any(css("page").strip() in h for h in html)
    assert not [o for o in outs if o.output_type == "error"]


def registry_folder():
    from coprod_widgets.paths import workbooks_dir

    return workbooks_dir()
