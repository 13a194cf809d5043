"""Shared fixtures: a private COPROD_HOME, a Store on a tmp SQLite file and two frameworks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coprod_widgets.content import load_framework
from coprod_widgets.model.framework import (
    Band,
    Framework,
    Principle,
    Scale,
    ScalePoint,
    Source,
    Statement,
)

pytest_plugins = ["pg"]  # COPROD_TEST_DB=postgresql: the store on a throwaway PostgreSQL

REPO = Path(__file__).resolve().parent.parent
FRAMEWORKS_DIR = REPO / "data" / "frameworks"

# Environment the package reads: none of it may leak in from the machine running the tests.
_ENV = (
    "COPROD_DB",
    "COPROD_API",
    "COPROD_API_TOKEN",
    "COPROD_PUBLIC",
    "COPROD_WORKBOOK_PLUGINS",
    "COPROD_BASE_URL",
    "JUPYTERHUB_USER",
    "VOILA_KERNEL_ID",
    "VOILA_PREHEAT",
    "QUERY_STRING",
    "SERVER_PORT",
)


@pytest.fixture(autouse=True)
def coprod_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own user folder, so nothing touches the real one."""
    home = tmp_path_factory.mktemp("coprod-home")
    monkeypatch.setenv("COPROD_HOME", str(home))
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "coprod.sqlite"


@pytest.fixture
def db_url(request) -> str:
    if os.environ.get("COPROD_TEST_DB", "sqlite").lower() != "sqlite":
        return request.getfixturevalue("pg_db_url")
    return f"sqlite:///{request.getfixturevalue('db_path')}"


@pytest.fixture
def store(db_url):
    from coprod_widgets.store import Store

    s = Store(db_url)
    yield s
    s.close()


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework(FRAMEWORKS_DIR / "nef-nesta-six.yaml")


def make_small_framework(dont_know: bool = True) -> Framework:
    """Two principles of two statements each, on a 1-4 scale with two bands."""
    return Framework(
        id="small",
        version="1.0",
        title="Small test framework",
        summary="Two principles for tests.",
        source=Source(citation="Test suite (2025)."),
        attribution="Written for the tests.",
        scale=Scale(
            id="one-four",
            title="How often?",
            points=(
                ScalePoint(1, "Never", "Not once."),
                ScalePoint(2, "Rarely", "Once or twice."),
                ScalePoint(3, "Often", "Most of the time."),
                ScalePoint(4, "Always", "Every time."),
            ),
            dont_know=dont_know,
        ),
        principles=(
            Principle(
                id="p1",
                title="Listening",
                description="We listen.",
                statements=(Statement("p1-a", "We ask."), Statement("p1-b", "We act on it.")),
            ),
            Principle(
                id="p2",
                title="Sharing power",
                description="We share decisions.",
                statements=(Statement("p2-a", "We decide together."), Statement("p2-b", "We pay.")),
                guidance="Start small.",
            ),
        ),
        bands=(Band(1.0, 2.5, "Low", "Not yet."), Band(2.5, 4.0, "High", "Going well.")),
    )


@pytest.fixture
def small_framework() -> Framework:
    return make_small_framework()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With COPROD_REQUIRE_TOOLS=1 (CI sets it), a test skipped for a missing tool (Chromium,
    poppler, ruff, mypy) fails instead: CI must never pass with browser or PDF tests unrun."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("COPROD_REQUIRE_TOOLS") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"COPROD_REQUIRE_TOOLS=1: this test may not be skipped here ({reason})"


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright: one for the whole run (a second Playwright cannot
    start in the same process), shared by tests/browser and tests/security."""
    from browser.conftest import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        pytest.skip(
            "Chromium not found: install Debian's browser with `sudo apt-get install chromium` "
            "(or set COPROD_CHROMIUM to a Chromium binary) to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def run_async(coro):
    """Run a coroutine to its end on a loop of its own, in a thread of its own: the browser
    tests' Playwright keeps an event loop running in the main thread for the whole session, and
    ``asyncio.run`` refuses to start beside it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
