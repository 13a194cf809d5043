"""The journal in the Store: saved stage by stage, versions kept, found by search and filters,
and private: another owner can reach nothing, by any method, by id or otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from coprod_widgets.content.models import FormLibrary, ModelLibrary
from coprod_widgets.errors import InvalidInput, NotFound
from coprod_widgets.reports.journal import export_journal, prepare
from coprod_widgets.store import Store
from coprod_widgets.store.migrations import migrate
from coprod_widgets.store.schema import SCHEMA_VERSION
from coprod_widgets.store.store import make_engine

REPO = Path(__file__).resolve().parents[2]
MODELS = ModelLibrary([REPO / "data" / "reflective_models"])
FORMS = FormLibrary([REPO / "data" / "export_forms"])
GIBBS, PDSA, KOLB = MODELS.get("gibbs"), MODELS.get("pdsa"), MODELS.get("kolb")
NMC = FORMS.get("nmc-reflective-account")
ALICE = "user:alice"
BOB = "key:" + "b" * 64


def age(store: Store, entry_id: int, minutes: int = 60) -> None:
    """Pretend the entry was last changed ``minutes`` ago (a break in editing)."""
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE journal_entries SET updated_at = "
                "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', :ago) WHERE id = :id"
            ),
            {"ago": f"-{minutes} minutes", "id": entry_id},
        )


@pytest.fixture
def entry(store):
    return store.journal.create(
        ALICE,
        GIBBS,
        title="Co-chairing the planning meeting",
        entry_date="2025-03-14",
        minutes=90,
        participatory=True,
        stages={"description": "A peer worker and I chaired the meeting together."},
        tags=["nef-nesta-six/assets"],
    )


# -- writing ------------------------------------------------------------------------------------


def test_an_entry_is_written_stage_by_stage_and_read_back(store, entry):
    store.journal.save_stage(ALICE, entry.id, "feelings", "Nervous, then relieved.")
    store.journal.save_stage(ALICE, entry.id, "feelings", "Nervous, then glad.")  # an upsert
    store.journal.save(ALICE, entry.id, "title", "  Co-chairing  ")
    store.journal.set_tag(ALICE, entry.id, "six-areas-of-benefit/job-satisfaction")
    store.journal.set_tag(ALICE, entry.id, "nef-nesta-six/assets", on=False)
    got = store.journal.entry(ALICE, entry.id)
    assert got.title == "Co-chairing"
    assert got.stages == {
        "description": "A peer worker and I chaired the meeting together.",
        "feelings": "Nervous, then glad.",
    }
    assert got.tags == ("six-areas-of-benefit/job-satisfaction",)
    assert (got.minutes, got.participatory, got.model_key, got.status) == (
        90,
        True,
        "gibbs@1.0",
        "draft",
    )


def test_two_tabs_writing_different_stages_do_not_overwrite_each_other(store, entry):
    # Each tab saves only the stage it edits: neither save carries the other tab's stale text.
    store.journal.save_stage(ALICE, entry.id, "feelings", "Tab one.")
    store.journal.save_stage(ALICE, entry.id, "analysis", "Tab two.")
    store.journal.save_stage(ALICE, entry.id, "feelings", "Tab one, more.")
    got = store.journal.entry(ALICE, entry.id).stages
    assert got["feelings"] == "Tab one, more." and got["analysis"] == "Tab two."


def test_bad_input_says_which_field_and_changes_nothing(store, entry):
    before = store.journal.entry(ALICE, entry.id)
    for call, match in (
        (lambda: store.journal.save(ALICE, entry.id, "entry_date", "14/03/2025"), "date"),
        (lambda: store.journal.save(ALICE, entry.id, "minutes", -5), "time spent"),
        (lambda: store.journal.save(ALICE, entry.id, "owner", BOB), "not a field"),
        (lambda: store.journal.save_stage(ALICE, entry.id, "act", "x"), "no stage 'act'"),
        (lambda: store.journal.set_tag(ALICE, entry.id, "DROP TABLE"), "not a tag"),
        (lambda: store.journal.create(ALICE, GIBBS, title="x" * 300), "title"),
    ):
        with pytest.raises(InvalidInput, match=match):
            call()
    assert store.journal.entry(ALICE, entry.id) == before
    assert store.journal.find(ALICE).totals.entries == 1


def test_changing_the_model_keeps_the_text_of_the_old_stages(store, entry):
    store.journal.set_model(ALICE, entry.id, KOLB)
    store.journal.save_stage(ALICE, entry.id, "concrete-experience", "The meeting.")
    got = store.journal.entry(ALICE, entry.id)
    assert got.model_id == "kolb"
    assert got.stages["description"].startswith("A peer worker")
    assert store.journal.model("gibbs", "1.0").title == GIBBS.title


# -- versions -------------------------------------------------------------------------------------


def test_another_file_with_the_same_model_id_and_version_changes_nobodys_entries(store, entry):
    """Bob's own 'gibbs' 1.0 (or a trainer's edit without a new version) must not rewrite the
    stages Alice's entry was written with."""
    from dataclasses import replace

    bobs = replace(GIBBS, stages=GIBBS.stages[:2])
    theirs = store.journal.create(BOB, bobs, title="Mine", stages={"feelings": "Fine."})
    assert entry.model_version == "1.0" and theirs.model_version.startswith("1.0+")
    assert store.journal.model("gibbs", entry.model_version) == GIBBS
    assert store.journal.model("gibbs", theirs.model_version) == bobs
    # Alice can still write every stage of her entry, Bob's model notwithstanding.
    store.journal.save_stage(ALICE, entry.id, "action-plan", "Co-chair again next month.")
    again = store.journal.create(ALICE, GIBBS, title="Again")
    assert again.model_version == entry.model_version  # the same content, the same key
    fresh = Store(store.url)  # a new process: nothing from the cache
    assert fresh.journal.model("gibbs", entry.model_version) == GIBBS
    assert fresh.journal.model("gibbs", theirs.model_version) == bobs


