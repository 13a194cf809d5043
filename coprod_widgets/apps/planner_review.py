"""The planner's review, wired to the store: a self-assessment round opened from the plan, and
a PDSA cycle on the plan in the person's own journal."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from .. import identity
from ..content import FrameworkLibrary
from ..errors import CoprodError, NotFound
from ..model.plan import PlanData, review_stages
from ..registry import route_link
from ..widgets.planner_review import JournalArea, RoundArea
from .common import link, problem

if TYPE_CHECKING:
    from ..store import Store


class ReviewActions:
    """The round and journal buttons of the review. ``fields`` and ``seen`` are the app's (what
    the page holds and what it last read from the store); ``save`` saves one field."""

    def __init__(
        self,
        store: Store,
        code: str,
        base_url: str,
        library: FrameworkLibrary,
        fields: MutableMapping[str, Any],
        seen: MutableMapping[str, Any],
        save: Callable[[str, Any], None],
        data: Callable[[], PlanData],
    ):
        self.store, self.code, self.base_url, self.library = store, code, base_url, library
        self.fields, self.seen, self.save, self.data = fields, seen, save, data

    def wire(self, rounds: RoundArea, journal: JournalArea) -> None:
        self.rounds, self.journal = rounds, journal
        rounds.open_round.on_click(self._on_rounds_open_click)
        journal.start.on_click(self._on_journal_start_click)
        self.show_round()

    def show_round(self, facilitator_code: str = "") -> None:
        """The round opened from this plan. Its results link is shown only in the tab that
        opened it, once: the plan's link is shared with the whole group, and the results link
        must not travel with it (exports leave it out too)."""
        rid = self.fields.get("review.round_id")
        if not isinstance(rid, int):
            return
        try:
            links = self.store.rounds.links(rid)
        except NotFound:
            return
        r = links.round
        results = link(self.base_url, facilitator_code) if facilitator_code else ""
        member = link(self.base_url, links.member_code)
        self.rounds.show_round(r.id, r.team, r.created_at, member, results)

    def _on_rounds_open_click(self, _b: Any) -> None:
        say = self.rounds.say
        try:
            # Another tab may have opened one since this page was loaded: one round per review.
            stored = self.store.plans.fields(self.code).get("review.round_id")
            if isinstance(stored, int):
                self.fields["review.round_id"] = self.seen["review.round_id"] = stored
                say("info", "Already open", "Someone opened the round for this review already.")
                self.show_round()
                return
            if identity.only_owner_starts_rounds():
                say(
                    "info",
                    "Ask the owner",
                    "On this server only its owner starts self-assessment rounds. Ask the "
                    "person who runs it to open one from the start page, then keep its link "
                    "with this plan.",
                )
                return
            fw = self.library.get(self.rounds.framework.value)
            created = self.store.rounds.create(self.rounds.team.value, fw)
        except (CoprodError, KeyError) as e:
            say("error", "Not opened", str(e).strip("'\""))
            return
        self.save("review.round_id", created.round.id)
        say(
            "success",
            "The round is open",
            "Share the first link with the team. Keep the second to yourself.",
        )
        self.show_round(created.facilitator_code)

    def _on_journal_start_click(self, _b: Any) -> None:
        from ..content.models import ModelLibrary

        say = self.journal.say
        key = ""
        typed = self.journal.link.value.strip()
        if self.base_url:  # served: a journal is its private key
            key = re.split(r"[/=]", typed.rstrip("/"))[-1] if typed else secrets.token_urlsafe(16)
            if not identity.valid_journal_key(key):
                say(
                    "error",
                    "Not started",
                    "That is not a journal link: copy the whole link of your journal, or leave "
                    "the box empty to start a new journal.",
                )
                return
            owner = identity.journal_key_owner(key)
        else:
            owner, _visit = identity.journal_owner()
        try:
            pdsa = ModelLibrary().get("pdsa")
            data = self.data()
            title = data.title or "our plan"
            topic = self.store.journal.create_topic(owner, f"Review of the plan: {title}"[:200])
            entry = self.store.journal.start_cycle(owner, topic.id, pdsa)
            for stage, text in review_stages(data).items():
                self.store.journal.save_stage(owner, entry.id, stage, text)
        except (CoprodError, KeyError) as e:
            say("error", "Not started", problem(e))
            return
        if not key:
            say(
                "success",
                "In your journal",
                "A PDSA cycle on this plan is in your journal: open the journal workbook.",
            )
            return
        where = route_link("journal", self.base_url, key)
        then = (
            "Open your journal to carry on."
            if typed
            else "This is a new journal: keep that link private and safe. It is the only "
            "way into it, and it is not shown again."
        )
        say(
            "success",
            "In your journal",
            f"A PDSA cycle on this plan is in your journal: {where}\n{then}",
        )
