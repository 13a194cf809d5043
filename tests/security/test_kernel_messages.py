"""Issue 14, as the attacker: a page's kernel runs no code that a browser sends it.

A results page's kernel holds the database URL (``COPROD_DB``): code run there would read
everyone's answers. The page's websocket (``/api/kernels/<id>/channels``) is passed to the
kernel by jupyter_server's ``ZMQChannelsWebsocketConnection.handle_incoming_message``
(jupyter_server/services/kernels/connection/channels.py, the ``allowed_message_types`` check),
which drops every message whose type is not in the kernel manager's allow-list. Voilà builds
its kernel manager with the list comm_open, comm_close, comm_msg, comm_info_request,
kernel_info_request, shutdown_request (voila/app.py, ``init_settings``), as a constructor
argument, so no configuration can widen it; coprod wraps that manager (server/app.py,
server/kernels.py), which must keep passing it on.

Real `coprod serve` processes (tests/browser/conftest.py's ``Server``), a real results page, its
kernel reached as the page's own script does (both websocket protocols, the page's cookies).
The second test lifts the allow-list in a copy of the server, to show the probe sees code run.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from browser.conftest import Server
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from coprod_widgets.content import FrameworkLibrary

SMALL = ("--expected-people", "0", "--other-pool", "0")
V1 = "v1.kernel.websocket.jupyter.org"
SESSION = uuid.uuid4().hex
QUIET = 5.0  # seconds a probe waits for replies (an execute_request runs in well under 1 s)

# The lifted copy of the server: Voilà's kernel manager built without its allow-list. A
# sitecustomize on the server's PYTHONPATH, taken off again so its kernels don't load it.
LIFT = """
import os
os.environ.pop("PYTHONPATH", None)
if os.environ.get("COPROD_TEST_PYTHONPATH"):
    os.environ["PYTHONPATH"] = os.environ["COPROD_TEST_PYTHONPATH"]
import voila.app as voila_app
_factory = voila_app.voila_kernel_manager_factory

def _lifted(*args, **kwargs):
    base = _factory(*args, **kwargs)

    class Lifted(base):
        def __init__(self, **kw):
            kw.pop("allowed_message_types", None)
            super().__init__(**kw)

    return Lifted

