"""The links of a team and of a journal, where the server makes every identity.

- ``/<route>/<code>`` of the ``member`` and ``facilitator`` workbooks (``/j/<code>``): a member
  code gives the visitor a private token, kept in a cookie on their device, and opens the
  self-assessment with it; a facilitator code opens the results. An unknown or closed link gets
  a plain page.
- ``/<route>`` of the ``journal`` workbook (``/journal``): a private journal, its key the
  server's, kept in a cookie on the device.
- ``/<route>/<code>`` of the ``participant`` and ``trainer`` workbooks (``/c/<code>``): a
  course's join code gives the visitor a private token, as a member's, and opens the course
  workbook with it (and with this device's journal key, when it has one); a trainer code opens
  the trainer's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

import tornado.web

from ..errors import NotFound
from ..identity import (
    journal_key_owner,
    new_journal_key,
    new_member_token,
    resume_token,
    valid_journal_key,
    valid_member_token,
)
from ..registry import LinkKind, page_link, route_link
from . import pages, security
from .handlers import Plain
from .hub import journal_key as hub_journal_key
from .hub import member_token as hub_member_token
from .hub import participant_token as hub_participant_token
from .page import (
    COURSE_CLOSED,
    JOURNAL_COOKIE,
    JOURNAL_NOT_RECOGNISED,
    NOT_RECOGNISED,
    ROUND_CLOSED,
    member_cookie,
    participant_cookie,
)

if TYPE_CHECKING:
    from ..model.cohort import Cohort
    from ..model.rounds import Round

COOKIE_DAYS = 365


def choose_answers(
    handler: Plain, here: bool, opens: str, which: str, alone: str, action: str, value: str
) -> None:
    """The page where a person whose device holds other answers (``here``), or none, chooses
    between those and the ones a continuation link opens: one page for rounds and courses
    (``opens`` + ``which`` when the device has answers, ``alone`` when it has none)."""
    warning = (
        "Use it only if you gave those answers yourself: anyone holding this link can read "
        "and change what it opens, so whoever gave it to you could read what you write."
    )
    if here:
        text = [
            f"{opens}. This device has answers of its own {which}",
            warning,
            "The answers you do not choose are kept; they are not deleted.",
        ]
        keep_label = "Keep the ones on this device"
    else:
        text = [alone, warning]
        keep_label = "Start my own answers on this device"
    handler.set_header("Referrer-Policy", "no-referrer")
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(
        pages.choice(
            "Answers given on another device",
            text,
            action,
            {"resume": value},
            security.xsrf_form_html(handler),
            [("device", keep_label), ("link", "Use those")],
        )
    )


class JoinHandler(Plain):
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
        self.redirect(self._render("member", code=code, me=me, **fresh))

    def post(self, code: str) -> None:
        """The choice made on the "answers given on another device" page."""
        tornado.web.RequestHandler.check_xsrf_cookie(self)  # only that page can post it
        rnd = self._member_round(code)
        if rnd is None:
            return
        self._resume(code, rnd, choice=self.get_argument("choice", ""))

    def _member_round(self, code: str) -> Round | None:
        """The open round of a member code, or None once a page has said why not (a
        facilitator code goes to the results)."""
        try:
            rnd, kind = self.store.rounds.by_code(code)
        except NotFound:
            self.plain(404, *NOT_RECOGNISED)
            return None
        if kind == "facilitator":
            self.redirect(self._render("facilitator", code=code))
            return None
        if not rnd.is_open:
            self.plain(410, *ROUND_CLOSED)
            return None
        return rnd

    def _device_token(self, rnd: Round) -> str:
        if hub := hub_member_token(self, rnd.id):  # a hub service: the hub user's own token
            return hub
        me = self.get_cookie(member_cookie(rnd.id)) or ""
        return me if valid_member_token(me) else ""

    def _keep(self, rnd: Round, me: str) -> None:
        security.set_cookie(
            self, member_cookie(rnd.id), me, expires_days=COOKIE_DAYS, path=self.base
        )

    def _resume(self, code: str, rnd: Round, choice: str) -> None:
        """A continuation link: signed by this server for this round, for a token that has
        answers; then, unless this device already holds that token, the person chooses."""
        value = self.get_argument("resume", "")
        token = resume_token(rnd.id, value)
        if not token or self.store.members.answer(rnd.id, token) is None:
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
            self.redirect(self._render("member", code=code, me=token))
            return
        if choice == "device":
            self.redirect(self._join(code))
            return
        choose_answers(
            self,
            bool(here),
            "This link opens answers given on another device",
            "for this round: which ones do you want to carry on with here?",
            "This link opens answers given on another device, to carry on with them here.",
            self._join(code),
            value,
        )

    def _render(self, kind: LinkKind, **query: str) -> str:
        """The page of the workbook a link of this kind opens."""
        return page_link(kind, self.base, **query)

    def _join(self, code: str) -> str:
        return route_link("member", self.base, quote(code, safe=""))


class JournalHandler(Plain):
    """``/journal``: a private journal. The visitor's key (from their cookie, or new: only the
    server makes keys) is kept in an HttpOnly cookie on this device and put in the page's link;
    ``/journal/<key>`` (the link they bookmark) opens the same journal on another device, once
    they chose to: a link never replaces this device's journal by itself, and a key the server
    never started opens nothing. Only the key's hash is stored."""

    COOKIE = JOURNAL_COOKIE

    def get(self, key: str | None = None) -> None:
        if key:
            self._link(key, choice="")
            return
        here = self._device_key()
        if not here:
            here = new_journal_key()
            self.store.journal.info(journal_key_owner(here))  # started today, with its name
            self._keep(here)
        self._open(here)

    def post(self, key: str | None = None) -> None:
        """The choice made on the "open this journal?" page."""
        tornado.web.RequestHandler.check_xsrf_cookie(self)  # only that page can post it
        if not key:
            self.redirect(self._start())
            return
        self._link(key, choice=self.get_argument("choice", ""))

    def _device_key(self) -> str:
        if hub := hub_journal_key(self):  # a hub service: the hub user's own journal
            return hub
        key = self.get_cookie(self.COOKIE) or ""
        return key if valid_journal_key(key) else ""

    def _keep(self, key: str) -> None:
        security.set_cookie(self, self.COOKIE, key, expires_days=COOKIE_DAYS, path=self.base)

    def _open(self, key: str) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.redirect(page_link("journal", self.base, key=key))

    def _start(self) -> str:
        return route_link("journal", self.base)

    def _link(self, key: str, choice: str) -> None:
        owner = journal_key_owner(key) if valid_journal_key(key) else ""
        if not owner or not self.store.journal.known(owner):
            self.plain(404, *JOURNAL_NOT_RECOGNISED)
            return
        here = self._device_key()
        if here == key or choice == "link":
            self._keep(key)
            self._open(key)
            return
        if choice == "device":
            self.redirect(self._start())
            return
        theirs = pages.journal_label(*self.store.journal.info(owner))
        warning = (
            "Open it only if it is your own journal: anyone holding this link can read and "
            "change what is in it, so whoever gave it to you could read what you write there."
        )
        if here:
            mine = pages.journal_label(*self.store.journal.info(journal_key_owner(here)))
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
                f"{self._start()}/{quote(key, safe='')}",
                {},
                security.xsrf_form_html(self),
                buttons,
            )
        )


