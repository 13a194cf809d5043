"""`coprod ...` called in-process: what it prints and what it returns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coprod_widgets.cli import main
from coprod_widgets.demo import DEMO_TEAM
from coprod_widgets.store import Store

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "data" / "frameworks"
LINK = re.compile(r"(https?://\S+)/j/(\S+)$")


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'x.sqlite'}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def open_store(db: str) -> Store:
    return Store(db)


# -- validate -------------------------------------------------------------------------------


def test_validate_good_files(capsys, db):
    files = sorted(str(p) for p in SHIPPED.glob("*.yaml"))
    rc, out, err = run(capsys, "--db", db, "validate", *files)
    assert rc == 0
    lines = out.splitlines()
    assert len(lines) == len(files) == 5
    for f, line in zip(files, lines, strict=True):
        assert line.startswith(f"{f}: ok: {Path(f).stem}@")
    assert (
        "nef-nesta-six@1.0: NEF/NESTA six principles of co-production: 6 principles, "
        "18 statements, scale 1-5, 4 bands" in out
    )
    assert err == ""


def test_validate_bad_file(capsys, db, tmp_path):
    text = (SHIPPED / "nef-nesta-six.yaml").read_text(encoding="utf-8")
    text = text.replace("      - id: assets-2\n", "      - id: assets-1\n", 1)
    bad = tmp_path / "nef-nesta-six.yaml"
    bad.write_text(text, encoding="utf-8")
    dup_line = next(i for i, x in enumerate(text.splitlines(), 1) if "- id: assets-1" in x)
    second = next(
        i for i, x in enumerate(text.splitlines(), 1) if "- id: assets-1" in x and i > dup_line
    )

    rc, out, _ = run(capsys, "--db", db, "validate", str(bad))
    assert rc == 1
    lines = out.splitlines()
    assert lines[0] == f"{bad}: INVALID (1 problem)"
    assert (
        lines[1]
        .strip()
        .startswith(
            f"{bad}:{second}: principles[0].statements[1].id: statement id 'assets-1' is used twice"
        )
    )
    assert f"also at line {dup_line}" in lines[1]


def test_validate_mixed_files_exits_1_but_reports_the_good_one(capsys, db, tmp_path):
    good = SHIPPED / "scie-four.yaml"
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\nversion: '1'\ncolour: red\n", encoding="utf-8")
    rc, out, _ = run(capsys, "--db", db, "validate", str(good), str(bad))
    assert rc == 1
    assert f"{good}: ok: scie-four@1.0" in out
    assert re.search(rf"^{re.escape(str(bad))}: INVALID \(\d+ problems\)$", out, re.M)
    assert f"{bad}:3: colour: unknown field" in out
    assert f"{bad}:1: (top level): missing required field 'title'" in out


def test_validate_missing_file(capsys, db, tmp_path):
    missing = tmp_path / "nothing.yaml"
    rc, out, _ = run(capsys, "--db", db, "validate", str(missing))
    assert rc == 1
    assert f"{missing}: (top level): cannot be read" in out


# -- round create / list / close ------------------------------------------------------------


def create(capsys, db, *extra: str) -> tuple[int, str, str]:
    return run(
        capsys,
        "--db",
        db,
        "round",
        "create",
        "--team",
        "Riverside",
        "--framework",
        "nef-nesta-six",
        "--url",
        "http://example.org/",
        *extra,
    )


def test_round_create_prints_two_links(capsys, db):
    rc, out, err = create(capsys, db, "--roles", "Staff, Carer,,", "--min-answers", "4")
    assert rc == 0 and err == ""
    assert out.splitlines()[0].startswith("Round 1 created for Riverside (")
    assert "nef-nesta-six@1.0" in out and "anonymous" in out and "from 4 answers" in out
    found = [m.groups() for line in out.splitlines() if (m := LINK.search(line))]
    assert len(found) == 2
    assert all(base == "http://example.org" for base, _ in found)  # no double slash
    (_, member), (_, facilitator) = found
    s = open_store(db)
    try:
        rnd, kind = s.rounds.by_code(member)
        assert kind == "member" and rnd.team == "Riverside"
        assert s.rounds.by_code(facilitator)[1] == "facilitator"
        assert rnd.roles == ("Staff", "Carer")
        assert rnd.min_answers == 4 and rnd.anonymous
    finally:
        s.close()


def test_round_create_named(capsys, db):
    rc, out, _ = create(capsys, db, "--named")
    assert rc == 0 and "named" in out
    s = open_store(db)
    try:
        assert s.rounds.get(1).anonymous is False
    finally:
        s.close()


def test_round_create_unknown_framework_exits_2(capsys, db):
    rc, out, err = run(
        capsys, "--db", db, "round", "create", "--team", "T", "--framework", "no-such-thing"
    )
    assert rc == 2
    assert out == ""
    assert "no framework with id 'no-such-thing'" in err
    assert "nef-nesta-six" in err  # the known ids are listed


def test_round_create_bad_settings_exits_2(capsys, db):
    rc, _, err = create(capsys, db, "--min-answers", "0")
    assert rc == 2
    assert "minimum answers" in err


def test_round_list(capsys, db):
    rc, out, _ = run(capsys, "--db", db, "round", "list")
    assert rc == 0 and out.startswith("No rounds yet")

    create(capsys, db)
    s = open_store(db)
    try:
        code = s.rounds.links(1).member_code
        for i in range(3):
            s.members.save_rating(code, f"tok-list-member-{i:04d}", "assets-1", 3)
        s.members.submit(code, "tok-list-member-0000")
        s.members.submit(code, "tok-list-member-0001")
    finally:
        s.close()

    rc, out, _ = run(capsys, "--db", db, "round", "list")
    assert rc == 0
    head, row = out.splitlines()
    assert head.split() == [
        "id",
        "after",
        "team",
        "framework",
        "status",
        "answers",
        "in",
        "progress",
    ]
    assert row.split() == ["1", "-", "Riverside", "nef-nesta-six@1.0", "open", "2", "1"]


def test_round_close(capsys, db):
    create(capsys, db)
    rc, out, _ = run(capsys, "--db", db, "round", "close", "1")
    assert rc == 0
    assert out.strip() == "Round 1 (Riverside) is closed."
    rc, out, _ = run(capsys, "--db", db, "round", "list")
    assert out.splitlines()[1].split()[4] == "closed"
    s = open_store(db)
    try:
        assert s.rounds.get(1).status == "closed"
    finally:
        s.close()


def test_round_close_unknown_exits_2(capsys, db):
    rc, out, err = run(capsys, "--db", db, "round", "close", "42")
    assert rc == 2 and out == ""
    assert "no round 42" in err


# -- demo -----------------------------------------------------------------------------------


def test_demo_is_idempotent(capsys, db):
    rc, first, _ = run(capsys, "--db", db, "demo", "--url", "http://h:1")
    assert rc == 0
    assert first.splitlines()[0] == f"Demo round 2: {DEMO_TEAM}"
    links = [m.groups() for line in first.splitlines() if (m := LINK.search(line))]
    assert len(links) == 2

    rc, second, _ = run(capsys, "--db", db, "demo", "--url", "http://h:1")
    assert rc == 0
    assert second == first  # the same round and the same links

    s = open_store(db)
    try:
        [earlier, summary] = s.rounds.all()
        assert earlier.round.team == summary.round.team == DEMO_TEAM
        assert summary.round.previous_id == earlier.round.id and earlier.round.status == "closed"
        assert summary.submitted == 6 and summary.in_progress == 0
        assert [a.status for a in s.actions.to_review(summary.round.id)] == ["done", "doing"]
        assert summary.facilitator_code == links[0][1]
        assert summary.member_code == links[1][1]
        answers = s.rounds.answers(summary.round.id)
        assert all(a.name == "" for a in answers)  # the demo round is anonymous
        assert {a.role for a in answers} <= set(summary.round.roles)
        # and a demo cohort for trainers: part-way through, answers released without names
        [cohort] = s.cohorts.all()
        assert f"Demo cohort {cohort.id}: {cohort.title}" in first and cohort.participants == 4
        codes = s.cohorts.links(cohort.id)
        assert f"/c/{codes.trainer_code}" in first and f"/c/{codes.join_code}" in first
        assert s.cohorts.exercise_release(cohort.id, "own-definition").released
        roster = {r.name: r for r in s.cohorts.roster(cohort.id)}
        assert s.cohorts.feedback(cohort.id, roster["Amira"].id)["weakest-co"].text
    finally:
        s.close()


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


# -- round next -----------------------------------------------------------------------------


def test_round_next_keeps_the_settings_and_the_series(capsys, db):
    rc, out, _ = run(
        capsys,
        "--db",
        db,
        "round",
        "create",
        "--team",
        "Ward 7",
        "--framework",
        "scie-four",
        "--roles",
        "Staff,Carer",
        "--min-answers",
        "4",
    )
    assert rc == 0
    s = open_store(db)
    try:
        s.actions.add(1, s.rounds.framework(1).principles[0].id, "Ask first")
    finally:
        s.close()
    rc, out, err = run(capsys, "--db", db, "round", "next", "1", "--url", "http://h:1")
    assert rc == 0, err
    assert out.splitlines()[0].startswith("Round 2 opened after round 1 for Ward 7")
    assert "1 action(s) to review" in out
    assert len([m for line in out.splitlines() if (m := LINK.search(line))]) == 2
    s = open_store(db)
    try:
        r2 = s.rounds.get(2)
        assert (r2.series_id, r2.previous_id, r2.min_answers, r2.roles) == (
            1,
            1,
            4,
            ("Staff", "Carer"),
        )
    finally:
        s.close()
    rc, out, _ = run(capsys, "--db", db, "round", "list")
    assert out.splitlines()[2].split()[:2] == ["2", "1"]  # round 2 came after round 1


def test_round_next_of_an_unknown_round(capsys, db):
    rc, out, err = run(capsys, "--db", db, "round", "next", "9")
    assert rc == 2 and "there is no round 9" in err and out == ""


# -- validate, every kind of data file ----------------------------------------------------


def test_validate_checks_every_kind_of_data_file(capsys):
    files = sorted(str(p) for p in (REPO / "data").glob("*/*.yaml"))
    kinds = {Path(f).parent.name for f in files}
    assert {"frameworks", "reflective_models", "export_forms", "ladders", "planner"} <= kinds
    rc, out, _ = run(capsys, "validate", *files)
    assert rc == 0, out
    assert out.count(": ok: ") == len(files)


def test_validate_names_the_line_and_field_in_a_model_and_a_ladder(capsys, tmp_path):
    model = tmp_path / "gibbs.yaml"
    text = (REPO / "data" / "reflective_models" / "gibbs.yaml").read_text()
    model.write_text(text.replace("stages:", "stages: 7\nunused:", 1))
    ladder = tmp_path / "tlap-ladder.yaml"
    ladder.write_text("id: tlap-ladder\nsteps: []\n")
    rc, out, _ = run(capsys, "validate", str(model), str(ladder))
    assert rc == 1
    assert f"{model}: INVALID" in out and f"{ladder}: INVALID" in out
    assert re.search(rf"{re.escape(str(model))}:\d+: stages: ", out), out
    assert f"{ladder}:" in out and "title" in out


def test_an_unexpected_failure_is_a_message_not_a_traceback(capsys):
    from coprod_widgets.cli import main

    assert main(["--db", "nonsense://", "round", "list"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "database nonsense://" in err and "COPROD_DEBUG=1" in err


# -- issue 10, point 7: links again for the server's owner; the next round closes the last ---


def test_round_list_links_prints_both_links_of_each_round(capsys, db):
    create(capsys, db)
    create(capsys, db)
    run(capsys, "--db", db, "round", "close", "1")
    rc, plain, _ = run(capsys, "--db", db, "round", "list")
    assert rc == 0 and "/j/" not in plain  # without --links, no link is printed
    rc, out, err = run(capsys, "--db", db, "round", "list", "--links", "--url", "http://h:1/")
    assert rc == 0 and err == ""
    s = open_store(db)
    try:
        rounds = s.rounds.all()
    finally:
        s.close()
    lines = out.splitlines()
    for summary in rounds:
        row = next(i for i, x in enumerate(lines) if x.split()[:1] == [str(summary.round.id)])
        member, results = lines[row + 1], lines[row + 2]
        assert "member link, share with the team" in member
        assert member.endswith(f" http://h:1/j/{summary.member_code}")  # as round create --url
        assert "results link, keep to yourself" in results
        assert results.endswith(f" http://h:1/j/{summary.facilitator_code}")
    assert "(closed: takes no answers)" in lines[2] and "closed" not in lines[5]
    assert "keep them to yourself" in lines[-1]


def test_round_next_closes_the_previous_round_by_default(capsys, db):
    create(capsys, db)
    rc, out, err = run(capsys, "--db", db, "round", "next", "1")
    assert rc == 0, err
    assert "Round 1 is closed" in out
    s = open_store(db)
    try:
        assert s.rounds.get(1).status == "closed" and s.rounds.get(2).is_open
    finally:
        s.close()


def test_round_next_keep_previous_leaves_it_open(capsys, db):
    create(capsys, db)
    rc, out, err = run(capsys, "--db", db, "round", "next", "1", "--keep-previous")
    assert rc == 0, err
    assert "Round 1 stays open (--keep-previous)" in out
    s = open_store(db)
    try:
        assert s.rounds.get(1).is_open and s.rounds.get(2).is_open
    finally:
        s.close()
    with pytest.raises(SystemExit):  # one or the other, never both
        main(["--db", db, "round", "next", "1", "--keep-previous", "--close-previous"])
    assert "not allowed with" in capsys.readouterr().err


def test_round_next_help_says_which_is_the_default(capsys):
    with pytest.raises(SystemExit):
        main(["round", "next", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--close-previous" in out and "--keep-previous" in out
    assert "(the default:" in out
