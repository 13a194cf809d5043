"""The page check: a workbook's page is given a kernel only when it will show that workbook.

Before Voilà starts (or hands out) a kernel, the request is checked: a crawler, a notebook that
is not served, another template or theme, a link this workbook cannot open (one checker per
link kind of the registry: ``LINK_CHECKS``), the owner's key and the rate limits on a server
others can reach, and the kernel cap. A refused page is a plain page, never a kernel.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from tornado.ioloop import IOLoop
from voila.tornado.handler import TornadoVoilaHandler

from ..errors import NotFound
from ..identity import valid_journal_key, valid_member_token
from ..registry import LinkKind, Workbook, by_notebook, query_fields
from . import pages, security
from .hub import FACILITATORS_ONLY
from .hub import journal_key as hub_journal_key
from .hub import member_token as hub_member_token
from .hub import participant_token as hub_participant_token

if TYPE_CHECKING:
    from ..model.cohort import Cohort
    from ..model.rounds import Round
    from .app import CoprodVoila

log = logging.getLogger("coprod.server")

# Crawlers and link previewers: a workbook is a person's page, never theirs to start.
CRAWLER_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit|embedly|preview|whatsapp|"
    r"telegram|discord|slack|skypeuri|bingpreview|lighthouse",
    re.IGNORECASE,
)
BUSY_SECONDS = 60
JOURNAL_COOKIE = "coprod_journal"  # the device's own journal key (set by /journal)


def is_crawler(user_agent: str) -> bool:
    return bool(user_agent) and bool(CRAWLER_RE.search(user_agent))


def member_cookie(round_id: int) -> str:
    """The cookie that holds this device's member token for a round (set by /j/<code>)."""
    return f"coprod_me_{round_id}"


def participant_cookie(cohort_id: int) -> str:
    """The cookie that holds this device's participant token for a cohort (set by /c/<code>)."""
    return f"coprod_course_{cohort_id}"


class Refused(Exception):
    """A page that will not be shown: its status, title and text, or where to send it."""

    def __init__(self, status: int, title: str = "", text: str = "", redirect: str = ""):
        super().__init__(title)
        self.status, self.title, self.text, self.redirect = status, title, text, redirect


NOT_RECOGNISED = (
    "This link is not recognised",
    "Check that the whole link was copied, or ask the person who shared it for it again.",
)
ROUND_CLOSED = (
    "This round has closed",
    "Answers can no longer be given or changed. Thank you for taking part.",
)
COURSE_CLOSED = (
    "This course has closed",
    "No one can join it or change answers any more. If you took part, open the link on the "
    "device you used to read your answers and your trainer's feedback.",
)
JOURNAL_NOT_RECOGNISED = (
    "This journal link is not recognised",
    "Check that the whole link was copied. To start a new journal, open /journal.",
)


class PageHandler(TornadoVoilaHandler):
    """Voilà's page, given a kernel only when it will show a workbook."""

    async def get(self, path: str | None = None) -> None:
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
        """On a server others can reach: the owner's key for the owner's pages (the start page),
        and how many pages (and owner's pages) one address may open (security.py)."""
        if not app.public:
            return
        wb = by_notebook(path)
        owners = wb is not None and wb.link == "owner"
        if owners and app.hub is not None:  # a hub service: its facilitators (hub.py)
            if not security.hub_facilitator(self):
                raise Refused(403, *FACILITATORS_ONLY)
        elif owners:
            given = self.get_argument("owner", "")
            if security.owner_ok(given, app.owner_key):  # keep it in a cookie, not in the URL
                security.set_owner_cookie(self, app, given)
                raise Refused(302, redirect=self.request.path)
            if not security.owner_ok(self.get_cookie(security.OWNER_COOKIE, ""), app.owner_key):
                raise Refused(403, *security.OWNER_ONLY)
        ip = security.client_ip(self)
        if owners and not app.start_limiter.allow(ip):
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
        """The link in the query is one this notebook can open (runs on a worker thread): the
        checker of its workbook's link kind. A notebook served but not registered is open."""
        for name in query_fields():  # one value each, the one the kernel reads
            if len(self.get_query_arguments(name, strip=False)) > 1:
                raise Refused(404, *NOT_RECOGNISED)
        wb = by_notebook(path)
        if wb is not None:
            LINK_CHECKS[wb.link](self, app, wb)

    def _round(self, app: CoprodVoila, code: str) -> tuple[Round, str]:
        if not code:
            raise Refused(
                404,
                "This page needs its link",
                "Open it from the link your facilitator shared.",
            )
        try:
            return app.store.rounds.by_code(code)  # type: ignore[no-any-return]
        except NotFound:
            raise Refused(404, *NOT_RECOGNISED) from None

    def _cohort(self, app: CoprodVoila, code: str) -> tuple[Cohort, str]:
        if not code:
            raise Refused(
                404, "This page needs its link", "Open it from the link your trainer shared."
            )
        try:
            return app.store.cohorts.by_code(code)  # type: ignore[no-any-return]
        except NotFound:
            raise Refused(404, *NOT_RECOGNISED) from None


