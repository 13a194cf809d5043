"""`coprod import responses` and `coprod export ratings`: what they print, return and write."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import make_small_framework

from coprod_widgets.cli import main, parser
from coprod_widgets.store import Store

DATA = Path(__file__).resolve().parent / "data"
GOOD = str(DATA / "responses_good.csv")
MISMAPPED = str(DATA / "responses_mismapped.csv")
MAPPING = str(DATA / "responses_mapping.yaml")
BROKEN = str(DATA / "responses_broken.csv")


@pytest.fixture
def db_file(tmp_path) -> Path:
    return tmp_path / "x.sqlite"


@pytest.fixture
def db(db_file) -> str:
    return f"sqlite:///{db_file}"


@pytest.fixture
def round_id(db) -> int:
    s = Store(db)
    try:
        return s.rounds.create(
            "Riverside", make_small_framework(), roles=["Staff", "Carer"]
        ).round.id
    finally:
        s.close()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def responses(db_file: Path) -> int:
    con = sqlite3.connect(db_file)
    try:
        return con.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    finally:
        con.close()


def test_import_then_import_again(capsys, db, db_file, round_id):
    rc, out, err = run(capsys, "--db", db, "import", "responses", GOOD, "--round", str(round_id))
    assert (rc, err) == (0, "")
    assert out.splitlines()[0] == (
        f"Imported 4 responses from {GOOD} into round 1 (Riverside): "
        "4 added, 0 updated, 0 unchanged."
    )
    assert "  note: column B 'Email Address': emails are not stored (the round is anonymous)" in out
    rc, out, _ = run(capsys, "--db", db, "import", "responses", GOOD, "--round", "1")
    assert rc == 0 and "0 added, 0 updated, 4 unchanged." in out
    assert responses(db_file) == 4


def test_a_mis_mapped_file_exits_2_and_a_mapping_fixes_it(capsys, db, db_file, round_id):
    rc, out, err = run(capsys, "--db", db, "import", "responses", MISMAPPED, "--round", "1")
    assert (rc, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == f"coprod: cannot import {MISMAPPED} into round 1: 4 problems:"
    assert lines[1] == (
        f"  {MISMAPPED}: column B 'Q1': matches no statement of small@1.0, and is not a "
        "timestamp, email, name, role or comment column"
    )
    assert "To fix: use a mapping file (--mapping)" in err
    assert lines[-1] == "Nothing was imported."
    assert responses(db_file) == 0
    rc, out, err = run(
        capsys, "--db", db, "import", "responses", MISMAPPED, "--round", "1", "--mapping", MAPPING
    )
    assert (rc, err) == (0, "") and "4 added" in out
    assert responses(db_file) == 4


def test_broken_rows_exit_2_and_write_nothing(capsys, db, db_file, round_id):
    rc, out, err = run(capsys, "--db", db, "import", "responses", BROKEN, "--round", "1")
    assert rc == 2 and out == ""
    assert f"coprod: cannot import {BROKEN} into round 1: 3 problems:" in err
    assert "row 2 (line 3), column D 'We ask.': '6' is not on the scale 1–4" in err
    assert "row 3 (line 4), column E 'We act on it.': 'lots' is not on the scale" in err
    assert "row 4 (line 5), column C 'Role': 'Manager' is not a role of this round" in err
    assert err.rstrip().endswith("Nothing was imported.")
    assert responses(db_file) == 0


def test_dry_run_checks_and_writes_nothing(capsys, db, db_file, round_id):
    rc, out, _ = run(capsys, "--db", db, "import", "responses", GOOD, "--round", "1", "--dry-run")
    assert rc == 0
    assert out.startswith(f"{GOOD}: 4 responses checked for round 1 (Riverside); all good")
    assert responses(db_file) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["responses", "nope.csv", "--round", "1"],
            "coprod: cannot import nope.csv into round 1: ",
        ),
        (["responses", GOOD, "--round", "9"], "there is no round 9"),
    ],
)
def test_import_problems_exit_2(capsys, db, db_file, round_id, argv, message):
    rc, out, err = run(capsys, "--db", db, "import", *argv)
    assert rc == 2 and out == "" and message in err
    assert responses(db_file) == 0


def test_empty_and_header_only_files(capsys, db, tmp_path, round_id):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    rc, _, err = run(capsys, "--db", db, "import", "responses", str(empty), "--round", "1")
    assert rc == 2 and f"{empty}: the file is empty" in err
    head = tmp_path / "head.csv"
    head.write_text("Timestamp,We ask.\n", encoding="utf-8")
    rc, _, err = run(capsys, "--db", db, "import", "responses", str(head), "--round", "1")
    assert rc == 2 and f"{head}: the file has a header row but no responses" in err


def test_import_into_a_closed_round_exits_2(capsys, db, db_file, round_id):
    assert run(capsys, "--db", db, "round", "close", "1")[0] == 0
    rc, _, err = run(capsys, "--db", db, "import", "responses", GOOD, "--round", "1")
    assert rc == 2 and "round 1 (Riverside) is closed" in err
    assert responses(db_file) == 0


def test_export_ratings_csv_and_json(capsys, db, tmp_path, round_id):
    run(capsys, "--db", db, "import", "responses", GOOD, "--round", "1")
    out_csv = tmp_path / "r.csv"
    rc, out, err = run(capsys, "--db", db, "export", "ratings", "--round", "1", "-o", str(out_csv))
    assert (rc, err) == (0, "")
    written, released = out.strip().splitlines()
    assert written == (
        f"Ratings of round 1 written to {out_csv} (CSV): 4 respondents, 15 ratings, 2 comments."
    )
    # An anonymous round's ratings are its released results: the command says which.
    assert re.fullmatch(r"The results released \d+ \w{3} \d\d:\d\d UTC\.", released)
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 17
    assert any(r["comment"] == '\'=HYPERLINK("http://x")' for r in rows)
    assert "example.org" not in out_csv.read_text(encoding="utf-8-sig")
    out_json = tmp_path / "r.data"
    rc, out, _ = run(
        capsys, "--db", db, "export", "ratings", "--round", "1", "--to", "json", "-o", str(out_json)
    )
    assert rc == 0 and "(JSON)" in out
    assert len(json.loads(out_json.read_text(encoding="utf-8"))["respondents"]) == 4


def test_export_problems_exit_2_and_write_nothing(capsys, db, tmp_path, round_id):
    out = tmp_path / "r.csv"
    rc, stdout, err = run(capsys, "--db", db, "export", "ratings", "--round", "1", "-o", str(out))
    assert rc == 2 and stdout == ""
    assert err.strip() == (
        "coprod: cannot export round 1: round 1 has 0 submitted answers; its ratings can be "
        "exported from 3 (fewer would show what individuals said)"
    )
    assert not out.exists()
    run(capsys, "--db", db, "import", "responses", GOOD, "--round", "1")
    rc, _, err = run(
        capsys, "--db", db, "export", "ratings", "--round", "1", "-o", str(tmp_path / "r.xlsx")
    )
    assert rc == 2 and "say the format (csv or json)" in err
    rc, _, err = run(capsys, "--db", db, "export", "ratings", "--round", "7", "-o", str(out))
    assert rc == 2 and "there is no round 7" in err
    assert not out.exists() and not (tmp_path / "r.xlsx").exists()


def test_help_documents_the_mapping_file():
    p = parser()
    sub = next(a for a in p._actions if a.dest == "command")
    imp = sub.choices["import"]
    help_text = (
        next(a for a in imp._actions if a.dest == "import_command")
        .choices["responses"]
        .format_help()
    )
    assert '"Anything to add about assets?": comment:assets' in help_text
    assert "ignore" in help_text
    exp = sub.choices["export"]
    names = next(a for a in exp._actions if a.dest == "export_command").choices
    assert "ratings" in names


def test_an_excel_file_with_semicolons_in_windows_1252(capsys, db, db_file, tmp_path, round_id):
    f = tmp_path / "excel.csv"
    f.write_bytes(
        "Horodatage;We ask.;We act on it.;Comments: Listening\n"
        "04/03/2025 10:01;4;3;Très bien\n"
        "04/03/2025 10:02;2;Don't know;\n".encode("cp1252")
    )
    rc, out, err = run(capsys, "--db", db, "import", "responses", str(f), "--round", "1")
    assert rc == 2 and "column A 'Horodatage': matches no statement" in err
    f.write_bytes(f.read_bytes().replace(b"Horodatage", b"Date"))
    rc, out, err = run(capsys, "--db", db, "import", "responses", str(f), "--round", "1")
    assert (rc, err) == (0, "")
    assert f"  note: {f} is not UTF-8; it was read as Windows-1252" in out
    assert f"  note: {f}: values are separated by semicolons" in out
    assert "no column for 2 statements, left unrated: p2-a, p2-b" in out
    s = Store(db)
    try:
        assert sorted(a.comments.get("p1", "") for a in s.rounds.answers(1)) == ["", "Très bien"]
    finally:
        s.close()
