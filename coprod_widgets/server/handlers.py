"""The server's own small handlers: the home page, robots.txt, a kernel's liveness, and the
route of an ``open`` or ``plan`` workbook (``/<route>`` -> its page, its query fields kept)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import tornado.web

from ..registry import Workbook
from . import pages
from .kernels import UUID_RE

if TYPE_CHECKING:
    from ..store import Store
    from .app import CoprodVoila


class Plain(tornado.web.RequestHandler):
    """A handler of ours: the Store, the server's address, and plain pages."""

    def initialize(
        self, store: Store, base: str, demo: list[tuple[str, str, str]] | None = None
    ) -> None:
        self.store, self.base, self.demo = store, base, demo

    def check_xsrf_cookie(self) -> None:  # our own handlers authenticate otherwise
        return

    def plain(self, status: int, title: str, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(pages.message(title, text))


class HomeHandler(Plain):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(pages.home(self.base, self.demo))


class RouteHandler(tornado.web.RequestHandler):
    """``/<route>`` of a workbook anyone may open: its page, with the query fields it reads
    (the page check then checks them as it checks any link)."""

    def initialize(self, workbook: Workbook, base: str) -> None:
        self.workbook, self.base = workbook, base

    def check_xsrf_cookie(self) -> None:
        return

    def get(self) -> None:
        query = {f: self.get_argument(f) for f in self.workbook.query if self.get_argument(f, "")}
        target = self.workbook.page(self.base)
        self.set_header("Cache-Control", "no-store")
        self.redirect(f"{target}?{urlencode(query)}" if query else target)


class KernelAliveHandler(tornado.web.RequestHandler):
    """``{"alive": true|false}`` for a page's kernel: known to the kernel manager and running."""

    def initialize(self, app: CoprodVoila) -> None:
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


class RobotsHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("User-agent: *\nDisallow: /\n")
