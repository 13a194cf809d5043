"""A report notebook run in this process: read without nbformat, parameters injected the
papermill way, code cells run in one fresh namespace, outputs recorded as a kernel would.

Why in this process: a report is a notebook of our own whose cells are a call or two, so starting
a kernel for it would cost more than the report does. The notebook still runs unchanged in a real
kernel (`jupyter nbconvert --execute`, papermill), with the parameters injected the same way.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from ..errors import CoprodError, InvalidInput, NotFound
from .printer import ReportFailed

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


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
