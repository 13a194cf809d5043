"""JupyterLab as a way in, in Chromium against a real `coprod lab`: a member rates in their own
copy of the self-assessment and finds the rating again after a reload; an example of the data
API runs from top to bottom; and the workbook stays readable in Lab's dark theme."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from coprod_widgets.content import FrameworkLibrary

from .conftest import free_port, until

pytestmark = pytest.mark.browser

TOKEN = "lab-journey-" + os.urandom(8).hex()
SLOW = 120_000  # JupyterLab's UI is heavy, and six sessions share two cores
# Some code cell's prompt says it ran or is running: [*] or [n].
RAN = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def private_jupyter_dirs(under) -> dict[str, str]:
    """Lab's settings (the theme chosen below), workspaces and runtime files: in the test's
    folder, never in the home folder of whoever runs the tests."""
    return {
        "JUPYTERLAB_SETTINGS_DIR": str(under / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(under / "lab-workspaces"),
        "JUPYTER_RUNTIME_DIR": str(under / "jupyter-runtime"),
    }


class Lab:
    """`coprod lab FOLDER --no-browser --demo` on loopback, with a token of the test's."""

    def __init__(self, home):
        self.home = home
        self.folder = home / "my-workbooks"
        self.db = f"sqlite:///{home / 'coprod.sqlite'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "COPROD_HOME": str(home), "JUPYTER_TOKEN": TOKEN}
        env.update(private_jupyter_dirs(home))  # Lab's settings and workspaces: not the home's
        env.pop("COPROD_DB", None)
        self.log = open(home / "lab.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coprod_widgets.cli", "--db", self.db, "lab"]
            + [str(self.folder), "--no-browser", "--demo", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coprod lab exited: {(home / 'lab.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={TOKEN}", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("coprod lab did not answer within 120 s")

    def open(self, page, notebook: str) -> None:
        """The notebook alone in a fresh workspace (``reset``), its kernel started."""
        page.goto(f"{self.url}/lab/tree/{notebook}?reset&token={TOKEN}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=SLOW)
        expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=SLOW)

    def run_all(self, page) -> None:
        """Run > Run All Cells, again if no cell started (a click before Lab was ready)."""
        for _ in range(3):
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator("li[data-command='runmenu:run-all']").click()
            try:
                page.wait_for_function(RAN, timeout=20_000)
                return
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
        raise AssertionError("Run All Cells ran no cell")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    srv = Lab(tmp_path_factory.mktemp("coprod-lab"))
    yield srv
    srv.stop()


@pytest.fixture()
def lab_store(lab, monkeypatch):
    from coprod_widgets.store import Store

    monkeypatch.setenv("COPROD_HOME", str(lab.home))  # the same keys as the Lab's kernels
    s = Store(lab.db)
    yield s
    s.close()


@pytest.fixture()
def tall_page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1400})
    pg = context.new_page()
    pg.set_default_timeout(SLOW)
    yield pg
    context.close()


def open_round(lab, page, code: str) -> None:
    """Run the self-assessment's cells, then give the code as the notebook asks."""
    lab.run_all(page)
    box = page.get_by_label("Link code")
    box.wait_for(timeout=SLOW)
    box.fill(code)
    page.get_by_role("button", name="Open", exact=True).click()
    page.wait_for_selector(".coprod-statement", timeout=SLOW)


def test_a_member_rates_in_lab_and_finds_it_again(lab, lab_store, tall_page):
    page = tall_page
    fw = FrameworkLibrary().get("nef-nesta-six")
    links = lab_store.rounds.links(2)  # the demo's open round
    lab.open(page, "self_assessment.ipynb")
    open_round(lab, page, links.member_code)
    first = page.locator(".coprod-statement").nth(0)
    first.get_by_label("4 Often").check()
    expect(page.locator(".coprod-save-status")).to_contain_text("All changes saved", timeout=SLOW)
    sid = fw.principles[0].statements[0].id

    def rated():
        mine = [a for a in lab_store.rounds.answers(2) if a.ratings.get(sid)]
        return [a for a in mine if a.ratings[sid].value == 4 and a.status == "draft"]

    assert until(rated, timeout=20), "the rating did not reach the store"

    page.reload()
    lab.open(page, "self_assessment.ipynb")
    open_round(lab, page, f"{lab.url}/j/{links.member_code}")  # a whole link works too
    expect(page.locator(".coprod-statement").nth(0).get_by_label("4 Often")).to_be_checked()

    # Saved by Lab, the notebook keeps neither outputs nor the widgets' state.
    nb = lab.folder / "self_assessment.ipynb"
    before = nb.stat().st_mtime_ns
    page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
    page.locator("li[data-command='docmanager:save']").click()

    def saved_whole() -> str:  # the file is seen changed before it is wholly written
        text = nb.read_text(encoding="utf-8")
        if nb.stat().st_mtime_ns == before:
            return ""
        try:
            json.loads(text)
        except ValueError:
            return ""
        return text

    saved = until(saved_whole, timeout=30)
    assert saved, "Lab did not save"
    assert '"outputs": []' in saved and "assess.show(code=code, me=me)" in saved
    assert links.member_code not in saved and "Riverside" not in saved


def test_an_example_runs_top_to_bottom(lab, tall_page):
    page = tall_page
    lab.open(page, "examples/re_derive_results.ipynb")
    lab.run_all(page)
    table = page.locator(".jp-OutputArea-output table")
    expect(table).to_contain_text("Mutuality and reciprocity", timeout=SLOW)
    expect(page.locator(".jp-OutputArea-output[data-mime-type*='error']")).to_have_count(0)
    expect(page.locator(".jp-OutputArea-output", has_text="Traceback")).to_have_count(0)


# Every element of the app with text of its own whose colour is below WCAG AA (4.5:1) against
# the first background behind it: [element, text, colour, background, ratio, in a notice?].
LOW_CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const behind = el => {
    for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const lum = c => {
    const [r, g, b] = rgb(c).slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const low = [];
  for (const el of document.querySelectorAll('.coprod-app *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getBoundingClientRect().width) continue;
    const [c, b] = [getComputedStyle(el).color, behind(el)];
    if (ratio(c, b) < 4.5)
      low.push([el.tagName + '.' + el.className, el.textContent.trim().slice(0, 40), c, b,
                ratio(c, b).toFixed(2), el.closest('.coprod-notice') ? 'notice' : '']);
  }
  return low;
}"""


def choose_theme(page, name: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    page.locator("li.lm-Menu-item", has_text="Theme").first.hover()
    page.locator("li.lm-Menu-item", has_text=name).first.click()
    grounds = ["white", "#fff", "#ffffff"] if name == "JupyterLab Light" else ["#111", "#111111"]
    page.wait_for_function(  # its --jp-layout-color0 is the page's
        f"""() => {grounds!r}.includes(getComputedStyle(document.body)
            .getPropertyValue('--jp-layout-color0').trim().toLowerCase())""",
        timeout=SLOW,
    )
    page.wait_for_timeout(1000)  # the theme's stylesheet applied throughout


def test_the_workbook_is_readable_in_labs_light_and_dark_themes(lab, lab_store, tall_page):
    page = tall_page
    lab.open(page, "self_assessment.ipynb")
    open_round(lab, page, lab_store.rounds.links(2).member_code)
    page.locator(".coprod-statement").nth(0).get_by_label("3 Sometimes").check()
    expect(page.locator(".coprod-save-status")).to_contain_text("All changes saved", timeout=SLOW)
    page.get_by_role("button", name="Submit my answers").click()  # a notice: some unrated
    expect(page.locator(".coprod-notice").first).to_be_visible()
    choose_theme(page, "JupyterLab Light")
    assert page.evaluate(LOW_CONTRAST) == [], "light theme"
    choose_theme(page, "JupyterLab Dark")
    assert page.evaluate(LOW_CONTRAST) == [], "dark theme"
