"""JupyterHub on one machine, with coprod as a hub service at /services/coprod/.

People log in at the hub; coprod asks the hub who they are (OAuth) and needs no user servers.
Only the hub and the coprod service see the database URL: the hub passes it to the service's
environment alone, never to a user's server (JupyterHub's Spawner.env_keep does not list it).

Settings come from the environment of the `jupyterhub` process (deploy/README.md):

- COPROD_DB            database URL, e.g. postgresql+psycopg://coprod:PASSWORD@127.0.0.1/coprod
                       (default: a SQLite file in COPROD_HOME)
- COPROD_HOME          coprod's data folder: its keys (hub.key signs every hub user's journal and
                       answers: back it up with the database; `coprod backup` does both)
- COPROD_PUBLIC_URL    the hub's address as people type it (https://hub.example.org)
- COPROD_HUB_BIND_URL  where the hub's proxy listens (default http://127.0.0.1:8000; a TLS
                       proxy such as nginx or Caddy in front of it)
- COPROD_SERVICE_PORT  the coprod service's loopback port (default 10101)
- COPROD_FACILITATORS  comma-separated hub user names put in the group coprod-facilitators at
                       start (they may start rounds; add more later in the hub's admin page)
- COPROD_SERVE_ARGS    more `coprod serve` options, e.g. "--expected-people 12"
"""

from __future__ import annotations

import os
import shlex
import sys

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - given by JupyterHub

PUBLIC_URL = os.environ.get("COPROD_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_PORT = int(os.environ.get("COPROD_SERVICE_PORT", "10101"))
FACILITATORS = [
    n.strip() for n in os.environ.get("COPROD_FACILITATORS", "").split(",") if n.strip()
]

c.JupyterHub.bind_url = os.environ.get("COPROD_HUB_BIND_URL", "http://127.0.0.1:8000")
# After logging in, people land on coprod's home page, not on a server of their own.
c.JupyterHub.default_url = "/services/coprod/"

service_env = {
    name: os.environ[name]
    for name in ("COPROD_DB", "COPROD_HOME", "COPROD_HUB_ADMINS", "COPROD_HUB_SECRET", "HOME")
    if os.environ.get(name)
}
c.JupyterHub.services = [
    {
        "name": "coprod",
        "display": True,
        "info": {"description": "Co-production workbooks: team rounds, plans, your journal"},
        "url": f"http://127.0.0.1:{SERVICE_PORT}",
        "command": [
            sys.executable,
            "-m",
            "coprod_widgets.cli",
            "serve",
            "--hub",
            "--url",
            PUBLIC_URL,
            *shlex.split(os.environ.get("COPROD_SERVE_ARGS", "")),
        ],
        "environment": service_env,
        # People are sent through the hub's login without a "do you allow coprod" page.
        "oauth_no_confirm": True,
    }
]
c.JupyterHub.load_roles = [
    # coprod reads who is in the facilitators' group with its own token.
    {"name": "coprod-service", "services": ["coprod"], "scopes": ["read:users", "read:groups"]},
    # Every hub user may open coprod (and their own things, as JupyterHub's default).
    {"name": "user", "scopes": ["self", "access:services!service=coprod"]},
]
c.JupyterHub.load_groups = {"coprod-facilitators": {"users": FACILITATORS}}
# No user's server is ever given the database: JupyterHub's default env_keep, said out loud.
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL"]
