"""Issue 11: only the server makes tokens. Each test is written as the attacker: someone who
prepares a link (a facilitator sending "personal" links, say) and hopes to read or change what
the person who opens it writes. Against a real `coprod serve` over plain HTTP (urllib with a
cookie jar per person), and in Chromium for the journeys where someone answers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import urllib.error
import urllib.request
from datetime import date
from http.cookiejar import CookieJar
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlparse

import pytest
from browser.conftest import Server, until, wait_app
from playwright.sync_api import expect

from coprod_widgets import identity
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.identity import journal_key_owner

pytestmark = pytest.mark.browser

CHOSEN = "sender-chose-this-token-0123456789"  # the `me` the sender puts in the link
SECRET_WORDS = "Only my manager shouts at the peer workers"


# -- plumbing: one person = one cookie jar ----------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Person:
    """A browser, as far as cookies and redirects go."""

    def __init__(self, server: Server):
        self.server, self.jar = server, CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of one request, redirects not followed."""
        url = path if path.startswith("http") else self.server.url + path
        body = urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"User-Agent": "Mozilla/5.0 test"})
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.headers.get("Location", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Location", ""), e.read().decode()

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")


def form_fields(html: str) -> dict[str, str]:
    inputs = re.findall(r"<input type=.hidden. name=.([^'\"]+). value=.([^'\"]*).", html)
    return dict(inputs)


def pids(server: Server) -> set[int]:
    return {p.pid for p in server.kernels()}


def settled(server: Server, timeout: float = 120) -> set[int]:
    """The kernel pids once they stay the same for 6 s (the pools are full again, and the
    pages of an earlier test reaped)."""
    deadline = time.time() + timeout
    last, since = None, time.time()
    while time.time() < deadline:
        now = pids(server)
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= 6:
            return now
        time.sleep(0.2)
    raise AssertionError("the kernels did not settle")


@pytest.fixture(scope="module")
def srv(tmp_path_factory, chromium):
    s = Server(
        tmp_path_factory.mktemp("serve-security"),
        pool=1,
        extra_args=("--expected-people", "1", "--other-pool", "1", "--reap-after", "4"),
    )
    yield s
    s.stop()


@pytest.fixture()
def served_store(srv):
    from coprod_widgets.store import Store

    s = Store(srv.db)
    yield s
    s.close()


@pytest.fixture()
def round_links(served_store):
    return served_store.rounds.create("Ward 9", FrameworkLibrary().get("scie-four"))


def answer_first_statement(pg, store, rid: int, words: str = SECRET_WORDS) -> str:
    """Rate the first statement and write evidence; once the store has both, the page's token."""
    token = token_in(pg.url)
    pg.locator(".coprod-statement").nth(0).get_by_label("4 Often").check()
    pg.locator(".coprod-evidence textarea").fill(words)

    def saved() -> bool:
        a = store.members.answer(rid, token)
        return a is not None and words in a.comments.values() and bool(a.ratings)

    assert until(saved, 20), "the answer did not reach the store"
    return token


def token_in(url: str) -> str:
    return parse_qs(urlparse(url).query)["me"][0]


def assert_sees_nothing(pg) -> None:
    """The page shows no answer: no rating ticked, no evidence."""
    wait_app(pg)
    expect(pg.locator(".coprod-evidence textarea")).to_have_value("")
    assert pg.locator(".coprod-statement input:checked").count() == 0
    assert SECRET_WORDS not in pg.content()


# -- member links ------------------------------------------------------------------------------


def test_a_prepared_member_link_gives_its_sender_nothing(srv, served_store, round_links, chromium):
    code, rid = round_links.member_code, round_links.round.id
    prepared = f"{srv.url}/j/{code}?{urlencode({'me': CHOSEN})}"
    victim, sender = chromium.new_context(), chromium.new_context()
    try:
        pv = victim.new_page()
        pv.set_default_timeout(30_000)
        pv.goto(prepared)
        wait_app(pv)
        victim_token = token_in(pv.url)
        assert victim_token != CHOSEN
        answer_first_statement(pv, served_store, rid)
        assert until(
            lambda: (
                (a := served_store.members.answer(rid, victim_token)) is not None
                and SECRET_WORDS in a.comments.values()
            )
        )
        # The store holds the answer under a token the sender does not know, none under theirs.
        assert served_store.members.answer(rid, CHOSEN) is None
        [cookie] = [c for c in victim.cookies() if c["name"] == f"coprod_me_{rid}"]
        assert cookie["value"] == victim_token and cookie["httpOnly"]

        # The sender opens the very same link in their own browser: nothing of the victim's.
        ps = sender.new_page()
        ps.set_default_timeout(30_000)
        ps.goto(prepared)
        assert_sees_nothing(ps)
        assert token_in(ps.url) not in (CHOSEN, victim_token)
        assert served_store.members.answer(rid, CHOSEN) is None
    finally:
        victim.close()
        sender.close()


def test_a_prepared_render_link_gives_its_sender_nothing(srv, served_store, round_links, chromium):
    code, rid = round_links.member_code, round_links.round.id
    render = f"/voila/render/self_assessment.ipynb?{urlencode({'code': code, 'me': CHOSEN})}"

    # Over HTTP: the prepared page link is sent to /j/<code>, before any kernel is used.
    before = settled(srv)
    status, location, body = Person(srv).request(render)
    assert status == 302 and location == f"/j/{code}"
    assert "jupyter-config-data" not in body
    time.sleep(3)  # a pool kernel handed out would be replaced after the 1 s fill delay
    assert pids(srv) == before

    victim, sender = chromium.new_context(), chromium.new_context()
    try:
        pv = victim.new_page()
        pv.set_default_timeout(30_000)
        pv.goto(srv.url + render)
        wait_app(pv)
        victim_token = token_in(pv.url)
        assert victim_token != CHOSEN
        answer_first_statement(pv, served_store, rid)
        assert until(lambda: served_store.members.answer(rid, victim_token) is not None)
        assert served_store.members.answer(rid, CHOSEN) is None

        ps = sender.new_page()
        ps.set_default_timeout(30_000)
        ps.goto(srv.url + render)
        assert_sees_nothing(ps)

        # Even the victim's own token (read off a shared screen, a history, a log) is refused
        # in a page link without the victim's cookie: the sender is sent to a token of their own.
        for query in (
            {"code": code, "me": victim_token},
            [("code", code), ("me", CHOSEN), ("me", victim_token)],
        ):
            status, location, body = Person(srv).request(
                f"/voila/render/self_assessment.ipynb?{urlencode(query)}"
            )
            assert status in (302, 404), query
            assert "jupyter-config-data" not in body
    finally:
        victim.close()
        sender.close()


def test_a_browser_that_keeps_no_cookie_is_told_so_and_not_sent_round_in_circles(srv, round_links):
    code = round_links.member_code
    req = urllib.request.Request(f"{srv.url}/j/{code}", headers={"User-Agent": "Mozilla/5.0"})
    with pytest.raises(urllib.error.HTTPError) as e:  # urllib without a cookie jar
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 400
    body = e.value.read().decode()
    assert "This page needs cookies" in body and "jupyter-config-data" not in body


def test_forged_resume_links_are_refused_with_a_plain_page_and_start_no_kernel(
    srv, served_store, round_links, monkeypatch
):
    code, rid = round_links.member_code, round_links.round.id
    victim_token = identity.new_member_token()
    fw = served_store.rounds.framework(rid)
    served_store.members.save_rating(code, victim_token, fw.principles[0].statements[0].id, 4)

    monkeypatch.setenv("COPROD_HOME", str(srv.home))  # the server's own key, to sign as it does
    genuine_without_answers = identity.resume_value(rid, identity.new_member_token())
    other = served_store.rounds.create("Other ward", FrameworkLibrary().get("scie-four"))
    signed_for_another_round = identity.resume_value(other.round.id, victim_token)
    own_key = secrets.token_bytes(32)
    mac = hmac.new(own_key, f"coprod-resume\n{rid}\n{victim_token}".encode(), hashlib.sha256)
    forged = {
        "wrong HMAC": f"{victim_token}.{'0' * 64}",
        "signed with the attacker's own key": f"{victim_token}.{mac.hexdigest()}",
        "a token without answers, signed": genuine_without_answers,
        "signed for another round": signed_for_another_round,
        "no HMAC": victim_token,
        "the chosen token": f"{CHOSEN}.{'a' * 64}",
    }
    before = settled(srv)
    for what, value in forged.items():
        person = Person(srv)
        status, location, body = person.request(f"/j/{code}?{urlencode({'resume': value})}")
        assert status == 403, what
        assert "This link to carry on is not recognised" in body, what
        assert "jupyter-config-data" not in body and "<form" not in body, what
        assert person.cookie(f"coprod_me_{rid}") == "", what
        # Nor does posting the choice straight away get round the check.
        status, _, body = person.request(
            f"/j/{code}", {"resume": value, "choice": "link", "_xsrf": "x"}
        )
        assert status == 403, what
        assert person.cookie(f"coprod_me_{rid}") == "", what
    time.sleep(3)  # a pool kernel handed out would be replaced after the 1 s fill delay
    assert pids(srv) == before


def test_the_genuine_continuation_link_works_on_a_second_device_and_asks_before_replacing(
    srv,
    served_store,
    round_links,
    chromium,
):
    code, rid = round_links.member_code, round_links.round.id
    first, second, third = (chromium.new_context() for _ in range(3))
    try:
        p1 = first.new_page()
        p1.set_default_timeout(30_000)
        p1.goto(f"{srv.url}/j/{code}")
        wait_app(p1)
        mine = token_in(p1.url)
        answer_first_statement(p1, served_store, rid)
        assert until(lambda: served_store.members.answer(rid, mine) is not None)
        p1.get_by_text("Coming back on another device").click()
        details = p1.locator(".coprod-come-back")
        expect(details).to_contain_text("anyone holding it can read and change your answers")
        link = details.locator("code").inner_text()
        assert link.startswith(f"{srv.url}/j/{code}?resume=")
        assert "&me=" not in link and "?me=" not in link

        # A second device: asked first, with the warning; "Use those" opens the answers.
        p2 = second.new_page()
        p2.set_default_timeout(30_000)
        p2.goto(link)
        expect(p2.get_by_role("heading", name="Answers given on another device")).to_be_visible()
        expect(p2.locator("main")).to_contain_text("anyone holding this link can read and change")
        p2.get_by_role("button", name="Use those").click()
        wait_app(p2)
        assert token_in(p2.url) == mine
        expect(p2.locator(".coprod-evidence textarea")).to_have_value(SECRET_WORDS)
        expect(p2.locator(".coprod-statement").nth(0).get_by_label("4 Often")).to_be_checked()

        # A device that has answers of its own is not silently switched over.
        p3 = third.new_page()
        p3.set_default_timeout(30_000)
        p3.goto(f"{srv.url}/j/{code}")
        wait_app(p3)
        own = token_in(p3.url)
        answer_first_statement(p3, served_store, rid, "My own words on this device")
        assert until(lambda: served_store.members.answer(rid, own) is not None)
        p3.goto(link)
        expect(p3.get_by_role("heading", name="Answers given on another device")).to_be_visible()
        p3.get_by_role("button", name="Keep the ones on this device").click()
        wait_app(p3)
        assert token_in(p3.url) == own
        expect(p3.locator(".coprod-evidence textarea")).to_have_value("My own words on this device")
        [cookie] = [c for c in third.cookies() if c["name"] == f"coprod_me_{rid}"]
        assert cookie["value"] == own
    finally:
        for c in (first, second, third):
            c.close()


def test_a_page_elsewhere_cannot_make_the_choice_for_the_person(
    srv, served_store, round_links, monkeypatch
):
    """The choice page's form carries the _xsrf value; a post without it (from a page the
    sender made) changes nothing."""
    code, rid = round_links.member_code, round_links.round.id
    sender_token = identity.new_member_token()
    fw = served_store.rounds.framework(rid)
    served_store.members.save_rating(code, sender_token, fw.principles[0].statements[0].id, 2)
    victim = Person(srv)
    status, location, _ = victim.request(f"/j/{code}")
    assert status == 302
    victim_token = victim.cookie(f"coprod_me_{rid}")
    assert victim_token and victim_token in location

    # The sender has a genuine link of their own (they answered), and hopes the victim uses it.
    monkeypatch.setenv("COPROD_HOME", str(srv.home))  # signed as the server signs it
    theirs = identity.resume_value(rid, sender_token)
    for data in (
        {"resume": theirs, "choice": "link"},
        {"resume": theirs, "choice": "link", "_xsrf": "made-up"},
    ):
        status, _, _ = victim.request(f"/j/{code}", data)
        assert status == 403
        assert victim.cookie(f"coprod_me_{rid}") == victim_token
    # A GET with the choice in the link is only the question, again.
    status, _, body = victim.request(f"/j/{code}?{urlencode({'resume': theirs, 'choice': 'link'})}")
    assert status == 200 and "Keep the ones on this device" in body
    assert victim.cookie(f"coprod_me_{rid}") == victim_token


# -- journals ----------------------------------------------------------------------------------


def test_a_prepared_journal_link_does_not_replace_the_victims_journal(srv, served_store):
    sender, victim = Person(srv), Person(srv)
    status, location, _ = sender.request("/journal")
    assert status == 302
    sender_key = sender.cookie("coprod_journal")
    assert sender_key and identity.valid_journal_key(sender_key)
    served_store.journal.set_name(journal_key_owner(sender_key), "Reflections")
    status, _, _ = victim.request("/journal")
    victim_key = victim.cookie("coprod_journal")
    assert victim_key and victim_key != sender_key
    # The victim has written in their journal.
    from coprod_widgets.content.models import ModelLibrary

    served_store.journal.create(
        journal_key_owner(victim_key), ModelLibrary().get("gibbs"), title="Supervision notes"
    )

    # 1. The sender's journal link: a question naming both journals; the cookie stays.
    status, _, body = victim.request(f"/journal/{sender_key}")
    assert status == 200
    assert "Open this journal?" in body
    assert "“Reflections” (0 entries)" in body
    mine = f"“My journal (started {date.today().day}"
    assert mine in body and "(1 entry)" in body
    assert "jupyter-config-data" not in body
    assert victim.cookie("coprod_journal") == victim_key

    # 2. A post made elsewhere (no _xsrf) cannot choose for the victim.
    for data in ({"choice": "link"}, {"choice": "link", "_xsrf": "made-up"}):
        status, _, _ = victim.request(f"/journal/{sender_key}", data)
        assert status == 403
        assert victim.cookie("coprod_journal") == victim_key

    # 3. A prepared page link goes to the victim's own journal, before any kernel is used.
    status, location, body = victim.request(
        f"/voila/render/journal.ipynb?{urlencode({'key': sender_key})}"
    )
    assert status == 302 and location == "/journal"
    assert "jupyter-config-data" not in body
    status, location, _ = victim.request("/journal")
    assert status == 302 and parse_qs(urlparse(location).query)["key"] == [victim_key]

    # 4. A key the sender made up themselves opens nothing at all.
    made_up = secrets.token_urlsafe(16)
    status, _, body = victim.request(f"/journal/{made_up}")
    assert status == 404 and "This journal link is not recognised" in body
    status, _, _ = Person(srv).request(f"/journal/{quote(made_up)}")
    assert status == 404

    # 5. Choosing, on the page itself, to keep this device's journal keeps it.
    status, _, body = victim.request(f"/journal/{sender_key}")
    fields = form_fields(body)
    assert "_xsrf" in fields
    status, location, _ = victim.request(f"/journal/{sender_key}", {**fields, "choice": "device"})
    assert status == 302 and urljoin(srv.url, location) == f"{srv.url}/journal"
    assert victim.cookie("coprod_journal") == victim_key

    # 6. The owner's own choice on a second device opens their journal there.
    second = Person(srv)
    status, _, body = second.request(f"/journal/{sender_key}")
    assert "Start my own journal instead" in body
    status, location, _ = second.request(
        f"/journal/{sender_key}", {**form_fields(body), "choice": "link"}
    )
    assert status == 302 and parse_qs(urlparse(location).query)["key"] == [sender_key]
    assert second.cookie("coprod_journal") == sender_key


def test_the_journal_page_names_the_open_journal_in_the_browser(srv, served_store, chromium):
    context = chromium.new_context()
    try:
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        pg.goto(f"{srv.url}/journal")
        wait_app(pg)
        opened = pg.locator(".coprod-journal-open")
        expect(opened).to_contain_text("My journal (started")
        expect(opened).to_contain_text("0 entries")
        pg.get_by_label("Name of this journal").fill("Ward reflections")
        key = parse_qs(urlparse(pg.url).query)["key"][0]
        owner = journal_key_owner(key)
        assert until(lambda: served_store.journal.info(owner) == ("Ward reflections", 0), 20)
        expect(opened).to_contain_text("Ward reflections")
    finally:
        context.close()


# -- headless -----------------------------------------------------------------------------------


def test_the_journal_app_shows_its_name_and_number_of_entries(store):
    from coprod_widgets.apps.journal import JournalApp
    from coprod_widgets.content.models import ModelLibrary

    owner = journal_key_owner(identity.new_journal_key())
    other = journal_key_owner(identity.new_journal_key())
    app = JournalApp(store, owner)
    today = date.today()
    month = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()[today.month - 1]
    default = f"My journal (started {today.day} {month} {today.year})"
    assert default in app.header.value and "0 entries" in app.header.value
    assert app.name_box.value == default

    app.name_box.value = "Practice <b>notes</b>"
    assert app.flush()
    assert store.journal.info(owner) == ("Practice <b>notes</b>", 0)
    assert "Practice &lt;b&gt;notes&lt;/b&gt;" in app.header.value  # escaped, never markup

    app.name_box.value = "   "
    app.flush()
    assert "empty" in app.name_note.value
    assert store.journal.info(owner)[0] == "Practice <b>notes</b>"

    gibbs = ModelLibrary().get("gibbs")
    store.journal.create(owner, gibbs, title="One")
    store.journal.create(owner, gibbs, title="Two")
    app.refresh_list()
    assert "2 entries" in app.header.value

    # Someone else's journal says whose it is at once: another name, another count.
    store.journal.set_name(other, "Not mine")
    store.journal.create(other, gibbs, title="Theirs")
    theirs = JournalApp(store, other)
    assert "Not mine" in theirs.header.value and "1 entry" in theirs.header.value
    assert "Practice" not in theirs.header.value
