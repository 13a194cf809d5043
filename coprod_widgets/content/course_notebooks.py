"""A course as notebooks, for a trainer who wants to read or adapt it in JupyterLab.

One notebook per module, in the course's order (``01-<module id>.ipynb``, ...), and an overview,
``00-course.ipynb``: the module's prose as Markdown cells, as the trainer wrote it, and where an
exercise block is, a code cell of one import and one call that shows the exercise with the
widget participants get, in preview (``apps/course_preview.py``: nothing typed there is saved).

A notebook already in the folder is the trainer's once they have edited it, and is never
replaced (unless ``force``): each notebook written records a hash of its cells, so one that was
not edited since is brought up to date and one that was is kept as it is, and said so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CoprodError
from ..model.course import Course, CourseSource, Exercise, Module
from .courses import COURSE_FILE, course_dirs, load_course

__all__ = [
    "NotebooksWritten",
    "course_notebooks",
    "course_ref",
    "find_course",
    "notebooks_for",
    "write_course_notebooks",
]

PREVIEW_IMPORT = "from coprod_widgets.apps.course_preview import show"
OVERVIEW = "00-course.ipynb"
META = "coprod"
PREVIEW_LINE = (
    "The exercises are shown with the widgets participants get, in preview: **answers typed "
    "here are not saved anywhere.**"
)


@dataclass(frozen=True)
class NotebooksWritten:
    """What a run did: notebooks written (new or brought up to date), already current, and kept
    because the trainer edited them."""

    folder: Path
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    kept: tuple[Path, ...] = ()


# -- which course -----------------------------------------------------------------------------


def _library_folders(course_id: str) -> list[Path]:
    return [d / course_id for d in course_dirs() if (d / course_id / COURSE_FILE).is_file()]


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split(".") if x.isdigit())


def course_folder(course: str | Path) -> Path:
    """The folder of ``course``: a course folder (or its course.yaml), or the id of a course
    in the library (shipped or the user's own); CoprodError when it is neither."""
    p = Path(course).expanduser()
    if p.name == COURSE_FILE and p.is_file():
        return p.parent
    if p.is_dir():
        return p
    text = str(course)
    if "/" in text or "\\" in text or text.endswith((".yaml", ".yml")):
        raise CoprodError(f"{text}: no such course folder")
    found = _library_folders(text)
    if not found:
        known = sorted(
            {f.name for d in course_dirs() if d.is_dir() for f in d.iterdir() if f.is_dir()}
        )
        raise CoprodError(
            f"no course folder or course id {text!r} (courses: {', '.join(known) or 'none'})"
        )
    if len(found) > 1:  # the shipped one and the user's own: the newer version, as the library
        found.sort(key=lambda f: _version_key(load_course(f).version))
    return found[-1]


def find_course(course: str | Path) -> tuple[Course, Path]:
    """The course and its folder; ContentError listing every problem of a broken one."""
    folder = course_folder(course)
    return load_course(folder), folder


def course_ref(course: Course, folder: Path) -> str:
    """How a notebook names the course: its id when the folder is in the library (so the
    notebooks can move), else the folder's full path."""
    here = folder.resolve()
    if any(here == (d / course.id).resolve() for d in course_dirs()):
        return course.id
    return str(here)


# -- the notebooks ----------------------------------------------------------------------------


def _md(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text.strip() + "\n"}


def _call(ref: str, exercise: Exercise) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": f"{PREVIEW_IMPORT}\n\nshow({ref!r}, {exercise.id!r})",
    }


def _sources_md(sources: Iterable[CourseSource], heading: str) -> str:
    items = []
    for s in sources:
        title = f"[{s.title}]({s.url})" if s.url.startswith(("https://", "http://")) else s.title
        items.append(f"- {title}" + (f" {s.reference}" if s.reference else ""))
    return f"## {heading}\n\n" + "\n".join(items) if items else ""


def notebook_name(index: int, module: Module, count: int) -> str:
    return f"{index:0{max(2, len(str(count)))}d}-{module.id}.ipynb"


def _module_cells(course: Course, ref: str, index: int, module: Module) -> list[dict[str, Any]]:
    summary = f"\n\n{module.summary}" if module.summary else ""
    head = (
        f"# {index}. {module.title}\n\n*{course.title}, module {index} of "
        f"{len(course.modules)}: about {module.minutes} minutes.*{summary}\n\n> {PREVIEW_LINE}"
    )
    cells = [_md(head)]
    for block in module.blocks:
        cells.append(_md(block) if isinstance(block, str) else _call(ref, block))
    sources = _sources_md(module.sources, "Sources for this module")
    return [*cells, _md(sources)] if sources else cells


