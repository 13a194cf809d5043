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

import logging
import os
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

import ipywidgets as w

from .. import identity
from ..content import FrameworkLibrary
from ..content.benefits import BenefitLibrary
from ..content.models import FormLibrary, ModelLibrary
from ..errors import CoprodError, InvalidInput, NotFound
from ..model.forms import EntryFormSettings, ExportForm, fill_form, mapping_for
from ..model.journal import FREE_FORM, Entry, ReflectiveModel, check_owner, timeline
from ..model.text import clean_text
from ..store import Store  # loaded while the kernel is pre-started, not when the page is asked for
from ..widgets import FieldNote, Notice, SaveStatus
from ..widgets.journal_cycles import CyclesView
from ..widgets.journal_entry import EntryEditor, ModelChooser, VersionsView
from ..widgets.journal_export import ExportPanel, FormSettingsView
from ..widgets.journal_list import EntryList, JournalFilters
from .autosave import Autosave, keep, slug
from .common import page_message, safely

log = logging.getLogger("coprod")

BENEFITS = "six-areas-of-benefit"
PAGE_SIZE = 50

# The journal's own look, on top of the coprod template's (labels above the text they name).
JOURNAL_CSS = """
.coprod-journal .coprod-nav { flex-wrap: wrap; gap: .5rem; margin: .5rem 0 1rem; }
.coprod-journal .widget-textarea, .coprod-journal .widget-select-multiple {
  flex-direction: column; align-items: stretch; width: 100%; }
.coprod-journal .widget-textarea .widget-label, .coprod-journal .widget-select-multiple .widget-label {
  max-width: none !important; width: auto !important; text-align: left; font-weight: 600; }
.coprod-journal .coprod-stage-text textarea { font-size: 1.05rem; line-height: 1.6; }
.coprod-journal .coprod-prompt { font-size: 1.05rem; }
.coprod-journal .coprod-entry-row { border: 1px solid #d0d7de; border-radius: 6px;
  padding: .25rem .75rem; margin: .4rem 0; }
.coprod-journal .coprod-entry-head { align-items: center; gap: 1rem; }
.coprod-journal .coprod-entry-select label, .coprod-journal .coprod-entry-select .widget-label-basic {
  font-weight: 600; }
.coprod-journal .coprod-entry-meta { color: #444; font-size: .95rem; margin: 0; }
.coprod-journal .coprod-entry-preview { margin: .2rem 0 .4rem; }
.coprod-journal .coprod-badge { border: 1px solid #8a4500; color: #6b3500; border-radius: 3px;
  padding: 0 .3rem; font-size: .85rem; }
.coprod-journal mark { background: #fff3a3; color: inherit; }
.coprod-journal .coprod-filter-row, .coprod-journal .coprod-facts-row { flex-wrap: wrap; gap: .25rem 1rem; }
.coprod-journal .coprod-model-card, .coprod-journal .coprod-question-box, .coprod-journal .coprod-export {
  border: 1px solid #d0d7de; border-radius: 6px; padding: .25rem .75rem; margin: .5rem 0; }
.coprod-journal .coprod-tag-section { margin-bottom: .5rem; }
.coprod-journal .coprod-tag-group { font-size: 1.05rem; margin: .5rem 0 .1rem; }
.coprod-journal table.coprod-table td, .coprod-journal table.coprod-table th { text-align: left;
  vertical-align: top; }
.coprod-journal .coprod-side-by-side td { width: 50%; }
.coprod-journal .coprod-version-text { border-left: 4px solid #d0d7de; padding-left: .75rem; }
"""

TagGroups = list[tuple[str, list[tuple[str, str]]]]


def tag_groups(
    frameworks: FrameworkLibrary, benefits: BenefitLibrary
) -> tuple[TagGroups, dict[str, str]]:
    """Tags to choose from: the six areas of benefit first, then the benefits by who gains,
    then each framework's principles."""
    groups: TagGroups = []
    labels: dict[str, str] = {}

    def add(heading: str, tags: list[tuple[str, str]], kind: str) -> None:
        groups.append((heading, tags))
        labels.update({tag: f"{title} ({kind})" for tag, title in tags})

    fws = sorted(frameworks, key=lambda f: f.title.casefold())
    areas = [fw for fw in fws if fw.id == BENEFITS]
    for fw in areas:
        add(
            "Areas of benefit",
            [(f"{fw.id}/{p.id}", p.title) for p in fw.principles],
            "area of benefit",
        )
    for bs in benefits:
        for g in bs.groups:
            tags = [(f"{bs.id}/{b.id}", b.title) for b in g.benefits]
            add(f"{bs.title}: {g.title}", tags, g.title.lower())
    for fw in fws:
        if fw.id != BENEFITS:
            add(fw.title, [(f"{fw.id}/{p.id}", p.title) for p in fw.principles], fw.title)
    return groups, labels


