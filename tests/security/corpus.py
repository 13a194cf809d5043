"""The injection corpus: text an attacker (or an unlucky paste) puts in any box. Every field a
person can type into is run through it somewhere in the tests; extend it, never shrink it."""

from __future__ import annotations

CORPUS: tuple[str, ...] = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "'\"><svg onload=alert(1)>",  # breaks out of an attribute quoted either way
    "javascript:alert(1)",
    "</textarea><b>bold</b>",
    "{{ 7*7 }} {% raw %}",  # template syntax
    "$x^2$ and $$\\frac{1}{0}$$",  # never typeset
    '=HYPERLINK("http://evil.example","click")',  # a spreadsheet formula
    "+cmd|' /C calc'!A0",
    "Ann &amp; Bob &lt;3",  # already-escaped text stays as typed
    "right-to-left \u202e gnp.exe",
    "emoji 😀 and é",
)

# What must never appear, as it is, in HTML made from the corpus: a live tag (an attribute such
# as onerror= is harmless once the tag's "<" is escaped).
LIVE = ("<img", "<script", "<svg", "</textarea><b>", "<b>bold")


def live_markup(html: str) -> list[str]:
    """The pieces of ``html`` that would run or render as markup, if any."""
    return [bit for bit in LIVE if bit in html]
