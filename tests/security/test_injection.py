"""The injection corpus against the fields and pages added for issues 10 and 11: a journal's
name (its page header and the server's question page), the notes beside a box, the save status
and its acknowledgements, the plain pages the server writes itself, and a member's evidence on
the results page and in the report's data."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from coprod_widgets.apps.journal import JournalApp
from coprod_widgets.content.models import FormLibrary, ModelLibrary
from coprod_widgets.server import pages
from coprod_widgets.widgets import FieldNote, SaveStatus

from .corpus import CORPUS, live_markup

OWNER = "user:attacker-test"


@pytest.mark.parametrize("text", CORPUS)
def test_a_journal_name_is_shown_as_typed_and_runs_nothing(store, text):
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    store.journal.set_name(OWNER, text)
    app = JournalApp(
        store,
        OWNER,
        models=ModelLibrary([repo / "data" / "reflective_models"]),
        forms=FormLibrary([repo / "data" / "export_forms"]),
    )
    header = app.header.value
    assert not live_markup(header), header
    assert text in unescape(header)
    # the server's question page names the journal the same safe way
    page = pages.choice(
        "Open another journal?",
        [f"This link opens {pages.journal_label(text, 2)}."],
        "/journal/x",
        {"key": text},
        "",
        [("keep", text), ("link", "Open it")],
    )
    assert not live_markup(page), page
    assert unescape(page).count(text) >= 3


@pytest.mark.parametrize("text", CORPUS)
def test_notes_and_the_save_status_escape_what_they_say(text):
    note = FieldNote()
    note.message, note.counter = text, text
    assert not live_markup(note.value) and unescape(note.value).count(text) == 2

    status = SaveStatus()
    status.state, status.message = "error", text
    status.acks = {text: "0011aabb"}
    assert not live_markup(status.value), status.value
    acks = re.search(r"data-acks='([^']*)'", status.value)
    assert acks and json.loads(unescape(acks.group(1))) == {text: "0011aabb"}


@pytest.mark.parametrize("text", CORPUS)
def test_the_servers_plain_pages_escape_what_they_say(text):
    for html in (pages.message(text, text), pages.page(text, "<p>fixed</p>")):
        assert not live_markup(html), html
        assert text in unescape(html)


def test_every_corpus_entry_as_evidence_reaches_the_results_as_text(store, framework):
    from coprod_widgets.apps.results import TeamResultsApp

    links = store.rounds.create("Corpus team", framework, min_answers=3)
    principle = framework.principles[0]
    members = [f"corpus-member-{i:04d}-abcdefgh" for i in range(len(CORPUS))]
    for me, text in zip(members, CORPUS, strict=True):
        store.members.save_rating(links.member_code, me, principle.statements[0].id, 3)
        store.members.save_comment(links.member_code, me, principle.id, text)
        store.members.submit(links.member_code, me)
    app = TeamResultsApp(store, links.facilitator_code)
    lists = re.findall(r"<ul class='coprod-comments'>.*?</ul>", app.body.value, re.S)
    assert lists, "the comments are shown"
    html = "".join(lists)
    assert not live_markup(html), html
    shown = unescape(re.sub(r"<[^>]+>", "", html))
    for text in CORPUS:
        assert text in shown, text
