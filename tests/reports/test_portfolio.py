"""Portfolios as files: the HTML page (escaped, self-contained, every answer and feedback in it),
the PDF read back with pdftotext, safe file names, and the batch over a real store."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from coprod_widgets.content.courses import load_course
from coprod_widgets.errors import InvalidInput, NotFound
from coprod_widgets.model.cohort import Cohort, Feedback, Portfolio
from coprod_widgets.model.course_progress import course_progress
from coprod_widgets.model.portfolio import compose
from coprod_widgets.reports.portfolio import (
    content_labels,
    export_portfolios,
    portfolio_filename,
    portfolio_html,
    portfolio_pdf,
)
from coprod_widgets.reports.printer import find_chromium
from coprod_widgets.style import css

from .cohort_helpers import XSS as PXSS
from .cohort_helpers import answer, fill_cohort

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "data" / "courses" / "intro-coproduction"
XSS = "<script>alert('x')</script> & <b>bold</b>"


@pytest.fixture(scope="module")
def course():
    return load_course(COURSE)


def _view(course, name=f"Ann {XSS}", answers=None, feedback=None):
    answers = (
        answers
        if answers is not None
        else {
            "own-definition": f"With people {XSS}\n\nSecond paragraph.",
            "course-reflection": {
                s: f"Stage {s} {XSS}" for s in course.exercise("course-reflection").parts
            },
            "tlap-today": "coercion",
            "principles-check": dict.fromkeys(course.exercise("principles-check").parts, 4),
            "gone-exercise": f"Old words {XSS}",
        }
    )
    feedback = (
        feedback
        if feedback is not None
        else {"own-definition": Feedback(f"Well put {XSS}", "2026-03-04 12:00:00")}
    )
    cohort = Cohort(
        2, f"Cohort {XSS}", course.id, course.version, "f" * 64, 3, "open", "2026-03-01"
    )
    p = Portfolio(
        cohort,
        course.title,
        name,
        answers,
        feedback,
        3700,
        "2026-03-02 08:00:00",
        course_progress(course, answers),
        "2026-04-01",
    )
    return compose(course, p, content_labels(course))


def _text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def test_the_page_escapes_every_piece_of_user_text(course):
    html = portfolio_html(_view(course))
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert html.count("&lt;script&gt;") >= 5  # name, cohort, answer, reflection, feedback, other
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("b") is None
    text = _text(html)
    for piece in (
        f"With people {XSS}",
        "Second paragraph.",
        f"Well put {XSS}",
        f"Old words {XSS}",
        f"Ann {XSS}",
        f"Cohort {XSS}",
    ):
        assert " ".join(piece.split()) in text, piece


def test_the_page_names_things_as_a_reader_needs_them(course):
    view = _view(course)
    soup = BeautifulSoup(portfolio_html(view), "html.parser")
    text = _text(str(soup))
    assert soup.h1.get_text() == f"Portfolio: {course.title}"
    heads = [h.get_text() for h in soup.find_all("h2")]
    assert heads[0] == "CPD record" and heads[-1] == "Other answers"
    assert heads[1:-1] == [f"Module {i}: {m.title}" for i, m in enumerate(course.modules, 1)]
    assert "Description Stage description" in text  # a reflection by the model's stage names
    assert "Coercion (step 1 of 7)" in text  # a ladder by its step
    assert "4 (Often)" in text  # a self-assessment with the scale's label
    assert "Time spent 1 hour 1 minute (1.02 hours)" in text
    assert "Trainer's feedback (2026-03-04)" in text
    assert text.count("Not answered yet.") == len(course.exercises) - 4
    assert soup.title.get_text() == f"Portfolio: {course.title}: Ann {XSS}"


def test_the_page_is_self_contained_and_prints(course):
    html = portfolio_html(_view(course))
    assert css("report").strip() in html  # the report stylesheet, on screen and on paper
    assert "@media print" in html and "@page" in html
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "link", "img", "iframe"])


@pytest.mark.parametrize(
    ("name", "pid", "expected"),
    [
        ("Ann Example", 7, "ann-example-7.pdf"),
        ("../../etc/passwd", 3, "etc-passwd-3.pdf"),
        ("a/b\\c", 4, "a-b-c-4.pdf"),
        ("Zoë O'Brien", 5, "zoe-o-brien-5.pdf"),
        ("..", 6, "participant-6.pdf"),
        ("李雷", 8, "participant-8.pdf"),
        ("x" * 300, 9, "x" * 40 + "-9.pdf"),
    ],
)
def test_file_names_are_safe(name, pid, expected):
    assert portfolio_filename(name, pid, "pdf") == expected


def _have_pdf_tools() -> bool:
    try:
        find_chromium()
    except Exception:
        return False
    return shutil.which("pdftotext") is not None


PDF_TOOLS = pytest.mark.skipif(
    not _have_pdf_tools(),
    reason="needs Chromium and pdftotext: apt-get install chromium poppler-utils",
)


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@PDF_TOOLS
def test_the_pdf_reads_back_with_the_answers_and_feedback(course, tmp_path):
    data = portfolio_pdf(_view(course))
    assert data.startswith(b"%PDF")
    (tmp_path / "p.pdf").write_bytes(data)
    text = pdf_text(tmp_path / "p.pdf")
    assert f"With people {XSS}" in text
    assert f"Well put {XSS}" in text
    assert "CPD record" in text and "Coercion (step 1 of 7)" in text


# -- the batch over a real store ------------------------------------------------------------


@pytest.fixture
def cohort30(store):
    return fill_cohort(store, 30)


def _index(store, cid) -> dict[int, int]:
    """Participant id -> the number fill_cohort gave them (from their name)."""
    return {r.id: int(r.name.split()[1]) for r in store.cohorts.roster(cid)}


def _expected(c, i: int, last: bool) -> list[str]:
    """Participant i's written answers, as text a reader sees."""
    exercises = c.modules[0].exercises if last else c.exercises
    out = []
    for e in exercises:
        a = answer(e, i)
        out += list(a.values()) if e.kind == "reflection" else [a] if e.kind == "text" else []
    return out


