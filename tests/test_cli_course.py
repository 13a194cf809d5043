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


def test_notebooks_are_written_then_kept_and_the_folder_said(capsys, tmp_path):
    out = tmp_path / "nb"
    assert main(["course", "notebooks", "intro-coproduction", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"in {out}:" in text
    assert "wrote     00-course.ipynb" in text and "wrote     10-closing-reflection.ipynb" in text
    assert len(list(out.glob("*.ipynb"))) == 11

    edited = out / "02-the-four-cos.ipynb"
    edited.write_text(edited.read_text(encoding="utf-8").replace("four", "4"), encoding="utf-8")
    mine = edited.read_text(encoding="utf-8")
    assert main(["course", "notebooks", "intro-coproduction", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "wrote" not in text and "current   01-what-is-co-production.ipynb" in text
    assert "kept      02-the-four-cos.ipynb: edited here" in text and "--force" in text
    assert edited.read_text(encoding="utf-8") == mine

    assert main(["course", "notebooks", "intro-coproduction", "-o", str(out), "--force"]) == 0
    assert "wrote     02-the-four-cos.ipynb" in capsys.readouterr().out
    assert edited.read_text(encoding="utf-8") != mine


def test_notebooks_go_to_coprod_labs_folder_by_default(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["course", "notebooks", str(ROOT / "tests/data/courses/good-course")]) == 0
    folder = tmp_path / "coprod-workbooks" / "courses" / "good-course"
    assert f"in {folder}:" in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == ["00-course.ipynb", "01-only.ipynb"]


def test_notebooks_of_a_broken_course_exit_2_listing_file_and_line(capsys, tmp_path):
    broken = ROOT / "tests/data/courses/broken-course"
    out = tmp_path / "nb"
    assert main(["course", "notebooks", str(broken), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no notebook was written" in err
    assert f"{broken}/first.md:14: exercises[0].kind:" in err
    assert not out.exists()


def test_notebooks_of_an_unknown_course_exit_2(capsys, tmp_path):
    assert main(["course", "notebooks", "no-such-course", "-o", str(tmp_path / "nb")]) == 2
    assert "no course folder or course id 'no-such-course'" in capsys.readouterr().err
    assert not (tmp_path / "nb").exists()
