"""Who is using the app and with which link: the one place that reads the environment for it.

- Served by `coprod serve` (Voilà): the link code and the member's private token come in the
  page's query string. With pre-started kernels the notebook runs before its page is requested,
  so ``from_request`` waits for the request first. The token (and a journal's key) is the
  server's own: made by it, kept in an HttpOnly cookie, and let through to a page only when it
  is that browser's cookie (server/page.py), so what the kernel reads here was never chosen by
  whoever made the link. Continuation links are signed here (``resume_link``).
- JupyterHub: ``JUPYTERHUB_USER``. Local JupyterLab: the OS user.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Visit:
    """Who came, with which link. The query fields are those the registered workbooks declare
    (``registry.Workbook.query``): the four of ours are attributes, any other one a workbook
    declares is read with ``get``."""

    code: str = ""  # the round's member or facilitator code
    me: str = ""  # the member's private token (identifies their answers, never their name)
    served: bool = False  # True under `coprod serve`
    user: str = ""  # a JupyterHub or OS user name where there is one
    base_url: str = ""  # where links point, when served
    plan: str = ""  # a plan's private code (the planner's ?plan=)
    key: str = ""  # a served journal's private key (the journal's ?key=; see journal_owner)
    extra: tuple[tuple[str, str], ...] = ()  # the other declared query fields, (name, value)

    def get(self, field: str) -> str:
        """The value of a declared query field ("" when the link has none)."""
        if field in _OWN_FIELDS:
            return str(getattr(self, field))
        return dict(self.extra).get(field, "")

    @classmethod
    def from_query(
        cls, query: str, *, served: bool = False, user: str = "", base_url: str = ""
    ) -> Visit:
        from .registry import query_fields

        q = parse_qs(query or "", keep_blank_values=False)
        values = {f: _first(q, f) for f in query_fields()}
        own = {f: values.pop(f, "") for f in _OWN_FIELDS}
        return cls(
            code=own["code"],
            me=own["me"],
            plan=own["plan"],
            key=own["key"],
            served=served,
            user=user,
            base_url=base_url,
            extra=tuple(values.items()),
        )


_OWN_FIELDS = ("code", "me", "plan", "key")


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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token)
    os.chmod(path, 0o600)  # an older, looser file is tightened too
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


# -- what only the server makes: member tokens, journal keys, continuation links -----------------
#
# A token or key is never taken from a link someone prepared: the server makes it, keeps it in an
# HttpOnly cookie on the visitor's device, and accepts it in a page's link only when it is the
# cookie's. To carry on on another device, a member is shown a continuation link that the server
# signed (HMAC-SHA256 with ``resume.key``, a secret in the data folder), so nobody can make one
# for a token of their choosing.

MEMBER_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,200}$")


def new_member_token() -> str:
    return secrets.token_urlsafe(24)


def new_journal_key() -> str:
    return secrets.token_urlsafe(16)


def valid_member_token(token: str) -> bool:
    """A member token as `coprod serve` makes them (``secrets.token_urlsafe(24)``)."""
    return bool(token) and bool(MEMBER_TOKEN_RE.match(token))


def resume_secret() -> bytes:
    """The key that signs continuation links: ``resume.key`` in the data folder, readable by its
    owner only, made the first time it is needed (as ``import.key`` is). Deleting it makes every
    continuation link given so far stop working, and nothing else."""
    from .paths import secret_key

    return secret_key("resume.key")


def _resume_mac(round_id: int, token: str, scope: str = "resume") -> str:
    msg = f"coprod-{scope}\n{int(round_id)}\n{token}".encode()
    return hmac.new(resume_secret(), msg, hashlib.sha256).hexdigest()


def resume_value(round_id: int, token: str, scope: str = "resume") -> str:
    """The ``resume`` of a member's continuation link: ``<token>.<HMAC(secret, round + token)>``.
    ``scope`` keeps a course's links (``"course"``, with the cohort's id) apart from a round's."""
    return f"{token}.{_resume_mac(round_id, token, scope)}"


def resume_token(round_id: int, value: str, scope: str = "resume") -> str:
    """The token a continuation link carries, or "" when the server did not sign it for this
    round (whether the token has answers is the store's to say)."""
    token, _, mac = (value or "").strip().rpartition(".")
    if not valid_member_token(token) or len(mac) != 64:
        return ""
    return token if hmac.compare_digest(mac, _resume_mac(round_id, token, scope)) else ""


def resume_link(base: str, code: str, round_id: int, token: str) -> str:
    """Where a member carries on, on another device (shown to them alone, on their own page)."""
    from urllib.parse import quote, urlencode

    from .registry import opened_by

    query = urlencode({"resume": resume_value(round_id, token)})
    route = opened_by("member").route
    return f"{base.rstrip('/')}/{route}/{quote(code, safe='')}?{query}"


def course_resume_link(base: str, join_code: str, cohort_id: int, token: str) -> str:
    """Where a course participant carries on, on another device (shown on their own page)."""
    from urllib.parse import quote, urlencode

    from .registry import route_link

    query = urlencode({"resume": resume_value(cohort_id, token, "course")})
    return f"{route_link('participant', base, quote(join_code, safe=''))}?{query}"


def only_owner_starts_rounds() -> bool:
    """True under a public `coprod serve` (not loopback, or behind a proxy): there, rounds are
    started only from the owner's start page, never from another page's kernel."""
    return os.environ.get("COPROD_PUBLIC") == "1"
