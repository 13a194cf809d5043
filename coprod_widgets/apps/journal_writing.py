"""Writing in the journal, wired: the model chooser, the editor (every keystroke saved, a new
entry created by its first write), finishing an entry, and its earlier versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import CoprodError, InvalidInput
from ..model.journal import FREE_FORM, Entry, ReflectiveModel
from ..model.text import clean_text
from ..widgets.journal_chooser import ModelChooser
from ..widgets.journal_entry import EntryEditor
from ..widgets.journal_page import EditorView
from .autosave import keep, slug

if TYPE_CHECKING:
    from ..content.models import ModelLibrary
    from ..model.forms import ExportForm
    from ..model.journal_tags import TagGroups
    from ..store import Store
    from ..widgets import FieldNote, SaveStatus
    from ..widgets.journal_export import ExportPanel
    from .autosave import Autosave


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


class WritingMixin:
    """The writing half of ``JournalApp`` (see there for the attributes it shares)."""

    store: Store
    owner: str
    library: ModelLibrary
    model_list: list[ReflectiveModel]
    form_list: list[ExportForm]
    tag_groups: TagGroups
    autosave: Autosave
    status: SaveStatus
    field_note: FieldNote
    _slot: _Slot
    _editor: EntryEditor | None
    _editor_view: EditorView | None
    _chooser: ModelChooser | None

    _show: Callable[[w.Widget], None]
    _error: Callable[[str, Exception], None]
    _refresh_open: Callable[[], None]
    _changed: Callable[[], None]
    _wire_panel: Callable[..., None]
    _entry_scope: Callable[[], dict[str, Any]]

    # -- the editor and its view ------------------------------------------------------------------

    @property
    def editor(self) -> EntryEditor:
        return self.editor_view.editor

    @property
    def editor_view(self) -> EditorView:
        if self._editor_view is None:
            self._build_editor()
        assert self._editor_view is not None
        return self._editor_view

    @property
    def entry_panel(self) -> ExportPanel:
        return self.editor_view.panel

    @property
    def finish_button(self) -> w.Button:
        return self.editor_view.finish_button

    def _editor_panel(self) -> ExportPanel | None:
        return self._editor_view.panel if self._editor_view else None

    def _build_editor(self) -> None:
        ed = EntryEditor(self.model_list, self.tag_groups)
        ed.on_change(self._on_editor_change)
        ed.on_stage(self._on_editor_stage)
        ed.tags.on_tag(self._on_editor_tag)
        view = EditorView(ed, self.form_list, self.field_note, self.status)
        view.versions.on_restore(self._on_restore)
        view.finish_button.on_click(self._on_finish_click)
        view.versions_button.on_click(self._on_versions_click)
        self._editor, self._editor_view = ed, view
        self._wire_panel(view.panel, self._entry_scope)

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
            entry = self.store.journal.entry(self.owner, entry_id)
        except CoprodError as e:
            self._error("This entry could not be opened", e)
            return
        self._open(entry, self._model_of(entry))

    def _open(self, entry: Entry, model: ReflectiveModel) -> None:
        self.flush()
        view = self.editor_view
        view.editor.load(entry, model)
        self._slot = _Slot(entry.id)
        self._mark_boxes()
        self.field_note.message = self.field_note.counter = ""
        view.panel.what.value = ""
        view.panel.clear_result()
        view.versions.layout.display = "none"
        if not self.autosave.pending:  # a change still waiting keeps its status in view
            self.status.state, self.status.message = "idle", ""
        view.show_finished(entry)
        self._show(view)

    def _model(self, model_id: str) -> ReflectiveModel:
        try:
            return self.library.get(model_id)
        except KeyError:
            return FREE_FORM

    def _model_of(self, entry: Entry) -> ReflectiveModel:
        """The model as the entry was written with it; the library's if the store lacks it."""
        try:
            return self.store.journal.model(entry.model_id, entry.model_version)
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

    # -- saving -----------------------------------------------------------------------------------

    def _write(
        self,
        key: tuple[str, str],
        fn: Callable[..., Any],
        *args: Any,
        field: str = "",
        text: str | None = None,
        immediate: bool = False,
    ) -> None:
        """Save one change of the open entry; a new entry is created by its first write, with
        everything on the page then. The write goes to the entry it was made in, even if
        another entry is opened before it runs."""
        self._changed()
        slot, owner, model = self._slot, self.owner, self.editor.current_model
        values = self.editor.values() if not slot.entry_id else None
        name = slug("journal", slot.entry_id or "new", *key)

        def write() -> Any:
            if not slot.entry_id:
                assert values is not None
                entry = self.store.journal.create(owner, model, **_create_args(values))
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
            self._write(("model", ""), self.store.journal.set_model, model, immediate=True)
        elif field == "title":
            self._write(
                ("field", field),
                self.store.journal.save,
                field,
                value,
                field="journal_title",
                text=value,
            )
        else:
            self._write(("field", field), self.store.journal.save, field, value, immediate=True)

    def _on_editor_stage(self, stage_id: str, text: str) -> None:
        self._write(
            ("stage", stage_id),
            self.store.journal.save_stage,
            stage_id,
            text,
            field="journal_stage",
            text=text,
        )

    def _on_editor_tag(self, tag: str, on: bool) -> None:
        self._write(("tag", tag), self.store.journal.set_tag, tag, on, immediate=True)

    # -- finishing, and earlier versions ----------------------------------------------------------

    def _on_finish_click(self, _b: Any) -> None:
        view = self.editor_view
        if not self.editor.entry_id:
            view.say(
                "error",
                "Nothing to finish yet",
                "Write something first: it is saved as you type.",
            )
            return
        if not self.flush():
            return
        try:
            entry = self.store.journal.finish(self.owner, self.editor.entry_id)
        except CoprodError as e:
            view.say("error", "Not finished", str(e))
            return
        view.show_finished(entry)
        view.finish_note.text = f"Kept as version {entry.versions}. " + view.finish_note.text

    def _on_versions_click(self, _b: Any) -> None:
        if not self.editor_view.toggle_versions():
            return
        eid = self.editor.entry_id
        versions = self.store.journal.versions(self.owner, eid) if eid else []

        def model_for(content: dict[str, Any]) -> ReflectiveModel:
            try:
                return self.store.journal.model(content["model_id"], content["model_version"])
            except (CoprodError, KeyError):
                return FREE_FORM

        self.editor_view.versions.show(versions, model_for)

    def _on_restore(self, number: int) -> None:
        if not self.flush():
            return
        try:
            entry = self.store.journal.restore(self.owner, self.editor.entry_id, number)
        except CoprodError as e:
            self._error("That version could not be brought back", e)
            return
        self._open(entry, self._model_of(entry))
        self.editor_view.say(
            "success", f"Version {number} is back", "The text it replaced is kept as a version too."
        )
