"""coprod as a JupyterHub service (server/hub.py), without a hub: its prefix in every link and in
the members' API, the door that sends a visitor without a hub login to the hub, the keys made
for each hub user, and what kernels are given. tests/integration/test_hub.py runs a real hub."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import run_async

pytest.importorskip("jupyterhub", reason="pip install '.[hub]' for the hub service's tests")

import tornado.httpserver
import tornado.web
from tornado.httpclient import AsyncHTTPClient
from tornado.testing import bind_unused_port
from tornado.websocket import WebSocketHandler, websocket_connect

from coprod_widgets.identity import (
    journal_key_owner,
    journal_owner,
    valid_journal_key,
    valid_member_token,
)
from coprod_widgets.registry import opened_by, workbooks
from coprod_widgets.server import hub as hub_service
from coprod_widgets.server.api import ApiHandler
from coprod_widgets.server.app import without_db_for_members, workbook_routes
from coprod_widgets.server.pages import home
from coprod_widgets.server.serve import hub_listen, hub_public_url, kernel_env

PREFIX = "/services/coprod/"
HUB_API = "http://127.0.0.1:9/hub/api"  # nothing listens there: no test may need the hub's API


@pytest.fixture
def hub(monkeypatch, tmp_path) -> hub_service.Hub:
    monkeypatch.setenv("COPROD_HOME", str(tmp_path))
    for name, value in {
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
        "JUPYTERHUB_API_TOKEN": "service-token-for-tests",
        "JUPYTERHUB_API_URL": HUB_API,
        "JUPYTERHUB_CLIENT_ID": "service-coprod",
        "JUPYTERHUB_SERVICE_NAME": "coprod",
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_USER": "someone-else",
        "COPROD_HUB_SECRET": "a-secret-for-tests-only-0123456789",
    }.items():
        monkeypatch.setenv(name, value)
    assert hub_service.in_hub()
    return hub_service.Hub.from_env()


def test_the_service_takes_its_secrets_out_of_the_environment_kernels_inherit(hub, monkeypatch):
    import os

    for name in ("JUPYTERHUB_API_TOKEN", "COPROD_HUB_SECRET", "JUPYTERHUB_USER"):
        assert name not in os.environ
    assert hub.auth.api_token == "service-token-for-tests"  # read before it went
    assert hub.prefix == PREFIX


def test_every_route_link_and_the_members_api_are_under_the_service_prefix():
    routes = workbook_routes(PREFIX, {"store": None, "base": PREFIX}, app=None)  # type: ignore[arg-type]
    assert routes and all(path.startswith(PREFIX) for path, *_ in routes)
    page = home(PREFIX)  # the server gives its pages its base with the slash
    hrefs = [h.split("'")[0] for h in page.split("href='")[1:]]
    assert hrefs and all(h.startswith(PREFIX) for h in hrefs), hrefs
    for wb in workbooks():
        if wb.route:
            assert wb.route_url(PREFIX.rstrip("/")).startswith(PREFIX)
    env = kernel_env(10101, PREFIX, "tok", hub_public_url(None, PREFIX), "sqlite://", True)
    assert env["COPROD_API"] == "http://127.0.0.1:10101/services/coprod/coprod/api"
    assert env["COPROD_BASE_URL"] == "/services/coprod"
    assert env["COPROD_PUBLIC"] == "1"


def test_links_point_at_the_hubs_public_address_with_the_prefix(monkeypatch):
    assert (
        hub_public_url("https://hub.example.org", PREFIX)
        == "https://hub.example.org/services/coprod"
    )
    assert (
        hub_public_url("https://hub.example.org/services/coprod/", PREFIX)
        == "https://hub.example.org/services/coprod"
    )
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")
    assert hub_listen(None, None) == (10101, "127.0.0.1")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://coprod:8866")
    assert hub_listen(None, None) == (8866, "0.0.0.0")
    assert hub_listen(9000, "127.0.0.1") == (9000, "127.0.0.1")


def test_each_hub_user_gets_their_own_journal_and_member_token_made_by_the_server(hub):
    alice, bob = hub.journal_key("alice"), hub.journal_key("bob")
    assert valid_journal_key(alice) and valid_journal_key(bob) and alice != bob
    assert hub.journal_key("alice") == alice  # the same on every device
    t = hub.member_token(1, "alice")
    assert valid_member_token(t) and t not in (
        hub.member_token(2, "alice"),
        hub.member_token(1, "bob"),
    )
    other = hub_service.Hub(hub.auth, b"another server's secret")
    assert other.journal_key("alice") != alice  # not worked out from the name alone


def test_jupyterhub_user_in_a_kernels_environment_changes_nothing(hub, monkeypatch):
    """A served journal's kernel knows its owner from the key the server checked, never from
    JUPYTERHUB_USER (which anyone's own environment could set)."""
    key = hub.journal_key("alice")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("COPROD_API", "http://127.0.0.1:1/services/coprod/coprod/api")
    monkeypatch.setenv("JUPYTERHUB_USER", "bob")
    monkeypatch.setenv("QUERY_STRING", f"key={key}")
    assert journal_owner()[0] == journal_key_owner(key)
    monkeypatch.setenv("QUERY_STRING", "")
    assert journal_owner()[0] == ""  # not hub:bob


def test_member_pages_kernels_are_started_without_the_database_url():
    seen: dict[str, dict] = {}

    class Base:
        async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
            seen[notebook_path] = kwargs["env"]

        async def start_kernel(self, *args, **kwargs):
            seen[kwargs["env"]["SCRIPT_NAME"]] = kwargs["env"]

    km = without_db_for_members(Base)()
    env = {"COPROD_DB": "postgresql://coprod:secret@db/coprod", "COPROD_API": "x"}
    member, results = opened_by("member").notebook, opened_by("facilitator").notebook

    async def start() -> None:
        await km._initialize(member, None, env=env)
        await km._initialize(results, None, env=env)
        await km.start_kernel(env={**env, "SCRIPT_NAME": f"{PREFIX}voila/render/{member}"})

    run_async(start())
    assert "COPROD_DB" not in seen[member] and seen[member]["COPROD_API"] == "x"
    assert "COPROD_DB" not in seen[f"{PREFIX}voila/render/{member}"]
    assert seen[results]["COPROD_DB"]  # the results page reads the store itself


def test_the_rate_limits_count_each_hub_user_not_the_hubs_proxy_address():
    from types import SimpleNamespace

    from coprod_widgets.server.security import client_ip

    def request(user: str):  # type: ignore[no-untyped-def]
        h = SimpleNamespace(request=SimpleNamespace(remote_ip="127.0.0.1", headers={}), settings={})
        if user:
            h.coprod_hub_user = user
        return h

    assert client_ip(request("alice")) == "hub:alice" != client_ip(request("bob"))
    assert client_ip(request("")) == "127.0.0.1"


class Page(tornado.web.RequestHandler):
    def get(self) -> None:
        self.finish("a person's page")


class Socket(WebSocketHandler):
    def open(self) -> None:
        self.write_message("opened")


def serve_and(hub: hub_service.Hub, client):  # type: ignore[no-untyped-def]
    """Run ``client(port)`` against an app whose every route is behind the hub's door."""

    async def main():  # type: ignore[no-untyped-def]
        app = tornado.web.Application(
            [
                hub_service.callback_route(hub),
                *hub_service.guard_routes(
                    [
                        (rf"{PREFIX}page", Page),
                        (rf"{PREFIX}socket", Socket),
                        (
                            rf"{PREFIX}coprod/api/([a-z_]+)",
                            ApiHandler,
                            {"store": None, "base": PREFIX, "token": "api", "executor": None},
                        ),
                    ]
                ),
            ],
            cookie_secret="cookie-secret-for-tests",
            coprod_hub=hub,
        )
        sock, port = bind_unused_port()
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets([sock])
        try:
            return await client(port)
        finally:
            server.stop()

    return run_async(main())


def test_a_request_without_a_hub_login_is_sent_to_the_hubs_login_never_served(hub):
    async def client(port: int):  # type: ignore[no-untyped-def]
        http = AsyncHTTPClient()
        page = await http.fetch(
            f"http://127.0.0.1:{port}{PREFIX}page", follow_redirects=False, raise_error=False
        )
        fetched = await http.fetch(
            f"http://127.0.0.1:{port}{PREFIX}page",
            headers={"Sec-Fetch-Mode": "cors"},
            raise_error=False,
        )
        try:
            await websocket_connect(f"ws://127.0.0.1:{port}{PREFIX}socket")
            ws_status = 101
        except tornado.httpclient.HTTPClientError as e:
            ws_status = e.code
        api = await http.fetch(
            f"http://127.0.0.1:{port}{PREFIX}coprod/api/member_view",
            method="POST",
            body="{}",
            follow_redirects=False,
            raise_error=False,
        )
        return page, fetched, ws_status, api

    page, fetched, ws_status, api = serve_and(hub, client)
    assert page.code == 302 and b"a person's page" not in (page.body or b"")
    login = urlsplit(page.headers["Location"])
    assert login.path == "/hub/api/oauth2/authorize"
    query = parse_qs(login.query)
    assert query["client_id"] == ["service-coprod"] and query["state"]
    assert query["redirect_uri"][0].endswith(f"{PREFIX}oauth_callback")
    assert "oauth-state" in page.headers.get("Set-Cookie", "")  # checked on the way back
    assert fetched.code == 403 and b"a person's page" not in fetched.body
    assert ws_status == 403
    assert api.code == 403  # a browser's request to the API: neither a redirect nor served


def test_the_kernels_api_keeps_its_own_secret_and_needs_no_hub_login(hub):
    async def client(port: int):  # type: ignore[no-untyped-def]
        return await AsyncHTTPClient().fetch(
            f"http://127.0.0.1:{port}{PREFIX}coprod/api/member_view",
            method="POST",
            body="{}",
            headers={"X-Coprod-Token": "wrong"},
            raise_error=False,
        )

    resp = serve_and(hub, client)
    assert resp.code == 403 and b'"kind": "forbidden"' in resp.body  # the API's own answer
