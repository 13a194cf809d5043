"""The journal workbook, headless, against a real Store: every keystroke saved, found again
after a reload, exported through the page, private to its owner, and light to load."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coprod_widgets import identity
from coprod_widgets.apps import journal
from coprod_widgets.apps.journal import JournalApp
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.content.models import FormLibrary, ModelLibrary

from .tree import page_text

REPO = Path(__file__).resolve().parents[2]
ALICE = "user:alice"
BOB = "hub:bob"
XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
LIBS = {
    "models": ModelLibrary([REPO / "data" / "reflective_models"]),
    "forms": FormLibrary([REPO / "data" / "export_forms"]),
    "frameworks": FrameworkLibrary([REPO / "data" / "frameworks"]),
}


def app_for(store, owner=ALICE, **kw) -> JournalApp:
    return JournalApp(store, owner, **LIBS, **kw)


def download(panel) -> tuple[str, bytes]:
    m = re.search(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", panel.link.value)
    assert m, panel.link.value
    return m.group(1), base64.b64decode(m.group(2))


def write_gibbs(app: JournalApp, title="Co-chairing", **stages: str) -> int:
    app.new_entry("gibbs")
    ed = app.editor
    ed.title.value = title
    for sid, text in stages.items():
        ed.stages.areas[sid].value = text
    return ed.entry_id


def test_the_first_keystroke_creates_the_entry_and_every_one_after_is_saved(store):
    app = app_for(store)
    app.new_entry("gibbs")
    assert app.editor.entry_id == 0  # nothing stored for an empty page
    assert store.journal.find(ALICE).totals.entries == 0
    area = app.editor.stages.areas["description"]
    area.value = "W"
    eid = app.editor.entry_id
    assert eid and store.journal.entry(ALICE, eid).stages == {"description": "W"}
    for text in ("We", "We met", "We met as equals."):
        area.value = text
        assert store.journal.entry(ALICE, eid).stages["description"] == text
    app.editor.hours.value = 1.5
    app.editor.participatory.value = True
    app.editor.tags.boxes["six-areas-of-benefit/job-satisfaction"].value = True
    got = store.journal.entry(ALICE, eid)
    assert (got.minutes, got.participatory, got.tags) == (
        90,
        True,
        ("six-areas-of-benefit/job-satisfaction",),
    )
    assert "All changes saved" in app.status.value


def test_a_reload_finds_the_draft_by_search_and_brings_it_all_back(store):
    eid = write_gibbs(
        app_for(store), "Peer-led ward round", description="Half written…", feelings="Unsure."
    )
    again = app_for(store)  # a reload: a new kernel, a new app
    row = again.entries.rows[0]
    assert (row.entry_id, row.select.description) == (eid, "Peer-led ward round")
    assert "draft" in row.meta.value
    again.filters.query.value = "ward"
    assert [r.entry_id for r in again.entries.rows] == [eid]
    again.filters.query.value = "nothing-like-this"
    assert again.entries.rows == [] and "No entries match" in again.entries.totals.value
    again.filters.clear.click()
    again.entries.rows[0].open_button.click()
    ed = again.editor
    assert ed.entry_id == eid and ed.title.value == "Peer-led ward round"
    assert ed.stages.areas["feelings"].value == "Unsure."
    ed.stages.next.click()
    assert ed.stages.index == 1
    ed.stages.areas["evaluation"].value = "Better than I feared."
    again.finish_button.click()
    done = store.journal.entry(ALICE, eid)
    assert done.finished and done.versions == 1
    assert done.stages["evaluation"] == "Better than I feared."


def test_a_failed_save_is_kept_and_tried_again(store, monkeypatch):
    app = app_for(store)
    eid = write_gibbs(app, description="First.")

    def locked(*_a):
        raise OSError("database is locked")

    monkeypatch.setattr(store.journal, "_refresh_text", locked)  # every write fails, and rolls back
    app.editor.stages.areas["feelings"].value = "Kept on the page."
    assert "Not saved, reconnecting" in app.status.value
    assert "feelings" not in store.journal.entry(ALICE, eid).stages
    monkeypatch.undo()
    app.editor.stages.areas["analysis"].value = "Next change."
    got = store.journal.entry(ALICE, eid).stages
    assert got["feelings"] == "Kept on the page." and got["analysis"] == "Next change."
    assert "All changes saved" in app.status.value


def test_a_change_kept_while_another_entry_is_opened_still_goes_to_its_own_entry(
    store, monkeypatch
):
    other = store.journal.create(ALICE, LIBS["models"].get("gibbs"), title="Other entry")
    app = app_for(store)
    eid = write_gibbs(app, description="First.")

    def locked(*_a):
        raise OSError("database is locked")

    monkeypatch.setattr(store.journal, "_refresh_text", locked)
    app.editor.stages.areas["feelings"].value = "Written in the first entry."
    app.open_entry(other.id)  # the retry on leaving fails too: the change stays waiting
    assert "Not saved, reconnecting" in app.status.value
    monkeypatch.undo()
    app.editor.stages.areas["description"].value = "Written in the other entry."
    assert store.journal.entry(ALICE, eid).stages["feelings"] == "Written in the first entry."
    assert store.journal.entry(ALICE, other.id).stages == {
        "description": "Written in the other entry."
    }


def test_filters_offer_only_what_the_owner_used(store):
    write_gibbs(app_for(store), description="x")
    store.journal.create(ALICE, LIBS["models"].get("kolb"), tags=["scie-four/equality"])
    store.journal.create(BOB, LIBS["models"].get("pdsa"), tags=["cnw-five/value-all-participants"])
    app = app_for(store)
    assert [v for _, v in app.filters.tag.options] == ["", "scie-four/equality"]
    assert [v for _, v in app.filters.model.options] == ["", "gibbs", "kolb"]
    app.filters.model.value = "kolb"
    assert len(app.entries.rows) == 1


def test_the_list_opens_a_page_at_a_time(store):
    gibbs = LIBS["models"].get("gibbs")
    for i in range(7):
        store.journal.create(ALICE, gibbs, title=f"Entry {i}", entry_date=f"2025-01-{i + 1:02d}")
    app = app_for(store, page_size=3)
    assert [r.select.description for r in app.entries.rows] == ["Entry 6", "Entry 5", "Entry 4"]
    assert "Showing 3 of 7 entries" in app.entries.totals.value
    app.entries.more.click()
    app.entries.more.click()
    assert len(app.entries.rows) == 7 and app.entries.more.layout.display == "none"


def test_user_text_is_escaped_in_the_list_and_the_timeline(store):
    gibbs = LIBS["models"].get("gibbs")
    store.journal.create(ALICE, gibbs, title=XSS, stages={"description": XSS})
    app = app_for(store)
    html = page_text(app)
    assert XSS_ESCAPED in app.entries.rows[0].meta.value
    assert "<img" not in app.entries.rows[0].meta.value
    topic = store.journal.create_topic(ALICE, XSS)
    c = store.journal.start_cycle(ALICE, topic.id, LIBS["models"].get("pdsa"))
    store.journal.save_stage(ALICE, c.id, "prediction", XSS)
    app.show_cycles()
    assert "<img" not in app._cycles.timeline.value and XSS_ESCAPED in app._cycles.timeline.value
    assert html


def test_the_nmc_form_is_exported_from_the_page_with_the_themes_chosen(store):
    app = app_for(store)
    eid = write_gibbs(
        app,
        "Co-chairing",
        description="A peer worker and I chaired the meeting together.",
        analysis="Sharing the chair changed who spoke.",
        **{"action-plan": "Agree roles a week ahead."},
    )
    panel = app.entry_panel
    panel.what.value = "nmc-reflective-account"
    view = panel.settings_box.children[0]
    assert "choose at least 1" in panel.checks.value
    view.choices["code"]["preserve-safety"].value = True
    view.own["code"].value = "It kept people safe."
    assert store.journal.form_settings(ALICE, eid, "nmc-reflective-account") == {
        "choices:code": ["preserve-safety"],
        "text:code": "It kept people safe.",
    }
    assert "choose at least" not in panel.checks.value
    assert "Not used in this form: Feelings." in view.unused.value
    view.stage_pickers["learning"].value = ("analysis", "feelings")
    assert "Not used in this form: Evaluation, Conclusion." in view.unused.value
    panel.fmt.value = "md"
    panel.prepare.click()
    name, data = download(panel)
    assert name.startswith("nmc-reflective-account-entry-") and name.endswith(".md")
    md = data.decode()
    assert md.count("## ") == 4
    assert "## 4. How is this relevant to the Code?" in md
    assert "Themes chosen: Preserve safety" in md and "Prioritise people" not in md
    assert "Sharing the chair changed who spoke." in md and "It kept people safe." in md


def test_identifiers_are_shown_with_where_and_export_anyway_is_a_choice(store):
    app = app_for(store)
    write_gibbs(app, "Home visit", description="Mrs B, DOB 01/02/1940, NHS number 943 476 5919.")
    panel = app.entry_panel
    panel.prepare.click()
    assert "This may identify someone" in panel.findings.value
    assert "A date of birth" in panel.findings.value and "An NHS number" in panel.findings.value
    assert "Description, characters" in panel.findings.value
    assert panel.link.value == "" and panel.anyway.layout.display == "flex"
    panel.anyway.click()
    name, data = download(panel)
    assert "943 476 5919" in data.decode()


def test_an_over_limit_hcpc_profile_is_refused_with_the_count(store):
    app = app_for(store)
    write_gibbs(app, description="Fine.")
    panel = app.entry_panel
    panel.what.value = "hcpc-cpd-profile"
    panel.part_areas["practice-summary"].value = "word " * 501
    assert "1 over the limit of 500" in panel.part_counts["practice-summary"].value
    assert "over the limit of 500 by 1" in panel.checks.value
    panel.prepare.click()
    assert "over the word limit" in panel.link.value and "download=" not in panel.link.value
    panel.part_areas["practice-summary"].value = "I am a paramedic."
    panel.prepare.click()
    assert "download=" in panel.link.value


def test_a_topic_runs_in_cycles_from_the_page(store):
    app = app_for(store)
    app.show_cycles()
    cv = app._cycles
    cv.new_title.value = "Welcoming new members"
    cv.start_topic.click()
    cv.next_cycle.click()
    ed = app.editor
    assert ed.current_model.id == "pdsa" and ed.entry_id
    ed.stages.areas["prediction"].value = "Half will come back."
    ed.stages.areas["do"].value = "A third came back."
    ed.stages.index = ed.current_model.stage_ids.index("do")
    assert "Half will come back." in ed.stages.compare.value  # predicted beside observed
    ed.stages.areas["act"].value = "Adapt: phone first."
    app.show_cycles()
    cv.next_cycle.click()
    assert app.editor.stages.areas["plan"].value == "Adapt: phone first."
    app.show_cycles()
    assert "Cycle 2" in cv.timeline.value and "Adapt: phone first." in cv.timeline.value


def test_another_owner_sees_none_of_it_in_the_page(store):
    eid = write_gibbs(app_for(store), "Alice's private entry", description="Private words.")
    bob = app_for(store, BOB)
    assert bob.entries.rows == [] and "empty" in bob.entries.totals.value
    bob.open_entry(eid)
    assert bob.message.title == "This entry could not be opened"
    assert "there is no journal entry" in bob.message.text
    assert "Private words." not in page_text(bob)
    bob.filters.query.value = "private"
    assert bob.entries.rows == []


def test_served_without_a_key_the_page_offers_to_start_a_journal(store, monkeypatch):
    monkeypatch.setenv("SERVER_PORT", "8866")
    monkeypatch.setenv("QUERY_STRING", "")
    monkeypatch.setenv("COPROD_API", "http://127.0.0.1:8866/coprod/api")
    monkeypatch.setenv("JUPYTERHUB_USER", "someone")  # the server's, never the visitor's
    monkeypatch.setenv("COPROD_BASE_URL", "http://example.org")
    page = journal.show(store=store)
    assert "Start your private journal" in page_text(page)
    assert "href='http://example.org/journal'" in page_text(page)
    monkeypatch.setenv("QUERY_STRING", "key=" + "k" * 22)
    page = journal.show(store=store)
    assert isinstance(page, JournalApp)
    assert page.owner == identity.journal_key_owner("k" * 22)
    assert "http://example.org/journal/" + "k" * 22 in page.header.value


def test_who_owns_the_journal(monkeypatch):
    assert identity.journal_owner()[0] == f"user:{identity._os_user()}"
    monkeypatch.setenv("JUPYTERHUB_USER", "hubby")
    assert identity.journal_owner()[0] == "hub:hubby"
    key = "A" * 22
    assert identity.journal_owner(key)[0] == identity.journal_key_owner(key)
    assert identity.journal_owner("short")[0] == ""
    assert identity.journal_owner("bad key with spaces!!")[0] == ""


def test_the_journal_page_imports_no_heavy_packages():
    heavy = ("pandas", "matplotlib", "nbconvert", "voila", "jupyter_server", "playwright")
    code = (
        "import sys\n"
        "from coprod_widgets.apps import journal\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize("fmt", ["html"])
def test_a_selection_is_exported_from_the_list(store, fmt):
    app = app_for(store)
    a = write_gibbs(app, "First", description="One.")
    b = write_gibbs(app, "Second", description="Two.")
    app.show_list()
    for r in app.entries.rows:
        r.select.value = True
    app.export_selected.click()
    panel = app.selection_panel
    panel.fmt.value = fmt
    panel.prepare.click()
    name, data = download(panel)
    html = data.decode()
    assert (
        name.startswith("journal-2-entries")
        and "<h2>First</h2>" in html
        and "<h2>Second</h2>" in html
    )
    assert {a, b} == set(app.entries.selected())


def test_the_model_readme_example_is_a_valid_model(tmp_path):
    from coprod_widgets.content.models import load_model

    readme = (REPO / "data" / "reflective_models" / "README.md").read_text()
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "my-model.yaml"
    path.write_text(example)
    assert [s.id for s in load_model(path).stages] == [
        "what-happened",
        "what-i-learnt",
        "next-time",
    ]


def test_the_workbook_runs_headless_with_a_key(store, monkeypatch):
    import json

    import nbformat
    from nbclient import NotebookClient

    key = "workbook-journal-key-01"
    store.journal.create(
        identity.journal_key_owner(key), LIBS["models"].get("gibbs"), title="In the workbook"
    )
    monkeypatch.setenv("COPROD_DB", store.url)
    nb = nbformat.read(REPO / "workbooks" / "journal.ipynb", as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += f"\nkey = {key!r}"
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outs if o.output_type == "error"]
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert "My reflective journal" in state and "In the workbook" in state


def test_benefits_from_every_seed_can_be_tags(store):
    """The six areas (seed 002), benefits by who gains (seed 000) and the SCN's four (seed 003)."""
    app = app_for(store)
    headings = [h for h, _ in app.tag_groups]
    assert headings[0] == "Areas of benefit"
    assert "Who gains from co-production: For people who use services" in headings
    assert any(h.startswith("Why co-produce") for h in headings)
    app.new_entry("gibbs")
    app.editor.title.value = "Tenants' panel"
    app.editor.tags.boxes["benefits-by-who/people-influence"].value = True
    app.editor.tags.boxes["benefits-scn/communities"].value = True
    got = store.journal.entry(ALICE, app.editor.entry_id)
    assert got.tags == ("benefits-by-who/people-influence", "benefits-scn/communities")
    assert app.tag_labels["benefits-scn/communities"] == "Communities (who gains)"