def test_typing_keeps_no_versions_but_finishing_and_coming_back_later_do(store, entry):
    for text in ("N", "Ne", "Nervous"):
        store.journal.save_stage(ALICE, entry.id, "feelings", text)
    assert store.journal.versions(ALICE, entry.id) == []

    done = store.journal.finish(ALICE, entry.id)
    assert done.status == "finished" and done.versions == 1
    [v1] = store.journal.versions(ALICE, entry.id)
    assert (v1.number, v1.reason, v1.content["stages"]["feelings"]) == (1, "finished", "Nervous")
    store.journal.finish(ALICE, entry.id)  # nothing changed: no second copy
    assert len(store.journal.versions(ALICE, entry.id)) == 1

    store.journal.save_stage(ALICE, entry.id, "feelings", "Calm.")  # straight after: same session
    assert len(store.journal.versions(ALICE, entry.id)) == 1
    age(store, entry.id)
    store.journal.save_stage(ALICE, entry.id, "feelings", "Calm, the next week.")
    versions = store.journal.versions(ALICE, entry.id)
    assert [(v.number, v.reason) for v in versions] == [(1, "finished"), (2, "before editing")]
    assert versions[1].content["stages"]["feelings"] == "Calm."


def test_wiping_most_of_a_stage_in_one_go_keeps_it_as_it_was(store, entry):
    long = "We agreed the agenda with the peer worker the week before. " * 5
    store.journal.save_stage(ALICE, entry.id, "analysis", long)
    store.journal.save_stage(ALICE, entry.id, "analysis", long + " More.")  # typing: no version
    assert store.journal.versions(ALICE, entry.id) == []
    store.journal.save_stage(ALICE, entry.id, "analysis", "")  # select all, delete
    (v,) = store.journal.versions(ALICE, entry.id)
    assert v.reason == "before a large deletion"
    assert v.content["stages"]["analysis"] == long + " More."
    store.journal.save_stage(ALICE, entry.id, "analysis", "A")  # typing again: no more
    assert len(store.journal.versions(ALICE, entry.id)) == 1


