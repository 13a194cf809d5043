"""coprod's data as tidy pandas DataFrames, for analysis in a notebook: ``coprod_widgets.data``.

Every table here keeps the results page's rules, because it is read the way the page reads:

- a round's results, ratings and comments come only from ``store.rounds.released(...)``: an
  anonymous round's last snapshot (answers given after it stay out, as they do on the page),
  every submitted answer of a named round;
- below the round's minimum number of answers, ``results``, ``ratings`` and ``comments`` are
  empty (``df.attrs["why"]`` says why), and a principle fewer than the minimum rated is held
  back (``held_back``, no figures);
- an anonymous round shows no names, and no role that would single someone out; its
  respondents are numbered in a fresh random order.

The numbers are the page's and the team report's, unrounded: the page shows them to 2 decimals.
A journal is read only by its owner (``journal(key=...)``), a plan only by its private code.

Every function takes ``db``: a database URL, a ``Store``, or None for the same database as
``coprod serve`` and ``coprod lab`` ($COPROD_DB, else the SQLite file in your data folder).
A round is named by its number or by its results (facilitator) link code; a member's code opens
no results here, as it opens none on the page.
"""

from __future__ import annotations

from .own import journal, plan
from .rounds import actions, comments, ratings, results, rounds, trends
from .views import principle_history, reflections_by_principle

__all__ = [
    "actions",
    "comments",
    "journal",
    "plan",
    "principle_history",
    "ratings",
    "reflections_by_principle",
    "results",
    "rounds",
    "trends",
]
