"""Who is using the app and with which link: the one place that reads the environment for it.

- Served by `coprod serve` (Voilà): the link code and the member's private token come in the
  page's query string. With pre-started kernels the notebook runs before its page is requested,
  so ``from_request`` waits for the request first.
- JupyterHub: ``JUPYTERHUB_USER``. Local JupyterLab: the OS user.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Visit:
    code: str = ""  # the round's member or facilitator code
    me: str = ""  # the member's private token (identifies their answers, never their name)
    served: bool = False  # True under `coprod serve`
    user: str = ""  # a JupyterHub or OS user name where there is one
    base_url: str = ""  # where links point, when served
    plan: str = ""  # a plan's private code (the planner's ?plan=)
    key: str = ""  # a served journal's private key (the journal's ?key=; see journal_owner)

    @classmethod
    def from_query(cls, query: str, **kw) -> Visit:
        q = parse_qs(query or "", keep_blank_values=False)
        return cls(
            code=_first(q, "code"),
            me=_first(q, "me"),
            plan=_first(q, "plan"),
            key=_first(q, "key"),
            **kw,
        )


def _first(q: dict[str, list[str]], key: str) -> str:
    v = q.get(key) or [""]
    return v[0].strip()[:200]


def in_voila() -> bool:
    return (
        "VOILA_KERNEL_ID" in os.environ
        or "VOILA_PREHEAT" in os.environ
        or ("QUERY_STRING" in os.environ and "SERVER_PORT" in os.environ)
    )


def from_request(code: str | None = None, me: str | None = None) -> Visit:
    """The current visit. Explicit ``code``/``me`` (notebook parameters) win over the request."""
    base = base_url()
    user = os.environ.get("JUPYTERHUB_USER", "")
    if code:
        return Visit(code=code, me=me or local_token(), user=user, base_url=base)
    if in_voila():
        wait_for_request()
        query = os.environ.get("QUERY_STRING", "")
        return Visit.from_query(query, served=True, user=user, base_url=base)
    return Visit(me=me or local_token(), user=user or _os_user(), base_url=base)


def wait_for_request() -> None:
    """Wait until Voila hands this pre-started kernel its page request, then put the request's
    details (QUERY_STRING among them) into the environment.

    The same protocol as ``voila.utils.wait_for_request``, without importing voila: that import
    pulls in jupyter_server and costs every member's kernel about 44 MiB (53 -> 97 MiB, measured).
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return  # a kernel started for its request already has the request in its environment
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    ip = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    server_url = os.environ.get("VOILA_SERVER_URL", "/")
    ws_base = os.environ.get("VOILA_WS_BASE_URL", server_url)
    url = f"{protocol}://{ip}:{port}{ws_base}voila/query/{os.environ.get('VOILA_KERNEL_ID', '')}"
    result: dict[str, str] = {}

    def receive() -> None:
        import asyncio
        import json

        import websockets

        async def once() -> str | bytes:  # json.loads reads either
            async with websockets.connect(url, open_timeout=5) as ws:
                return await ws.recv()

        loop = asyncio.new_event_loop()
        try:
            result.update(json.loads(loop.run_until_complete(once())))
        finally:
            loop.close()

    import threading

    # The kernel's own event loop is busy running this cell: receive on a thread of its own.
    t = threading.Thread(target=receive, daemon=True)
    t.start()
    t.join()
    os.environ.update({k: str(v) for k, v in result.items()})


def base_url() -> str:
    """Where links to this server point ("" outside `coprod serve`)."""
    return os.environ.get("COPROD_BASE_URL", "")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not an error here
        return "local"


def local_token() -> str:
    """A private token kept in the user's own data folder, so their draft comes back.

    Random, not derived from the user name: whoever reads the database cannot work out which
    local or JupyterHub user gave which answers in an anonymous round.
    """
    from .paths import user_dir

    path = user_dir() / "member-token"
    try:
        token = path.read_text(encoding="utf-8").strip()
        if len(token) >= 16:
            return token
    except OSError:
        pass
    token = "local-" + secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(token, encoding="utf-8")
    os.chmod(path, 0o600)
    return token


# -- the reflective journal: whose journal this is ------------------------------------------------

JOURNAL_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,200}$")


def valid_journal_key(key: str) -> bool:
    """A private journal key as `coprod serve` makes them (``secrets.token_urlsafe(16)``)."""
    return bool(key) and bool(JOURNAL_KEY_RE.match(key))


def journal_key_owner(key: str) -> str:
    """The owner of a served journal: the key's sha256, so the database never holds the key."""
    return "key:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def journal_owner(key: str | None = None) -> tuple[str, Visit]:
    """Whose journal this page is, and the visit; the owner is "" when it cannot be known.

    - an explicit ``key`` (a parameter, the CLI's ``--key``): that served journal;
    - under `coprod serve`: only the private key in the page's link; without one, nobody
      (everyone shares the server's OS user, so it must never be used here);
    - a Voila of one's own under JupyterHub, or JupyterHub's JupyterLab: ``hub:<user>``;
    - JupyterLab or the command line on one's own machine: ``user:<OS user>``.
    """
    base = base_url()
    hub = os.environ.get("JUPYTERHUB_USER", "")
    if key:
        owner = journal_key_owner(key) if valid_journal_key(key) else ""
        return owner, Visit(key=key, user=hub, base_url=base)
    if in_voila():
        wait_for_request()
        visit = Visit.from_query(
            os.environ.get("QUERY_STRING", ""), served=True, user=hub, base_url=base
        )
        if visit.key:
            return (journal_key_owner(visit.key) if valid_journal_key(visit.key) else ""), visit
        if hub and not os.environ.get("COPROD_API"):  # not `coprod serve`: the hub's own Voila
            return f"hub:{hub}", visit
        return "", visit
    if hub:
        return f"hub:{hub}", Visit(user=hub, base_url=base)
    user = _os_user()
    return f"user:{user}", Visit(user=user, base_url=base)
