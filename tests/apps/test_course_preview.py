"""A course's exercises in preview, as a trainer sees them in JupyterLab: the participants'
widgets, saying nothing is saved and opening no store; a bad id or a broken course is a
message in the output; and a module's notebook runs headless in a real kernel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from html import escape
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coprod_widgets.apps import course_preview
from coprod_widgets.apps.course_preview import PLACEHOLDER, PREVIEW_NOTE, show, show_module
from coprod_widgets.content.course_notebooks import course_notebooks
from coprod_widgets.content.courses import load_course
from coprod_widgets.model.course_progress import is_answered
from coprod_widgets.widgets.course_exercise import (
    ExerciseWidget,
    PlannerExercise,
    ReflectionExercise,
    TextExercise,
)

from .tree import find_button, page_text

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "data" / "courses" / "intro-coproduction"
GOOD = REPO / "tests" / "data" / "courses" / "good-course"
BROKEN = REPO / "tests" / "data" / "courses" / "broken-course"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def course():
    return load_course(SHIPPED)


def _exercises(widget) -> list[ExerciseWidget]:
    if isinstance(widget, ExerciseWidget):
        return [widget]
    return [e for child in getattr(widget, "children", ()) for e in _exercises(child)]


def test_every_exercise_of_the_course_shows_with_its_widget_and_the_preview_note(course):
    for ex in course.exercises:
        page = show("intro-coproduction", ex.id)
        [widget] = _exercises(page)
        assert widget.exercise_id == ex.id and not is_answered(ex, widget.value), ex.id
        assert PREVIEW_NOTE in page_text(page)
        assert "Something" not in page_text(page)


def test_typing_says_nothing_about_saving():
    page = show("intro-coproduction", "own-definition")
    [widget] = _exercises(page)
    assert isinstance(widget, TextExercise)
    assert widget.box.placeholder == PLACEHOLDER
    widget.box.value = "Working with people, not for them."
    assert widget.value == "Working with people, not for them."
    assert "Saved" not in page_text(page)


def test_the_planner_makes_no_plan_and_says_so():
    page = show("intro-coproduction", "plan-day-centre")
    [widget] = _exercises(page)
    assert isinstance(widget, PlannerExercise)
    find_button(page, "Make my plan for this").click()
    assert widget.value == ""
    assert "the preview makes none" in widget.note.value


def test_the_reflection_has_its_models_stages():
    [widget] = _exercises(show("intro-coproduction", "course-reflection"))
    assert isinstance(widget, ReflectionExercise) and len(widget.areas) >= 3


def test_a_module_shows_its_prose_exercises_and_sources_in_order(course):
    module = course.modules[7]
    page = show_module(SHIPPED, module.id)
    assert [w.exercise_id for w in _exercises(page)] == [e.id for e in module.exercises]
    text = page_text(page)
    assert module.title in text and PREVIEW_NOTE in text
    assert "Sources for this module" in text


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (lambda: show("intro-coproduction", "no-such-exercise"), "no exercise 'no-such-exercise'"),
        (
            lambda: show("no-such-course", "own-definition"),
            "course folder or course id 'no-such-course'",
        ),
        (lambda: show_module("intro-coproduction", "nope"), "no module 'nope'"),
        (lambda: show(BROKEN, "x"), f"{BROKEN}/first.md:14: exercises[0].kind"),
    ],
    ids=["exercise", "course", "module", "broken-folder"],
)
def test_a_bad_id_or_a_broken_course_is_a_message_not_a_traceback(call, said):
    page = call()
    text = page_text(page)
    assert "Something needs attention" in text and escape(said) in text
    assert "Traceback" not in text and not _exercises(page)


def test_a_course_is_read_once_until_its_files_change(tmp_path):
    folder = tmp_path / "good-course"
    shutil.copytree(GOOD, folder)
    first = course_preview.load(folder)
    assert course_preview.load(folder) is first
    module = folder / "only.md"
    module.write_text(module.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    os.utime(module, ns=(1, 1))  # a different time, even on a coarse clock
    assert course_preview.load(folder) is not first


def test_the_preview_opens_no_store():
    """In a fresh interpreter: show every exercise; no database code is ever imported."""
    code = textwrap.dedent(
        """
        import json, sys
        from coprod_widgets.apps.course_preview import show
        from coprod_widgets.content.courses import load_course
        c = load_course("data/courses/intro-coproduction")
        for e in c.exercises:
            show(c.id, e.id)
        ports = {"coprod_widgets.store", "coprod_widgets.store.ports",
                 "coprod_widgets.store.cohort_ports"}  # the port types only, no database
        print(json.dumps(sorted(m for m in sys.modules if m.startswith((
              "coprod_widgets.store", "sqlalchemy", "sqlite3")) and m not in ports)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_a_module_notebook_runs_headless_and_shows_its_widgets(tmp_path, course):
    paths = course_notebooks(SHIPPED, tmp_path)
    module = course.modules[9]  # the closing reflection: reflection, rating, self-assessment
    nb = nbformat.read(paths[10], as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == len(module.exercises)
    for cell in code:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.outputs
        assert any(WIDGET_VIEW in o.get("data", {}) for o in cell.outputs)
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert "not saved anywhere" in state and "Traceback" not in state
    assert all(json.dumps(escape(e.prompt))[1:-1] in state for e in module.exercises)
