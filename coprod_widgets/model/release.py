"""When an anonymous round's results may move: released as snapshots, in steps that single no
one out.

Results seen at 3 answers and again at 4 would give away the fourth member's every rating and
comment. So a facilitator never sees the live answers of an anonymous round: they see the last
*snapshot*, the answers frozen when it was released. A new snapshot is released only when at
least the round's minimum number of members have given or changed an answer since the last one
(the first needs that many answers), and only if, against every snapshot released before, the
answers that appear and the answers that disappear are each none or at least the minimum: what
anyone can work out by comparing any two releases is then always the answers of several people
together, never one person's. Closing a round changes nothing to this: answers new or changed
since the last snapshot that make a smaller step stay held back, and the last snapshot stays.

Who changed is told by a fingerprint per member (a keyed hash of the member and the content of
their answer, see ``fingerprint``) kept by the store beside the latest snapshot and never shown
or exported. The snapshot itself holds the answers' content only: no token, hash, time or order.
Named rounds show names by design: their results are live, and none of this applies.

Pure functions: no store, no clock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .rounds import Answer, Rating


def frozen(answer: Answer) -> dict[str, Any]:
    """What results and exports read of one submitted answer, and nothing else: its ratings,
    its non-blank comments, its role (and its name, which only named rounds keep). No member
    token, hash, status or time."""
    d: dict[str, Any] = {
        "ratings": {
            sid: ("dont_know" if r.dont_know else r.value)
            for sid, r in sorted(answer.ratings.items())
            if r.answered
        },
        "comments": {
            pid: text.strip() for pid, text in sorted(answer.comments.items()) if text.strip()
        },
        "role": answer.role or "",
    }
    if answer.name:
        d["name"] = answer.name
    return d


def content(answer: Answer) -> str:
    """One answer's content as canonical text: equal answers, equal text."""
    return json.dumps(frozen(answer), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def thaw(d: dict[str, Any]) -> Answer:
    """A frozen answer back as a submitted Answer (no time: none was kept)."""
    return Answer(
        ratings={
            sid: Rating(None, True) if v == "dont_know" else Rating(int(v), False)
            for sid, v in (d.get("ratings") or {}).items()
        },
        comments=dict(d.get("comments") or {}),
        status="submitted",
        name=d.get("name") or "",
        role=d.get("role") or "",
    )


def freeze_all(answers: Iterable[Answer]) -> list[dict[str, Any]]:
    """The submitted answers of a snapshot, sorted by their content: the order says nothing of
    who answered first, and the same answers always freeze to the same list."""
    return [json.loads(c) for c in sorted(content(a) for a in answers if a.submitted)]


def fingerprint(key: bytes, member: str, answer: Answer) -> str:
    """A keyed hash of who (the member's stored hash) and what (the answer's content): it changes
    when that member's answer changes, and without the key it says nothing of either."""
    msg = member.encode("utf-8") + b"\x00" + content(answer).encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Decision:
    release: bool
    # Members whose submitted answer is new or changed since the last snapshot (all of them
    # when there is none): what a release would add, or what stays held back.
    fresh: int
    # At least how many more people must answer or change an answer before the next release
    # (0 when this one is released).
    need_more: int = 0


def _step(before: Counter[str], after: Counter[str]) -> tuple[int, int]:
    """Answers that appear and answers that disappear from one set of answers to the next."""
    return sum((after - before).values()), sum((before - after).values())


def decide(
    need: int,
    current: Sequence[tuple[str, str]],
    last_fingerprints: Iterable[str] | None,
    released: Sequence[Sequence[str]] = (),
) -> Decision:
    """Whether the current answers may be released as a new snapshot.

    ``need``: the round's minimum number of answers. ``current``: (fingerprint, content) of
    every submitted answer now. ``last_fingerprints``: those kept with the last snapshot (None
    before the first). ``released``: the content of the answers of every snapshot released so
    far (any order).

    Released when at least ``need`` members answered or changed since the last snapshot, and
    against every earlier snapshot the answers that appear and those that disappear are each
    none or at least ``need`` (a member who changed an answer back, or two who swapped, could
    otherwise make a smaller step than the count of people says).
    """
    if need < 1:
        raise ValueError("need: at least 1")
    last = set(last_fingerprints or ())
    fresh = sum(1 for fp, _ in current if fp not in last)
    short = max(1, need - fresh)
    if last_fingerprints is None and len(current) < need:
        return Decision(False, fresh, need - len(current))
    if fresh < need:
        return Decision(False, fresh, short)
    now = Counter(c for _, c in current)
    for earlier in released:
        added, removed = _step(Counter(earlier), now)
        if 0 < added < need or 0 < removed < need:
            return Decision(False, fresh, 1)
    if released:
        added, removed = _step(Counter(released[-1]), now)
        if added == 0 and removed == 0:
            # Nothing would move (changes that cancel out): keep the snapshot as it is.
            return Decision(False, 0, 0)
    return Decision(True, fresh, 0)


@dataclass(frozen=True)
class Release:
    """What a facilitator may see of a round's answers right now, and what is held back.

    Anonymous rounds: the last snapshot's answers (``sequence`` 0 and no answers before the
    first). Named rounds: every answer, live (``live``)."""

    answers: tuple[Answer, ...] = field(default=())
    live: bool = False
    sequence: int = 0
    released_at: str = ""
    submitted_now: int = 0  # submitted answers in the round now (a count only)
    in_progress: int = 0  # drafts now (a count only)
    held: int = 0  # answers new or changed since the snapshot, not in it
    need_more: int = 0  # at least this many more people before the next release

    @property
    def released(self) -> bool:
        return self.live or self.sequence > 0

    @property
    def submitted(self) -> int:
        """Submitted answers in what is shown."""
        return sum(1 for a in self.answers if a.submitted)
