"""Helpers for the report tests: answers for a round, and a report's text as a reader sees it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"

# Per member: the value given to every statement of p1 and of p2 (small framework, 1-4).
# Member scores p1: 1, 3, 4 (median 3.0); p2: 2, 2, 4 (median 2.0).
VALUES = ((1, 2), (3, 2), (4, 4))


def fill(store, links, framework, values=VALUES, *, names=(), role="", comment=None) -> None:
    """Members answer and submit: one per item of `values`, each commenting on p1 if asked."""
    for i, (v1, v2) in enumerate(values):
        me = f"tok-report-member-{i:04d}"
        for s in framework.principle("p1").statements:
            store.members.save_rating(links.member_code, me, s.id, v1)
        for s in framework.principle("p2").statements:
            store.members.save_rating(links.member_code, me, s.id, v2)
        if comment:
            store.members.save_comment(links.member_code, me, "p1", f"{comment} {i}")
        if names or role:
            store.members.save_profile(
                links.member_code, me, name=names[i] if names else "", role=role
            )
        store.members.submit(links.member_code, me)


INLINE = {"a", "b", "code", "em", "i", "small", "span", "strong", "sub", "sup"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    """The text a reader sees (entities decoded, whitespace squeezed), without styles."""
    p = _Text()
    p.feed(html)
    return re.sub(r"\s+", " ", "".join(p.parts)).strip()
