"""What a participant's answer to one exercise may be, checked before anything is written.

An answer is plain JSON data of its exercise kind's shape (``model.course_progress`` says when
it counts as answered; here is what may be *saved*, drafts included):

- text, planner, ladder: a string (an empty one is a draft; a ladder's is one of its steps);
- rating: a whole number on the exercise's scale;
- choice: an option id, or with ``multiple`` a list of option ids (empty while none is ticked);
- reflection: ``{stage id: text}``, any stages so far;
- self-assessment: ``{statement id: whole number or "dont_know"}``, any statements so far.

Text goes through ``model.text.clean_text`` as every other typed box does (broken characters and
invisible control characters refused, newlines normalised), and the whole answer as JSON is at
most ``MAX_ANSWER_CHARS``. Each refusal is an ``InvalidInput`` saying what was expected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput
from ..model.cohort import MAX_ANSWER_CHARS
from ..model.course import (
    CHOICE,
    LADDER,
    PLANNER,
    RATING,
    REFLECTION,
    SELF_ASSESSMENT,
    TEXT,
    Exercise,
)
from ..model.course_progress import DONT_KNOW
from ..model.text import clean_text

# The "evidence" box's limit is MAX_ANSWER_CHARS (20,000): one limit for any typed answer.
_TEXT_FIELD = "evidence"
_SELF_ASSESSMENT_RANGE = (0, 100)


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(exercise: Exercise, value: Any, where: str = "") -> str:
    box = f"Your answer to {exercise.id!r}{where}"
    if not isinstance(value, str):
        raise InvalidInput(f"{box} takes text, not {type(value).__name__}")
    return clean_text(_TEXT_FIELD, value, box=box)


def _part_id(exercise: Exercise, key: Any, what: str) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidInput(f"answer to {exercise.id!r}: each {what} is named by its id (text)")
    if exercise.parts and key not in exercise.parts:
        raise InvalidInput(
            f"answer to {exercise.id!r}: {key[:100]!r} is not a {what} of this exercise "
            f"(expected one of {', '.join(exercise.parts)})"
        )
    return clean_text("name", key, box=f"A {what} id in the answer to {exercise.id!r}")


def _shaped(exercise: Exercise, answer: Any) -> Any:
    kind, eid = exercise.kind, exercise.id
    if kind in (TEXT, PLANNER):
        return _text(exercise, answer)
    if kind == LADDER:
        text = _text(exercise, answer)
        if text and exercise.parts and text not in exercise.parts:
            raise InvalidInput(
                f"answer to {eid!r}: expected a step of the ladder "
                f"({', '.join(exercise.parts)}), not {text[:100]!r}"
            )
        return text
    if kind == RATING:
        scale = exercise.scale
        if not _whole(answer) or (scale is not None and not scale.low <= answer <= scale.high):
            span = f" from {scale.low} to {scale.high}" if scale is not None else ""
            raise InvalidInput(f"answer to {eid!r}: expected a whole number{span}")
        return answer
    if kind == CHOICE:
        ids = [o.id for o in exercise.options]
        if exercise.multiple:
            if not isinstance(answer, (list, tuple)) or any(
                not isinstance(a, str) or a not in ids for a in answer
            ):
                raise InvalidInput(
                    f"answer to {eid!r}: expected a list of options among {', '.join(ids)}"
                )
            return [i for i in ids if i in answer]  # in the options' order, once each
        if not isinstance(answer, str) or answer not in ids:
            raise InvalidInput(f"answer to {eid!r}: expected one option among {', '.join(ids)}")
        return answer
    if kind == REFLECTION:
        if not isinstance(answer, Mapping):
            raise InvalidInput(f"answer to {eid!r}: expected the text of each stage")
        return {
            _part_id(exercise, k, "stage"): _text(exercise, v, f" (stage {k!r})")
            for k, v in answer.items()
        }
    if kind == SELF_ASSESSMENT:
        if not isinstance(answer, Mapping):
            raise InvalidInput(f"answer to {eid!r}: expected a rating for each statement")
        low, high = _SELF_ASSESSMENT_RANGE
        out: dict[str, int | str] = {}
        for k, v in answer.items():
            sid = _part_id(exercise, k, "statement")
            if v != DONT_KNOW and not (_whole(v) and low <= v <= high):
                raise InvalidInput(
                    f"answer to {eid!r}: statement {sid!r} takes a whole number or "
                    f'"{DONT_KNOW}", not {v!r}'[:300]
                )
            out[sid] = v
        return out
    raise InvalidInput(f"exercise {eid!r} is of a kind this version cannot save ({kind!r})")


def check_answer(exercise: Exercise, answer: Any) -> tuple[Any, str]:
    """The answer as it will be stored, and its JSON text; ``InvalidInput`` if it cannot be."""
    value = _shaped(exercise, answer)
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        raise InvalidInput(f"answer to {exercise.id!r}: not something that can be saved") from None
    if len(text) > MAX_ANSWER_CHARS:
        raise InvalidInput(
            f"answer to {exercise.id!r} is {len(text):,} characters long; the most it can hold "
            f"is {MAX_ANSWER_CHARS:,}: shorten it"
        )
    return value, text
