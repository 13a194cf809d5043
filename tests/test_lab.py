"""`coprod lab`: the person's own copies are made once and kept; a saved notebook holds no
outputs and no widget state (the hook, on a file, then through a real JupyterLab)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
from jupyter_server.services.contents.filemanager import FileContentsManager

from coprod_widgets import registry
from coprod_widgets.cli.lab import HOOK, lab_argv, own_copies, strip_outputs

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "workbooks" / "examples").glob("*.ipynb"))


def answered_notebook() -> nbformat.NotebookNode:
    """A notebook as Lab would save it after a person rated in it: outputs and widget state."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("from coprod_widgets.apps import assess\nassess.show()")
    cell.execution_count = 3
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/plain": "My private evidence: the manager shouts"}
        )
    ]
    cell.metadata["execution"] = {"iopub.execute_input": "2026-12-06T10:00:00"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Mine"), cell]
    nb.metadata["widgets"] = {"state": {"x": {"value": "My private evidence: the manager shouts"}}}
    return nb


def test_the_hook_clears_outputs_and_widget_state_on_a_saved_file(tmp_path):
    cm = FileContentsManager(root_dir=str(tmp_path), pre_save_hook=HOOK)
    model = {"type": "notebook", "format": "json", "content": answered_notebook()}
    cm.save(model, "mine.ipynb")
    text = (tmp_path / "mine.ipynb").read_text(encoding="utf-8")
    assert "private evidence" not in text
    saved = nbformat.reads(text, as_version=4)
    nbformat.validate(saved)
    code = saved.cells[1]
    assert code.outputs == [] and code.execution_count is None
    assert "execution" not in code.metadata and "widgets" not in saved.metadata
    assert code.source.endswith("assess.show()") and saved.cells[0].source == "# Mine"


def test_the_hook_leaves_other_files_alone():
    model = {"type": "file", "format": "text", "content": "outputs: keep"}
    strip_outputs(model)
    assert model["content"] == "outputs: keep"


def test_the_hook_can_fail():
    """Without the hook the same save keeps the answer: the test above sees the difference."""
    nb = answered_notebook()
    assert "private evidence" in json.dumps(nb)
    model = {"type": "notebook", "content": json.loads(json.dumps(nb))}
    strip_outputs(model)
    assert "private evidence" not in json.dumps(model)


def test_own_copies_are_made_once_and_never_overwritten(tmp_path):
    folder = tmp_path / "mine"
    made = own_copies(folder)
    names = {w.notebook for w in registry.workbooks()}
    assert names <= set(made) and {f"examples/{p.name}" for p in EXAMPLES} <= set(made)
    for w in registry.workbooks():
        nb = nbformat.read(folder / w.notebook, as_version=4)
        assert nb.cells[-1].source.endswith(
            f"{w.call}({', '.join(f'{a}={a}' for a in w.arguments)})"
        )
    edited = folder / "journal.ipynb"
    edited.write_text(edited.read_text(encoding="utf-8").replace("journal", "my journal"), "utf-8")
    (folder / "planner.ipynb").unlink()
    assert own_copies(folder) == ["planner.ipynb"]
    assert "my journal" in edited.read_text(encoding="utf-8")


def test_the_shipped_course_is_in_the_folder_as_notebooks_kept_once_edited(tmp_path):
    folder = tmp_path / "mine"
    made = own_copies(folder)
    course = folder / "courses" / "intro-coproduction"
    assert "courses/intro-coproduction/00-course.ipynb" in made
    modules = sorted(p.name for p in course.glob("[0-9][0-9]-*.ipynb"))
    assert len(modules) == 11 and modules[0] == "00-course.ipynb"  # the overview and 10 modules
    first = course / modules[1]
    nb = nbformat.read(first, as_version=4)
    nbformat.validate(nb)
    assert any("course_preview import show" in c.source for c in nb.cells)
    nb.cells.append(nbformat.v4.new_markdown_cell("My own note for the group."))
    nbformat.write(nb, first)
    assert own_copies(folder) == []
    assert "My own note for the group." in first.read_text(encoding="utf-8")


def test_lab_is_told_its_folder_address_and_hook(tmp_path):
    argv = lab_argv(tmp_path, 9999, "127.0.0.1", False)
    assert f"--ServerApp.root_dir={tmp_path}" in argv
    assert "--ServerApp.open_browser=False" in argv and "--ServerApp.port_retries=0" in argv
    assert f"--FileContentsManager.pre_save_hook={HOOK}" in argv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_jupyter_dirs(under: Path) -> dict[str, str]:
    """Where a test's JupyterLab keeps its settings, workspaces and runtime files: under the
    test's own folder, never in the home folder of whoever runs the tests."""
    return {
        "JUPYTERLAB_SETTINGS_DIR": str(under / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(under / "lab-workspaces"),
        "JUPYTER_RUNTIME_DIR": str(under / "jupyter-runtime"),
    }


def start_lab(folder: Path, db: str, token: str, *extra: str) -> tuple[subprocess.Popen, str]:
    """A real `coprod lab` on loopback; its base URL once it answers."""
    port = free_port()
    env = {**os.environ, "JUPYTER_TOKEN": token, **private_jupyter_dirs(folder.parent)}
    env.pop("COPROD_DB", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coprod_widgets.cli",
            "--db",
            db,
            "lab",
            str(folder),
            "--no-browser",
            "--port",
            str(port),
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read() if proc.stdout else "coprod lab stopped")
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise AssertionError("coprod lab did not answer in 90 s")


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def test_a_real_coprod_lab_strips_what_it_saves(tmp_path, db_url):
    folder = tmp_path / "mine"
    token = "test-token-" + os.urandom(8).hex()
    proc, base = start_lab(folder, db_url, token)
    try:
        assert (folder / "self_assessment.ipynb").is_file()
        body = json.dumps(
            {"type": "notebook", "format": "json", "content": answered_notebook()}
        ).encode()
        req = urllib.request.Request(
            f"{base}/api/contents/saved.ipynb?token={token}", data=body, method="PUT"
        )
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status in (200, 201)
        text = (folder / "saved.ipynb").read_text(encoding="utf-8")
        assert "private evidence" not in text and '"outputs": []' in text
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30) as r:
            assert "JupyterLab" in r.read().decode()
    finally:
        out = stop(proc)
    assert "coprod lab: JupyterLab on" in out and "database: sqlite:///" in out
