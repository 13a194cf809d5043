"""Voilà, extended with what a shared deployment needs.

- ``/``: a home page listing the workbooks (and the demo team's links).
- ``/j/<code>``: a team's link. A member code gives the visitor a private token, kept in a
  cookie on their device, and opens the self-assessment with it; a facilitator code opens the
  results. An unknown or closed link gets a plain page.
- ``/coprod/api/<action>``: the Store's member methods for member pages' kernels (loopback, with
  a per-server secret), so those kernels never load SQLAlchemy.
- Rendered pages set the ``_xsrf`` cookie. Voilà 0.5's page sends it with its shutdown beacon
  when the tab closes; without the cookie the beacon fails its XSRF check and the kernel lives on.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
import secrets
from typing import Any
from urllib.parse import quote, urlencode

import tornado.web
from jupyter_server.utils import url_path_join
from traitlets import Any as AnyTrait
from traitlets import List, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from ..errors import Closed, CoprodError, InvalidInput, NotFound
from ..store.remote import MEMBER_ACTIONS
from . import pages

log = logging.getLogger("coprod.server")

COOKIE_DAYS = 365
ERROR_KINDS: dict[type[CoprodError], tuple[int, str]] = {
    NotFound: (404, "not_found"),
    Closed: (409, "closed"),
    InvalidInput: (400, "invalid"),
}


class PageHandler(TornadoVoilaHandler):
    async def get(self, path=None):
        self.xsrf_token  # noqa: B018 - reading it sets the _xsrf cookie the page needs
        await super().get(path)


class _Plain(tornado.web.RequestHandler):
    def initialize(self, store: Any, base: str, demo: list | None = None) -> None:
        self.store, self.base, self.demo = store, base, demo

    def check_xsrf_cookie(self) -> None:  # our own handlers authenticate otherwise
        return

    def plain(self, status: int, title: str, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(pages.message(title, text))


class HomeHandler(_Plain):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(pages.home(self.base, self.demo))


class JoinHandler(_Plain):
    def get(self, code: str) -> None:
        try:
            rnd, kind = self.store.round_by_code(code)
        except NotFound:
            self.plain(
                404,
                "This link is not recognised",
                "Check that the whole link was copied, or ask the person who shared it for it again.",
            )
            return
        if kind == "facilitator":
            self.redirect(self._render("team_results.ipynb", code=code))
            return
        if not rnd.is_open:
            self.plain(
                410,
                "This round has closed",
                "Answers can no longer be given or changed. Thank you for taking part.",
            )
            return
        cookie = f"coprod_me_{rnd.id}"
        me = self.get_argument("me", "") or (
            "" if self.get_argument("new", "") else (self.get_cookie(cookie) or "")
        )
        if not (16 <= len(me) <= 200):
            me = secrets.token_urlsafe(24)
        self.set_cookie(
            cookie,
            me,
            expires_days=COOKIE_DAYS,
            httponly=True,
            samesite="Lax",
            path=self.base,
        )
        self.redirect(self._render("self_assessment.ipynb", code=code, me=me))

    def _render(self, notebook: str, **query: str) -> str:
        return f"{self.base}voila/render/{quote(notebook)}?{urlencode(query)}"


class JournalHandler(_Plain):
    """``/journal``: a private journal. The visitor's key (new, or from their cookie) is kept in
    an HttpOnly cookie on this device and put in the page's link; ``/journal/<key>`` (the link
    they bookmark) opens the same journal on another device. Only the key's hash is stored."""

    COOKIE = "coprod_journal"

    def get(self, key: str | None = None) -> None:
        from ..identity import valid_journal_key

        if key:
            if not valid_journal_key(key):
                self.plain(
                    404,
                    "This journal link is not recognised",
                    "Check that the whole link was copied. To start a new journal, open /journal.",
                )
                return
        else:
            key = "" if self.get_argument("new", "") else (self.get_cookie(self.COOKIE) or "")
            if not valid_journal_key(key):
                key = secrets.token_urlsafe(16)
        self.set_cookie(
            self.COOKIE,
            key,
            expires_days=COOKIE_DAYS,
            httponly=True,
            samesite="Lax",
            path=self.base,
        )
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.redirect(f"{self.base}voila/render/journal.ipynb?{urlencode({'key': key})}")


class ApiHandler(_Plain):
    def initialize(self, store: Any, base: str, token: str) -> None:  # type: ignore[override]
        self.store, self.base, self.token = store, base, token

    def post(self, action: str) -> None:
        given = self.request.headers.get("X-Coprod-Token", "")
        if not self.token or not hmac.compare_digest(given, self.token):
            self._error(403, "forbidden", "not allowed")
            return
        if action not in MEMBER_ACTIONS:
            self._error(404, "not_found", f"no action {action!r}")
            return
        try:
            args = json.loads(self.request.body or b"{}")
            if not isinstance(args, dict):
                raise ValueError
        except ValueError:
            self._error(400, "invalid", "the request was not a JSON object")
            return
        method = getattr(self.store, action)
        try:
            inspect.signature(method).bind(**args)
        except TypeError:
            self._error(400, "invalid", f"wrong arguments for {action}")
            return
        try:
            result = method(**args)
        except CoprodError as e:
            # The kind names the class RemoteMemberStore raises again on the kernel's side.
            status, kind = next(
                (v for cls, v in ERROR_KINDS.items() if isinstance(e, cls)), (400, "error")
            )
            self._error(status, kind, str(e))
            return
        except Exception:  # noqa: BLE001 - never a traceback to the page
            log.exception("member API %s failed", action)
            self._error(500, "error", "the server could not save this; please try again")
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"result": result}))

    def _error(self, status: int, kind: str, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": message, "kind": kind}))


class CoprodVoila(Voila):
    """Voilà with the coprod routes in front of its own."""

    name = "coprod-voila"
    store = AnyTrait(help="the Store shared by the server's handlers")
    api_token = Unicode(help="secret the member pages' kernels send to the API")
    demo_links: List[Any] = List(help="(label, url, note) of the demo team, shown on the home page")

    def init_handlers(self) -> list:
        handlers = []
        for h in super().init_handlers():
            if len(h) > 1 and h[1] is TornadoVoilaHandler:
                h = (h[0], PageHandler, *h[2:])
            handlers.append(h)
        base = self.server_url or self.base_url or "/"
        common = {"store": self.store, "base": base}
        ours = [
            (url_path_join(base, r"/"), HomeHandler, {**common, "demo": list(self.demo_links)}),
            (url_path_join(base, r"/j/([^/]*)"), JoinHandler, common),
            (url_path_join(base, r"/journal(?:/([^/]*))?"), JournalHandler, common),
            (
                url_path_join(base, r"/coprod/api/([a-z_]+)"),
                ApiHandler,
                {**common, "token": self.api_token},
            ),
        ]
        return ours + handlers
