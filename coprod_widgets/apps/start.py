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

ROLE_SUGGESTIONS = "Staff, Person with lived experience, Carer, Community member"


class StartRoundApp(w.VBox):
    def __init__(self, store: Any, library: FrameworkLibrary, base_url: str = ""):
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
        self.create.on_click(self._on_create_click)
        self.framework.observe(self._on_framework_value, "value")
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

    def _on_create_click(self, _b: Any) -> None:
        try:
            fw = self.library.get(self.framework.value)
            created = self.store.create_round(
                self.team.value,
                fw,
                anonymous=self.privacy.value == "anonymous",
                min_answers=int(self.min_answers.value),
                roles=self.roles.value.split(","),
            )
        except (CoprodError, KeyError) as e:
            self.result.kind, self.result.title, self.result.text = "error", "Not created", str(e)
            return
        r = created.round
        self.result.kind, self.result.title = "success", f"Round {r.id} is open"
        self.result.text = "Share the first link with the team. Keep the second to yourself."
        self.links.value = (
            "<dl class='coprod-links'>"
            f"<dt>For the team to answer</dt><dd><code>{escape(link(self.base_url, created.member_code))}</code></dd>"
            f"<dt>For you, to see the results</dt><dd><code>{escape(link(self.base_url, created.facilitator_code))}</code></dd>"
            "</dl>"
        )


def show(store: Any = None) -> w.Widget:
    def build() -> w.Widget:
        nonlocal store
        if store is None:
            store = Store(os.environ.get("COPROD_DB") or None)
        return StartRoundApp(store, FrameworkLibrary(), identity.base_url())

    return safely(build)
