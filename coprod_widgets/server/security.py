"""What keeps a served workbook safe in a hostile browser and behind a proxy (issue 11).

- Headers on every response the server writes (ours, Voilà's pages, static files, the API,
  errors): a Content-Security-Policy as tight as Voilà's lab pages allow, no framing by another
  site (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), ``Referrer-Policy:
  no-referrer`` (member tokens and journal keys travel in URLs), ``nosniff``. One tornado
  output transform covers every handler, whatever its class.
- Cookies: one helper, :func:`set_cookie`: HttpOnly unless the page's own script must read it
  (``_xsrf``), SameSite=Lax, and Secure whenever the request came over https, directly or
  through a proxy that says so, trusted only with ``--behind-proxy`` (or ``--url https://...``).
- Secrets out of logs: request URLs are logged with their member token, journal key, link code
  and owner key cut short (:func:`redact`); database URLs with their password masked
  (:func:`mask_db_urls`).
- Who may start rounds on a server others can reach: the owner's key (:func:`owner_ok`), or as a
  JupyterHub service the hub's facilitators (:func:`hub_facilitator`, hub.py); and how
  many pages, and start pages, one address may open (:class:`RateLimiter`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import time
from collections import deque
from typing import Any

import tornado.web

from ..registry import opened_by, query_fields, workbooks
from ..store.store import mask_db_urls

# Voilà's lab pages run inline scripts, compile code at run time (widget and page-config
# code) and style their widgets inline: 'unsafe-inline' and 'unsafe-eval' stay. Everything
# else comes from this server: no other origin for scripts or connections; images and
# downloads are data: URLs (charts, export links); the kernel's websocket is this host. Our
# template drops the Font Awesome stylesheets Voilà's lab template links from a CDN.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "media-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def connect_src(host: str) -> str:
    """``connect-src`` for a page served at ``host``: 'self' and its websockets, named (older
    browsers do not count ws: as 'self')."""
    if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]{1,300}", host or ""):
        return "connect-src 'self'"
    return f"connect-src 'self' ws://{host} wss://{host}"


class SecurityHeaders(tornado.web.OutputTransform):
    """Sets :data:`HEADERS` on every response. A handler's own stricter policy (jupyter_server's
    API handlers add ``default-src 'none'``) is kept."""

    def __init__(self, request: Any) -> None:
        super().__init__(request)
        self.host = request.headers.get("Host", "") if request is not None else ""

    def transform_first_chunk(self, status_code, headers, chunk, finishing):  # type: ignore[no-untyped-def]
        for name, value in HEADERS.items():
            if name == "Content-Security-Policy":
                if name in headers and "frame-ancestors 'none'" in headers[name]:
                    continue
                value = value.replace("connect-src 'self'", connect_src(self.host))
            headers[name] = value
        return status_code, headers, chunk


def transforms(settings: dict) -> list:
    """The tornado output transforms: ours, then tornado's default (gzip, when asked for)."""
    out: list = [SecurityHeaders]
    if settings.get("compress_response") or settings.get("gzip"):
        out.append(tornado.web.GZipContentEncoding)
    return out


# -- https, proxies and cookies -------------------------------------------------------------------


def trusts_proxy(handler: tornado.web.RequestHandler) -> bool:
    return bool(handler.settings.get("coprod_behind_proxy"))


def is_https(handler: tornado.web.RequestHandler) -> bool:
    """The request came over https: to this server, or to a proxy we were told to trust."""
    req = handler.request
    if req.protocol == "https":
        return True
    if trusts_proxy(handler):
        proto = req.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return proto == "https"
    return False


def client_ip(handler: tornado.web.RequestHandler) -> str:
    """The visitor's address: the connection's, or, behind a trusted proxy, the last address
    that proxy added to X-Forwarded-For (or its X-Real-Ip). As a hub service, the hub user
    instead (``hub:<name>``): every page comes through the hub's proxy, one address for all."""
    hub_user = getattr(handler, "coprod_hub_user", "")
    if hub_user:
        return f"hub:{hub_user}"
    req = handler.request
    if trusts_proxy(handler):
        forwarded = [p.strip() for p in req.headers.get("X-Forwarded-For", "").split(",")]
        for candidate in (forwarded[-1] if forwarded else "", req.headers.get("X-Real-Ip", "")):
            try:
                return str(ipaddress.ip_address(candidate.strip()))
            except ValueError:
                continue
    return req.remote_ip or ""


def set_cookie(
    handler: tornado.web.RequestHandler,
    name: str,
    value: str,
    *,
    httponly: bool = True,
    **kwargs: Any,
) -> None:
    """Every cookie the server sets: SameSite=Lax, HttpOnly unless said otherwise, Secure over
    https."""
    kwargs.setdefault("samesite", "Lax")
    if is_https(handler):
        kwargs["secure"] = True
    handler.set_cookie(name, value, httponly=httponly, **kwargs)


def set_xsrf_cookie(handler: tornado.web.RequestHandler) -> None:
    """The ``_xsrf`` cookie a Voilà page needs: its script reads it (so not HttpOnly) and sends
    it back with its shutdown beacon and API calls."""
    token = handler.xsrf_token  # computes it (tornado may set the cookie: replaced below)
    name = handler.settings.get("xsrf_cookie_name", "_xsrf")
    set_cookie(handler, name, token.decode("ascii"), httponly=False, path="/")


def xsrf_form_html(handler: tornado.web.RequestHandler) -> str:
    """``handler.xsrf_form_html()``, its ``_xsrf`` cookie set through :func:`set_cookie`."""
    set_xsrf_cookie(handler)
    return handler.xsrf_form_html()


