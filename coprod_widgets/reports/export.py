"""Reports: a parameterised notebook run in this process, exported with nbconvert to HTML or PDF.

Why in this process: a report is a notebook of our own whose cells are a call or two, so starting a
kernel for it would cost more than the report does. The notebook still runs unchanged in a real
kernel (`jupyter nbconvert --execute`, papermill), with the parameters injected the same way.

HTML comes from nbconvert's HTMLExporter with our template (templates/coprod_report: outputs only,
our own print stylesheet, no script, nothing fetched). PDF is that HTML printed by Chromium through
nbconvert's WebPDFExporter, told where the browser is (stock webpdf looks only for Playwright's
own download) and keeping it open between PDFs.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import contextlib
import io
import json
import os
import secrets
import shutil
import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, cast

from nbconvert.exporters import HTMLExporter, TemplateExporter, WebPDFExporter
from nbformat import NotebookNode, from_dict
from traitlets import default

from ..errors import CoprodError, InvalidInput, NotFound

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE / "notebooks"
TEMPLATES = HERE / "templates"
TEMPLATE = "coprod_report"
FORMATS = ("html", "pdf")

CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
)
# As the browser tests run it: headless in a container (often as root) needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "install one with `sudo apt-get install chromium` (Debian, Ubuntu), "
    "or set COPROD_CHROMIUM to the path of a Chrome or Chromium executable"
)


class ReportFailed(CoprodError):
    """A report notebook's cell raised something other than a CoprodError: a bug to report."""


class BrowserMissing(CoprodError):
    """No Chrome or Chromium to print a PDF with."""


# -- notebooks ------------------------------------------------------------------------------


def report_path(name: str) -> Path:
    """The shipped report notebook called `name` (e.g. "team_report")."""
    path = NOTEBOOKS / f"{name}.ipynb"
    if not name.replace("_", "").isalnum() or not path.is_file():
        known = ", ".join(sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")))
        raise NotFound(f"there is no report called {name!r} (there are: {known})")
    return path


def read_notebook(path: Path | str) -> NotebookNode:
    """A notebook as nbformat's NotebookNode, without the schema validation `nbformat.read` does.

    The reports are our own files, checked by the tests; validating them on every export would
    only cost time.
    """
    nb = from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    if nb.get("nbformat") != 4:
        raise ReportFailed(f"{path}: expected a version 4 notebook")
    for cell in nb.cells:
        if isinstance(cell.source, list):
            cell.source = "".join(cell.source)
    return nb


def inject_parameters(nb: NotebookNode, parameters: Mapping[str, Any]) -> NotebookNode:
    """Add the parameters as a cell tagged `injected-parameters` after the `parameters` cell.

    The papermill convention, so papermill and `nbconvert --execute` of the written notebook see
    the same thing. Values are written as Python literals: text, numbers, True/False/None and
    lists or dicts of them.
    """
    for k, v in parameters.items():
        try:
            ast.literal_eval(repr(v))
        except (ValueError, SyntaxError):
            raise InvalidInput(
                f"{k}: a report parameter must be a plain value, not {v!r}"
            ) from None
    source = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    cell = from_dict(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "injected-parameters",
            "metadata": {"tags": ["injected-parameters"]},
            "outputs": [],
            "source": source,
        }
    )
    cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    at = next((i + 1 for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])), 0)
    nb.cells = [*cells[:at], cell, *cells[at:]]
    return nb


