"""The journal page's frame: its look (``style/journal.css``), the heading that says
which journal is open, and the views the app puts in its body: the list, and the editor with its
finish, versions and export controls. No store here: the app fills and wires them."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w

from ..model.forms import ExportForm
from ..model.journal import Entry
from ..style import style_tag
from .journal_entry import EntryEditor
from .journal_export import ExportPanel
from .journal_list import EntryList, JournalFilters
from .journal_versions import VersionsView
from .status import FieldNote, Notice, SaveStatus


def header_html(name: str, size: int, url: str = "", new: bool = False) -> str:
    """The heading, which journal is open (its name and number of entries) and its private
    link ``url`` (open straight away while the journal has nothing in it yet)."""
    come_back = ""
    if url:
        come_back = (
            f"<details class='coprod-come-back'{' open' if new else ''}>"
            "<summary>Your private link: bookmark it"
            "</summary><p>This device brings your journal back when you open "
            "<em>/journal</em> again. To open it on another device, or if your browser "
            "forgets, you need this link. Keep it to yourself: whoever has it can read your "
            f"journal.</p><p><code>{escape(url)}</code></p></details>"
        )
    opened = (
        "<p class='coprod-journal-open' role='status'>Open: the journal "
        f"<strong>{escape(name)}</strong>, {size:,} {'entry' if size == 1 else 'entries'}.</p>"
    )
    return (
        style_tag("journal")
        + "<header><h1>My reflective journal</h1><p>Reflect on your practice with a model "
        "you know, follow a topic through cycles, and export what your regulator asks for. "
        "<strong>Private:</strong> only you can list or read your entries. Everything is "
        f"saved as you type.</p>{opened}{come_back}</header>"
    )


def button_row(*buttons: w.Button) -> w.HBox:
    box = w.HBox(list(buttons))
    box.add_class("coprod-nav")
    return box


class ListView(w.VBox):
    """My entries: the filters, a page of the list, and the export of the entries ticked."""

    def __init__(self, forms: list[ExportForm], **kwargs: Any) -> None:
        self.filters = JournalFilters()
        self.entries = EntryList()
        self.export_selected = w.Button(description="Export the entries you ticked")
        self.panel = ExportPanel(forms)
        self.panel.layout.display = "none"
        super().__init__(
            [
                w.HTML("<h2>My entries</h2>"),
                self.filters,
                self.entries,
                self.export_selected,
                self.panel,
            ],
            **kwargs,
        )
        self.add_class("coprod-list-view")


class EditorView(w.VBox):
    """One entry being written, its save status, finishing it, its versions and its export."""

    def __init__(
        self,
        editor: EntryEditor,
        forms: list[ExportForm],
        field_note: FieldNote,
        status: SaveStatus,
        **kwargs: Any,
    ) -> None:
        self.editor = editor
        self.finish_button = w.Button(description="Mark as finished", button_style="success")
        self.finish_note = Notice()
        self.versions_button = w.Button(description="Earlier versions")
        self.versions = VersionsView(layout=w.Layout(display="none"))
        self.panel = ExportPanel(forms)
        super().__init__(
            [
                editor,
                field_note,
                status,
                button_row(self.finish_button, self.versions_button),
                self.finish_note,
                self.versions,
                self.panel,
            ],
            **kwargs,
        )
        self.add_class("coprod-editor-view")

    def say(self, kind: str, title: str, text: str) -> None:
        self.finish_note.kind, self.finish_note.title, self.finish_note.text = kind, title, text

    def show_finished(self, entry: Entry) -> None:
        """Finished or not, and how many versions are kept."""
        if entry.finished:
            self.say(
                "success",
                "Finished",
                "You can still change it: each time you come back to it after a break, the "
                "version before is kept.",
            )
        else:
            self.finish_note.title = self.finish_note.text = ""
        self.versions_button.description = (
            f"Earlier versions ({entry.versions})" if entry.versions else "Earlier versions"
        )

    def toggle_versions(self) -> bool:
        """Show or hide the versions; True when they are now shown."""
        shown = self.versions.layout.display != "none"
        self.versions.layout.display = "none" if shown else "flex"
        return not shown
