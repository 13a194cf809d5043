"""`coprod lab`: JupyterLab on a folder of one's own copies of the workbooks, on the same store.

The folder (``~/coprod-workbooks`` unless named) gets a copy of each registered workbook and
of the examples the first time each is missing; a copy already there is the person's own and is
never overwritten. JupyterLab's kernels inherit ``COPROD_DB``, the database of `coprod serve`
(``--db``, else ``$COPROD_DB``, else the SQLite file in the data folder), so a rating given in
Lab is the same rating the served page shows.

Nothing a person answers is ever written into a notebook file: ``strip_outputs`` is Lab's
``FileContentsManager.pre_save_hook``, and clears every code cell's outputs and the saved widget
state (which holds the values typed into the widgets) before a notebook is saved.

Only the standard library at import: JupyterLab's server imports this module for the hook.
"""

from __future__ import annotations

import argparse
import os

from .common import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

HOOK = "coprod_widgets.cli.lab.strip_outputs"
# Metadata a save must not keep: widget state (the answers typed), run times, trust signature.
NOTEBOOK_KEYS = ("widgets", "signature")
CELL_KEYS = ("execution", "ExecuteTime", "collapsed", "scrolled")


def strip_outputs(model: dict[str, object], **_kwargs: object) -> None:
    """A notebook about to be saved loses its outputs, execution counts and widget state (a
    ``pre_save_hook``; any other file is left as it is)."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb: dict[str, object] = model["content"]  # type: ignore[assignment]
    meta = nb.get("metadata")
    if isinstance(meta, dict):
        for key in NOTEBOOK_KEYS:
            meta.pop(key, None)
    cells = nb.get("cells")
    for cell in cells if isinstance(cells, list) else ():
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cmeta = cell.get("metadata")
        if isinstance(cmeta, dict):
            for key in CELL_KEYS:
                cmeta.pop(key, None)


def default_folder() -> Path:
    from pathlib import Path

    return Path.home() / "coprod-workbooks"


def own_copies(folder: Path) -> list[str]:
    """Make ``folder`` and copy in each workbook and example it does not hold yet; the names of
    those copied (a copy already there is the person's own and is kept as it is)."""
    import shutil

    from ..paths import workbooks_dir
    from ..registry import notebook_text, workbooks

    source = workbooks_dir()
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for w in workbooks():
        target = folder / w.notebook
        if not target.exists():
            target.write_text(notebook_text(w, source), encoding="utf-8")
            made.append(w.notebook)
    examples = source / "examples"
    for nb in sorted(examples.glob("*.ipynb")) if examples.is_dir() else []:
        target = folder / "examples" / nb.name
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(nb, target)
            made.append(f"examples/{nb.name}")
    made += course_copies(folder / "courses")
    return made


def course_copies(folder: Path) -> list[str]:
    """Each course of the library as notebooks under ``folder/<course id>``, to read or adapt
    with the same exercise widgets: written the first time, brought up to date while nobody has
    edited them, and an edited one kept as it is (``content.course_notebooks``)."""
    from ..content.course_notebooks import write_course_notebooks
    from ..content.courses import CourseLibrary
    from ..errors import CoprodError

    made = []
    for course in CourseLibrary():
        try:
            done = write_course_notebooks(course.id, folder / course.id)
        except CoprodError as e:  # a course that cannot be written never stops Lab
            print(f"course {course.id}: not written as notebooks ({e})")
            continue
        made += [f"courses/{course.id}/{p.name}" for p in done.written]
    return made


def lab_argv(folder: Path, port: int, ip: str, open_browser: bool) -> list[str]:
    """JupyterLab's command line: on ``folder`` only, at this address, with the hook."""
    return [
        f"--ServerApp.root_dir={folder}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # a busy port is an error, never another port
        f"--ServerApp.ip={ip}",
        f"--ServerApp.open_browser={open_browser}",
        f"--FileContentsManager.pre_save_hook={HOOK}",
        # In a container one is often root; Jupyter refuses that unless told.
        *(["--ServerApp.allow_root=True"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
    ]


def cmd_lab(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import CoprodError
    from ..server.serve import check_port_free
    from ..store import Store
    from ..store.store import mask_db_urls

    folder = Path(args.folder).expanduser() if args.folder else default_folder()
    if folder.exists() and not folder.is_dir():
        raise CoprodError(f"{folder} is a file, not a folder: name a folder for the workbooks")
    check_port_free(args.ip, args.port)
    store = Store(args.db)
    if args.demo:
        from ..demo import ensure_demo

        links = ensure_demo(store)
        print(f"  demo round {links.round.id}: member code {links.member_code}", flush=True)
        print(f"  results code {links.facilitator_code}", flush=True)
    os.environ["COPROD_DB"] = store.url  # the kernels inherit it: the same store as the server
    made = own_copies(folder)
    print(f"coprod lab: JupyterLab on {folder}", flush=True)
    print(f"  database: {mask_db_urls(store.url)}", flush=True)
    if made:
        print(f"  copied in: {', '.join(made)}", flush=True)
    from jupyterlab.labapp import LabApp

    LabApp.launch_instance(argv=lab_argv(folder, args.port, args.ip, not args.no_browser))
    return 0


def add_lab(s: argparse.ArgumentParser) -> None:
    """`coprod lab`."""
    s.description = (
        "Open JupyterLab on a folder of your own copies of the workbooks (made the first time, "
        "never overwriting your edits) and the examples of the data API, with the same "
        "database as coprod serve. Outputs and widget state are cleared from a notebook when "
        "it is saved, so no answer is ever kept in a file. Stops with Ctrl+C."
    )
    s.epilog = "Examples: coprod lab; coprod lab ~/my-workbooks --demo"
    s.add_argument(
        "folder",
        nargs="?",
        help="the folder of your copies (default: coprod-workbooks in your home folder)",
    )
    s.add_argument("--port", type=int, default=8888, help="port to listen on (default 8888)")
    s.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: loopback)")
    s.add_argument("--no-browser", action="store_true", help="do not open a browser")
    s.add_argument("--demo", action="store_true", help="add a demo team and print its codes")
    s.set_defaults(func=cmd_lab)