class CourseHandler(Plain):
    """``/c/<code>``. A participant's token is the server's, as a member's is: from the
    HttpOnly cookie of this device for this cohort, or new. The course page gets this device's
    journal key too, when it has one (its cookie, set by /journal), so a reflection can be
    copied into that journal; a page link never carries another. A trainer code opens the
    trainer's page. ``?resume=<token>.<HMAC>`` (the link on the participant's own page) carries
    on with that token's answers on this device, once the person chose to."""

    def get(self, code: str) -> None:
        cohort = self._cohort(code)
        if cohort is None:
            return
        if self.get_argument("resume", ""):
            self._resume(code, cohort, choice="")
            return
        me = self._device_token(cohort)
        if me:
            self._open(code, me)
            return
        if not cohort.is_open:  # nobody new joins a closed course
            self.plain(410, *COURSE_CLOSED)
            return
        me = new_member_token()
        self._keep(cohort, me)
        self._open(code, me, fresh=True)

    def post(self, code: str) -> None:
        """The choice made on the "answers given on another device" page."""
        tornado.web.RequestHandler.check_xsrf_cookie(self)  # only that page can post it
        cohort = self._cohort(code)
        if cohort is not None:
            self._resume(code, cohort, choice=self.get_argument("choice", ""))

    def _cohort(self, code: str) -> Cohort | None:
        """The cohort of a join code, or None once the page has said why not (a trainer code
        goes to the trainer's page)."""
        try:
            cohort, kind = self.store.cohorts.by_code(code)
        except NotFound:
            self.plain(404, *NOT_RECOGNISED)
            return None
        if kind == "trainer":
            self.redirect(page_link("trainer", self.base, code=code))
            return None
        return cohort  # type: ignore[no-any-return]

    def _device_token(self, cohort: Cohort) -> str:
        if hub := hub_participant_token(self, cohort.id):  # a hub service: the hub user's own
            return hub
        me = self.get_cookie(participant_cookie(cohort.id)) or ""
        return me if valid_member_token(me) else ""

    def _keep(self, cohort: Cohort, me: str) -> None:
        security.set_cookie(
            self, participant_cookie(cohort.id), me, expires_days=COOKIE_DAYS, path=self.base
        )

    def _open(self, code: str, me: str, fresh: bool = False) -> None:
        query = {"code": code, "me": me}
        key = hub_journal_key(self) or self.get_cookie(JOURNAL_COOKIE) or ""
        if valid_journal_key(key):
            query["key"] = key
        if fresh:
            query["fresh"] = "1"  # (a browser without cookies is told)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.redirect(page_link("participant", self.base, **query))

    def _resume(self, code: str, cohort: Cohort, choice: str) -> None:
        value = self.get_argument("resume", "")
        token = resume_token(cohort.id, value, "course")
        joined = False
        if token:
            try:
                self.store.cohorts.participant_view(code, token)
                joined = True
            except NotFound:
                pass
        if not joined:
            self.plain(
                403,
                "This link to carry on is not recognised",
                "It was not made by this server for this course, or it was not copied whole. "
                "Open the course link to take part on this device.",
            )
            return
        here = self._device_token(cohort)
        if here == token or choice == "link":
            self._keep(cohort, token)
            self._open(code, token)
            return
        if choice == "device":
            self.redirect(route_link("participant", self.base, quote(code, safe="")))
            return
        choose_answers(
            self,
            bool(here),
            "This link opens course answers given on another device",
            "for this course: which ones do you want here?",
            "This link opens course answers given on another device.",
            route_link("participant", self.base, quote(code, safe="")),
            value,
        )