def test_an_earlier_version_comes_back_and_what_it_replaces_is_kept(store, entry):
    store.journal.save_stage(ALICE, entry.id, "feelings", "First thoughts.")
    store.journal.finish(ALICE, entry.id)
    age(store, entry.id)
    store.journal.save_stage(ALICE, entry.id, "feelings", "Second thoughts.")
    store.journal.save(ALICE, entry.id, "title", "Renamed")
    back = store.journal.restore(ALICE, entry.id, 1)
    assert back.stages["feelings"] == "First thoughts."
    assert back.title == "Co-chairing the planning meeting"
    last = store.journal.versions(ALICE, entry.id)[-1]
    assert (
        last.reason == "before restoring"
        and last.content["stages"]["feelings"] == "Second thoughts."
    )
    assert store.journal.find(ALICE, "second").totals.entries == 0  # the index followed
    assert store.journal.find(ALICE, "first thoughts").totals.entries == 1
    with pytest.raises(NotFound):
        store.journal.restore(ALICE, entry.id, 99)


# -- finding ----------------------------------------------------------------------------------------


@pytest.fixture
def journal(store):
    def add(owner, title, day, model=GIBBS, minutes=60, participatory=False, tags=(), **stages):
        return store.journal.create(
            owner,
            model,
            title=title,
            entry_date=f"2025-03-{day:02d}",
            minutes=minutes,
            participatory=participatory,
            tags=tags,
            stages=stages,
        )

    a = add(
        ALICE,
        "Peer support group",
        3,
        tags=["scie-four/reciprocity"],
        description="We paid peer supporters for their time.",
    )
    b = add(
        ALICE,
        "Ward round",
        10,
        participatory=True,
        description="Co-produced care planning on the ward.",
    )
    c = add(
        ALICE,
        "Reading week",
        20,
        model=KOLB,
        minutes=120,
        tags=["scie-four/reciprocity"],
        **{"concrete-experience": "I read about reciprocity and peer networks."},
    )
    add(BOB, "Bob's peer supervision", 12, description="Peer supervision, with peer workers.")
    return a, b, c


def ids(page):
    return [i.id for i in page.items]


def test_the_list_is_newest_first_with_totals_of_everything_that_matches(store, journal):
    a, b, c = journal
    page = store.journal.find(ALICE)
    assert ids(page) == [c.id, b.id, a.id]
    assert (page.totals.entries, page.totals.minutes, page.totals.participatory_minutes) == (
        3,
        240,
        60,
    )
    first = store.journal.find(ALICE, limit=2)
    assert ids(first) == [c.id, b.id] and first.more and first.totals.entries == 3
    rest = store.journal.find(ALICE, limit=2, offset=2)
    assert ids(rest) == [a.id] and not rest.more
    assert page.items[0].preview == "I read about reciprocity and peer networks."


def test_filters_by_tag_model_and_date(store, journal):
    a, b, c = journal
    assert ids(store.journal.find(ALICE, tag="scie-four/reciprocity")) == [c.id, a.id]
    assert ids(store.journal.find(ALICE, model_id="kolb")) == [c.id]
    assert ids(store.journal.find(ALICE, date_from="2025-03-05", date_to="2025-03-15")) == [b.id]
    assert store.journal.tag_counts(ALICE) == {"scie-four/reciprocity": 2}
    assert store.journal.model_counts(ALICE) == {"gibbs": 2, "kolb": 1}


