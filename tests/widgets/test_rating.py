"""A rating as the page needs it, headless: one RadioButtons per statement, described by the
numbered statement, which the page's template makes one radio group (a shared name, one Tab stop,
arrow keys) named by that description. tests/browser/test_keyboard.py checks it in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as w

import coprod_widgets
from coprod_widgets.widgets import PrincipleCard, StatementRating

PACKAGE = Path(coprod_widgets.__file__).parent
TEMPLATE = PACKAGE / "jupyter" / "voila" / "templates" / "coprod" / "index.html.j2"


def test_each_statement_is_its_own_radiobuttons_described_by_the_statement(small_framework):
    card = PrincipleCard(small_framework.principle("p1"), small_framework.scale, first_number=1)
    ratings = list(card.ratings.values())
    radios = [r.radios for r in ratings]
    assert all(isinstance(r, StatementRating) for r in ratings)
    assert all(isinstance(r, w.RadioButtons) for r in radios)
    assert len({r.model_id for r in radios}) == len(radios)  # a group each, not one for all
    assert [r.description for r in radios] == ["1. We ask.", "2. We act on it."]
    assert all("coprod-rating" in r._dom_classes for r in radios)
    assert all(r.radios in r.children for r in ratings)


def test_choice_and_radios_stay_one_api(small_framework):
    rating = StatementRating("p1-a", "We ask.", small_framework.scale, 1)
    rating.radios.value = 2  # what a keyboard choice does through the frontend
    assert rating.choice == 2
    rating.choice = None
    assert rating.radios.value is None and rating.radios.index is None


def test_the_evidence_box_is_sized_by_rows_so_its_label_never_spills(small_framework):
    card = PrincipleCard(small_framework.principle("p1"), small_framework.scale)
    assert card.evidence.rows == 5
    assert card.evidence.layout.height is None


def test_the_template_groups_the_radios_and_keeps_text_from_the_typesetter():
    page = TEMPLATE.read_text()
    script = page[page.index("<script>") : page.index("</script>")]
    for needed in (
        '.coprod-app .widget-radio"',
        '"role", "radiogroup"',
        '"aria-labelledby"',
        "input.name = name",
        '"mathjax_ignore"',
        ".widget-label",
    ):
        assert needed in script, needed


def contrast(hex1: str, hex2: str) -> float:
    def lum(h: str) -> float:
        c = [int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(hex1), lum(hex2)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_focus_colour_has_3_to_1_contrast_with_white_and_the_page_grey():
    from coprod_widgets.style import css

    focus = re.search(r"--coprod-focus:\s*(#[0-9a-fA-F]{6})", css("page")).group(1)
    assert contrast(focus, "#ffffff") >= 3
    assert contrast(focus, "#eeeeee") >= 3
    assert contrast("#f9b233", "#ffffff") < 3  # the old one, for the record: 1.6:1