# -- the owner's key and who may start rounds ----------------------------------------------------

OWNER_COOKIE = "coprod_owner"


def is_loopback(ip: str) -> bool:
    if ip in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(ip.strip("[]")).is_loopback
    except ValueError:
        return False


def owner_ok(given: str, key: str) -> bool:
    return bool(given) and bool(key) and hmac.compare_digest(given.encode(), key.encode())


OWNER_ONLY = (
    "Only the person who runs this server can start a round here",
    "Open the start link printed when this server started (it ends in /start?owner= and a "
    "key), or ask the person who runs it for that link, or to create the round with "
    "coprod round create.",
)
TOO_MANY_PAGES = (
    "Too many pages opened from this address",
    "Too many pages opened from this address; try again in a minute. Nothing you saved is lost.",
)
TOO_MANY_STARTS = (
    "Too many rounds started from this address",
    "Too many start pages opened from this address in the last hour; try again later.",
)


def hub_facilitator(handler: tornado.web.RequestHandler) -> bool:
    """As a hub service: the request's hub user may start rounds (set by ``hub.Hub.admit``)."""
    return bool(getattr(handler, "coprod_facilitator", False))


def set_owner_cookie(handler: tornado.web.RequestHandler, app: Any, key: str) -> None:
    set_cookie(handler, OWNER_COOKIE, key, expires_days=30, path=app.base)


class StartHandler(tornado.web.RequestHandler):
    """``/start?owner=<key>``: the owner's link to the start page. The key goes into an HttpOnly
    cookie and out of the address bar; without it (or its cookie) a server others can reach
    answers a plain 403 that says how to get in."""

    def initialize(self, app: Any) -> None:
        self.app = app

    def check_xsrf_cookie(self) -> None:
        return

    def get(self) -> None:
        from . import hub, pages

        app = self.app
        target = opened_by("owner").page(app.base)
        if app.hub is not None:  # a hub service: the hub's facilitators (hub.py)
            if hub_facilitator(self):
                self.redirect(target)
                return
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(pages.message(*hub.FACILITATORS_ONLY))
            return
        if not app.public:
            self.redirect(target)
            return
        given = self.get_argument("owner", "")
        if owner_ok(given, app.owner_key):
            set_owner_cookie(self, app, given)
            self.redirect(target)
            return
        if owner_ok(self.get_cookie(OWNER_COOKIE, ""), app.owner_key):
            self.redirect(target)
            return
        self.set_status(403)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(pages.message(*OWNER_ONLY))


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds for each key (a client's address)."""

    def __init__(self, limit: int, window: float, clock=time.monotonic):  # type: ignore[no-untyped-def]
        self.limit, self.window, self.clock = limit, window, clock
        self.events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Counts one event for ``key`` if it is within the limit; False (not counted) if not."""
        if self.limit <= 0:
            return True
        now = self.clock()
        if len(self.events) > 10_000:  # forget addresses that have gone quiet
            for k in [k for k, q in self.events.items() if not q or q[-1] <= now - self.window]:
                del self.events[k]
        q = self.events.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        if len(q) >= self.limit:
            return False
        q.append(now)
        return True


# -- secrets out of logs and messages ---------------------------------------------------------------

# Every query field a workbook reads is a secret (a code, a token, a key), and so is what follows
# the route of a workbook whose link carries one in its path (``/j/<code>``, ``/journal/<key>``).
SECRET_PARAMS = tuple(
    dict.fromkeys(("me", "key", "code", "owner", "token", "_xsrf", "plan", *query_fields()))
)
_NAMES = "|".join(map(re.escape, SECRET_PARAMS))
_QUERY_RE = re.compile(rf"([?&;](?:{_NAMES})=)([^&;\s#\"'<>]+)")
_ROUTES = sorted(
    {w.route for w in workbooks() if w.route and w.link in ("member", "facilitator", "journal")}
)
_PATH_RE = re.compile(rf"(/(?:{'|'.join(map(re.escape, _ROUTES))})/)([A-Za-z0-9_\-%]{{4,}})")


def _cut(m: re.Match) -> str:
    return f"{m.group(1)}{m.group(2)[:3]}…"


def redact(text: str) -> str:
    """A log line or message with its secrets cut short: query values of member tokens, journal
    keys, codes and the owner key, link codes and journal keys in paths, database passwords."""
    text = _QUERY_RE.sub(_cut, text)
    text = _PATH_RE.sub(_cut, text)
    return mask_db_urls(text)


class RedactFilter(logging.Filter):
    """Rewrites a record's message with :func:`redact` before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


LOGGERS = ("", "tornado.access", "tornado.application", "tornado.general", "traitlets")


def install_log_redaction(*loggers: logging.Logger) -> None:
    """The filter on the loggers a served page's URL can reach, and on all their handlers."""
    f = RedactFilter()
    targets = [logging.getLogger(n) for n in LOGGERS] + list(loggers)
    for lg in targets:
        if not any(isinstance(x, RedactFilter) for x in lg.filters):
            lg.addFilter(f)
        for h in lg.handlers:
            if not any(isinstance(x, RedactFilter) for x in h.filters):
                h.addFilter(f)


access_log = logging.getLogger("tornado.access")


def log_request(handler: tornado.web.RequestHandler) -> None:
    """tornado's access log line, with the URL's secrets cut short."""
    status = handler.get_status()
    if status < 400:
        level = access_log.info
    elif status < 500:
        level = access_log.warning
    else:
        level = access_log.error
    req = handler.request
    ms = 1000.0 * req.request_time()
    level("%d %s %s (%s) %.2fms", status, req.method, redact(req.uri or ""), req.remote_ip, ms)
