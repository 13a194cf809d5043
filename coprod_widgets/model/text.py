"""Text a person typed or pasted: what the store will keep, and why it refuses the rest.

One rule for every box, applied where text enters the store (and by a page before it sends):
newlines are normalised, tabs and newlines kept; a character that cannot be saved (a lone
surrogate, a broken half of an emoji from a paste, or an invisible control character) is refused
with a message naming the box; and each box has a limit, in characters, checked when text is
written and never when it is read, so anything already saved always opens.

Pure: no IO, no widgets.
"""

from __future__ import annotations

import re

from ..errors import InvalidInput

# Limits in characters (Python ``len``: code points). Generous, so that nobody writing for real
# meets one, and safe: a 10 MB paste is refused with a message rather than dropped or sent whole
# to the store and through every page. Where a limit was already enforced, it is kept as it was
# (never lowered), so that text already saved can still be edited and saved again.
LIMITS: dict[str, int] = {
    # A member's evidence per principle: about 3,000 words. Was 20,000 in check_comment.
    "evidence": 20_000,
    # A member's name and role; the database columns hold 200 (VARCHAR(200) on PostgreSQL).
    "name": 200,
    "role": 200,
    # A team's name: a VARCHAR(200) column.
    "team": 200,
    # One stage of a journal entry: about 15,000 words, far beyond any reflection, short of
    # abuse (model.journal.STAGE_MAX, unchanged).
    "journal_stage": 100_000,
    # A journal entry's or a topic's title: a VARCHAR(200) column, shown on one line.
    "journal_title": 200,
    "topic_title": 200,
    # An action's "what" and a review's note: a paragraph or two (was 5,000 in model.actions).
    "action_text": 5_000,
    # Who leads an action: a VARCHAR(200) column.
    "action_lead": 200,
    "review_text": 5_000,
    # A planner's paragraph box (model.plan.LONG_MAX) and one-line box (model.plan.TEXT_MAX).
    "plan_field": 20_000,
    "plan_line": 500,
    # A plan's name: one line, like a title.
    "plan_title": 200,
    # The author's own text for a regulator's form (model.forms.OWN_TEXT_MAX).
    "form_text": 50_000,
}

_LABELS: dict[str, str] = {
    "evidence": "The evidence box",
    "name": "The name box",
    "role": "The role box",
    "team": "The team name box",
    "journal_stage": "The reflection box",
    "journal_title": "The title box",
    "topic_title": "The topic title box",
    "action_text": "The action box",
    "action_lead": "The 'who leads' box",
    "review_text": "The review note box",
    "plan_field": "The plan box",
    "plan_line": "The plan box",
    "plan_title": "The plan name box",
    "form_text": "The form's text box",
}

COUNTER_FROM = 0.8  # the counter shows from 80% of the limit

# A lone surrogate (U+D800-U+DFFF) cannot be encoded as UTF-8 by JSON or SQLite; control
# characters other than tab and newline are invisible and break exports. C1 controls
# (U+0080-U+009F) encode fine and are left alone.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BROKEN = "a broken emoji or symbol from a paste"


def label(field: str) -> str:
    """The human name of the box ``field`` names, as a sentence starts it ("The evidence box")."""
    _limit(field)
    return _LABELS.get(field, f"The {field.replace('_', ' ')} box")


def normalise_newlines(value: str) -> str:
    """``\\r\\n`` and a lone ``\\r`` as ``\\n``, as ``clean_text`` stores them (never raises)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def drop_unsavable(value: str) -> str:
    """``value`` without the characters ``clean_text`` refuses: for text made from other text
    (a cycle's title from its topic's), never for what a person typed, who is told instead."""
    return _CONTROL.sub("", _SURROGATE.sub("", _join_pairs(normalise_newlines(value))))


def _join_pairs(value: str) -> str:
    """Join a high and a low surrogate that arrived as two code points into the one character
    they stand for (some clipboards and JSON encoders split an emoji so); lone ones stay."""
    if not _SURROGATE.search(value):
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def clean_text(field: str, value: str, *, box: str | None = None) -> str:
    """The text to store in the box ``field`` names, or InvalidInput saying what to change.

    ``box`` overrides the box's name in messages (a journal stage's or a plan field's own label).
    Newlines become ``\\n`` (``\\r\\n`` and a lone ``\\r`` alike); tabs and newlines are kept;
    nothing else is changed (no stripping: what was typed is kept as typed).
    """
    limit = _limit(field)
    name = box or label(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} takes text, not {type(value).__name__}")
    text = _join_pairs(normalise_newlines(value))
    if len(text) > limit:
        raise InvalidInput(
            f"{name} is {len(text):,} characters long; the most it can hold is {limit:,}: shorten it"
        )
    bad = _SURROGATE.search(text)
    if bad:
        raise InvalidInput(
            f"{name} has a character that cannot be saved ({_BROKEN}, character "
            f"{bad.start() + 1:,}{_near(text, bad.start())}); remove it and type it again"
        )
    bad = _CONTROL.search(text)
    if bad:
        raise InvalidInput(
            f"{name} has a character that cannot be saved (an invisible control character, "
            f"U+{ord(bad.group()):04X}, character {bad.start() + 1:,}{_near(text, bad.start())}); "
            "remove it and type it again"
        )
    return text


def counter_text(field: str, length: int) -> str:
    """What a counter under the box says: nothing below 80% of the limit, else
    "9,100 of 10,000 characters"."""
    limit = _limit(field)
    if length < COUNTER_FROM * limit:
        return ""
    return f"{length:,} of {limit:,} characters"


def _limit(field: str) -> int:
    if field not in LIMITS:
        raise KeyError(f"no text limit named {field!r}")
    return LIMITS[field]


def _near(text: str, i: int) -> str:
    """', after "words"': the few characters before position i, to help find it."""
    before = _CONTROL.sub(" ", _SURROGATE.sub(" ", text[max(0, i - 20) : i])).split("\n")[-1]
    before = before.strip()
    return f', after "{before}"' if before else ""
