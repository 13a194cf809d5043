"""A real JupyterHub (configurable-http-proxy from npm) running coprod as its service with
deploy/jupyterhub_config.py on PostgreSQL, three hub users in Chromium: a round end to end under
/services/coprod/, nobody in without a hub login, nobody in another's journal.

Needs: pip install '.[hub,postgres]'; npm install -g configurable-http-proxy; Debian's
postgresql (tests/pg.py); Debian's chromium and Playwright (tests/browser/conftest.py). Skipped with those hints where any is missing, failed
instead under COPROD_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY_CONFIG = REPO / "deploy" / "jupyterhub_config.py"
PASSWORD = "a-fixed-test-password"
FACILITATOR, MEMBERS = "fay", ("mo", "sam")
PREFIX = "/services/coprod"

pytestmark = pytest.mark.browser


def chp() -> str | None:
    return shutil.which("configurable-http-proxy")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def fetch(url: str, *, method: str = "GET", data: bytes | None = None, headers=None):  # type: ignore[no-untyped-def]
    """(status, headers) without following redirects."""
    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(req, timeout=20) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


class Hub:
    """`jupyterhub` with the deploy config, a test authenticator and ports of its own."""

    def __init__(self, home: Path, db: str):
        self.home, self.db = home, db
        self.port, self.api_port, self.proxy_api = free_port(), free_port(), free_port()
        self.service_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = home / "jupyterhub_config.py"
        config.write_text(
            "c = get_config()\n"
            f"load_subconfig({str(DEPLOY_CONFIG)!r})\n"
            "c.JupyterHub.authenticator_class = 'dummy'\n"
            f"c.DummyAuthenticator.password = {PASSWORD!r}\n"
            f"c.Authenticator.allowed_users = {set([FACILITATOR, *MEMBERS])!r}\n"
            f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{self.api_port}'\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{self.proxy_api}'\n"
            f"c.ConfigurableHTTPProxy.command = [{chp()!r}]\n"
            f"c.JupyterHub.db_url = 'sqlite:///{home / 'hub.sqlite'}'\n"
            f"c.JupyterHub.cookie_secret_file = {str(home / 'hub_cookie_secret')!r}\n"
            f"c.JupyterHub.pid_file = {str(home / 'hub.pid')!r}\n",
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "COPROD_DB": db,
            "COPROD_HOME": str(home / "coprod"),
            "COPROD_PUBLIC_URL": self.url,
            "COPROD_HUB_BIND_URL": self.url,
            "COPROD_SERVICE_PORT": str(self.service_port),
            "COPROD_FACILITATORS": FACILITATOR,
            "COPROD_SERVE_ARGS": "--expected-people 1 --other-pool 1 --fill-delay 1",
            "PYTHONUNBUFFERED": "1",
        }
        self.log = open(home / "hub.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=home,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited:\n{(home / 'hub.log').read_text()[-4000:]}")
            status, _ = self._probe()
            if status == 302:  # the service is up, and sends a stranger to the hub's login
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(
            f"the hub's coprod did not answer:\n{(home / 'hub.log').read_text()[-4000:]}"
        )

    def _probe(self):  # type: ignore[no-untyped-def]
        try:
            return fetch(f"{self.url}{PREFIX}/")
        except OSError:
            return 0, None

    def processes(self):  # type: ignore[no-untyped-def]
        import psutil

        return psutil.Process(self.proc.pid).children(recursive=True)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="module")
def hub_and_round(tmp_path_factory, pg_cluster):
    """The hub, its coprod on a PostgreSQL database of its own (tests/pg.py's throwaway
    cluster, as deployed), and a round."""
    pytest.importorskip("jupyterhub", reason="pip install '.[hub]' (JupyterHub) for this test")
    if chp() is None:
        pytest.skip("npm install -g configurable-http-proxy (JupyterHub's proxy) for this test")
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.store import Store

    home = tmp_path_factory.mktemp("hub")
    db = pg_cluster.new_database()
    store = Store(db)
    links = store.rounds.create("Ward 9", FrameworkLibrary().get("scie-four"), min_answers=2)
    hub = Hub(home, db)
    yield hub, store, links
    hub.stop()
    store.close()
    pg_cluster.drop(db)


def log_in(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The hub's own login form (the page coprod sent the browser to)."""
    page.wait_for_selector("#username_input")
    assert urlsplit(page.url).path.endswith("/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")