def _run_cell(source: str, namespace: dict[str, Any], filename: str) -> tuple[Any, str]:
    """Run one cell as IPython would: its last expression statement is the cell's value."""
    tree = ast.parse(source, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(cast(ast.Expr, tree.body.pop()).value)  # checked just above
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # Our own notebook, shipped in the package: running it is the point.
        exec(compile(tree, filename, "exec"), namespace)  # noqa: S102
        value = eval(compile(last, filename, "eval"), namespace) if last else None  # noqa: S307
    return value, out.getvalue()


def _outputs(value: Any, printed: str, count: int) -> list[NotebookNode]:
    outputs: list[dict[str, Any]] = []
    if printed:
        outputs.append({"output_type": "stream", "name": "stdout", "text": printed})
    if value is not None:
        data = {"text/plain": repr(value)}
        html = value._repr_html_() if hasattr(value, "_repr_html_") else None
        if html is not None:
            data["text/html"] = html
        outputs.append(
            {
                "output_type": "execute_result",
                "execution_count": count,
                "metadata": {},
                "data": data,
            }
        )
    return [from_dict(o) for o in outputs]


def run_notebook(path: Path | str, parameters: Mapping[str, Any]) -> NotebookNode:
    """Execute a report notebook in this process, with parameters, and return it with outputs.

    The code cells share one fresh namespace, as in a kernel of their own. A CoprodError (no such
    round, ...) comes out unchanged for the caller to show; anything else is a ReportFailed.
    """
    path = Path(path)
    nb = inject_parameters(read_notebook(path), parameters)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    count = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        count += 1
        try:
            value, printed = _run_cell(cell.source, namespace, f"<{path.name} cell {index}>")
        except CoprodError:
            raise
        except Exception as e:
            raise ReportFailed(
                f"the report {path.stem} failed in cell {index}: {type(e).__name__}: {e}"
            ) from e
        cell.execution_count = count
        cell.outputs = _outputs(value, printed, count)
    return nb


# -- HTML -----------------------------------------------------------------------------------


class ReportTemplate(TemplateExporter):
    """The report template's settings, shared by the HTML and the PDF exporter."""

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return [str(TEMPLATES)]

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self) -> bool:
        return True


class ReportHTMLExporter(ReportTemplate, HTMLExporter):
    """nbconvert's HTML exporter with the report template: outputs only, no prompts."""


_export_lock = threading.Lock()  # an exporter registers filters per call: one call at a time


@cache
def _html_exporter() -> ReportHTMLExporter:
    """Made once per process: building one loads the template environment (a second saved)."""
    return ReportHTMLExporter()


def to_html(nb: NotebookNode, title: str | None = None) -> str:
    """The executed notebook as one self-contained HTML page (title: the notebook's if None)."""
    resources: dict[str, Any] = {"metadata": {"name": title or nb.metadata.get("title", "Report")}}
    if title:
        resources["coprod_title"] = title
    with _export_lock:
        html, _ = _html_exporter().from_notebook_node(nb, resources=resources)
    return html


# -- PDF ------------------------------------------------------------------------------------


