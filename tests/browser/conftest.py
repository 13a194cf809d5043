"""A real `coprod serve` on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    env = os.environ.get("COPROD_CHROMIUM")
    if env and Path(env).exists():
        return env
    for c in CHROMIUM_CANDIDATES:
        if Path(c).exists():
            return c
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(
        self,
        home: Path,
        fill_delay: float = 1.0,
        pool: int = 2,
        extra_args: tuple[str, ...] | list[str] = (),
        port: int | None = None,
    ):
        self.home = home
        self.db = f"sqlite:///{home / 'coprod.sqlite'}"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "COPROD_HOME": str(home), "PYTHONUNBUFFERED": "1"}
        env.pop("COPROD_DB", None)
        self.log = open(home / "serve.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "coprod_widgets.cli",
                "--db",
                self.db,
                "serve",
                "--port",
                str(self.port),
                "--pool",
                str(pool),
                "--fill-delay",
                str(fill_delay),
                *extra_args,
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coprod serve exited: {(home / 'serve.log').read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("coprod serve did not answer within 90 s")

    def kernels(self) -> list[psutil.Process]:
        """The kernel processes this server has running now."""
        out = []
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if any("ipykernel" in part for part in p.cmdline()):
                    out.append(p)
            except psutil.NoSuchProcess:
                continue
        return out

    def settle(
        self, count: int, *, at_least: bool = False, quiet: float = 3.0, timeout: float = 180
    ) -> bool:
        """Wait until ``count`` kernels run (or more, ``at_least``) and the number has not moved
        for ``quiet`` seconds: the pools full, dropped pages reaped. False at ``timeout``."""
        deadline = time.time() + timeout
        last, since = -1, time.time()
        while time.time() < deadline:
            n = len(self.kernels())
            if n != last:
                last, since = n, time.time()
            elif (n >= count if at_least else n == count) and time.time() - since >= quiet:
                return True
            time.sleep(0.3)
        return False

    def kernel_pid(self, page) -> int:
        """The process of the kernel behind a Voila page open in the browser."""
        kid = page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
        )
        for proc in self.kernels():
            if any(kid in part for part in proc.cmdline()):
                return proc.pid
        raise AssertionError(f"no kernel process for {kid}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium):
    srv = Server(tmp_path_factory.mktemp("coprod-serve"))
    yield srv
    srv.stop()


@pytest.fixture()
def store(server):
    from coprod_widgets.store import Store

    s = Store(server.db)
    yield s
    s.close()


@pytest.fixture()
def page(chromium):
    context = chromium.new_context(viewport={"width": 1100, "height": 1200})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def wait_app(pg) -> None:
    pg.wait_for_selector(".coprod-app", timeout=60_000)


def until(check, timeout: float = 10.0):
    """Poll `check` until it gives something true (the server saves a moment after the page)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    return check()