def test_a_title_too_long_is_refused_alone_and_the_rest_of_the_new_entry_is_kept(store):
    app = app_for(store)
    app.new_entry("gibbs")
    app.editor.title.value = "t" * 300
    assert "the most it can hold is 200" in app.field_note.value
    assert app.status.state == "error"
    app.editor.stages.areas["description"].value = "What happened."
    eid = app.editor.entry_id
    assert eid, "the entry is created without the title that was refused"
    got = store.journal.entry(ALICE, eid)
    assert got.title == "" and got.stages == {"description": "What happened."}
    app.editor.title.value = "Shorter"
    assert store.journal.entry(ALICE, eid).title == "Shorter"
    assert app.status.state == "saved" and app.field_note.value == ""


# -- one prepared export: the page's preview, the Markdown, the HTML and the PDF say the same ------


class _Blocks(HTMLParser):
    """The text of each block (heading, paragraph, item, term, cell) inside ``root``: the
    region the page shows the export in, or the report's <main>."""

    BLOCKS = ("h1", "h2", "h3", "h4", "p", "li", "dt", "dd", "td", "th", "caption")

    def __init__(self, root: str):
        super().__init__(convert_charrefs=True)
        self.root, self.depth, self.skip = root, 0, 0
        self.blocks: list[str] = []
        self.open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth or attrs.get("role") == self.root or tag == self.root:
            self.depth += 1
        self.skip += tag in ("style", "script")
        if self.depth and tag in self.BLOCKS:
            self.open.append([])

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script")
        if self.depth and tag in self.BLOCKS and self.open:
            self.blocks.append("".join(self.open.pop()))
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip and self.open:
            self.open[-1].append(data)


