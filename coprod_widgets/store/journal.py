"""The reflective journal in the database: one ``Journal`` over its parts.

- ``journal_core``: the owner check, reflective models, search index, versions kept;
- ``journal_entries``: entries written field by field, their versions;
- ``journal_search``: pages of entries by filter and full-text search, counts;
- ``journal_topics``: topics followed through reflection cycles;
- ``journal_forms``: export settings per entry and form, and the journal's name.

Every method takes the ``owner`` and filters by it; another owner's entry is reported exactly
like a missing one.
"""

from __future__ import annotations

from .journal_core import BIG_CUT, MARK_END, MARK_START, PAGE_MAX, SESSION_GAP
from .journal_forms import JournalForms
from .journal_search import JournalSearch
from .journal_topics import JournalTopics

__all__ = ["BIG_CUT", "MARK_END", "MARK_START", "PAGE_MAX", "SESSION_GAP", "Journal"]


class Journal(JournalTopics, JournalSearch, JournalForms):
    """Everything the journal pages, the journal's command line and its exports read and write."""
