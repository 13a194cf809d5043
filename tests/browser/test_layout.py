"""Every page in Chromium against a real `coprod serve`, at two laptop sizes, a phone, and a
laptop at 200% zoom: it scrolls by wheel, keys (PageDown, Space, End) and touch; nothing is cut
off or overlaps; nothing runs off sideways (a wide table scrolls inside its own box).

200% zoom is emulated as Chromium zooms: the CSS viewport is halved (1366x657 shows 683x329 CSS
pixels) and each CSS pixel is drawn with two device pixels (device_scale_factor 2).
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.identity import journal_key_owner

from .conftest import until

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "1366x657": {"viewport": {"width": 1366, "height": 657}},
    "1280x720": {"viewport": {"width": 1280, "height": 720}},
    "phone-375x667": {
        "viewport": {"width": 375, "height": 667},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "zoom-200%-of-1366x657": {"viewport": {"width": 683, "height": 329}, "device_scale_factor": 2},
}

# What a person would see as broken, found in the page: each returns a list of problems.
PROBLEMS = """(root) => {
  root = document.querySelector(root);
  const W = document.documentElement.clientWidth, out = [];
  const name = (e) => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined
    ? '.' + String(e.className).trim().split(/\\s+/).slice(0, 3).join('.') : '') +
    ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
  const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  if (document.scrollingElement.scrollWidth > W) {
    out.push('the page scrolls sideways: ' + document.scrollingElement.scrollWidth + ' > ' + W);
  }
  for (const e of root.querySelectorAll('*')) {
    if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') { continue; }
    const r = e.getBoundingClientRect();
    if (!r.width || r.right <= W + 1) { continue; }
    // Past the right edge: fine only inside a box that scrolls sideways and itself fits.
    let p = e.parentElement;
    while (p && getComputedStyle(p).overflowX === 'visible') { p = p.parentElement; }
    const box = p && p.matches('table, figure, pre, .widget-html-content') &&
      /auto|scroll/.test(getComputedStyle(p).overflowX) && p.getBoundingClientRect().right <= W + 1;
    if (!box) { out.push('runs off sideways (right ' + Math.round(r.right) + '): ' + name(e)); }
  }
  for (const e of root.querySelectorAll('label, .widget-label, button, summary')) {
    if (shown(e) && e.scrollHeight > e.clientHeight + 2 && getComputedStyle(e).overflowY !== 'auto') {
      out.push('text spills out of its box: ' + name(e));
    }
  }
  for (const box of root.querySelectorAll('.widget-vbox, .widget-radio-box')) {
    const kids = Array.from(box.children).filter(shown);
    for (let i = 1; i < kids.length; i++) {
      const a = kids[i - 1].getBoundingClientRect(), b = kids[i].getBoundingClientRect();
      const apart = b.top >= a.bottom - 1 || b.left >= a.right - 1 || b.right <= a.left + 1;
      if (!apart) { out.push('overlaps the one before: ' + name(kids[i])); }
    }
  }
  return out.slice(0, 15);
}"""

BOTTOM = """(root) => {
  root = document.querySelector(root);
  const controls = Array.from(root.querySelectorAll('a[href], button, input, select, textarea, summary'))
    .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  const last = controls[controls.length - 1], r = last.getBoundingClientRect();
  return {rootBottom: root.getBoundingClientRect().bottom, innerHeight: innerHeight,
          last: last.tagName + ' ' + (last.textContent || last.value || '').trim().slice(0, 40),
          lastTop: r.top, lastBottom: r.bottom};
}"""


@pytest.fixture(scope="module")
def pages(server):
    """Every page a person meets, each with enough in it to be longer than a laptop screen."""
    from coprod_widgets.store import Store

    store = Store(server.db)
    fw = FrameworkLibrary().get("nef-nesta-six")
    team = store.rounds.create("Layout team", fw, min_answers=1, roles=["Staff", "Carer"])
    for k in range(3):
        me = f"layout-member-token-{k}"
        for i, s in enumerate(fw.statements):
            store.members.save_rating(team.member_code, me, s.id, 1 + (i + k) % 5)
        store.members.save_comment(
            team.member_code,
            me,
            fw.principles[0].id,
            "A link we all read: https://example.org/" + "a-very-long-unbroken-path-" * 4,
        )
        store.members.submit(team.member_code, me)
    fresh = store.rounds.create("Fresh layout team", fw, min_answers=3)
    _, plan = store.plans.create("Layout plan")
    store.close()
    return {
        "home": (f"{server.url}/", "main"),
        "start page": (f"{server.url}/voila/render/start_round.ipynb", ".coprod-app"),
        "member page": (f"{server.url}/j/{fresh.member_code}", ".coprod-app"),
        "results": (f"{server.url}/j/{team.facilitator_code}", ".coprod-app"),
        "journal": (f"{server.url}/journal", ".coprod-app"),
        "planner": (f"{server.url}/voila/render/planner.ipynb", ".coprod-app"),
        "a plan": (f"{server.url}/voila/render/planner.ipynb?plan={plan}", ".coprod-app"),
    }


def top(pg) -> None:
    pg.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    until(lambda: pg.evaluate("window.scrollY") == 0, timeout=2)


def scrolled(pg) -> bool:
    return bool(until(lambda: pg.evaluate("window.scrollY") > 0, timeout=3))


def touch_drag(pg, cdp, distance: int) -> None:
    """A finger drawn up the screen: real touch events, as a phone sends them."""
    x, y = pg.viewport_size["width"] // 2, pg.viewport_size["height"] - 40
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for i in range(1, 11):
        point = {"x": x, "y": y - distance * i // 10}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        pg.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_page_scrolls_fits_and_shows_everything(size, chromium, pages):
    options = VIEWPORTS[size]
    context = chromium.new_context(**options)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    width, height = options["viewport"]["width"], options["viewport"]["height"]
    failures: list[str] = []
    try:
        for page_name, (url, root) in pages.items():
            pg.goto(url)
            pg.wait_for_selector(root, timeout=60_000)
            pg.wait_for_timeout(800)  # the widgets settle
            where = f"{page_name} at {size}"
            failures += [f"{where}: {p}" for p in pg.evaluate(PROBLEMS, root)]

            tall = pg.evaluate("document.scrollingElement.scrollHeight") > height + 20
            if tall:
                top(pg)
                pg.mouse.move(width / 2, height / 2)
                pg.mouse.wheel(0, height / 2)
                if not scrolled(pg):
                    failures.append(f"{where}: the mouse wheel does not scroll the page")
                for key in ("PageDown", "Space"):
                    top(pg)
                    pg.keyboard.press(key)
                    if not scrolled(pg):
                        failures.append(f"{where}: {key} does not scroll the page")
                if options.get("has_touch"):
                    top(pg)
                    touch_drag(pg, context.new_cdp_session(pg), height // 2)
                    if not scrolled(pg):
                        failures.append(f"{where}: a finger drawn up does not scroll the page")
            top(pg)
            pg.keyboard.press("End")
            if tall:
                scrolled(pg)
            # Nothing cut off: the end of the page, and its last control, can be brought into view.
            end = until(
                lambda r=root: (
                    (b := pg.evaluate(BOTTOM, r))["rootBottom"] <= b["innerHeight"] + 1 and b
                ),
                timeout=3,
            ) or pg.evaluate(BOTTOM, root)
            if end["rootBottom"] > end["innerHeight"] + 1:
                failures.append(f"{where}: End does not reach the end of the page: {end}")
            if not (0 <= end["lastTop"] and end["lastBottom"] <= end["innerHeight"] + 1):
                failures.append(f"{where}: the last control is out of view after End: {end}")
            if page_name == "member page":
                submit = pg.get_by_role("button", name="Submit my answers")
                submit.focus()
                box = submit.bounding_box()
                if not (box and 0 <= box["y"] and box["y"] + box["height"] <= height + 1):
                    failures.append(f"{where}: Submit is not brought into view by focus: {box}")
            if size == "1366x657" or size.startswith("phone"):
                pg.screenshot(path=f"/tmp/coprod-layout-{page_name.replace(' ', '-')}-{size}.png")
    finally:
        context.close()
    assert failures == [], "\n".join(failures)


def test_wide_tables_and_charts_scroll_inside_their_own_box_on_a_phone(chromium, pages):
    context = chromium.new_context(**VIEWPORTS["phone-375x667"])
    pg = context.new_page()
    try:
        url, root = pages["results"]
        pg.goto(url)
        pg.wait_for_selector(".coprod-results table", timeout=60_000)
        boxes = pg.evaluate(
            """() => Array.from(document.querySelectorAll('.coprod-results table, figure'))
                 .filter((b) => b.scrollWidth > b.clientWidth + 1)
                 .map((b) => { const around = b.closest('.widget-html-content');
                   const before = b.scrollLeft; b.scrollLeft = 60;
                   return {what: b.tagName, overflowX: getComputedStyle(b).overflowX,
                           moved: b.scrollLeft > before, right: b.getBoundingClientRect().right,
                           aroundScrolls: around.scrollWidth > around.clientWidth + 1}; })"""
        )
        kinds = {box["what"] for box in boxes}
        assert kinds == {"TABLE", "FIGURE"}, f"the test needs a wide table and chart: {boxes}"
        for box in boxes:
            # it scrolls in its own box, which fits; the text around it stays put
            assert box["overflowX"] in ("auto", "scroll") and box["moved"], box
            assert box["right"] <= 375 + 1 and not box["aroundScrolls"], box
        sideways = pg.evaluate(
            "document.scrollingElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert sideways, "the page itself scrolls sideways"
    finally:
        context.close()


@pytest.mark.parametrize("size", ["1366x657", "phone-375x667"])
def test_the_named_choice_does_not_overlap_its_neighbours(size, chromium, pages):
    context = chromium.new_context(**VIEWPORTS[size])
    pg = context.new_page()
    try:
        url, _ = pages["start page"]
        pg.goto(url)
        named = pg.get_by_role("radio", name="Named: the facilitator sees each person's name")
        anonymous = pg.get_by_role("radio", name="Anonymous: nobody sees who said what")
        named.wait_for()
        # Where the words are drawn (not only the boxes: text can spill out of a fixed box).
        ink = pg.evaluate(
            """() => {
              const words = (e) => { const r = document.createRange(); r.selectNodeContents(e);
                const b = r.getBoundingClientRect(); return {top: b.top, bottom: b.bottom}; };
              const radio = Array.from(document.querySelectorAll('.widget-radio'))
                .find((w) => w.textContent.includes('Who sees names?'));
              const labels = Array.from(radio.querySelectorAll('.widget-radio-box label'));
              const next = radio.nextElementSibling.getBoundingClientRect();
              return {labels: labels.map(words), next: {top: next.top},
                      radioBottom: radio.getBoundingClientRect().bottom};
            }"""
        )
        anon, name = ink["labels"]
        assert name["top"] >= anon["bottom"] - 1, ink  # Named starts below Anonymous' words
        assert ink["next"]["top"] >= name["bottom"] - 1, ink  # and ends above the next field
        assert ink["radioBottom"] >= name["bottom"] - 1, ink  # inside its own widget
        named.click()
        assert named.is_checked() and not anonymous.is_checked()
    finally:
        context.close()


def test_a_journal_page_fits_once_it_has_entries(chromium, pages, server):
    """The journal's list, with an entry, at the phone size (the page above opens it empty)."""
    from coprod_widgets.store import Store

    context = chromium.new_context(**VIEWPORTS["phone-375x667"])
    pg = context.new_page()
    try:
        pg.goto(pages["journal"][0])
        pg.wait_for_selector(".coprod-app", timeout=60_000)
        key = parse_qs(urlparse(pg.url).query)["key"][0]
        store = Store(server.db)
        store.journal.create(journal_key_owner(key), title="A fairly long entry title " * 3)
        store.close()
        pg.reload()
        pg.wait_for_selector(".coprod-entry-row", timeout=60_000)
        pg.wait_for_timeout(500)
        assert pg.evaluate(PROBLEMS, ".coprod-app") == []
    finally:
        context.close()


