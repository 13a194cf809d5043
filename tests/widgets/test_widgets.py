"""The reusable widgets, headless: ipywidgets works without a frontend."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coprod_widgets.model.framework import Principle, Statement
from coprod_widgets.widgets import (
    Notice,
    PrincipleCard,
    SaveStatus,
    StatementRating,
    Stepper,
    scale_legend_html,
)
from coprod_widgets.widgets.rating import DONT_KNOW

XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


# -- StatementRating ------------------------------------------------------------------------


@pytest.fixture
def rating(small_framework):
    return StatementRating("p1-a", "We ask.", small_framework.scale, 3)


def test_rating_options_and_label(rating):
    assert rating.statement_id == "p1-a"
    labels = [label for label, _ in rating.radios.options]
    assert labels == ["1 Never", "2 Rarely", "3 Often", "4 Always", "Don't know"]
    assert [v for _, v in rating.radios.options] == [1, 2, 3, 4, DONT_KNOW]
    assert rating.radios.description == "3. We ask."
    assert rating.choice is None and rating.radios.value is None


def test_rating_without_dont_know(small_framework):
    scale = replace(small_framework.scale, dont_know=False)
    r = StatementRating("p1-a", "We ask.", scale, 1)
    assert [label for label, _ in r.radios.options] == [
        "1 Never",
        "2 Rarely",
        "3 Often",
        "4 Always",
    ]


def test_choice_sets_the_radios(rating):
    rating.choice = 3
    assert rating.radios.value == 3
    assert rating.radios.label == "3 Often"
    rating.choice = DONT_KNOW
    assert rating.radios.value == DONT_KNOW
    assert rating.radios.label == "Don't know"
    rating.choice = None
    assert rating.radios.value is None


def test_radios_set_the_choice(rating):
    seen = []
    rating.observe(lambda ch: seen.append(ch["new"]), "choice")
    rating.radios.value = 4
    assert rating.choice == 4
    rating.radios.value = DONT_KNOW
    assert rating.choice == DONT_KNOW
    rating.radios.label = "1 Never"
    assert rating.choice == 1
    assert seen == [4, DONT_KNOW, 1]  # one change each, no echo


# -- PrincipleCard --------------------------------------------------------------------------


@pytest.fixture
def card(small_framework):
    return PrincipleCard(small_framework.principle("p2"), small_framework.scale, first_number=3)


def test_card_has_a_rating_per_statement_numbered_on(card):
    assert card.principle_id == "p2"
    assert list(card.ratings) == ["p2-a", "p2-b"]
    assert [r.radios.description for r in card.ratings.values()] == [
        "3. We decide together.",
        "4. We pay.",
    ]
    assert "Sharing power" in card.heading.value
    assert "Start small." in card.children[-1].value  # guidance shown when there is some


def test_card_without_guidance_has_no_guidance_box(small_framework):
    c = PrincipleCard(small_framework.principle("p1"), small_framework.scale)
    assert c.children[-1] is c.evidence


def test_textarea_sets_the_comment(card):
    card.evidence.value = "We pay travel costs."
    assert card.comment == "We pay travel costs."


def test_comment_sets_the_textarea(card):
    card.comment = "Restored from the store."
    assert card.evidence.value == "Restored from the store."


def test_card_escapes_framework_text(small_framework):
    p = Principle(
        id="x",
        title=f"Title {XSS}",
        description=f"Desc {XSS}",
        statements=(Statement("x-1", "text"),),
        guidance=f"Guide {XSS}",
    )
    c = PrincipleCard(p, small_framework.scale)
    assert XSS not in c.heading.value
    assert XSS_ESCAPED in c.heading.value
    assert XSS not in c.children[-1].value


def test_scale_legend_lists_every_point_and_escapes(small_framework):
    html = scale_legend_html(small_framework.scale)
    for pt in small_framework.scale.points:
        assert f"{pt.value} {pt.label}" in html and pt.descriptor in html
    assert "Don't know" in html
    scale = replace(small_framework.scale, title=XSS, dont_know=False)
    html = scale_legend_html(scale)
    assert XSS not in html and XSS_ESCAPED in html
    assert "Don't know" not in html


# -- Stepper --------------------------------------------------------------------------------


@pytest.fixture
def stepper():
    return Stepper(["Assets", "Networks", "Catalysts"], total=9)


def test_stepper_starts_at_the_first_step(stepper):
    assert stepper.index == 0
    assert stepper.previous.disabled is True
    assert stepper.next.disabled is False
    assert "Principle 1 of 3: <strong>Assets</strong>" in stepper.progress.value
    assert "0 of 9 statements answered" in stepper.progress.value


def test_stepper_next_and_previous(stepper):
    stepper.next.click()
    assert stepper.index == 1
    assert stepper.jump.value == 1
    assert stepper.previous.disabled is False
    assert "Principle 2 of 3: <strong>Networks</strong>" in stepper.progress.value
    stepper.previous.click()
    assert stepper.index == 0


def test_stepper_stays_within_bounds(stepper):
    stepper.previous.click()
    assert stepper.index == 0
    for _ in range(5):
        stepper.next.click()
    assert stepper.index == 2
    assert stepper.next.disabled is True
    assert "Principle 3 of 3" in stepper.progress.value


def test_stepper_jump(stepper):
    stepper.jump.value = 2
    assert stepper.index == 2
    stepper.index = 1
    assert stepper.jump.value == 1


def test_stepper_progress_counts(stepper):
    stepper.answered = 4
    assert "4 of 9 statements answered" in stepper.progress.value
    assert "<progress max='9' value='4'" in stepper.progress.value


def test_stepper_escapes_titles():
    s = Stepper([XSS, "B"], total=2)
    assert XSS not in s.progress.value
    assert XSS_ESCAPED in s.progress.value


# -- SaveStatus and Notice ------------------------------------------------------------------


def test_save_status_states():
    s = SaveStatus()
    assert s.state == "idle" and "role='status'" in s.value
    s.state, s.message = "saved", "All changes saved at 12:00:00"
    assert "coprod-status-saved" in s.value and "12:00:00" in s.value
    s.state = "error"
    assert "role='alert'" in s.value


def test_save_status_escapes_html():
    s = SaveStatus()
    s.state, s.message = "error", f"Not saved: {XSS}"
    assert XSS not in s.value
    assert XSS_ESCAPED in s.value


def test_notice_escapes_title_and_text():
    n = Notice(XSS, f"line one {XSS}\nline two", kind="error")
    assert XSS not in n.value
    assert n.value.count(XSS_ESCAPED) == 2
    assert "<p>line two</p>" in n.value
    assert "role='alert'" in n.value and "coprod-notice-error" in n.value


def test_notice_rerenders_on_change():
    n = Notice()
    assert "<h2>" not in n.value
    n.kind, n.title, n.text = "success", "Done", XSS
    assert "<h2>Done</h2>" in n.value
    assert XSS not in n.value and XSS_ESCAPED in n.value
    assert "coprod-notice-success" in n.value and "role='status'" in n.value
