"""One autosave for every workbook: debounced, off the kernel's event loop, and honest.

Every app hands each change to ``Autosave.change(key, write)``. Changes to one key (one box)
are coalesced: a store write happens after a second without typing, or every few seconds
while the typing goes on, and at once for a click (``immediate``), a submit or a finish
(``flush``). Writes run one at a time on a thread of the page's own, so a slow store never
stalls the kernel, and the page's status says:

- "Saving…" while a change waits or is being written;
- "All changes saved at 12:04:05" only once the store confirmed every change;
- "Not saved, reconnecting…" while the store cannot be reached: the change is kept and
  tried again by itself, with a growing pause;
- "Not saved: <why>" for a change the store refused (too long, a closed round): trying
  again cannot help, so it is said at once (``on_error`` may say it beside the box too).

Each confirmed text is acknowledged to the page's script (``SaveStatus.acks``: a slug and a
hash of what was saved), which keeps anything typed but not yet acknowledged in the browser's
storage, and puts it back after a reload or a dead kernel. See ``page.js`` in our template.

Outside a running kernel (tests, the command line) there is no event loop to wait on: every
change is written at once, with the same outcomes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import CoprodError
from ..model.text import clean_text, counter_text
from ..widgets.status import FieldNote, SaveStatus

log = logging.getLogger("coprod.autosave")

QUIET = 1.0  # seconds without typing before a box is written
MAX_WAIT = 8.0  # the longest a change waits while the typing goes on (a page keeps it meanwhile)
RETRY = (1.0, 2.0, 5.0, 10.0)  # pauses before trying an unreachable store again
MAX_ACKS = 200

SAVING = "Saving…"
RECONNECTING = (
    "Not saved, reconnecting… What you typed is kept on this page and will be saved as soon "
    "as the connection is back."
)


def saved_message() -> str:
    return f"All changes saved at {time.strftime('%H:%M:%S')}"


def permanent(e: BaseException) -> bool:
    """A refusal that trying again cannot mend: our own errors, except the plain one the
    members' API raises when the server cannot be reached."""
    return isinstance(e, CoprodError) and type(e) is not CoprodError


def text_hash(value: str) -> str:
    """FNV-1a over UTF-16 code units, as the page's script computes it for what was typed."""
    h = 0x811C9DC5
    data = value.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


_SLUG_BAD = re.compile(r"[^A-Za-z0-9_-]")


def slug(*parts: object) -> str:
    """A CSS-class-safe name for a box, stable across page loads."""
    return _SLUG_BAD.sub("_", "-".join(str(p) for p in parts))[:120]


def keep(widget: Any, name: str) -> Any:
    """Mark a text box so the page's script keeps what is typed in it until it is saved (a
    box renamed, as a new journal entry's are once it is created, loses its old name)."""
    for old in [c for c in widget._dom_classes if c.startswith("coprod-keep--")]:
        widget.remove_class(old)
    widget.add_class("coprod-keep")
    widget.add_class(f"coprod-keep--{name}")
    return widget


