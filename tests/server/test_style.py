"""One folder of CSS (coprod_widgets/style/): what a served page and the server's own pages
carry is the folder's text, and no module keeps rules of its own."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from browser.conftest import Server

from coprod_widgets.registry import opened_by
from coprod_widgets.style import SHEETS, css

PACKAGE = Path(__file__).resolve().parents[2] / "coprod_widgets"


def _get(url: str) -> str:
    req = urllib.request.Request(url, headers={"User-Agent": "coprod-tests"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read().decode("utf-8")


def test_a_served_page_and_the_home_page_carry_the_stylesheets(tmp_path):
    srv = Server(tmp_path, pool=0, extra_args=("--expected-people", "0", "--other-pool", "0"))
    try:
        page = _get(f"{srv.url}/voila/render/{opened_by('plan').notebook}")
        home = _get(srv.url + "/")
    finally:
        srv.stop()
    assert css("page").strip() in page  # the coprod template includes it from the folder
    assert css("plain").strip() in home


def test_no_module_keeps_css_rules_of_its_own():
    """A rule written as ``selector { property: value }`` lives in style/, nowhere else."""
    rule = re.compile(
        r"<style>\s*[^\s{<\"]"  # a <style> element with rules written in it
        r"|(?:\.(?:coprod|jp|widget)-[\w-]*|\bbody|\bhtml)[^{}'\"\n]*\{\s*[a-z-]+\s*:[^{}]*\}"
    )
    found = []
    for path in PACKAGE.rglob("*"):
        if path.suffix not in {".py", ".j2"} or "style" in path.relative_to(PACKAGE).parts[:1]:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if rule.search(line):
                found.append(f"{path.relative_to(PACKAGE)}:{n}: {line.strip()[:80]}")
    assert found == []


def test_every_sheet_is_read_somewhere():
    texts = "\n".join(
        p.read_text(encoding="utf-8")
        for p in PACKAGE.rglob("*")
        if p.suffix in {".py", ".j2"} and p.parent.name != "style"
    )
    for name in SHEETS:
        assert re.search(rf"""['"]{name}(\.css)?['"]""", texts), f"style/{name}.css is unused"
