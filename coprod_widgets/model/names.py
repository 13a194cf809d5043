"""Names the house gives before a person gives their own (pure: no IO)."""

from __future__ import annotations

from datetime import date


def default_journal_name(day: date) -> str:
    """A new journal's name until its owner gives it one."""
    month = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()[day.month - 1]
    return f"My journal (started {day.day} {month} {day.year})"
