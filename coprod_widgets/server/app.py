"""Voilà, extended with what a shared deployment needs.

- ``/``: a home page listing the workbooks (and the demo team's links).
- ``/j/<code>``: a team's link. A member code gives the visitor a private token, kept in a
  cookie on their device, and opens the self-assessment with it; a facilitator code opens the
  results. An unknown or closed link gets a plain page.
- ``/coprod/api/<action>``: the Store's member methods for member pages' kernels (loopback, with
  a per-server secret), so those kernels never load SQLAlchemy.
- Rendered pages set the ``_xsrf`` cookie. Voilà 0.5's page sends it with its shutdown beacon
  when the tab closes; without the cookie the beacon fails its XSRF check and the kernel lives on.
- A page is checked before it gets a kernel: an unknown notebook, link code, plan or journal key,
  another template or theme, or a crawler gets a plain page; with ``max_kernels`` live kernels
  the answer is 503 and "try again in a minute" (see kernels.py for the pools and the reaper).
- ``/coprod/kernel/<id>``: ``{"alive": true|false}`` for a page that wants to know whether its
  kernel is still there.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, urlencode

import tornado.web
from jupyter_server.services.contents.largefilemanager import LargeFileManager
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop
from traitlets import Any as AnyTrait
from traitlets import Bool, Integer, List, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from ..errors import CoprodError, NotFound
from ..identity import (
    journal_key_owner,
    new_journal_key,
    new_member_token,
    resume_token,
    valid_journal_key,
    valid_member_token,
)
from ..store.ports import ERROR_KINDS, MEMBER_ACTIONS
from . import pages, security
from .kernels import UUID_RE, coprod_kernel_manager

log = logging.getLogger("coprod.server")

COOKIE_DAYS = 365


# Crawlers and link previewers: a workbook is a person's page, never theirs to start.
CRAWLER_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit|embedly|preview|whatsapp|"
    r"telegram|discord|slack|skypeuri|bingpreview|lighthouse",
    re.IGNORECASE,
)
BUSY_SECONDS = 60


def is_crawler(user_agent: str) -> bool:
    return bool(user_agent) and bool(CRAWLER_RE.search(user_agent))


class Refused(Exception):
    """A page that will not be shown: its status, title and text, or where to send it."""

    def __init__(self, status: int, title: str = "", text: str = "", redirect: str = ""):
        super().__init__(title)
        self.status, self.title, self.text, self.redirect = status, title, text, redirect


NOT_RECOGNISED = (
    "This link is not recognised",
    "Check that the whole link was copied, or ask the person who shared it for it again.",
)


class PageHandler(TornadoVoilaHandler):
    """Voilà's page, given a kernel only when it will show a workbook."""

    async def get(self, path=None):
        app: CoprodVoila = self.settings["coprod"]
        try:
            await self._check(app, path or "")
            self._guard(app, path or "")
        except Refused as r:
            if r.redirect:
                self.redirect(r.redirect)
                return
            self.set_status(r.status)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.set_header("X-Robots-Tag", "noindex, nofollow")
            if r.status in (503, 429):
                self.set_header("Retry-After", str(BUSY_SECONDS))
            self.finish(pages.message(r.title, r.text))
            return
        security.set_xsrf_cookie(self)  # the _xsrf cookie the page's script sends back
        km = self.kernel_manager
        km.pages_rendering = getattr(km, "pages_rendering", 0) + 1
        try:
            await super().get(path)
        finally:
            km.pages_rendering -= 1

    def _guard(self, app: CoprodVoila, path: str) -> None:
        """On a server others can reach: the owner's key for the start page, and how many pages
        (and start pages) one address may open (security.py)."""
        if not app.public:
            return
        if path == "start_round.ipynb":
            given = self.get_argument("owner", "")
            if security.owner_ok(given, app.owner_key):  # keep it in a cookie, not in the URL
                security.set_owner_cookie(self, app, given)
                raise Refused(302, redirect=self.request.path)
            if not security.owner_ok(self.get_cookie(security.OWNER_COOKIE, ""), app.owner_key):
                raise Refused(403, *security.OWNER_ONLY)
        ip = security.client_ip(self)
        if path == "start_round.ipynb" and not app.start_limiter.allow(ip):
            raise Refused(429, *security.TOO_MANY_STARTS)
        if not app.page_limiter.allow(ip):
            raise Refused(429, *security.TOO_MANY_PAGES)

    async def _check(self, app: CoprodVoila, path: str) -> None:
        if is_crawler(self.request.headers.get("User-Agent", "")):
            raise Refused(
                403,
                "This page is for people",
                "Workbooks open only in a person's browser, from the link they were given.",
            )
        if path not in app.workbooks:
            raise Refused(
                404, "This page does not exist", "Check the address, or start from the home page."
            )
        conf = app.voila_configuration
        for arg, ours in (("template", conf.template), ("theme", conf.theme)):
            given = self.get_argument(arg, None)
            if given is not None and given != ours:
                raise Refused(
                    404,
                    "This page does not exist",
                    f"This server has no {arg} {given!r}. Open the page without it.",
                )
        await IOLoop.current().run_in_executor(app.executor, self._check_link, app, path)
        km = self.kernel_manager
        if getattr(km, "at_capacity", lambda: False)():
            log.warning(
                "coprod: %d kernels running, the most allowed; answered 503", km.max_kernels
            )
            raise Refused(
                503,
                "Busy: please try again in a minute",
                "The server has as many pages open as it can hold just now. Try again in a "
                "minute; nothing you saved is lost.",
            )

    def _check_link(self, app: CoprodVoila, path: str) -> None:
        """The link in the query is one this notebook can open (runs on a worker thread).

        A member's token and a journal's key are accepted only when they are this browser's
        own (its HttpOnly cookie, set by /j/<code> or /journal): a page link someone else
        prepared goes there instead, and gives whoever prepared it nothing."""
        for name in ("code", "me", "key", "plan"):  # one value each, the one the kernel reads
            if len(self.get_query_arguments(name, strip=False)) > 1:
                raise Refused(404, *NOT_RECOGNISED)
        code = self.get_argument("code", "").strip()
        base = app.base
        if path == "self_assessment.ipynb":
            rnd, kind = self._round(app, code)
            if kind != "member":
                raise Refused(
                    404,
                    "This is the results link",
                    "This link opens the team's results, not the questions. Open it as it was given.",
                )
            if not rnd.is_open:
                raise Refused(
                    410,
                    "This round has closed",
                    "Answers can no longer be given or changed. Thank you for taking part.",
                )
            me = self.get_argument("me", "", strip=False)
            mine = self.get_cookie(f"coprod_me_{rnd.id}") or ""
            if not (valid_member_token(me) and hmac.compare_digest(me.encode(), mine.encode())):
                if not mine and self.get_argument("fresh", ""):  # just set, and not kept
                    raise Refused(
                        400,
                        "This page needs cookies",
                        "Your browser did not keep the cookie that brings your answers back. "
                        "Allow cookies for this site, then open the team link again.",
                    )
                raise Refused(302, redirect=f"{base}j/{quote(code, safe='')}")  # the server's token
        elif path == "team_results.ipynb":
            _, kind = self._round(app, code)
            if kind != "facilitator":
                raise Refused(
                    404,
                    "This is the team's link for answering",
                    "The results open from the results link you were given.",
                )
        elif path == "journal.ipynb":
            key = self.get_argument("key", "").strip()
            if not key:
                raise Refused(302, redirect=f"{base}journal")
            if not valid_journal_key(key):
                raise Refused(
                    404,
                    "This journal link is not recognised",
                    "Check that the whole link was copied. To start a new journal, open /journal.",
                )
            if not hmac.compare_digest(
                key.encode(), (self.get_cookie(JournalHandler.COOKIE) or "").encode()
            ):
                raise Refused(302, redirect=f"{base}journal")  # this device's own journal
        elif path == "planner.ipynb":
            plan = self.get_argument("plan", "").strip()
            if plan:
                try:
                    app.store.plan_by_code(plan)
                except NotFound:
                    raise Refused(
                        404,
                        "This plan link is not recognised",
                        "Check that the whole link was copied, or ask the person who shared it.",
                    ) from None

    @staticmethod
    def _round(app: CoprodVoila, code: str):
        if not code:
            raise Refused(
                404,
                "This page needs its link",
                "Open it from the link your facilitator shared.",
            )
        try:
            return app.store.round_by_code(code)
        except NotFound:
            raise Refused(404, *NOT_RECOGNISED) from None


