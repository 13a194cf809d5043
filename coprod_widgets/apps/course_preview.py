"""A course's exercises in preview, for a trainer reading or adapting the course in JupyterLab
(the notebooks of ``content/course_notebooks.py`` call ``show`` once per exercise).

The same widgets participants get, with the same ladders, models and frameworks, but in
preview: nothing typed here is saved anywhere (no store is opened), and each says so. A course
is named by its id in the library or by its folder; a course read once is kept while its files
are unchanged, so a module's cells do not each read the folder again.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as w

from ..errors import CoprodError
from ..style import style_tag
from ..widgets.course_exercise import ExerciseWidget, PlannerExercise, exercise_widget
from .common import safely
from .course_participant_parts import References, module_head_html, prose_html, sources_html

if TYPE_CHECKING:
    from ..model.course import Course, Exercise

__all__ = ["PREVIEW_NOTE", "load", "show", "show_module"]

PREVIEW_NOTE = (
    "Preview: this is the exercise as participants get it. Answers typed here are not saved "
    "anywhere."
)
PLACEHOLDER = "Try it here: in the preview nothing is saved."
_courses: dict[Path, tuple[tuple[tuple[str, int, int], ...], Course]] = {}
_refs = References()


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(f for f in folder.iterdir() if f.suffix in (".md", ".yaml", ".yml"))
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)


def load(course: str | Path) -> Course:
    """The course named by its id or folder; CoprodError saying what is wrong (every problem
    of a broken course, with its file and line)."""
    from ..content.course_notebooks import course_folder
    from ..content.courses import load_course
    from ..content.validation import ContentError

    folder = course_folder(course).resolve()
    stamp = _stamp(folder)
    kept = _courses.get(folder)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    try:
        loaded = load_course(folder)
    except ContentError as e:
        n = len(e.problems)
        listed = "; ".join(str(p) for p in e.problems[:5])
        more = f"; and {n - 5} more" if n > 5 else ""
        raise CoprodError(
            f"the course in {folder} has {n} problem{'s' if n != 1 else ''} "
            f"(coprod course validate {folder} lists them all): {listed}{more}"
        ) from None
    _courses[folder] = (stamp, loaded)
    return loaded


def preview_widget(ex: Exercise) -> ExerciseWidget:
    """The participants' widget for ``ex``, saying it is a preview and saving nothing."""
    widget = exercise_widget(ex, None, **_refs.for_exercise(ex))
    for box in widget.text_boxes().values():
        if "saved" in box.placeholder:
            box.placeholder = PLACEHOLDER
    if isinstance(widget, PlannerExercise):
        widget.on_make(_no_plan)
    return widget


def _no_plan(widget: PlannerExercise) -> None:
    widget.note.message = (
        "In the course this button makes the participant's own plan; the preview makes none."
    )


def _note() -> w.HTML:
    note = w.HTML(f"<p class='coprod-notice' role='note'><em>{escape(PREVIEW_NOTE)}</em></p>")
    note.add_class("coprod-preview-note")
    return note


def _page(children: list[w.Widget]) -> w.VBox:
    box = w.VBox([w.HTML(style_tag("course")), *children])
    box.add_class("coprod-app")
    return box


def show(course: str | Path, exercise_id: str) -> w.Widget:
    """One exercise of ``course`` (an id of the library or a course folder), in preview."""

    def build() -> w.Widget:
        c = load(course)
        try:
            ex = c.exercise(exercise_id)
        except KeyError:
            known = ", ".join(e.id for e in c.exercises)
            raise CoprodError(
                f"the course {c.title!r} has no exercise {exercise_id!r} (its exercises: {known})"
            ) from None
        return _page([_note(), preview_widget(ex)])

    return safely(build)


def show_module(course: str | Path, module_id: str) -> w.Widget:
    """One module of ``course``, as participants read it (prose, exercises, sources), in
    preview."""

    def build() -> w.Widget:
        c = load(course)
        ids = [m.id for m in c.modules]
        if module_id not in ids:
            raise CoprodError(
                f"the course {c.title!r} has no module {module_id!r} "
                f"(its modules: {', '.join(ids)})"
            )
        index = ids.index(module_id)
        m = c.modules[index]
        children: list[w.Widget] = [w.HTML(module_head_html(m, index + 1)), _note()]
        for block in m.blocks:
            children.append(
                w.HTML(prose_html(block)) if isinstance(block, str) else preview_widget(block)
            )
        children.append(w.HTML(sources_html(m)))
        return _page(children)

    return safely(build)