voila_app.voila_kernel_manager_factory = _lifted
"""


def message(msg_type: str, content: dict[str, Any], **metadata: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "visitor",
            "session": SESSION,
            "date": "2026-01-01T00:00:00.000000Z",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": metadata,
        "content": content,
    }


def send(ws: ClientConnection, msg: dict[str, Any], channel: str = "shell") -> str:
    """Send ``msg`` as the page does: v1 binary frames, or the older JSON text."""
    if ws.subprotocol == V1:
        parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata")]
        ws.send(serialize_msg_to_ws_v1([*parts, json.dumps(msg["content"]).encode()], channel))
    else:
        ws.send(json.dumps({**msg, "channel": channel, "buffers": []}))
    return str(msg["header"]["msg_id"])


def received(ws: ClientConnection, seconds: float) -> Iterator[dict[str, Any]]:
    """The messages the kernel sends for ``seconds`` (header, parent_header, content)."""
    deadline = time.time() + seconds
    while (left := deadline - time.time()) > 0:
        try:
            frame = ws.recv(timeout=left)
        except (TimeoutError, ConnectionClosed):  # a closed page answers nothing more
            return
        if isinstance(frame, bytes):
            _, parts = deserialize_msg_from_ws_v1(frame)
            keys = ("header", "parent_header", "metadata", "content")
            yield {k: json.loads(p) for k, p in zip(keys, parts, strict=False)}
        else:
            yield json.loads(frame)


def reply_to(ws: ClientConnection, msg_id: str, kind: str, timeout: float = 20) -> dict[str, Any]:
    """The first message of type ``kind`` the kernel sends in answer to ``msg_id``."""
    for msg in received(ws, timeout):
        if msg["parent_header"].get("msg_id") == msg_id and msg["header"]["msg_type"] == kind:
            return msg
    raise AssertionError(f"no {kind} to {msg_id} within {timeout} s")


def widget_states(ws: ClientConnection, control: str) -> dict[str, Any]:
    """The page's widgets (model id: state), asked over the widget control comm."""
    asked = send(
        ws, message("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
    )
    data = reply_to(ws, asked, "comm_msg")["content"]["data"]
    assert data["method"] == "update_states"
    return dict(data["states"])


def attacks(markers: Path, label: str) -> list[tuple[str, dict[str, Any], str]]:
    """(name, message, channel) of each message that would run code, or would be answered
    with the kernel's internals, if it reached the kernel. Code writes ``markers/<name>`` with
    the database URL it found."""

    def code(name: str) -> str:
        path = markers / f"{label}-{name}"
        db = "__import__('os').environ.get('COPROD_DB', '-')"
        return f"open({str(path)!r}, 'w').write({db})"  # an expression: user_expressions too

    def execute(name: str, **extra: Any) -> dict[str, Any]:
        content = {
            "code": code(name),
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
            **extra,
        }
        return message("execute_request", content)

    return [
        ("execute-shell", execute("execute-shell"), "shell"),
        ("execute-control", execute("execute-control"), "control"),
        (
            "user-expressions",
            execute("unused", code="", user_expressions={"x": code("user-expressions")}),
            "shell",
        ),
        ("execute-stdin", execute("execute-stdin"), "stdin"),
        ("inspect", message("inspect_request", {"code": "os.environ", "cursor_pos": 10}), "shell"),
        ("complete", message("complete_request", {"code": "os.envi", "cursor_pos": 7}), "shell"),
        ("history", message("history_request", {"hist_access_type": "tail", "n": 5}), "shell"),
        ("is-complete", message("is_complete_request", {"code": "1+"}), "shell"),
        ("debug", message("debug_request", {"seq": 1, "type": "request"}), "control"),
        ("input", message("input_reply", {"value": code("input")}), "stdin"),
    ]


def comm_attacks(markers: Path, label: str, widget: str) -> list[tuple[str, dict[str, Any]]]:
    """Allowed message types, with content that tries to make them run code."""
    code = f"open({str(markers / (label + '-comm'))!r}, 'w').write('ran')"
    return [
        (
            "unknown target",
            message(
                "comm_open",
                {"comm_id": uuid.uuid4().hex, "target_name": "exec", "data": {"code": code}},
            ),
        ),
        (
            "unregistered widget",
            message(
                "comm_open",
                {
                    "comm_id": uuid.uuid4().hex,
                    "target_name": "jupyter.widget",
                    "data": {
                        "state": {
                            "_model_module": "builtins",
                            "_model_name": "exec",
                            "_model_module_version": "",
                            "_view_module": "builtins",
                            "_view_name": "exec",
                            "_view_module_version": "",
                        },
                        "buffer_paths": [],
                    },
                },
            ),
        ),
        (
            "widget method",
            message("comm_msg", {"comm_id": widget, "data": {"method": "exec", "code": code}}),
        ),
        (
            "widget state",
            message(
                "comm_msg",
                {
                    "comm_id": widget,
                    "data": {"method": "update", "state": {"__class__": code}, "buffer_paths": []},
                },
            ),
        ),
    ]


def open_results(server: Server) -> tuple[str, str]:
    """(kernel id, Cookie header) of a demo team's results page, opened as a browser does."""
    from coprod_widgets.store import Store

    store = Store(server.db)
    made = store.rounds.create("Probe team", FrameworkLibrary().get("scie-four"))
    store.close()
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    req = urllib.request.Request(
        f"{server.url}/j/{made.facilitator_code}", headers={"User-Agent": "coprod-tests"}
    )
    with opener.open(req, timeout=120) as r:
        assert r.status == 200
        html = r.read().decode()
    m = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
    assert m, "no kernel id in the results page"
    return m.group(1), "; ".join(f"{c.name}={c.value}" for c in jar)


def probe(server: Server, markers: Path, check_page: bool = True) -> dict[str, Any]:
    """Send every attack to a results page's kernel over both websocket protocols; what
    came back and which markers were written, and (``check_page``) whether the page's widgets
    still answer. A kernel whose allow-list was lifted may be left in any state by the attacks
    (a debug or stdin message reaching it): there only what ran is asked."""
    kid, cookies = open_results(server)
    env = next(p.environ() for p in server.kernels() if any(kid in a for a in p.cmdline()))
    assert env.get("COPROD_DB") == server.db  # this kernel holds the database URL
    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kid}/channels?session_id={SESSION}"
    replied: set[str] = set()
    widget_replies: dict[str, bool] = {}
    for protocol in (V1, None):
        label = "v1" if protocol else "json"
        with connect(
            url,
            subprotocols=[protocol] if protocol else None,  # type: ignore[list-item]
            additional_headers={"Cookie": cookies, "User-Agent": "coprod-tests"},
            open_timeout=20,
        ) as ws:
            assert ws.subprotocol == protocol
            # The page's widgets, as its widget manager asks for them.
            control = uuid.uuid4().hex
            content = {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}}
            send(ws, message("comm_open", content, version="1.0.0"))
            states = widget_states(ws, control)
            assert states, "the results page has no widgets"
            widget = next(iter(states))
            sent = {send(ws, msg, channel): name for name, msg, channel in attacks(markers, label)}
            for _, msg in comm_attacks(markers, label, widget):
                send(ws, msg)
            for msg in received(ws, QUIET):
                parent = msg["parent_header"].get("msg_id")
                if parent in sent and msg["header"]["msg_type"] != "status":
                    replied.add(f"{label}:{sent[parent]}:{msg['header']['msg_type']}")
            if not check_page:
                continue
            # The page still works: the kernel answers, its widgets still sync.
            info = reply_to(ws, send(ws, message("kernel_info_request", {})), "kernel_info_reply")
            asked = send(
                ws, message("comm_msg", {"comm_id": widget, "data": {"method": "request_state"}})
            )
            update = reply_to(ws, asked, "comm_msg")["content"]["data"]
            widget_replies[label] = (
                info["content"]["status"] == "ok"
                and update["method"] == "update"
                and update["state"]["_model_name"] == states[widget]["model_name"]
                and set(widget_states(ws, control)) == set(states)
            )
    written = {p.name: p.read_text() for p in markers.iterdir()}
    return {"replied": replied, "written": written, "page works": widget_replies}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("sec-kernel"), pool=0, extra_args=SMALL)
    yield srv
    srv.stop()


