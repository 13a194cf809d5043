"""What every workbook shares: a safe way to build an app, and the way in without a link."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from .. import identity
from ..errors import Closed, CoprodError, NotFound
from ..registry import route_link
from ..store.ports import MemberPort
from ..style import style_tag
from ..widgets import Notice

log = logging.getLogger("coprod")


def safely(build: Callable[[], w.Widget]) -> w.Widget:
    """Build an app; any failure becomes a plain message in the page, never a traceback. In
    JupyterLab (a notebook, not a Voilà page) the page's stylesheet is put in the notebook first,
    as the Voilà template puts it in the page."""
    page_style_in_notebook()
    try:
        return build()
    except NotFound as e:
        return page_message(
            "This link is not recognised",
            f"{_sentence(e)} Check the link you were given, or ask the person who sent it.",
        )
    except Closed as e:
        return page_message("This round has closed", _sentence(e))
    except CoprodError as e:
        return page_message("Something needs attention", _sentence(e), kind="error")
    except Exception:  # noqa: BLE001 - the page must stay a page
        log.exception("the app could not be built")
        return page_message(
            "Something went wrong",
            "The page could not be opened. Nothing you typed before has been lost. "
            "Try again in a minute; if it keeps happening, tell the person who runs this site.",
            kind="error",
        )


def page_style_in_notebook() -> None:
    """Show ``page.css`` in the notebook when one is running this outside Voilà (JupyterLab,
    nbclient); nothing under Voilà, whose template has it, nor outside IPython."""
    if identity.in_voila():
        return
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - ipywidgets brings IPython
        return
    if get_ipython() is not None:
        display(HTML(style_tag("page")))


def problem(e: Exception) -> str:
    """What to tell a person about a failed action: our own errors say what was wrong; anything
    else (a locked or lost database, a bug) is logged with its traceback and said plainly."""
    if isinstance(e, CoprodError):
        return str(e)
    log.error("an action on the page failed", exc_info=e)
    return (
        "something went wrong on the server (it has been logged). Try again in a minute; if it "
        "keeps happening, tell the person who runs this site"
    )


def _sentence(e: Exception) -> str:
    s = str(e).strip()
    s = s[:1].upper() + s[1:] if s else ""
    return s if s.endswith((".", "!", "?")) else s + "."


def page_message(title: str, text: str, kind: str = "info") -> w.Widget:
    box = w.VBox([Notice(title, text, kind=kind)])
    box.add_class("coprod-app")
    return box


def member_service() -> MemberPort:
    """The member port: over HTTP under `coprod serve`, else the local database."""
    from ..store.remote import RemoteMemberStore

    remote = RemoteMemberStore.from_env()
    if remote is not None:
        return remote
    from ..store import Store

    return Store(os.environ.get("COPROD_DB") or None).members


def link(base_url: str, code: str) -> str:
    return route_link("member", base_url, code) if base_url else code


class CodeEntry(w.VBox):
    """In JupyterLab there is no link to click: paste the code from it instead."""

    def __init__(self, title: str, on_code: Callable[[str], w.Widget]):
        self._on_code = on_code
        self.code = w.Text(
            description="Link code",
            placeholder="the code at the end of your link",
            style={"description_width": "initial"},
        )
        self.open_button = w.Button(description="Open", button_style="primary")
        self.body = w.VBox()
        super().__init__(
            [
                w.HTML(f"<h1>{title}</h1><p>Paste the code from the link you were given.</p>"),
                w.HBox([self.code, self.open_button]),
                self.body,
            ]
        )
        self.add_class("coprod-app")
        self.open_button.on_click(self._on_open_click)

    def _on_open_click(self, _b: Any) -> None:
        code = code_in(self.code.value)
        self.body.children = [safely(lambda: self._on_code(code))]


def code_in(text: str) -> str:
    """The code in what a person pasted: the code itself, or the whole link it ends
    (``https://.../j/<code>?resume=...``)."""
    return text.strip().split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
