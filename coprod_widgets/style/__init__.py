"""The one place coprod's CSS lives: a stylesheet per surface, in this folder, read by one loader.

- ``page.css``: a Voilà page (the coprod template includes it) and the workbooks' common look;
- ``planner.css``, ``journal.css``, ``course.css``: a workbook's own look on top of ``page.css`` (the app puts
  it in the page, so it also applies in JupyterLab);
- ``report.css``: exported reports (the report template includes it; on screen and on paper);
- ``plain.css``: the few plain pages the server writes itself.

They are separate files, not one, because a report's rules style bare elements (``h2``,
``table``, ``td``) that must not restyle a Voilà page. Nothing here imports anything of ours:
every floor may read it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

STYLE_DIR = Path(__file__).resolve().parent
SHEETS = ("page", "planner", "journal", "report", "plain", "course", "trainer")


@cache
def css(name: str) -> str:
    """The text of one stylesheet (``name`` is one of ``SHEETS``)."""
    if name not in SHEETS:
        raise ValueError(f"no stylesheet {name!r}; there are {', '.join(SHEETS)}")
    return (STYLE_DIR / f"{name}.css").read_text(encoding="utf-8")


def style_tag(*names: str) -> str:
    """A ``<style>`` element holding the named stylesheets, in order."""
    return "<style>\n" + "\n".join(css(n) for n in names) + "</style>"
