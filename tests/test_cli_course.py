"""`coprod course validate`: a trainer's course folder checked from the command line."""

from __future__ import annotations

from pathlib import Path

from coprod_widgets.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_course_is_ok(capsys):
    assert main(["course", "validate", str(ROOT / "data/courses/intro-coproduction")]) == 0
    out = capsys.readouterr().out
    assert "ok: intro-coproduction@" in out and "modules" in out


def test_a_broken_course_names_file_line_and_field_and_exits_1(capsys):
    broken = ROOT / "tests/data/courses/broken-course"
    assert main(["course", "validate", str(broken / "course.yaml")]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out
    assert f"{broken}/first.md:14: exercises[0].kind:" in out
    assert "'essay'" in out
