"""A course as notebooks: the shipped course's are valid, in module order, with the trainer's
prose and one import-and-call cell per exercise; an edited notebook is never replaced (unless
forced); a broken course lists its problems and writes nothing."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pytest

from coprod_widgets.content.course_notebooks import (
    OVERVIEW,
    PREVIEW_IMPORT,
    course_notebooks,
    course_ref,
    write_course_notebooks,
)
from coprod_widgets.content.courses import load_course
from coprod_widgets.content.validation import ContentError
from coprod_widgets.errors import CoprodError
from coprod_widgets.model.course import Exercise

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "data" / "courses" / "intro-coproduction"
BROKEN = REPO / "tests" / "data" / "courses" / "broken-course"
GOOD = REPO / "tests" / "data" / "courses" / "good-course"


@pytest.fixture(scope="module")
def course():
    return load_course(SHIPPED)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("notebooks")
    return out, course_notebooks(SHIPPED, out)


def _call(cell) -> tuple[str, str]:
    """The (course, exercise id) a preview cell shows; fails unless the cell is exactly one
    import of ``show`` and one call of it with two plain strings."""
    tree = ast.parse(cell.source)
    assert len(tree.body) == 2, cell.source
    imp, call = tree.body
    assert ast.unparse(imp) == PREVIEW_IMPORT
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call), cell.source
    assert ast.unparse(call.value.func) == "show" and not call.value.keywords
    course_arg, exercise_arg = (ast.literal_eval(a) for a in call.value.args)
    return course_arg, exercise_arg


def test_the_shipped_course_is_an_overview_then_a_notebook_per_module_in_order(written, course):
    out, paths = written
    names = [p.name for p in paths]
    expected = [f"{i:02d}-{m.id}.ipynb" for i, m in enumerate(course.modules, start=1)]
    assert names == [OVERVIEW, *expected]
    assert sorted(p.name for p in out.iterdir()) == names  # nothing else in the folder
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


def test_each_module_holds_its_prose_as_written_and_a_call_per_exercise(written, course):
    _, paths = written
    for module, path in zip(course.modules, paths[1:], strict=True):
        cells = nbformat.read(path, as_version=4).cells
        assert cells[0].cell_type == "markdown" and module.title in cells[0].source
        assert "not saved anywhere" in cells[0].source
        body = cells[1:-1]  # between the heading and the sources
        assert len(body) == len(module.blocks)
        for block, cell in zip(module.blocks, body, strict=True):
            if isinstance(block, Exercise):
                assert cell.cell_type == "code"
                assert _call(cell) == ("intro-coproduction", block.id)
            else:
                assert cell.cell_type == "markdown" and cell.source.strip() == block.strip()
        assert cells[-1].source.startswith("## Sources for this module")
        assert all(s.title in cells[-1].source for s in module.sources)


def test_every_exercise_of_the_course_appears_once_as_a_call_in_order(written, course):
    _, paths = written
    shown = [
        _call(cell)[1]
        for path in paths
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
    ]
    assert shown == [e.id for e in course.exercises]
    assert len(shown) == 27


def test_the_overview_names_the_course_and_links_each_module(written, course):
    _, paths = written
    text = "\n".join(c.source for c in nbformat.read(paths[0], as_version=4).cells)
    for needed in (course.title, course.summary, course.audience, f"{course.minutes} minutes"):
        assert needed in text
    for path, module in zip(paths[1:], course.modules, strict=True):
        assert f"[{module.title}]({path.name})" in text
    assert all(s.title in text for s in course.sources)
    assert "not saved anywhere" in text


def test_a_second_run_writes_nothing_and_an_edited_notebook_is_kept(tmp_path):
    first = write_course_notebooks(SHIPPED, tmp_path)
    assert len(first.written) == 11 and not first.kept
    again = write_course_notebooks(SHIPPED, tmp_path)
    assert again.written == () and len(again.unchanged) == 11

    edited = tmp_path / "03-who-benefits.ipynb"
    nb = nbformat.read(edited, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("My own note for Tuesday's group."))
    nbformat.write(nb, edited)
    mine = edited.read_bytes()
    theirs = tmp_path / "04-six-areas-of-benefit.ipynb"
    theirs.write_text("not a notebook the course wrote", encoding="utf-8")

    done = write_course_notebooks(SHIPPED, tmp_path)
    assert set(done.kept) == {edited, theirs} and done.written == ()
    assert edited.read_bytes() == mine
    assert theirs.read_text(encoding="utf-8") == "not a notebook the course wrote"

    forced = write_course_notebooks(SHIPPED, tmp_path, force=True)
    assert set(forced.written) == {edited, theirs}
    assert "My own note" not in edited.read_text(encoding="utf-8")


def test_a_notebook_not_edited_follows_the_course_when_it_changes(tmp_path):
    folder = tmp_path / "good-course"
    shutil.copytree(GOOD, folder)
    out = tmp_path / "out"
    write_course_notebooks(folder, out)
    module = folder / "only.md"
    module.write_text(
        module.read_text(encoding="utf-8") + "\nA paragraph added later.\n", encoding="utf-8"
    )
    done = write_course_notebooks(folder, out)
    assert [p.name for p in done.written] == ["01-only.ipynb"]
    assert "A paragraph added later." in (out / "01-only.ipynb").read_text(encoding="utf-8")


def test_a_course_outside_the_library_is_named_by_its_folder(tmp_path):
    folder = tmp_path / "good-course"
    shutil.copytree(GOOD, folder)
    assert course_ref(load_course(SHIPPED), SHIPPED) == "intro-coproduction"
    assert course_ref(load_course(folder), folder) == str(folder.resolve())
    paths = course_notebooks(folder / "course.yaml", tmp_path / "out")
    calls = [
        _call(c)
        for p in paths
        for c in nbformat.read(p, as_version=4).cells
        if c.cell_type == "code"
    ]
    assert calls and {ref for ref, _ in calls} == {str(folder.resolve())}


def test_a_broken_course_lists_its_problems_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ContentError) as e:
        course_notebooks(BROKEN, out)
    problems = [str(p) for p in e.value.problems]
    assert f"{BROKEN}/first.md:14: exercises[0].kind: " in "\n".join(problems)
    assert not out.exists()


def test_an_unknown_course_or_a_file_for_a_folder_is_refused(tmp_path):
    with pytest.raises(CoprodError, match="no course folder or course id 'no-such-course'"):
        course_notebooks("no-such-course", tmp_path / "out")
    with pytest.raises(CoprodError, match="no such course folder"):
        course_notebooks(tmp_path / "missing" / "folder", tmp_path / "out")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(CoprodError, match="is a file, not a folder"):
        course_notebooks(SHIPPED, tmp_path / "file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
