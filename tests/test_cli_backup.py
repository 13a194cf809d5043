"""`coprod backup` and `coprod restore`: what they print, return and write."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import make_small_framework

from coprod_widgets.cli import main, parser
from coprod_widgets.store import Store

GOOD = Path(__file__).resolve().parent / "data" / "responses_good.csv"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def db(coprod_home) -> str:
    """The default database of the data folder, with a round and 4 imported answers."""
    s = Store(f"sqlite:///{coprod_home / 'coprod.sqlite'}")
    try:
        rid = s.rounds.create(
            "Riverside", make_small_framework(), roles=["Staff", "Carer"]
        ).round.id
        s.imports.from_file(rid, GOOD)
    finally:
        s.close()
    return f"sqlite:///{coprod_home / 'coprod.sqlite'}"


def test_backup_says_what_it_wrote(capsys, db, tmp_path):
    out = tmp_path / "b.zip"
    rc, stdout, err = run(capsys, "--db", db, "backup", str(out))
    assert rc == 0 and err == ""
    assert f"written to {out}" in stdout and "readable by you only" in stdout
    assert "1 rounds, 4 responses" in stdout
    assert "With the data folder's keys: import.key." in stdout
    assert sorted(zipfile.ZipFile(out).namelist()) == [
        "coprod.sqlite",
        "keys/import.key",
        "manifest.json",
    ]


def test_backup_of_the_default_database_without_db(capsys, db, tmp_path):
    rc, stdout, _ = run(capsys, "backup", str(tmp_path / "b.zip"))
    assert rc == 0 and "4 responses" in stdout


def test_backup_refuses_an_existing_file_without_force(capsys, db, tmp_path):
    out = tmp_path / "b.zip"
    out.write_text("keep me")
    rc, stdout, err = run(capsys, "--db", db, "backup", str(out))
    assert rc == 2 and stdout == ""
    assert err.startswith(f"coprod: no backup made: {out} already exists")
    assert "--force" in err and out.read_text() == "keep me"
    rc, _, err = run(capsys, "--db", db, "backup", str(out), "--force")
    assert rc == 0 and err == "" and zipfile.is_zipfile(out)


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("nofolder/b.zip", "the folder"),
        (".", "is a folder"),
    ],
)
def test_backup_names_a_file_it_cannot_write(capsys, db, tmp_path, target, says):
    rc, _, err = run(capsys, "--db", db, "backup", str(tmp_path / target))
    assert rc == 2 and says in err and str(tmp_path) in err


def test_backup_of_no_database_and_of_postgresql(capsys, tmp_path):
    missing = tmp_path / "none.sqlite"
    rc, _, err = run(capsys, "--db", f"sqlite:///{missing}", "backup", str(tmp_path / "b.zip"))
    assert rc == 2 and f"{missing}: there is no database there" in err
    assert not (tmp_path / "b.zip").exists()
    rc, _, err = run(
        capsys, "--db", "postgresql://coprod:secret@db.example/coprod", "backup", "b.zip"
    )
    assert rc == 2 and "is a PostgreSQL database" in err and "pg_dump" in err
    assert "secret" not in err  # the password is never printed
    rc, _, err = run(capsys, "--db", "postgresql://db.example/coprod", "restore", "b.zip")
    assert rc == 2 and "pg_restore" in err


def test_restore_into_a_new_folder_then_over_data(capsys, db, tmp_path, monkeypatch):
    out = tmp_path / "b.zip"
    assert run(capsys, "--db", db, "backup", str(out))[0] == 0
    home = tmp_path / "new-home"
    monkeypatch.setenv("COPROD_HOME", str(home))
    rc, stdout, err = run(capsys, "restore", str(out))
    assert rc == 0 and err == ""
    assert f"Restored {home / 'coprod.sqlite'} from {out}" in stdout
    assert "1 rounds, 4 responses" in stdout
    assert f"key restored: {home / 'import.key'}" in stdout
    # Again: the database now holds data.
    rc, stdout, err = run(capsys, "restore", str(out))
    assert rc == 2 and stdout == ""
    assert f"coprod: not restored: {home / 'coprod.sqlite'}: this database already holds" in err
    assert str(out) in err and "--force" in err
    rc, stdout, err = run(capsys, "restore", str(out), "--force")
    assert rc == 0 and "what was there before is kept as" in stdout


def test_restore_names_the_file_and_what_is_wrong(capsys, tmp_path):
    missing = tmp_path / "missing.zip"
    rc, _, err = run(capsys, "restore", str(missing))
    assert rc == 2 and f"{missing}: does not exist" in err
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"hello")
    rc, _, err = run(capsys, "restore", str(junk))
    assert rc == 2 and f"{junk}: not a coprod backup (not a zip file)" in err
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("notes.txt", "hi")
    rc, _, err = run(capsys, "restore", str(other))
    assert rc == 2 and f"{other}: has no manifest.json" in err


def test_restore_refuses_a_changed_backup_naming_the_part(capsys, db, tmp_path, monkeypatch):
    out = tmp_path / "b.zip"
    run(capsys, "--db", db, "backup", str(out))
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(changed, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "coprod.sqlite":
                data = data[:-1] + bytes([data[-1] ^ 1])
            zout.writestr(name, data)
    monkeypatch.setenv("COPROD_HOME", str(tmp_path / "new-home"))
    rc, _, err = run(capsys, "restore", str(changed))
    assert rc == 2
    assert f"{changed}: part coprod.sqlite does not match its sha256" in err
    assert "nothing was restored" in err
    assert not (tmp_path / "new-home" / "coprod.sqlite").exists()


def test_the_restored_database_takes_the_same_import_without_duplicates(
    capsys, db, tmp_path, monkeypatch
):
    out = tmp_path / "b.zip"
    run(capsys, "--db", db, "backup", str(out))
    home = tmp_path / "new-home"
    monkeypatch.setenv("COPROD_HOME", str(home))
    assert run(capsys, "restore", str(out))[0] == 0
    rc, stdout, err = run(capsys, "import", "responses", str(GOOD), "--round", "1")
    assert rc == 0, err
    assert "0 added, 0 updated, 4 unchanged" in stdout
    con = sqlite3.connect(home / "coprod.sqlite")
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 4
    con.close()


def test_backup_warns_when_the_key_of_the_imported_rows_is_missing(
    capsys, db, coprod_home, tmp_path
):
    (coprod_home / "import.key").unlink()
    out = tmp_path / "b.zip"
    rc, stdout, err = run(capsys, "--db", db, "backup", str(out))
    assert rc == 0 and "no import.key" in stdout  # the data is still worth keeping
    assert f"coprod: warning: {out}: the database holds rows imported with an import key" in err
    assert "will be refused" in err
    (coprod_home / "import.key").write_text("ab" * 32 + "\n")
    rc, _, err = run(capsys, "--db", db, "backup", str(out), "--force")
    assert rc == 0 and "is not the key the database's imported rows were keyed with" in err


def test_help_names_both_commands():
    text = parser().format_help()
    assert "backup" in text and "restore" in text
    b = parser().parse_args(["backup", "x.zip"])
    assert (b.file, b.force) == ("x.zip", False)
    r = parser().parse_args(["restore", "x.zip", "--force"])
    assert (r.file, r.force) == ("x.zip", True)
