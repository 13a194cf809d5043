"""`coprod plan ...` and `coprod export plan ...`, called in-process."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from coprod_widgets.cli import main
from coprod_widgets.store import Store

XSS = "<script>alert(1)</script>"


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'x.sqlite'}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_plan_new_prints_the_private_link(capsys, db):
    rc, out, _ = run(
        capsys, "--db", db, "plan", "new", "--title", "Drop-in", "--url", "http://h:1/"
    )
    assert rc == 0
    code = re.search(r"http://h:1/voila/render/planner\.ipynb\?plan=(\S+)", out).group(1)
    s = Store(db)
    try:
        assert s.plans.by_code(code).title == "Drop-in"
    finally:
        s.close()
    rc, out, _ = run(capsys, "--db", db, "plan", "list")
    assert rc == 0 and "Drop-in" in out and code in out


def test_plan_new_shows_how_to_export_even_a_code_starting_with_a_dash(capsys, db, monkeypatch):
    import coprod_widgets.store.db as store_module

    monkeypatch.setattr(store_module, "new_code", lambda: "-starts-with-a-dash-0123")
    rc, out, _ = run(capsys, "--db", db, "plan", "new", "--title", "Dash")
    assert "coprod export plan --plan=-starts-with-a-dash-0123 -o plan.html" in out
    rc, _, err = run(
        capsys,
        "--db",
        db,
        "export",
        "plan",
        "--plan=-starts-with-a-dash-0123",
        "-o",
        "/nonexistent/x.html",
    )
    assert rc == 2 and "does not exist" in err  # the code was read as the code


def test_plan_list_when_there_are_none(capsys, db):
    rc, out, _ = run(capsys, "--db", db, "plan", "list")
    assert rc == 0 and "No plans yet" in out


@pytest.fixture
def plan(db):
    s = Store(db)
    _, code = s.plans.create("Riverside drop-in")
    s.plans.save_field(code, "purpose.decision", f"Who runs it {XSS}")
    s.plans.save_fields(
        code,
        {
            "budget.0a1b2c3d.kind": "payment",
            "budget.0a1b2c3d.stage": "co-design",
            "budget.0a1b2c3d.people": "6",
            "budget.0a1b2c3d.sessions": "4",
            "budget.0a1b2c3d.hours": "2.5",
            "budget.0a1b2c3d.rate": "25.50",
        },
    )
    s.close()
    return code


def test_export_plan_to_html_writes_the_plan_with_text_escaped(capsys, db, plan, tmp_path):
    out_file = tmp_path / "plan.html"
    rc, out, err = run(capsys, "--db", db, "export", "plan", f"--plan={plan}", "-o", str(out_file))
    assert rc == 0, err
    assert "written to" in out and "(HTML)" in out
    html = out_file.read_text(encoding="utf-8")
    assert "Riverside drop-in: co-production plan" in html
    assert "Who runs it &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert XSS not in html
    assert "£1,530.00" in html
    assert "Payments can affect people" in html  # the note beside payments


def test_export_plan_unknown_code_writes_nothing(capsys, db, tmp_path):
    out_file = tmp_path / "plan.html"
    rc, _, err = run(capsys, "--db", db, "export", "plan", "--plan=nope", "-o", str(out_file))
    assert rc == 2 and "this plan link is not recognised" in err
    assert not out_file.exists()


def test_export_plan_needs_a_format(capsys, db, plan, tmp_path):
    rc, _, err = run(
        capsys, "--db", db, "export", "plan", f"--plan={plan}", "-o", str(tmp_path / "p")
    )
    assert rc == 2 and "--to html or --to pdf" in err


def test_export_plan_to_pdf(capsys, db, plan, tmp_path):
    from coprod_widgets.reports.export import BrowserMissing, find_chromium

    try:
        find_chromium()
    except BrowserMissing:
        pytest.skip("no Chromium to print a PDF with")
    out_file = tmp_path / "plan.pdf"
    rc, _, err = run(
        capsys, "--db", db, "export", "plan", f"--plan={plan}", "--to", "pdf", "-o", str(out_file)
    )
    assert rc == 0, err
    data = out_file.read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(out_file), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Riverside drop-in" in text and XSS in text  # shown as text, not run
