"""Start Voilà over the workbooks with everything a shared deployment needs configured."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

from traitlets.config import Config

from ..paths import workbooks_dir

TEMPLATES = Path(__file__).resolve().parent.parent / "jupyter"


def voila_config(
    *,
    member_pool: int = 4,
    other_pool: int = 1,
    fill_delay: float = 10.0,
    cull_idle_seconds: int = 3 * 3600,
) -> Config:
    c = Config()
    c.VoilaConfiguration.template = "coprod"
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.preheat_kernel = True
    c.VoilaConfiguration.default_pool_size = other_pool
    # Only the widget manager: other lab extensions cost the browser time on every page.
    c.VoilaConfiguration.extension_allowlist = [
        "@jupyter-widgets/jupyterlab-manager",
        "@voila-dashboards/widgets-manager8",
    ]
    c.VoilaKernelManager.fill_delay = fill_delay
    c.VoilaKernelManager.kernel_pools_config = {
        "default": {"pool_size": other_pool},
        "self_assessment.ipynb": {"pool_size": member_pool},
        "planner.ipynb": {"pool_size": 1},  # the planner (issue 5): one warm kernel
        "journal.ipynb": {"pool_size": 1},  # the journal (issue 4): one warm kernel
    }
    # A backstop for pages that vanish without their shutdown beacon (a crashed browser).
    c.MappingKernelManager.cull_idle_timeout = cull_idle_seconds
    c.MappingKernelManager.cull_interval = 300
    c.MappingKernelManager.cull_connected = False
    return c


def public_url(ip: str, port: int) -> str:
    host = ip
    if ip in ("0.0.0.0", "::", ""):  # noqa: S104 - naming, not binding
        host = socket.gethostname()
    return f"http://{host}:{port}"


def serve(
    *,
    port: int = 8866,
    ip: str = "127.0.0.1",
    db: str | None = None,
    demo: bool = False,
    member_pool: int = 4,
    other_pool: int = 1,
    fill_delay: float = 10.0,
    url: str | None = None,
    open_browser: bool = False,
) -> None:
    from ..store import Store

    store = Store(db)
    base_url = (url or public_url(ip, port)).rstrip("/")
    demo_links: list[tuple[str, str, str]] = []
    if demo:
        from ..demo import ensure_demo

        links = ensure_demo(store)
        demo_links = [
            (
                "Team results (facilitator)",
                f"{base_url}/j/{links.facilitator_code}",
                "see what the demo team said",
            ),
            (
                "Self-assessment (member)",
                f"{base_url}/j/{links.member_code}",
                "answer as a new member of the demo team",
            ),
        ]
    token = secrets.token_urlsafe(32)
    # Kernels inherit this environment: the API for member pages, where links point, the db.
    os.environ.update(
        COPROD_API=f"http://127.0.0.1:{port}/coprod/api",
        COPROD_API_TOKEN=token,
        COPROD_BASE_URL=base_url,
        COPROD_DB=store.url,
    )
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(TEMPLATES), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )
    from .app import CoprodVoila

    print(f"coprod is starting: open {base_url}/ in a browser", flush=True)
    for label, link, _ in demo_links:
        print(f"  {label}: {link}", flush=True)
    argv = [
        str(workbooks_dir()),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser" if not open_browser else "--Voila.open_browser=True",
    ]
    CoprodVoila.launch_instance(
        argv=argv,
        config=voila_config(member_pool=member_pool, other_pool=other_pool, fill_delay=fill_delay),
        store=store,
        api_token=token,
        demo_links=demo_links,
    )
