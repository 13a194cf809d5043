"""`coprod cohort create|list|close` and `coprod export portfolio`, called in-process, and the
batch's progress bar in a real subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from reports.cohort_helpers import COURSE, fill_cohort

from coprod_widgets.cli import main
from coprod_widgets.store import Store

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'x.sqlite'}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_create_list_close(capsys, db):
    rc, out, err = run(
        capsys, "--db", db, "cohort", "create", "--course", str(COURSE), "--title", "Spring <b>",
        "--url", "http://h:1/",
    )  # fmt: skip
    assert rc == 0, err
    assert "Cohort 1 created: Spring <b>, course intro-coproduction@1.0" in out
    join = re.search(r"Join link, share with participants:\s+http://h:1/c/(\S+)", out).group(1)
    trainer = re.search(r"Trainer link, keep to yourself:\s+http://h:1/c/(\S+)", out).group(1)
    assert f"(codes: join {join}, trainer {trainer})" in out
    s = Store(db)
    try:
        assert s.cohorts.by_code(join)[1] == "participant"
        assert s.cohorts.by_code(trainer)[1] == "trainer"
        assert s.cohorts.get(1).min_answers == 3
    finally:
        s.close()
    rc, out, _ = run(
        capsys, "--db", db, "cohort", "create", "--course", "intro-coproduction", "--title", "B",
        "--min", "5",
    )  # fmt: skip
    assert rc == 0 and "Cohort 2 created" in out and "from 5 answers" in out
    rc, out, _ = run(capsys, "--db", db, "cohort", "list", "--links", "--url", "http://h:1")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "title", "course", "status", "participants", "created"]
    assert "Spring <b>" in out and f"participants: http://h:1/c/{join}" in out
    assert f"keep to yourself: http://h:1/c/{trainer}" in out
    rc, out, _ = run(capsys, "--db", db, "cohort", "close", "1")
    assert rc == 0 and "Cohort 1 (Spring <b>) is closed" in out
    rc, out, _ = run(capsys, "--db", db, "cohort", "list")
    assert re.search(r"^1\s+Spring <b>\s+intro-coproduction@1.0\s+closed\s+0", out, re.M)


def test_create_refuses_a_bad_course_clearly(capsys, db, tmp_path):
    rc, _, err = run(capsys, "--db", db, "cohort", "create", "--course", "nope", "--title", "T")
    assert rc == 2 and "no course with id 'nope'" in err and "Traceback" not in err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "course.yaml").write_text("id: broken\n", encoding="utf-8")
    rc, _, err = run(
        capsys, "--db", db, "cohort", "create", "--course", str(broken), "--title", "T"
    )
    assert rc == 2 and "has problems" in err and "course.yaml" in err
    rc, _, err = run(
        capsys, "--db", db, "cohort", "create", "--course", str(COURSE), "--title", "T",
        "--min", "1",
    )  # fmt: skip
    assert rc == 2 and err.startswith("coprod: ") and "Traceback" not in err
    rc, out, _ = run(capsys, "--db", db, "cohort", "list")
    assert rc == 0 and out.startswith("No cohorts yet.")  # nothing was made
    rc, _, err = run(capsys, "--db", db, "cohort", "close", "7")
    assert rc == 2 and err.startswith("coprod: ")


@pytest.fixture
def cohort(db):
    s = Store(db)
    try:
        yield fill_cohort(s, 4)
    finally:
        s.close()


def test_export_portfolio_all_one_and_by_name(capsys, db, cohort, tmp_path):
    cid, ids, _ = cohort
    out = tmp_path / "all"
    rc, stdout, err = run(
        capsys, "--db", db, "export", "portfolio", "--cohort", str(cid), "-o", str(out)
    )
    assert rc == 0, err
    assert f"4 portfolios of cohort {cid} written to {out} (HTML)." in stdout
    assert len(list(out.glob("*.html"))) == 4
    one = tmp_path / "one"
    rc, stdout, _ = run(
        capsys, "--db", db, "export", "portfolio", "--cohort", str(cid), "--participant",
        "participant 01", "--participant", str(ids[2]), "-o", str(one),
    )  # fmt: skip
    assert rc == 0
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(["participant-01-2.html", f"participant-02-{ids[2]}.html"])


def test_export_portfolio_refuses_and_writes_nothing(capsys, db, cohort, tmp_path):
    cid, ids, _ = cohort
    out = tmp_path / "out"
    for argv, says in (
        (["--cohort", str(cid), "--participant", "999"], "no participant with that id"),
        (["--cohort", str(cid), "--participant", "Nobody"], "no participants of that name"),
        (["--cohort", "99"], "coprod: "),
        (["--cohort", str(cid), "--participant", "../../etc"], "participants are: 1 (Participant"),
    ):
        rc, _, err = run(capsys, "--db", db, "export", "portfolio", *argv, "-o", str(out))
        assert rc == 2 and says in err and "Traceback" not in err, (argv, err)
        assert not out.exists()
    rc, _, err = run(
        capsys, "--db", db, "export", "portfolio", "--cohort", "1", "-o", str(tmp_path / "a" / "b")
    )
    assert rc == 2 and "does not exist" in err
    rc, _, err = run(
        capsys,
        "--db",
        db,
        "export",
        "portfolio",
        "--cohort",
        "1",
        "-o",
        db.removeprefix("sqlite:///"),
    )
    assert rc == 2 and "is a file" in err


def test_the_batch_shows_a_progress_bar_on_stderr(db, cohort, tmp_path):
    cid, *_ = cohort
    done = subprocess.run(
        [sys.executable, "-m", "coprod_widgets.cli", "--db", db, "export", "portfolio",
         "--cohort", str(cid), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "4/4" in done.stderr and "portfolio" in done.stderr  # tqdm's bar
    assert done.stdout.strip().startswith("4 portfolios of cohort")
