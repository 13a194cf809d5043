"""One principle: what it means, its statements to rate, and the evidence box."""

from __future__ import annotations

from html import escape

import ipywidgets as w
from traitlets import Unicode

from ..model.framework import Principle, Scale
from .rating import StatementRating
from .scale import scale_legend_html


class PrincipleCard(w.VBox):
    principle_id = Unicode(help="id of the principle shown")
    comment = Unicode("", help="the evidence or comment typed for this principle")

    def __init__(self, principle: Principle, scale: Scale, first_number: int = 1, **kwargs):
        self.heading = w.HTML(
            f"<h2 class='coprod-principle-title'>{escape(principle.title)}</h2>"
            f"<p>{escape(principle.description)}</p>"
        )
        self.legend = w.HTML(scale_legend_html(scale))
        self.ratings = {
            s.id: StatementRating(s.id, s.text, scale, first_number + i)
            for i, s in enumerate(principle.statements)
        }
        self.evidence = w.Textarea(
            description=f"Evidence or comments on {principle.title}",
            placeholder="What makes you say this? Examples help the team talk about it.",
            continuous_update=True,
            style={"description_width": "initial"},
            rows=5,  # its height; the label above it takes what room its words need
            layout=w.Layout(width="100%"),
        )
        self.evidence.add_class("coprod-evidence")
        children = [self.heading, self.legend, *self.ratings.values(), self.evidence]
        if principle.guidance:
            children.append(
                w.HTML(
                    "<details class='coprod-guidance'><summary>Ideas for doing better</summary>"
                    f"<p>{escape(principle.guidance)}</p></details>"
                )
            )
        super().__init__(children=children, **kwargs)
        self.add_class("coprod-principle")
        self.principle_id = principle.id
        w.link((self.evidence, "value"), (self, "comment"))
