"""Start Voilà over the workbooks with everything a shared deployment needs configured."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

from traitlets.config import Config

from ..paths import workbooks_dir
from ..registry import notebook_text, route_link, workbooks

TEMPLATES = Path(__file__).resolve().parent.parent / "jupyter"


DEFAULT_EXPECTED_PEOPLE = 8


def pool_sizes(member_pool: int, other_pool: int) -> dict[str, int]:
    """Kernels kept started for each registered workbook's page, by its ``pool``."""
    size = {"member": member_pool, "other": other_pool, "single": 1}
    return {w.notebook: size[w.pool] for w in workbooks()}


def voila_config(
    *,
    member_pool: int = DEFAULT_EXPECTED_PEOPLE,
    other_pool: int = 2,
    fill_delay: float = 2.0,
    cull_idle_seconds: int = 3 * 3600,
    reap_after: float = 120.0,
    max_kernels: int = 0,
) -> Config:
    """Voilà's configuration for `coprod serve`.

    - Pools (each workbook's ``pool`` in the registry): ``member_pool`` pre-started kernels for
      member pages (the burst when a team opens its link together), ``other_pool`` for
      results, planner and journal (opened one after another by a facilitator or a team), one
      for the start page and any notebook not registered. A used kernel is replaced
      after ``fill_delay`` seconds, once no page is being rendered (kernels.py).
    - nbclient waits for a cell's output up to 4 s after the cell's reply by default; on a busy
      machine a pre-started page missed that and stayed blank ("Timeout waiting for IOPub
      output"). A page's output is now awaited for as long as the page is worth waiting for.
    - A kernel handed to a page that has had no websocket for ``reap_after`` seconds is shut
      down; websockets are pinged every 15 s, so a dropped network is noticed within 30 s.
    """
    c = Config()
    c.VoilaConfiguration.template = "coprod"
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.preheat_kernel = True
    c.VoilaConfiguration.default_pool_size = 1
    # Only the widget manager: other lab extensions cost the browser time on every page.
    c.VoilaConfiguration.extension_allowlist = [
        "@jupyter-widgets/jupyterlab-manager",
        "@voila-dashboards/widgets-manager8",
    ]
    c.VoilaKernelManager.fill_delay = fill_delay
    c.VoilaKernelManager.kernel_pools_config = {
        "default": {"pool_size": 1},
        **{nb: {"pool_size": n} for nb, n in pool_sizes(member_pool, other_pool).items()},
    }
    c.CoprodKernelManager.reap_after = reap_after
    c.CoprodKernelManager.max_kernels = max_kernels
    # Kernels talk to the server over Unix sockets in Voilà's private connection folder, not
    # over loopback TCP that any local user can reach (ipykernel warns about it for each kernel).
    c.KernelManager.transport = "ipc"
    # A restarted kernel has lost its page's widgets: let it stay dead, so that the page is
    # told (``/coprod/kernel/<id>``) and reloads; the reaper clears it away.
    c.KernelManager.autorestart = False
    c.VoilaExecutor.iopub_timeout = 120
    c.VoilaExecutor.startup_timeout = 180
    c.Voila.port_retries = 0  # a busy port is an error, never another port
    c.Voila.tornado_settings = {"ws_ping_interval": 15_000, "ws_ping_timeout": 15_000}
    # A backstop behind the reaper.
    c.MappingKernelManager.cull_idle_timeout = cull_idle_seconds
    c.MappingKernelManager.cull_interval = 300
    c.MappingKernelManager.cull_connected = False
    return c


def pooled_kernels(member_pool: int, other_pool: int, extra: int = 0) -> int:
    """Kernels the pools keep started: each registered workbook's, and one for each of the
    ``extra`` notebooks served that are not registered."""
    return sum(pool_sizes(member_pool, other_pool).values()) + extra