def test_a_batch_of_30_html_portfolios_each_with_its_own_answers(store, cohort30, tmp_path):
    cid, ids, c = cohort30
    calls = []
    out = tmp_path / "out"
    out.mkdir()
    paths = export_portfolios(store, cid, out, "html", progress=lambda *a: calls.append(a))
    assert len(paths) == 30 and sorted(p.parent for p in paths) == [out] * 30
    assert [(d, t) for d, t, _ in calls] == [(n, 30) for n in range(1, 31)]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    index = _index(store, cid)
    for path in paths:
        assert re.fullmatch(r"participant-\d\d(-script-alert-p-script-b-c)?-\d+\.html", path.name)
        pid = int(path.stem.rsplit("-", 1)[1])
        html = path.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find("script") is None and soup.find("b") is None
        text = _text(html)
        i = index[pid]
        for said in [*_expected(c, i, i == 29), f"Feedback {pid}: {PXSS}"]:
            assert " ".join(said.split()) in text, (path.name, said)
        others = [f"P{j} on own-definition" for j in range(30) if j != i]
        assert not any(o + ":" in text for o in others)  # no one else's work
    last = next(p for p in paths if index[int(p.stem.rsplit("-", 1)[1])] == 29)
    assert "Not answered yet." in _text(last.read_text(encoding="utf-8"))


def test_one_participant_and_a_bad_one(store, cohort30, tmp_path):
    cid, ids, _ = cohort30
    (one,) = export_portfolios(store, cid, tmp_path / ".", "html", [ids[4]])
    assert one.name.endswith(f"-{ids[4]}.html")
    out = tmp_path / "bad"
    out.mkdir()
    with pytest.raises(NotFound, match=rf"no participant 9999.*{ids[0]} \(Participant"):
        export_portfolios(store, cid, out, "html", [ids[0], 9999])
    with pytest.raises(NotFound):
        export_portfolios(store, cid + 100, out, "html")
    with pytest.raises(InvalidInput, match="format"):
        export_portfolios(store, cid, out, "docx")
    with pytest.raises(InvalidInput, match="does not exist"):
        export_portfolios(store, cid, out / "missing", "html")
    assert list(out.iterdir()) == []  # nothing written, not even a part file


@PDF_TOOLS
def test_a_batch_of_30_pdf_portfolios_read_back(store, cohort30, tmp_path):
    cid, ids, c = cohort30
    paths = export_portfolios(store, cid, tmp_path, "pdf")
    assert len(paths) == 30
    index = _index(store, cid)
    for path in paths:
        assert path.read_bytes().startswith(b"%PDF")
        pid = int(path.stem.rsplit("-", 1)[1])
        text = pdf_text(path)
        i = index[pid]
        assert f"Feedback {pid}: {PXSS}" in text, path.name
        for said in _expected(c, i, i == 29)[:3]:
            assert " ".join(said.split()) in text, (path.name, said)
        assert "CPD record" in text
