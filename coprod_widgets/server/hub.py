"""coprod as a JupyterHub service: the hub says who a person is (issue 14).

Run by the hub as a service (``JUPYTERHUB_SERVICE_PREFIX``, ``JUPYTERHUB_API_TOKEN`` and
``JUPYTERHUB_API_URL`` in its environment, or ``coprod serve --hub``), the server lives under the
service's prefix (``/services/coprod/``) and lets nobody in without the hub:

- Every request, pages, static files and kernels' websockets alike, goes through :meth:`Hub.admit`
  first (``guarded`` wraps every handler class the app routes to): no hub cookie, and a browser
  is sent to the hub's login (OAuth, with the state cookie), anything else answered 403; a hub
  user without the service's access scope is answered 403. Only two doors skip it, both for
  the server's own kernels over loopback: ``/voila/query/<kernel>`` (a pre-started kernel
  waiting for its page) and ``/coprod/api`` when it carries the per-server secret (the API
  checks that secret itself).
- The hub user is the person. Their journal key and their member token in a round are made by
  this server from the hub user's name (HMAC with a secret of the server's: ``hub.key`` in the
  data folder, or ``$COPROD_HUB_SECRET``), so the same person finds the same journal and the same
  answers on any device, nobody gets another's by carrying a cookie or a link, and whoever reads
  the database still cannot tell which user gave which answers.
- Who may start rounds (the owner's pages): the members of the hub group ``coprod-facilitators``
  (``--hub-facilitators``), read with the service's own token (``read:groups``), and the names in
  ``$COPROD_HUB_ADMINS``.

The service's hub token and secrets are taken out of the environment before any kernel starts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import json
import logging
import os
import time
from typing import TYPE_CHECKING, Any

import tornado.web
from tornado.httpclient import AsyncHTTPClient
from tornado.httputil import url_concat

if TYPE_CHECKING:
    from collections.abc import Mapping

log = logging.getLogger("coprod.server")

HUB_ENV = ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL")
FACILITATORS_GROUP = "coprod-facilitators"
GROUP_TTL = 30.0  # seconds a group's members are trusted before asking the hub again
# Secrets of the service that no kernel it starts may inherit.
SECRET_ENV = ("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "COPROD_HUB_SECRET", "COPROD_OWNER_KEY")

NOT_ALLOWED = (
    "Your hub account cannot open coprod",
    "You are logged in to the hub, but this account has not been given access to coprod. "
    "Ask the person who runs the hub.",
)
FACILITATORS_ONLY = (
    "Only facilitators can start a round here",
    f"Ask the person who runs the hub to add you to the group {FACILITATORS_GROUP!r}, or ask a "
    "facilitator to start the round and share its links.",
)


def in_hub(environ: Mapping[str, str] | None = None) -> bool:
    """Run by JupyterHub as a service: the three variables the hub gives its services are set."""
    env = os.environ if environ is None else environ
    return all(env.get(name) for name in HUB_ENV)


def service_prefix(environ: Mapping[str, str] | None = None) -> str:
    """The service's URL prefix, ``/services/<name>/``, with its slashes."""
    env = os.environ if environ is None else environ
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "") or "/"
    return "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"


