"""What went wrong in a file, and the small text helpers every part of an exchange shares."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from ...errors import InvalidInput

# -- problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import: which file, where in it, and what was expected."""

    file: str
    where: str  # "row 7 (line 8), column C 'We ask…'", "line 3", "column C 'Q1'" or ""
    message: str

    def __str__(self) -> str:
        if self.where:
            return f"{self.file}: {self.where}: {self.message}"
        return f"{self.file}: {self.message}"


class ExchangeError(InvalidInput):
    """A file that cannot be imported or exported; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem], hint: str = ""):
        self.problems = list(problems)
        self.hint = hint
        lines = [str(p) for p in self.problems]
        if hint:
            lines.append(hint)
        super().__init__("\n".join(lines))


def fail(file: str, where: str, message: str) -> NoReturn:
    """Raise an ExchangeError with this one problem."""
    raise ExchangeError([Problem(file, where, message)])


# -- text helpers ---------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_NOT_WORD = re.compile(r"[^\w]+|_")


def normalise(text: str) -> str:
    """Casefolded, apostrophes dropped, other punctuation to spaces, whitespace collapsed.

    So "Don't know", "dont know" and "DON’T KNOW" are one, and "We ask." matches "we ask".
    """
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def short(text: str, width: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """A leading ' so a spreadsheet shows text that would otherwise run as a formula.

    OWASP's advice for CSV injection: a cell starting with = + - @ tab or carriage return is
    a formula to Excel and LibreOffice (``=HYPERLINK(...)`` can leak data when clicked).
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text