def _words(text: str, markdown: bool = False) -> str:
    """Text as its words only: no Markdown escapes or markers, no list or table punctuation,
    so the same words in a heading, a list item or a table cell compare equal."""
    if markdown:
        text = re.sub(r"\\(.)", r"\1", text)
    words = (t.strip("_*") for t in re.findall(r"[^\s:;|]+", text))
    return " ".join(t for t in words if t and not re.fullmatch(r"[-#]+", t))


def _blocks(html: str, root: str) -> list[str]:
    p = _Blocks(root)
    p.feed(html)
    return [b for b in (_words(x) for x in p.blocks) if b]


@pytest.fixture
def counted(monkeypatch):
    """How many times an export fills its form and scans for identifiers."""
    from coprod_widgets.reports import journal_prepare

    calls = {"fill_form": 0, "scan": 0}

    def counting(name):
        real = getattr(journal_prepare, name)

        def spy(*a, **kw):
            calls[name] += 1
            return real(*a, **kw)

        monkeypatch.setattr(journal_prepare, name, spy)

    counting("fill_form")
    counting("scan")
    return calls


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "export.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    # The print furniture (each page's footer) is the report template's, not the export's.
    return "\n".join(x for x in out.stdout.splitlines() if not re.search(r" · page \d+ of \d+$", x))


