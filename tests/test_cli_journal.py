"""`coprod journal ...` and `coprod export journal ...`: the OS user's own entries, or a served
journal's with its key; never anyone else's."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod_widgets import identity
from coprod_widgets.cli import main
from coprod_widgets.content.models import FormLibrary, ModelLibrary
from coprod_widgets.store import Store

REPO = Path(__file__).resolve().parent.parent
GIBBS = ModelLibrary([REPO / "data" / "reflective_models"]).get("gibbs")
NMC = FormLibrary([REPO / "data" / "export_forms"]).get("nmc-reflective-account")
ME = f"user:{identity._os_user()}"
KEY = "Served-journal-key_0123"
SERVED = identity.journal_key_owner(KEY)


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'j.sqlite'}"


@pytest.fixture
def entries(db):
    store = Store(db)
    mine = store.journal.create(
        ME,
        GIBBS,
        title="My ward round",
        entry_date="2025-03-14",
        minutes=90,
        stages={
            "description": "We planned care with a peer worker.",
            "action-plan": "Invite peer workers every week.",
        },
    )
    store.journal.save_form_setting(ME, mine.id, NMC, GIBBS, "choices:code", ["prioritise-people"])
    served = store.journal.create(
        SERVED, GIBBS, title="Served entry", stages={"description": "From the web."}
    )
    theirs = store.journal.create(
        "user:someone-else", GIBBS, title="Not yours", stages={"description": "Secret."}
    )
    store.close()
    return mine, served, theirs


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_list_shows_only_my_entries_with_cpd_hours(capsys, db, entries):
    rc, out, _ = run(capsys, "--db", db, "journal", "list")
    assert rc == 0
    assert "My ward round" in out and "Served entry" not in out and "Not yours" not in out
    assert "1 of 1 entry; 1.5 hours of CPD, 0 participatory." in out
    rc, out, _ = run(capsys, "--db", db, "journal", "list", "--key", KEY)
    assert "Served entry" in out and "My ward round" not in out
    rc, out, _ = run(capsys, "--db", db, "journal", "list", "--search", "secret")
    assert out.strip() == "No entries match."


def test_a_whole_private_link_works_as_a_key(capsys, db, entries, monkeypatch):
    rc, out, _ = run(
        capsys, "--db", db, "journal", "list", "--key", f"http://host:8866/journal/{KEY}"
    )
    assert rc == 0 and "Served entry" in out
    monkeypatch.setenv("COPROD_JOURNAL_KEY", KEY)
    rc, out, _ = run(capsys, "--db", db, "journal", "list")
    assert "Served entry" in out
    rc, _, err = run(capsys, "--db", db, "journal", "list", "--key", "too-short")
    assert rc == 2 and "not recognised" in err


def test_show_prints_my_entry_and_refuses_anyone_elses_as_missing(capsys, db, entries):
    mine, served, theirs = entries
    rc, out, _ = run(capsys, "--db", db, "journal", "show", str(mine.id))
    assert rc == 0 and "## Description" in out and "We planned care with a peer worker." in out
    for eid in (served.id, theirs.id, 999):
        rc, out, err = run(capsys, "--db", db, "journal", "show", str(eid))
        assert rc == 2 and out == "" and err.strip() == f"coprod: there is no journal entry {eid}"


def test_export_the_nmc_form_to_markdown(capsys, db, entries, tmp_path):
    mine, _, _ = entries
    out_file = tmp_path / "account.md"
    rc, out, err = run(
        capsys,
        "--db",
        db,
        "export",
        "journal",
        "--entry",
        str(mine.id),
        "--form",
        NMC.id,
        "-o",
        str(out_file),
    )
    assert rc == 0, err
    assert "NMC revalidation written reflective account: 1 entry written" in out
    md = out_file.read_text()
    assert md.count("\n## ") == 4 and "Themes chosen: Prioritise people" in md
    assert "Invite peer workers every week." in md
    assert "note:" not in out or "has no answer" in out


def test_export_refuses_another_users_entry_and_writes_nothing(capsys, db, entries, tmp_path):
    _, served, theirs = entries
    for eid in (served.id, theirs.id):
        out_file = tmp_path / f"{eid}.md"
        rc, _, err = run(
            capsys, "--db", db, "export", "journal", "--entry", str(eid), "-o", str(out_file)
        )
        assert rc == 2 and f"there is no journal entry {eid}" in err
        assert not out_file.exists()
    rc, _, err = run(
        capsys,
        "--db",
        db,
        "export",
        "journal",
        "--entry",
        str(served.id),
        "--key",
        KEY,
        "-o",
        str(tmp_path / "s.md"),
    )
    assert rc == 0 and (tmp_path / "s.md").read_text().count("From the web.") == 1


def test_identifiers_stop_the_export_until_the_author_says_so(capsys, db, tmp_path):
    store = Store(db)
    e = store.journal.create(ME, GIBBS, stages={"feelings": "Ring her on 07700 900123."})
    store.close()
    out_file = tmp_path / "e.html"
    argv = ["--db", db, "export", "journal", "--entry", str(e.id), "-o", str(out_file)]
    rc, _, err = run(capsys, *argv)
    assert rc == 2 and not out_file.exists()
    assert "a phone number ('07700 900123')" in err and "Feelings, characters 13-24" in err
    assert "--ignore-identifiers" in err
    rc, out, _ = run(capsys, *argv, "--ignore-identifiers")
    assert rc == 0 and "07700 900123" in out_file.read_text()
    assert "warning: exported with 1 possible identifier(s)" in out


def test_an_over_limit_form_is_refused(capsys, db, entries, tmp_path):
    mine, _, _ = entries
    store = Store(db)
    hcpc = FormLibrary([REPO / "data" / "export_forms"]).get("hcpc-cpd-profile")
    store.journal.save_form_part(ME, hcpc, "practice-summary", "word " * 501)
    store.close()
    out_file = tmp_path / "p.md"
    rc, _, err = run(
        capsys,
        "--db",
        db,
        "export",
        "journal",
        "--entry",
        str(mine.id),
        "--form",
        hcpc.id,
        "-o",
        str(out_file),
    )
    assert rc == 2 and "over the limit of 500 by 1" in err and not out_file.exists()


def test_export_says_what_is_missing(capsys, db, tmp_path):
    rc, _, err = run(capsys, "--db", db, "export", "journal", "-o", str(tmp_path / "x.md"))
    assert rc == 2 and "--entry ID" in err
    rc, _, err = run(
        capsys, "--db", db, "export", "journal", "--entry", "1", "-o", str(tmp_path / "x.doc")
    )
    assert rc == 2 and "--to md, --to html or --to pdf" in err
    rc, _, err = run(
        capsys,
        "--db",
        db,
        "export",
        "journal",
        "--entry",
        "1",
        "--form",
        "gmc",
        "-o",
        str(tmp_path / "x.md"),
    )
    assert rc == 2 and "no export form with id 'gmc'" in err