NO_TYPESETTING = """() => ({
  typeset: document.querySelectorAll('mjx-container, .MathJax, .katex').length,
  text: document.querySelector('.coprod-app').innerText,
  error: document.body.innerText.includes('Something went wrong'),
})"""


def test_dollar_text_is_shown_as_typed_everywhere(server, store, chromium, tmp_path):
    """User text and framework text holding "$...$" are never typeset: not on the member page,
    the results (whose charts draw the principle titles), the journal, nor the report."""
    from dataclasses import replace

    fw = FrameworkLibrary().get("nef-nesta-six")
    first, second, *rest = fw.principles
    statement = replace(first.statements[0], text="We pay $5 and $10 for travel, and $x^2$.")
    fw = replace(
        fw,
        title="Money $x^2$ framework",
        principles=(
            replace(first, title="Power $x^2$", statements=(statement, *first.statements[1:])),
            replace(second, title="Pay $x^$ now"),  # mathtext would raise on this one
            *rest,
        ),
    )
    links = store.rounds.create("Ward $x^2$ team", fw, min_answers=1)
    for k in range(2):
        me = f"dollar-member-token-{k}"
        for i, s in enumerate(fw.statements):
            store.members.save_rating(links.member_code, me, s.id, 1 + (i + k) % 5)
        store.members.save_comment(links.member_code, me, first.id, f"We said $x^2$ ({k})")
        store.members.submit(links.member_code, me)

    context = chromium.new_context(viewport={"width": 1366, "height": 657})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        pg.goto(f"{server.url}/j/{links.member_code}")
        pg.wait_for_selector(".coprod-rating [role=radiogroup]", timeout=60_000)
        pg.wait_for_timeout(1500)  # time for a typesetter to have done its work
        seen = pg.evaluate(NO_TYPESETTING)
        assert seen["typeset"] == 0, seen
        for literal in (
            "Ward $x^2$ team",
            "Money $x^2$ framework",
            "Power $x^2$",
            "1. We pay $5 and $10 for travel, and $x^2$.",
            "Evidence or comments on Power $x^2$",
        ):
            assert literal in seen["text"], literal
        group = pg.get_by_role("radiogroup", name="1. We pay $5 and $10 for travel, and $x^2$.")
        assert group.count() == 1

        pg.goto(f"{server.url}/j/{links.facilitator_code}")
        pg.wait_for_selector(".coprod-results svg", timeout=60_000)
        pg.wait_for_timeout(1500)
        seen = pg.evaluate(NO_TYPESETTING)
        assert not seen["error"] and seen["typeset"] == 0, seen
        assert "Ward $x^2$ team" in seen["text"] and "We said $x^2$ (0)" in seen["text"]
        chart_words = pg.evaluate(
            "Array.from(document.querySelectorAll('.coprod-results svg text'))"
            ".map((t) => t.textContent).join(' ')"
        )
        assert "$x^2$" in chart_words and "$x^$" in chart_words, chart_words

        pg.goto(f"{server.url}/journal")
        pg.wait_for_selector(".coprod-app", timeout=60_000)
        key = parse_qs(urlparse(pg.url).query)["key"][0]
        store.journal.create(journal_key_owner(key), title="Cost $5 and $10")
        pg.reload()
        pg.wait_for_selector(".coprod-entry-row", timeout=60_000)
        pg.wait_for_timeout(1500)
        seen = pg.evaluate(NO_TYPESETTING)
        assert seen["typeset"] == 0 and "Cost $5 and $10" in seen["text"], seen
    finally:
        context.close()

    out = tmp_path / "report.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "coprod_widgets.cli",
            "--db",
            server.db,
            "export",
            "team-report",
            "--round",
            str(links.round.id),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = out.read_text()
    for literal in ("Ward $x^2$ team", "Power $x^2$", "$x^$", "We said $x^2$ (0)"):
        assert literal in report, literal