@pytest.mark.parametrize("fts", [True, False], ids=["fts5", "like"])
def test_full_text_search_finds_words_in_title_and_stages_for_the_owner_only(store, journal, fts):
    a, b, c = journal
    assert store.journal.fts  # SQLite here has FTS5
    store.journal.fts = fts
    assert ids(store.journal.find(ALICE, "peer")) == [c.id, a.id]
    assert ids(store.journal.find(ALICE, "PEER networks")) == [c.id]  # every word must appear
    assert ids(store.journal.find(ALICE, "ward")) == [b.id]  # the title counts
    assert ids(
        store.journal.find(ALICE, "peer", tag="scie-four/reciprocity", model_id="gibbs")
    ) == [a.id]
    assert store.journal.find(ALICE, "supervision").totals.entries == 0  # Bob's words
    for odd in ('"', "NEAR(", "peer*", "a OR b", "%", "_", "'; DROP TABLE journal_entries; --"):
        store.journal.find(ALICE, odd)  # never an error, never SQL


def test_search_marks_the_words_it_matched(store, journal):
    [item] = store.journal.find(ALICE, "networks").items
    assert "\x02networks\x03" in item.preview


def test_the_index_follows_every_edit(store, entry):
    store.journal.save_stage(ALICE, entry.id, "description", "Something else entirely.")
    assert store.journal.find(ALICE, "chaired").totals.entries == 0
    assert store.journal.find(ALICE, "entirely").totals.entries == 1
    store.journal.save(ALICE, entry.id, "title", "Lantern")
    assert store.journal.find(ALICE, "lantern").totals.entries == 1


# -- cycles -----------------------------------------------------------------------------------------


def test_a_topic_runs_through_cycles_each_starting_from_the_last_act(store):
    topic = store.journal.create_topic(ALICE, "Welcoming new members")
    assert topic.model_id == "pdsa"
    one = store.journal.start_cycle(ALICE, topic.id, PDSA)
    assert (one.cycle, one.title, one.stages, one.topic_id) == (
        1,
        "Welcoming new members: cycle 1",
        {},
        topic.id,
    )
    store.journal.save_stage(ALICE, one.id, "aim", "All new members feel welcome.")
    store.journal.save_stage(ALICE, one.id, "act", "Adapt: phone before the first meeting.")
    two = store.journal.start_cycle(ALICE, topic.id, PDSA)
    assert two.cycle == 2
    assert two.stages == {
        "aim": "All new members feel welcome.",
        "plan": "Adapt: phone before the first meeting.",
    }
    assert [c.id for c in store.journal.cycles(ALICE, topic.id)] == [one.id, two.id]
    assert store.journal.topics(ALICE)[0].cycles == 2
    closed = store.journal.update_topic(ALICE, topic.id, "status", "closed")
    assert closed.status == "closed"
    with pytest.raises(InvalidInput, match="give it a title"):
        store.journal.create_topic(ALICE, "  ")


# -- privacy ----------------------------------------------------------------------------------------


