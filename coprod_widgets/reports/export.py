"""Reports: a parameterised notebook run in this process, exported to HTML or PDF.

Why in this process: a report is a notebook of our own whose cells are a call or two, so starting a
kernel for it would cost more than the report does. The notebook still runs unchanged in a real
kernel (`jupyter nbconvert --execute`, papermill), with the parameters injected the same way.

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

import ast
import contextlib
import html as htmlib
import io
import json
import os
import secrets
import sys
import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import CoprodError, InvalidInput, NotFound
from ..style import STYLE_DIR
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
NOTEBOOKS = HERE / "notebooks"
TEMPLATES = HERE / "templates"
TEMPLATE = "coprod_report"
FORMATS = ("html", "pdf")

# -- notebooks ---------------------------------------------------------------------------------


class NotebookNode(dict[str, Any]):
    """A notebook, cell or output: a dict whose keys read as attributes, like nbformat's.

    nbformat's own (nbformat.from_dict) costs its package's import, schema checker included;
    this one is enough for running a report, and nbformat, nbclient and nbconvert accept it.
    """

    __slots__ = ()

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delattr__(self, key: str) -> None:
        del self[key]


def from_dict(d: Any) -> Any:
    """Dicts (in lists too) turned into NotebookNodes, as nbformat.from_dict does."""
    if isinstance(d, dict):
        return NotebookNode({k: from_dict(v) for k, v in d.items()})
    if isinstance(d, (list, tuple)):
        return [from_dict(x) for x in d]
    return d


# -- running ------------------------------------------------------------------------------


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
