"""Issue 11, as the attacker: headers, framing, cookies, who may start rounds, rate limits.

Real `coprod serve` processes (tests/browser/conftest.py's ``Server``), reached over loopback;
a client from another address is simulated through the decision functions in security.py.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from http.cookies import SimpleCookie

import pytest
from browser.conftest import Server, wait_app

from coprod_widgets.registry import opened_by
from coprod_widgets.server import security

START, RESULTS, PLANNER = (opened_by(kind).notebook for kind in ("owner", "facilitator", "plan"))

REQUIRED = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
SMALL = ("--expected-people", "0", "--other-pool", "0")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def fetch(url: str, *, method: str = "GET", headers: dict | None = None, data=None):
    """(status, headers, body) without following redirects, errors included."""
    req = urllib.request.Request(
        url, method=method, data=data, headers={"User-Agent": "coprod-tests", **(headers or {})}
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=120) as r:
            return r.status, r.headers, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


def cookies(headers) -> dict[str, str]:
    """Each Set-Cookie, by name: the whole header line (flags included)."""
    out = {}
    for line in headers.get_all("Set-Cookie") or []:
        out[line.split("=", 1)[0].strip()] = line
    return out


def flags(line: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in line.split(";")[1:]}


def demo_links(server: Server) -> dict[str, str]:
    log = (server.home / "serve.log").read_text()
    return {
        "results": re.search(r"Team results \(facilitator\): (\S+)", log).group(1),  # type: ignore[union-attr]
        "member": re.search(r"Self-assessment \(member\): (\S+)", log).group(1),  # type: ignore[union-attr]
        "trainer": re.search(r"Course, trainer's page: (\S+)", log).group(1),  # type: ignore[union-attr]
        "participant": re.search(r"Course, as a participant: (\S+)", log).group(1),  # type: ignore[union-attr]
    }


def check_headers(url: str, headers) -> None:
    for name, value in REQUIRED.items():
        assert headers.get(name) == value, f"{url}: {name} is {headers.get(name)!r}"
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, f"{url}: CSP {csp!r}"
    assert "object-src 'none'" in csp or "default-src 'none'" in csp, f"{url}: CSP {csp!r}"
    assert "*" not in csp and "https:;" not in csp, f"{url}: a wildcard in the CSP {csp!r}"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A loopback server with the demo team (answers, so the results have charts)."""
    srv = Server(
        tmp_path_factory.mktemp("sec-served"),
        pool=1,
        extra_args=("--other-pool", "1", "--demo"),
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    srv = Server(
        tmp_path_factory.mktemp("sec-proxied"), pool=0, extra_args=(*SMALL, "--behind-proxy")
    )
    yield srv
    srv.stop()


# -- headers on every kind of response ----------------------------------------------------------


def test_every_kind_of_response_has_the_security_headers(served):
    links = demo_links(served)
    status, headers, body = fetch(served.url + f"/voila/render/{PLANNER}")
    assert status == 200
    static = re.findall(r"""src=["']([^"']+\.js)[^"']*["']""", body)
    assert static, "a rendered page names its scripts"
    static_url = static[0] if static[0].startswith("http") else served.url + static[0]
    urls = [
        ("GET", "/", 200),
        ("GET", "/robots.txt", 200),
        ("GET", links["member"].replace("http://127.0.0.1:8866", served.url), 302),
        ("GET", "/j/not-a-code-at-all", 404),
        ("GET", links["participant"].replace("http://127.0.0.1:8866", served.url), 302),
        ("GET", links["trainer"].replace("http://127.0.0.1:8866", served.url), 302),
        ("GET", "/c/not-a-code-at-all", 404),
        ("GET", "/journal", 302),
        ("GET", "/voila/render/no-such.ipynb", 404),
        ("GET", f"/voila/render/{RESULTS}?code=nope", 404),
        ("GET", "/no/such/route", 404),
        ("GET", "/coprod/kernel/00000000-0000-0000-0000-000000000000", 200),
        ("POST", "/coprod/api/answers", 403),
        ("GET", "/voila/api/shutdown/00000000-0000-0000-0000-000000000000", None),
        ("GET", "/voila/static/voila.js", None),
    ]
    check_headers("planner page", headers)
    s, h, _ = fetch(static_url)
    check_headers(static_url, h)
    for method, path, expected in urls:
        url = path if path.startswith("http") else served.url + path
        status, h, _ = fetch(url, method=method, data=b"{}" if method == "POST" else None)
        if expected is not None:
            assert status == expected, (url, status)
        check_headers(url, h)


def test_pages_render_in_chromium_with_no_csp_violation(served, chromium):
    links = demo_links(served)
    context = chromium.new_context(viewport={"width": 1100, "height": 1200})
    try:
        for name, url in [
            ("member", links["member"]),
            ("results", links["results"]),
            ("journal", f"{served.url}/journal"),
            ("planner", f"{served.url}/voila/render/{PLANNER}"),
            ("start", f"{served.url}/voila/render/{START}"),
            ("participant", links["participant"]),
            ("trainer", links["trainer"]),
        ]:
            page = context.new_page()
            page.set_default_timeout(30_000)
            violations: list[str] = []
            page.on(
                "console",
                lambda m, v=violations: (
                    v.append(m.text)
                    if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
                    else None
                ),
            )
            page.goto(url)
            wait_app(page)
            if name == "results":  # the charts are data: images
                page.wait_for_selector(".coprod-app img, .coprod-app svg", timeout=60_000)
            page.wait_for_timeout(1500)
            assert violations == [], f"{name}: {violations}"
            page.close()
    finally:
        context.close()


def attacker_site(html: str):
    """A real page on another origin (another port of this machine): Chromium keeps a public
    page from framing a local one anyway, which would hide what our headers do."""
    import http.server
    import threading

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def test_a_page_framed_by_another_site_is_refused(served, chromium):
    """An attacker's page (another origin, and a data: page) frames ours: nothing of ours loads.
    The control, a page without our headers, loads in the same frame."""
    framed = f"{served.url}/voila/render/{PLANNER}"
    control = attacker_site("<p>coprod control</p>")
    evil = attacker_site(
        f"<html><body><h1>Win a prize</h1><iframe src='{served.url}/'></iframe>"
        f"<iframe src='{framed}'></iframe>"
        f"<iframe src='http://127.0.0.1:{control.server_port}/'></iframe></body></html>"
    )
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{evil.server_port}/")
        page.wait_for_timeout(4000)
        texts = [
            (f.url, f.evaluate("document.body ? document.body.innerText : ''"))
            for f in page.frames[1:]
        ]
        assert len(texts) == 3, texts
        assert any("coprod control" in t for _, t in texts), texts
        ours = [(u, t) for u, t in texts if "coprod control" not in t]
        for url, text in ours:
            assert "coprod" not in text.lower() and "Plan how" not in text, (url, text)
            assert "local network" not in text, "blocked for another reason than our headers"

        data_page = context.new_page()
        data_page.goto(f"data:text/html,<iframe src='{served.url}/'></iframe>")
        data_page.wait_for_timeout(2000)
        assert len(data_page.frames) == 2
        for frame in data_page.frames[1:]:
            text = frame.evaluate("document.body ? document.body.innerText : ''")
            assert "coprod" not in text.lower(), (frame.url, text)
    finally:
        context.close()
        control.shutdown()
        evil.shutdown()


# -- cookies ---------------------------------------------------------------------------------------


def test_cookie_flags_over_plain_http_and_a_forged_proxy_header(served):
    links = demo_links(served)
    member = links["member"]
    for forged in ({}, {"X-Forwarded-Proto": "https"}):  # not behind a proxy: not trusted
        status, h, _ = fetch(member, headers=forged)
        assert status == 302
        me = next(v for k, v in cookies(h).items() if k.startswith("coprod_me_"))
        assert {"httponly", "samesite"} <= flags(me) and "secure" not in flags(me), me
        assert "samesite=lax" in me.lower()
        status, h, _ = fetch(served.url + "/journal", headers=forged)
        journal = cookies(h)["coprod_journal"]
        assert {"httponly", "samesite"} <= flags(journal) and "secure" not in flags(journal)
        status, h, _ = fetch(served.url + f"/voila/render/{PLANNER}", headers=forged)
        assert status == 200
        xsrf = cookies(h)["_xsrf"]
        # The page's own script reads _xsrf to send it back: SameSite, never HttpOnly.
        assert "samesite=lax" in xsrf.lower() and "secure" not in flags(xsrf), xsrf


def test_cookies_are_secure_behind_a_trusted_proxy_that_says_https(proxied):
    from coprod_widgets.store import Store

    store = Store(proxied.db)
    try:
        from coprod_widgets.content import FrameworkLibrary

        links = store.rounds.create("Proxy team", FrameworkLibrary().get("scie-four"))
    finally:
        store.close()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    status, h, _ = fetch(f"{proxied.url}/j/{links.member_code}", headers=https)
    assert status == 302
    me = next(v for k, v in cookies(h).items() if k.startswith("coprod_me_"))
    assert {"httponly", "samesite", "secure"} <= flags(me), me
    status, h, _ = fetch(f"{proxied.url}/journal", headers=https)
    assert {"httponly", "samesite", "secure"} <= flags(cookies(h)["coprod_journal"])
    # The journal's link opened on another device: a page with a form, and its _xsrf cookie.
    key = re.search(r"[?&]key=([^&]+)", h["Location"]).group(1)  # type: ignore[union-attr]
    status, h, body = fetch(f"{proxied.url}/journal/{key}", headers=https)
    assert status == 200 and "<form" in body, status
    xsrf = cookies(h)["_xsrf"]
    assert {"samesite", "secure"} <= flags(xsrf) and "httponly" not in flags(xsrf), xsrf
    # Over plain http through the same proxy: no Secure (the browser would drop it).
    status, h, _ = fetch(f"{proxied.url}/journal", headers={"X-Forwarded-Proto": "http"})
    assert "secure" not in flags(cookies(h)["coprod_journal"])


def test_an_https_url_implies_the_proxy_and_the_owner_key(tmp_path):
    """``--url https://...``: a proxy in front says https; the server is public (owner key)."""
    srv = Server(tmp_path, pool=0, extra_args=(*SMALL, "--url", "https://coprod.example.org"))
    try:
        log = (srv.home / "serve.log").read_text()
        key = re.search(r"https://coprod\.example\.org/start\?owner=(\S+)", log)
        assert key, log
        assert fetch(srv.url + f"/voila/render/{START}")[0] == 403
        status, h, _ = fetch(srv.url + "/journal", headers={"X-Forwarded-Proto": "https"})
        assert "secure" in flags(cookies(h)["coprod_journal"])
        status, h, _ = fetch(f"{srv.url}/start?owner={key.group(1)}")
        assert status == 302 and "coprod_owner" in cookies(h)
    finally:
        srv.stop()


def test_secure_decision_and_client_address():
    class Req:
        def __init__(self, protocol, headers, remote_ip="127.0.0.1"):
            self.protocol, self.headers, self.remote_ip = protocol, headers, remote_ip

    class H:
        def __init__(self, trust, protocol="http", headers=None, remote_ip="127.0.0.1"):
            self.settings = {"coprod_behind_proxy": trust}
            self.request = Req(protocol, headers or {}, remote_ip)

    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert not security.is_https(H(False, headers=forged))
    assert security.is_https(H(True, headers=forged))
    assert security.is_https(H(False, protocol="https"))
    assert security.client_ip(H(False, headers=forged, remote_ip="10.0.0.5")) == "10.0.0.5"
    # Behind the proxy: the address the proxy itself added (the last), not one a client forged.
    assert security.client_ip(H(True, headers=forged)) == "203.0.113.7"
    assert security.client_ip(H(True, headers={"X-Forwarded-For": "junk"})) == "127.0.0.1"


# -- who may start rounds, and how often -----------------------------------------------------------


def test_loopback_and_public_addresses():
    for ip in ("127.0.0.1", "::1", "localhost", "127.1.2.3"):
        assert security.is_loopback(ip), ip
    for ip in ("0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.org"):  # noqa: S104
        assert not security.is_loopback(ip), ip


def test_rate_limiter_per_address():
    now = [0.0]
    lim = security.RateLimiter(3, 60, clock=lambda: now[0])
    assert [lim.allow("203.0.113.1") for _ in range(4)] == [True, True, True, False]
    assert lim.allow("198.51.100.2")  # another address has its own count
    now[0] = 61
    assert lim.allow("203.0.113.1")  # a minute later


OWNER_KEY = "owner-key-for-tests-0123456789"


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    import os

    os.environ["COPROD_OWNER_KEY"] = OWNER_KEY
    try:
        srv = Server(
            tmp_path_factory.mktemp("sec-public"),
            pool=0,
            extra_args=(
                *SMALL,
                "--ip",
                "0.0.0.0",  # noqa: S104 - reached over loopback only
                "--pages-per-minute",
                "4",
                "--start-pages-per-hour",
                "2",
            ),
        )
    finally:
        del os.environ["COPROD_OWNER_KEY"]
    yield srv
    srv.stop()


def test_start_page_on_a_public_server_needs_the_owner_key(public):
    log = (public.home / "serve.log").read_text()
    assert f"/start?owner={OWNER_KEY}" in log, "the owner's link is printed at start"
    start = public.url + f"/voila/render/{START}"
    kernels_before = len(public.kernels())
    for url, headers in [
        (start, {}),
        (start + "?owner=wrong-key-wrong-key", {}),
        (public.url + "/start", {}),
        (public.url + "/start?owner=wrong", {}),
        (start, {"Cookie": "coprod_owner=guess-guess-guess"}),
    ]:
        status, h, body = fetch(url, headers=headers)
        assert status == 403, (url, status)
        assert "start link" in body and "coprod round create" in body
        check_headers(url, h)
    assert len(public.kernels()) == kernels_before, "a refused start page used no kernel"

    # The owner's link: the key goes into an HttpOnly cookie and out of the address.
    status, h, _ = fetch(f"{public.url}/start?owner={OWNER_KEY}")
    assert status == 302 and h["Location"].endswith(f"/voila/render/{START}")
    owner = cookies(h)["coprod_owner"]
    assert {"httponly", "samesite"} <= flags(owner)
    value = SimpleCookie(owner)["coprod_owner"].value
    status, h, body = fetch(start, headers={"Cookie": f"coprod_owner={value}"})
    assert status == 200 and "jupyter-config-data" in body
    # The page's link with the key: a cookie, and the same page without the key in its URL.
    status, h, _ = fetch(f"{start}?owner={OWNER_KEY}")
    assert status == 302 and "owner=" not in h["Location"] and "coprod_owner" in cookies(h)
    # The home page and the planner stay open to anyone.
    assert fetch(public.url + "/")[0] == 200


def test_too_many_pages_from_one_address_get_429(public):
    """4 pages a minute, 2 start pages an hour (this server's settings); the owner too."""
    cookie = {"Cookie": f"coprod_owner={OWNER_KEY}"}
    start = public.url + f"/voila/render/{START}"
    statuses = [fetch(start, headers=cookie)[0] for _ in range(2)]
    # The previous test opened one start page already: the second here is one too many.
    assert statuses[-1] == 429, statuses
    status, h, body = fetch(start, headers=cookie)
    assert status == 429 and "Too many" in body and h.get("Retry-After")
    seen = []
    for _ in range(5):
        status, h, body = fetch(public.url + f"/voila/render/{PLANNER}")
        seen.append(status)
        if status == 429:
            break
    assert seen[-1] == 429, seen
    assert "Too many pages opened from this address; try again in a minute" in body
    check_headers("429", h)
    # Refused pages are not pages: a 404 is still a 404, not counted.
    assert fetch(public.url + "/voila/render/nope.ipynb")[0] == 404
