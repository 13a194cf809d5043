"""The composition root of the store: one database, and a repository per concern over it.

    store = Store(url)          # a SQLite file by default, any database by URL
    store.rounds.create(...)    # rounds, links, series, answers, released results
    store.members.save_rating(...)  # what a member's page may do (ports.MemberPort)
    store.actions.add(...)      # actions a team agreed on its results
    store.plans.save_field(...) # plans, field by field
    store.imports.from_file(...)    # answers imported from a file, ratings exported
    store.journal.create(...)   # the reflective journal
    store.cohorts.join(...)     # cohorts of a course: participants, answers, feedback

Each repository is typed by its port (``ports``); the repositories share ``db.Database`` (the
engine, the clock, the codes), never this module, so there is no import circle.
"""

from __future__ import annotations

from .actions import Actions
from .cohorts import Cohorts
from .db import Database, default_url, make_engine, mask_db_urls, member_hash, new_code, now
from .imports import Imports
from .journal import Journal
from .members import Members
from .plans import Plans
from .ports import (
    ActionsPort,
    CohortsPort,
    ImportsPort,
    JournalPort,
    MembersPort,
    PlansPort,
    RoundsPort,
)
from .rounds import RoundLinks, Rounds, RoundSummary

__all__ = [
    "RoundLinks",
    "RoundSummary",
    "Store",
    "default_url",
    "make_engine",
    "mask_db_urls",
    "member_hash",
    "new_code",
    "now",
]


class Store:
    """Everything the apps and the command line read and write, one repository per concern."""

    def __init__(self, url: str | None = None):
        db = Database(url)
        rounds = Rounds(db)
        self.db = db
        self.url = db.url
        self.engine = db.engine
        # Each part typed by its port, so that mypy holds each repository to its promise.
        self.rounds: RoundsPort = rounds
        self.members: MembersPort = Members(db, rounds)
        self.actions: ActionsPort = Actions(db, rounds)
        self.plans: PlansPort = Plans(db)
        self.imports: ImportsPort = Imports(db, rounds)
        self.journal: JournalPort = Journal(db)
        self.cohorts: CohortsPort = Cohorts(db)

    def close(self) -> None:
        self.db.close()
