"""Reports: a parameterised notebook run in this process (notebook.py), exported to HTML or PDF.

HTML is our nbconvert template (templates/coprod_report: outputs only, our own print stylesheet, no
script, nothing fetched) rendered by Jinja directly, with the filters and settings nbconvert's
HTMLExporter gives it: the same page without importing nbconvert, its preprocessors or its
schema checker, which cost a cold `coprod export` more than the report itself. A notebook with
Markdown in it goes through nbconvert's exporter (its Markdown renderer is nbconvert's own).
PDF is that HTML printed by one Chromium kept open between PDFs (printer.py), launched while
the notebook runs. The nbconvert exporters (ReportHTMLExporter, ReportPDFExporter) are still
here, made on first use, for `jupyter nbconvert --to coprod_widgets.reports.export.ReportPDFExporter`.
"""

from __future__ import annotations

import contextlib
import html as htmlib
import os
import secrets
import sys
import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import InvalidInput
from ..style import STYLE_DIR
from .notebook import (  # noqa: F401 - these names are kept importable from here
    NOTEBOOKS,
    NotebookNode,
    from_dict,
    inject_parameters,
    read_notebook,
    report_path,
    run_notebook,
)
from .printer import (  # noqa: F401 - these names are kept importable from here
    CHROMIUM_ARGS,
    PDF_OPTIONS,
    PRINTER,
    BrowserMissing,
    Printer,
    ReportFailed,
    find_chromium,
    print_pdf,
    start_browser,
    to_pdf,
)

if TYPE_CHECKING:
    import jinja2

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
TEMPLATE = "coprod_report"
FORMATS = ("html", "pdf")

# -- HTML -----------------------------------------------------------------------------------

# nbconvert's HTMLExporter as configured for our template (ReportTemplate below): the order it
# picks an output's representation in, and what it lets the template show.
DISPLAY_PRIORITY = (
    "application/vnd.jupyter.widget-view+json",
    "application/javascript",
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/vnd.mermaid",
    "text/latex",
    "image/png",
    "image/jpeg",
    "text/plain",
)
_SHOWN = ("code", "markdown", "raw", "unknown", "output", "output_stdin")
_HIDDEN = ("input", "input_prompt", "output_prompt")  # exclude_input and no prompts
CONTENT_FILTER = {f"include_{k}": k in _SHOWN for k in (*_SHOWN, *_HIDDEN)} | {"no_prompt": True}
RAW_MIMETYPES = ["text/html", ""]


def _data_type(data: Mapping[str, Any]) -> list[str]:
    return next(([t] for t in DISPLAY_PRIORITY if t in data), [])


def _nbconvert_templates() -> list[str]:
    """Where nbconvert's own templates (base/display_priority.j2, ...) are installed."""
    from jupyter_core.paths import jupyter_path

    roots = jupyter_path("nbconvert", "templates")
    return [r for r in roots if Path(r, "base", "null.j2").is_file()][:1]


def _no_markdown(text: str) -> str:
    raise AssertionError("a notebook with Markdown is exported by nbconvert's exporter")


@cache
def _template() -> jinja2.Template:
    """The report template in an environment like nbconvert's (made once per process)."""
    import jinja2

    paths = [str(TEMPLATES / TEMPLATE), str(TEMPLATES), str(STYLE_DIR), *_nbconvert_templates()]
    env = jinja2.Environment(  # noqa: S701 - as nbconvert: the template escapes what it shows
        loader=jinja2.FileSystemLoader(paths), extensions=["jinja2.ext.loopcontrols"]
    )
    env.filters.update(
        escape_html=lambda s: htmlib.escape(str(s)),
        escape_html_keep_quotes=lambda s: htmlib.escape(str(s), quote=False),
        filter_data_type=_data_type,
        markdown2html=_no_markdown,
    )
    return env.get_template("index.html.j2")


def _has_markdown(nb: Mapping[str, Any]) -> bool:
    return any(
        c.get("cell_type") == "markdown"
        or any("text/markdown" in o.get("data", {}) for o in c.get("outputs", []))
        for c in nb.get("cells", [])
    )


_export_lock = threading.Lock()  # an nbconvert exporter registers filters per call: one at a time