def _button_row(*buttons: w.Button) -> w.HBox:
    box = w.HBox(list(buttons))
    box.add_class("coprod-nav")
    return box


@dataclass(eq=False)
class _Slot:
    """The entry an editor is writing: 0 until its first write creates it."""

    entry_id: int


def _create_args(v: dict[str, Any]) -> dict[str, Any]:
    """What a new entry is created with: everything on the page that can be saved. A title or
    stage the store would refuse is left out here and refused on its own, with its message,
    so one bad box never stops the rest of the entry being saved."""
    args = {k: v[k] for k in ("entry_date", "minutes", "participatory", "tags")}
    args["title"] = v["title"] if _savable("journal_title", v["title"]) else ""
    args["stages"] = {k: t for k, t in v["stages"].items() if _savable("journal_stage", t)}
    return args


def _savable(field: str, text: str) -> bool:
    try:
        clean_text(field, text)
    except InvalidInput:
        return False
    return True


class JournalApp(w.VBox):
    """Wires the journal's views to the Store, for one owner."""

    def __init__(
        self,
        store: Any,
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

        # Which journal is open, named on every page, so that a journal not one's own is seen
        # at once (issue 11); its owner names it in the box under the heading.
        self.journal_name, self.journal_size = store.journal_info(self.owner)
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
        self.filters = JournalFilters()
        self.entries = EntryList()
        self.export_selected = w.Button(description="Export the entries you ticked")
        self.selection_panel = ExportPanel(self.form_list)
        self.selection_panel.layout.display = "none"
        self.list_view = w.VBox(
            [
                w.HTML("<h2>My entries</h2>"),
                self.filters,
                self.entries,
                self.export_selected,
                self.selection_panel,
            ]
        )
        self.list_view.add_class("coprod-list-view")
        self._editor: EntryEditor | None = None
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
                _button_row(self.new_button, self.list_button, self.cycles_button),
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
        """The heading, which journal is open (its name and number of entries) and its private
        link (open straight away while the journal has nothing in it yet)."""
        new = self._new
        come_back = ""
        if self.key and self.base_url:
            url = f"{self.base_url.rstrip('/')}/journal/{self.key}"
            come_back = (
                f"<details class='coprod-come-back'{' open' if new else ''}>"
                "<summary>Your private link: bookmark it"
                "</summary><p>This device brings your journal back when you open "
                "<em>/journal</em> again. To open it on another device, or if your browser "
                "forgets, you need this link. Keep it to yourself: whoever has it can read your "
                f"journal.</p><p><code>{escape(url)}</code></p></details>"
            )
        return (
            f"<style>{JOURNAL_CSS}</style>"
            "<header><h1>My reflective journal</h1><p>Reflect on your practice with a model "
            "you know, follow a topic through cycles, and export what your regulator asks for. "
            "<strong>Private:</strong> only you can list or read your entries. Everything is "
            f"saved as you type.</p>{self._open_html()}{come_back}</header>"
        )

    def _open_html(self) -> str:
        n = self.journal_size
        return (
            "<p class='coprod-journal-open' role='status'>Open: the journal "
            f"<strong>{escape(self.journal_name)}</strong>, "
            f"{n:,} {'entry' if n == 1 else 'entries'}.</p>"
        )

    def _refresh_open(self) -> None:
        """The name and number of entries again (after a write or a rename)."""
        try:
            name, size = self.store.journal_info(self.owner)
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
            lambda: self.store.journal_set_name(owner, text),
            note=self.name_note,
            slug="journal-name",
            on_saved=lambda _r: self._refresh_open(),
        )

    def _show(self, view: w.Widget) -> None:
        self.message.title = self.message.text = ""
        self.body.children = [view]

    def _error(self, title: str, e: Exception) -> None:
        self.message.kind, self.message.title, self.message.text = "error", title, str(e)

    # -- the list ---------------------------------------------------------------------------------

    def show_list(self) -> None:
        self._show(self.list_view)
        self.refresh_list()

    def _filter_options(self) -> None:
        tags = self.store.journal_tag_counts(self.owner)
        models = self.store.journal_model_counts(self.owner)
        titles = {m.id: m.title for m in self.model_list}
        self.filters.set_options(
            sorted(
                ((f"{self.tag_labels.get(t, t)} ({n})", t) for t, n in tags.items()),
                key=lambda x: x[0].casefold(),
            ),
            [(f"{titles.get(m, m)} ({n})", m) for m, n in sorted(models.items())],
        )

    def _query(self, offset: int) -> Any:
        v = self.filters.value
        return self.store.journal_list(
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

    # -- writing ----------------------------------------------------------------------------------

    @property
    def editor(self) -> EntryEditor:
        if self._editor is None:
            self._build_editor()
        assert self._editor is not None
        return self._editor

    def _build_editor(self) -> None:
        ed = EntryEditor(self.model_list, self.tag_groups)
        ed.on_change(self._on_editor_change)
        ed.on_stage(self._on_editor_stage)
        ed.tags.on_tag(self._on_editor_tag)
        self.finish_button = w.Button(description="Mark as finished", button_style="success")
        self.finish_note = Notice()
        self.versions_button = w.Button(description="Earlier versions")
        self.versions = VersionsView(layout=w.Layout(display="none"))
        self.versions.on_restore(self._on_restore)
        self.entry_panel = ExportPanel(self.form_list)
        self._wire_panel(self.entry_panel, self._entry_scope)
        self.finish_button.on_click(self._on_finish_click)
        self.versions_button.on_click(self._on_versions_click)
        self._editor = ed
        self.editor_view = w.VBox(
            [
                ed,
                self.field_note,
                self.status,
                _button_row(self.finish_button, self.versions_button),
                self.finish_note,
                self.versions,
                self.entry_panel,
            ]
        )
        self.editor_view.add_class("coprod-editor-view")

    def show_chooser(self) -> None:
        if self._chooser is None:
            self._chooser = ModelChooser(self.model_list)
            self._chooser.on_choose(self.new_entry)
        self._show(self._chooser)

    def new_entry(self, model_id: str) -> None:
        """An empty entry with this model; it is saved with its first word."""
        model = self._model(model_id)
        self._open(Entry(entry_date=date.today().isoformat(), model_id=model.id), model)

    def open_entry(self, entry_id: int) -> None:
        try:
            entry = self.store.journal_entry(self.owner, entry_id)
        except CoprodError as e:
            self._error("This entry could not be opened", e)
            return
        self._open(entry, self._model_of(entry))

    def _open(self, entry: Entry, model: ReflectiveModel) -> None:
        self.flush()
        self.editor.load(entry, model)
        self._slot = _Slot(entry.id)
        self._mark_boxes()
        self.field_note.message = self.field_note.counter = ""
        self.entry_panel.what.value = ""
        self.entry_panel._clear_result()
        self.versions.layout.display = "none"
        if not self.autosave.pending:  # a change still waiting keeps its status in view
            self.status.state, self.status.message = "idle", ""
        self._show_finished(entry)
        self._show(self.editor_view)

    def _model(self, model_id: str) -> ReflectiveModel:
        try:
            return self.library.get(model_id)
        except KeyError:
            return FREE_FORM

    def _model_of(self, entry: Entry) -> ReflectiveModel:
        """The model as the entry was written with it; the library's if the store lacks it."""
        try:
            return self.store.journal_model(entry.model_id, entry.model_version)
        except CoprodError:
            return self._model(entry.model_id)

    def _mark_boxes(self) -> None:
        """Name the open entry's text boxes for the page's script, which keeps what is typed
        in them until the store has it (a new entry's boxes are "new" until it is created)."""
        ed, eid = self.editor, self._slot.entry_id or "new"
        keep(ed.title, slug("journal", eid, "field", "title"))
        if ed.stages is not None:
            for stage_id, area in ed.stages.areas.items():
                keep(area, slug("journal", eid, "stage", stage_id))

    def _write(
        self,
        key: tuple[str, str],
        fn: Any,
        *args: Any,
        field: str = "",
        text: str | None = None,
        immediate: bool = False,
    ) -> None:
        """Save one change of the open entry; a new entry is created by its first write, with
        everything on the page then. The write goes to the entry it was made in, even if
        another entry is opened before it runs."""
        slot, owner, model = self._slot, self.owner, self.editor.current_model
        values = self.editor.values() if not slot.entry_id else None
        name = slug("journal", slot.entry_id or "new", *key)

        def write() -> Any:
            if not slot.entry_id:
                assert values is not None
                entry = self.store.journal_create(owner, model, **_create_args(values))
                slot.entry_id = entry.id
            return fn(owner, slot.entry_id, *args)  # again if just created: a refusal is said

        def saved(_result: Any) -> None:
            ed = self._editor
            if ed is not None and self._slot is slot and ed.entry_id != slot.entry_id:
                ed.entry_id = slot.entry_id
                self._mark_boxes()
                self._refresh_open()  # one entry more

        k = (slot, *key)
        if text is not None:
            self.autosave.text(
                k, field, text, write, note=self.field_note, slug=name, on_saved=saved
            )
        else:
            self.autosave.change(k, write, immediate=immediate, on_saved=saved)

    def flush(self) -> bool:
        """Save now whatever is waiting; True when everything is in the store."""
        return self.autosave.flush()

    def _on_editor_change(self, field: str, value: Any) -> None:
        if field == "model":
            model = self._model(value)
            self._mark_boxes()
            self._write(("model", ""), self.store.journal_set_model, model, immediate=True)
        elif field == "title":
            self._write(
                ("field", field),
                self.store.journal_save,
                field,
                value,
                field="journal_title",
                text=value,
            )
        else:
            self._write(("field", field), self.store.journal_save, field, value, immediate=True)

    def _on_editor_stage(self, stage_id: str, text: str) -> None:
        self._write(
            ("stage", stage_id),
            self.store.journal_save_stage,
            stage_id,
            text,
            field="journal_stage",
            text=text,
        )

    def _on_editor_tag(self, tag: str, on: bool) -> None:
        self._write(("tag", tag), self.store.journal_set_tag, tag, on, immediate=True)

    def _show_finished(self, entry: Entry) -> None:
        if entry.finished:
            self.finish_note.kind, self.finish_note.title = "success", "Finished"
            self.finish_note.text = (
                "You can still change it: each time you come back to it after a break, the "
                "version before is kept."
            )
        else:
            self.finish_note.title = self.finish_note.text = ""
        self.versions_button.description = (
            f"Earlier versions ({entry.versions})" if entry.versions else "Earlier versions"
        )

    def _on_finish_click(self, _b: Any) -> None:
        if not self.editor.entry_id:
            self.finish_note.kind, self.finish_note.title = "error", "Nothing to finish yet"
            self.finish_note.text = "Write something first: it is saved as you type."
            return
        if not self.flush():
            return
        try:
            entry = self.store.journal_finish(self.owner, self.editor.entry_id)
        except CoprodError as e:
            self.finish_note.kind, self.finish_note.title, self.finish_note.text = (
                "error",
                "Not finished",
                str(e),
            )
            return
        self._show_finished(entry)
        self.finish_note.text = f"Kept as version {entry.versions}. " + self.finish_note.text

    def _on_versions_click(self, _b: Any) -> None:
        shown = self.versions.layout.display != "none"
        self.versions.layout.display = "none" if shown else "flex"
        if shown:
            return
        eid = self.editor.entry_id
        versions = self.store.journal_versions(self.owner, eid) if eid else []

        def model_for(content: dict[str, Any]) -> ReflectiveModel:
            try:
                return self.store.journal_model(content["model_id"], content["model_version"])
            except (CoprodError, KeyError):
                return FREE_FORM

        self.versions.show(versions, model_for)

    def _on_restore(self, number: int) -> None:
        if not self.flush():
            return
        try:
            entry = self.store.journal_restore(self.owner, self.editor.entry_id, number)
        except CoprodError as e:
            self._error("That version could not be brought back", e)
            return
        self._open(entry, self._model_of(entry))
        self.finish_note.kind, self.finish_note.title = "success", f"Version {number} is back"
        self.finish_note.text = "The text it replaced is kept as a version too."

    # -- exports ----------------------------------------------------------------------------------

    def _entry_scope(self) -> dict[str, Any]:
        eid = self._editor.entry_id if self._editor else 0
        if not eid:
            raise InvalidInput("write something first: an empty entry has nothing to export")
        return {"entry_ids": [eid]}

    def _selection_scope(self) -> dict[str, Any]:
        ids = self.entries.selected()
        if not ids:
            raise InvalidInput("tick at least one entry in the list first")
        return {"entry_ids": ids}

    def _topic_scope(self) -> dict[str, Any]:
        tid = self._cycles.topic.value if self._cycles else 0
        if not tid:
            raise InvalidInput("choose or start a topic first")
        return {"topic_id": tid}

    def _wire_panel(self, panel: ExportPanel, scope: Any) -> None:
        panel.on_form(lambda form_id: self._on_panel_form(panel, scope, form_id))
        panel.on_part(lambda pid, text: self._on_panel_part(panel, scope, pid, text))
        panel.on_prepare(lambda ignore: self._on_panel_prepare(panel, scope, ignore))

    def _on_panel_form(self, panel: ExportPanel, scope: Any, form_id: str) -> None:
        form = panel.form
        if form is None:
            panel.show_settings(None)
            return
        panel.show_parts(form, self.store.journal_form_parts(self.owner, form.id))
        if panel is self._editor_panel():
            eid = self.editor.entry_id
            if not eid:
                panel.show_settings(None, "Write something first; then choose what goes where.")
                return
            model = self.editor.current_model
            settings = EntryFormSettings.from_values(
                self.store.journal_form_settings(self.owner, eid, form.id)
            )
            view = FormSettingsView(form, model, mapping_for(form, model, settings), settings)
            view.on_setting(lambda k, v: self._on_setting(panel, view, form, k, v))
            panel.show_settings(view)
            self._refresh_checks(panel, scope, view)
        else:
            panel.show_settings(
                None,
                "Each entry is filled in as chosen on its own page (Open it, then Export). "
                "Entries you have not adjusted use the model's usual stages for each question.",
            )
            self._refresh_checks(panel, scope)

    def _editor_panel(self) -> ExportPanel | None:
        return getattr(self, "entry_panel", None)

    def _on_setting(
        self, panel: ExportPanel, view: FormSettingsView, form: ExportForm, key: str, value: Any
    ) -> None:
        eid, model, owner = self.editor.entry_id, self.editor.current_model, self.owner
        self.autosave.change(
            ("form-setting", eid, form.id, key),
            lambda: self.store.journal_save_form_setting(owner, eid, form, model, key, value),
            immediate=True,
            on_error=lambda e: panel.show_error(f"Not saved: {e}"),
            on_saved=lambda _r: self._refresh_checks(panel, self._entry_scope, view),
        )

    def _on_panel_part(self, panel: ExportPanel, scope: Any, part_id: str, text: str) -> None:
        form, owner = panel.form, self.owner
        if form is None:
            return
        self.autosave.text(
            ("form-part", form.id, part_id),
            "journal_stage",
            text,
            lambda: self.store.journal_save_form_part(owner, form, part_id, text),
            on_saved=lambda _r: self._refresh_checks(panel, scope),
        )

    def _refresh_checks(
        self, panel: ExportPanel, scope: Any, view: FormSettingsView | None = None
    ) -> None:
        """Word counts and limits, counted as the export will count them."""
        form = panel.form
        if form is None:
            return
        try:
            where = scope()
        except CoprodError:
            panel.checks.value = ""
            return
        if "topic_id" in where:
            entries = self.store.journal_cycles(self.owner, where["topic_id"])
        else:
            entries = self.store.journal_entries(self.owner, where["entry_ids"])
        model_for = {e.model_key: self._model_of(e) for e in entries}
        settings = {
            e.id: EntryFormSettings.from_values(
                self.store.journal_form_settings(self.owner, e.id, form.id)
            )
            for e in entries
        }
        filled = fill_form(
            form, entries, model_for, settings, self.store.journal_form_parts(self.owner, form.id)
        )
        panel.show_checks(filled)
        if view is not None and filled.entries:
            view.show(filled.entries[0])

    def _on_panel_prepare(self, panel: ExportPanel, scope: Any, ignore: bool) -> None:
        self.flush()
        from ..reports.journal import check, prepare, render

        try:
            where = scope()
            prep = prepare(self.store, self.owner, form=panel.form, titles=self.tag_labels, **where)
            if prep.over:
                check(prep)
            if prep.findings and not ignore:
                panel.show_findings(prep.findings)
                return
            data = render(self.store, self.owner, prep, panel.fmt.value)
        except CoprodError as e:
            panel.show_error(str(e))
            return
        except Exception:  # noqa: BLE001 - the page must say so, not show a traceback
            log.exception("journal export failed")
            panel.show_error(
                "The file could not be made. Your entries are safe; try another format, or try "
                "again in a minute."
            )
            return
        from ..reports.journal import FORMATS

        panel.show_download(
            data, prep.filename(panel.fmt.value), FORMATS[panel.fmt.value], clean=not prep.findings
        )

    def _on_export_selected_click(self, _b: Any) -> None:
        n = len(self.entries.selected())
        shown = self.selection_panel.layout.display != "none"
        self.selection_panel.layout.display = "flex"
        self.selection_panel.set_scope(
            f"the {n} entr{'ies' if n != 1 else 'y'} you ticked" if n else "the entries you tick"
        )
        if shown:
            self._on_panel_form(
                self.selection_panel, self._selection_scope, self.selection_panel.what.value
            )

    # -- cycles -----------------------------------------------------------------------------------

    def show_cycles(self, topic_id: int | None = None) -> None:
        if self._cycles is None:
            cv = CyclesView(self.model_list)
            cv.on("topic", self._show_topic)
            cv.on("new_topic", self._on_new_topic)
            cv.on("next_cycle", self._on_next_cycle)
            cv.on("open_cycle", self.open_entry)
            cv.on("status", self._on_topic_status)
            self.topic_panel = ExportPanel(self.form_list)
            self.topic_panel.set_scope("this topic's cycles")
            self._wire_panel(self.topic_panel, self._topic_scope)
            self._cycles = cv
            self.cycles_view = w.VBox([cv, self.topic_panel])
        self._show(self.cycles_view)
        topics = self.store.journal_topics(self.owner)
        self._cycles.show_topics(topics, topic_id)
        self.topic_panel.layout.display = "flex" if topics else "none"
        if topics:
            self._show_topic(self._cycles.topic.value)

    def _show_topic(self, topic_id: int) -> None:
        from ..reports.journal import timeline_html

        assert self._cycles is not None
        try:
            topic = self.store.journal_topic(self.owner, topic_id)
            cycles = self.store.journal_cycles(self.owner, topic_id)
        except CoprodError as e:
            self._cycles.show_message(str(e), "error")
            return
        model_for = {e.model_key: self._model_of(e) for e in cycles}
        tl = timeline(topic, cycles, model_for)
        self._cycles.show_topic(
            topic,
            timeline_html(tl, 4),
            [(f"Cycle {e.cycle}: {e.display_title()} ({e.entry_date})", e.id) for e in cycles],
        )

    def _on_new_topic(self, title: str, model_id: str) -> None:
        assert self._cycles is not None
        try:
            topic = self.store.journal_create_topic(self.owner, title, model_id)
        except CoprodError as e:
            self._cycles.show_message(f"Not started: {e}", "error")
            return
        self._cycles.new_title.value = ""
        self._cycles.show_message(f"Topic “{topic.title}” started: now start its first cycle.")
        self.show_cycles(topic.id)

    def _on_next_cycle(self) -> None:
        assert self._cycles is not None
        tid = self._cycles.topic.value
        try:
            topic = self.store.journal_topic(self.owner, tid)
            entry = self.store.journal_start_cycle(self.owner, tid, self._model(topic.model_id))
        except CoprodError as e:
            self._cycles.show_message(f"Not started: {e}", "error")
            return
        self._open(entry, self._model_of(entry))

    def _on_topic_status(self, status: str) -> None:
        assert self._cycles is not None
        tid = self._cycles.topic.value
        try:
            self.store.journal_update_topic(self.owner, tid, "status", status)
        except CoprodError as e:
            self._cycles.show_message(str(e), "error")
            return
        self.show_cycles(tid)


def open_journal(
    owner: str, *, store: Any = None, base_url: str = "", key: str = "", **kw
) -> w.Widget:
    return JournalApp(
        store or Store(os.environ.get("COPROD_DB") or None), owner, base_url=base_url, key=key, **kw
    )


def show(key: str | None = None, store: Any = None) -> w.Widget:
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
            store = Store(os.environ.get("COPROD_DB") or None)
        owner, visit = identity.journal_owner(key)
        if not owner:
            if visit.key:
                raise NotFound("this journal link is not complete")
            start = f"{visit.base_url.rstrip('/')}/journal" if visit.base_url else "/journal"
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
