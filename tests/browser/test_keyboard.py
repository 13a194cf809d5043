"""The self-assessment by keyboard and screen reader, in Chromium against a real `coprod serve`:
each statement is one radio group named by the statement (one Tab stop; arrow keys move and
choose), a whole round of 18 statements is done in about 40 presses of Tab, Shift+Tab and Enter,
and the focus outline stands out from the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coprod_widgets.content import FrameworkLibrary

from .conftest import until, wait_app

pytestmark = pytest.mark.browser

FOCUS = """() => {
  const e = document.activeElement;
  const rating = e && e.closest('.coprod-rating');
  return {
    statement: rating ? Array.from(document.querySelectorAll('.coprod-rating')).indexOf(rating) : -1,
    principle: rating ? rating.closest('.coprod-principle').querySelector('h2').textContent : null,
    tag: e ? e.tagName : null,
    text: e ? (e.textContent || '').trim() : '',
    name: e && e.name || '',
  };
}"""


def contrast(rgb1: tuple[float, ...], rgb2: tuple[float, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours given as 0-255 channels."""

    def lum(rgb):
        c = [v / 255 for v in rgb[:3]]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(rgb1), lum(rgb2)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def parse_rgb(css: str) -> tuple[float, ...]:
    inner = css[css.index("(") + 1 : css.index(")")].replace("/", ",")
    return tuple(float(v) for v in inner.replace(",", " ").split())


class Keys:
    """Presses keys and counts them: the choices, and the moves between controls."""

    def __init__(self, page):
        self.page, self.moves, self.choices = page, 0, 0

    def move(self, key: str) -> dict:
        self.page.keyboard.press(key)
        self.moves += 1
        return self.page.evaluate(FOCUS)

    def choose(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.choices += 1


@pytest.fixture()
def member_page(server, store, page):
    fw = FrameworkLibrary().get("nef-nesta-six")
    links = store.rounds.create("Keyboard team", fw, min_answers=1)
    page.set_viewport_size({"width": 1366, "height": 657})
    page.goto(f"{server.url}/j/{links.member_code}")
    wait_app(page)
    expect(page.locator(".coprod-rating [role=radiogroup] input[name]").first).to_be_attached()
    return fw, links


def test_each_statement_is_one_radio_group_named_by_the_statement(member_page, page):
    fw, _ = member_page
    first = fw.principles[0]
    groups = page.get_by_role("radiogroup")
    expect(groups).to_have_count(len(first.statements))
    names = []
    for i, statement in enumerate(first.statements, start=1):
        group = page.get_by_role("radiogroup", name=f"{i}. {statement.text}", exact=True)
        expect(group).to_have_count(1)
        radios = group.get_by_role("radio")
        expect(radios).to_have_count(len(fw.scale.points) + 1)  # and "Don't know"
        shared = {radios.nth(k).get_attribute("name") for k in range(radios.count())}
        assert len(shared) == 1 and "" not in shared and None not in shared
        names.append(shared.pop())
    assert len(set(names)) == len(names)  # a group per statement, not one for the page


def test_arrow_keys_move_and_choose_within_a_statement(member_page, store, page):
    fw, links = member_page
    statement = fw.principles[0].statements[0]
    page.locator(".coprod-rating input[type=radio]").first.focus()
    page.keyboard.press("ArrowRight")  # 2
    page.keyboard.press("ArrowRight")  # 3
    expect(page.get_by_role("radio", name="3 Sometimes").first).to_be_checked()
    assert page.evaluate(FOCUS)["statement"] == 0  # arrows stay inside the statement
    assert until(
        lambda: (
            store.rounds.answers(links.round.id)
            and store.rounds.answers(links.round.id)[0].ratings.get(statement.id)
            and store.rounds.answers(links.round.id)[0].ratings[statement.id].value == 3
        ),
        timeout=15.0,
    ), "the choice made by arrow keys did not reach the store"
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("radio", name="2 Rarely").first).to_be_checked()
    # One Tab leaves the statement for the next one, whichever choice has focus.
    focus = Keys(page).move("Tab")
    assert focus["statement"] == 1 and focus["tag"] == "INPUT"


def test_a_whole_self_assessment_by_keyboard_in_about_40_moves(member_page, store, page):
    fw, links = member_page
    keys = Keys(page)
    page.locator(".coprod-rating input[type=radio]").first.focus()
    number = 0
    for p_index, principle in enumerate(fw.principles):
        for s_index, _statement in enumerate(principle.statements):
            focus = page.evaluate(FOCUS)
            assert focus["statement"] == s_index and focus["principle"] == principle.title, focus
            keys.choose("Space" if number % 2 == 0 else "ArrowRight")  # 1, or 2
            number += 1
            if s_index < len(principle.statements) - 1:
                keys.move("Tab")
        if p_index < len(fw.principles) - 1:
            for _ in range(8):
                if page.evaluate(FOCUS)["text"] == "Next principle":
                    break
                keys.move("Shift+Tab")
            assert page.evaluate(FOCUS)["text"] == "Next principle"
            keys.move("Enter")
            nxt = fw.principles[p_index + 1].title
            assert until(lambda nxt=nxt: page.evaluate(FOCUS)["principle"] == nxt), (
                "after Next principle, focus is not on the next principle's first statement: "
                f"{page.evaluate(FOCUS)}"
            )
    for _ in range(8):
        if page.evaluate(FOCUS)["text"] == "Submit my answers":
            break
        keys.move("Tab")
    assert page.evaluate(FOCUS)["text"] == "Submit my answers"
    keys.move("Enter")
    expect(page.locator(".coprod-notice-success")).to_contain_text("your answers are in")

    def saved():
        answers = store.rounds.answers(links.round.id)
        return answers and answers[0].submitted and len(answers[0].ratings) == 18

    assert until(saved, timeout=15.0), store.rounds.answers(links.round.id)
    ratings = store.rounds.answers(links.round.id)[0].ratings
    assert [ratings[s.id].value for s in fw.statements] == [1, 2] * 9
    assert keys.choices == 18
    # Before each statement was a radio group: 163 presses. Moves here: 2 Tabs within each of
    # the six principles, 4 Shift+Tab and Enter to each next principle, 3 Tabs and Enter to
    # submit.
    assert keys.moves <= 42, keys.moves


def test_focus_outline_contrasts_3_to_1_with_the_page(member_page, page):
    radio = page.locator(".coprod-rating input[type=radio]").first
    radio.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")  # focus by keyboard, as a person would see it
    style = page.evaluate(
        """() => {
          const e = document.activeElement, cs = getComputedStyle(e);
          let p = e.parentElement, bg = 'rgba(0, 0, 0, 0)';
          while (p) {
            const b = getComputedStyle(p).backgroundColor;
            if (!/rgba\\(.*, 0\\)$/.test(b) && b !== 'transparent') { bg = b; break; }
            p = p.parentElement;
          }
          return {tag: e.tagName, width: cs.outlineWidth, style: cs.outlineStyle,
                  colour: cs.outlineColor, background: bg};
        }"""
    )
    assert style["tag"] == "INPUT" and style["style"] == "solid"
    assert float(style["width"].removesuffix("px")) >= 2
    outline = parse_rgb(style["colour"])
    against_page = contrast(outline, parse_rgb(style["background"]))
    against_white = contrast(outline, (255, 255, 255))
    assert against_page >= 3 and against_white >= 3, (style, against_page, against_white)
