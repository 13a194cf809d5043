"""The composition root of the store: one database, and a repository per concern over it.

    store = Store(url)          # a SQLite file by default, any database by URL
    store.rounds.create(...)    # rounds, links, series, answers, released results
    store.members.save_rating(...)  # what a member's page may do (ports.MemberPort)
    store.actions.add(...)      # actions a team agreed on its results
    store.plans.save_field(...) # plans, field by field
    store.imports.from_file(...)    # answers imported from a file, ratings exported
    store.journal.create(...)   # the reflective journal

Each repository is typed by its port (``ports``); the repositories share ``db.Database`` (the
engine, the clock, the codes), never this module, so there is no import circle.
"""

from __future__ import annotations

from typing import Any

from .actions import Actions
from .db import Database, default_url, make_engine, mask_db_urls, member_hash, new_code, now
from .imports import Imports
from .journal import Journal
from .members import Members
from .plans import Plans
from .ports import ActionsPort, ImportsPort, JournalPort, MembersPort, PlansPort, RoundsPort
from .rounds import RoundLinks, Rounds, RoundSummary

__all__ = [
    "OLD_NAMES",
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

# TEMPORARY (transition shim, remove once scripts/rewrite_store_calls.py has run): each old flat
# name of the Store facade -> (repository, name there). ``Store.__getattr__`` forwards them, so
# code written against the old facade keeps working while the call sites are rewritten.
OLD_NAMES: dict[str, tuple[str, str]] = {
    # rounds
    "create_round": ("rounds", "create"),
    "get_round": ("rounds", "get"),
    "round_by_code": ("rounds", "by_code"),
    "framework_for": ("rounds", "framework"),
    "list_rounds": ("rounds", "all"),
    "open_next_round": ("rounds", "open_next"),
    "series": ("rounds", "series"),
    "next_round": ("rounds", "next"),
    "links": ("rounds", "links"),
    "close_round": ("rounds", "close"),
    "answers": ("rounds", "answers"),
    "released": ("rounds", "released"),
    "_member_answers": ("rounds", "member_answers"),
    # members (the names stay: they are the member API's actions, ports.MEMBER_ACTIONS)
    "member_view": ("members", "member_view"),
    "save_rating": ("members", "save_rating"),
    "save_comment": ("members", "save_comment"),
    "save_profile": ("members", "save_profile"),
    "submit": ("members", "submit"),
    "_answer": ("members", "answer"),
    # actions (``store.actions(round_id)`` itself still answers, see ``Actions.__call__``)
    "add_action": ("actions", "add"),
    "action": ("actions", "get"),
    "update_action": ("actions", "update"),
    "actions": ("actions", "for_round"),
    "series_actions": ("actions", "in_series"),
    "actions_to_review": ("actions", "to_review"),
    # plans
    "create_plan": ("plans", "create"),
    "plan": ("plans", "get"),
    "plan_by_code": ("plans", "by_code"),
    "save_plan_field": ("plans", "save_field"),
    "save_plan_fields": ("plans", "save_fields"),
    "plan_fields": ("plans", "fields"),
    "list_plans": ("plans", "all"),
    # imports and exports
    "plan_import": ("imports", "plan"),
    "import_answers": ("imports", "write"),
    "import_responses_file": ("imports", "from_file"),
    "export_ratings": ("imports", "export"),
    "export_ratings_file": ("imports", "export_file"),
    # journal
    "journal_create": ("journal", "create"),
    "journal_entry": ("journal", "entry"),
    "journal_entries": ("journal", "entries"),
    "journal_save": ("journal", "save"),
    "journal_set_model": ("journal", "set_model"),
    "journal_save_stage": ("journal", "save_stage"),
    "journal_set_tag": ("journal", "set_tag"),
    "journal_finish": ("journal", "finish"),
    "journal_versions": ("journal", "versions"),
    "journal_restore": ("journal", "restore"),
    "journal_list": ("journal", "find"),
    "journal_tag_counts": ("journal", "tag_counts"),
    "journal_model_counts": ("journal", "model_counts"),
    "journal_create_topic": ("journal", "create_topic"),
    "journal_topics": ("journal", "topics"),
    "journal_topic": ("journal", "topic"),
    "journal_update_topic": ("journal", "update_topic"),
    "journal_cycles": ("journal", "cycles"),
    "journal_start_cycle": ("journal", "start_cycle"),
    "journal_form_settings": ("journal", "form_settings"),
    "journal_save_form_setting": ("journal", "save_form_setting"),
    "journal_form_parts": ("journal", "form_parts"),
    "journal_save_form_part": ("journal", "save_form_part"),
    "journal_info": ("journal", "info"),
    "journal_known": ("journal", "known"),
    "journal_set_name": ("journal", "set_name"),
    "journal_model": ("journal", "model"),
    "journal_remember_model": ("journal", "remember_model"),
    "journal_fts": ("journal", "fts"),
    "_journal_fts": ("journal", "fts"),
    "_refresh_text": ("journal", "_refresh_text"),  # tests make every journal write fail
    # the database itself
    "_insert": ("db", "insert"),
    "_dialect": ("db", "dialect"),
}


class Store:
    """Everything the apps and the command line read and write, one repository per concern."""

    def __init__(self, url: str | None = None):
        db = Database(url)
        # TEMPORARY (transition shim): codes looked up here, so that a test patching
        # ``store.store.new_code`` (tests/test_cli_plan.py) still reaches them; patch
        # ``store.db.new_code`` instead, then drop this line.
        db.new_code = lambda: new_code()  # type: ignore[method-assign]
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

    def close(self) -> None:
        self.db.close()

    # TEMPORARY (transition shim): the old flat names, through OLD_NAMES only.
    def __getattr__(self, name: str) -> Any:
        if name in OLD_NAMES:
            repo, new = OLD_NAMES[name]
            return getattr(self.__dict__[repo], new)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: object) -> None:
        # ``monkeypatch.setattr(store, "_insert", ...)``, ``store._journal_fts = False``.
        if name in OLD_NAMES and name not in ("actions",):
            repo, new = OLD_NAMES[name]
            setattr(self.__dict__[repo], new, value)
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in OLD_NAMES and name not in self.__dict__:
            repo, new = OLD_NAMES[name]
            target = self.__dict__[repo]
            if new in vars(target):
                delattr(target, new)
        else:
            object.__delattr__(self, name)
