"""Start a round: a facilitator picks a framework and the round's settings, and gets two links."""

from __future__ import annotations

import os
from html import escape
from typing import Any

import ipywidgets as w

from .. import identity
from ..content import FrameworkLibrary
from ..errors import CoprodError
from ..model.rounds import DEFAULT_MIN_ANSWERS
from ..store import Store  # loaded while the kernel is pre-started, not when the page is asked for
from ..widgets import Notice
from .common import link, safely

PRIVACY_NOTE = (
    "<p class='coprod-note'>In a named round names are shown with the answers, so its results "
    "follow every answer as it comes in. In an anonymous round results are released in steps, "
    "only once at least the minimum number of people have answered or changed their answers "
    "since the last step, so no one's answers can be worked out by comparing them.</p>"
)
ROLE_SUGGESTIONS = "Staff, Person with lived experience, Carer, Community member"
LOST_RESULTS_LINK = (
    "Lost it? The person who runs this server can print every round's two links again with "
    "<code>coprod round list --links</code>."
)


def links_html(base_url: str, member_code: str, facilitator_code: str, level: int = 2) -> str:
    """A round's two links, each in its own box whose heading says what it is and who gets it
    (headings at `level`, under the page's own)."""
    member = escape(link(base_url, member_code))
    results = escape(link(base_url, facilitator_code))
    h = f"h{level}"
    return (
        "<div class='coprod-links'>"
        f"<section class='coprod-link-share'>"
        f"<{h}>Share with your team: member link</{h}>"
        "<p>Everyone in the team answers with this link. It shows no results.</p>"
        f"<p>Member link: <code>{member}</code></p></section>"
        f"<section class='coprod-link-keep'>"
        f"<{h}>Keep to yourself: results link (anyone with it sees the results)</{h}>"
        "<p><strong>Do not share this one.</strong> It opens the team's results, and lets "
        "whoever has it close the round.</p>"
        f"<p>Results link: <code>{results}</code></p>"
        f"<p class='coprod-note'>{LOST_RESULTS_LINK}</p></section>"
        "</div>"
    )


class StartRoundApp(w.VBox):
    def __init__(self, store: Store, library: FrameworkLibrary, base_url: str = ""):
        self.store, self.library, self.base_url = store, library, base_url
        frameworks = list(library)
        self.team = w.Text(
            description="Team name",
            placeholder="e.g. Riverside youth service",
            style={"description_width": "initial"},
        )
        self.framework = w.Dropdown(
            description="Framework of principles",
            options=[(f"{f.title} ({len(f.principles)} principles)", f.id) for f in frameworks],
            style={"description_width": "initial"},
        )
        self.framework_about = w.HTML()
        self.privacy = w.RadioButtons(
            description="Who sees names?",
            options=[
                ("Anonymous: nobody sees who said what", "anonymous"),
                ("Named: the facilitator sees each person's name", "named"),
            ],
            value="anonymous",
            style={"description_width": "initial"},
        )
        self.min_answers = w.BoundedIntText(
            description="Answers needed before results show",
            value=DEFAULT_MIN_ANSWERS,
            min=1,
            max=1000,
            style={"description_width": "initial"},
        )
        self.roles = w.Text(
            description="Roles to choose from (optional, comma-separated)",
            placeholder=ROLE_SUGGESTIONS,
            style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
        )
        self.create = w.Button(description="Create the round", button_style="primary")
        self.result = Notice()
        self.links = w.HTML()
        # The form a round was last created from: pressing again (a double click, a second
        # press while the page is slow) makes no second round until the form changes.
        self._created_from: tuple[Any, ...] | None = None
        self.create.on_click(self._on_create_click)
        self.framework.observe(self._on_framework_value, "value")
        for field in self._form:
            field.observe(self._on_form_value, "value")
        problems = ""
        if library.problems:
            items = "".join(f"<li>{escape(str(p))}</li>" for p in library.problems)
            problems = (
                "<details><summary>Some framework files were left out because they have "
                f"problems</summary><ul>{items}</ul></details>"
            )
        super().__init__(
            [
                w.HTML(
                    "<header><h1>Start a team self-assessment</h1><p>Each member rates "
                    "privately; you see the team's results once enough people have answered."
                    f"</p>{problems}</header>"
                ),
                self.team,
                self.framework,
                self.framework_about,
                self.privacy,
                w.HTML(PRIVACY_NOTE),
                self.min_answers,
                self.roles,
                self.create,
                self.result,
                self.links,
            ]
        )
        self.add_class("coprod-app")
        self._on_framework_value()

    def _on_framework_value(self, _change: Any = None) -> None:
        if not self.framework.value:
            self.framework_about.value = ""
            return
        fw = self.library.get(self.framework.value)
        names = ", ".join(p.title for p in fw.principles)
        self.framework_about.value = (
            f"<p>{escape(fw.summary)}</p><p>Principles: {escape(names)}.</p>"
            f"<p class='coprod-note'>Source: {escape(fw.source.citation)}</p>"
        )

    @property
    def _form(self) -> tuple[w.ValueWidget, ...]:
        return (self.team, self.framework, self.privacy, self.min_answers, self.roles)

    def _form_key(self) -> tuple[Any, ...]:
        roles = tuple(r.strip() for r in self.roles.value.split(",") if r.strip())
        return (
            self.team.value.strip(),
            self.framework.value,
            self.privacy.value,
            self.min_answers.value,
            roles,
        )

    def _on_form_value(self, _change: Any = None) -> None:
        self._created_from = None  # a changed form may make another round

    def _on_create_click(self, _b: Any) -> None:
        if self.create.disabled or self._created_from == self._form_key():
            return  # already made from this form: the links are on the page
        self.create.disabled = True
        try:
            self._create()
        finally:
            self.create.disabled = False

    def _create(self) -> None:
        key = self._form_key()
        try:
            fw = self.library.get(self.framework.value)
            created = self.store.rounds.create(
                self.team.value,
                fw,
                anonymous=self.privacy.value == "anonymous",
                min_answers=int(self.min_answers.value),
                roles=self.roles.value.split(","),
            )
        except (CoprodError, KeyError) as e:
            self.result.kind, self.result.title, self.result.text = "error", "Not created", str(e)
            return
        self._created_from = key
        r = created.round
        self.result.kind, self.result.title = "success", f"Round {r.id} is open"
        self.result.text = (
            "Two links below. Share the member link with your team; keep the results link to "
            "yourself. Pressing the button again makes no second round: change the form first "
            "to start another."
        )
        self.links.value = links_html(self.base_url, created.member_code, created.facilitator_code)


def show(store: Store | None = None) -> w.Widget:
    def build() -> w.Widget:
        nonlocal store
        if store is None:
            store = Store(os.environ.get("COPROD_DB") or None)
        return StartRoundApp(store, FrameworkLibrary(), identity.base_url())

    return safely(build)
