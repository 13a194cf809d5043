"""PDFs: the Chrome or Chromium to print with, kept open between PDFs, driven by Playwright.

Playwright is imported only when a PDF is first asked for; `start` launches the browser ahead
of the first print, so a cold `coprod export ... --to pdf` starts Chromium while the report's
notebook runs instead of after it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from ..errors import CoprodError

CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
)
# As the browser tests run it: headless in a container (often as root) needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "install one with `sudo apt-get install chromium` (Debian, Ubuntu), "
    "or set COPROD_CHROMIUM to the path of a Chrome or Chromium executable"
)


class ReportFailed(CoprodError):
    """A report notebook's cell raised something other than a CoprodError: a bug to report."""


class BrowserMissing(CoprodError):
    """No Chrome or Chromium to print a PDF with."""


FOOTER = (
    "<div style='font-size:8pt;width:100%;text-align:center;color:#4d4d4d;"
    "font-family:Arial,sans-serif'><span class='title'></span> &middot; page "
    "<span class='pageNumber'></span> of <span class='totalPages'></span></div>"
)
PDF_OPTIONS: dict[str, Any] = {
    "print_background": True,
    "prefer_css_page_size": True,  # the stylesheet's @page: A4 and its margins
    "display_header_footer": True,
    "header_template": "<span></span>",
    "footer_template": FOOTER,
    "tagged": True,  # an accessible PDF: headings, lists and tables kept as structure
    "outline": True,  # bookmarks from the headings
}


class Printer:
    """One headless Chromium kept open between PDFs, on an event loop in a thread of its own.

    Starting Playwright's driver and the browser is most of the time a PDF takes; a results page
    that prints several reports pays it once. The browser closes after `idle` seconds unused, so a
    kernel left open does not keep a Chromium running, and when the process ends.
    """

    def __init__(self, idle: float = 120.0):
        self.idle = idle
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._launching: asyncio.Lock | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._key: tuple[str, tuple[str, ...]] | None = None
        self._busy = 0
        self._idle_timer: asyncio.TimerHandle | None = None

    def start(self, executable: str, args: list[str]) -> None:
        """Launch the browser now, without waiting for it (a print soon after finds it open)."""
        asyncio.run_coroutine_threadsafe(self._warm(executable, tuple(args)), self._ensure_loop())

    def pdf(self, html: str, executable: str, args: list[str], timeout: float = 120.0) -> bytes:
        """Print `html` to PDF bytes (in a kernel too: the loop is not the caller's)."""
        future = asyncio.run_coroutine_threadsafe(
            self._print(html, executable, tuple(args)), self._ensure_loop()
        )
        return future.result(timeout)

    def close(self) -> None:
        """Close the browser now (it opens again on the next PDF)."""
        loop = self._loop
        if loop is not None and loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(15)

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="coprod-pdf", daemon=True).start()
                self._loop = loop
                atexit.register(self.close)
            return self._loop

    async def _warm(self, executable: str, args: tuple[str, ...]) -> None:
        with contextlib.suppress(Exception):  # a failed launch is reported by the print
            await self._browser_for(executable, args)
            if self._busy == 0:
                self._arm_idle()

    async def _browser_for(self, executable: str, args: tuple[str, ...]) -> Any:
        if self._launching is None:
            self._launching = asyncio.Lock()
        async with self._launching:
            key = (executable, args)
            if self._browser is not None and (key != self._key or not self._browser.is_connected()):
                await self._shutdown()
            if self._browser is None:
                from playwright.async_api import async_playwright

                self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=executable,
                    args=list(args),
                    handle_sigint=False,
                    handle_sigterm=False,
                    handle_sighup=False,
                )
                self._key = key
            return self._browser

    async def _print(self, html: str, executable: str, args: tuple[str, ...]) -> bytes:
        self._busy += 1
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        try:
            browser = await self._browser_for(executable, args)
            page = await browser.new_page()
            try:
                await page.set_content(html, wait_until="load")
                pdf: bytes = await page.pdf(**PDF_OPTIONS)
                return pdf
            finally:
                await page.close()
        finally:
            self._busy -= 1
            self._arm_idle()

    def _arm_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = asyncio.get_running_loop().call_later(self.idle, self._on_idle)

    def _on_idle(self) -> None:
        if self._busy == 0:
            asyncio.ensure_future(self._shutdown())

    async def _shutdown(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = self._key = None
        with contextlib.suppress(Exception):
            if browser is not None:
                await browser.close()
        with contextlib.suppress(Exception):
            if playwright is not None:
                await playwright.stop()


PRINTER = Printer()


def find_chromium() -> str:
    """The Chrome or Chromium to print with: $COPROD_CHROMIUM, then the usual places."""
    env = os.environ.get("COPROD_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for c in CHROMIUM_CANDIDATES:
        if Path(c).is_file():
            return c
    found = shutil.which("chromium")
    if found:
        return found
    unset = f"COPROD_CHROMIUM is set to {env}, which does not exist, and " if env else ""
    raise BrowserMissing(
        f"a PDF is printed by Chrome or Chromium, and none was found: {unset}"
        f"{INSTALL_HINT}; meanwhile the HTML copy prints to PDF from any browser"
    )


def print_pdf(html: str, browser_args: list[str] | tuple[str, ...] = ()) -> bytes:
    """Print the page to PDF (A4, page numbers in the footer) with the kept-open Chromium."""
    executable = find_chromium()
    try:
        return PRINTER.pdf(html, executable, [*CHROMIUM_ARGS, *browser_args])
    except Exception as e:
        if isinstance(e, CoprodError):
            raise
        raise ReportFailed(f"Chromium ({executable}) could not print the report: {e}") from e


def to_pdf(html: str) -> bytes:
    """A report page printed to PDF by Chromium (BrowserMissing, with how to install one)."""
    return print_pdf(html)


def start_browser() -> None:
    """Launch Chromium now, in the background, for a PDF to come (nothing if there is none)."""
    with contextlib.suppress(BrowserMissing):
        PRINTER.start(find_chromium(), CHROMIUM_ARGS)