def test_a_round_through_a_real_hub(hub_and_round, chromium):
    from playwright.sync_api import expect

    from coprod_widgets.identity import journal_key_owner

    hub, store, links = hub_and_round
    started = time.time()

    # Nothing without a hub login: a page is sent to the hub, the API and a forged cookie get
    # nothing.
    status, headers = fetch(f"{hub.url}{PREFIX}/j/{links.member_code}")
    assert status == 302 and "/hub/api/oauth2/authorize" in headers["Location"]
    status, _ = fetch(
        f"{hub.url}{PREFIX}/coprod/api/member_view",
        method="POST",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    assert status == 403
    status, headers = fetch(
        f"{hub.url}{PREFIX}/journal", headers={"Cookie": "service-coprod=forged; coprod_journal=x"}
    )
    assert status == 302 and "/hub/api/oauth2/authorize" in headers["Location"]

    contexts, journals = {}, {}
    for name in MEMBERS:
        ctx = chromium.new_context(viewport={"width": 1100, "height": 1200})
        contexts[name] = ctx
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{hub.url}{PREFIX}/j/{links.member_code}")
        log_in(page, name)
        page.wait_for_selector(".coprod-app", timeout=90_000)
        assert urlsplit(page.url).path == f"{PREFIX}/voila/render/self_assessment.ipynb"
        page.locator(".coprod-statement").nth(0).get_by_label("4 Often").check()
        page.locator(".coprod-evidence textarea").fill(f"{name} co-chairs the ward meeting.")
        expect(page.locator(".coprod-save-status")).to_contain_text("All changes saved")
        typed = f"{name} co-chairs the ward meeting."
        deadline = time.time() + 15  # the server saves a moment after the page says so
        while time.time() < deadline and not any(
            typed in a.comments.values() for a in store.rounds.answers(links.round.id)
        ):
            time.sleep(0.2)
        # The journal: the hub user's own.
        page.goto(f"{hub.url}{PREFIX}/journal")
        page.wait_for_selector(".coprod-app", timeout=90_000)
        journals[name] = parse_qs(urlsplit(page.url).query)["key"][0]

    # Each hub user's answers are kept under the token the server made for that user.
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.server.hub import derived

    secret = bytes.fromhex((hub.home / "coprod" / "hub.key").read_text().strip())
    fw = FrameworkLibrary().get("scie-four")
    for name in MEMBERS:
        me = derived(secret, "member", links.round.id, name)
        answer = store.members.answer(links.round.id, me)
        assert (
            answer is not None and f"{name} co-chairs the ward meeting." in answer.comments.values()
        )
        for s in fw.statements[1:]:  # the rest through the store, for the results to show
            store.members.save_rating(links.member_code, me, s.id, 3)
        store.members.submit(links.member_code, me)
    assert len(store.rounds.answers(links.round.id)) == 2
    mo, sam = MEMBERS
    assert journals[mo] != journals[sam]

    # sam, with mo's journal link (a page link, then the bookmark link): never mo's journal.
    page = contexts[sam].new_page()
    page.goto(f"{hub.url}{PREFIX}/voila/render/journal.ipynb?key={journals[mo]}")
    page.wait_for_selector(".coprod-app", timeout=90_000)
    assert parse_qs(urlsplit(page.url).query)["key"] == [journals[sam]]
    page.goto(f"{hub.url}{PREFIX}/journal/{journals[mo]}")
    page.get_by_role("button", name="Open").click()
    page.wait_for_selector(".coprod-app", timeout=90_000)
    assert parse_qs(urlsplit(page.url).query)["key"] == [journals[sam]]
    assert store.journal.known(journal_key_owner(journals[sam]))

    # A member may not start rounds; the hub's facilitator may, and sees the results.
    page.goto(f"{hub.url}{PREFIX}/start")
    expect(page.get_by_text("Only facilitators can start a round here")).to_be_visible()
    fac = chromium.new_context(viewport={"width": 1100, "height": 1200}).new_page()
    fac.set_default_timeout(60_000)
    fac.goto(f"{hub.url}{PREFIX}/j/{links.facilitator_code}")
    log_in(fac, FACILITATOR)
    fac.wait_for_selector(".coprod-app", timeout=90_000)
    expect(fac.locator(".coprod-results-body")).to_contain_text("Where views differ most")
    fac.goto(f"{hub.url}{PREFIX}/start")
    fac.wait_for_selector(".coprod-app", timeout=90_000)
    assert urlsplit(fac.url).path == f"{PREFIX}/voila/render/start_round.ipynb"

    # No kernel the service started holds the hub's token; a member page's holds no database.
    for proc in hub.processes():
        try:
            cmd, env = " ".join(proc.cmdline()), proc.environ()
        except Exception:  # noqa: BLE001 - gone meanwhile
            continue
        if "ipykernel" in cmd:
            assert "JUPYTERHUB_API_TOKEN" not in env and "COPROD_HUB_SECRET" not in env
            if env.get("SCRIPT_NAME", "").endswith("self_assessment.ipynb"):
                assert "COPROD_DB" not in env
    for ctx in contexts.values():
        ctx.close()
    fac.context.close()
    print(f"\nthe hub round took {time.time() - started:.1f} s after the hub was up")
