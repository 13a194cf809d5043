"""Voilà, extended with what a shared deployment needs: the app class and its routes.

Rooms (each a module of this package):

- ``handlers.py``: ``/`` the home page, listing the registered workbooks (and the demo team's
  links); ``/robots.txt``; ``/coprod/kernel/<id>``: ``{"alive": true|false}`` for a page that
  wants to know whether its kernel is still there; ``/<route>`` of an open workbook.
- ``links.py``: ``/j/<code>``, a team's link, ``/c/<code>``, a course's, and ``/journal``, a
  private journal: only the server makes member and participant tokens and journal keys, kept
  in HttpOnly cookies (as a hub service, made for the hub user).
- ``api.py``: ``/coprod/api/<action>``: the Store's member methods for member pages' kernels
  (loopback, with a per-server secret), so those kernels never load SQLAlchemy.
- ``hub.py``: as a JupyterHub service, every request goes through the hub's OAuth first and the
  hub user is the person (their journal, their answers, whether they may start rounds).
- ``page.py``: a page is checked before it gets a kernel: an unknown notebook, link code, plan or
  journal key (one checker per link kind of the registry), another template or theme, or a
  crawler gets a plain page; with ``max_kernels`` live kernels the answer is 503 and "try again
  in a minute" (see kernels.py for the pools and the reaper). Rendered pages set the ``_xsrf``
  cookie: Voilà 0.5's page sends it with its shutdown beacon when the tab closes; without the
  cookie the beacon fails its XSRF check and the kernel lives on.

Which routes exist comes from the registry (``coprod_widgets.registry``): each workbook's
``route`` is served by the handler of its link kind.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.services.contents.largefilemanager import LargeFileManager
from jupyter_server.utils import url_path_join
from traitlets import Any as AnyTrait
from traitlets import Bool, Integer, List, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from ..registry import LinkKind, opened_by, workbooks
from ..style import STYLE_DIR
from . import hub as hub_service
from . import security
from .api import ApiHandler
from .handlers import HomeHandler, KernelAliveHandler, RobotsHandler, RouteHandler
from .kernels import coprod_kernel_manager
from .links import CourseHandler, JoinHandler, JournalHandler
from .page import PageHandler, Refused, is_crawler

__all__ = [
    "ApiHandler",
    "CoprodVoila",
    "JoinHandler",
    "JournalHandler",
    "PageHandler",
    "Refused",
    "is_crawler",
]

RESERVED = {"voila", "coprod", "static", "api", "robots.txt", "files", "lab", "tree", "kernels"}
Route = tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]


def workbook_routes(base: str, common: dict[str, Any], app: CoprodVoila) -> list[Route]:
    """The route of each registered workbook, served by the handler of its link kind (a route
    two workbooks share, as ``/j/<code>`` for members and facilitators, once)."""
    kinds: dict[LinkKind, tuple[str, type[tornado.web.RequestHandler]]] = {
        "member": (r"/{}/([^/]*)", JoinHandler),
        "facilitator": (r"/{}/([^/]*)", JoinHandler),
        "journal": (r"/{}(?:/([^/]*))?", JournalHandler),
        "participant": (r"/{}/([^/]*)", CourseHandler),
        "trainer": (r"/{}/([^/]*)", CourseHandler),
        "owner": (r"/{}", security.StartHandler),
    }
    routes: list[Route] = []
    seen: set[str] = set()
    for wb in workbooks():
        if not wb.route:
            continue
        if wb.route.split("/")[0] in RESERVED or not re.fullmatch(r"[a-z0-9_-]+", wb.route):
            raise ValueError(f"workbook {wb.name}: route {wb.route!r} is taken or not a plain name")
        pattern, handler = kinds.get(wb.link, (r"/{}", RouteHandler))
        path = url_path_join(base, pattern.format(wb.route))
        if path in seen:
            continue
        seen.add(path)
        if handler is security.StartHandler:
            routes.append((path, handler, {"app": app}))
        elif handler is RouteHandler:
            routes.append((path, handler, {"workbook": wb, "base": base}))
        else:
            routes.append((path, handler, common))
    return routes


# What a member page's kernel is never given: it talks to the members' API, not the database.
MEMBER_KERNEL_HIDES = ("COPROD_DB",)


def without_db_for_members(base: type) -> type:
    """The kernel manager ``base``, starting member pages' kernels without the database URL
    (pooled ones know their notebook; one started for a request knows its path)."""
    member = opened_by("member").notebook

    def clean(env: dict[str, str] | None) -> dict[str, str] | None:
        return (
            None if env is None else {k: v for k, v in env.items() if k not in MEMBER_KERNEL_HIDES}
        )

    class MemberKernelsWithoutDb(base):  # type: ignore[valid-type,misc]
        async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
            if Path(notebook_path or "").name == member and "env" in kwargs:
                kwargs["env"] = clean(kwargs["env"])
            return await super()._initialize(notebook_path, kernel_id, **kwargs)

        async def start_kernel(self, *args, **kwargs):
            env = kwargs.get("env")
            if env is not None and Path(env.get("SCRIPT_NAME", "")).name == member:
                kwargs["env"] = clean(env)
            return await super().start_kernel(*args, **kwargs)

    return MemberKernelsWithoutDb


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
    hub = AnyTrait(None, allow_none=True, help="the hub.Hub when run as a JupyterHub service")

    def setup_template_dirs(self) -> None:
        """Voilà's template folders, and the folder of coprod's stylesheets (the coprod template
        includes ``page.css`` from it)."""
        super().setup_template_dirs()
        self.template_paths.append(str(STYLE_DIR))

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
        """The notebooks a page may render: the ones at the top of the served folder (serve.py
        makes it: the registered workbooks, and any other notebook of the workbooks folder)."""
        if getattr(self, "_workbooks", None) is None:
            self._workbooks = {p.name for p in Path(self.root_dir).glob("*.ipynb")}
        return self._workbooks

    def init_settings(self) -> dict:
        import voila.app as voila_app

        factory = voila_app.voila_kernel_manager_factory

        def coprod_factory(*args, **kwargs):
            return without_db_for_members(coprod_kernel_manager(factory(*args, **kwargs)))

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
        settings["coprod_hub"] = self.hub
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
        ours: list[Route] = [
            (url_path_join(base, r"/"), HomeHandler, {**common, "demo": list(self.demo_links)}),
            (url_path_join(base, r"/robots.txt"), RobotsHandler, {}),
            *workbook_routes(base, common, self),
            (
                url_path_join(base, r"/coprod/api/([a-z_]+)"),
                ApiHandler,
                {**common, "token": self.api_token, "executor": self.executor},
            ),
            (url_path_join(base, r"/coprod/kernel/([^/]+)"), KernelAliveHandler, {"app": self}),
        ]
        if self.hub is None:
            return ours + handlers
        # As a hub service: the OAuth callback, then every route behind the hub's door.
        return [hub_service.callback_route(self.hub), *hub_service.guard_routes(ours + handlers)]

    def stop(self) -> None:
        super().stop()
        if getattr(self, "_executor", None) is not None:
            self._executor.shutdown(wait=False)
