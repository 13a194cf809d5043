"""Opening the next round from the results page: keep this round's framework version or take
the newer one (saying which principles will not be compared), close this round or not."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..content import FrameworkLibrary
from ..model.framework import Framework
from ..model.trends import comparable
from ..widgets import Notice
from .common import problem
from .start import links_html

if TYPE_CHECKING:
    from ..store import Store


class NextRound(w.VBox):
    """The "next round" section's content. ``tell(kind, title, text)`` says what happened at
    the top of the page; ``refresh()`` redraws the page once this round is closed."""

    def __init__(
        self,
        store: Store,
        round_id: int,
        base_url: str,
        library: Callable[[], FrameworkLibrary],
        tell: Callable[[str, str, str], None],
        refresh: Callable[[], None],
    ):
        super().__init__()
        self.store, self.round_id, self.base_url = store, round_id, base_url
        self.library, self.tell, self.refresh = library, tell, refresh
        self._newer: Framework | None = None

    def build(self) -> None:
        """The next round's links once it is open; until then, how to open it."""
        nxt = self.store.rounds.next(self.round_id)
        if nxt is not None:
            links = self.store.rounds.links(nxt.id)
            self.children = [
                w.HTML(
                    f"<p>Round {nxt.id} was opened from this one on {escape(nxt.created_at[:10])}."
                    " Its two links:</p>"
                    + links_html(self.base_url, links.member_code, links.facilitator_code, 3)
                )
            ]
            return
        fw = self.store.rounds.framework(self.round_id)
        self.next_version = w.RadioButtons(
            description="Framework version", style={"description_width": "initial"}
        )
        choices = [(f"Keep version {fw.version}, as in this round", "keep")]
        note = ""
        try:
            newer = self.library().get(fw.id)
        except KeyError:
            newer = None
        self._newer = newer if newer is not None and newer.version != fw.version else None
        if self._newer is not None:
            changed = [
                p.title for p in self._newer.principles if not comparable(fw, self._newer, p.id)
            ]
            choices.append((f"Use version {self._newer.version}, the latest", "latest"))
            note = (
                f"<p class='coprod-note'>Version {escape(self._newer.version)} of {escape(fw.title)} "
                "is available. "
                + (
                    f"Its statements or scale differ for {escape(', '.join(changed))}: those principles "
                    "will not be compared with earlier rounds."
                    if changed
                    else "No principle's statements or scale changed, so every principle stays "
                    "comparable."
                )
                + "</p>"
            )
        self.next_version.options = choices
        self.next_version.value = "keep"
        if self._newer is None:
            self.next_version.layout.display = "none"
        self.open_next = w.Button(description="Open the next round", button_style="primary")
        self.open_next.on_click(self._on_open_next_click)
        self.next_message = Notice()
        is_open = self.store.rounds.get(self.round_id).is_open
        # Closing the old round is the default: left open, members who still have its link
        # keep answering it, and those answers never reach the next round's results.
        self.close_previous = w.Checkbox(
            value=is_open,
            description=f"Close this round (round {self.round_id}) when the next one opens",
            indent=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="auto", display=None if is_open else "none"),
        )
        why = (
            "<p class='coprod-note'>Recommended: otherwise anyone with this round's member link "
            "could keep answering it, and those answers would not count in the next round.</p>"
            if is_open
            else ""
        )
        self.children = [
            w.HTML(
                "<p>When the team is ready to look again (every few months), open the next "
                "round. It keeps this round's framework, privacy, minimum and roles, and starts "
                "with this round's actions to review. Its results are kept as they are.</p>" + note
            ),
            self.next_version,
            self.close_previous,
            w.HTML(why),
            self.open_next,
            self.next_message,
        ]

    def _on_open_next_click(self, _b: Any) -> None:
        newer = self._newer if self.next_version.value == "latest" else None
        close = self.close_previous.value and self.close_previous.layout.display != "none"
        try:
            self.store.rounds.open_next(self.round_id, newer)
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.next_message.kind, self.next_message.title = "error", "Not opened"
            self.next_message.text = problem(e)
            return
        if close:
            try:
                self.store.rounds.close(self.round_id)
            except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
                self.build()
                self.tell(
                    "error",
                    "This round is still open",
                    f"The next round is open, but this one could not be closed: {problem(e)}. "
                    "Close it with the button at the top.",
                )
                return
            self.tell(
                "success",
                "The round is closed",
                "The next round is open; this one no longer takes answers.",
            )
            self.refresh()  # the header, and the next round's links below
            return
        self.build()
