"""The Store against a real SQLite file: rounds, links, a member's answers and their privacy."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from coprod_widgets.content import load_framework
from coprod_widgets.errors import Closed, InvalidInput, NotFound
from coprod_widgets.model.framework import Framework
from coprod_widgets.model.rounds import Rating, Round
from coprod_widgets.store import Store

ME = "tok-member-one-0123456789"
ME2 = "tok-member-two-9876543210"


def raw(db_path: Path, table: str) -> list[dict]:
    """Rows of a table read straight from the file, without the Store."""
    con = sqlite3.connect(db_path)
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(f"SELECT * FROM {table} ORDER BY rowid")]
    finally:
        con.close()


def dump(db_path: Path) -> dict[str, list[dict]]:
    return {t: raw(db_path, t) for t in ("rounds", "responses", "ratings", "comments")}


@pytest.fixture
def links(store, framework):
    return store.rounds.create("Riverside", framework, roles=["Staff", "Carer"])


@pytest.fixture
def named(store, framework):
    return store.rounds.create("Named team", framework, anonymous=False, roles=["Staff"])


# -- rounds and links -----------------------------------------------------------------------


def test_create_round_gives_two_different_codes(store, framework):
    links = store.rounds.create("  Riverside  ", framework, min_answers=4, roles=[" Staff ", ""])
    r = links.round
    assert r.team == "Riverside"
    assert (r.framework_id, r.framework_version) == ("nef-nesta-six", "1.0")
    assert r.anonymous is True
    assert r.min_answers == 4
    assert r.roles == ("Staff",)
    assert r.status == "open" and r.is_open and r.closed_at is None
    assert r.created_at
    assert links.member_code != links.facilitator_code
    assert len(links.member_code) >= 20 and len(links.facilitator_code) >= 20


def test_codes_differ_between_rounds(store, small_framework):
    a = store.rounds.create("A", small_framework)
    b = store.rounds.create("B", small_framework)
    codes = {a.member_code, a.facilitator_code, b.member_code, b.facilitator_code}
    assert len(codes) == 4
    assert b.round.id == a.round.id + 1


def test_invalid_round_settings_create_nothing(store, small_framework, db_path):
    with pytest.raises(InvalidInput, match="team name"):
        store.rounds.create("   ", small_framework)
    with pytest.raises(InvalidInput, match="minimum answers"):
        store.rounds.create("T", small_framework, min_answers=0)
    assert store.rounds.all() == []
    assert raw(db_path, "rounds") == []


def test_list_rounds_counts_submitted_and_in_progress(store, framework, small_framework):
    a = store.rounds.create("A", framework)
    b = store.rounds.create("B", small_framework)
    for me in (ME, ME2):
        store.members.save_rating(a.member_code, me, "assets-1", 3)
    store.members.submit(a.member_code, ME)
    rows = store.rounds.all()
    assert [s.round.id for s in rows] == [a.round.id, b.round.id]
    sa, sb = rows
    assert (sa.round.team, sa.submitted, sa.in_progress) == ("A", 1, 1)
    assert (sb.round.team, sb.submitted, sb.in_progress) == ("B", 0, 0)
    assert (sa.member_code, sa.facilitator_code) == (a.member_code, a.facilitator_code)
    assert sb.round.framework_id == "small"


def test_links_give_back_the_codes(store, links):
    again = store.rounds.links(links.round.id)
    assert again == links


def test_unknown_round_id(store):
    with pytest.raises(NotFound):
        store.rounds.links(999)
    with pytest.raises(NotFound):
        store.rounds.get(999)
    with pytest.raises(NotFound):
        store.rounds.framework(999)
    with pytest.raises(NotFound):
        store.rounds.close(999)


def test_round_by_code_member_and_facilitator(store, links):
    rnd, kind = store.rounds.by_code(links.member_code)
    assert (rnd.id, kind) == (links.round.id, "member")
    rnd, kind = store.rounds.by_code(links.facilitator_code)
    assert (rnd.id, kind) == (links.round.id, "facilitator")


@pytest.mark.parametrize("code", ["", "nonsense", "x" * 64, "x" * 65, None, 42])
def test_round_by_code_unknown_raises_not_found(store, links, code):
    with pytest.raises(NotFound, match="not recognised"):
        store.rounds.by_code(code)


def test_over_long_code_is_refused_even_if_it_starts_with_a_real_one(store, links):
    with pytest.raises(NotFound):
        store.rounds.by_code(links.member_code + "x" * 64)


def test_framework_snapshot_survives_the_yaml_changing(store, tmp_path):
    src = Path(__file__).resolve().parents[2] / "data" / "frameworks" / "scie-four.yaml"
    path = tmp_path / "scie-four.yaml"
    path.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    before = load_framework(path)
    links = store.rounds.create("Snapshot", before)

    text = path.read_text(encoding="utf-8")
    text = text.replace("title: SCIE four principles", "title: Edited title", 1)
    text = text.replace("      - id: equality-3\n", "      - id: equality-99\n", 1)
    path.write_text(text, encoding="utf-8")
    after = load_framework(path)
    assert after != before and after.title.startswith("Edited title")

    stored = store.rounds.framework(links.round.id)
    assert stored == before
    assert stored.title == before.title
    # The round still takes the statements it was created with, and not the new one.
    store.members.save_rating(links.member_code, ME, "equality-3", 2)
    with pytest.raises(InvalidInput):
        store.members.save_rating(links.member_code, ME, "equality-99", 2)


# -- a member's answers ---------------------------------------------------------------------


def test_save_rating_is_an_upsert(store, links, db_path):
    code = links.member_code
    ts1 = store.members.save_rating(code, ME, "assets-1", 2)
    ts2 = store.members.save_rating(code, ME, "assets-1", 5)
    assert ts1 and ts2 >= ts1
    rows = raw(db_path, "ratings")
    assert len(rows) == 1
    assert (rows[0]["statement_id"], rows[0]["value"], rows[0]["dont_know"]) == ("assets-1", 5, 0)
    [answer] = store.rounds.answers(links.round.id)
    assert answer.ratings == {"assets-1": Rating(5, False)}
    assert answer.status == "draft"
    assert len(raw(db_path, "responses")) == 1


def test_dont_know_and_clearing_replace_the_value(store, links):
    code = links.member_code
    store.members.save_rating(code, ME, "assets-1", 4)
    store.members.save_rating(code, ME, "assets-1", None, dont_know=True)
    assert store.rounds.answers(links.round.id)[0].rating("assets-1") == Rating(None, True)
    store.members.save_rating(code, ME, "assets-1", None)
    r = store.rounds.answers(links.round.id)[0].rating("assets-1")
    assert r == Rating(None, False) and not r.answered


def test_save_comment_is_an_upsert(store, links, db_path):
    code = links.member_code
    store.members.save_comment(code, ME, "assets", "first")
    store.members.save_comment(code, ME, "assets", "second <b>text</b>")
    store.members.save_comment(code, ME, "catalysts", "other")
    assert store.rounds.answers(links.round.id)[0].comments == {
        "assets": "second <b>text</b>",
        "catalysts": "other",
    }
    assert len(raw(db_path, "comments")) == 2


def test_save_comment_rejects_unknown_principle(store, links, db_path):
    with pytest.raises(InvalidInput):
        store.members.save_comment(links.member_code, ME, "assets-1", "a statement id")
    assert raw(db_path, "responses") == []


def test_anonymous_round_never_stores_a_name(store, links, db_path):
    store.members.save_profile(links.member_code, ME, name="Ann Example", role="Carer")
    [answer] = store.rounds.answers(links.round.id)
    assert (answer.name, answer.role) == ("", "Carer")
    assert store.members.member_view(links.member_code, ME)["answer"]["name"] == ""
    con = sqlite3.connect(db_path)
    try:
        dumped = "\n".join(con.iterdump())
    finally:
        con.close()
    assert "Ann Example" not in dumped


def test_named_round_stores_name_and_role(store, named):
    store.members.save_profile(named.member_code, ME, name="  Ann  ", role="Staff")
    [answer] = store.rounds.answers(named.round.id)
    assert (answer.name, answer.role) == ("Ann", "Staff")


def test_role_must_be_one_of_the_rounds_roles(store, links, db_path):
    with pytest.raises(InvalidInput, match="Staff, Carer"):
        store.members.save_profile(links.member_code, ME, role="Manager")
    assert raw(db_path, "responses") == []
    store.members.save_profile(links.member_code, ME, role="")  # no role is fine
    assert store.rounds.answers(links.round.id)[0].role == ""


def test_role_in_round_without_roles(store, small_framework):
    links = store.rounds.create("No roles", small_framework)
    with pytest.raises(InvalidInput, match="none"):
        store.members.save_profile(links.member_code, ME, role="Staff")


def test_over_long_name_is_refused(store, named):
    with pytest.raises(InvalidInput, match="200"):
        store.members.save_profile(named.member_code, ME, name="x" * 201)


def test_submit_marks_submitted_and_answers_can_still_change(store, links):
    code = links.member_code
    store.members.save_rating(code, ME, "assets-1", 3)
    ts = store.members.submit(code, ME)
    [answer] = store.rounds.answers(links.round.id)
    assert answer.submitted and answer.submitted_at == ts
    store.members.save_rating(code, ME, "assets-1", 4)  # open round: still changeable
    [answer] = store.rounds.answers(links.round.id)
    assert answer.submitted and answer.rating("assets-1").value == 4


def test_submit_with_nothing_saved_creates_the_response(store, links):
    store.members.submit(links.member_code, ME)
    assert [a.status for a in store.rounds.answers(links.round.id)] == ["submitted"]


def test_named_round_requires_a_name_to_submit(store, named):
    code = named.member_code
    store.members.save_rating(code, ME, "assets-1", 3)
    with pytest.raises(InvalidInput, match="name"):
        store.members.submit(code, ME)
    assert store.rounds.answers(named.round.id)[0].status == "draft"
    store.members.save_profile(code, ME, name="Ann")
    store.members.submit(code, ME)
    assert store.rounds.answers(named.round.id)[0].status == "submitted"


def test_named_round_with_no_answer_at_all_cannot_submit(store, named, db_path):
    with pytest.raises(InvalidInput, match="name"):
        store.members.submit(named.member_code, ME)
    assert raw(db_path, "responses") == []


@pytest.mark.parametrize(
    "write",
    [
        lambda s, c: s.members.save_rating(c, ME, "assets-1", 1),
        lambda s, c: s.members.save_rating(c, ME2, "assets-2", None, dont_know=True),
        lambda s, c: s.members.save_comment(c, ME, "assets", "changed"),
        lambda s, c: s.members.save_profile(c, ME, role="Staff"),
        lambda s, c: s.members.submit(c, ME),
    ],
    ids=["rating", "new-member", "comment", "profile", "submit"],
)
def test_closed_round_refuses_every_write(store, links, db_path, write):
    code = links.member_code
    store.members.save_rating(code, ME, "assets-1", 4)
    store.members.save_comment(code, ME, "assets", "before")
    store.members.save_profile(code, ME, role="Carer")
    closed = store.rounds.close(links.round.id)
    assert closed.status == "closed" and closed.closed_at
    before = dump(db_path)
    with pytest.raises(Closed, match="closed"):
        write(store, code)
    assert dump(db_path) == before


def test_closed_round_can_still_be_read(store, links):
    store.members.save_rating(links.member_code, ME, "assets-1", 4)
    store.rounds.close(links.round.id)
    view = store.members.member_view(links.member_code, ME)
    assert view["round"]["status"] == "closed"
    assert view["answer"]["ratings"]["assets-1"]["value"] == 4


def test_closing_twice_keeps_the_first_time(store, links):
    first = store.rounds.close(links.round.id)
    second = store.rounds.close(links.round.id)
    assert second.status == "closed" and second.closed_at == first.closed_at


@pytest.mark.parametrize(
    ("statement_id", "value", "dont_know"),
    [
        ("assets-1", 0, False),
        ("assets-1", 6, False),
        ("assets-1", True, False),
        ("assets-1", 3.0, False),
        ("assets-1", "3", False),
        ("assets-1", 3, True),
        ("no-such-statement", 3, False),
        ("assets", 3, False),
    ],
)
def test_invalid_ratings_write_nothing(store, links, db_path, statement_id, value, dont_know):
    with pytest.raises(InvalidInput):
        store.members.save_rating(links.member_code, ME, statement_id, value, dont_know)
    assert raw(db_path, "responses") == []
    assert raw(db_path, "ratings") == []


def test_invalid_rating_keeps_the_earlier_value(store, links):
    store.members.save_rating(links.member_code, ME, "assets-1", 2)
    with pytest.raises(InvalidInput):
        store.members.save_rating(links.member_code, ME, "assets-1", 7)
    assert store.rounds.answers(links.round.id)[0].rating("assets-1") == Rating(2, False)


@pytest.mark.parametrize("me", ["", "short", None, "x" * 201])
def test_member_token_must_look_like_one(store, links, db_path, me):
    with pytest.raises(InvalidInput, match="open your link again"):
        store.members.save_rating(links.member_code, me, "assets-1", 3)
    assert raw(db_path, "responses") == []


def test_facilitator_code_cannot_write_answers(store, links, db_path):
    with pytest.raises(NotFound, match="not a member link"):
        store.members.save_rating(links.facilitator_code, ME, "assets-1", 3)
    with pytest.raises(NotFound):
        store.members.member_view(links.facilitator_code, ME)
    assert raw(db_path, "responses") == []


def test_two_members_never_overwrite_each_other(store, links):
    code = links.member_code
    store.members.save_rating(code, ME, "assets-1", 1)
    store.members.save_rating(code, ME2, "assets-1", 5)
    store.members.save_comment(code, ME, "assets", "mine")
    store.members.save_comment(code, ME2, "assets", "theirs")
    store.members.save_profile(code, ME2, role="Staff")
    store.members.submit(code, ME2)

    mine = store.members.member_view(code, ME)["answer"]
    theirs = store.members.member_view(code, ME2)["answer"]
    assert mine["ratings"]["assets-1"]["value"] == 1
    assert theirs["ratings"]["assets-1"]["value"] == 5
    assert (mine["comments"], theirs["comments"]) == ({"assets": "mine"}, {"assets": "theirs"})
    assert (mine["status"], theirs["status"]) == ("draft", "submitted")
    assert (mine["role"], theirs["role"]) == ("", "Staff")
    assert len(store.rounds.answers(links.round.id)) == 2


def test_member_view_is_json_and_starts_empty(store, links, framework):
    view = json.loads(
        json.dumps(store.members.member_view(links.member_code, ME))
    )  # what HTTP carries
    assert Framework.from_dict(view["framework"]) == framework
    assert Round.from_dict(view["round"]) == links.round
    assert view["round"]["id"] == links.round.id
    assert view["round"]["roles"] == ["Staff", "Carer"]
    assert view["framework"]["id"] == framework.id
    assert view["answer"]["ratings"] == {} and view["answer"]["status"] == "draft"
    assert store.rounds.answers(links.round.id) == []  # looking creates nothing


def test_member_hash_is_stored_not_the_token(store, links, db_path):
    code = links.member_code
    store.members.save_rating(code, ME, "assets-1", 3)
    store.members.save_profile(code, ME2, role="Staff")
    rows = raw(db_path, "responses")
    assert {r["member_hash"] for r in rows} == {
        hashlib.sha256(ME.encode()).hexdigest(),
        hashlib.sha256(ME2.encode()).hexdigest(),
    }
    cells = " ".join(str(v) for r in rows for v in r.values())
    assert ME not in cells and ME2 not in cells
    con = sqlite3.connect(db_path)
    try:
        everything = "\n".join(con.iterdump())
    finally:
        con.close()
    assert ME not in everything and ME2 not in everything


def test_sqlite_file_is_in_wal_mode(store, links, db_path):
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        con.close()


def test_every_response_row_keeps_framework_id_and_version(
    store, framework, small_framework, db_path
):
    a = store.rounds.create("A", framework)
    b = store.rounds.create("B", small_framework)
    store.members.save_rating(a.member_code, ME, "assets-1", 3)
    store.members.save_comment(a.member_code, ME2, "assets", "x")
    store.members.save_rating(b.member_code, ME, "p1-a", 2)
    store.members.submit(b.member_code, ME2)
    rows = raw(db_path, "responses")
    assert len(rows) == 4
    by_round = {(r["round_id"], r["framework_id"], r["framework_version"]) for r in rows}
    assert by_round == {(a.round.id, "nef-nesta-six", "1.0"), (b.round.id, "small", "1.0")}


def test_default_database_is_in_coprod_home(coprod_home):
    s = Store()
    try:
        assert s.url == f"sqlite:///{coprod_home / 'coprod.sqlite'}"
        assert (coprod_home / "coprod.sqlite").exists()
    finally:
        s.close()


def test_coprod_db_environment_is_used(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'sub' / 'env.sqlite'}"
    monkeypatch.setenv("COPROD_DB", url)
    s = Store()
    try:
        assert s.url == url
        assert (tmp_path / "sub" / "env.sqlite").exists()  # the folder is made
    finally:
        s.close()


def test_link_codes_never_look_like_a_command_line_option(monkeypatch):
    from coprod_widgets.store import db as store_module

    given = iter(["-starts-with-a-dash", "-another", "fine-code"])
    monkeypatch.setattr(store_module.secrets, "token_urlsafe", lambda n: next(given))
    assert store_module.new_code() == "fine-code"


# -- reads that race writers ----------------------------------------------------------------


def test_a_member_arriving_mid_read_is_read_whole_or_not_at_all(store, links, db_url):
    """A round's answers are read in three queries. A member whose first words are saved
    between them (by another process, as on a busy server) must not break the read: before
    one snapshot held the three, the comment's response was unknown and the read raised."""
    import sqlalchemy as sa

    store.members.save_comment(links.member_code, ME, "assets", "Here first.")
    other = Store(db_url)
    fired = []

    def late_arrival(conn, cursor, statement, *args):
        if not fired and "FROM responses" in statement and "comments" not in statement:
            fired.append(statement)
            other.members.save_comment(links.member_code, ME2, "assets", "Arrived mid-read.")

    sa.event.listen(store.db.engine, "after_cursor_execute", late_arrival)
    try:
        during = store.rounds.answers(links.round.id)
    finally:
        sa.event.remove(store.db.engine, "after_cursor_execute", late_arrival)
        other.close()
    assert fired, "the read's first query was not seen"
    assert [a.comments for a in during] == [{"assets": "Here first."}]
    after = store.rounds.answers(links.round.id)
    assert sorted(a.comments["assets"] for a in after) == ["Arrived mid-read.", "Here first."]


def test_a_reading_connection_sees_one_snapshot(store, db_url, framework):
    import sqlalchemy as sa

    from coprod_widgets.store import schema as t

    other = Store(db_url)
    try:
        with store.db.reading() as conn:
            before = conn.execute(sa.select(sa.func.count()).select_from(t.rounds)).scalar()
            other.rounds.create("Arrives meanwhile", framework)
            again = conn.execute(sa.select(sa.func.count()).select_from(t.rounds)).scalar()
        assert again == before
        with store.db.reading() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(t.rounds)).scalar() == (
                before + 1
            )
    finally:
        other.close()