def test_a_results_page_kernel_runs_no_code_sent_by_the_browser(served, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    got = probe(served, markers)
    assert got["written"] == {}, f"code sent by the browser ran: {got['written']}"
    assert got["replied"] == set(), f"the kernel answered: {sorted(got['replied'])}"
    assert got["page works"] == {"v1": True, "json": True}
    log = (served.home / "serve.log").read_text()
    assert 'Received message of type "execute_request", which is not allowed' in log


def test_the_probe_sees_code_run_when_the_allow_list_is_lifted(tmp_path, monkeypatch):
    """The same probe against a copy of the server whose kernel manager has no allow-list:
    the execute requests run (and find the database URL), so the test above can fail."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(LIFT)
    monkeypatch.setenv("COPROD_TEST_PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    )
    (tmp_path / "home").mkdir()
    srv = Server(tmp_path / "home", pool=0, extra_args=SMALL)
    try:
        markers = tmp_path / "markers"
        markers.mkdir()
        got = probe(srv, markers, check_page=False)
    finally:
        srv.stop()
    for label in ("v1", "json"):
        assert got["written"][f"{label}-execute-shell"] == srv.db
        assert got["written"][f"{label}-execute-control"] == srv.db
        assert got["written"][f"{label}-user-expressions"] == srv.db
        assert f"{label}:execute-shell:execute_reply" in got["replied"]
        assert f"{label}:inspect:inspect_reply" in got["replied"]
    assert not any(name.endswith("-comm") for name in got["written"])  # comms run no code