# -- one checker per link kind (registry.LINK_KINDS) ----------------------------------------------
#
# A member's token and a journal's key are accepted only when they are this browser's own (its
# HttpOnly cookie, set by /j/<code> or /journal): a page link someone else prepared goes there
# instead, and gives whoever prepared it nothing.

Check = Callable[[PageHandler, "CoprodVoila", Workbook], None]


def _anyone(page: PageHandler, app: CoprodVoila, wb: Workbook) -> None:
    """``open``, and ``owner`` (whose key the guard checks on a server others can reach)."""


def _member(page: PageHandler, app: CoprodVoila, wb: Workbook) -> None:
    code = page.get_argument("code", "").strip()
    rnd, kind = page._round(app, code)
    if kind != "member":
        raise Refused(
            404,
            "This is the results link",
            "This link opens the team's results, not the questions. Open it as it was given.",
        )
    if not rnd.is_open:
        raise Refused(410, *ROUND_CLOSED)
    me = page.get_argument("me", "", strip=False)
    # The hub user's own token as a hub service; else this device's cookie.
    mine = hub_member_token(page, rnd.id) or page.get_cookie(member_cookie(rnd.id)) or ""
    if not (valid_member_token(me) and hmac.compare_digest(me.encode(), mine.encode())):
        if not mine and page.get_argument("fresh", ""):  # just set, and not kept
            raise Refused(
                400,
                "This page needs cookies",
                "Your browser did not keep the cookie that brings your answers back. "
                "Allow cookies for this site, then open the team link again.",
            )
        join = wb.route_url(app.base, quote(code, safe=""))
        raise Refused(302, redirect=join)  # the server's token


def _facilitator(page: PageHandler, app: CoprodVoila, wb: Workbook) -> None:
    _, kind = page._round(app, page.get_argument("code", "").strip())
    if kind != "facilitator":
        raise Refused(
            404,
            "This is the team's link for answering",
            "The results open from the results link you were given.",
        )


def _journal(page: PageHandler, app: CoprodVoila, wb: Workbook) -> None:
    key = page.get_argument("key", "").strip()
    start = wb.route_url(app.base)
    if not key:
        raise Refused(302, redirect=start)
    if not valid_journal_key(key):
        raise Refused(404, *JOURNAL_NOT_RECOGNISED)
    mine = hub_journal_key(page) or page.get_cookie(JOURNAL_COOKIE) or ""  # the hub user's
    if not hmac.compare_digest(key.encode(), mine.encode()):
        raise Refused(302, redirect=start)  # this device's own journal


def _plan(page: PageHandler, app: CoprodVoila, wb: Workbook) -> None:
    plan = page.get_argument("plan", "").strip()
    if plan:
        try:
            app.store.plans.by_code(plan)
        except NotFound:
            raise Refused(
                404,
                "This plan link is not recognised",
                "Check that the whole link was copied, or ask the person who shared it.",
            ) from None


def _participant(page: PageHandler, app: CoprodVoila, wb: Workbook) -> None:
    """A course's join code, with this device's own participant token (and, when it has one,
    its own journal key, so a reflection can be copied into that journal). A closed cohort's
    page still opens for its participants: their answers and feedback, read only."""
    code = page.get_argument("code", "").strip()
    cohort, kind = page._cohort(app, code)
    if kind != "participant":
        raise Refused(
            404,
            "This is the trainer's link",
            "This link opens the trainer's page, not the course. Open it as it was given.",
        )
    join = wb.route_url(app.base, quote(code, safe=""))
    me = page.get_argument("me", "", strip=False)
    # The hub user's own token as a hub service; else this device's cookie.
    mine = hub_participant_token(page, cohort.id) or page.get_cookie(participant_cookie(cohort.id))
    mine = mine or ""
    if not (valid_member_token(me) and hmac.compare_digest(me.encode(), mine.encode())):
        if not mine and page.get_argument("fresh", ""):  # just set, and not kept
            raise Refused(
                400,
                "This page needs cookies",
                "Your browser did not keep the cookie that brings your answers back. "
                "Allow cookies for this site, then open the course link again.",
            )
        raise Refused(302, redirect=join)  # the server's token
    key = page.get_argument("key", "", strip=False)
    journal = hub_journal_key(page) or page.get_cookie(JOURNAL_COOKIE) or ""
    if key and not (valid_journal_key(key) and hmac.compare_digest(key.encode(), journal.encode())):
        raise Refused(302, redirect=join)  # only this device's own journal


def _trainer(page: PageHandler, app: CoprodVoila, wb: Workbook) -> None:
    _, kind = page._cohort(app, page.get_argument("code", "").strip())
    if kind != "trainer":
        raise Refused(
            404,
            "This is the course link for participants",
            "The trainer's page opens from the trainer link you were given.",
        )


LINK_CHECKS: dict[LinkKind, Check] = {
    "open": _anyone,
    "owner": _anyone,
    "member": _member,
    "facilitator": _facilitator,
    "journal": _journal,
    "plan": _plan,
    "participant": _participant,
    "trainer": _trainer,
}