def find_chromium() -> str:
    """The Chrome or Chromium to print with: $COPROD_CHROMIUM, then the usual places."""
    env = os.environ.get("COPROD_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for c in CHROMIUM_CANDIDATES:
        if Path(c).is_file():
            return c
    found = shutil.which("chromium")
    if found:
        return found
    unset = f"COPROD_CHROMIUM is set to {env}, which does not exist, and " if env else ""
    raise BrowserMissing(
        f"a PDF is printed by Chrome or Chromium, and none was found: {unset}"
        f"{INSTALL_HINT}; meanwhile the HTML copy prints to PDF from any browser"
    )


FOOTER = (
    "<div style='font-size:8pt;width:100%;text-align:center;color:#4d4d4d;"
    "font-family:Arial,sans-serif'><span class='title'></span> &middot; page "
    "<span class='pageNumber'></span> of <span class='totalPages'></span></div>"
)
PDF_OPTIONS: dict[str, Any] = {
    "print_background": True,
    "prefer_css_page_size": True,  # the stylesheet's @page: A4 and its margins
    "display_header_footer": True,
    "header_template": "<span></span>",
    "footer_template": FOOTER,
    "tagged": True,  # an accessible PDF: headings, lists and tables kept as structure
    "outline": True,  # bookmarks from the headings
}


class Printer:
    """One headless Chromium kept open between PDFs, on an event loop in a thread of its own.

    Starting Playwright's driver and the browser is most of the time a PDF takes; a results page
    that prints several reports pays it once. The browser closes after `idle` seconds unused, so a
    kernel left open does not keep a Chromium running, and when the process ends.
    """

    def __init__(self, idle: float = 120.0):
        self.idle = idle
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._launching: asyncio.Lock | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._key: tuple[str, tuple[str, ...]] | None = None
        self._busy = 0
        self._idle_timer: asyncio.TimerHandle | None = None

    def pdf(self, html: str, executable: str, args: list[str], timeout: float = 120.0) -> bytes:
        """Print `html` to PDF bytes (in a kernel too: the loop is not the caller's)."""
        future = asyncio.run_coroutine_threadsafe(
            self._print(html, executable, tuple(args)), self._ensure_loop()
        )
        return future.result(timeout)

    def close(self) -> None:
        """Close the browser now (it opens again on the next PDF)."""
        loop = self._loop
        if loop is not None and loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(15)

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="coprod-pdf", daemon=True).start()
                self._loop = loop
                atexit.register(self.close)
            return self._loop

    async def _browser_for(self, executable: str, args: tuple[str, ...]) -> Any:
        if self._launching is None:
            self._launching = asyncio.Lock()
        async with self._launching:
            key = (executable, args)
            if self._browser is not None and (key != self._key or not self._browser.is_connected()):
                await self._shutdown()
            if self._browser is None:
                from playwright.async_api import async_playwright

                self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=executable,
                    args=list(args),
                    handle_sigint=False,
                    handle_sigterm=False,
                    handle_sighup=False,
                )
                self._key = key
            return self._browser

    async def _print(self, html: str, executable: str, args: tuple[str, ...]) -> bytes:
        self._busy += 1
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        try:
            browser = await self._browser_for(executable, args)
            page = await browser.new_page()
            try:
                await page.set_content(html, wait_until="load")
                return await page.pdf(**PDF_OPTIONS)
            finally:
                await page.close()
        finally:
            self._busy -= 1
            self._idle_timer = asyncio.get_running_loop().call_later(self.idle, self._on_idle)

    def _on_idle(self) -> None:
        if self._busy == 0:
            asyncio.ensure_future(self._shutdown())

    async def _shutdown(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = self._key = None
        with contextlib.suppress(Exception):
            if browser is not None:
                await browser.close()
        with contextlib.suppress(Exception):
            if playwright is not None:
                await playwright.stop()


PRINTER = Printer()


class ReportPDFExporter(ReportTemplate, WebPDFExporter):
    """nbconvert's webpdf exporter with the report template, printing with the browser we find.

    Stock webpdf launches only Playwright's own downloaded Chromium, so it misses Debian's.
    Usable from the command line too: `jupyter nbconvert --to
    coprod_widgets.reports.export.ReportPDFExporter NOTEBOOK`.
    """

    def run_playwright(self, html: str) -> bytes:
        """Print the page to PDF (A4, page numbers in the footer) with the kept-open Chromium."""
        executable = find_chromium()
        try:
            return PRINTER.pdf(html, executable, [*CHROMIUM_ARGS, *self.browser_args])
        except Exception as e:
            if isinstance(e, CoprodError):
                raise
            raise ReportFailed(f"Chromium ({executable}) could not print the report: {e}") from e


@cache
def _pdf_exporter() -> ReportPDFExporter:
    return ReportPDFExporter()


def to_pdf(html: str) -> bytes:
    """A report page printed to PDF by Chromium (BrowserMissing, with how to install one)."""
    return _pdf_exporter().run_playwright(html)


# -- the whole route ------------------------------------------------------------------------


def export_report(
    notebook_name: str, parameters: Mapping[str, Any], fmt: str, title: str | None = None
) -> bytes:
    """Run the report notebook `notebook_name` with `parameters`; its HTML or PDF as bytes."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format: expected html or pdf, not {fmt!r}")
    nb = run_notebook(report_path(notebook_name), parameters)
    html = to_html(nb, title)
    return html.encode("utf-8") if fmt == "html" else to_pdf(html)


def write_file(data: bytes, path: Path | str) -> Path:
    """Write all of `data` or nothing: a temporary file beside `path`, renamed over it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "xb") as f:  # "x": never over someone else's file; the umask applies
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path
