"""The journal's exports, wired: one entry (the editor's panel), the entries ticked in the list,
or a topic's cycles, each in a regulator's form or as written.

"Check and prepare the file" gathers ONE prepared export (``reports.journal_prepare.prepare``:
the form filled once, identifiers scanned once) and renders everything from it: the page's
preview and findings, then the file in the format chosen. "Export anyway" renders the export
already prepared; any change to an entry, a form setting or a form part forgets it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import CoprodError, InvalidInput
from ..model.forms import EntryFormSettings, ExportForm, fill_form, mapping_for
from ..model.journal import Entry, ReflectiveModel
from ..widgets.journal_export import ExportPanel, FormSettingsView

if TYPE_CHECKING:
    from ..reports.journal_prepare import Prepared
    from ..store import Store
    from ..widgets.journal_cycles import CyclesView
    from ..widgets.journal_entry import EntryEditor
    from ..widgets.journal_list import EntryList
    from .autosave import Autosave

log = logging.getLogger("coprod")

Scope = Callable[[], dict[str, Any]]


class ExportsMixin:
    """The export half of ``JournalApp`` (see there for the attributes it shares)."""

    store: Store
    owner: str
    autosave: Autosave
    tag_labels: dict[str, str]
    entries: EntryList
    selection_panel: ExportPanel
    _cycles: CyclesView | None
    _prepared: dict[int, tuple[dict[str, Any], Prepared]]

    _editor: EntryEditor | None
    flush: Callable[[], bool]
    _model_of: Callable[[Entry], ReflectiveModel]
    _editor_panel: Callable[[], ExportPanel | None]
    _panels: Callable[[], list[ExportPanel]]

    if TYPE_CHECKING:

        @property
        def editor(self) -> EntryEditor: ...

    # -- what is exported -------------------------------------------------------------------------

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

    def _wire_panel(self, panel: ExportPanel, scope: Scope) -> None:
        panel.on_form(lambda form_id: self._on_panel_form(panel, scope, form_id))
        panel.on_part(lambda pid, text: self._on_panel_part(panel, scope, pid, text))
        panel.on_prepare(lambda ignore: self._on_panel_prepare(panel, scope, ignore))

    def _changed(self) -> None:
        """Something an export holds changed: the file prepared, its preview and its findings
        are out of date."""
        self._prepared.clear()
        for panel in self._panels():
            if panel.link.value or panel.findings.value or panel.preview.value:
                panel.clear_result()

    # -- the form and its settings ----------------------------------------------------------------

    def _on_panel_form(self, panel: ExportPanel, scope: Scope, form_id: str) -> None:
        self._prepared.pop(id(panel), None)
        form = panel.form
        if form is None:
            panel.show_settings(None)
            return
        panel.show_parts(form, self.store.journal.form_parts(self.owner, form.id))
        if panel is self._editor_panel():
            eid = self.editor.entry_id
            if not eid:
                panel.show_settings(None, "Write something first; then choose what goes where.")
                return
            model = self.editor.current_model
            settings = EntryFormSettings.from_values(
                self.store.journal.form_settings(self.owner, eid, form.id)
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

    def _on_setting(
        self, panel: ExportPanel, view: FormSettingsView, form: ExportForm, key: str, value: Any
    ) -> None:
        self._changed()
        eid, model, owner = self.editor.entry_id, self.editor.current_model, self.owner
        self.autosave.change(
            ("form-setting", eid, form.id, key),
            lambda: self.store.journal.save_form_setting(owner, eid, form, model, key, value),
            immediate=True,
            on_error=lambda e: panel.show_error(f"Not saved: {e}"),
            on_saved=lambda _r: self._refresh_checks(panel, self._entry_scope, view),
        )

    def _on_panel_part(self, panel: ExportPanel, scope: Scope, part_id: str, text: str) -> None:
        form, owner = panel.form, self.owner
        if form is None:
            return
        self._changed()
        self.autosave.text(
            ("form-part", form.id, part_id),
            "journal_stage",
            text,
            lambda: self.store.journal.save_form_part(owner, form, part_id, text),
            on_saved=lambda _r: self._refresh_checks(panel, scope),
        )

    def _refresh_checks(
        self, panel: ExportPanel, scope: Scope, view: FormSettingsView | None = None
    ) -> None:
        """Word counts and limits while the form is adjusted, counted as the export counts."""
        form = panel.form
        if form is None:
            return
        try:
            where = scope()
        except CoprodError:
            panel.checks.value = ""
            return
        if "topic_id" in where:
            entries = self.store.journal.cycles(self.owner, where["topic_id"])
        else:
            entries = self.store.journal.entries(self.owner, where["entry_ids"])
        model_for = {e.model_key: self._model_of(e) for e in entries}
        settings = {
            e.id: EntryFormSettings.from_values(
                self.store.journal.form_settings(self.owner, e.id, form.id)
            )
            for e in entries
        }
        filled = fill_form(
            form, entries, model_for, settings, self.store.journal.form_parts(self.owner, form.id)
        )
        panel.show_checks(filled)
        if view is not None and filled.entries:
            view.show(filled.entries[0])

    # -- the file ---------------------------------------------------------------------------------

    def _on_panel_prepare(self, panel: ExportPanel, scope: Scope, ignore: bool) -> None:
        self.flush()
        from ..reports.journal import FORMATS, body_html, check, prepare, render

        fmt = panel.fmt.value
        try:
            where = scope()
            kept = self._prepared.get(id(panel)) if ignore else None
            if kept is not None and kept[0] == where:
                prep = kept[1]  # "Export anyway": what the author was just shown
            else:
                prep = prepare(
                    self.store, self.owner, form=panel.form, titles=self.tag_labels, **where
                )
                self._prepared[id(panel)] = (where, prep)
            panel.show_preview(body_html(prep))
            if prep.over:
                check(prep)
            if prep.findings and not ignore:
                panel.show_findings(prep.findings)
                return
            data = render(prep, fmt)
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
        panel.show_download(data, prep.filename(fmt), FORMATS[fmt], clean=not prep.findings)

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