def _overview_cells(course: Course, folder: Path, names: list[str]) -> list[dict[str, Any]]:
    n_ex = len(course.exercises)
    head = (
        f"# {course.title}\n\n{course.summary}\n\n**For:** {course.audience}\n\n"
        f"**Time:** about {course.minutes} minutes, in {len(course.modules)} modules with "
        f"{n_ex} exercises. **Version:** {course.version}"
    )
    if course.attribution:
        head += f"\n\n*{course.attribution}*"
    rows = []
    for i, (m, name) in enumerate(zip(course.modules, names, strict=True), start=1):
        k = len(m.exercises)
        about = f" {m.summary}" if m.summary else ""
        rows.append(
            f"{i}. [{m.title}]({name}): about {m.minutes} minutes, "
            f"{k} exercise{'s' if k != 1 else ''}.{about}"
        )
    about = (
        "## About these notebooks\n\n"
        f"Written by `coprod course notebooks` from the course folder `{folder}`. The text of "
        "each module is the trainer's Markdown as it is in the folder. "
        f"{PREVIEW_LINE}\n\n"
        "To change the course participants take, edit the files in that folder, check them "
        "with `coprod course validate FOLDER`, then write these notebooks again: a notebook "
        "you have edited here is kept as it is."
    )
    cells = [_md(head), _md("## Modules\n\n" + "\n".join(rows))]
    sources = _sources_md(course.sources, "Sources")
    return [*cells, *([_md(sources)] if sources else []), _md(about)]


def _cells_hash(cells: Iterable[Any]) -> str:
    seen = [[c.get("cell_type", ""), _text(c.get("source", ""))] for c in cells]
    return hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode("utf-8")).hexdigest()


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _notebook(course: Course, cells: list[dict[str, Any]]) -> dict[str, Any]:
    for n, cell in enumerate(cells):
        cell["id"] = f"cell-{n:03d}"
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            META: {"course": course.key, "cells": _cells_hash(cells)},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebooks_for(course: Course, ref: str, folder: Path) -> dict[str, dict[str, Any]]:
    """Every notebook of the course by file name, the overview first, then the modules in
    order; ``ref`` is what the calls name the course by (``course_ref``)."""
    names = [notebook_name(i, m, len(course.modules)) for i, m in enumerate(course.modules, 1)]
    out = {OVERVIEW: _notebook(course, _overview_cells(course, folder, names))}
    for i, (m, name) in enumerate(zip(course.modules, names, strict=True), start=1):
        out[name] = _notebook(course, _module_cells(course, ref, i, m))
    return out


# -- writing them -----------------------------------------------------------------------------


def _state(path: Path, new_hash: str) -> str:
    """'new', 'current', 'stale' (written by us, not edited since) or 'edited'."""
    if not path.exists():
        return "new"
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        written = nb["metadata"][META]["cells"]
        now = _cells_hash(nb["cells"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "edited"  # not ours, or not readable as ours: the trainer's
    if now != written:
        return "edited"
    return "current" if now == new_hash else "stale"


def write_course_notebooks(
    course: str | Path, out_dir: str | Path, *, force: bool = False
) -> NotebooksWritten:
    """Write the course's notebooks into ``out_dir`` (made if needed). A broken course raises
    ContentError with every problem and writes nothing; an edited notebook is kept unless
    ``force``."""
    loaded, folder = find_course(course)
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise CoprodError(f"{out} is a file, not a folder: name a folder for the notebooks")
    notebooks = notebooks_for(loaded, course_ref(loaded, folder), folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    unchanged: list[Path] = []
    kept: list[Path] = []
    for name, nb in notebooks.items():
        path = out / name
        state = _state(path, nb["metadata"][META]["cells"])
        if state == "current":
            unchanged.append(path)
            continue
        if state == "edited" and not force:
            kept.append(path)
            continue
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return NotebooksWritten(out, tuple(written), tuple(unchanged), tuple(kept))


def course_notebooks(
    course_dir: str | Path, out_dir: str | Path, *, force: bool = False
) -> list[Path]:
    """The notebooks written into ``out_dir`` for the course in ``course_dir`` (a folder, or a
    course id of the library); see ``write_course_notebooks``."""
    return list(write_course_notebooks(course_dir, out_dir, force=force).written)