class KernelAliveHandler(tornado.web.RequestHandler):
    """``{"alive": true|false}`` for a page's kernel: known to the kernel manager and running."""

    def initialize(self, app: Any) -> None:
        self.app = app

    def check_xsrf_cookie(self) -> None:
        return

    async def get(self, kernel_id: str) -> None:
        km = self.app.kernel_manager
        alive = False
        if UUID_RE.match(kernel_id):
            check = getattr(km, "is_alive", None)
            if check is not None:
                alive = await check(kernel_id)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"alive": alive}))


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
    """``/j/<code>``. A member's token is the server's: from the HttpOnly cookie of this device
    for this round, or new; never from the link (a ``me`` in it is ignored). To carry on on
    another device, ``?resume=<token>.<HMAC>`` (the link shown on the member's own page, see
    ``identity.resume_link``) opens that token's answers, after the person chose to."""

    def get(self, code: str) -> None:
        rnd = self._member_round(code)
        if rnd is None:
            return
        if self.get_argument("resume", ""):
            self._resume(code, rnd, choice="")
            return
        me = self._device_token(rnd)
        fresh: dict[str, str] = {}
        if not me:
            me, fresh = new_member_token(), {"fresh": "1"}  # (a browser without cookies is told)
            self._keep(rnd, me)
        self.redirect(self._render("self_assessment.ipynb", code=code, me=me, **fresh))

    def post(self, code: str) -> None:
        """The choice made on the "answers given on another device" page."""
        tornado.web.RequestHandler.check_xsrf_cookie(self)  # only that page can post it
        rnd = self._member_round(code)
        if rnd is None:
            return
        self._resume(code, rnd, choice=self.get_argument("choice", ""))

    def _member_round(self, code: str) -> Any:
        """The open round of a member code, or None once a page has said why not (a
        facilitator code goes to the results)."""
        try:
            rnd, kind = self.store.round_by_code(code)
        except NotFound:
            self.plain(404, *NOT_RECOGNISED)
            return None
        if kind == "facilitator":
            self.redirect(self._render("team_results.ipynb", code=code))
            return None
        if not rnd.is_open:
            self.plain(
                410,
                "This round has closed",
                "Answers can no longer be given or changed. Thank you for taking part.",
            )
            return None
        return rnd

    def _device_token(self, rnd: Any) -> str:
        me = self.get_cookie(f"coprod_me_{rnd.id}") or ""
        return me if valid_member_token(me) else ""

    def _keep(self, rnd: Any, me: str) -> None:
        security.set_cookie(
            self, f"coprod_me_{rnd.id}", me, expires_days=COOKIE_DAYS, path=self.base
        )

    def _resume(self, code: str, rnd: Any, choice: str) -> None:
        """A continuation link: signed by this server for this round, for a token that has
        answers; then, unless this device already holds that token, the person chooses."""
        value = self.get_argument("resume", "")
        token = resume_token(rnd.id, value)
        if not token or self.store._answer(rnd.id, token) is None:
            self.plain(
                403,
                "This link to carry on is not recognised",
                "It was not made by this server for answers given in this round, or it was "
                "not copied whole. Open the team link to answer on this device.",
            )
            return
        here = self._device_token(rnd)
        if here == token or choice == "link":
            self._keep(rnd, token)
            self.redirect(self._render("self_assessment.ipynb", code=code, me=token))
            return
        if choice == "device":
            self.redirect(f"{self.base}j/{quote(code, safe='')}")
            return
        warning = (
            "Use it only if you gave those answers yourself: anyone holding this link can read "
            "and change what it opens, so whoever gave it to you could read what you write."
        )
        if here:
            text = [
                "This link opens answers given on another device. This device has answers "
                "of its own for this round: which ones do you want to carry on with here?",
                warning,
                "The answers you do not choose are kept; they are not deleted.",
            ]
            keep_label = "Keep the ones on this device"
        else:
            text = [
                "This link opens answers given on another device, to carry on with them here.",
                warning,
            ]
            keep_label = "Start my own answers on this device"
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            pages.choice(
                "Answers given on another device",
                text,
                f"{self.base}j/{quote(code, safe='')}",
                {"resume": value},
                security.xsrf_form_html(self),
                [("device", keep_label), ("link", "Use those")],
            )
        )

    def _render(self, notebook: str, **query: str) -> str:
        return f"{self.base}voila/render/{quote(notebook)}?{urlencode(query)}"


