"""The journal workbook: a private reflective journal, cycles of reflection, and exports in the
forms regulators ask for.

Whose journal it is comes from ``identity.journal_owner``: the OS or JupyterHub user, or, under
`coprod serve`, the hash of the private key in the person's link. Every Store call passes that
owner; the Store filters every query by it.

As in the self-assessment, every keystroke goes to the store (each stage, field and tag on its
own), so a reload, a closed tab or a dead kernel loses nothing. The page opens on a page of the
list (the latest 50), never the whole journal. Exports (nbconvert, Chromium) are imported only
when a file is asked for: the kernel behind this page stays light.
"""

from __future__ import annotations

import os
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .. import identity
from .. import store as store_module  # loaded while the kernel is pre-started, not on a request
from ..content import FrameworkLibrary
from ..content.benefits import BenefitLibrary
from ..content.models import FormLibrary, ModelLibrary
from ..errors import CoprodError, NotFound
from ..model.journal import JournalPage, check_owner
from ..model.journal_tags import tag_groups
from ..registry import route_link
from ..widgets import FieldNote, Notice, SaveStatus
from ..widgets.journal_chooser import ModelChooser
from ..widgets.journal_cycles import CyclesView
from ..widgets.journal_entry import EntryEditor
from ..widgets.journal_export import ExportPanel
from ..widgets.journal_page import EditorView, ListView, button_row, header_html
from .autosave import Autosave, keep
from .common import page_message, safely
from .journal_cycles import CyclesMixin
from .journal_exports import ExportsMixin
from .journal_writing import WritingMixin, _Slot

if TYPE_CHECKING:
    from ..reports.journal_prepare import Prepared
    from ..store import Store

PAGE_SIZE = 50


