"""Journal exports as files: HTML escapes every word the author typed, the NMC form has exactly
its four questions, a PDF reads back with the answers in it, and the report notebook runs."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coprod_widgets.content.models import FormLibrary, ModelLibrary
from coprod_widgets.reports.export import find_chromium
from coprod_widgets.reports.journal import (
    IdentifiersFound,
    OverLimit,
    export_journal,
    md_text,
)

REPO = Path(__file__).resolve().parents[2]
MODELS = ModelLibrary([REPO / "data" / "reflective_models"])
FORMS = FormLibrary([REPO / "data" / "export_forms"])
GIBBS, PDSA = MODELS.get("gibbs"), MODELS.get("pdsa")
NMC, HCPC = FORMS.get("nmc-reflective-account"), FORMS.get("hcpc-cpd-profile")
OWNER = "user:exporter"
XSS = "<img src=x onerror=alert(1)>"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "script")
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script")
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    p = _Text()
    p.feed(html)
    return " ".join("".join(p.parts).split())


@pytest.fixture
def account(store):
    e = store.journal.create(
        OWNER,
        GIBBS,
        title="Co-chairing",
        entry_date="2025-03-14",
        stages={
            "description": "A peer worker and I chaired the planning meeting together.",
            "analysis": "Sharing the chair changed who felt able to speak.",
            "action-plan": "I now agree roles with my co-chair a week ahead.",
        },
    )
    store.journal.save_form_setting(
        OWNER,
        e.id,
        NMC,
        GIBBS,
        "choices:code",
        ["prioritise-people", "promote-professionalism-and-trust"],
    )
    store.journal.save_form_setting(OWNER, e.id, NMC, GIBBS, "text:code", "It put people first.")
    return e


def test_html_escapes_everything_the_author_typed(store):
    e = store.journal.create(
        OWNER, GIBBS, title=XSS, stages={"description": XSS + "\n\nSecond paragraph & more"}
    )
    html = export_journal(store, OWNER, "html", entry_ids=[e.id]).data.decode()
    assert "<img" not in html and "onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<p>Second paragraph &amp; more</p>" in html
    assert "<script" not in html


def test_the_nmc_html_has_exactly_the_four_questions_and_only_the_themes_chosen(store, account):
    html = export_journal(store, OWNER, "html", entry_ids=[account.id], form=NMC).data.decode()
    questions = re.findall(r"<h2 class=[\"']coprod-question[\"']>(.*?)</h2>", html)
    assert [re.sub(r"^\d\. ", "", q) for q in questions] == [q.title for q in NMC.questions]
    text = text_of(html)
    assert "Themes chosen: Prioritise people Promote professionalism and trust" in text
    assert "Preserve safety" not in text and "Practise effectively" not in text
    assert "I now agree roles with my co-chair a week ahead." in text
    assert "It put people first." in text


def test_markdown_keeps_the_authors_text_as_text():
    assert md_text(XSS) == r"\<img src=x onerror=alert(1)\>"
    assert md_text("# not a heading\n- not a list\n1. not a list") == (
        "\\# not a heading  \n\\- not a list  \n\\1. not a list"
    )
    assert md_text("Fish &amp; chips *now*") == r"Fish \&amp; chips \*now\*"


def test_a_cycle_export_carries_the_timeline(store):
    topic = store.journal.create_topic(OWNER, "Welcoming new members")
    one = store.journal.start_cycle(OWNER, topic.id, PDSA)
    store.journal.save_stage(OWNER, one.id, "prediction", "Half will come back.")
    store.journal.save_stage(OWNER, one.id, "do", "A third came back.")
    store.journal.save_stage(OWNER, one.id, "act", "Adapt: phone first.")
    store.journal.start_cycle(OWNER, topic.id, PDSA)
    out = export_journal(store, OWNER, "md", topic_id=topic.id)
    md = out.data.decode()
    assert out.filename.startswith(f"journal-topic-{topic.id}-cycles-")
    assert "- Predicted: Half will come back." in md and "- Observed: A third came back." in md
    assert "## Cycle 2: Welcoming new members: cycle 2" in md
    assert "### Plan\n\nAdapt: phone first." in md
    html = export_journal(store, OWNER, "html", topic_id=topic.id).data.decode()
    assert "<caption>Cycles of this topic</caption>" in html


def test_nothing_goes_out_with_an_identifier_unless_the_author_says_so(store):
    e = store.journal.create(OWNER, GIBBS, stages={"feelings": "I emailed jo@example.org."})
    with pytest.raises(IdentifiersFound) as found:
        export_journal(store, OWNER, "md", entry_ids=[e.id])
    [f] = found.value.findings
    assert (f.kind, f.field, f.start, f.end) == ("email", f"entry:{e.id}:stage:feelings", 10, 24)
    out = export_journal(store, OWNER, "md", entry_ids=[e.id], ignore_identifiers=True)
    assert b"jo@example.org" in out.data


@pytest.mark.parametrize("form", [NMC, HCPC, FORMS.get("swe-cpd-record")], ids=lambda f: f.id)
def test_an_identifier_in_a_title_is_caught_in_every_form(store, form):
    """Titles go out in headings and in the HCPC list even where no question uses them."""
    e = store.journal.create(OWNER, GIBBS, title="Visit to jo@example.org at SW1A 1AA")
    with pytest.raises(IdentifiersFound) as found:
        export_journal(store, OWNER, "md", entry_ids=[e.id], form=form)
    kinds = {(f.kind, f.field) for f in found.value.findings}
    assert {("email", f"entry:{e.id}:title"), ("postcode", f"entry:{e.id}:title")} <= kinds


def test_a_form_over_its_word_limit_is_refused_but_the_entry_still_exports(store, account):
    store.journal.save_form_part(OWNER, HCPC, "practice-summary", "word " * 600)
    with pytest.raises(OverLimit, match="600 words, over the limit of 500 by 100"):
        export_journal(store, OWNER, "md", entry_ids=[account.id], form=HCPC)
    assert export_journal(store, OWNER, "md", entry_ids=[account.id]).data


def _have_pdf_tools() -> bool:
    try:
        find_chromium()
    except Exception:
        return False
    return shutil.which("pdftotext") is not None


@pytest.mark.skipif(
    not _have_pdf_tools(),
    reason="needs Chromium and pdftotext: apt-get install chromium poppler-utils",
)
def test_the_nmc_pdf_reads_back_with_the_answers(store, account, tmp_path):
    out = export_journal(store, OWNER, "pdf", entry_ids=[account.id], form=NMC)
    assert out.data.startswith(b"%PDF")
    path = tmp_path / out.filename
    path.write_bytes(out.data)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "How is this relevant to the Code?" in text
    assert "I now agree roles with my co-chair a week ahead." in text
    assert "Prioritise people" in text and "Preserve safety" not in text


def test_the_report_notebook_runs_in_a_real_kernel(store, account):
    nb = nbformat.read(
        REPO / "coprod_widgets" / "reports" / "notebooks" / "journal_report.ipynb", as_version=4
    )
    params = {"owner": OWNER, "entry_ids": [account.id], "form_id": NMC.id, "db": store.url}
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    html = nb.cells[-1].outputs[0]["data"]["text/html"]
    assert "I now agree roles with my co-chair a week ahead." in html


def test_tags_are_named_by_their_labels_in_every_format(store):
    """The report route names a tag as the page does (``Communities (who gains)``), never by
    its id, whether the export was prepared by the page or by the notebook on its own."""
    e = store.journal.create(
        OWNER, GIBBS, title="Tenants", tags=["benefits-scn/communities", "scie-four/equality"]
    )
    md = export_journal(store, OWNER, "md", entry_ids=[e.id]).data.decode()
    html = text_of(export_journal(store, OWNER, "html", entry_ids=[e.id]).data.decode())
    labels = "Communities (who gains); Equality (SCIE four principles of co-production)"
    assert f"- Tags: {labels}" in md and f"Tags {labels}" in html
    assert "benefits-scn" not in md + html
    from coprod_widgets.reports.export import run_notebook, to_html

    path = REPO / "coprod_widgets" / "reports" / "notebooks" / "journal_report.ipynb"
    alone = to_html(run_notebook(path, {"owner": OWNER, "entry_ids": [e.id], "db": store.url}))
    assert labels in text_of(alone) and "benefits-scn" not in alone
