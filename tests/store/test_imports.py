"""Imports from a form tool's CSV and exports of a round's ratings, against a real SQLite file.

Nothing is written unless every row is good; importing twice adds nothing; an anonymous round
keeps no email or name anywhere, and its exports link nothing to anyone.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from coprod_widgets.errors import Closed, InvalidInput, NotFound
from coprod_widgets.model.aggregate import aggregate
from coprod_widgets.model.exchange import ExchangeError

DATA = Path(__file__).resolve().parent.parent / "data"
GOOD = DATA / "responses_good.csv"
MISMAPPED = DATA / "responses_mismapped.csv"
MAPPING = DATA / "responses_mapping.yaml"
BROKEN = DATA / "responses_broken.csv"
EMAILS = ("ana@example.org", "ben@example.org", "cat@example.org", "dev@example.org")
TABLES = ("rounds", "responses", "ratings", "comments")


def dump(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read straight from the file."""
    con = sqlite3.connect(db_path)
    try:
        names = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        # Sorted here, not by rowid: full-text search tables have none.
        return {n: sorted(con.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}
    finally:
        con.close()


def counts(db_path: Path) -> dict[str, int]:
    d = dump(db_path)
    return {t: len(d[t]) for t in TABLES}


def all_text(db_path: Path) -> str:
    """Every text value of every column of every table, joined: to search for what must not be."""
    return "\n".join(
        v for rows in dump(db_path).values() for row in rows for v in row if isinstance(v, str)
    )


@pytest.fixture
def team(store, small_framework):
    return store.rounds.create("Riverside", small_framework, roles=["Staff", "Carer"])


@pytest.fixture
def named(store, small_framework):
    return store.rounds.create("Named", small_framework, anonymous=False, roles=["Staff"])


def test_a_form_tools_csv_imports_as_submitted_answers(store, team, small_framework, db_path):
    rep = store.imports.from_file(team.round.id, GOOD)
    assert (rep.result.added, rep.result.updated, rep.result.unchanged) == (4, 0, 0)
    assert counts(db_path) == {"rounds": 1, "responses": 4, "ratings": 15, "comments": 2}
    answers = store.rounds.answers(team.round.id)
    assert all(a.submitted for a in answers)
    assert sorted(a.role for a in answers) == ["Carer", "Staff", "Staff", "Staff"]
    res = aggregate(store.rounds.get(team.round.id), small_framework, answers)
    assert res.submitted == 4
    assert {p.principle_id: p.median for p in res.principles} == {"p1": 3.25, "p2": 2.5}
    assert {p.principle_id: p.dont_know for p in res.principles} == {"p1": 0, "p2": 1}
    assert sorted(c.text for c in res.comments) == ['=HYPERLINK("http://x")', "Good start"]


def test_importing_again_adds_nothing(store, team, db_path):
    store.imports.from_file(team.round.id, GOOD)
    before = counts(db_path)
    rep = store.imports.from_file(team.round.id, GOOD)
    assert (rep.result.added, rep.result.updated, rep.result.unchanged) == (0, 0, 4)
    assert counts(db_path) == before
    assert store.rounds.all()[0].submitted == 4


def test_an_edited_file_updates_the_same_answers(store, team, tmp_path, db_path):
    store.imports.from_file(team.round.id, GOOD)
    edited = tmp_path / "edited.csv"
    text = GOOD.read_text(encoding="utf-8")
    # Ana changes her answers in the form tool: a new timestamp, one rating gone, one changed.
    text = text.replace(
        "2025/03/04 10:01:02 am GMT,ana@example.org,Staff,4 - Always,3 - Often,2 - Rarely,1 - Never,Good start",
        "2025/03/09 17:00:00 pm GMT,ana@example.org,Staff,1 - Never,,2 - Rarely,1 - Never,",
    )
    edited.write_text(text, encoding="utf-8")
    rep = store.imports.from_file(team.round.id, edited)
    assert (rep.result.added, rep.result.updated, rep.result.unchanged) == (0, 1, 3)
    assert counts(db_path) == {"rounds": 1, "responses": 4, "ratings": 14, "comments": 1}
    asks = sorted(a.rating("p1-a").value for a in store.rounds.answers(team.round.id))
    assert asks == [1, 2, 3, 4]


def test_a_mis_mapped_file_lists_its_columns_and_writes_nothing(store, team, db_path):
    before = dump(db_path)
    with pytest.raises(ExchangeError) as e:
        store.imports.from_file(team.round.id, MISMAPPED)
    assert [p.where for p in e.value.problems] == [
        "column B 'Q1'",
        "column C 'Q2'",
        "column D 'Q3'",
        "column E 'Q4'",
    ]
    assert all(p.file == str(MISMAPPED) for p in e.value.problems)
    assert "--mapping" in e.value.hint
    assert dump(db_path) == before


def test_a_mapping_file_fixes_it(store, team, small_framework, db_path):
    rep = store.imports.from_file(team.round.id, MISMAPPED, MAPPING)
    assert rep.result.added == 4
    res = aggregate(
        store.rounds.get(team.round.id), small_framework, store.rounds.answers(team.round.id)
    )
    assert {p.principle_id: p.median for p in res.principles} == {"p1": 3.25, "p2": 2.5}


def test_a_bad_mapping_names_its_line_and_writes_nothing(store, team, tmp_path, db_path):
    bad = tmp_path / "map.yaml"
    bad.write_text("Q1: p1-a\nQ2: p1-b\nQ3: p7-x\nQ4: p2-b\nQ5: p2-a\n", encoding="utf-8")
    before = dump(db_path)
    with pytest.raises(ExchangeError) as e:
        store.imports.from_file(team.round.id, MISMAPPED, bad)
    assert [str(p) for p in e.value.problems] == [
        f"{bad}: line 3: 'Q3': 'p7-x' is not a statement of small@1.0: expected a statement id "
        "(such as p1-a), comment:<principle id>, timestamp, email, name, role or ignore",
        f"{bad}: line 5: 'Q5': no column of {MISMAPPED} has this header",
    ]
    assert dump(db_path) == before


def test_broken_rows_are_reported_by_number_and_nothing_is_written(store, team, db_path):
    before = dump(db_path)
    with pytest.raises(ExchangeError) as e:
        store.imports.from_file(team.round.id, BROKEN)
    assert [(p.where, p.message) for p in e.value.problems] == [
        (
            "row 2 (line 3), column D 'We ask.'",
            "'6' is not on the scale 1–4 (1 Never … 4 Always), or Don't know",
        ),
        (
            "row 3 (line 4), column E 'We act on it.'",
            "'lots' is not on the scale 1–4 (1 Never … 4 Always), or Don't know",
        ),
        (
            "row 4 (line 5), column C 'Role'",
            "'Manager' is not a role of this round: expected one of Staff, Carer, or blank",
        ),
    ]
    assert dump(db_path) == before  # row 1 was good, and is not written either
    assert counts(db_path)["responses"] == 0


def test_an_anonymous_round_keeps_no_email_or_name_anywhere(store, team, tmp_path, db_path):
    f = tmp_path / "with-names.csv"
    text = GOOD.read_text(encoding="utf-8").replace("Email Address,", "Email Address,Name,", 1)
    lines = text.splitlines()
    lines[1:] = [line.replace(".org,", f".org,Person{i}X,", 1) for i, line in enumerate(lines[1:])]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = store.imports.from_file(team.round.id, f)
    assert rep.result.added == 4
    stored = all_text(db_path)
    for needle in (*EMAILS, "example.org", "@", "Person0X", "Person3X", "2025/03/04"):
        assert needle not in stored, needle
    assert "column B 'Email Address': emails are not stored (the round is anonymous)" in (
        rep.plan.notes
    )


def test_an_anonymous_import_cannot_be_linked_back_from_a_list_of_emails(
    store, team, db_path, coprod_home
):
    """The stored key of an imported row is keyed with a secret outside the database: the
    database and the team's emails are not enough to say whose answer is whose."""
    from coprod_widgets.model.exchange import row_token
    from coprod_widgets.store.store import member_hash

    store.imports.from_file(team.round.id, GOOD)
    stored = {h for (h,) in sqlite3.connect(db_path).execute("SELECT member_hash FROM responses")}
    guesses = {member_hash(row_token(team.round.id, f"email:{e}")) for e in EMAILS}
    assert len(stored) == 4 and not stored & guesses
    key = coprod_home / "import.key"
    assert key.exists() and key.stat().st_mode & 0o077 == 0  # the owner's alone
    assert store.imports.from_file(team.round.id, GOOD).result.added == 0  # same key again


def test_a_named_round_keeps_the_name_or_else_the_email(store, named, tmp_path):
    f = tmp_path / "named.csv"
    f.write_text(
        "Timestamp,Email,Name,Role,We ask.\n"
        "t1,ana@example.org,Ana,Staff,4\n"
        "t2,ben@example.org,,staff,3\n",
        encoding="utf-8",
    )
    store.imports.from_file(named.round.id, f)
    got = sorted((a.name, a.role) for a in store.rounds.answers(named.round.id))
    assert got == [("Ana", "Staff"), ("ben@example.org", "Staff")]


def test_a_closed_round_takes_no_imports(store, team, db_path):
    store.rounds.close(team.round.id)
    before = dump(db_path)
    with pytest.raises(Closed, match="round 1 .Riverside. is closed"):
        store.imports.from_file(team.round.id, GOOD)
    assert dump(db_path) == before


def test_dry_run_and_unknown_round_write_nothing(store, team, db_path):
    before = dump(db_path)
    rep = store.imports.from_file(team.round.id, GOOD, dry_run=True)
    assert rep.dry_run and len(rep.plan.rows) == 4 and rep.result.total == 0
    assert dump(db_path) == before
    with pytest.raises(NotFound, match="there is no round 99"):
        store.imports.from_file(99, GOOD)
    with pytest.raises(ExchangeError, match="nope.csv: no such file"):
        store.imports.from_file(team.round.id, DATA / "nope.csv")


def test_a_failure_while_writing_rolls_everything_back(store, team, db_path, monkeypatch):
    plan = store.imports.plan(team.round.id, GOOD.read_bytes(), str(GOOD))
    calls = {"n": 0}
    real = store.db.insert

    def failing(table):
        calls["n"] += 1
        if calls["n"] == 2:  # the responses and their ratings are written, the comments not
            raise RuntimeError("disk full")
        return real(table)

    monkeypatch.setattr(store.db, "insert", failing)
    with pytest.raises(RuntimeError):
        store.imports.write(team.round.id, plan.rows)
    assert counts(db_path)["responses"] == 0 and counts(db_path)["ratings"] == 0


def test_imports_sit_beside_answers_given_in_the_app(store, team, small_framework):
    me = "tok-member-one-0123456789"
    store.members.save_rating(team.member_code, me, "p1-a", 2)
    store.members.submit(team.member_code, me)
    store.imports.from_file(team.round.id, GOOD)
    store.imports.from_file(team.round.id, GOOD)
    assert store.rounds.all()[0].submitted == 5
    assert len(store.imports.export(team.round.id).respondents) == 5


# -- export ---------------------------------------------------------------------------------


def test_csv_and_json_exports_of_an_anonymous_round(store, team, tmp_path, db_path):
    store.imports.from_file(team.round.id, GOOD)
    links = store.rounds.links(team.round.id)
    secrets_ = [links.member_code, links.facilitator_code, *EMAILS, "example.org"]
    con = sqlite3.connect(db_path)
    secrets_ += [r[0] for r in con.execute("SELECT member_hash FROM responses")]
    secrets_ += [r[0] for r in con.execute("SELECT submitted_at FROM responses")]
    secrets_ += [r[0] for r in con.execute("SELECT created_at FROM rounds")]
    con.close()

    out = tmp_path / "ratings.csv"
    rep = store.imports.export_file(team.round.id, out)
    assert (rep.format, rep.respondents, rep.ratings, rep.comments) == ("csv", 4, 15, 2)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # so Excel reads it as UTF-8
    text = raw.decode("utf-8-sig")
    for s in secrets_:
        assert s not in text, s
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "name" not in rows[0] and "submitted_at" not in rows[0]
    assert {r["role"] for r in rows} == {""}  # one Carer: no role may show
    assert sorted({r["respondent"] for r in rows if r["kind"] == "rating"}) == ["1", "2", "3", "4"]
    comments = [r for r in rows if r["kind"] == "comment"]
    assert [(c["respondent"], c["comment"]) for c in comments] == [
        ("", '\'=HYPERLINK("http://x")'),
        ("", "Good start"),
    ]

    out_json = tmp_path / "ratings.json"
    store.imports.export_file(team.round.id, out_json)
    text = out_json.read_text(encoding="utf-8")
    for s in secrets_:
        assert s not in text, s
    doc = json.loads(text)
    assert set(doc) == {"format", "round", "framework", "respondents", "comments"}
    assert doc["round"]["anonymous"] is True and doc["round"]["submitted"] == 4
    assert all(set(r) == {"respondent", "ratings"} for r in doc["respondents"])
    assert [set(c) for c in doc["comments"]] == [{"principle_id", "principle_title", "text"}] * 2


def test_roles_show_in_exports_once_enough_people_share_them(store, team, tmp_path):
    f = tmp_path / "roles.csv"
    f.write_text(
        "Role,We ask.\n"
        + "".join(f"{r},{v}\n" for r, v in zip(["Staff"] * 3 + ["Carer"] * 3, "123412")),
        encoding="utf-8",
    )
    store.imports.from_file(team.round.id, f)
    ex = store.imports.export(team.round.id)
    assert sorted(r.role for r in ex.respondents) == ["Carer"] * 3 + ["Staff"] * 3


def test_respondent_numbers_follow_a_new_order_each_export(store, team):
    store.imports.from_file(team.round.id, GOOD)

    def order() -> tuple:
        ex = store.imports.export(team.round.id)
        return tuple(
            tuple(sorted((k, v.value) for k, v in r.ratings.items())) for r in ex.respondents
        )

    assert len({order() for _ in range(30)}) > 1


def test_a_named_export_has_the_names(store, named, tmp_path):
    f = tmp_path / "named.csv"
    f.write_text(
        "Email,Name,We ask.\na@example.org,Ana,4\nb@example.org,Ben,3\nc@example.org,Cy,2\n",
        encoding="utf-8",
    )
    store.imports.from_file(named.round.id, f)
    out = tmp_path / "named.json"
    store.imports.export_file(named.round.id, out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [r["name"] for r in doc["respondents"]] == ["Ana", "Ben", "Cy"]
    assert "a@example.org" not in out.read_text(encoding="utf-8")


def test_export_below_the_minimum_is_refused_and_writes_nothing(store, team, tmp_path):
    f = tmp_path / "two.csv"
    f.write_text("We ask.\n4\n3\n", encoding="utf-8")
    store.imports.from_file(team.round.id, f)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "ratings.csv"
    with pytest.raises(InvalidInput) as e:
        store.imports.export_file(team.round.id, out)
    assert str(e.value) == (
        "round 1 has 2 submitted answers; its ratings can be exported from 3 (fewer would show "
        "what individuals said)"
    )
    assert not out.exists()
    out.write_text("older export", encoding="utf-8")
    with pytest.raises(InvalidInput):
        store.imports.export_file(team.round.id, out, "json")
    assert out.read_text(encoding="utf-8") == "older export"
    assert sorted(p.name for p in out.parent.iterdir()) == ["ratings.csv"]


def test_export_format_and_folder_problems(store, team, tmp_path):
    store.imports.from_file(team.round.id, GOOD)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(InvalidInput, match=r"say the format \(csv or json\)"):
        store.imports.export_file(team.round.id, tmp_path / "ratings.xlsx")
    with pytest.raises(InvalidInput, match="the folder .* does not exist"):
        store.imports.export_file(team.round.id, tmp_path / "missing" / "r.csv")
    with pytest.raises(InvalidInput, match="is a folder"):
        store.imports.export_file(team.round.id, tmp_path, "csv")
    rep = store.imports.export_file(team.round.id, tmp_path / "r.txt", "JSON")
    assert rep.format == "json" and json.loads((tmp_path / "r.txt").read_text("utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]  # no temporary files left


def test_a_cell_with_a_character_that_cannot_be_saved_names_its_row_and_column(
    store, team, named, tmp_path, db_path
):
    """The same rule as the evidence box on the page (model.text): nothing is written, and each
    bad cell is named by its row and column."""
    f = tmp_path / "bad-cells.csv"
    rows = list(csv.reader(io.StringIO(GOOD.read_text(encoding="utf-8"))))
    rows[1][-1] = "Good \x01 start"
    rows[2][-1] = "x" * 20_001
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    f.write_text(out.getvalue(), encoding="utf-8")
    before = dump(db_path)
    with pytest.raises(ExchangeError) as e:
        store.imports.from_file(team.round.id, f)
    got = [(p.where, p.message) for p in e.value.problems]
    assert got[0] == (
        "row 1 (line 2), column H 'Comments: Listening'",
        "The comment has a character that cannot be saved (an invisible control character, "
        'U+0001, character 6, after "Good"); remove it and type it again',
    )
    assert got[1][0] == "row 2 (line 3), column H 'Comments: Listening'"
    assert got[1][1] == (
        "The comment is 20,001 characters long; the most it can hold is 20,000: shorten it"
    )
    assert len(got) == 2
    assert dump(db_path) == before

    g = tmp_path / "bad-name.csv"
    g.write_text(
        "Timestamp,Email,Name,Role,We ask.\nt1,ana@example.org,An\x07a,Staff,4\n"
        "t2,ben@example.org,Ben,Staff,3\n",
        encoding="utf-8",
    )
    with pytest.raises(ExchangeError) as e:
        store.imports.from_file(named.round.id, g)
    [problem] = e.value.problems
    assert problem.where == "row 1 (line 2), column C 'Name'"
    assert problem.message.startswith("The name has a character that cannot be saved")
    assert dump(db_path) == before


def test_a_comment_keeps_its_line_breaks_as_newlines(store, team, tmp_path):
    f = tmp_path / "crlf.csv"
    data = GOOD.read_bytes().replace(b"Good start", b'"Good\r\nstart"')
    f.write_bytes(data.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n"))
    store.imports.from_file(team.round.id, f)
    comments = [c for a in store.rounds.answers(team.round.id) for c in a.comments.values()]
    assert "Good\nstart" in comments
