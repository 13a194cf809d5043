"""Portfolios as files: the HTML page (escaped, self-contained, every answer and feedback in it),
the PDF read back with pdftotext, safe file names, and the batch over a real store."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from coprod_widgets.content.courses import load_course
from coprod_widgets.model.cohort import Cohort, Feedback, Portfolio
from coprod_widgets.model.course_progress import course_progress
from coprod_widgets.model.portfolio import compose
from coprod_widgets.reports.portfolio import (
    content_labels,
    portfolio_filename,
    portfolio_html,
    portfolio_pdf,
)
from coprod_widgets.reports.printer import find_chromium
from coprod_widgets.style import css

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
