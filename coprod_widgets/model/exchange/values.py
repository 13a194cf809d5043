"""A cell as a rating: a number, a number and its label, a label, blank or don't know."""

from __future__ import annotations

import re

from ..framework import Scale
from ..rounds import Rating
from .problems import normalise, short

DONT_KNOW = frozenset({"dont know", "do not know", "n a", "na", "not sure", "unsure"})
# A whole number (4, or 4.0 as spreadsheets write it), then perhaps a label: "4 - Often",
# "4 – Often", "4. Often", "4 (Often)". The label must start with a letter, so 4.5 is no 4.
_NUMBER = re.compile(r"^(\d+)(?:\.0+)?(?:(?:\s*[-\u2013\u2014:.)=]\s*|\s+)\(?([^\W\d].*?)\)?)?$")


def scale_text(scale: Scale) -> str:
    """'1–5 (1 Never … 5 Always)', and "or Don't know" where the scale offers it."""
    first, last = scale.points[0], scale.points[-1]
    text = f"{first.value}–{last.value} ({first.value} {first.label} … {last.value} {last.label})"
    return text + (", or Don't know" if scale.dont_know else "")


def parse_rating(cell: str, scale: Scale) -> Rating:
    """A cell as a rating: ``4``, ``4 - Often``, ``4 – Often``, ``Often``, blank or don't know.

    Raises ValueError saying what was expected. A number with a label of another point
    (``4 - Never``) is refused: the form's scale runs the other way or differs.
    """
    text = " ".join((cell or "").split())
    if not text:
        return Rating()
    norm = normalise(text)
    if norm in DONT_KNOW:
        if not scale.dont_know:
            raise ValueError(
                f"{short(text)!r}: this framework's scale has no \"don't know\"; "
                "leave the cell blank instead"
            )
        return Rating(None, True)
    m = _NUMBER.match(text)
    if m:
        value = int(m.group(1))
        if value not in scale.values:
            raise ValueError(f"{short(text)!r} is not on the scale {scale_text(scale)}")
        label = normalise(m.group(2) or "")
        for p in scale.points:
            if label and p.value != value and normalise(p.label) == label:
                raise ValueError(
                    f"{short(text)!r}: {value} is {scale.label_for(value)!r} on this scale, not "
                    f"{p.label!r}: does the form's scale run the other way?"
                )
        return Rating(value, False)
    for p in scale.points:
        if normalise(p.label) == norm:
            return Rating(p.value, False)
    raise ValueError(f"{short(text)!r} is not on the scale {scale_text(scale)}")
