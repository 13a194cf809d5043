"""`coprod serve` and its kernels, over HTTP and the kernel websocket (no browser needed).

Each test runs a real `coprod serve` (tests/browser/conftest.py's ``Server``) with small pools
and counts the kernel processes it has before and after.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import pytest
from browser.conftest import Server, free_port, until

from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.registry import opened_by
from coprod_widgets.server.serve import pooled_kernels

SMALL = ("--expected-people", "1", "--other-pool", "1")
POOLED = pooled_kernels(1, 1)  # one for each registered workbook's page (start page's included)
MEMBER, RESULTS, START, JOURNAL, PLANNER = (
    opened_by(kind).notebook for kind in ("member", "facilitator", "owner", "journal", "plan")
)


def get(url: str, *, agent: str = "coprod-tests", timeout: float = 20, opener=None):
    """(status, headers, body) of a GET, following redirects, errors included."""
    req = urllib.request.Request(url, headers={"User-Agent": agent})
    try:
        with (opener or urllib.request.build_opener()).open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


def pids(server: Server) -> set[int]:
    return {p.pid for p in server.kernels()}


def settled(server: Server, count: int, timeout: float = 90) -> set[int]:
    """The kernel pids once ``count`` are running and stay so for 2 s."""
    deadline = time.time() + timeout
    last, since = None, time.time()
    while time.time() < deadline:
        now = pids(server)
        if now != last:
            last, since = now, time.time()
        elif len(now) == count and time.time() - since >= 2:
            return now
        time.sleep(0.2)
    raise AssertionError(f"expected {count} kernels, have {len(pids(server))}")


def kernel_id(html: str) -> str:
    m = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
    assert m, "no kernel id in the page"
    return m.group(1)


def alive(server: Server, kid: str) -> bool:
    status, headers, body = get(f"{server.url}/coprod/kernel/{kid}")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert set(data) == {"alive"}
    return data["alive"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    srv = Server(
        tmp_path_factory.mktemp("serve-small"),
        pool=1,
        extra_args=(*SMALL, "--reap-after", "4"),
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def links(small):
    from coprod_widgets.store import Store

    store = Store(small.db)
    made = store.rounds.create("Kernel team", FrameworkLibrary().get("scie-four"))
    store.close()
    return made


def member_page(server: Server, code: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    status, _, body = get(f"{server.url}/j/{code}", opener=opener, timeout=90)
    return status, body


def test_requests_that_show_no_workbook_start_no_kernel(small, links):
    before = settled(small, POOLED)
    render = f"{small.url}/voila/render"
    refused = [
        (f"{render}/{MEMBER}?code=bogus&me=whoever-1234567", 404, "not recognised"),
        (f"{render}/{MEMBER}", 404, "needs its link"),
        (f"{render}/{RESULTS}?code=bogus", 404, "not recognised"),
        (f"{render}/{RESULTS}", 404, "needs its link"),
        (f"{render}/{RESULTS}?code={links.member_code}", 404, "answering"),
        (f"{render}/no_such_workbook.ipynb", 404, "does not exist"),
        (f"{render}/../README.md", 404, "does not exist"),
        (f"{render}/{START}?template=nonexistent", 404, "no template"),
        (f"{render}/{START}?theme=dark", 404, "no theme"),
        (
            f"{render}/{MEMBER}?code={links.member_code}&me=whoever-1234567&template=nonexistent",
            404,
            "no template",
        ),
        (f"{render}/{JOURNAL}?key=bad", 404, "journal link is not recognised"),
        (f"{render}/{PLANNER}?plan=bogus", 404, "plan link is not recognised"),
    ]
    for url, status, text in refused:
        got, headers, body = get(url, timeout=10)
        assert got == status, url
        assert text in body, url
        assert "jupyter-config-data" not in body, url  # a plain page, not a workbook
    # A crawler following a real member link gets a plain page, not a kernel.
    got, headers, body = get(
        f"{render}/{MEMBER}?code={links.member_code}&me=whoever-1234567",
        agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    )
    assert got == 403
    assert "noindex" in headers["X-Robots-Tag"]
    got, _, body = get(f"{small.url}/robots.txt")
    assert got == 200 and "Disallow: /" in body
    time.sleep(3)  # a pool kernel handed out would be replaced after the 1 s fill delay
    assert pids(small) == before


def test_a_member_link_without_a_token_is_sent_to_get_one(small, links):
    req = urllib.request.Request(f"{small.url}/voila/render/{MEMBER}?code={links.member_code}")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.build_opener(NoRedirect()).open(req, timeout=10)
    assert e.value.code == 302
    assert e.value.headers["Location"].endswith(f"/j/{links.member_code}")


def test_kernel_alive_endpoint(small, links):
    settled(small, POOLED)
    status, body = member_page(small, links.member_code)
    assert status == 200
    kid = kernel_id(body)
    assert alive(small, kid) is True
    assert alive(small, "00000000-0000-4000-8000-000000000000") is False
    assert alive(small, "not-a-kernel") is False
    # Only "alive": no state, no connections, nothing else about the kernel.
    (proc,) = [p for p in small.kernels() if any(kid in part for part in p.cmdline())]
    os.kill(proc.pid, signal.SIGKILL)
    assert until(lambda: alive(small, kid) is False, timeout=15)


def test_a_page_gone_without_unload_has_its_kernel_shut_down_and_pools_are_kept(small, links):
    from websockets.sync.client import connect

    pooled = settled(small, POOLED)
    status, body = member_page(small, links.member_code)
    assert status == 200
    kid = kernel_id(body)
    ws = connect(  # no keepalive pings: this test drops the connection itself
        f"ws://127.0.0.1:{small.port}/api/kernels/{kid}/channels",
        open_timeout=20,
        ping_interval=None,
    )
    time.sleep(6)  # connected for longer than the reap time: kept
    assert alive(small, kid)
    ws.socket.close()  # the connection drops, no close handshake, no beacon
    assert until(lambda: not alive(small, kid), timeout=20)
    # The pre-started kernels, never handed out, all live on (one replaced the page's).
    time.sleep(5)
    now = settled(small, POOLED)
    assert len(now & pooled) == POOLED - 1


def test_the_members_api_runs_off_the_event_loop(small, links):
    """A store write held up by the database does not hold up anyone's page."""
    settled(small, POOLED)
    token = next(
        p.environ()["COPROD_API_TOKEN"]
        for p in small.kernels()
        if "COPROD_API_TOKEN" in p.environ()
    )
    db = small.db.removeprefix("sqlite:///")
    lock = sqlite3.connect(db, timeout=1, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # hold the write lock: the save below waits for it
    result: dict[str, object] = {}

    def save() -> None:
        req = urllib.request.Request(
            f"{small.url}/coprod/api/save_rating",
            data=json.dumps(
                {
                    "code": links.member_code,
                    "me": "api-thread-test-1234",
                    "statement_id": "equality-1",
                    "value": 4,
                }
            ).encode(),
            headers={"X-Coprod-Token": token, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            result["status"] = r.status

    t = threading.Thread(target=save)
    t.start()
    try:
        time.sleep(0.5)
        started = time.time()
        status, _, _ = get(f"{small.url}/", timeout=10)
        assert status == 200
        assert time.time() - started < 1.0
        assert t.is_alive()  # the save is still waiting for the database
    finally:
        lock.execute("COMMIT")
        lock.close()
    t.join(30)
    assert result["status"] == 200
    # Error mapping kept: an unknown code is 404 "not_found".
    req = urllib.request.Request(
        f"{small.url}/coprod/api/member_view",
        data=json.dumps({"code": "bogus", "me": "x" * 20}).encode(),
        headers={"X-Coprod-Token": token},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 404
    assert json.loads(e.value.read())["kind"] == "not_found"


def test_the_cap_on_kernels_answers_busy(tmp_path):
    from coprod_widgets.store import Store

    srv = Server(tmp_path, pool=1, extra_args=(*SMALL, "--max-kernels", str(POOLED + 1)))
    try:
        store = Store(srv.db)
        made = store.rounds.create("Busy team", FrameworkLibrary().get("scie-four"))
        store.close()
        settled(srv, POOLED)
        status, _ = member_page(srv, made.member_code)
        assert status == 200
        # (a browser of its own: a member page opens only with the cookie /j/ sets, issue 11)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        status, headers, body = get(f"{srv.url}/j/{made.member_code}", timeout=30, opener=opener)
        assert status == 503
        assert headers["Retry-After"] == "60"
        assert "try again in a minute" in body
        time.sleep(3)
        assert len(pids(srv)) <= POOLED + 1
    finally:
        srv.stop()


def test_a_busy_port_is_an_error_naming_it(tmp_path):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        env = {**os.environ, "COPROD_HOME": str(tmp_path)}
        env.pop("COPROD_DB", None)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "coprod_widgets.cli",
                "--db",
                f"sqlite:///{tmp_path / 'c.sqlite'}",
                "serve",
                "--port",
                str(port),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode != 0
    assert f"port {port}" in proc.stderr
    assert "open http" not in proc.stdout  # no address printed for a server that is not there