@dataclass
class _Job:
    write: Callable[[], Any]
    slug: str = ""
    value: str | None = None
    first: float = 0.0
    last: float = 0.0
    immediate: bool = False
    on_error: Callable[[Exception], None] | None = None
    on_saved: Callable[[Any], None] | None = None
    tries: int = 0
    handled: bool = field(default=False, compare=False)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (Voilà's or JupyterLab's), whose event loop keeps turning.
    Elsewhere a loop may look "running" without turning for us (Playwright's sync API keeps one
    in the main thread), so writes there go at once."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Autosave:
    """The saving of one page. See the module's docstring."""

    def __init__(
        self,
        status: SaveStatus,
        *,
        quiet: float = QUIET,
        max_wait: float = MAX_WAIT,
        retry: tuple[float, ...] = RETRY,
        debounce: bool | None = None,
    ):
        self.status = status
        # None: debounce on a kernel's running loop, else write at once; True: on any running
        # loop (tests, the benchmark); False: always at once.
        self.debounce = debounce
        self.quiet, self.max_wait, self.retry = quiet, max_wait, retry
        self._jobs: dict[Hashable, _Job] = {}
        self._inflight: dict[Hashable, tuple[concurrent.futures.Future[Any], _Job]] = {}
        self._errors: dict[Hashable, str] = {}
        self._unreachable = False
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.writes = 0  # store writes attempted (the benchmark reads it)

    # -- what apps call -------------------------------------------------------------------

    def change(
        self,
        key: Hashable,
        write: Callable[[], Any],
        *,
        slug: str = "",
        value: str | None = None,
        immediate: bool = False,
        on_error: Callable[[Exception], None] | None = None,
        on_saved: Callable[[Any], None] | None = None,
    ) -> None:
        """A new value for ``key``: ``write`` stores it (replacing any older write waiting)."""
        now = time.monotonic()
        old = self._jobs.get(key)
        self._jobs[key] = _Job(
            write,
            slug,
            value,
            first=old.first if old else now,
            last=now,
            immediate=immediate,
            on_error=on_error,
            on_saved=on_saved,
            tries=old.tries if old else 0,
        )
        loop = self._loop_now()
        if loop is None:
            self.flush()
            return
        self._loop = loop
        self._show()
        self._schedule()

    def text(
        self,
        key: Hashable,
        field: str,
        text: str,
        write: Callable[[], Any],
        *,
        note: FieldNote | None = None,
        slug: str = "",
        on_saved: Callable[[Any], None] | None = None,
    ) -> None:
        """A typed text for ``key``, checked against the named limit ``field`` (see
        ``model.text``) before it goes anywhere; ``note`` shows the counter near the limit and
        a refusal beside the box."""
        if note is not None:
            note.counter = counter_text(field, len(text))

        def checked() -> Any:
            clean_text(field, text)
            return write()

        def refused(e: Exception) -> None:
            if note is not None:
                note.message = str(e)

        def saved(result: Any) -> None:
            if note is not None:
                note.message = ""
            if on_saved is not None:
                on_saved(result)

        self.change(key, checked, slug=slug, value=text, on_error=refused, on_saved=saved)

    def _loop_now(self) -> asyncio.AbstractEventLoop | None:
        if self.debounce is False:
            return None
        loop = _running_loop()
        if loop is None or (self.debounce is None and not _in_kernel()):
            return None
        return loop

    @property
    def pending(self) -> bool:
        return bool(self._jobs or self._inflight)

    def flush(self, timeout: float = 30.0) -> bool:
        """Write everything waiting now and wait for it: True when all of it is saved."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for key, (fut, job) in list(self._inflight.items()):  # writes already under way
            self._wait(fut, timeout)
            self._done(key, job, fut)
        started = [(k, j, self._submit(k, j)) for k, j in self._take(everything=True)]
        for key, job, fut in started:
            self._wait(fut, timeout)
            self._done(key, job, fut)
        self._show()
        if self._jobs and self._loop is not None:
            self._schedule()
        return not self._jobs and not self._errors and not self._unreachable

    @staticmethod
    def _wait(fut: concurrent.futures.Future[Any], timeout: float) -> None:
        try:
            fut.result(timeout)
        except Exception:  # noqa: BLE001,S110 - _done says what happened
            pass

    def forget(self, key: Hashable) -> None:
        """Drop a waiting change (its box is gone) and any refusal said about it."""
        self._jobs.pop(key, None)
        self._errors.pop(key, None)
        self._show()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=False)

    # -- the machinery --------------------------------------------------------------------

    def _due(self, job: _Job) -> float:
        if job.tries:
            return job.last + self.retry[min(job.tries, len(self.retry)) - 1]
        if job.immediate:
            return job.last
        return min(job.last + self.quiet, job.first + self.max_wait)

    def _take(self, everything: bool = False) -> list[tuple[Hashable, _Job]]:
        now = time.monotonic()
        ready = [
            (k, j)
            for k, j in self._jobs.items()
            if k not in self._inflight and (everything or self._due(j) <= now)
        ]
        for k, _ in ready:
            del self._jobs[k]
        return ready

    def _schedule(self) -> None:
        loop = self._loop
        if loop is None or not self._jobs:
            return
        waiting = [j for k, j in self._jobs.items() if k not in self._inflight]
        if not waiting:
            return
        delay = max(0.0, min(self._due(j) for j in waiting) - time.monotonic())
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        loop = self._loop
        assert loop is not None
        for key, job in self._take():
            self._submit(key, job).add_done_callback(self._back_on_loop(loop, key, job))
        self._schedule()

    def _back_on_loop(
        self, loop: asyncio.AbstractEventLoop, key: Hashable, job: _Job
    ) -> Callable[[concurrent.futures.Future[Any]], None]:
        """The outcome of a write is handled on the kernel's loop, where widgets live."""

        def done(fut: concurrent.futures.Future[Any]) -> None:
            loop.call_soon_threadsafe(self._done, key, job, fut)

        return done

    def _submit(self, key: Hashable, job: _Job) -> concurrent.futures.Future[Any]:
        if self._pool is None:
            # One thread: a page's writes keep their order (a journal entry is created by its
            # first write, never twice).
            self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="autosave")
        self.writes += 1
        fut = self._pool.submit(job.write)
        self._inflight[key] = (fut, job)
        return fut

    def _done(self, key: Hashable, job: _Job, fut: concurrent.futures.Future[Any]) -> None:
        if job.handled or not fut.done():  # a write still under way is handled when it ends
            return
        job.handled = True
        if key in self._inflight and self._inflight[key][0] is fut:
            del self._inflight[key]
        e = fut.exception()
        if e is None:
            self._unreachable = False
            self._errors.pop(key, None)
            if job.slug and job.value is not None:
                self._ack(job.slug, job.value)
            if job.on_saved is not None:
                job.on_saved(fut.result())
        elif permanent(e):
            assert isinstance(e, Exception)
            self._errors[key] = str(e)
            if job.on_error is not None:
                job.on_error(e)
        else:
            log.warning("not saved yet, will try again: %s", e)
            self._unreachable = True
            if key not in self._jobs:  # a newer change for this box replaces this one
                self._jobs[key] = replace(
                    job, tries=job.tries + 1, last=time.monotonic(), handled=False
                )
        self._show(saved=e is None)
        self._schedule()

    def _ack(self, name: str, value: str) -> None:
        acks = dict(self.status.acks)
        acks.pop(name, None)
        acks[name] = text_hash(value)
        while len(acks) > MAX_ACKS:
            acks.pop(next(iter(acks)))
        self.status.acks = acks

    def _show(self, saved: bool = False) -> None:
        s = self.status
        if self._errors:
            s.state, s.message = "error", "Not saved: " + next(reversed(self._errors.values()))
        elif self._unreachable:
            s.state, s.message = "retrying", RECONNECTING
        elif self._jobs or self._inflight:
            s.state, s.message = "saving", SAVING
        elif saved or s.state in ("saving", "retrying"):
            s.state, s.message = "saved", saved_message()
