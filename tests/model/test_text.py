"""model.text: one rule for what a person types, whichever box it is typed in."""

from __future__ import annotations

import pytest

from coprod_widgets.errors import InvalidInput
from coprod_widgets.model.text import (
    LIMITS,
    clean_text,
    counter_text,
    drop_unsavable,
    label,
    normalise_newlines,
)

REQUIRED = (
    "evidence",
    "name",
    "role",
    "journal_stage",
    "journal_title",
    "action_text",
    "review_text",
    "plan_field",
    "plan_title",
    "team",
)
CONTROLS = ["\x00", *(chr(c) for c in range(1, 9)), "\x0b", "\x0c"]
CONTROLS += [*(chr(c) for c in range(0x0E, 0x20)), "\x7f"]


def test_every_named_limit_is_there_and_generous():
    assert set(REQUIRED) <= set(LIMITS)
    assert all(isinstance(n, int) and n >= 200 for n in LIMITS.values())
    assert LIMITS["evidence"] >= 10_000 and LIMITS["journal_stage"] >= 20_000
    assert LIMITS["journal_title"] == LIMITS["plan_title"] == 200


@pytest.mark.parametrize("field", sorted(LIMITS))
def test_each_box_has_a_human_label(field):
    name = label(field)
    assert name.startswith("The ") and "_" not in name


def test_the_evidence_box_is_called_so():
    assert label("evidence") == "The evidence box"


def test_an_unknown_box_is_a_programming_error():
    with pytest.raises(KeyError):
        clean_text("nope", "x")
    with pytest.raises(KeyError):
        counter_text("nope", 1)
    with pytest.raises(KeyError):
        label("nope")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("plain", "plain"),
        ("", ""),
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\n\nb\tc", "a\n\nb\tc"),
        ("  spaces kept  ", "  spaces kept  "),
        ("café 😀 ✓ ∑ 中文 עברית", "café 😀 ✓ ∑ 中文 עברית"),
        ("\u0085 \u2028 \u00a0", "\u0085 \u2028 \u00a0"),  # encodable: kept as typed
        ("\ud83d\ude00", "😀"),  # an emoji split in two halves is joined, not refused
        ("$x$ <b>", "$x$ <b>"),
    ],
)
def test_good_text_is_kept_with_newlines_normalised(typed, kept):
    assert clean_text("evidence", typed) == kept


def test_none_is_empty_text_and_other_types_are_refused():
    assert clean_text("name", None) == ""  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="The name box takes text"):
        clean_text("name", 12)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["\ud800", "\udfff", "x\ud83d", "\ude00y", "ok \udc80 ok"])
def test_a_lone_surrogate_is_refused_naming_the_box(bad):
    with pytest.raises(InvalidInput) as e:
        clean_text("evidence", bad)
    msg = str(e.value)
    assert msg.startswith("The evidence box has a character that cannot be saved")
    assert "broken emoji or symbol from a paste" in msg
    assert msg.endswith("remove it and type it again")
    msg.encode("utf-8")  # the message itself can travel as JSON and be shown


@pytest.mark.parametrize("bad", CONTROLS)
def test_control_characters_are_refused_naming_the_box(bad):
    with pytest.raises(InvalidInput) as e:
        clean_text("journal_title", f"My day{bad}")
    msg = str(e.value)
    assert msg.startswith("The title box has a character that cannot be saved")
    assert f"U+{ord(bad):04X}" in msg and 'after "My day"' in msg
    assert msg.endswith("remove it and type it again")


def test_the_message_says_where_the_character_is():
    with pytest.raises(InvalidInput, match='character 13, after "hello world"'):
        clean_text("evidence", "hello world \x01 and more")


@pytest.mark.parametrize("field", sorted(LIMITS))
def test_the_limit_is_inclusive_and_the_message_gives_both_lengths(field):
    n = LIMITS[field]
    assert clean_text(field, "x" * n) == "x" * n
    with pytest.raises(InvalidInput) as e:
        clean_text(field, "x" * (n + 1))
    assert str(e.value) == (
        f"{label(field)} is {n + 1:,} characters long; the most it can hold is {n:,}: shorten it"
    )


def test_ten_megabytes_are_refused_quickly_with_the_length():
    with pytest.raises(InvalidInput, match=r"is 10,485,760 characters long; the most it can hold"):
        clean_text("evidence", "x" * 10 * 1024 * 1024)


def test_newlines_count_once_after_normalising():
    n = LIMITS["journal_title"]
    assert len(clean_text("journal_title", "a\r\n" * (n // 2))) == n


def test_box_overrides_the_label():
    with pytest.raises(InvalidInput, match="^The box “Feelings” has a character"):
        clean_text("journal_stage", "\x07", box="The box “Feelings”")


@pytest.mark.parametrize(
    ("length", "shown"),
    [
        (0, ""),
        (15_999, ""),
        (16_000, "16,000 of 20,000 characters"),
        (20_000, "20,000 of 20,000 characters"),
        (20_001, "20,001 of 20,000 characters"),
    ],
)
def test_counter_shows_from_eighty_percent(length, shown):
    assert LIMITS["evidence"] == 20_000
    assert counter_text("evidence", length) == shown


def test_counter_for_a_title():
    assert counter_text("journal_title", 159) == ""
    assert counter_text("journal_title", 160) == "160 of 200 characters"


def test_helpers_for_derived_text():
    assert normalise_newlines("a\r\nb\rc") == "a\nb\nc"
    assert drop_unsavable("a\x01b\ud800c\tok\r\n") == "abc\tok\n"
    assert clean_text("journal_title", drop_unsavable("x\x00\udc00y")) == "xy"