def derived(secret: bytes, purpose: str, *parts: object) -> str:
    """A key this server makes for a hub user: url-safe, 43 characters, the shape
    ``identity.valid_journal_key`` and ``valid_member_token`` accept."""
    msg = "\n".join([f"coprod-hub-{purpose}", *map(str, parts)]).encode("utf-8")
    digest = hmac.new(secret, msg, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class Hub:
    """The hub's side of the server: its OAuth client, the facilitators, the keys made for each
    hub user."""

    def __init__(
        self,
        auth: Any,
        secret: bytes,
        *,
        facilitators_group: str = FACILITATORS_GROUP,
        admins: frozenset[str] = frozenset(),
        clock: Any = time.monotonic,
    ) -> None:
        self.auth, self.secret = auth, secret
        self.facilitators_group, self.admins, self.clock = facilitators_group, admins, clock
        self._group: tuple[float, frozenset[str]] | None = None

    @classmethod
    def from_env(cls, facilitators_group: str = FACILITATORS_GROUP) -> Hub:
        """The hub of this service's environment; its secrets are then removed from the
        environment (kernels inherit it)."""
        from jupyterhub.services.auth import HubOAuth

        from ..paths import secret_key

        env = os.environ
        prefix = service_prefix()
        auth = HubOAuth(
            api_token=env.get("JUPYTERHUB_API_TOKEN") or env.get("JPY_API_TOKEN", ""),
            api_url=env["JUPYTERHUB_API_URL"],
            base_url=prefix,
            cache_max_age=60,
        )
        # Read every value the hub client takes from the environment now, while it is there.
        for name in ("oauth_client_id", "oauth_redirect_uri", "login_url", "access_scopes"):
            getattr(auth, name)
        given = env.get("COPROD_HUB_SECRET", "").strip()
        secret = given.encode("utf-8") if given else secret_key("hub.key")
        admins = frozenset(
            n.strip() for n in env.get("COPROD_HUB_ADMINS", "").split(",") if n.strip()
        )
        for name in (*SECRET_ENV, "JUPYTERHUB_USER"):
            env.pop(name, None)
        return cls(auth, secret, facilitators_group=facilitators_group, admins=admins)

    @property
    def prefix(self) -> str:
        return str(self.auth.base_url)

    # -- keys made for a hub user ----------------------------------------------------------------

    def journal_key(self, user: str) -> str:
        return derived(self.secret, "journal", user)

    def member_token(self, round_id: int, user: str) -> str:
        return derived(self.secret, "member", int(round_id), user)

    def participant_token(self, cohort_id: int, user: str) -> str:
        return derived(self.secret, "participant", int(cohort_id), user)

    # -- facilitators --------------------------------------------------------------------------

    async def group_members(self) -> frozenset[str]:
        """The hub group's members, asked of the hub at most every ``GROUP_TTL`` seconds (no
        group, or no answer: nobody)."""
        now = self.clock()
        if self._group is not None and now - self._group[0] < GROUP_TTL:
            return self._group[1]
        url = f"{str(self.auth.api_url).rstrip('/')}/groups/{self.facilitators_group}"
        members: frozenset[str] = frozenset()
        try:
            resp = await AsyncHTTPClient().fetch(
                url,
                headers={"Authorization": f"token {self.auth.api_token}"},
                raise_error=False,
                request_timeout=10,
            )
            if resp.code == 200:
                members = frozenset(json.loads(resp.body).get("users", []))
            elif resp.code != 404:
                log.warning("coprod: the hub answered %d for group %s", resp.code, url)
        except Exception:  # noqa: BLE001 - no answer: no facilitators for now, said in the log
            log.exception("coprod: could not ask the hub for group %s", self.facilitators_group)
            if self._group is not None:
                return self._group[1]
        self._group = (now, members)
        return members

    async def is_facilitator(self, user: str) -> bool:
        return user in self.admins or user in await self.group_members()

    # -- the door --------------------------------------------------------------------------------

    async def admit(self, handler: tornado.web.RequestHandler) -> bool:
        """Let ``handler``'s request in (True, its hub user noted on it), or answer it (False):
        a redirect to the hub's login, or 403."""
        if skips_hub(handler):
            return True
        from jupyterhub.services.auth import check_scopes

        user = await self.auth.get_user(handler, sync=False)
        if not user or user.get("kind", "user") != "user":
            self._to_login(handler)
            return False
        if self.auth.access_scopes and not check_scopes(
            self.auth.access_scopes, set(user.get("scopes", []))
        ):
            refuse(handler, 403, *NOT_ALLOWED)
            return False
        name = str(user["name"])
        handler.coprod_hub_user = name  # type: ignore[attr-defined]
        handler.coprod_facilitator = await self.is_facilitator(name)  # type: ignore[attr-defined]
        return True

    def _to_login(self, handler: tornado.web.RequestHandler) -> None:
        from tornado.websocket import WebSocketHandler

        navigating = handler.request.method in ("GET", "HEAD") and not isinstance(
            handler, WebSocketHandler
        )
        if not navigating or handler.request.headers.get("Sec-Fetch-Mode", "navigate") not in (
            "navigate",
            "",
        ):
            refuse(handler, 403, "Log in to the hub first", "This needs a hub login.")
            return
        params: dict[str, str] = {}
        verifier = None
        if getattr(self.auth, "pkce_enabled", False):
            verifier, challenge, method = self.auth.generate_pkce_code_challenge()
            params.update(code_challenge=challenge, code_challenge_method=method)
        params["state"] = self.auth.set_state_cookie(
            handler, next_url=handler.request.uri, code_verifier=verifier
        )
        handler.set_header("Cache-Control", "no-store")
        handler.redirect(url_concat(self.auth.login_url, params))


def refuse(handler: tornado.web.RequestHandler, status: int, title: str, text: str) -> None:
    from . import pages

    handler.set_status(status)
    handler.set_header("Cache-Control", "no-store")
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.finish(pages.message(title, text))


def skips_hub(handler: tornado.web.RequestHandler) -> bool:
    """The server's own kernels' doors (loopback): the query socket a pre-started kernel waits
    on, and the members' API when the request carries its secret (the API checks it)."""
    from voila.request_info_handler import RequestInfoSocketHandler

    from .api import ApiHandler

    if isinstance(handler, RequestInfoSocketHandler):
        return True
    return isinstance(handler, ApiHandler) and bool(handler.request.headers.get("X-Coprod-Token"))


def hub_user(handler: tornado.web.RequestHandler) -> str:
    """The hub user this request was admitted for ("" when the server is not a hub service)."""
    return str(getattr(handler, "coprod_hub_user", "") or "")


def hub_of(handler: tornado.web.RequestHandler) -> Hub | None:
    hub = handler.settings.get("coprod_hub")
    return hub if isinstance(hub, Hub) else None


def journal_key(handler: tornado.web.RequestHandler) -> str:
    """The journal key of the request's hub user ("" when not a hub service)."""
    hub, user = hub_of(handler), hub_user(handler)
    return hub.journal_key(user) if hub is not None and user else ""


def member_token(handler: tornado.web.RequestHandler, round_id: int) -> str:
    """The member token of the request's hub user in a round ("" when not a hub service)."""
    hub, user = hub_of(handler), hub_user(handler)
    return hub.member_token(round_id, user) if hub is not None and user else ""


def participant_token(handler: tornado.web.RequestHandler, cohort_id: int) -> str:
    """The participant token of the request's hub user in a cohort ("" when not a hub service)."""
    hub, user = hub_of(handler), hub_user(handler)
    return hub.participant_token(cohort_id, user) if hub is not None and user else ""


_GUARDED: dict[type, type] = {}


def guarded(cls: type[tornado.web.RequestHandler]) -> type[tornado.web.RequestHandler]:
    """``cls`` with the hub's door in front of its own ``prepare``."""
    if cls in _GUARDED:
        return _GUARDED[cls]

    class Guarded(cls):  # type: ignore[valid-type,misc]
        async def prepare(self) -> None:
            hub = hub_of(self)
            if hub is not None and not await hub.admit(self):
                return
            parent = super().prepare()
            if inspect.isawaitable(parent):
                await parent

    Guarded.__name__ = Guarded.__qualname__ = cls.__name__
    guarded_cls: type[tornado.web.RequestHandler] = Guarded
    _GUARDED[cls] = guarded_cls
    return guarded_cls


def guard_routes(handlers: list[Any]) -> list[Any]:
    """Every route's handler class :func:`guarded`."""
    out = []
    for h in handlers:
        if isinstance(h, tuple) and len(h) > 1 and isinstance(h[1], type):
            h = (h[0], guarded(h[1]), *h[2:])
        out.append(h)
    return out


def callback_route(hub: Hub) -> tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]:
    """The OAuth callback: where the hub sends the browser back after its login."""
    from jupyter_server.utils import url_path_join

    return (url_path_join(hub.prefix, "oauth_callback"), callback_handler(), {"hub": hub})


def callback_handler() -> type[tornado.web.RequestHandler]:
    from jupyterhub.services.auth import HubOAuthCallbackHandler

    class CallbackHandler(HubOAuthCallbackHandler):  # type: ignore[misc]
        """jupyterhub's callback, with this server's hub client (not the process's default)."""

        def initialize(self, hub: Hub) -> None:
            self.hub_auth = hub.auth

    return CallbackHandler
