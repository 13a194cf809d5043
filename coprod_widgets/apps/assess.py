"""The self-assessment workbook: a member rates each principle, privately, with evidence.

Every change goes to the store as it is made (a draft); a reload, a closed tab or a dead kernel
brings it all back from there. Submit only marks the draft as submitted; it can be changed again
until the round closes.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w

from .. import identity
from ..errors import CoprodError, NotFound
from ..model.framework import Framework
from ..model.rounds import Answer, Rating, Round
from ..store.ports import MemberPort
from ..widgets import FieldNote, Notice, PrincipleCard, SaveStatus, Stepper
from ..widgets.rating import DONT_KNOW
from .autosave import Autosave, keep
from .common import CodeEntry, member_service, safely

NO_ROLE = ""  # the dropdown's "Choose a role" entry


class SelfAssessmentApp(w.VBox):
    """Wires the member's widgets to the store's member methods."""

    def __init__(self, service: MemberPort, code: str, me: str, base_url: str = ""):
        self.service, self.code, self.me, self.base_url = service, code, me, base_url
        view = service.member_view(code, me)
        self.round = Round.from_dict(view["round"])
        self.framework = Framework.from_dict(view["framework"])
        self.answer = Answer.from_dict(view["answer"])

        fw, rnd = self.framework, self.round
        self.header = w.HTML(self._header_html())
        self.status = SaveStatus()
        self.autosave = Autosave(self.status)
        if not rnd.is_open:
            super().__init__(
                [
                    self.header,
                    Notice(
                        "This round has closed",
                        "Answers can no longer be changed. Thank you for taking part.",
                    ),
                ]
            )
            self.add_class("coprod-app")
            return

        self.profile = self._profile_box()
        self._numbers, n = [], 1
        for p in fw.principles:
            self._numbers.append(n)
            n += len(p.statements)
        # Cards are built when first shown: a page opens with one principle's widgets, not all
        # of them (240 widgets for NEF's six), which is what a team opening the link pays for.
        self._cards: dict[int, PrincipleCard] = {}
        self.notes: dict[str, FieldNote] = {}
        self.stepper = Stepper([p.title for p in fw.principles], total=len(fw.statements))
        self.card_area = w.VBox([self.card(0)])
        self.submit_button = w.Button(description="Submit my answers", button_style="success")
        self.submit_button.add_class("coprod-submit")
        self.submit_note = Notice()
        # Submitting with statements unrated asks first.
        self.confirm_submit = w.Button(description="Submit anyway", button_style="warning")
        self.keep_rating = w.Button(description="Go back and rate them")
        self.confirm_box = w.HBox([self.confirm_submit, self.keep_rating])
        self.confirm_box.layout.display = "none"
        self.confirm_submit.on_click(self._on_confirm_submit_click)
        self.keep_rating.on_click(self._on_keep_rating_click)
        self._show_submitted()
        self.stepper.observe(self._on_stepper_index, "index")
        self.submit_button.on_click(self._on_submit_click)
        super().__init__(
            [
                self.header,
                self.profile,
                self.stepper,
                self.card_area,
                self.status,
                w.HTML("<h2 class='coprod-sr'>Submit</h2>"),
                self.submit_button,
                self.submit_note,
                self.confirm_box,
                w.HTML(self._come_back_html()),
            ]
        )
        self.add_class("coprod-app")
        self._refresh_progress()

    # -- building -----------------------------------------------------------------------------

    def _header_html(self) -> str:
        rnd, fw = self.round, self.framework
        if rnd.anonymous:
            privacy = (
                "This round is anonymous: nobody, the facilitator included, can see who gave "
                "which answer."
            )
        else:
            privacy = "This round is named: the facilitator will see your name with your answers."
        return (
            f"<header><h1>{escape(rnd.team)}: how well do we co-produce?</h1>"
            f"<p class='coprod-framework'>{escape(fw.title)}</p>"
            f"<p>Rate each statement as you see it. {privacy} Team results appear only once "
            f"at least {rnd.min_answers} people have answered. Your answers are saved as you go."
            "</p></header>"
        )

    def _profile_box(self) -> w.Widget:
        children: list[w.Widget] = []
        self.name = self.role = None
        if not self.round.anonymous:
            self.name = w.Text(
                description="Your name",
                value=self.answer.name,
                continuous_update=True,
                style={"description_width": "initial"},
            )
            keep(self.name, "name")
            self.name.observe(lambda _c: self._save_profile(), "value")
            children.append(self.name)
        if self.round.roles:
            options = [("Choose a role", NO_ROLE), *((r, r) for r in self.round.roles)]
            self.role = w.Dropdown(
                description="Which best describes you?",
                options=options,
                value=self.answer.role if self.answer.role in self.round.roles else NO_ROLE,
                style={"description_width": "initial"},
            )
            self.role.observe(lambda _c: self._save_profile(), "value")
            children.append(self.role)
        box = w.VBox(children)
        box.add_class("coprod-profile")
        return box

    def _come_back_html(self) -> str:
        """The continuation link, signed by the server for this round and this member's token,
        shown on this member's own page only (the page opens only with this device's cookie)."""
        if not self.base_url:
            return ""
        try:
            url = identity.resume_link(self.base_url, self.code, self.round.id, self.me)
        except OSError:  # no data folder to keep the signing key in: no link, nothing else lost
            return ""
        return (
            "<details class='coprod-come-back'><summary>Coming back on another device</summary>"
            "<p>This device will bring your answers back when you open the team link again. "
            "To carry on on another device, open this link there (it works once you have given "
            "an answer). <strong>Keep it to yourself: anyone holding it can read and change "
            "your answers.</strong></p>"
            f"<p><code>{escape(url)}</code></p></details>"
        )

    def card(self, index: int) -> PrincipleCard:
        """The card of the ``index``-th principle, built (with the saved draft in it) the first
        time it is asked for."""
        card = self._cards.get(index)
        if card is not None:
            return card
        p = self.framework.principles[index]
        card = PrincipleCard(p, self.framework.scale, first_number=self._numbers[index])
        keep(card.evidence, f"evidence-{p.id}")
        note = self.notes[p.id] = FieldNote()
        at = list(card.children).index(card.evidence) + 1
        card.children = (*card.children[:at], note, *card.children[at:])
        # The saved draft goes in before any observer is attached: restoring is not an edit.
        for sid, rating in card.ratings.items():
            r = self.answer.rating(sid)
            rating.choice = DONT_KNOW if r.dont_know else r.value
        card.comment = self.answer.comments.get(p.id, "")
        for sid, rating in card.ratings.items():
            rating.observe(lambda ch, sid=sid: self._on_rating_choice(sid, ch["new"]), "choice")
        card.observe(lambda ch, pid=p.id: self._on_card_comment(pid, ch["new"]), "comment")
        self._cards[index] = card
        return card

    @property
    def cards(self) -> list[PrincipleCard]:
        """Every principle's card (building any not shown yet)."""
        return [self.card(i) for i in range(len(self.framework.principles))]

    # -- saving -------------------------------------------------------------------------------

    def _on_rating_choice(self, statement_id: str, choice: Any) -> None:
        dont_know = choice == DONT_KNOW
        value = None if dont_know else choice
        self.answer.ratings[statement_id] = Rating(value, dont_know)
        self.autosave.change(
            ("rating", statement_id),
            lambda: self.service.save_rating(self.code, self.me, statement_id, value, dont_know),
            immediate=True,
        )
        self._refresh_progress()

    def _on_card_comment(self, principle_id: str, text: str) -> None:
        self.answer.comments[principle_id] = text
        self.autosave.text(
            ("comment", principle_id),
            "evidence",
            text,
            lambda: self.service.save_comment(self.code, self.me, principle_id, text),
            note=self.notes[principle_id],
            slug=f"evidence-{principle_id}",
        )

    def _save_profile(self) -> None:
        name = self.name.value if self.name is not None else ""
        role = self.role.value if self.role is not None and self.role.value != NO_ROLE else ""
        self.answer.name, self.answer.role = name, role
        self.autosave.text(
            ("profile", ""),
            "name",
            name,
            lambda: self.service.save_profile(self.code, self.me, name, role),
            slug="name" if self.name is not None else "",
        )

    def flush(self) -> bool:
        """Save now whatever is waiting; True when everything is in the store."""
        return self.autosave.flush()

    # -- navigation and submit ----------------------------------------------------------------

    def _on_stepper_index(self, change) -> None:
        self.card_area.children = [self.card(change["new"])]

    def _refresh_progress(self) -> None:
        self.stepper.answered = self.answer.answered_count(self.framework)

    def _on_submit_click(self, _b: Any) -> None:
        if not self.flush():
            self.submit_note.kind, self.submit_note.title = "error", "Not submitted yet"
            self.submit_note.text = self.status.message
            return
        rated = self.answer.answered_count(self.framework)
        total = len(self.framework.statements)
        if rated < total:
            self.submit_note.kind, self.submit_note.title = "info", "Some statements are unrated"
            self.submit_note.text = (
                f"You rated {rated} of {total} statements. Submit anyway? You can still rate "
                "the others afterwards, until the round closes."
            )
            self.confirm_box.layout.display = None
            return
        self._submit()

    def _on_confirm_submit_click(self, _b: Any) -> None:
        self.confirm_box.layout.display = "none"
        if self.flush():
            self._submit()

    def _on_keep_rating_click(self, _b: Any) -> None:
        self.confirm_box.layout.display = "none"
        self.submit_note.title = self.submit_note.text = ""
        first = next(
            (
                i
                for i, p in enumerate(self.framework.principles)
                if any(not self.answer.rating(st.id).answered for st in p.statements)
            ),
            0,
        )
        self.stepper.index = first

    def _submit(self) -> None:
        try:
            self.service.submit(self.code, self.me)
        except CoprodError as e:
            self.submit_note.kind, self.submit_note.title = "error", "Not submitted"
            self.submit_note.text = str(e)
            return
        self.answer.status = "submitted"
        self._show_submitted()

    def _show_submitted(self) -> None:
        if not self.answer.submitted:
            return
        left = len(self.framework.statements) - self.answer.answered_count(self.framework)
        more = f" {left} statements are still unrated." if left else ""
        self.submit_button.description = "Submit my changes"
        self.submit_note.kind = "success"
        self.submit_note.title = "Thank you: your answers are in"
        self.submit_note.text = (
            "You can still change them until the round closes; every change is saved as you "
            f"make it.{more}"
        )


def open_round(
    code: str, me: str, base_url: str = "", service: MemberPort | None = None
) -> w.Widget:
    return SelfAssessmentApp(service or member_service(), code, me, base_url)


def show(
    code: str | None = None, me: str | None = None, service: MemberPort | None = None
) -> w.Widget:
    """The workbook's one call."""

    def build() -> w.Widget:
        visit = identity.from_request(code, me)
        if visit.served and not (visit.code and visit.me):
            raise NotFound("this page needs the link your facilitator shared")
        if not visit.code:
            return CodeEntry(
                "Team self-assessment",
                lambda c: open_round(c, visit.me, visit.base_url, service),
            )
        return open_round(visit.code, visit.me, visit.base_url, service)

    return safely(build)
