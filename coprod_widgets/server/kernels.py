"""Kernels for `coprod serve`: pools that refill without starving pages, a cap, and a reaper.

Voilà 0.5's pool (``voila.voila_kernel_manager``) hands a page a pre-started kernel and, after
``fill_delay``, starts its replacements all at once. On a small machine a burst of pages is then
followed by a burst of kernel starts that takes the CPU from the pages still being shown. Here:

- a replacement waits ``fill_delay``, then until no page is being rendered and the machine is
  calm (or ``refill_max_wait`` has passed), and kernels start one at a time, each holding the
  start gate until its process has settled;
- a page that finds its pool empty takes the next replacement: that one is marked urgent and
  starts at once, ahead of the others;
- ``max_kernels`` caps live kernels (pooled and starting ones included): ``at_capacity()`` tells
  the page handler to answer 503 instead of starting one more;
- the reaper shuts down a kernel that has been handed to a page but has had no websocket
  connection for ``reap_after`` seconds: a page gone without its shutdown beacon (a crashed or
  closed browser, a dropped network). Kernels waiting in a pool are never reaped.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from typing import Any

import psutil
from traitlets import Float, Integer

MIB = 1024 * 1024
KERNEL_BUDGET_MIB = 150  # a results or planner page's kernel is 100-130 MiB
RENDER_GRACE = 600.0  # a kernel busy this long after leaving its pool is no longer "rendering"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def default_max_kernels() -> int:
    """Live kernels this machine can hold: its memory at 150 MiB a kernel, between 8 and 200."""
    total = psutil.virtual_memory().total // MIB
    return max(8, min(200, int(total // KERNEL_BUDGET_MIB)))


def coprod_kernel_manager(base: type) -> type:
    """Voilà's pooling kernel manager class ``base``, with coprod's refill, cap and reaper."""

    class CoprodKernelManager(base):  # type: ignore[valid-type,misc]
        reap_after = Float(
            120.0,
            config=True,
            help="seconds a kernel handed to a page may go without a websocket connection "
            "before it is shut down (0: never)",
        )
        max_kernels = Integer(0, config=True, help="live kernels at most (0: no cap)")
        refill_max_wait = Float(
            30.0,
            config=True,
            help="seconds a pool refill waits for a calm machine before it starts anyway",
        )
        calm_cpu_percent = Float(
            60.0, config=True, help="machine CPU use under which a pool refill may start"
        )

        def __init__(self, **kwargs: Any) -> None:
            self._urgent: set[asyncio.Future] = set()
            self._waiting_urgent = 0
            self._starting = 0
            self._closing = False
            self._quiet_since: dict[str, float] = {}
            self._first_seen: dict[str, float] = {}
            self._cpu = 0.0
            self._background: asyncio.Task | None = None
            self.pages_rendering = 0  # the page handler counts the pages it is rendering
            self._start_limit = max(1, min(4, os.cpu_count() or 1))
            super().__init__(**kwargs)

        # -- pools ---------------------------------------------------------------------------

        def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
            """Voilà's refill, with the wait moved into ``_initialize`` (where it can be cut
            short for a page that is waiting), and the notebook's template known at once so
            a page requested before the pool is warm waits for the pool, not a kernel of its
            own."""
            wait = self.fill_delay if delay is None else delay
            if notebook_name is not None and notebook_name not in self.notebook_data:
                conf = self.parent.voila_configuration
                self.notebook_data[notebook_name] = {
                    "notebook": None,
                    "template": conf.template,
                    "theme": conf.theme,
                    "kernel_name": "python3",
                    "kernel_ids": set(),
                }
            self._ensure_background()
            return super().fill_if_needed(
                delay=0, notebook_name=notebook_name, _coprod_wait=wait, **kwargs
            )

        async def get_rendered_notebook(self, notebook_name, *args, **kwargs):
            pool = self._pools.get(notebook_name) or []
            if pool and not pool[0].done():
                self._urgent.add(pool[0])  # a page is waiting for this one: start it now
            return await super().get_rendered_notebook(notebook_name, *args, **kwargs)

        async def _initialize(self, notebook_path, kernel_id=None, _coprod_wait=None, **kwargs):
            if kernel_id is not None or _coprod_wait is None:  # a restart, not a pool kernel
                return await super()._initialize(notebook_path, kernel_id, **kwargs)
            await self._wait_turn(asyncio.current_task(), _coprod_wait)
            try:
                result = await super()._initialize(notebook_path, None, **kwargs)
            except BaseException:
                self._starting -= 1
                raise
            asyncio.ensure_future(self._settle(result["kernel_id"]))
            return result

        async def _wait_turn(self, task: asyncio.Future | None, wait: float) -> None:
            loop = asyncio.get_running_loop()
            start = loop.time()
            counted = False
            try:
                while True:
                    if self._closing:
                        raise RuntimeError("the server is shutting down")
                    urgent = task in self._urgent
                    if urgent and not counted:
                        self._waiting_urgent += 1
                        counted = True
                    waited = loop.time() - start
                    if urgent:
                        ok = self._starting < self._start_limit
                    elif wait <= 0:  # filling at start-up: no page to starve yet
                        ok = self._starting < self._start_limit and not self._waiting_urgent
                    else:
                        calm = (
                            self.pages_rendering == 0 and self._cpu < self.calm_cpu_percent
                        ) or waited >= wait + self.refill_max_wait
                        ok = (
                            waited >= wait
                            and calm
                            and self._starting == 0
                            and not self._waiting_urgent
                        )
                    if ok and not self._at_cap_for_refill():
                        self._starting += 1
                        return
                    await asyncio.sleep(0.1 if urgent else 0.25)
            finally:
                if counted:
                    self._waiting_urgent -= 1
                self._urgent.discard(task)  # type: ignore[arg-type]

        def _at_cap_for_refill(self) -> bool:
            # Pending pool tasks are counted in _projected, so a refill is within the cap
            # unless kernels were started outside it (Voilà's own path, a restart).
            return bool(self.max_kernels) and len(self.list_kernel_ids()) >= self.max_kernels

        async def _settle(self, kernel_id: str) -> None:
            """Hold the start gate until the new kernel's process has gone quiet (its notebook
            has run up to the point where it waits for its page), at most 20 s."""
            try:
                proc = psutil.Process(self._kernel_pid(kernel_id))
                proc.cpu_percent(None)
            except Exception:  # noqa: BLE001 - no process to watch: a short fixed pause
                proc = None
            loop = asyncio.get_running_loop()
            start, quiet = loop.time(), 0
            try:
                while loop.time() - start < 20 and not self._closing:
                    await asyncio.sleep(0.25)
                    if proc is None:
                        if loop.time() - start >= 2:
                            break
                        continue
                    try:
                        busy = proc.cpu_percent(None) > 15
                    except psutil.Error:
                        break
                    quiet = 0 if busy else quiet + 1
                    if quiet >= 4 and loop.time() - start >= 1.5:
                        break
            finally:
                self._starting -= 1

        def _kernel_pid(self, kernel_id: str) -> int:
            km = self.get_kernel(kernel_id)
            proc = getattr(getattr(km, "provisioner", None), "process", None)
            if proc is None:
                raise LookupError(f"kernel {kernel_id} has no process")
            return int(proc.pid)

        # -- the cap ---------------------------------------------------------------------------

        def _pending(self) -> int:
            return sum(1 for pool in self._pools.values() for f in pool if not f.done())

        def projected(self) -> int:
            """Kernels live now or about to be started for a pool."""
            return len(self.list_kernel_ids()) + self._pending()

        def at_capacity(self) -> bool:
            """True when one more page (its kernel, or its pool's replacement) would go over
            ``max_kernels``."""
            return bool(self.max_kernels) and self.projected() + 1 > self.max_kernels

        # -- a page's kernel ---------------------------------------------------------------------

        def pooled_ids(self) -> set[str]:
            ids = set()
            for pool in self._pools.values():
                for f in pool:
                    if f.done() and not f.cancelled() and f.exception() is None:
                        ids.add(f.result()["kernel_id"])
            return ids

        async def is_alive(self, kernel_id: str) -> bool:
            if kernel_id not in self.list_kernel_ids():
                return False
            try:
                return bool(await _maybe_await(self.get_kernel(kernel_id).is_alive()))
            except Exception:  # noqa: BLE001 - a kernel going away is not alive
                return False

        # -- the reaper and the CPU sampler --------------------------------------------------------

        def _ensure_background(self) -> None:
            if self._background is not None:
                return
            try:
                loop = asyncio.get_event_loop()
            except RuntimeError:
                return
            self._background = loop.create_task(self._watch())

        async def _watch(self) -> None:
            psutil.cpu_percent(None)
            last_reap = time.monotonic()
            while not self._closing:
                await asyncio.sleep(0.5)
                self._cpu = psutil.cpu_percent(None)
                interval = min(10.0, max(1.0, self.reap_after / 4))
                if self.reap_after > 0 and time.monotonic() - last_reap >= interval:
                    last_reap = time.monotonic()
                    try:
                        await self.reap()
                    except Exception:  # noqa: BLE001 - the reaper must keep running
                        self.log.exception("coprod: reaping kernels failed")

        async def reap(self) -> list[str]:
            """Shut down kernels handed to a page that have had no connection for
            ``reap_after`` seconds; the clock starts when the kernel leaves its pool (or is
            first seen) and again whenever its last connection closes. A dead kernel is cleared
            away at once (kernels are not restarted: a restarted kernel has lost its page's
            widgets, so its page must reload, which ``/coprod/kernel/<id>`` tells it)."""
            now = time.monotonic()
            pooled = self.pooled_ids()
            gone = []
            live = set(self.list_kernel_ids())
            for seen in (self._quiet_since, self._first_seen):
                for kid in list(seen):
                    if kid not in live:
                        del seen[kid]
            for kid in pooled:  # the "rendering" grace counts from leaving the pool
                self._first_seen.pop(kid, None)
            for kid in live:
                if not await self.is_alive(kid):  # died (killed, out of memory): clear it away
                    self.log.warning("coprod: kernel %s died; removing it", kid)
                    notebook = self._get_notebook_from_kernel(kid) if kid in pooled else None
                    self._quiet_since.pop(kid, None)
                    try:
                        await self.shutdown_kernel(kid, now=True)
                        gone.append(kid)
                    except Exception:  # noqa: BLE001 - already gone
                        self.log.debug("kernel %s was already gone", kid)
                    if notebook is not None:  # a pool's kernel: start its replacement
                        self.fill_if_needed(delay=0, notebook_name=notebook)
                    continue
                first = self._first_seen.setdefault(kid, now)
                if (
                    kid in pooled
                    or self._kernel_connections.get(kid, 0) > 0
                    or (self._rendering(kid) and now - first < RENDER_GRACE)
                ):
                    self._quiet_since.pop(kid, None)
                    continue
                since = self._quiet_since.setdefault(kid, now)
                if now - since >= self.reap_after:
                    self._quiet_since.pop(kid, None)
                    self.log.info(
                        "coprod: shutting down kernel %s: its page has had no connection for %d s",
                        kid,
                        now - since,
                    )
                    try:
                        await self.shutdown_kernel(kid)
                        gone.append(kid)
                    except Exception:  # noqa: BLE001 - already gone
                        self.log.debug("kernel %s was already gone", kid)
            return gone

        def _rendering(self, kernel_id: str) -> bool:
            """Still running its notebook for the page (the page is not shown yet, so it has
            not connected)."""
            try:
                return self.get_kernel(kernel_id).execution_state in ("busy", "starting")
            except KeyError:
                return False

        async def shutdown_all(self, *args, **kwargs):
            self._closing = True
            if self._background is not None:
                self._background.cancel()
            return await super().shutdown_all(*args, **kwargs)

    return CoprodKernelManager


async def _maybe_await(value: Any) -> Any:
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value
    return value
