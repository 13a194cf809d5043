"""The report route: the notebook run in this process and in a kernel, HTML and PDF, the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time

import nbformat
import pytest
from nbclient import NotebookClient

from coprod_widgets.cli import main
from coprod_widgets.errors import InvalidInput, NotFound
from coprod_widgets.reports import export, printer
from coprod_widgets.reports.export import (
    BrowserMissing,
    ReportFailed,
    export_report,
    find_chromium,
    inject_parameters,
    read_notebook,
    report_path,
    run_notebook,
    to_html,
)

from .report_helpers import XSS, XSS_ESCAPED, text_of

TEAM_REPORT = report_path("team_report")


def html_outputs(nb) -> list[str]:
    return [
        o["data"]["text/html"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "text/html" in o.get("data", {})
    ]


def needs_chromium() -> None:
    try:
        find_chromium()
    except BrowserMissing:
        pytest.skip(
            "Chromium not found: install it with `sudo apt-get install chromium` "
            "(or set COPROD_CHROMIUM) to test PDF reports"
        )


# -- the notebook ---------------------------------------------------------------------------


def test_report_notebook_is_thin_and_stripped():
    nb = nbformat.read(TEAM_REPORT, as_version=4)  # validates against the schema too
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.tags
    assert "round_id = None" in code[0].source and "db = None" in code[0].source
    body = [ln for ln in code[1].source.splitlines() if ln.strip() and not ln.startswith("#")]
    assert body == [
        "from coprod_widgets.reports.team import team_report",
        "team_report(round_id, db)",
    ]


def test_parameters_are_injected_after_the_parameters_cell():
    nb = inject_parameters(read_notebook(TEAM_REPORT), {"round_id": 5, "db": "sqlite:///x"})
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert tags[:2] == [["parameters"], ["injected-parameters"]]
    assert "round_id = 5\ndb = 'sqlite:///x'\n" in nb.cells[1].source
    again = inject_parameters(nb, {"round_id": 6})  # injecting twice replaces, as papermill does
    assert sum("injected-parameters" in c.metadata.get("tags", []) for c in again.cells) == 1
    nbformat.validate(again)


def test_parameters_must_be_plain_values(tmp_path):
    with pytest.raises(InvalidInput, match="db: a report parameter must be a plain value"):
        inject_parameters(read_notebook(TEAM_REPORT), {"db": tmp_path})


def test_in_process_and_kernel_give_the_same_report(store, named):
    params = {"round_id": named.round.id, "db": store.url}
    ours = run_notebook(TEAM_REPORT, params)
    theirs = inject_parameters(read_notebook(TEAM_REPORT), params)
    NotebookClient(theirs, timeout=120, kernel_name="python3").execute()
    [a], [b] = html_outputs(ours), html_outputs(theirs)
    assert "Ward &lt;script&gt;" in a
    assert text_of(a) == text_of(b)  # SVG clip-path ids differ from run to run; the text may not
    [result] = [o for o in ours.cells[-1].outputs]
    assert result.output_type == "execute_result" and result.execution_count == 3
    assert result.data["text/plain"] == f"Team report: {named.round.team}, round {named.round.id}"


def test_a_coprod_error_comes_out_unchanged(store):
    with pytest.raises(NotFound, match="^there is no round 7$"):
        run_notebook(TEAM_REPORT, {"round_id": 7, "db": store.url})


def test_a_failing_cell_says_where(tmp_path):
    nb = read_notebook(TEAM_REPORT)
    nb.cells[1].source = "x = 1\n1 / 0"
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps(nb))
    with pytest.raises(ReportFailed, match="broken failed in cell 2: ZeroDivisionError"):
        run_notebook(path, {"round_id": 1})


def test_unknown_report_and_format():
    with pytest.raises(NotFound, match="no report called 'nope'"):
        report_path("nope")
    with pytest.raises(NotFound):
        report_path("../team_report")
    with pytest.raises(InvalidInput, match="expected html or pdf"):
        export_report("team_report", {}, "docx")


# -- HTML -----------------------------------------------------------------------------------


def test_html_is_a_clean_page(store, named, small_framework):
    html = export_report("team_report", {"round_id": named.round.id, "db": store.url}, "html")
    html = html.decode("utf-8")
    text = text_of(html)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html and "<title>Team report</title>" in html
    assert "<main" in html and "</main>" in html
    assert "Ward <script>alert('team')</script> 7: team report" in text
    for p in small_framework.principles:
        assert p.title in text
    assert "median 3.0" in text and "median 2.0" in text
    # outputs only: no code, no prompts, no script, nothing fetched from elsewhere
    assert "team_report(round_id" not in html and "import" not in text
    assert "jp-InputArea" not in html and "In&nbsp;[" not in html and "Out[" not in html
    assert "<script" not in html and "require.js" not in html and "mathjax" not in html.lower()
    assert 'src="http' not in html and 'href="http' not in html and "@import" not in html
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert len(svgs) == 2
    assert all('role="img"' in s and 'aria-label="' in s for s in svgs)
    # each chart has its table beside it
    assert "<caption>Results per principle</caption>" in html
    assert "<caption>Number of ratings on each point of the scale</caption>" in html
    assert "@media print" in html and "break-inside: avoid" in html
    # user text escaped
    assert "<img src=x" not in html and XSS_ESCAPED in html
    assert "<script>alert" not in html


def test_exporter_is_made_once():
    assert export._template() is export._template()
    assert export._html_exporter() is export._html_exporter()


def test_the_page_is_nbconvert_s_page(store, named):
    """Our Jinja rendering of the template is the document nbconvert's HTMLExporter makes:
    byte for byte once written out by BeautifulSoup, as nbconvert writes its own."""
    nb = run_notebook(TEAM_REPORT, {"round_id": named.round.id, "db": store.url})
    ours = to_html(nb, "Ward <7>")
    theirs, _ = export._html_exporter().from_notebook_node(
        nbformat.from_dict(nb),
        resources={"metadata": {"name": "Ward <7>"}, "coprod_title": "Ward <7>"},
    )
    from bs4 import BeautifulSoup

    assert str(BeautifulSoup(ours, features="html.parser")) == theirs


def test_a_notebook_with_markdown_goes_through_nbconvert(store, named):
    nb = run_notebook(TEAM_REPORT, {"round_id": named.round.id, "db": store.url})
    nb.cells.insert(
        0,
        export.from_dict(
            {"cell_type": "markdown", "id": "md", "metadata": {}, "source": "*Hi* <x>"}
        ),
    )
    html = to_html(nb)
    assert '<div class="coprod-text"><p><em>Hi</em> <x></x></p>' in html.replace("\n", "")


def test_a_cold_export_imports_neither_nbconvert_nor_nbformat(store, named, tmp_path):
    """What makes the cold `coprod export team-report` fast: nbconvert (its filters,
    preprocessors and nbclient), nbformat (its jsonschema) and BeautifulSoup are never
    imported."""
    code = (
        "import sys\n"
        "from coprod_widgets.reports.export import export_report\n"
        f"export_report('team_report', {{'round_id': {named.round.id}, 'db': {store.url!r}}}, 'html')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('nbconvert', 'nbformat', 'nbclient', 'jsonschema', 'bs4')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    assert out.strip() == "[]"


def test_exporters_can_be_named_to_nbconvert():
    from nbconvert.exporters import get_exporter

    for name in ("ReportHTMLExporter", "ReportPDFExporter"):
        exporter = get_exporter(f"coprod_widgets.reports.export.{name}")()
        assert exporter.template_name == "coprod_report" and exporter.exclude_input


def test_title_can_be_given(store, named):
    nb = run_notebook(TEAM_REPORT, {"round_id": named.round.id, "db": store.url})
    assert "<title>Ward &lt;7&gt;</title>" in to_html(nb, "Ward <7>")


# -- PDF ------------------------------------------------------------------------------------


def test_browser_missing_says_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.setenv("COPROD_CHROMIUM", str(tmp_path / "no-such-chrome"))
    monkeypatch.setattr(printer, "CHROMIUM_CANDIDATES", ())
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    with pytest.raises(BrowserMissing) as e:
        export.to_pdf("<p>hi</p>")
    msg = str(e.value)
    assert "sudo apt-get install chromium" in msg
    assert f"COPROD_CHROMIUM is set to {tmp_path / 'no-such-chrome'}, which does not exist" in msg


def test_chromium_from_the_environment_comes_first(monkeypatch, tmp_path):
    exe = tmp_path / "my-chrome"
    exe.write_text("")
    monkeypatch.setenv("COPROD_CHROMIUM", str(exe))
    assert find_chromium() == str(exe)


# -- the command line -----------------------------------------------------------------------


def test_cli_writes_html(store, named, tmp_path, capsys):
    out = tmp_path / "report.html"
    rc = main(
        ["--db", store.url, "export", "team-report", "--round", str(named.round.id), "-o", str(out)]
    )
    assert rc == 0, capsys.readouterr().err
    assert f"written to {out} (HTML)" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "Listening" in text_of(html) and XSS_ESCAPED in html
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*"))


def test_cli_writes_pdf(store, named, tmp_path, capsys):
    needs_chromium()
    out = tmp_path / "report.pdf"
    argv = ["--db", store.url, "export", "team-report", "--round", str(named.round.id)]
    rc = main([*argv, "--to", "pdf", "-o", str(out)])
    assert rc == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ward <script>alert('team')</script> 7: team report" in text
    assert "Listening" in text and "Sharing power" in text
    assert f"Listen more {XSS} 0" in text  # the payload printed as literal text
    assert "page 1 of" in text


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--round", "7", "-o", "{out}.html"], "coprod: there is no round 7\n"),
        (["--round", "{id}", "-o", "{out}.docx"], "say which format with --to html or --to pdf"),
        (["--round", "{id}", "-o", "{out}/missing/r.html"], "does not exist"),
    ],
)
def test_cli_errors_write_nothing(store, named, tmp_path, capsys, extra, message):
    before = set(tmp_path.iterdir())
    argv = [x.format(id=named.round.id, out=tmp_path / "r") for x in extra]
    rc = main(["--db", store.url, "export", "team-report", *argv])
    assert rc == 2
    assert message in capsys.readouterr().err
    assert set(tmp_path.iterdir()) == before


def test_cli_bad_format_exits_2(store, named, tmp_path, capsys):
    out = tmp_path / "r.html"
    argv = ["--db", store.url, "export", "team-report", "--round", str(named.round.id)]
    with pytest.raises(SystemExit) as e:
        main([*argv, "--to", "docx", "-o", str(out)])
    assert e.value.code == 2
    assert "invalid choice: 'docx'" in capsys.readouterr().err
    assert not out.exists()


def test_cli_pdf_without_a_browser_writes_nothing(store, named, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("COPROD_CHROMIUM", raising=False)
    monkeypatch.setattr(printer, "CHROMIUM_CANDIDATES", ())
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    folder = tmp_path / "out"
    folder.mkdir()
    argv = ["--db", store.url, "export", "team-report", "--round", str(named.round.id)]
    assert main([*argv, "-o", str(folder / "r.pdf")]) == 2
    assert "sudo apt-get install chromium" in capsys.readouterr().err
    assert list(folder.iterdir()) == []  # nor a temporary file left behind


def test_the_browser_stays_open_between_pdfs_and_closes_when_idle():
    needs_chromium()
    printer = export.Printer(idle=0.5)
    exe, args = find_chromium(), export.CHROMIUM_ARGS
    first = printer.pdf("<h1>One</h1>", exe, args)
    browser = printer._browser
    second = printer.pdf("<h1>Two</h1>", exe, args)
    assert first.startswith(b"%PDF-") and second.startswith(b"%PDF-")
    assert printer._browser is browser  # the same Chromium printed both
    time.sleep(1.5)
    assert printer._browser is None and not browser.is_connected()
    assert printer.pdf("<h1>Three</h1>", exe, args).startswith(b"%PDF-")  # opens again
    printer.close()
    assert printer._browser is None