class JournalHandler(_Plain):
    """``/journal``: a private journal. The visitor's key (from their cookie, or new: only the
    server makes keys) is kept in an HttpOnly cookie on this device and put in the page's link;
    ``/journal/<key>`` (the link they bookmark) opens the same journal on another device, once
    they chose to: a link never replaces this device's journal by itself, and a key the server
    never started opens nothing. Only the key's hash is stored."""

    COOKIE = "coprod_journal"

    def get(self, key: str | None = None) -> None:
        if key:
            self._link(key, choice="")
            return
        here = self._device_key()
        if not here:
            here = new_journal_key()
            self.store.journal_info(journal_key_owner(here))  # started today, with its name
            self._keep(here)
        self._open(here)

    def post(self, key: str | None = None) -> None:
        """The choice made on the "open this journal?" page."""
        tornado.web.RequestHandler.check_xsrf_cookie(self)  # only that page can post it
        if not key:
            self.redirect(f"{self.base}journal")
            return
        self._link(key, choice=self.get_argument("choice", ""))

    def _device_key(self) -> str:
        key = self.get_cookie(self.COOKIE) or ""
        return key if valid_journal_key(key) else ""

    def _keep(self, key: str) -> None:
        security.set_cookie(self, self.COOKIE, key, expires_days=COOKIE_DAYS, path=self.base)

    def _open(self, key: str) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.redirect(f"{self.base}voila/render/journal.ipynb?{urlencode({'key': key})}")

    def _link(self, key: str, choice: str) -> None:
        owner = journal_key_owner(key) if valid_journal_key(key) else ""
        if not owner or not self.store.journal_known(owner):
            self.plain(
                404,
                "This journal link is not recognised",
                "Check that the whole link was copied. To start a new journal, open /journal.",
            )
            return
        here = self._device_key()
        if here == key or choice == "link":
            self._keep(key)
            self._open(key)
            return
        if choice == "device":
            self.redirect(f"{self.base}journal")
            return
        theirs = pages.journal_label(*self.store.journal_info(owner))
        warning = (
            "Open it only if it is your own journal: anyone holding this link can read and "
            "change what is in it, so whoever gave it to you could read what you write there."
        )
        if here:
            mine = pages.journal_label(*self.store.journal_info(journal_key_owner(here)))
            text = [
                f"This link opens the journal {theirs}. This device has another journal "
                f"open: {mine}. Which one do you want on this device?",
                warning,
                "The journal you do not choose is kept, with everything in it.",
            ]
            buttons = [("device", f"Keep {mine}"), ("link", f"Open {theirs}")]
        else:
            text = [f"This link opens the journal {theirs}.", warning]
            buttons = [("device", "Start my own journal instead"), ("link", f"Open {theirs}")]
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            pages.choice(
                "Open this journal?",
                text,
                f"{self.base}journal/{quote(key, safe='')}",
                {},
                security.xsrf_form_html(self),
                buttons,
            )
        )