def to_html(nb: NotebookNode, title: str | None = None) -> str:
    """The executed notebook as one self-contained HTML page (title: the notebook's if None)."""
    resources: dict[str, Any] = {"metadata": {"name": title or nb.metadata.get("title", "Report")}}
    if title:
        resources["coprod_title"] = title
    if _has_markdown(nb):
        with _export_lock:
            html, _ = _html_exporter().from_notebook_node(nb, resources=resources)
        return cast(str, html)
    resources.update(
        language_code="en",
        global_content_filter=CONTENT_FILTER,
        raw_mimetypes=RAW_MIMETYPES,
        output_mimetype="text/html",
    )
    return _as_nbconvert_writes(_template().render(nb=nb, resources=resources).lstrip("\r\n"))


def _as_nbconvert_writes(html: str) -> str:
    """The page as HTMLExporter would give it, where that differs in meaning: alternative text
    on any image without one. BeautifulSoup (a tenth of a cold export) runs only then; the same
    document otherwise (tests/reports/test_report_export.py parses both and compares)."""
    if "<img" not in html:
        return html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, features="html.parser")
    for elem in soup.select("img:not([alt])"):
        elem.attrs["alt"] = "No description has been provided for this image"
    return str(soup)


# -- nbconvert's exporters, made on first use -------------------------------------------------


@cache
def _exporter_classes() -> dict[str, type]:
    """ReportTemplate, ReportHTMLExporter and ReportPDFExporter (importing nbconvert)."""
    # nbformat's jsonschema imports rfc3987_syntax, which builds ~35 parsers on import (1-2 s;
    # python-jsonschema/jsonschema#1428) for IRI formats no notebook schema uses.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from nbconvert.exporters import HTMLExporter, TemplateExporter, WebPDFExporter
    from traitlets import default

    class ReportTemplate(TemplateExporter):  # type: ignore[misc]
        """The report template's settings, shared by the HTML and the PDF exporter."""

        @default("template_name")
        def _template_name_default(self) -> str:
            return TEMPLATE

        @default("extra_template_basedirs")
        def _default_extra_template_basedirs(self) -> list[str]:
            return [str(TEMPLATES)]

        @default("extra_template_paths")
        def _default_extra_template_paths(self) -> list[str]:
            return [str(STYLE_DIR)]  # report.css, which the template includes

        @default("exclude_input")
        def _exclude_input_default(self) -> bool:
            return True

        @default("exclude_input_prompt")
        def _exclude_input_prompt_default(self) -> bool:
            return True

        @default("exclude_output_prompt")
        def _exclude_output_prompt_default(self) -> bool:
            return True

    class ReportHTMLExporter(ReportTemplate, HTMLExporter):  # type: ignore[misc]
        """nbconvert's HTML exporter with the report template: outputs only, no prompts."""

    class ReportPDFExporter(ReportTemplate, WebPDFExporter):  # type: ignore[misc]
        """nbconvert's webpdf exporter with the report template, printing with the browser we
        find (stock webpdf launches only Playwright's own downloaded Chromium, so it misses
        Debian's). `jupyter nbconvert --to coprod_widgets.reports.export.ReportPDFExporter NB`.
        """

        def run_playwright(self, html: str) -> bytes:
            return print_pdf(html, self.browser_args)

    made: dict[str, type] = {"ReportTemplate": ReportTemplate}
    made |= {"ReportHTMLExporter": ReportHTMLExporter, "ReportPDFExporter": ReportPDFExporter}
    for cls in made.values():
        cls.__module__, cls.__qualname__ = __name__, cls.__name__
    return made


def __getattr__(name: str) -> Any:
    """The nbconvert exporter classes, importable from here without importing nbconvert first."""
    if name in ("ReportTemplate", "ReportHTMLExporter", "ReportPDFExporter"):
        return _exporter_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _html_exporter() -> Any:
    """nbconvert's exporter with our template, for a notebook with Markdown (made once)."""
    return _exporter_classes()["ReportHTMLExporter"]()


# -- the whole route ------------------------------------------------------------------------


def export_report(
    notebook_name: str, parameters: Mapping[str, Any], fmt: str, title: str | None = None
) -> bytes:
    """Run the report notebook `notebook_name` with `parameters`; its HTML or PDF as bytes."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format: expected html or pdf, not {fmt!r}")
    path = report_path(notebook_name)
    if fmt == "pdf":
        start_browser()  # Chromium starts while the notebook runs
    html = to_html(run_notebook(path, parameters), title)
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
