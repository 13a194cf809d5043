"""Every Store method that writes typed text follows model.text: a broken character (a lone
surrogate from a paste), a control character or a text over its box's limit is refused with
InvalidInput naming the box, nothing at all is written for that call, and the next good text in
the same box saves as usual."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coprod_widgets.content.models import FormLibrary, ModelLibrary
from coprod_widgets.errors import InvalidInput
from coprod_widgets.model.text import LIMITS, label
from coprod_widgets.store.remote import RemoteMemberStore

from .test_remote import TOKEN, ApiServer

REPO = Path(__file__).resolve().parents[2]
MODELS = ModelLibrary([REPO / "data" / "reflective_models"])
FORMS = FormLibrary([REPO / "data" / "export_forms"])
GIBBS, PDSA = MODELS.get("gibbs"), MODELS.get("pdsa")
NMC, HCPC = FORMS.get("nmc-reflective-account"), FORMS.get("hcpc-cpd-profile")
ALICE = "user:alice"
ME = "tok-text-member-0123456789"
ROW = "0a1b2c3d4e"
LINE = "Fine ✓ 😀 café"  # one line: names, titles, roles
PARAGRAPH = "Fine ✓ 😀 café\n\tindented\nend"


def dump(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read straight from the file."""
    con = sqlite3.connect(db_path)
    try:
        names = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        return {n: sorted(con.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}
    finally:
        con.close()


@dataclass
class World:
    """One of everything a write can touch."""

    store: Any
    framework: Any
    anon: Any  # RoundLinks, anonymous, with roles
    named: Any  # RoundLinks, named
    entry: Any
    topic: Any
    plan_code: str
    action: Any


@pytest.fixture
def world(store, small_framework) -> World:
    anon = store.rounds.create("Riverside", small_framework, roles=["Staff", "Carer"])
    named = store.rounds.create("Named", small_framework, anonymous=False, roles=["Staff"])
    entry = store.journal.create(ALICE, GIBBS, title="First", stages={"description": "Hello"})
    topic = store.journal.create_topic(ALICE, "Welcoming new members")
    _, code = store.plans.create("Drop-in")
    action = store.actions.add(anon.round.id, "p1", "Ask first", lead="Sam")
    return World(store, small_framework, anon, named, entry, topic, code, action)


def _answer(w: World, links: Any) -> Any:
    answers = w.store.rounds.answers(links.round.id)
    return answers[0] if answers else None


def _comment(w: World) -> Any:
    a = _answer(w, w.anon)
    return a and a.comments.get("p1")


def _plan(w: World, key: str) -> Any:
    return w.store.plans.fields(w.plan_code).get(key)


def _setting(w: World) -> Any:
    return w.store.journal.form_settings(ALICE, w.entry.id, NMC.id).get("text:code")


@dataclass(frozen=True)
class Case:
    """One way typed text enters the store: how to write a value, how to read it back."""

    id: str
    field: str  # the key of model.text.LIMITS the box is held to
    write: Callable[[World, str], Any]
    read: Callable[[World], Any]
    good: str = PARAGRAPH
    too_long: int | None = None  # the first refused length, where a model check comes first


CASES = [
    Case(
        "save_comment",
        "evidence",
        lambda w, v: w.store.members.save_comment(w.anon.member_code, ME, "p1", v),
        _comment,
    ),
    Case(
        "save_profile name",
        "name",
        lambda w, v: w.store.members.save_profile(w.named.member_code, ME, name=v),
        lambda w: (a := _answer(w, w.named)) and a.name,
        good=LINE,
    ),
    Case(
        "save_profile role",
        "role",
        lambda w, v: w.store.members.save_profile(w.anon.member_code, ME, role=v),
        lambda w: (a := _answer(w, w.anon)) and a.role,
        good="Carer",
    ),
    Case(
        "create_round team",
        "team",
        lambda w, v: w.store.rounds.create(v, w.framework),
        lambda w: sorted(r.round.team for r in w.store.rounds.all()),
        good=LINE,
    ),
    Case(
        "create_round roles",
        "role",
        lambda w, v: w.store.rounds.create("Roles", w.framework, roles=["Staff", v]),
        lambda w: sorted(role for r in w.store.rounds.all() for role in r.round.roles),
        good=LINE,
    ),
    Case(
        "journal_create title",
        "journal_title",
        lambda w, v: w.store.journal.create(ALICE, GIBBS, title=v),
        lambda w: sorted(i.title for i in w.store.journal.find(ALICE).items),
        good=LINE,
    ),
    Case(
        "journal_create stage",
        "journal_stage",
        lambda w, v: w.store.journal.create(ALICE, GIBBS, stages={"feelings": v}),
        lambda w: [
            e.stages.get("feelings")
            for e in w.store.journal.entries(
                ALICE, [i.id for i in w.store.journal.find(ALICE).items]
            )
        ],
    ),
    Case(
        "journal_save title",
        "journal_title",
        lambda w, v: w.store.journal.save(ALICE, w.entry.id, "title", v),
        lambda w: w.store.journal.entry(ALICE, w.entry.id).title,
        good=LINE,
    ),
    Case(
        "journal_save_stage",
        "journal_stage",
        lambda w, v: w.store.journal.save_stage(ALICE, w.entry.id, "feelings", v),
        lambda w: w.store.journal.entry(ALICE, w.entry.id).stages.get("feelings"),
    ),
    Case(
        "journal_create_topic",
        "topic_title",
        lambda w, v: w.store.journal.create_topic(ALICE, v),
        lambda w: sorted(t.title for t in w.store.journal.topics(ALICE)),
        good=LINE,
    ),
    Case(
        "journal_update_topic title",
        "topic_title",
        lambda w, v: w.store.journal.update_topic(ALICE, w.topic.id, "title", v),
        lambda w: w.store.journal.topic(ALICE, w.topic.id).title,
        good=LINE,
    ),
    Case(
        "journal_save_form_part",
        "form_text",
        lambda w, v: w.store.journal.save_form_part(ALICE, HCPC, "practice-summary", v),
        lambda w: w.store.journal.form_parts(ALICE, HCPC.id).get("practice-summary"),
    ),
    Case(
        "journal_save_form_setting",
        "form_text",
        lambda w, v: w.store.journal.save_form_setting(
            ALICE, w.entry.id, NMC, GIBBS, "text:code", v
        ),
        _setting,
    ),
    Case(
        "create_plan title",
        "plan_title",
        lambda w, v: w.store.plans.create(v),
        lambda w: sorted(s.plan.title for s in w.store.plans.all()),
        good=LINE,
    ),
    Case(
        "save_plan_field title",
        "plan_title",
        lambda w, v: w.store.plans.save_field(w.plan_code, "title", v),
        lambda w: w.store.plans.by_code(w.plan_code).title,
        good=LINE,
    ),
    Case(
        "save_plan_field paragraph",
        "plan_field",
        lambda w, v: w.store.plans.save_field(w.plan_code, "purpose.decision", v),
        lambda w: _plan(w, "purpose.decision"),
    ),
    Case(
        "save_plan_field line",
        "plan_line",
        lambda w, v: w.store.plans.save_field(w.plan_code, "purpose.lead", v),
        lambda w: _plan(w, "purpose.lead"),
        good=LINE,
    ),
    Case(
        "save_plan_field with base",
        "plan_field",
        lambda w, v: w.store.plans.save_field(w.plan_code, "purpose.open", v, base=None),
        lambda w: _plan(w, "purpose.open"),
    ),
    Case(
        "save_plan_fields",
        "plan_line",
        lambda w, v: w.store.plans.save_fields(
            w.plan_code, {f"budget.{ROW}.what": v, f"budget.{ROW}.kind": "venue"}
        ),
        lambda w: _plan(w, f"budget.{ROW}.what"),
        good=LINE,
    ),
    Case(
        "add_action what",
        "action_text",
        lambda w, v: w.store.actions.add(w.anon.round.id, "p2", v),
        lambda w: [a.what for a in w.store.actions.for_round(w.anon.round.id)],
    ),
    Case(
        "add_action lead",
        "action_lead",
        lambda w, v: w.store.actions.add(w.anon.round.id, "p2", "Do it", lead=v),
        lambda w: [a.lead for a in w.store.actions.for_round(w.anon.round.id)],
        good=LINE,
    ),
    Case(
        "update_action what",
        "action_text",
        lambda w, v: w.store.actions.update(w.action.id, "what", v),
        lambda w: w.store.actions.get(w.action.id).what,
    ),
    Case(
        "update_action lead",
        "action_lead",
        lambda w, v: w.store.actions.update(w.action.id, "lead", v),
        lambda w: w.store.actions.get(w.action.id).lead,
        good=LINE,
    ),
    Case(
        "update_action review_note",
        "review_text",
        lambda w, v: w.store.actions.update(w.action.id, "review_note", v),
        lambda w: w.store.actions.get(w.action.id).review_note,
    ),
]


def bad_values(case: Case) -> list[tuple[str, str]]:
    n = case.too_long or LIMITS[case.field] + 1
    return [
        ("lone surrogate", "Before \ud800 after"),
        ("control character", "Before \x01 after"),
        ("NUL", "\x00"),
        ("over the limit", "x" * n),
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_text_is_refused_writes_nothing_and_the_box_still_saves(world, db_path, case):
    for what, value in bad_values(case):
        before_read, before = case.read(world), dump(db_path)
        with pytest.raises(InvalidInput) as e:
            case.write(world, value)
        msg = str(e.value)
        assert case.read(world) == before_read, what
        assert dump(db_path) == before, f"{case.id}: {what} wrote something"
        msg.encode("utf-8")  # the message can be shown and sent as JSON
        if what != "over the limit":
            assert "cannot be saved" in msg and "type it again" in msg, msg
        if what == "over the limit":
            assert f"{LIMITS[case.field]:,}" in msg or str(LIMITS[case.field]) in msg, msg
    case.write(world, case.good)
    got = case.read(world)
    assert got == case.good or case.good in got, (case.id, got)


def test_the_message_names_the_box(world):
    s = world.store
    with pytest.raises(InvalidInput, match="^The evidence box has a character that cannot"):
        s.members.save_comment(world.anon.member_code, ME, "p1", "\ud800")
    with pytest.raises(InvalidInput, match="^The evidence box is 20,001 characters long; the most"):
        s.members.save_comment(world.anon.member_code, ME, "p1", "x" * 20_001)
    with pytest.raises(InvalidInput, match="^The box “Feelings” has a character"):
        s.journal.save_stage(ALICE, world.entry.id, "feelings", "ok\x0b")
    with pytest.raises(InvalidInput, match="^The title box has a character"):
        s.journal.save(ALICE, world.entry.id, "title", "x\udc00")
    with pytest.raises(InvalidInput, match="^The box “What decision or service is at stake"):
        s.plans.save_field(world.plan_code, "purpose.decision", "\x1b[31m")
    with pytest.raises(InvalidInput, match=f"^{label('action_text')} has a character"):
        s.actions.update(world.action.id, "what", "\x7f")


def test_a_broken_character_does_not_stop_the_other_boxes_saving(world):
    s, code = world.store, world.anon.member_code
    with pytest.raises(InvalidInput):
        s.members.save_comment(code, ME, "p1", "pasted \ud83d")
    s.members.save_comment(code, ME, "p2", "the other box saves")
    s.members.save_rating(code, ME, "p1-a", 3)
    s.members.save_comment(code, ME, "p1", "pasted 😀")
    a = _answer(world, world.anon)
    assert a.comments == {"p1": "pasted 😀", "p2": "the other box saves"}


def test_newlines_are_stored_as_newlines(world):
    s = world.store
    s.members.save_comment(world.anon.member_code, ME, "p1", "one\r\ntwo\rthree")
    assert _comment(world) == "one\ntwo\nthree"
    s.journal.save_stage(ALICE, world.entry.id, "feelings", "a\r\nb")
    assert s.journal.entry(ALICE, world.entry.id).stages["feelings"] == "a\nb"


def test_a_page_sending_crlf_as_its_base_is_not_a_conflict(world):
    s, code = world.store, world.plan_code
    s.plans.save_field(code, "purpose.decision", "one\r\ntwo", base=None)
    assert _plan(world, "purpose.decision") == "one\ntwo"
    s.plans.save_field(code, "purpose.decision", "one\r\ntwo\r\nthree", base="one\r\ntwo")
    assert _plan(world, "purpose.decision") == "one\ntwo\nthree"


def test_text_already_saved_still_opens_and_its_round_continues(world, db_path):
    """Limits and characters are checked on write only: text written before these rules (or
    by hand) is read back as it is, and a team's next round keeps its name and roles."""
    s = world.store
    s.members.save_comment(world.anon.member_code, ME, "p1", "ok")
    s.actions.update(world.action.id, "review_note", "ok")
    con = sqlite3.connect(db_path)
    with con:
        con.execute("UPDATE comments SET text = ?", ("old \x01 " + "y" * 30_000,))
        con.execute(
            "UPDATE rounds SET team = ?, roles = ? WHERE id = ?",
            (
                "Team \x07",
                json.dumps(["Staff", "Car\x08er"]),
                world.anon.round.id,
            ),
        )
        con.execute(
            "UPDATE journal_entries SET title = ? WHERE id = ?", ("t" * 250, world.entry.id)
        )
        con.execute("UPDATE actions SET review_note = ?", ("z" * 9_000,))
    con.close()
    assert _comment(world).startswith("old \x01 ")
    assert s.members.member_view(world.anon.member_code, ME)["answer"]["comments"]["p1"].startswith(
        "old"
    )
    assert s.journal.entry(ALICE, world.entry.id).title == "t" * 250
    assert [i.title for i in s.journal.find(ALICE).items] == ["t" * 250]
    assert len(s.actions.get(world.action.id).review_note) == 9_000
    nxt = s.rounds.open_next(world.anon.round.id).round
    assert (nxt.team, nxt.roles) == ("Team \x07", ("Staff", "Car\x08er"))
    # Saving the over-long title again is refused with a message, and the text stays as it was.
    with pytest.raises(InvalidInput, match="title"):
        s.journal.save(ALICE, world.entry.id, "title", "t" * 250)
    assert s.journal.entry(ALICE, world.entry.id).title == "t" * 250


def test_a_cycle_keeps_its_number_whatever_the_length_of_its_topic(world):
    s = world.store
    topic = s.journal.create_topic(ALICE, "T" * 200)
    first = s.journal.start_cycle(ALICE, topic.id, PDSA)
    second = s.journal.start_cycle(ALICE, topic.id, PDSA)
    assert first.title.endswith("…: cycle 1") and second.title.endswith("…: cycle 2")
    assert len(first.title) == len(second.title) == LIMITS["journal_title"]
    short = s.journal.start_cycle(ALICE, world.topic.id, PDSA)
    assert short.title == "Welcoming new members: cycle 1"


# -- over HTTP: the member API a member's page uses under `coprod serve` -----------------------


@pytest.fixture
def remote(store):
    server = ApiServer(store).start()
    yield RemoteMemberStore(server.url, TOKEN, timeout=5), server
    server.stop()


def test_over_http_a_broken_character_is_a_400_with_the_message(remote, world):
    client, server = remote
    code = world.anon.member_code
    body = json.dumps({"code": code, "me": ME, "principle_id": "p1", "text": "x\ud800"})
    req = urllib.request.Request(
        f"{server.url}/save_comment",
        data=body.encode("ascii"),  # json.dumps escapes the surrogate as \ud800
        headers={"Content-Type": "application/json", "X-Coprod-Token": TOKEN},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=5)  # noqa: S310 - the test's own loopback server
    assert e.value.code == 400
    answer = json.loads(e.value.read().decode("utf-8"))
    assert answer["kind"] == "invalid"
    assert answer["error"].startswith("The evidence box has a character that cannot be saved")

    for bad in ("x\ud800", "x\x00", "x" * (LIMITS["evidence"] + 1)):
        with pytest.raises(InvalidInput, match="The evidence box"):
            client.save_comment(code, ME, "p1", bad)
    with pytest.raises(InvalidInput, match="The name box|role"):
        client.save_profile(code, ME, role="\udc00")
    client.save_comment(code, ME, "p1", "still saves 😀")
    assert client.member_view(code, ME)["answer"]["comments"] == {"p1": "still saves 😀"}
