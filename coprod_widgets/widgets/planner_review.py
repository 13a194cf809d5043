"""The planner's last parts: 9. the review (a date, the team's PDSA reflection, a round of
self-assessment, a cycle in one's own journal) and 10. sharing the plan as a file.

The buttons that reach the store (open a round, start a journal cycle, make a file) are wired
by the app; these views show what it tells them. No store access here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Bool

from ..model.plan import PDSA, REVIEW, PlanData, parse_date, review_due
from .download import download_link
from .planner import FieldsBox, PlanPart, part_head, values_under
from .status import Notice

WIDE = {"description_width": "initial"}


class RoundArea(w.VBox):
    """A team self-assessment opened from the plan: a team name, a framework, and once it is
    open, its links (``show_round``)."""

    def __init__(self, team: str, frameworks: Sequence[tuple[str, str]]):
        self.links = w.HTML()
        self.team = w.Text(description="Team name for the self-assessment", value=team, style=WIDE)
        self.team.add_class("coprod-stacked")
        self.framework = w.Dropdown(
            description="Framework of principles", options=list(frameworks), style=WIDE
        )
        self.framework.add_class("coprod-stacked")
        self.open_round = w.Button(
            description="Open a self-assessment round", button_style="primary"
        )
        self.message = Notice()
        self.form = w.VBox([self.team, self.framework, self.open_round])
        intro = w.HTML(
            "<h3>A team self-assessment (optional)</h3><p>Alongside the reflection, the "
            "team can rate privately how well it co-produces, and see where views differ.</p>"
        )
        super().__init__([intro, self.form, self.message, self.links])

    def say(self, kind: str, title: str, text: str) -> None:
        self.message.kind, self.message.title, self.message.text = kind, title, text

    def show_round(
        self, number: int, team: str, created: str, member_url: str, results_url: str = ""
    ) -> None:
        """The open round's links. The results link is given only to the tab that opened it."""
        self.form.layout.display = "none"
        results = (
            "<dt>For you, to see the results (copy it now: it is not shown again)</dt>"
            f"<dd><code>{escape(results_url)}</code></dd>"
            if results_url
            else "<dt>The results</dt><dd>The person who opened the round has the results "
            "link.</dd>"
        )
        self.links.value = (
            f"<p>Round {number} for {escape(team)} was opened on {escape(created[:10])}.</p>"
            "<dl class='coprod-links'>"
            f"<dt>For the team to answer</dt><dd><code>{escape(member_url)}</code></dd>"
            f"{results}</dl>"
        )


class JournalArea(w.VBox):
    """A PDSA cycle on the plan in one's own journal; served, the journal's link (``link``)."""

    def __init__(self, served: bool):
        self.link = w.Text(
            description="Your journal's link (empty: start a new journal)",
            placeholder="the private link of your reflective journal",
            style=WIDE,
            continuous_update=False,
        )
        self.link.add_class("coprod-stacked")
        self.start = w.Button(description="Reflect on it in my journal")
        self.message = Notice()
        intro = w.HTML(
            "<h3>In your own reflective journal (optional)</h3><p>Start a PDSA cycle "
            "on this plan in your private journal, filled in from what the team wrote "
            "here. You can follow it through more cycles there; nobody else sees it.</p>"
        )
        super().__init__([intro, *([self.link] if served else []), self.start, self.message])

    def say(self, kind: str, title: str, text: str) -> None:
        self.message.kind, self.message.title, self.message.text = kind, title, text


class ReviewView(PlanPart):
    """9. A date to look back at the plan together; on that day (or sooner, by ``open_review``)
    the reflection opens (``pdsa_area``)."""

    due = Bool(False, help="the review is open: its date has come, or it was started early")

    def __init__(
        self,
        fields: Mapping[str, Any],
        today: date,
        team: str,
        frameworks: Sequence[tuple[str, str]],
        served: bool,
    ):
        self.today = today
        self.fields = FieldsBox(REVIEW, values_under(fields, "review."), prefix="review.")
        self.state = w.HTML()
        self.open_review = w.Button(description="Start the review now")
        self.pdsa = FieldsBox(PDSA, values_under(fields, "review.pdsa."), prefix="review.pdsa.")
        c = self.pdsa.cells
        pair = w.HBox([c["predicted"], c["observed"]])
        pair.add_class("coprod-pair")
        self.pdsa.children = [c["plan"], c["do"], pair, c["study"], c["act"], c["decision"]]
        self.journal = JournalArea(served)
        self.round = RoundArea(team, frameworks)
        self.pdsa_area = w.VBox(
            [
                w.HTML(
                    "<h3>Reflection on the plan: Plan, Do, Study, Act</h3><p>Put what you "
                    "predicted beside what you observed, then decide what to keep, change or "
                    "stop. This cycle is kept with the plan, for everyone who has its link.</p>"
                ),
                self.pdsa,
                self.journal,
                self.round,
            ]
        )
        head = part_head(
            "review",
            "Co-production is not a one-off. Set a date to look back at this plan together.",
        )
        super().__init__(
            "review", [head, self.fields, self.state, self.open_review, self.pdsa_area]
        )
        self.refresh(PlanData(fields=fields))

    @property
    def boxes(self) -> list[FieldsBox]:
        return [self.fields, self.pdsa]

    def refresh(self, data: PlanData) -> None:
        typed = self.fields.values.get("date", "")
        when, problem = parse_date(typed, "Review date")
        self.fields.messages = {"date": problem} if problem else {}
        self.due = due = review_due(data, self.today)
        self.pdsa_area.layout.display = None if due else "none"
        self.open_review.layout.display = "none" if due else None
        if due:
            text = "The review is open: reflect on the plan below."
        elif when is not None:
            text = (
                f"The review opens on {when.isoformat()}. You can start it sooner if you need to."
            )
        else:
            text = "Set a review date; the reflection on the plan opens on that day."
        self.state.value = f"<p role='status'>{escape(text)}</p>"


class ExportView(PlanPart):
    """10. The plan as an HTML or PDF file to share: the app makes it, ``offer`` links it."""

    def __init__(self) -> None:
        self.make_html = w.Button(description="Make an HTML copy")
        self.make_pdf = w.Button(description="Make a PDF copy")
        self.note = Notice()
        self.downloads = w.HTML()
        self.downloads.add_class("coprod-downloads")
        self.made: dict[str, str] = {"html": "", "pdf": ""}
        head = part_head(
            "export",
            "Make a copy of the plan to share, print or keep with your papers. It shows the "
            "plan as it is saved now.",
        )
        buttons = w.HBox([self.make_html, self.make_pdf])
        super().__init__("export", [head, buttons, self.note, self.downloads])

    def say(self, kind: str, title: str, text: str) -> None:
        self.note.kind, self.note.title, self.note.text = kind, title, text

    def offer(self, fmt: str, data: bytes, filename: str) -> None:
        """A link to download the file; the other format's link, if made, stays beside it."""
        mime = "text/html" if fmt == "html" else "application/pdf"
        text = f"Download the plan as {fmt.upper()}"
        link = download_link(data, filename, mime, text, cls=f"coprod-download-{fmt}")
        self.made[fmt] = f"<li>{link}</li>"
        self.downloads.value = "<ul>" + self.made["html"] + self.made["pdf"] + "</ul>"
        self.say(
            "success",
            "Your file is ready",
            f"Use the link below to download the {fmt.upper()} file.",
        )
