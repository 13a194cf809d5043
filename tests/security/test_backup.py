"""Backup and restore as the unlucky admin meets them: a backup taken while 50 people write, a
restore into a new data folder, a database copied without its import key, a backup changed on
the way, a restore over live data, file modes, and imports that fail or only check.

Every "refused" also checks that nothing was written.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import make_small_framework

from coprod_widgets.cli import main
from coprod_widgets.errors import CoprodError
from coprod_widgets.store import Store
from coprod_widgets.store.backup import BackupError, backup, restore

DATA = Path(__file__).resolve().parent.parent / "data"
GOOD = DATA / "responses_good.csv"
BROKEN = DATA / "responses_broken.csv"
WRITERS = 50


def rows(db: Path, table: str = "responses") -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    finally:
        con.close()


def _no_checkpoints(dbapi_conn, _record) -> None:
    dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")


def mode(p: Path) -> int:
    return p.stat().st_mode & 0o777


@pytest.fixture
def home_a(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home-a"
    home.mkdir()
    monkeypatch.setenv("COPROD_HOME", str(home))
    return home


@pytest.fixture
def imported(home_a) -> tuple[Path, int]:
    """Data folder A: an anonymous round with the 4 rows of responses_good.csv imported."""
    db = home_a / "coprod.sqlite"
    s = Store(f"sqlite:///{db}")
    try:
        rid = s.rounds.create(
            "Riverside", make_small_framework(), roles=["Staff", "Carer"]
        ).round.id
        assert s.imports.from_file(rid, GOOD).result.added == 4
    finally:
        s.close()
    assert (home_a / "import.key").exists()
    return db, rid


def import_good(db: Path, rid: int, *, dry_run: bool = False):
    s = Store(f"sqlite:///{db}")
    try:
        return s.imports.from_file(rid, GOOD, dry_run=dry_run)
    finally:
        s.close()


def to_home(monkeypatch, home: Path) -> Path:
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("COPROD_HOME", str(home))
    return home


# -- a backup while people write --------------------------------------------------------------


def test_a_backup_taken_during_50_writers_holds_every_write_acknowledged_before_it(
    tmp_path, home_a, monkeypatch
):
    """50 threads, each with its own Store (its own connections), save a member's evidence text
    over and over (1, 2, 3, ..., 50 a second each) while `coprod backup` runs in another process. Restored, the
    backup holds for each writer at least the last number acknowledged before the backup was
    started, and it is internally sound (integrity, foreign keys, the manifest's counts)."""
    db = home_a / "coprod.sqlite"
    s = Store(f"sqlite:///{db}")
    links = s.rounds.create("Busy ward", make_small_framework())
    s.close()
    code = links.member_code
    started = threading.Event()
    stop = threading.Event()
    before: dict[int, int] = {}  # writer -> last number acknowledged before the backup started
    acked: dict[int, int] = {}
    during = [0]
    errors: list[str] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        store = Store(f"sqlite:///{db}")
        # No automatic checkpoints: the latest writes stay in the -wal file, as they do on a
        # busy server between checkpoints, so a copy of the database file alone would lack them.
        store.engine.dispose()
        sa.event.listen(store.engine, "connect", _no_checkpoints)
        me = f"tok-writer-{i:04d}-0123456789"
        n = 0
        try:
            while not stop.is_set():
                n += 1
                store.members.save_comment(code, me, "p1", str(n))
                with lock:
                    acked[i] = n
                    if not started.is_set():
                        before[i] = n  # acknowledged, and the backup not yet started
                    else:
                        during[0] += 1
                # A person's page saves at most a few times a second; 50 loops with no pause
                # at all starve one another on SQLite's lock (busy_timeout is 15 s).
                time.sleep(0.02)
        except BaseException:  # noqa: BLE001 - reported by the test
            errors.append(traceback.format_exc())
        finally:
            store.close()

    threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(WRITERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(before) < WRITERS and time.monotonic() < deadline and not errors:
        time.sleep(0.05)
    assert len(before) == WRITERS and not errors, errors
    out = tmp_path / "busy.zip"
    with lock:
        started.set()
        snapshot = dict(before)
    proc = subprocess.run(
        [sys.executable, "-m", "coprod_widgets.cli", "--db", f"sqlite:///{db}", "backup", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COPROD_HOME": str(home_a)},
    )
    stop.set()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert proc.returncode == 0, proc.stderr
    assert f"written to {out}" in proc.stdout
    assert during[0] > 0, "the writers went on while the backup ran"
    assert mode(out) == 0o600

    # Restored into a fresh data folder, every write acknowledged before the backup is there.
    home_b = to_home(monkeypatch, tmp_path / "home-b")
    restored = home_b / "coprod.sqlite"
    rep = restore(out, f"sqlite:///{restored}")
    con = sqlite3.connect(restored)
    try:
        got = dict(
            con.execute(
                "SELECT r.member_hash, c.text FROM responses r JOIN comments c "
                "ON c.response_id = r.id WHERE c.principle_id = 'p1'"
            ).fetchall()
        )
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = con.execute(
            "SELECT count(*) FROM comments WHERE response_id NOT IN (SELECT id FROM responses)"
        ).fetchone()[0]
    finally:
        con.close()
    assert orphans == 0
    for i, n in snapshot.items():
        h = hashlib.sha256(f"tok-writer-{i:04d}-0123456789".encode()).hexdigest()
        assert h in got, f"writer {i}: acknowledged {n} before the backup, missing from it"
        assert int(got[h]) >= n, f"writer {i}: acknowledged {n}, the backup has {got[h]}"
        assert int(got[h]) <= acked[i]  # nothing that was never written
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["counts"] == rep.counts  # the manifest describes the copy it holds
    assert manifest["counts"]["responses"] == WRITERS
    assert manifest["counts"]["comments"] == WRITERS


# -- the import key comes back with the backup --------------------------------------------------


def test_restored_into_a_fresh_data_folder_the_same_import_adds_no_duplicates(
    tmp_path, imported, home_a, monkeypatch
):
    db_a, rid = imported
    out = tmp_path / "a.zip"
    rep = backup(f"sqlite:///{db_a}", out)
    assert rep.keys == ("import.key",)
    home_b = to_home(monkeypatch, tmp_path / "home-b")
    db_b = home_b / "coprod.sqlite"
    restore(out, f"sqlite:///{db_b}")
    assert (home_b / "import.key").read_bytes() == (home_a / "import.key").read_bytes()
    assert mode(home_b / "import.key") == 0o600
    again = import_good(db_b, rid)
    assert (again.result.added, again.result.unchanged) == (0, 4)
    assert rows(db_b) == 4


def test_a_database_restored_without_its_key_refuses_the_import_instead_of_doubling(
    tmp_path, imported, monkeypatch
):
    """The admin copies coprod.sqlite alone into a new data folder: the re-run import would
    have made 4 rows 8. It is refused (a dry run too), and no key is made."""
    db_a, rid = imported
    home_b = to_home(monkeypatch, tmp_path / "home-b")
    db_b = home_b / "coprod.sqlite"
    db_b.write_bytes(db_a.read_bytes())
    for dry in (True, False):
        with pytest.raises(CoprodError, match="another import key") as e:
            import_good(db_b, rid, dry_run=dry)
        msg = str(e.value)
        assert f"there is no {home_b / 'import.key'}" in msg
        assert "coprod restore" in msg and "add every row again" in msg
    assert rows(db_b) == 4 and not (home_b / "import.key").exists()
    # A key that is not the one: refused too, naming the file.
    (home_b / "import.key").write_text("ab" * 32 + "\n")
    with pytest.raises(CoprodError, match="is not the import key they were keyed with"):
        import_good(db_b, rid)
    assert rows(db_b) == 4


def test_the_cli_says_why_an_import_is_refused_after_a_restore_without_the_key(
    tmp_path, imported, monkeypatch, capsys
):
    db_a, rid = imported
    home_b = to_home(monkeypatch, tmp_path / "home-b")
    db_b = home_b / "coprod.sqlite"
    db_b.write_bytes(db_a.read_bytes())
    rc = main(["--db", f"sqlite:///{db_b}", "import", "responses", str(GOOD), "--round", str(rid)])
    err = capsys.readouterr().err
    assert rc == 2
    assert f"cannot import {GOOD} into round {rid}" in err
    assert "another import key" in err and "Nothing was imported." in err
    assert rows(db_b) == 4


# -- a backup changed on the way ------------------------------------------------------------------


def rezip(src: Path, dst: Path, change: dict[str, bytes]) -> None:
    """A copy of a backup with some parts replaced (a valid zip: only the manifest can tell)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            zout.writestr(name, change.get(name, zin.read(name)))
        for name, data in change.items():
            if name not in zin.namelist():
                zout.writestr(name, data)


@pytest.fixture
def good_backup(tmp_path, imported) -> Path:
    out = tmp_path / "good.zip"
    backup(f"sqlite:///{imported[0]}", out)
    return out


def refused(archive: Path, url: str, *parts: str, force: bool = False) -> str:
    with pytest.raises(BackupError) as e:
        restore(archive, url, force=force)
    msg = str(e.value)
    assert str(archive) in msg, msg
    for p in parts:
        assert p in msg, msg
    return msg


def test_a_backup_with_one_byte_changed_is_refused_naming_the_part(
    tmp_path, good_backup, monkeypatch
):
    home_b = to_home(monkeypatch, tmp_path / "home-b")
    db_b = home_b / "coprod.sqlite"
    url = f"sqlite:///{db_b}"
    with zipfile.ZipFile(good_backup) as zf:
        db_bytes = zf.read("coprod.sqlite")
        key = zf.read("keys/import.key")
        info = zf.getinfo("coprod.sqlite")
    # 1. A byte of the database changed, the zip made again (its checksums valid): the manifest.
    changed = bytearray(db_bytes)
    changed[len(changed) // 2] ^= 0x01
    t1 = tmp_path / "t1.zip"
    rezip(good_backup, t1, {"coprod.sqlite": bytes(changed)})
    refused(t1, url, "part coprod.sqlite", "sha256")
    # 2. The key changed the same way.
    t2 = tmp_path / "t2.zip"
    rezip(
        good_backup,
        t2,
        {"keys/import.key": key.replace(key[:1], b"f" if key[:1] != b"f" else b"e", 1)},
    )
    refused(t2, url, "part keys/import.key", "sha256")
    # 3. One byte flipped in the file itself, inside the compressed database.
    raw = bytearray(good_backup.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0x40
    t3 = tmp_path / "t3.zip"
    t3.write_bytes(bytes(raw))
    refused(t3, url, "part coprod.sqlite")
    # 4. A part the manifest does not know, and one that would land outside the folder.
    t4 = tmp_path / "t4.zip"
    rezip(good_backup, t4, {"keys/extra.key": b"00"})
    refused(t4, url, "'keys/extra.key'", "not in the manifest")
    t5 = tmp_path / "t5.zip"
    m = json.loads(zipfile.ZipFile(good_backup).read("manifest.json"))
    m["parts"]["../escape.key"] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1}
    rezip(good_backup, t5, {"manifest.json": json.dumps(m).encode(), "../escape.key": b"x"})
    refused(t5, url, "'../escape.key'")
    # 5. Not a backup at all.
    t6 = tmp_path / "t6.zip"
    t6.write_bytes(b"not a zip")
    refused(t6, url, "not a zip file")
    # Nothing of it was written: no database, no key, no temporary files.
    assert not db_b.exists() and not (home_b / "import.key").exists()
    assert [p.name for p in home_b.iterdir()] == []
    assert not (tmp_path / "escape.key").exists() and not (home_b.parent / "escape.key").exists()


def test_a_backup_from_a_newer_coprod_is_refused_and_an_older_one_is_migrated(
    tmp_path, home_a, monkeypatch
):
    from coprod_widgets.store.migrations import MIGRATIONS, migrate
    from coprod_widgets.store.store import make_engine

    old = home_a / "old.sqlite"
    engine = make_engine(f"sqlite:///{old}")
    migrate(engine, target=3)
    engine.dispose()
    out = tmp_path / "old.zip"
    assert backup(f"sqlite:///{old}", out).schema_version == 3
    home_b = to_home(monkeypatch, tmp_path / "home-b")
    rep = restore(out, f"sqlite:///{home_b / 'coprod.sqlite'}")
    assert (rep.schema_version, rep.migrated_to) == (3, len(MIGRATIONS))
    # The same backup, as if made by a newer coprod (its database and manifest agree).
    newer_db = tmp_path / "newer.sqlite"
    newer_db.write_bytes(zipfile.ZipFile(out).read("coprod.sqlite"))
    con = sqlite3.connect(newer_db)
    con.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS) + 1,))
    con.commit()
    con.close()
    data = newer_db.read_bytes()
    m = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    m["schema_version"] = len(MIGRATIONS) + 1
    m["parts"]["coprod.sqlite"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    newer = tmp_path / "newer.zip"
    rezip(out, newer, {"coprod.sqlite": data, "manifest.json": json.dumps(m).encode()})
    home_c = to_home(monkeypatch, tmp_path / "home-c")
    refused(newer, f"sqlite:///{home_c / 'coprod.sqlite'}", "newer than this coprod", "upgrade")
    assert not (home_c / "coprod.sqlite").exists()


# -- over live data ---------------------------------------------------------------------------------


def test_restore_over_a_database_holding_data_needs_force_and_keeps_the_old_one(
    tmp_path, good_backup, imported, home_a
):
    db_a, rid = imported
    s = Store(f"sqlite:///{db_a}")
    s.rounds.create("Written after the backup", make_small_framework())
    s.close()
    url = f"sqlite:///{db_a}"
    msg = refused(good_backup, url, str(db_a), "already holds data", "--force")
    assert "2 rounds" in msg
    assert rows(db_a, "rounds") == 2  # untouched
    rep = restore(good_backup, url, force=True)
    assert rows(db_a, "rounds") == 1 and rows(db_a) == 4
    (kept,) = rep.kept
    assert kept.name.startswith("coprod.sqlite.before-restore-") and rows(kept, "rounds") == 2
    assert mode(kept) == 0o600


def test_restore_never_replaces_a_different_key_without_force(tmp_path, good_backup, monkeypatch):
    home_b = to_home(monkeypatch, tmp_path / "home-b")
    other = "cd" * 32 + "\n"
    (home_b / "import.key").write_text(other)
    url = f"sqlite:///{home_b / 'coprod.sqlite'}"
    refused(good_backup, url, str(home_b / "import.key"), "different key", "--force")
    assert (home_b / "import.key").read_text() == other
    assert not (home_b / "coprod.sqlite").exists()
    rep = restore(good_backup, url, force=True)
    kept = [k for k in rep.kept if k.name.startswith("import.key.before-restore-")]
    assert len(kept) == 1 and kept[0].read_text() == other


# -- file modes -------------------------------------------------------------------------------------


def test_backup_and_restored_files_are_readable_by_their_owner_only(
    tmp_path, imported, monkeypatch
):
    old = os.umask(0o022)
    try:
        out = tmp_path / "modes.zip"
        backup(f"sqlite:///{imported[0]}", out)
        home_b = to_home(monkeypatch, tmp_path / "home-b")
        restore(out, f"sqlite:///{home_b / 'coprod.sqlite'}")
    finally:
        os.umask(old)
    assert mode(out) == 0o600
    assert mode(home_b / "coprod.sqlite") == 0o600
    assert mode(home_b / "import.key") == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_backup_never_overwrites_a_file_without_force(tmp_path, imported):
    out = tmp_path / "there.zip"
    out.write_bytes(b"precious")
    with pytest.raises(BackupError, match=f"{out} already exists"):
        backup(f"sqlite:///{imported[0]}", out)
    assert out.read_bytes() == b"precious"
    backup(f"sqlite:///{imported[0]}", out, force=True)
    assert zipfile.is_zipfile(out) and mode(out) == 0o600


# -- imports that only check, or fail, write nothing -----------------------------------------------


@pytest.fixture
def fresh_round(home_a) -> tuple[Path, int]:
    db = home_a / "coprod.sqlite"
    s = Store(f"sqlite:///{db}")
    try:
        return db, s.rounds.create(
            "Riverside", make_small_framework(), roles=["Staff", "Carer"]
        ).round.id
    finally:
        s.close()


def test_a_dry_run_leaves_no_import_key_and_no_rows(fresh_round, home_a):
    db, rid = fresh_round
    rep = import_good(db, rid, dry_run=True)
    assert rep.dry_run and len(rep.plan.rows) == 4
    assert not (home_a / "import.key").exists() and rows(db) == 0
    assert rows(db, "settings") == 0  # no fingerprint either


def test_a_failed_import_leaves_no_import_key_and_no_rows(fresh_round, home_a, monkeypatch):
    db, rid = fresh_round
    with pytest.raises(CoprodError):
        s = Store(f"sqlite:///{db}")
        try:
            s.imports.from_file(rid, BROKEN)
        finally:
            s.close()
    assert not (home_a / "import.key").exists() and rows(db) == 0
    # A failure while writing, after the rows were checked.
    s = Store(f"sqlite:///{db}")
    real = s.db.insert
    calls = {"n": 0}

    def failing(table):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(table)

    monkeypatch.setattr(s.db, "insert", failing)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            s.imports.from_file(rid, GOOD)
    finally:
        s.close()
    assert not (home_a / "import.key").exists() and rows(db) == 0 and rows(db, "settings") == 0
    # Then a real import makes the key, 0600, and records its fingerprint.
    assert import_good(db, rid).result.added == 4
    assert mode(home_a / "import.key") == 0o600 and rows(db, "settings") == 1
    assert import_good(db, rid).result.added == 0
