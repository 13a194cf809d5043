"""Courses: the shipped course loads and cites its sources; broken courses are reported with
file:line: field: what was expected, every problem at once."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from coprod_widgets.content import ContentError
from coprod_widgets.content.courses import (
    CourseLibrary,
    References,
    course_summary,
    load_course,
    validate_course,
)
from coprod_widgets.model.course import KINDS, course_fingerprint

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SHIPPED = DATA / "courses" / "intro-coproduction"
FIXTURES = REPO / "tests" / "data" / "courses"
SEEDS = Path("/work/shared/seeds")


@pytest.fixture(scope="module")
def refs() -> References:
    return References.load([DATA / "ladders"], [DATA / "reflective_models"], [DATA / "frameworks"])


def problems_of(folder: Path, refs: References) -> list[tuple[str, int | None, str, str]]:
    return [
        (Path(p.file).relative_to(FIXTURES).as_posix(), p.line, p.path, p.message)
        for p in validate_course(folder, refs)
    ]


def has(found, file: str, line: int, path: str, *words: str) -> bool:
    return any(
        f == file and ln == line and pa == path and all(w in m for w in words)
        for f, ln, pa, m in found
    )


# -- the shipped course -------------------------------------------------------------------------


def test_shipped_course_validates_with_no_problems(refs):
    assert validate_course(SHIPPED, refs) == []
    course = load_course(SHIPPED, refs)
    assert course.id == "intro-coproduction" and course.version == "1.0"
    assert course_summary(course).startswith("intro-coproduction@1.0: An introduction")


def test_shipped_course_loads_with_the_default_libraries():
    assert validate_course(SHIPPED / "course.yaml") == []


def test_every_shipped_module_cites_a_source_and_has_exercises(refs):
    course = load_course(SHIPPED, refs)
    assert len(course.modules) == 10
    for m in course.modules:
        assert m.sources, m.id
        assert all(s.title and (s.url or s.reference) for s in m.sources), m.id
        assert m.exercises, m.id
        assert any(isinstance(b, str) and b.strip() for b in m.blocks), m.id
    assert course.sources


def test_shipped_course_uses_every_kind_and_covers_the_brief(refs):
    course = load_course(SHIPPED, refs)
    assert {e.kind for e in course.exercises} == set(KINDS)
    ids = [e.id for e in course.exercises]
    assert len(ids) == len(set(ids))
    gibbs = [e for e in course.exercises if e.kind == "reflection"]
    assert [e.ref for e in gibbs] == ["gibbs"]
    assert gibbs[0].parts[0] == "description" and gibbs[0].parts[-1] == "action-plan"
    assert course.modules[-1].id == "closing-reflection"
    assert gibbs[0] in course.modules[-1].exercises
    planner = next(e for e in course.exercises if e.kind == "planner")
    assert planner.scenario is not None and planner.scenario.title
    assert {e.ref for e in course.exercises if e.kind == "ladder"} == {
        "tlap-ladder",
        "arnstein-ladder",
    }
    cited = " ".join(s.reference for m in course.modules for s in m.sources)
    for seed in ("seed 000", "seed 001", "seed 002", "seed 003", "seed 004"):
        assert seed in cited


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed texts are not on this machine")
def test_shipped_course_copies_no_sentence_from_the_seeds():
    seed = _words(" ".join(f.read_text(encoding="utf-8") for f in SEEDS.glob("*.txt")))
    n = 8
    grams = {tuple(seed[i : i + n]) for i in range(len(seed) - n)}
    for f in sorted(SHIPPED.glob("*.md")):
        body = f.read_text(encoding="utf-8").split("\n---\n", 1)[1]  # prose, not the citations
        w = _words(body)
        copied = [" ".join(w[i : i + n]) for i in range(len(w) - n) if tuple(w[i : i + n]) in grams]
        assert copied == [], f"{f.name} repeats a seed's wording: {copied[:3]}"


# -- broken courses: every problem at once, each with file, line and field -------------------


def test_broken_course_reports_every_problem_with_file_line_and_field(refs):
    found = problems_of(FIXTURES / "broken-course", refs)
    course = "broken-course/course.yaml"
    first = "broken-course/first.md"
    second = "broken-course/second.md"
    expected = [
        (course, 2, "version", 'expected a version in quotes such as "1.0"'),
        (course, 12, "sources[0]", "expected a 'url' or a 'reference'"),
        (course, 10, "modules[2]", "expected a module file missing-module.md"),
        ("broken-course/stray.md", 1, "", "not listed in course.yaml", "'stray'"),
        (first, 14, "exercises[0].kind", "expected one of the kinds", "'essay'"),
        (first, 19, "exercises[1]", "missing required field 'id'"),
        (first, 26, "exercises[2].prompt", "expected text, found an empty value"),
        (first, 30, "exercises[3]", "missing required field 'scale'"),
        (first, 39, "exercises[4].options", "expected at least 2 item(s), found 1"),
        (
            first,
            47,
            "exercises[5].ladder",
            "ladder in data/ladders",
            "tlap-ladder",
            "'jacobs-ladder'",
        ),
        (first, 54, "exercises[6].model", "reflective model", "gibbs", "'gibbons'"),
        (first, 61, "exercises[7].framework", "framework in data/frameworks", "scie-four"),
        (second, 11, "exercises[0].id", "'shared-id' is used twice", "first.md:24"),
        (second, 17, "exercises[1]", "missing required field 'scenario'"),
        (second, 20, "exercises[1].colour", "unknown field", "scenario"),
    ]
    for file, line, path, *words in expected:
        assert has(found, file, line, path, *words), (file, line, path, words, found)
    assert len(found) == len(expected)


def test_broken_blocks_are_reported_at_their_own_lines(refs):
    found = problems_of(FIXTURES / "bad-blocks", refs)
    course = "bad-blocks/course.yaml"
    expected = [
        (course, 2, "version", "numbers and dots", "'2.x'"),
        (course, 6, "minutes", "greater than 0", "found 0"),
        ("bad-blocks/no-front.md", 1, "", "expected front matter"),
        ("bad-blocks/bad-yaml.md", 13, "exercises[0]", "not valid YAML"),
        ("bad-blocks/typo.md", 10, "", "```exercise", "found ```exercises"),
        ("bad-blocks/typo.md", 7, "sources[0].url", "https://", "'example.org'"),
        ("bad-blocks/unclosed.md", 12, "exercises[0]", "not closed"),
        ("bad-blocks/unclosed.md", 2, "id", "file name without .md ('unclosed')"),
    ]
    for file, line, path, *words in expected:
        assert has(found, file, line, path, *words), (file, line, path, words, found)
    assert len(found) == len(expected)


def test_problems_print_as_file_line_field_message(refs):
    with pytest.raises(ContentError) as e:
        load_course(FIXTURES / "broken-course", refs)
    lines = str(e.value).splitlines()
    assert len(lines) == len(e.value.problems) == 15
    assert any(
        ln.endswith(
            "first.md:47: exercises[5].ladder: expected the id of a ladder in "
            "data/ladders (arnstein-ladder, tlap-ladder), found 'jacobs-ladder'"
        )
        for ln in lines
    )


def test_a_folder_without_course_yaml_is_one_problem(tmp_path, refs):
    (tmp_path / "empty").mkdir()
    [p] = validate_course(tmp_path / "empty", refs)
    assert p.file.endswith("empty/course.yaml") and "missing" in p.message


def test_good_course_keeps_prose_code_and_exercises_in_order(refs):
    course = load_course(FIXTURES / "good-course", refs)
    [m] = course.modules
    kinds = [b if isinstance(b, str) else b.id for b in m.blocks]
    assert kinds[0].startswith("First prose.") and 'print("a code block stays prose")' in kinds[0]
    assert kinds[1:] == ["words", "Middle prose.", "pick"]
    assert [o.id for o in course.exercise("pick").options] == ["a", "b"]


# -- the library ------------------------------------------------------------------------------


def test_library_keeps_good_courses_and_reports_broken_ones(tmp_path, refs):
    shutil.copytree(SHIPPED, tmp_path / "intro-coproduction")
    shutil.copytree(FIXTURES / "broken-course", tmp_path / "broken-course")
    lib = CourseLibrary([tmp_path], refs)
    assert [c.id for c in lib] == ["intro-coproduction"]
    assert any(p.file.endswith("first.md") and p.line == 47 for p in lib.problems)


def test_library_serves_the_latest_version_and_any_asked_for(tmp_path, refs):
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    shutil.copytree(SHIPPED, shipped / "intro-coproduction")
    shutil.copytree(SHIPPED, user / "intro-coproduction")
    yaml_file = user / "intro-coproduction" / "course.yaml"
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.10"'),
        encoding="utf-8",
    )
    module = user / "intro-coproduction" / "plan-it.md"
    module.write_text(module.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    lib = CourseLibrary([shipped, user], refs)
    assert lib.get("intro-coproduction").version == "1.10"
    old = lib.get("intro-coproduction", "1.0")
    assert course_fingerprint(old) != course_fingerprint(lib.get("intro-coproduction"))
    with pytest.raises(KeyError, match="known: intro-coproduction"):
        lib.get("nope")


def test_shipped_course_round_trips_as_plain_data(refs):
    import json

    from coprod_widgets.model.course import course_from_dict, course_to_dict

    course = load_course(SHIPPED, refs)
    assert course_from_dict(json.loads(json.dumps(course_to_dict(course)))) == course


def test_the_readme_example_is_a_valid_course(tmp_path, refs):
    text = (DATA / "courses" / "README.md").read_text(encoding="utf-8")
    course_yaml = re.search(r"`course.yaml`:\n\n```yaml\n(.*?)```\n", text, re.S)
    module_md = re.search(r"`getting-started.md`:\n\n````markdown\n(.*?)````", text, re.S)
    assert course_yaml and module_md
    folder = tmp_path / "my-course"
    folder.mkdir()
    (folder / "course.yaml").write_text(course_yaml.group(1), encoding="utf-8")
    (folder / "getting-started.md").write_text(module_md.group(1), encoding="utf-8")
    course = load_course(folder, refs)
    assert [e.kind for e in course.exercises] == ["text", "ladder", "rating"]
