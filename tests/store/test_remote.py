"""RemoteMemberStore against the real tornado ApiHandler, served from a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import tornado.httpserver
import tornado.web
from tornado.testing import bind_unused_port

from coprod_widgets.errors import Closed, CoprodError, InvalidInput, NotFound
from coprod_widgets.model.rounds import Rating
from coprod_widgets.server.app import ApiHandler
from coprod_widgets.store.remote import MEMBER_ACTIONS, RemoteMemberStore

TOKEN = "server-secret-for-tests"
ME = "tok-remote-member-0123456789"


class ApiServer:
    """A tornado.web.Application with only the API route, on 127.0.0.1 and a free port."""

    def __init__(self, store):
        # The server runs store calls on threads of its own, off the event loop.
        self.executor = ThreadPoolExecutor(2, thread_name_prefix="test-api")
        self.app = tornado.web.Application(
            [
                (
                    r"/coprod/api/([a-z_]+)",
                    ApiHandler,
                    {"store": store, "base": "/", "token": TOKEN, "executor": self.executor},
                )
            ]
        )
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as e:  # noqa: BLE001 - reported to the test
            self._error = e
            self._ready.set()

    async def _main(self) -> None:
        sock, self.port = bind_unused_port()
        server = tornado.httpserver.HTTPServer(self.app)
        server.add_sockets([sock])
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        server.stop()
        await server.close_all_connections()

    def start(self) -> ApiServer:
        self._thread.start()
        assert self._ready.wait(10), "the API server did not start"
        if self._error:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/coprod/api"


@pytest.fixture
def server(store):
    s = ApiServer(store).start()
    yield s
    s.stop()


@pytest.fixture
def remote(server):
    return RemoteMemberStore(server.url, TOKEN, timeout=5)


@pytest.fixture
def links(store, framework):
    return store.rounds.create("Remote team", framework, roles=["Staff"])


def test_the_member_actions_are_the_stores(store):
    for action in MEMBER_ACTIONS:
        assert callable(getattr(store.members, action))
        assert callable(getattr(RemoteMemberStore, action))


def test_round_trip_saves_to_the_real_store(remote, store, links):
    code = links.member_code
    ts = remote.save_rating(code, ME, "assets-1", 4)
    assert isinstance(ts, str) and ts.startswith("20")
    remote.save_rating(code, ME, "assets-2", None, dont_know=True)
    remote.save_comment(code, ME, "assets", "Over the wire <b>ok</b>")
    remote.save_profile(code, ME, name="ignored in anonymous rounds", role="Staff")
    remote.submit(code, ME)

    [answer] = store.rounds.answers(links.round.id)
    assert answer.ratings == {"assets-1": Rating(4, False), "assets-2": Rating(None, True)}
    assert answer.comments == {"assets": "Over the wire <b>ok</b>"}
    assert (answer.name, answer.role, answer.status) == ("", "Staff", "submitted")

    view = remote.member_view(code, ME)
    assert view["round"]["id"] == links.round.id
    assert view["framework"]["id"] == "nef-nesta-six"
    assert view["answer"]["ratings"]["assets-1"] == {"value": 4, "dont_know": False}
    assert view["answer"]["status"] == "submitted"


def test_wrong_token_is_refused_and_writes_nothing(server, store, links):
    bad = RemoteMemberStore(server.url, "not-the-secret", timeout=5)
    with pytest.raises(CoprodError, match="not allowed") as exc:
        bad.save_rating(links.member_code, ME, "assets-1", 4)
    assert type(exc.value) is CoprodError
    assert store.rounds.answers(links.round.id) == []


def test_empty_token_is_refused(server, links):
    with pytest.raises(CoprodError, match="not allowed"):
        RemoteMemberStore(server.url, "", timeout=5).member_view(links.member_code, ME)


def test_not_found_maps_to_not_found(remote, links):
    with pytest.raises(NotFound, match="not recognised"):
        remote.member_view("no-such-code", ME)
    with pytest.raises(NotFound, match="not a member link"):
        remote.save_rating(links.facilitator_code, ME, "assets-1", 3)


def test_closed_maps_to_closed(remote, store, links):
    remote.save_rating(links.member_code, ME, "assets-1", 2)
    store.rounds.close(links.round.id)
    with pytest.raises(Closed, match="closed"):
        remote.save_rating(links.member_code, ME, "assets-1", 5)
    with pytest.raises(Closed):
        remote.submit(links.member_code, ME)
    assert store.rounds.answers(links.round.id)[0].rating("assets-1").value == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda r, c: r.save_rating(c, ME, "assets-1", 9),
        lambda r, c: r.save_rating(c, ME, "assets-1", True),
        lambda r, c: r.save_rating(c, ME, "nope", 3),
        lambda r, c: r.save_comment(c, ME, "nope", "text"),
        lambda r, c: r.save_profile(c, ME, role="Manager"),
        lambda r, c: r.save_rating(c, "short", "assets-1", 3),
    ],
    ids=["out-of-scale", "bool", "unknown-statement", "unknown-principle", "role", "token"],
)
def test_invalid_input_maps_to_invalid_input(remote, store, links, call):
    with pytest.raises(InvalidInput):
        call(remote, links.member_code)
    assert store.rounds.answers(links.round.id) == []


def test_unknown_action_and_wrong_arguments(server, links):
    r = RemoteMemberStore(server.url, TOKEN, timeout=5)
    with pytest.raises(NotFound, match="no action 'close_round'"):
        r._call("close_round", {"round_id": links.round.id})
    with pytest.raises(InvalidInput, match="wrong arguments"):
        r._call("save_rating", {"code": links.member_code, "unexpected": 1})


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_server_down_says_answers_are_kept():
    down = RemoteMemberStore(f"http://127.0.0.1:{_free_port()}/coprod/api", TOKEN, timeout=1)
    with pytest.raises(CoprodError, match="kept on this page") as exc:
        down.save_rating("any-code", ME, "assets-1", 3)
    assert type(exc.value) is CoprodError


def test_from_env(monkeypatch):
    assert RemoteMemberStore.from_env() is None
    monkeypatch.setenv("COPROD_API", "http://127.0.0.1:1/coprod/api/")
    assert RemoteMemberStore.from_env() is None  # the token is needed too
    monkeypatch.setenv("COPROD_API_TOKEN", "secret")
    r = RemoteMemberStore.from_env()
    assert r is not None
    assert (r.base_url, r.token) == ("http://127.0.0.1:1/coprod/api", "secret")