class ApiHandler(_Plain):
    """The members' Store calls. The call itself runs on the app's worker threads, so a slow
    write never holds up the event loop that every page's websocket runs on. The Store is safe
    there: each call takes its own connection from the SQLAlchemy engine's pool (SQLite in WAL
    mode with a busy timeout, so writers wait for each other instead of failing)."""

    def initialize(  # type: ignore[override]
        self, store: Any, base: str, token: str, executor: ThreadPoolExecutor
    ) -> None:
        self.store, self.base, self.token, self.executor = store, base, token, executor

    async def post(self, action: str) -> None:
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
            result = await IOLoop.current().run_in_executor(self.executor, lambda: method(**args))
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


class RobotsHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("User-agent: *\nDisallow: /\n")


class WorkbookContents(LargeFileManager):
    """The contents manager for workbooks/: our own notebooks, shipped with outputs stripped.
    Every cell is trusted as it is read, with no signature database and no "not trusted"
    warning for each page."""

    def mark_trusted_cells(self, nb, path=""):
        self.notary.mark_cells(nb, True)


class CoprodVoila(Voila):
    """Voilà with the coprod routes in front of its own, and coprod's kernel manager."""

    name = "coprod-voila"
    store = AnyTrait(help="the Store shared by the server's handlers")
    api_token = Unicode(help="secret the member pages' kernels send to the API")
    demo_links: List[Any] = List(help="(label, url, note) of the demo team, shown on the home page")
    store_threads = Integer(4, help="worker threads for the Store calls of the members' API")
    behind_proxy = Bool(False, help="trust X-Forwarded-Proto and X-Forwarded-For from a proxy")
    public = Bool(False, help="reachable by others (not loopback only, or behind a proxy)")
    owner_key = Unicode(help="the server owner's key: the start page needs it when public")
    pages_per_minute = Integer(30, help="pages one address may open a minute when public")
    start_pages_per_hour = Integer(10, help="start pages one address may open an hour when public")

    @property
    def page_limiter(self) -> security.RateLimiter:
        if getattr(self, "_page_limiter", None) is None:
            self._page_limiter = security.RateLimiter(self.pages_per_minute, 60)
        return self._page_limiter

    @property
    def start_limiter(self) -> security.RateLimiter:
        if getattr(self, "_start_limiter", None) is None:
            self._start_limiter = security.RateLimiter(self.start_pages_per_hour, 3600)
        return self._start_limiter

    @property
    def base(self) -> str:
        return self.server_url or self.base_url or "/"

    @property
    def executor(self) -> ThreadPoolExecutor:
        if getattr(self, "_executor", None) is None:
            self._executor = ThreadPoolExecutor(self.store_threads, thread_name_prefix="store")
        return self._executor

    @property
    def workbooks(self) -> set[str]:
        """The notebooks a page may render: the ones at the top of the served folder."""
        if getattr(self, "_workbooks", None) is None:
            from pathlib import Path

            self._workbooks = {p.name for p in Path(self.root_dir).glob("*.ipynb")}
        return self._workbooks

    def init_settings(self) -> dict:
        import voila.app as voila_app

        factory = voila_app.voila_kernel_manager_factory

        def coprod_factory(*args, **kwargs):
            return coprod_kernel_manager(factory(*args, **kwargs))

        voila_app.voila_kernel_manager_factory = coprod_factory
        try:
            settings = super().init_settings()
        finally:
            voila_app.voila_kernel_manager_factory = factory
        self.contents_manager = WorkbookContents(parent=self)
        settings["contents_manager"] = self.contents_manager
        settings["coprod"] = self
        # Issue 11: security headers on every response (an output transform, which covers
        # Voilà's static files and tornado's errors too; jupyter_server's own handlers read
        # "headers"), cookies that say SameSite, URLs logged without their secrets.
        settings["headers"] = {**settings.get("headers", {}), **security.HEADERS}
        settings["transforms"] = security.transforms(settings)
        settings["xsrf_cookie_kwargs"] = {"samesite": "Lax"}
        settings["coprod_behind_proxy"] = self.behind_proxy
        settings["log_function"] = security.log_request
        security.install_log_redaction(self.log)
        return settings

    def init_handlers(self) -> list:
        handlers = []
        for h in super().init_handlers():
            if len(h) > 1 and h[1] is TornadoVoilaHandler:
                h = (h[0], PageHandler, *h[2:])
            handlers.append(h)
        base = self.base
        common = {"store": self.store, "base": base}
        ours = [
            (url_path_join(base, r"/"), HomeHandler, {**common, "demo": list(self.demo_links)}),
            (url_path_join(base, r"/robots.txt"), RobotsHandler),
            (url_path_join(base, r"/j/([^/]*)"), JoinHandler, common),
            (url_path_join(base, r"/journal(?:/([^/]*))?"), JournalHandler, common),
            (url_path_join(base, r"/start"), security.StartHandler, {"app": self}),
            (
                url_path_join(base, r"/coprod/api/([a-z_]+)"),
                ApiHandler,
                {**common, "token": self.api_token, "executor": self.executor},
            ),
            (url_path_join(base, r"/coprod/kernel/([^/]+)"), KernelAliveHandler, {"app": self}),
        ]
        return ours + handlers

    def stop(self) -> None:
        super().stop()
        if getattr(self, "_executor", None) is not None:
            self._executor.shutdown(wait=False)