def served_folder(source: Path) -> Path:
    """The folder Voilà serves: a new private folder holding each registered workbook's
    notebook (its file in ``source`` if there is one, else made from its entry) and any other
    notebook at the top of ``source``. Removed when the process ends."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="coprod-workbooks-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for nb in source.glob("*.ipynb"):
        shutil.copyfile(nb, folder / nb.name)
    for w in workbooks():
        (folder / w.notebook).write_text(notebook_text(w, source), encoding="utf-8")
    return folder


def check_port_free(ip: str, port: int) -> None:
    """Fail now, naming the port, rather than serve somewhere else than the address printed."""
    from ..errors import CoprodError

    host = "" if ip in ("0.0.0.0", "::") else ip  # noqa: S104 - naming, not binding
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as e:
        raise CoprodError(f"cannot listen on {ip}: {e}") from None
    for family, kind, proto, _, addr in infos[:1]:
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado binds
            try:
                s.bind(addr)
            except OSError as e:
                raise CoprodError(
                    f"port {port} on {ip} is already in use ({e.strerror}): stop what is using "
                    f"it, or choose another port with --port"
                ) from None


def public_url(ip: str, port: int) -> str:
    host = ip
    if ip in ("0.0.0.0", "::", ""):  # noqa: S104 - naming, not binding
        host = socket.gethostname()
    return f"http://{host}:{port}"


def hub_listen(port: int | None, ip: str | None) -> tuple[int, str]:
    """Where a hub service listens: the port and address given, else those of the service's
    URL the hub gives it ($JUPYTERHUB_SERVICE_URL): its port, and loopback when the URL is
    loopback, every address when it names a host (a pod's service), else 8866 on loopback."""
    from urllib.parse import urlsplit

    from .security import is_loopback

    given = urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", ""))
    if ip is None:
        host = given.hostname or "127.0.0.1"
        ip = host if is_loopback(host) else "0.0.0.0"  # noqa: S104 - the pod's address
    return port or given.port or 8866, ip


def hub_public_url(url: str | None, prefix: str) -> str:
    """Where links point on a hub service: ``url`` (the hub's public address, its service
    prefix added when not already there), else the prefix alone (links relative to the hub)."""
    from urllib.parse import urlsplit, urlunsplit

    if not url:
        return prefix.rstrip("/")
    parts = urlsplit(url.rstrip("/"))
    path = parts.path if parts.path.endswith(prefix.rstrip("/")) else parts.path + prefix
    return urlunsplit(parts._replace(path=path.rstrip("/")))


def kernel_env(
    port: int, prefix: str, token: str, base_url: str, db_url: str, public: bool
) -> dict[str, str]:
    """What kernels inherit: the members' API (on loopback, under the server's prefix, with its
    secret), where links point, the database (member pages' kernels are started without it:
    app.without_db_for_members), and whether only the owner starts rounds."""
    return {
        "COPROD_API": f"http://127.0.0.1:{port}{prefix}coprod/api",
        "COPROD_API_TOKEN": token,
        "COPROD_BASE_URL": base_url,
        "COPROD_DB": db_url,
        # On a public server only the owner starts rounds: pages that could start one (the
        # planner's review) send people to the owner's start page instead.
        "COPROD_PUBLIC": "1" if public else "0",
    }


def serve(
    *,
    port: int | None = None,
    ip: str | None = None,
    hub: bool | None = None,
    hub_facilitators: str = "coprod-facilitators",
    db: str | None = None,
    demo: bool = False,
    member_pool: int | None = None,
    expected_people: int = DEFAULT_EXPECTED_PEOPLE,
    other_pool: int = 2,
    fill_delay: float = 2.0,
    reap_after: float = 120.0,
    max_kernels: int | None = None,
    url: str | None = None,
    open_browser: bool = False,
    behind_proxy: bool = False,
    pages_per_minute: int | None = None,
    start_pages_per_hour: int = 10,
) -> None:
    from ..errors import CoprodError
    from ..store import Store
    from ..store.store import mask_db_urls
    from .hub import Hub, in_hub, service_prefix
    from .kernels import default_max_kernels
    from .security import is_loopback

    hub = in_hub() if hub is None else hub
    if hub and not in_hub():
        raise CoprodError(
            "--hub: this is not run by JupyterHub as a service (JUPYTERHUB_SERVICE_PREFIX, "
            "JUPYTERHUB_API_TOKEN and JUPYTERHUB_API_URL are not all set); see deploy/README.md"
        )
    if hub:
        port, ip = hub_listen(port, ip)
    port, ip = port or 8866, ip or "127.0.0.1"
    check_port_free(ip, port)
    member_pool = expected_people if member_pool is None else member_pool
    if member_pool < 0 or other_pool < 0:
        raise CoprodError("pool sizes cannot be negative")
    folder = served_folder(workbooks_dir())
    unregistered = {p.name for p in folder.glob("*.ipynb")} - {w.notebook for w in workbooks()}
    pooled = pooled_kernels(member_pool, other_pool, len(unregistered))
    max_kernels = default_max_kernels() if max_kernels is None else max_kernels
    if max_kernels and max_kernels <= pooled:
        raise CoprodError(
            f"--max-kernels {max_kernels} leaves no kernel for a page: the pools keep {pooled} "
            "started; raise it or lower --expected-people"
        )
    store = Store(db)
    prefix = service_prefix() if hub else "/"
    hub_client = Hub.from_env(hub_facilitators) if hub else None  # its secrets leave the env
    base_url = hub_public_url(url, prefix) if hub else (url or public_url(ip, port)).rstrip("/")
    # https at the public address: a proxy in front says which requests came over it (the
    # hub's proxy is always in front of a service).
    behind_proxy = behind_proxy or hub or base_url.lower().startswith("https://")
    public = behind_proxy or not is_loopback(ip)
    owner_key = "" if hub else owner_key_for(public)
    if pages_per_minute is None:  # a whole team behind one office address opens its link at once
        pages_per_minute = max(30, 3 * member_pool)
    demo_links: list[tuple[str, str, str]] = []
    if demo:
        from ..demo import ensure_demo, ensure_demo_cohort

        links = ensure_demo(store)
        cohort = ensure_demo_cohort(store)
        demo_links = [
            (
                "Team results (facilitator)",
                route_link("facilitator", base_url, links.facilitator_code),
                "see what the demo team said",
            ),
            (
                "Self-assessment (member)",
                route_link("member", base_url, links.member_code),
                "answer as a new member of the demo team",
            ),
            (
                "Course, trainer's page",
                route_link("trainer", base_url, cohort.trainer_code),
                "follow the demo group through the introductory course",
            ),
            (
                "Course, as a participant",
                route_link("participant", base_url, cohort.join_code),
                "join the demo group and do the exercises",
            ),
        ]
    token = secrets.token_urlsafe(32)
    os.environ.update(kernel_env(port, prefix, token, base_url, store.url, public))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(TEMPLATES), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )
    from .app import CoprodVoila

    check_port_free(ip, port)  # again: the store and the demo took a moment
    print(f"coprod is starting: open {base_url}/ in a browser", flush=True)
    print(f"  database: {mask_db_urls(store.url)}", flush=True)
    if hub:
        print(
            f"  JupyterHub service at {prefix}: hub users log in at the hub; members of the hub "
            f"group {hub_facilitators!r} start rounds",
            flush=True,
        )
    elif public:
        print(
            f"  Start a round (the server owner's link, keep it to yourself): "
            f"{base_url}/start?owner={owner_key}",
            flush=True,
        )
    for label, link, _ in demo_links:
        print(f"  {label}: {link}", flush=True)
    print(
        f"  {member_pool} pre-started member pages, at most {max_kernels or 'any number of'} "
        f"kernels; a page's kernel is shut down {reap_after:g} s after the page is gone",
        flush=True,
    )
    argv = [
        str(folder),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser" if not open_browser else "--Voila.open_browser=True",
        f"--Voila.base_url={prefix}",
    ]
    CoprodVoila.launch_instance(
        argv=argv,
        config=voila_config(
            member_pool=member_pool,
            other_pool=other_pool,
            fill_delay=fill_delay,
            reap_after=reap_after,
            max_kernels=max_kernels,
        ),
        store=store,
        api_token=token,
        demo_links=demo_links,
        behind_proxy=behind_proxy,
        public=public,
        owner_key=owner_key,
        pages_per_minute=pages_per_minute,
        start_pages_per_hour=start_pages_per_hour,
        hub=hub_client,
    )


def owner_key_for(public: bool) -> str:
    """The key the start page needs on a server others can reach: $COPROD_OWNER_KEY, else the
    one kept in the data folder (``owner.key``, 0600; delete it for a new one). Kept out of the
    kernels' environment."""
    from ..paths import secret_file, user_dir

    given = os.environ.pop("COPROD_OWNER_KEY", "").strip()
    if not public:
        return ""
    if given:
        if len(given) < 16:
            from ..errors import CoprodError

            raise CoprodError("COPROD_OWNER_KEY is too short: use 16 characters or more")
        return given
    return secret_file(user_dir() / "owner.key", lambda: secrets.token_urlsafe(24))
