"""Exporting from the journal: choose the form and the file, adjust which stages answer which
question, check for identifiers and word limits, then download.

No store and no exporting here: the panel reports what the author chose (``on_form``,
``on_setting``, ``on_part``, ``on_prepare``) and the app answers with ``show_*``. What the file
will say is shown by ``show_preview`` with the HTML the file itself is made from (one prepared
export, rendered once for the page and for every format).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

import ipywidgets as w

from ..model.forms import EntryFormSettings, ExportForm, FilledEntry, FilledForm, count_words
from ..model.identifiers import Finding
from ..model.journal import ReflectiveModel
from .download import download_link

_WIDE = {"description_width": "initial"}
AS_WRITTEN = ""
FORMAT_OPTIONS = [("Markdown (.md)", "md"), ("Web page (.html)", "html"), ("PDF (.pdf)", "pdf")]


def words_html(words: int, limit: int | None) -> str:
    if limit is None:
        return f"<p class='coprod-words'>{words:,} word{'s' if words != 1 else ''}</p>"
    if words > limit:
        return (
            f"<p class='coprod-words coprod-status-error' role='alert'>{words:,} words: "
            f"{words - limit:,} over the limit of {limit:,}</p>"
        )
    return f"<p class='coprod-words'>{words:,} of at most {limit:,} words</p>"


class FormSettingsView(w.VBox):
    """One entry in one form: for each question, the stages it draws on and your own words."""

    def __init__(
        self,
        form: ExportForm,
        model: ReflectiveModel,
        mapping: Mapping[str, Sequence[str]],
        settings: EntryFormSettings,
        **kwargs,
    ):
        self.form, self.model = form, model
        self._callbacks: list[Callable[[str, Any], None]] = []
        self.counts: dict[str, w.HTML] = {}
        self.stage_pickers: dict[str, w.SelectMultiple] = {}
        self.own: dict[str, w.Textarea] = {}
        self.choices: dict[str, dict[str, w.Checkbox]] = {}
        stage_options = [(s.title, s.id) for s in model.stages]
        children: list[w.Widget] = []
        for n, q in enumerate(form.questions, start=1):
            parts: list[w.Widget] = [
                w.HTML(
                    f"<h4 class='coprod-question'>{n}. {escape(q.title)}</h4>"
                    + (f"<p class='coprod-note'>{escape(q.help)}</p>" if q.help else "")
                )
            ]
            if q.field:
                parts.append(
                    w.HTML(
                        f"<p class='coprod-note'>Filled in from the entry's {escape(q.field)}.</p>"
                    )
                )
                children.append(self._box(parts))
                continue
            if q.options:
                chosen = settings.choices.get(q.id, [])
                boxes = {}
                for o in q.options:
                    cb = w.Checkbox(value=o.id in chosen, description=o.title, indent=False)
                    cb.observe(lambda _c, qid=q.id: self._on_choice(qid), "value")
                    boxes[o.id] = cb
                self.choices[q.id] = boxes
                parts.append(w.VBox(list(boxes.values())))
            picker = w.SelectMultiple(
                options=stage_options,
                value=tuple(s for s in mapping.get(q.id, ()) if s in model.stage_ids),
                description=f"Question {n} draws on these stages",
                rows=min(len(stage_options), 8),
                style=_WIDE,
            )
            picker.observe(
                lambda ch, qid=q.id: self._emit(f"mapping:{qid}", list(ch["new"])), "value"
            )
            self.stage_pickers[q.id] = picker
            own = w.Textarea(
                value=settings.texts.get(q.id, ""),
                description=f"Your own words for question {n}",
                placeholder="Added after the text of the stages chosen above",
                continuous_update=True,
                style=_WIDE,
                layout=w.Layout(width="100%", height="5em"),
            )
            own.observe(lambda ch, qid=q.id: self._emit(f"text:{qid}", ch["new"]), "value")
            self.own[q.id] = own
            count = w.HTML()
            self.counts[q.id] = count
            parts += [picker, own, count]
            children.append(self._box(parts))
        self.unused = w.HTML()
        super().__init__([*children, self.unused], **kwargs)
        self.add_class("coprod-form-settings")

    @staticmethod
    def _box(parts: list[w.Widget]) -> w.VBox:
        box = w.VBox(parts)
        box.add_class("coprod-question-box")
        return box

    def on_setting(self, callback: Callable[[str, Any], None]) -> None:
        """``callback(key, value)`` with key ``mapping:<question>``, ``text:<q>`` or ``choices:<q>``."""
        self._callbacks.append(callback)

    def _emit(self, key: str, value: Any) -> None:
        for cb in self._callbacks:
            cb(key, value)

    def _on_choice(self, qid: str) -> None:
        self._emit(f"choices:{qid}", [o for o, cb in self.choices[qid].items() if cb.value])

    def show(self, filled: FilledEntry) -> None:
        """Word counts per question, and the stages no question uses."""
        used: set[str] = set()
        for a in filled.answers:
            used.update(a.stages)
            if a.question.id in self.counts:
                self.counts[a.question.id].value = words_html(a.words, a.question.max_words)
        unused = [s.title for s in self.model.stages if s.id not in used]
        self.unused.value = (
            f"<p class='coprod-note'>Not used in this form: {escape(', '.join(unused))}. Choose "
            "them for a question above to include them.</p>"
            if unused
            else ""
        )


class ExportPanel(w.VBox):
    """Export one entry, a selection or a topic's cycles, as written or in a regulator's form."""

    def __init__(self, forms: Sequence[ExportForm], **kwargs):
        self.forms = {f.id: f for f in forms}
        self._form_cbs: list[Callable[[str], None]] = []
        self._part_cbs: list[Callable[[str, str], None]] = []
        self._prepare_cbs: list[Callable[[bool], None]] = []
        self.heading = w.HTML()
        self.what = w.Dropdown(
            description="What to export",
            options=[("The text as written", AS_WRITTEN), *((f.title, f.id) for f in forms)],
            style=_WIDE,
        )
        self.fmt = w.Dropdown(description="File format", options=FORMAT_OPTIONS, style=_WIDE)
        self.about = w.HTML()
        self.parts_box = w.VBox()
        self.part_areas: dict[str, w.Textarea] = {}
        self.part_counts: dict[str, w.HTML] = {}
        self.settings_box = w.VBox()
        self.checks = w.HTML()
        self.prepare = w.Button(description="Check and prepare the file", button_style="primary")
        self.findings = w.HTML()
        self.anyway = w.Button(description="Export anyway", button_style="warning")
        self.anyway.layout.display = "none"
        self.link = w.HTML()
        self.preview = w.HTML()
        self.preview.add_class("coprod-export-preview")
        super().__init__(
            [
                self.heading,
                w.HBox([self.what, self.fmt]),
                self.about,
                self.parts_box,
                self.settings_box,
                self.checks,
                self.prepare,
                self.findings,
                self.anyway,
                self.link,
                self.preview,
            ],
            **kwargs,
        )
        self.add_class("coprod-export")
        self.what.observe(self._on_what_value, "value")
        self.fmt.observe(lambda _c: self.clear_result(), "value")
        self.prepare.on_click(lambda _b: self._emit_prepare(False))
        self.anyway.on_click(lambda _b: self._emit_prepare(True))
        self.set_scope("this entry")

    # -- events ---------------------------------------------------------------------------------

    def on_form(self, callback: Callable[[str], None]) -> None:
        self._form_cbs.append(callback)

    def on_part(self, callback: Callable[[str, str], None]) -> None:
        self._part_cbs.append(callback)

    def on_prepare(self, callback: Callable[[bool], None]) -> None:
        """``callback(ignore_identifiers)`` when a file is asked for."""
        self._prepare_cbs.append(callback)

    def _emit_prepare(self, ignore: bool) -> None:
        self.link.value = "<p role='status'>Checking…</p>"
        for cb in self._prepare_cbs:
            cb(ignore)

    def _on_what_value(self, change: dict[str, Any]) -> None:
        self.clear_result()
        form = self.forms.get(change["new"])
        self.about.value = (
            f"<p class='coprod-note'>{escape(form.summary)} <small>Source: "
            f"{escape(form.source.citation)}</small></p>"
            if form
            else ""
        )
        self.parts_box.children = []
        self.settings_box.children = []
        self.checks.value = ""
        for cb in self._form_cbs:
            cb(change["new"])

    # -- shown by the app -------------------------------------------------------------------------

    @property
    def form(self) -> ExportForm | None:
        return self.forms.get(self.what.value)

    def set_scope(self, scope: str) -> None:
        self.heading.value = (
            f"<h3>Export {escape(scope)}</h3><p class='coprod-note'>Before any file is made, "
            "it is checked for anything that may identify someone.</p>"
        )

    def show_parts(self, form: ExportForm, texts: Mapping[str, str]) -> None:
        """The parts written once per export (the HCPC practice summary)."""
        self.part_areas, self.part_counts = {}, {}
        children: list[w.Widget] = []
        for p in form.profile_parts:
            area = w.Textarea(
                value=texts.get(p.id, ""),
                description=p.title,
                placeholder=p.help,
                continuous_update=True,
                style=_WIDE,
                layout=w.Layout(width="100%", height="8em"),
            )
            count = w.HTML(words_html(count_words(area.value), p.max_words))
            area.observe(lambda ch, pid=p.id: self._on_part(pid, ch["new"]), "value")
            self.part_areas[p.id], self.part_counts[p.id] = area, count
            children += [area, count]
        self.parts_box.children = children

    def _on_part(self, part_id: str, text: str) -> None:
        q = self.form.question(part_id) if self.form else None
        if q is not None:
            self.part_counts[part_id].value = words_html(count_words(text), q.max_words)
        for cb in self._part_cbs:
            cb(part_id, text)

    def show_settings(self, view: w.Widget | None, note: str = "") -> None:
        children: list[w.Widget] = []
        if note:
            children.append(w.HTML(f"<p class='coprod-note'>{escape(note)}</p>"))
        if view is not None:
            children.append(view)
        self.settings_box.children = children

    def show_checks(self, filled: FilledForm) -> None:
        """The word limits and what is still missing, as the export will see them."""
        items = []
        for c in filled.limits:
            cls = "coprod-status-error" if c.over else ""
            items.append(f"<li class='{cls}'>{escape(c.message())}</li>")
        for n in filled.notes:
            items.append(f"<li>{escape(n)}</li>")
        self.checks.value = (
            f"<div class='coprod-checks'><h4>Before you export</h4><ul>{''.join(items)}</ul></div>"
            if items
            else ""
        )

    def show_findings(self, findings: Sequence[Finding]) -> None:
        items = "".join(
            f"<li><strong>{escape(f.what[:1].upper() + f.what[1:])}</strong> in {escape(f.label)}, "
            f"characters {f.start + 1}-{f.end}: <q>{escape(f.excerpt)}</q></li>"
            for f in findings
        )
        self.findings.value = (
            "<div role='alert' class='coprod-notice coprod-notice-error coprod-findings'>"
            "<h4>This may identify someone</h4><p>Regulators ask for reflections with nothing "
            "that identifies a person. Change these in your entry, then check again, or export "
            f"anyway if you are sure they are fine.</p><ul>{items}</ul></div>"
        )
        self.anyway.layout.display = "flex"
        self.link.value = ""

    def show_error(self, message: str) -> None:
        self.link.value = f"<p role='alert' class='coprod-status-error'>{escape(message)}</p>"

    def show_download(self, data: bytes, filename: str, mime: str, clean: bool) -> None:
        self.anyway.layout.display = "none"
        if clean:
            self.findings.value = (
                "<p role='status' class='coprod-note'>Nothing that looks like an email address, "
                "phone number, NHS number, postcode or date of birth was found. Names and other "
                "details are not checked: read it through before you send it.</p>"
            )
        link = download_link(data, filename, mime, "Download the file")
        self.link.value = f"<p role='status'>{link}</p>"

    def show_preview(self, body: str) -> None:
        """What the file says, as the file says it: ``body`` is the prepared export's HTML
        (escaped by the report that made it), the same HTML the HTML and PDF files are made from."""
        self.preview.value = (
            "<details class='coprod-preview' open><summary>What the file will say</summary>"
            f"<div role='region' aria-label='Preview of the export'>{body}</div></details>"
        )

    def clear_result(self) -> None:
        """Forget the file prepared and what was found in it (something changed)."""
        self.findings.value = ""
        self.link.value = ""
        self.preview.value = ""
        self.anyway.layout.display = "none"