def test_another_owner_can_reach_nothing_by_any_method(store, journal):
    a, b, c = journal
    store.journal.finish(ALICE, a.id)
    topic = store.journal.create_topic(ALICE, "Alice's topic")
    cycle = store.journal.start_cycle(ALICE, topic.id, PDSA)
    store.journal.save_form_part(
        ALICE, FORMS.get("hcpc-cpd-profile"), "practice-summary", "Alice's practice."
    )
    before = {e.id: store.journal.entry(ALICE, e.id) for e in (a, b, c, cycle)}

    page = store.journal.find(BOB)
    assert [i.title for i in page.items] == ["Bob's peer supervision"]
    assert store.journal.find(BOB, "reciprocity").totals.entries == 0
    assert store.journal.find(BOB, tag="scie-four/reciprocity").totals.entries == 0
    assert store.journal.find(BOB, topic_id=topic.id).totals.entries == 0
    assert store.journal.tag_counts(BOB) == {}
    assert store.journal.topics(BOB) == []
    assert store.journal.form_parts(BOB, "hcpc-cpd-profile") == {}

    missing = 10_000
    with pytest.raises(NotFound) as nf:
        store.journal.entry(ALICE, missing)
    assert str(nf.value) == f"there is no journal entry {missing}"
    calls = [
        lambda eid: store.journal.entry(BOB, eid),
        lambda eid: store.journal.entries(BOB, [eid]),
        lambda eid: store.journal.versions(BOB, eid),
        lambda eid: store.journal.restore(BOB, eid, 1),
        lambda eid: store.journal.save(BOB, eid, "title", "Mine now"),
        lambda eid: store.journal.save_stage(BOB, eid, "description", "Overwritten"),
        lambda eid: store.journal.set_tag(BOB, eid, "scie-four/equality"),
        lambda eid: store.journal.set_model(BOB, eid, KOLB),
        lambda eid: store.journal.finish(BOB, eid),
        lambda eid: store.journal.form_settings(BOB, eid, NMC.id),
        lambda eid: store.journal.save_form_setting(BOB, eid, NMC, GIBBS, "text:code", "x"),
        lambda eid: prepare(store, BOB, entry_ids=[eid], titles={}),
        lambda eid: export_journal(store, BOB, "md", entry_ids=[eid], form=NMC),
    ]
    for eid in (a.id, cycle.id):
        for call in calls:
            with pytest.raises(NotFound) as nf:
                call(eid)
            # The same words as a missing entry: nobody can tell "not yours" from "not there".
            assert str(nf.value) == f"there is no journal entry {eid}"
    for call in (
        lambda: store.journal.topic(BOB, topic.id),
        lambda: store.journal.cycles(BOB, topic.id),
        lambda: store.journal.start_cycle(BOB, topic.id, PDSA),
        lambda: store.journal.update_topic(BOB, topic.id, "status", "closed"),
        lambda: store.journal.create(BOB, GIBBS, topic_id=topic.id),
        lambda: prepare(store, BOB, topic_id=topic.id, titles={}),
    ):
        with pytest.raises(NotFound, match=f"there is no topic {topic.id}"):
            call()
    assert {e.id: store.journal.entry(ALICE, e.id) for e in (a, b, c, cycle)} == before
    assert store.journal.topic(ALICE, topic.id).status == "open"
    assert store.journal.form_parts(ALICE, "hcpc-cpd-profile") == {
        "practice-summary": "Alice's practice."
    }


@pytest.mark.parametrize("owner", ["", "%", "user:", None])
def test_no_call_runs_without_a_proper_owner(store, journal, owner):
    for call in (
        lambda: store.journal.find(owner),
        lambda: store.journal.entry(owner, journal[0].id),
        lambda: store.journal.tag_counts(owner),
        lambda: store.journal.topics(owner),
    ):
        with pytest.raises(InvalidInput, match="whose journal"):
            call()


def test_only_the_hash_of_a_served_key_is_stored(store):
    from coprod_widgets.identity import journal_key_owner

    key = "Zr3_private-key-0123456789"
    owner = journal_key_owner(key)
    store.journal.create(owner, GIBBS, title="Mine")
    with store.engine.connect() as conn:
        dump = "\n".join(str(r) for r in conn.execute(sa.text("SELECT * FROM journal_entries")))
    assert key not in dump and owner in dump and len(owner) == 4 + 64


# -- the schema -------------------------------------------------------------------------------------


def test_a_v3_database_with_rounds_opens_with_the_journal(db_url, small_framework):
    engine = make_engine(db_url)
    assert migrate(engine, target=3) == 3
    engine.dispose()
    store = Store(db_url)
    try:
        links = store.rounds.create("Old team", small_framework)
        with store.engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version FROM schema_version")).scalar()
            tables = set(sa.inspect(conn).get_table_names())
        assert version == SCHEMA_VERSION  # the latest, whatever came after the journal (v4)
        assert {"journal_entries", "journal_stages", "journal_fts", "journal_versions"} <= tables
        e = store.journal.create(ALICE, GIBBS, stages={"description": "After the upgrade."})
        assert store.journal.find(ALICE, "upgrade").items[0].id == e.id
        assert store.rounds.get(links.round.id).team == "Old team"
    finally:
        store.close()
