"""A workbook added through the registry alone: a plugin module named by
``COPROD_WORKBOOK_PLUGINS`` declares it (and holds the function its notebook calls); no other
file is touched. It is listed on the home page, its route opens its page, its link is checked
for the query field it declares, it runs headless, and a real `coprod serve` shows its output."""

from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.request

import nbformat
import pytest
from browser.conftest import Server
from nbclient import NotebookClient

from coprod_widgets import registry
from coprod_widgets.server import pages

PLUGIN = """
from coprod_widgets.registry import Workbook

WORKBOOKS = (
    Workbook(
        name="{name}",
        title="A throwaway workbook",
        summary="Says hello to whoever the link names.",
        app="{module}",
        call="greet",
        query=("word",),
        route="{route}",
        pool="single",
    ),
)


def greet(word=None):
    from IPython.display import HTML, display

    from coprod_widgets import identity

    word = word or identity.from_request().get("word") or "nobody"
    display(HTML(f"<p class='throwaway'>Hello from the throwaway, {{word}}!</p>"))
"""


@pytest.fixture()
def plugin(tmp_path, monkeypatch) -> registry.Workbook:
    """The throwaway's module on the path of this process, its server and their kernels."""
    tag = secrets.token_hex(3)
    name, module, route = f"throwaway_{tag}", f"coprod_throwaway_{tag}", f"throwaway-{tag}"
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / f"{module}.py").write_text(
        PLUGIN.format(name=name, module=module, route=route), encoding="utf-8"
    )
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), path])))
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv(registry.PLUGINS_ENV, module)
    [wb] = [w for w in registry.workbooks() if w.name == name]
    return wb


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) without following redirects, errors included."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    req = urllib.request.Request(url, headers={"User-Agent": "coprod-tests"})
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=120) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def test_a_plugin_workbook_is_registered_after_ours(plugin):
    names = [w.name for w in registry.workbooks()]
    assert names[: len(registry.WORKBOOKS)] == [w.name for w in registry.WORKBOOKS]
    assert names[-1] == plugin.name and "word" in registry.query_fields()
    assert registry.by_notebook(plugin.notebook) == plugin


def test_the_throwaway_is_on_the_home_page(plugin):
    home = pages.home("/")
    assert f"<a href='/voila/render/{plugin.notebook}'>A throwaway workbook</a>" in home


def test_the_throwaway_runs_headless(plugin, tmp_path):
    nb = nbformat.reads(registry.notebook_text(plugin, tmp_path), as_version=4)
    [params] = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    params.source += "\nword = 'headless'"
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    out = json.dumps([o for c in nb.cells for o in c.get("outputs", [])])
    assert "Hello from the throwaway, headless!" in out and '"error"' not in out


def test_a_real_server_lists_links_and_shows_the_throwaway(plugin, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    srv = Server(home, pool=1, extra_args=("--expected-people", "0", "--other-pool", "0"))
    try:
        status, _, body = fetch(srv.url + "/")
        assert status == 200 and "A throwaway workbook" in body
        status, headers, _ = fetch(f"{srv.url}/{plugin.route}?word=Adalovelace&other=x")
        page = f"/voila/render/{plugin.notebook}?word=Adalovelace"
        assert status == 302 and headers["Location"] == page
        status, _, body = fetch(srv.url + page)
        assert status == 200, body
        assert "Hello from the throwaway, Adalovelace!" in body
        # The page check reads the field it declared: one value, the one the kernel reads.
        status, _, body = fetch(f"{srv.url}{page}&word=Bob")
        assert status == 404 and "This link is not recognised" in body
    finally:
        srv.stop()
    log = (home / "serve.log").read_text(encoding="utf-8")
    assert "Adalovelace" not in log, "a declared query field is a secret: cut short in the log"


def test_without_the_plugin_the_throwaway_is_gone(plugin, monkeypatch):
    monkeypatch.delenv(registry.PLUGINS_ENV)
    assert registry.by_notebook(plugin.notebook) is None
    assert plugin.title not in pages.home("/")


def test_a_bad_entry_is_refused():
    with pytest.raises(ValueError, match="no link kind"):
        registry.Workbook(name="x", title="X", summary="", app="m", link="magic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a plain name"):
        registry.Workbook(name="x-y", title="X", summary="", app="m")


def test_every_link_kind_has_its_checker_in_the_server():
    """A new link kind is declared in the registry and checked by the server, both or neither."""
    from typing import get_args

    from coprod_widgets.server.page import LINK_CHECKS

    assert set(get_args(registry.LinkKind)) == set(registry.LINK_KINDS) == set(LINK_CHECKS)


def test_links_are_built_from_the_registry_under_any_prefix():
    """Every link the apps and the command line print comes from a workbook's route or page,
    so a server under a hub's prefix (/services/coprod/) gets links under that prefix."""
    from coprod_widgets.apps.common import link
    from coprod_widgets.registry import opened_by, page_link, plan_link, route_link

    base = "https://hub.example.org/services/coprod/"
    member = opened_by("member")
    assert link(base, "ABC") == f"https://hub.example.org/services/coprod/{member.route}/ABC"
    assert route_link("journal", base, "k") == (
        f"https://hub.example.org/services/coprod/{opened_by('journal').route}/k"
    )
    planner = opened_by("plan")
    assert plan_link(base, "-x1") == (
        f"https://hub.example.org/services/coprod/voila/render/{planner.notebook}?plan=-x1"
    )
    assert plan_link("", "-x1") == "-x1"  # no server: the code itself
    assert page_link("owner", base) == f"{base}voila/render/{opened_by('owner').notebook}"