def _have_pdf_tools() -> bool:
    from coprod_widgets.reports.export import find_chromium

    try:
        find_chromium()
    except Exception:
        return False
    return shutil.which("pdftotext") is not None


@pytest.mark.parametrize(
    "form_id", ["", "nmc-reflective-account", "swe-cpd-record", "hcpc-cpd-profile"]
)
def test_the_page_and_every_file_are_one_prepared_export(store, counted, form_id, tmp_path):
    """Every heading, label, tag and text the page's preview shows is in the Markdown, the HTML
    and the PDF, and back; each export fills its form once and scans once."""
    gibbs, kolb = LIBS["models"].get("gibbs"), LIBS["models"].get("kolb")
    store.journal.create(
        ALICE,
        gibbs,
        title="Co-chairing the planning group",
        entry_date="2025-03-14",
        minutes=90,
        tags=["benefits-scn/communities", "scie-four/equality"],
        stages={
            "description": "A peer worker and I chaired the planning meeting together.",
            "analysis": "Sharing the chair changed who felt able to speak.\n\nEven Dev spoke.",
            "action-plan": "I now agree roles with my co-chair a week ahead.",
        },
    )
    store.journal.create(
        ALICE,
        kolb,
        title="Tenants' panel",
        entry_date="2025-04-02",
        minutes=60,
        participatory=True,
        tags=["benefits-by-who/people-influence"],
        stages={"concrete-experience": "The panel set the agenda themselves this time."},
    )
    app = app_for(store)
    for r in app.entries.rows:
        r.select.value = True
    app.export_selected.click()
    panel = app.selection_panel
    panel.what.value = form_id
    formats = ["md", "html", "pdf"] if _have_pdf_tools() else ["md", "html"]
    texts: dict[str, str] = {}
    previews = set()
    for fmt in formats:
        before = dict(counted)
        panel.fmt.value = fmt
        panel.prepare.click()
        _, data = download(panel)
        assert counted["fill_form"] - before["fill_form"] == (1 if form_id else 0), fmt
        assert counted["scan"] - before["scan"] == 1, fmt
        previews.add(panel.preview.value)
        texts[fmt] = data.decode() if fmt != "pdf" else _pdf_text(data, tmp_path)
    assert len(previews) == 1  # the same export each time
    page = _blocks(previews.pop(), "region")
    assert page and "Date" in page or form_id
    if not form_id:
        assert "Communities (who gains) Equality (SCIE four principles of co-production)" in page
        assert "benefits-scn" not in " ".join(texts.values())
    md = _words(texts["md"], markdown=True)
    html_blocks = _blocks(texts["html"], "main")
    docs = {"md": md, "html": " ".join(html_blocks)}
    if "pdf" in texts:
        docs["pdf"] = _words(texts["pdf"])
    page_doc = f" {' '.join(page)} "
    for fmt, doc in docs.items():
        missing = [b for b in page if f" {b} " not in f" {doc} "]
        assert not missing, (fmt, missing)
    back = {
        "md": [_words(x, markdown=True) for x in texts["md"].splitlines()],
        "html": html_blocks,
        "pdf": [_words(x) for x in texts.get("pdf", "").splitlines()],
    }
    for fmt, pieces in back.items():
        missing = [b for b in pieces if b and f" {b} " not in page_doc]
        assert not missing, (fmt, missing)


def test_export_anyway_renders_the_export_already_checked(store, counted):
    app = app_for(store)
    write_gibbs(app, "Home visit", description="Mrs B, DOB 01/02/1940.")
    panel = app.entry_panel
    panel.prepare.click()
    assert "This may identify someone" in panel.findings.value and counted["scan"] == 1
    assert "DOB 01/02/1940" in panel.preview.value
    panel.anyway.click()
    assert "download=" in panel.link.value and counted["scan"] == 1  # not scanned again
    app.editor.stages.areas["feelings"].value = "Worried."  # a change forgets the export
    assert panel.link.value == "" and panel.anyway.layout.display == "none"
    panel.prepare.click()
    assert counted["scan"] == 2
