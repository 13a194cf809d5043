"""A team opening its link together, and pages that vanish without a word, in real Chromium."""

from __future__ import annotations

import time

import psutil
import pytest

from coprod_widgets.content import FrameworkLibrary

from .conftest import Server, until

pytestmark = pytest.mark.browser

PEOPLE = 8
RATING = ".coprod-app .coprod-rating input[type=radio]"


@pytest.fixture(scope="module")
def burst_server(tmp_path_factory, chromium):
    srv = Server(
        tmp_path_factory.mktemp("serve-burst"),
        pool=PEOPLE,
        extra_args=("--expected-people", str(PEOPLE)),
    )
    yield srv
    srv.stop()


def pooled(server: Server, count: int, timeout: float = 180) -> None:
    """Wait until the server's pools are warm: ``count`` kernels, quiet for 3 s."""
    if not server.settle(count, at_least=True, timeout=timeout):
        raise AssertionError(f"pools not warm: {len(server.kernels())} kernels of {count}")


def test_eight_member_pages_opened_at_once_all_show_the_app(burst_server, chromium):
    from coprod_widgets.store import Store

    store = Store(burst_server.db)
    links = store.rounds.create("Burst team", FrameworkLibrary().get("scie-four"))
    store.close()
    pooled(burst_server, PEOPLE + 3 * 2 + 1)
    contexts = [chromium.new_context() for _ in range(PEOPLE)]
    try:
        pages = [c.new_page() for c in contexts]
        url = f"{burst_server.url}/j/{links.member_code}"
        started = time.time()
        for pg in pages:  # all eight asked for before any has loaded
            pg.evaluate("url => { window.location.href = url; }", url)
        blank = []
        for i, pg in enumerate(pages):
            try:
                pg.wait_for_selector(".coprod-app", state="visible", timeout=90_000)
                pg.wait_for_selector(RATING, state="visible", timeout=30_000)
            except Exception:  # noqa: BLE001 - counted, reported below
                blank.append(i)
        took = time.time() - started
        assert blank == [], f"pages {blank} of {PEOPLE} stayed blank"
        log = (burst_server.home / "serve.log").read_text()
        assert "Timeout waiting for IOPub" not in log
        assert took < 90
        # Each page has its own kernel.
        kids = {
            pg.evaluate(
                "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
            )
            for pg in pages
        }
        assert len(kids) == PEOPLE
    finally:
        for c in contexts:
            c.close()


def test_a_browser_closed_without_unload_leaves_no_kernel(tmp_path, chromium):
    from coprod_widgets.store import Store

    reap = 5
    srv = Server(tmp_path, pool=1, extra_args=("--other-pool", "1", "--reap-after", str(reap)))
    try:
        store = Store(srv.db)
        links = store.rounds.create("Gone team", FrameworkLibrary().get("scie-four"))
        store.close()
        pooled(srv, 1 + 3 + 1)
        context = chromium.new_context()
        pg = context.new_page()
        pg.goto(f"{srv.url}/j/{links.member_code}")
        pg.wait_for_selector(RATING, state="visible", timeout=60_000)
        pid = srv.kernel_pid(pg)
        pg.wait_for_timeout((reap + 3) * 1000)  # open and connected: kept past the reap time
        assert psutil.pid_exists(pid)
        context.close()  # no beforeunload, no shutdown beacon: the page is simply gone

        def running() -> bool:
            try:
                return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return False

        assert until(lambda: not running(), timeout=reap + 20), (
            f"kernel {pid} still running {reap + 20} s after its browser closed"
        )
    finally:
        srv.stop()
