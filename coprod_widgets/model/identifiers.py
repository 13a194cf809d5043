"""What in a text may identify someone: email addresses, UK phone numbers, NHS numbers,
postcodes and dates of birth. Run before every export, so the author can fix it first.

Regulators ask for reflections with nothing that identifies a person (NMC, and the joint
statement of nine regulators on reflective practice). A pattern check cannot promise that -
names, rare conditions and places are beyond it - but it catches the identifiers that are easy
to miss and easy to recognise. It says where each one is (field and character span) and never
changes the text: the author decides.

NHS numbers are flagged only with a valid modulus-11 check digit, so a ten-digit reference that
is not an NHS number is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

KINDS: dict[str, str] = {
    "email": "an email address",
    "nhs-number": "an NHS number",
    "phone": "a phone number",
    "date-of-birth": "a date of birth",
    "postcode": "a postcode",
}
PRIORITY = tuple(KINDS)  # where two overlap, the earlier kind is the one reported

EMAIL_RE = re.compile(
    r"(?<![\w.%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b"
)
NHS_RE = re.compile(r"(?<![\d/.-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d/-])")
PHONE_RE = re.compile(
    r"(?<![\w+/:.])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)(?:\d[\s)-]{0,2}){8,10}\d(?![\d/])"
)
POSTCODE_RE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}|"
    rf"{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
    re.IGNORECASE,
)
BIRTH_RE = re.compile(
    r"\b(?:born|d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s*date|birthday|b\.(?=\s?\d))",
    re.IGNORECASE,
)
# Near a "born" or "DOB", a month and year or a bare year says enough to be an identifier too.
BIRTH_DATE_RE = re.compile(
    DATE_RE.pattern + rf"|\b{_MONTH}\.?\s+(?:19|20)\d{{2}}\b|\b(?:19|20)\d{{2}}\b",
    re.IGNORECASE,
)
# "B12 2nd", "M6 1st": a capital, then an ordinal in small letters, is a room or a junction.
# All in small letters ("b33 8th") it may well be a postcode typed quickly, and is flagged.
ORDINAL_RE = re.compile(r"^(?=.*[A-Z]).*\d(?:st|nd|rd|th)$")
BIRTH_BEFORE = 40  # characters between "born"/"DOB" and the date
BIRTH_AFTER = 25  # or between the date and "(date of birth)"


@dataclass(frozen=True)
class Match:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    """Something that may identify a person, and exactly where it is."""

    kind: str
    field: str  # the caller's key for the text, e.g. "entry:12:stage:feelings"
    label: str  # where, for a person: 'Entry "Ward round" > Feelings'
    start: int
    end: int
    text: str
    excerpt: str

    @property
    def what(self) -> str:
        return KINDS[self.kind]

    def message(self) -> str:
        return (
            f"{self.label}, characters {self.start + 1}-{self.end}: "
            f"{self.what} ({self.text!r}) in “{self.excerpt}”"
        )


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False  # no number is issued with this remainder
    return check == int(digits[9])


def _phone_ok(s: str) -> bool:
    digits = re.sub(r"\D", "", s)
    if s.lstrip().startswith("+44"):
        national = digits[2:]
        national = national[1:] if national.startswith("0") else national
        return len(national) in (9, 10)
    # "00" starts an international call, not a UK number: "0012345678" is a reference.
    return digits.startswith("0") and not digits.startswith("00") and len(digits) in (10, 11)


SENTENCE_BREAK_RE = re.compile(r"[.!?;](?:\s|$)|\n")


def _dates_of_birth(text: str) -> list[re.Match[str]]:
    """Dates that a "born", "DOB" or "date of birth" in the same sentence points at.

    Each such word points at the nearest date: after it ("DOB 12/03/1948", "born on 3 March
    1950") within BIRTH_BEFORE characters, or before it ("12/03/1948 (date of birth)") within
    BIRTH_AFTER. Other dates - the day of a meeting - are not identifiers and are left alone.
    """
    dates = list(BIRTH_DATE_RE.finditer(text))
    out: dict[int, re.Match[str]] = {}
    for kw in BIRTH_RE.finditer(text):
        best: tuple[int, re.Match[str]] | None = None
        for d in dates:
            if d.start() >= kw.end():
                gap, between, limit = d.start() - kw.end(), text[kw.end() : d.start()], BIRTH_BEFORE
            elif d.end() <= kw.start():
                gap, between, limit = kw.start() - d.end(), text[d.end() : kw.start()], BIRTH_AFTER
            else:
                continue
            if gap <= limit and not SENTENCE_BREAK_RE.search(between):
                if best is None or gap < best[0]:
                    best = (gap, d)
        if best is not None:
            out[best[1].start()] = best[1]
    return list(out.values())


def find_in_text(text: str) -> list[Match]:
    """Every identifier in one text, overlaps resolved by kind, in order of position."""
    found: list[Match] = []
    for m in EMAIL_RE.finditer(text):
        found.append(Match("email", m.start(), m.end(), m.group()))
    for m in NHS_RE.finditer(text):
        if nhs_number_valid("".join(m.groups())):
            found.append(Match("nhs-number", m.start(), m.end(), m.group()))
    for m in PHONE_RE.finditer(text):
        s = m.group()
        if _phone_ok(s):
            found.append(Match("phone", m.start(), m.end(), s))
    for m in _dates_of_birth(text):
        found.append(Match("date-of-birth", m.start(), m.end(), m.group()))
    for m in POSTCODE_RE.finditer(text):
        if not ORDINAL_RE.search(m.group()):
            found.append(Match("postcode", m.start(), m.end(), m.group()))
    kept: list[Match] = []
    for hit in sorted(found, key=lambda x: (PRIORITY.index(x.kind), x.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda x: x.start)


def excerpt(text: str, start: int, end: int, around: int = 30) -> str:
    a, b = max(0, start - around), min(len(text), end + around)
    s = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + s + ("…" if b < len(text) else "")


def scan(fields: Iterable[tuple[str, str, str]]) -> list[Finding]:
    """Check each ``(field key, label, text)``; the findings in the order the fields came."""
    out: list[Finding] = []
    for key, label, text in fields:
        if not text:
            continue
        for m in find_in_text(text):
            out.append(
                Finding(m.kind, key, label, m.start, m.end, m.text, excerpt(text, m.start, m.end))
            )
    return out
