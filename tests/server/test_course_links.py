"""A course's links through a real `coprod serve`: ``/c/<join code>`` gives a private token in a
cookie and opens the participant's page with it; a trainer code opens the trainer's page; the page
check lets a participant's page through only with this browser's own token (and journal key); an
unknown code, a closed course and a continuation link each get what a person would expect."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser.conftest import Server

from coprod_widgets.content.courses import load_course
from coprod_widgets.identity import new_member_token, resume_value
from coprod_widgets.registry import opened_by
from coprod_widgets.server.links import CourseHandler

REPO = Path(__file__).resolve().parents[2]


def _routed() -> bool:
    from coprod_widgets.server.app import workbook_routes

    return any(h is CourseHandler for _, h, _ in workbook_routes("/", {}, None))  # type: ignore[arg-type]


pytestmark = pytest.mark.skipif(
    not _routed(),
    reason="server/app.py does not route /c/<code> to links.CourseHandler yet (workbook_routes)",
)


def fetch(url: str, cookies: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """(status, headers, body), redirects not followed, with the cookies given."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    headers = {"User-Agent": "coprod-tests"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=120) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def _set_cookies(headers: dict[str, str]) -> dict[str, str]:
    raw = headers.get("Set-Cookie", "")
    return dict(re.findall(r"(coprod_course_\d+)=([^;,\s]+)", raw))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("course-links")
    srv = Server(home, pool=0, extra_args=("--expected-people", "0", "--other-pool", "0"))
    from coprod_widgets.store import Store

    store = Store(srv.db)
    course = load_course(REPO / "data" / "courses" / "intro-coproduction")
    links = store.cohorts.create("Links cohort", course, min_answers=2)
    closed = store.cohorts.create("Closed cohort", course, min_answers=2)
    yield srv, store, links, closed
    srv.stop()
    store.close()


def test_a_join_code_gives_a_token_in_a_cookie_and_opens_the_course(served):
    srv, _, links, _ = served
    status, headers, _ = fetch(f"{srv.url}/c/{links.join_code}")
    assert status == 302
    target = urlsplit(headers["Location"])
    assert target.path == f"/voila/render/{opened_by('participant').notebook}"
    query = parse_qs(target.query)
    cookie = _set_cookies(headers)
    assert list(cookie) == [f"coprod_course_{links.cohort.id}"]
    me = cookie[f"coprod_course_{links.cohort.id}"]
    assert query == {"code": [links.join_code], "me": [me], "fresh": ["1"]}
    assert "HttpOnly" in headers["Set-Cookie"]
    # Coming back on this device: the same token, no new cookie.
    status, headers, _ = fetch(f"{srv.url}/c/{links.join_code}", cookie)
    assert status == 302 and parse_qs(urlsplit(headers["Location"]).query)["me"] == [me]
    assert not _set_cookies(headers)


def test_the_page_opens_only_with_this_browsers_own_token(served):
    srv, _, links, _ = served
    page = f"{srv.url}/voila/render/{opened_by('participant').notebook}"
    mine = {f"coprod_course_{links.cohort.id}": new_member_token()}
    someone = new_member_token()
    # A link someone prepared with a token of their choosing goes back to /c/<code>.
    status, headers, _ = fetch(f"{page}?code={links.join_code}&me={someone}", mine)
    assert status == 302 and headers["Location"].endswith(f"/c/{links.join_code}")
    # A browser that did not keep the cookie is told so.
    status, _, body = fetch(f"{page}?code={links.join_code}&me={someone}&fresh=1")
    assert status == 400 and "cookies" in body
    # A journal key that is not this browser's own is not let through.
    me = mine[f"coprod_course_{links.cohort.id}"]
    status, headers, _ = fetch(f"{page}?code={links.join_code}&me={me}&key={'k' * 22}", mine)
    assert status == 302 and headers["Location"].endswith(f"/c/{links.join_code}")
    # The trainer's code does not open the participant's page, nor the reverse.
    status, _, body = fetch(f"{page}?code={links.trainer_code}&me={me}", mine)
    assert status == 404 and "trainer" in body
    trainer_page = f"{srv.url}/voila/render/{opened_by('trainer').notebook}"
    status, _, body = fetch(f"{trainer_page}?code={links.join_code}")
    assert status == 404 and "participants" in body


def test_the_devices_journal_key_goes_with_the_course_page(served):
    srv, _, links, _ = served
    status, headers, _ = fetch(f"{srv.url}/journal")
    key = re.search(r"coprod_journal=([^;,\s]+)", headers["Set-Cookie"]).group(1)
    cookies = {"coprod_journal": key}
    status, headers, _ = fetch(f"{srv.url}/c/{links.join_code}", cookies)
    assert status == 302 and parse_qs(urlsplit(headers["Location"]).query)["key"] == [key]


def test_a_trainer_code_opens_the_trainers_page_and_an_unknown_one_is_plain(served):
    srv, _, links, _ = served
    status, headers, _ = fetch(f"{srv.url}/c/{links.trainer_code}")
    trainer = opened_by("trainer").notebook
    assert status == 302 and headers["Location"] == (
        f"/voila/render/{trainer}?code={links.trainer_code}"
    )
    assert not _set_cookies(headers)
    status, _, body = fetch(f"{srv.url}/c/not-a-code")
    assert status == 404 and "This link is not recognised" in body


def test_a_closed_course_lets_its_participants_read_and_no_one_join(served):
    srv, store, _, closed = served
    me = new_member_token()
    store.cohorts.join(closed.join_code, me, "Ada")
    store.cohorts.close(closed.cohort.id)
    status, _, body = fetch(f"{srv.url}/c/{closed.join_code}")
    assert status == 410 and "This course has closed" in body
    status, headers, _ = fetch(
        f"{srv.url}/c/{closed.join_code}", {f"coprod_course_{closed.cohort.id}": me}
    )
    assert status == 302 and parse_qs(urlsplit(headers["Location"]).query)["me"] == [me]


def test_a_continuation_link_is_the_servers_own_and_asks_first(served, monkeypatch):
    srv, store, links, _ = served
    me = new_member_token()
    store.cohorts.join(links.join_code, me, "Grace")
    monkeypatch.setenv("COPROD_HOME", str(srv.home))  # the server's signing key, its folder
    value = resume_value(links.cohort.id, me, "course")
    status, headers, body = fetch(f"{srv.url}/c/{links.join_code}?resume={value}")
    assert status == 200 and "another device" in body and "Use those" in body
    # Signed for a round, not this course: refused.
    round_value = resume_value(links.cohort.id, me)
    status, _, body = fetch(f"{srv.url}/c/{links.join_code}?resume={round_value}")
    assert status == 403 and "not recognised" in body
    # This device already holds it: straight in.
    status, headers, _ = fetch(
        f"{srv.url}/c/{links.join_code}?resume={value}",
        {f"coprod_course_{links.cohort.id}": me},
    )
    assert status == 302 and parse_qs(urlsplit(headers["Location"]).query)["me"] == [me]