class JournalApp(WritingMixin, ExportsMixin, CyclesMixin, w.VBox):
    """Wires the journal's views to the Store, for one owner: the list here, writing in
    ``journal_writing``, exports in ``journal_exports``, cycles in ``journal_cycles``."""

    def __init__(
        self,
        store: Store,
        owner: str,
        *,
        models: ModelLibrary | None = None,
        forms: FormLibrary | None = None,
        frameworks: FrameworkLibrary | None = None,
        benefits: BenefitLibrary | None = None,
        base_url: str = "",
        key: str = "",
        page_size: int = PAGE_SIZE,
    ):
        self.store, self.owner = store, check_owner(owner)
        self.library = models or ModelLibrary()
        self.model_list = list(self.library)
        self.form_list = list(forms or FormLibrary())
        self.tag_groups, self.tag_labels = tag_groups(
            frameworks or FrameworkLibrary(), BenefitLibrary() if benefits is None else benefits
        )
        self.base_url, self.key, self.page_size = base_url, key, page_size
        self._offset = 0
        self._slot = _Slot(0)
        self._prepared: dict[int, tuple[dict[str, Any], Prepared]] = {}

        # Which journal is open, named on every page, so that a journal not one's own is seen
        # at once (issue 11); its owner names it in the box under the heading.
        self.journal_name, self.journal_size = store.journal.info(self.owner)
        self._new = False
        self.header = w.HTML(self._header_html())
        self.name_box = keep(
            w.Text(
                value=self.journal_name,
                description="Name of this journal",
                continuous_update=True,
                style={"description_width": "initial"},
                layout=w.Layout(width="100%", max_width="40rem"),
            ),
            "journal-name",
        )
        self.name_box.add_class("coprod-journal-name")
        self.name_note = FieldNote()
        self.name_box.observe(lambda ch: self._on_name(ch["new"]), "value")
        self.new_button = w.Button(description="Write a new entry", button_style="primary")
        self.list_button = w.Button(description="My entries")
        self.cycles_button = w.Button(description="Reflection cycles")
        self.status = SaveStatus()
        self.autosave = Autosave(self.status)
        self.field_note = FieldNote()
        self.message = Notice()
        self.body = w.VBox()

        # The list, built now; the editor and the cycles view, when first needed.
        self.list_view = ListView(self.form_list)
        self.filters, self.entries = self.list_view.filters, self.list_view.entries
        self.export_selected = self.list_view.export_selected
        self.selection_panel = self.list_view.panel
        self._editor: EntryEditor | None = None
        self._editor_view: EditorView | None = None
        self._chooser: ModelChooser | None = None
        self._cycles: CyclesView | None = None

        self.filters.on_search(lambda _v: self.refresh_list(options=False))
        self.entries.on_open(self.open_entry)
        self.entries.on_more(self._on_more)
        self.new_button.on_click(lambda _b: self.show_chooser())
        self.list_button.on_click(lambda _b: self.show_list())
        self.cycles_button.on_click(lambda _b: self.show_cycles())
        self.export_selected.on_click(self._on_export_selected_click)
        self._wire_panel(self.selection_panel, self._selection_scope)

        super().__init__(
            [
                self.header,
                self.name_box,
                self.name_note,
                button_row(self.new_button, self.list_button, self.cycles_button),
                self.message,
                self.body,
            ]
        )
        self.add_class("coprod-app")
        self.add_class("coprod-journal")
        self.show_list()
        if self.entries.rows == [] and not self.filters.filtered:
            self._new = True
            self.header.value = self._header_html()

    # -- the page ---------------------------------------------------------------------------------

    def _header_html(self) -> str:
        url = route_link("journal", self.base_url, self.key) if self.key and self.base_url else ""
        return header_html(self.journal_name, self.journal_size, url, self._new)

    def _refresh_open(self) -> None:
        """The name and number of entries again (after a write or a rename)."""
        try:
            name, size = self.store.journal.info(self.owner)
        except CoprodError:
            return
        if (name, size) != (self.journal_name, self.journal_size):
            self.journal_name, self.journal_size = name, size
            self.header.value = self._header_html()

    def _on_name(self, text: str) -> None:
        owner = self.owner
        self.autosave.text(
            ("journal-name",),
            "journal_title",
            text,
            lambda: self.store.journal.set_name(owner, text),
            note=self.name_note,
            slug="journal-name",
            on_saved=lambda _r: self._refresh_open(),
        )

    def _show(self, view: w.Widget) -> None:
        self.message.title = self.message.text = ""
        self.body.children = [view]

    def _error(self, title: str, e: Exception) -> None:
        self.message.kind, self.message.title, self.message.text = "error", title, str(e)

    def _panels(self) -> list[ExportPanel]:
        """Every export panel built so far."""
        panels = [self.selection_panel]
        if self._editor_view is not None:
            panels.append(self._editor_view.panel)
        if self._cycles is not None:
            panels.append(self.topic_panel)
        return panels

    # -- the list ---------------------------------------------------------------------------------

    def show_list(self) -> None:
        self._show(self.list_view)
        self.refresh_list()

    def _filter_options(self) -> None:
        tags = self.store.journal.tag_counts(self.owner)
        models = self.store.journal.model_counts(self.owner)
        titles = {m.id: m.title for m in self.model_list}
        self.filters.set_options(
            sorted(
                ((f"{self.tag_labels.get(t, t)} ({n})", t) for t, n in tags.items()),
                key=lambda x: x[0].casefold(),
            ),
            [(f"{titles.get(m, m)} ({n})", m) for m, n in sorted(models.items())],
        )

    def _query(self, offset: int) -> JournalPage:
        v = self.filters.value
        return self.store.journal.find(
            self.owner,
            v.get("query", ""),
            tag=v.get("tag") or None,
            model_id=v.get("model_id") or None,
            date_from=v.get("date_from") or None,
            date_to=v.get("date_to") or None,
            limit=self.page_size,
            offset=offset,
        )

    def refresh_list(self, options: bool = True) -> None:
        """The first page for the filters set; ``options``: the tags and models in use too
        (not on every search: they change only when entries do)."""
        try:
            if options:
                self._filter_options()
            page = self._query(0)
        except CoprodError as e:
            self._error("The list could not be shown", e)
            return
        self._offset = 0
        self.entries.show(page, self._model_titles(), self.filters.filtered)
        self._refresh_open()

    def _on_more(self) -> None:
        self._offset += self.page_size
        try:
            page = self._query(self._offset)
        except CoprodError as e:
            self._error("More entries could not be shown", e)
            return
        self.entries.show(page, self._model_titles(), self.filters.filtered, append=True)

    def _model_titles(self) -> dict[str, str]:
        return {m.id: m.title for m in self.model_list}


def _default_store() -> Store:
    return store_module.Store(os.environ.get("COPROD_DB") or None)


def open_journal(
    owner: str, *, store: Store | None = None, base_url: str = "", key: str = "", **kw: Any
) -> w.Widget:
    return JournalApp(store or _default_store(), owner, base_url=base_url, key=key, **kw)


def show(key: str | None = None, store: Store | None = None) -> w.Widget:
    """The workbook's one call. ``key`` (a served journal's private key) is for tests and for
    opening a served journal from JupyterLab."""

    def build() -> w.Widget:
        nonlocal store
        # Read the content before the request arrives: a pre-started kernel does this early.
        libs: dict[str, Any] = {
            "models": ModelLibrary(),
            "forms": FormLibrary(),
            "frameworks": FrameworkLibrary(),
            "benefits": BenefitLibrary(),
        }
        if store is None:
            store = _default_store()
        owner, visit = identity.journal_owner(key)
        if not owner:
            if visit.key:
                raise NotFound("this journal link is not complete")
            start = route_link("journal", visit.base_url or "/")
            box = page_message(
                "Start your private journal",
                "A journal here is opened with a private link. Start one (or open yours again "
                f"on this device) at {start}",
            )
            box.children = (
                *box.children,
                w.HTML(f"<p><a href='{escape(start)}'>Open my private journal</a></p>"),
            )
            return box
        return JournalApp(store, owner, base_url=visit.base_url, key=visit.key, **libs)

    return safely(build)
