"""Framework files: the shipped ones load, and broken ones say file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod_widgets.content import (
    ContentError,
    FrameworkLibrary,
    load_framework,
)
from coprod_widgets.content.frameworks import framework_summary

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "data" / "frameworks"
SHIPPED_IDS = {"nef-nesta-six", "scie-four", "cnw-five", "involve-five", "six-areas-of-benefit"}

# A minimal valid file. The line numbers in the tests below refer to it.
MINI = """\
id: mini
version: "1.0"
title: Mini
summary: A small framework.
source:
  citation: Someone (2020).
attribution: Our words.
scale:
  id: three
  title: How often?
  points:
    - value: 1
      label: Never
      descriptor: Not once.
    - value: 2
      label: Sometimes
      descriptor: Now and then.
    - value: 3
      label: Always
      descriptor: Every time.
bands:
  - min: 1
    max: 2
    label: Low
  - min: 2
    max: 3
    label: High
principles:
  - id: listening
    title: Listening
    description: We listen.
    statements:
      - id: listening-1
        text: We change things.
      - id: listening-2
        text: We report back.
"""


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing needle (so the tests say what they mean)."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def write(dir_: Path, name: str, text: str) -> Path:
    p = dir_ / name
    p.write_text(text, encoding="utf-8")
    return p


def broken(tmp_path: Path, old: str, new: str, name: str = "mini.yaml") -> Path:
    assert old in MINI, old
    return write(tmp_path, name, MINI.replace(old, new, 1))


def problems_of(path: Path):
    with pytest.raises(ContentError) as exc:
        load_framework(path)
    return exc.value.problems


def only_problem(path: Path):
    problems = problems_of(path)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# -- shipped content ------------------------------------------------------------------------


def test_shipped_dir_holds_the_five_frameworks():
    assert {p.stem for p in SHIPPED.glob("*.yaml")} == SHIPPED_IDS


@pytest.mark.parametrize("name", sorted(SHIPPED_IDS))
def test_every_shipped_file_validates(name):
    fw = load_framework(SHIPPED / f"{name}.yaml")
    assert fw.id == name
    assert fw.version
    assert len(fw.principles) >= 1
    assert all(p.statements for p in fw.principles)
    ids = [s.id for s in fw.statements]
    assert len(ids) == len(set(ids))
    assert fw.scale.values == tuple(sorted(set(fw.scale.values)))
    if fw.bands:
        assert fw.bands[0].min == fw.scale.minimum
        assert fw.bands[-1].max == fw.scale.maximum
    assert framework_summary(fw).startswith(f"{name}@{fw.version}: ")


def test_library_on_shipped_dir_has_no_problems():
    lib = FrameworkLibrary([SHIPPED])
    assert lib.problems == []
    assert set(lib.latest()) == SHIPPED_IDS
    assert {fw.id for fw in lib} == SHIPPED_IDS
    titles = [fw.title.casefold() for fw in lib]
    assert titles == sorted(titles)  # iterated by title


def test_mini_template_is_valid(tmp_path):
    fw = load_framework(write(tmp_path, "mini.yaml", MINI))
    assert fw.key == "mini@1.0"
    assert [s.id for s in fw.statements] == ["listening-1", "listening-2"]
    assert fw.bands[1].label == "High"


# -- broken files ---------------------------------------------------------------------------


def assert_problem(problem, path: Path, line: int, field: str, message: str):
    assert problem.file == str(path)
    assert problem.line == line
    assert problem.path == field
    assert message in problem.message
    assert str(problem).startswith(f"{path}:{line}: {field or '(top level)'}: ")


def test_missing_nested_field(tmp_path):
    path = broken(tmp_path, "      label: Never\n", "")
    p = only_problem(path)
    assert_problem(
        p, path, line_of(MINI, "- value: 1"), "scale.points[0]", "missing required field 'label'"
    )


def test_missing_top_level_field(tmp_path):
    path = broken(tmp_path, "summary: A small framework.\n", "")
    p = only_problem(path)
    assert_problem(p, path, 1, "", "missing required field 'summary'")
    assert "(top level)" in str(p)


def test_empty_value_counts_as_missing(tmp_path):
    path = broken(tmp_path, "    description: We listen.", "    description:")
    p = only_problem(path)
    assert_problem(
        p,
        path,
        line_of(MINI, "- id: listening"),
        "principles[0]",
        "missing required field 'description'",
    )


def test_wrong_type_text(tmp_path):
    path = broken(tmp_path, "    title: Listening", "    title: [a, b]")
    p = only_problem(path)
    assert_problem(
        p,
        path,
        line_of(MINI, "title: Listening"),
        "principles[0].title",
        "expected text, found a list",
    )


def test_wrong_type_whole_number(tmp_path):
    path = broken(tmp_path, "    - value: 2", "    - value: two")
    problems = problems_of(path)
    p = problems[0]
    assert_problem(
        p,
        path,
        line_of(MINI, "- value: 2"),
        "scale.points[1].value",
        "expected a whole number, found text 'two'",
    )


def test_wrong_type_list(tmp_path):
    path = broken(tmp_path, "principles:\n", "principles: none\nunused:\n")
    problems = problems_of(path)
    paths = {p.path: p for p in problems}
    assert "expected a list" in paths["principles"].message
    assert paths["principles"].line == line_of(MINI, "principles:")


def test_duplicate_statement_id_says_where_the_other_is(tmp_path):
    path = broken(tmp_path, "      - id: listening-2", "      - id: listening-1")
    p = only_problem(path)
    assert_problem(
        p,
        path,
        line_of(MINI, "- id: listening-2"),
        "principles[0].statements[1].id",
        "statement id 'listening-1' is used twice",
    )
    assert f"also at line {line_of(MINI, '- id: listening-1')}" in p.message


def test_duplicate_statement_id_across_principles(tmp_path):
    extra = (
        "  - id: sharing\n"
        "    title: Sharing\n"
        "    description: We share.\n"
        "    statements:\n"
        "      - id: listening-2\n"
        "        text: Again.\n"
    )
    text = MINI + extra
    path = write(tmp_path, "mini.yaml", text)
    p = only_problem(path)
    dup_line = len(MINI.splitlines()) + 5
    assert_problem(p, path, dup_line, "principles[1].statements[0].id", "used twice")
    assert f"also at line {line_of(MINI, '- id: listening-2')}" in p.message


def test_duplicate_principle_id(tmp_path):
    text = MINI + (
        "  - id: listening\n"
        "    title: Again\n"
        "    description: Twice.\n"
        "    statements:\n"
        "      - id: other-1\n"
        "        text: Other.\n"
    )
    path = write(tmp_path, "mini.yaml", text)
    p = only_problem(path)
    assert_problem(
        p,
        path,
        len(MINI.splitlines()) + 1,
        "principles[1].id",
        "principle id 'listening' is used twice",
    )
    assert f"also at line {line_of(MINI, '- id: listening')}" in p.message


def test_scale_values_must_increase(tmp_path):
    path = broken(tmp_path, "    - value: 2", "    - value: 1")
    p = only_problem(path)
    assert_problem(
        p,
        path,
        line_of(MINI, "- value: 2"),
        "scale.points[1].value",
        "expected values in increasing order: 1 comes after 1",
    )


def test_band_gap(tmp_path):
    path = broken(tmp_path, "  - min: 2\n", "  - min: 2.5\n")
    p = only_problem(path)
    assert_problem(p, path, line_of(MINI, "- min: 2"), "bands[1].min", "without gaps or overlaps")


def test_band_overlap(tmp_path):
    path = broken(tmp_path, "  - min: 2\n", "  - min: 1.5\n")
    p = only_problem(path)
    assert_problem(p, path, line_of(MINI, "- min: 2"), "bands[1].min", "2.0 then 1.5")


def test_bands_must_cover_the_scale(tmp_path):
    path = broken(tmp_path, "    max: 3\n", "    max: 2.8\n")
    p = only_problem(path)
    assert_problem(
        p, path, line_of(MINI, "max: 3"), "bands[1].max", "end at the scale's highest value 3"
    )


def test_band_max_must_exceed_min(tmp_path):
    path = broken(tmp_path, "    max: 2\n", "    max: 1\n")
    problems = problems_of(path)
    assert any(
        p.path == "bands[0].max"
        and p.line == line_of(MINI, "max: 2")
        and "greater than min" in p.message
        for p in problems
    ), [str(p) for p in problems]


def test_unknown_top_level_field(tmp_path):
    path = broken(tmp_path, "title: Mini\n", "title: Mini\ncolour: red\n")
    p = only_problem(path)
    assert_problem(p, path, 4, "colour", "unknown field; expected one of:")
    assert "principles" in p.message


def test_unknown_nested_field(tmp_path):
    path = broken(
        tmp_path,
        "        text: We report back.\n",
        "        text: We report back.\n        weight: 2\n",
    )
    p = only_problem(path)
    assert_problem(
        p,
        path,
        len(MINI.splitlines()) + 1,
        "principles[0].statements[1].weight",
        "unknown field; expected one of: id, text",
    )


def test_invalid_yaml_gives_the_line(tmp_path):
    path = broken(tmp_path, "title: Mini\n", "title: Mini: more: x\n")
    p = only_problem(path)
    assert_problem(p, path, line_of(MINI, "title: Mini"), "", "not valid YAML")


def test_id_must_match_the_file_name(tmp_path):
    path = write(tmp_path, "other.yaml", MINI)
    p = only_problem(path)
    assert_problem(p, path, 1, "id", "expected the file name without .yaml ('other')")


def test_bad_id_characters(tmp_path):
    path = broken(tmp_path, "      - id: listening-1", "      - id: Listening_1")
    p = only_problem(path)
    assert_problem(
        p,
        path,
        line_of(MINI, "- id: listening-1"),
        "principles[0].statements[0].id",
        "lowercase letters, digits and hyphens",
    )


def test_version_must_be_text_or_a_number(tmp_path):
    path = broken(tmp_path, 'version: "1.0"', "version: [1]")
    p = only_problem(path)
    assert_problem(p, path, 2, "version", "in quotes")


def test_not_a_mapping(tmp_path):
    path = write(tmp_path, "mini.yaml", "- just\n- a list\n")
    p = only_problem(path)
    assert p.path == "" and "expected a mapping" in p.message and p.line == 1


def test_empty_file(tmp_path):
    path = write(tmp_path, "mini.yaml", "")
    p = only_problem(path)
    assert p.file == str(path)
    assert "found nothing" in p.message


def test_not_utf8(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_bytes(b"id: mini\ntitle: \xff\xfe\n")
    p = only_problem(path)
    assert p.file == str(path) and "UTF-8" in p.message


def test_every_problem_is_reported_at_once(tmp_path):
    text = MINI.replace("title: Mini\n", "title: Mini\ncolour: red\n", 1)
    text = text.replace("      - id: listening-2", "      - id: listening-1", 1)
    text = text.replace("      label: Never\n", "", 1)
    path = write(tmp_path, "mini.yaml", text)
    problems = problems_of(path)
    assert {p.path for p in problems} == {
        "colour",
        "scale.points[0]",
        "principles[0].statements[1].id",
    }
    with pytest.raises(ContentError) as exc:
        load_framework(path)
    assert len(str(exc.value).splitlines()) == 3


# -- the library ----------------------------------------------------------------------------


def test_library_keeps_good_files_and_reports_bad_ones(tmp_path):
    write(tmp_path, "mini.yaml", MINI)
    bad = write(
        tmp_path,
        "broken.yaml",
        MINI.replace("id: mini", "id: broken", 1).replace("    - value: 2", "    - value: 1", 1),
    )
    lib = FrameworkLibrary([tmp_path])  # never raises
    assert set(lib.latest()) == {"mini"}
    assert lib.problems
    assert all(p.file == str(bad) for p in lib.problems)
    assert lib.problems[0].path == "scale.points[1].value"
    with pytest.raises(KeyError, match="known: mini"):
        lib.get("broken")


def test_library_survives_invalid_yaml_and_missing_dirs(tmp_path):
    write(tmp_path, "mini.yaml", MINI)
    write(tmp_path, "junk.yml", "a: [unclosed\n")
    lib = FrameworkLibrary([tmp_path / "does-not-exist", tmp_path])
    assert set(lib.latest()) == {"mini"}
    assert [Path(p.file).name for p in lib.problems] == ["junk.yml"]


def test_library_default_dirs_include_the_users_folder(coprod_home):
    (coprod_home / "frameworks").mkdir()
    write(coprod_home / "frameworks", "mini.yaml", MINI)
    lib = FrameworkLibrary()
    assert set(lib.latest()) == SHIPPED_IDS | {"mini"}
    assert lib.problems == []


def test_latest_version_wins_and_a_version_can_be_fetched(tmp_path):
    newer, older = tmp_path / "a", tmp_path / "b"
    newer.mkdir()
    older.mkdir()
    # "1.10" is newer than "1.9" (compared as numbers, not as text), whichever folder loads last.
    write(
        newer,
        "mini.yaml",
        MINI.replace('version: "1.0"', 'version: "1.10"').replace("title: Mini", "title: Mini ten"),
    )
    write(older, "mini.yaml", MINI.replace('version: "1.0"', 'version: "1.9"'))
    lib = FrameworkLibrary([newer, older])
    assert set(lib.frameworks) == {("mini", "1.10"), ("mini", "1.9")}
    assert lib.get("mini").version == "1.10"
    assert lib.get("mini").title == "Mini ten"
    assert lib.get("mini", "1.9").version == "1.9"
    assert lib.get("mini", "1.9").title == "Mini"
    assert [fw.version for fw in lib] == ["1.10"]  # one entry per id
    with pytest.raises(KeyError, match="mini@2.0"):
        lib.get("mini", "2.0")
    with pytest.raises(KeyError, match="no framework with id 'other'"):
        lib.get("other")
