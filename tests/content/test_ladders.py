"""Ladders and the planner's content files: the shipped ones load, bad ones are reported with
file:line: field: what was expected, every problem at once."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from coprod_widgets.content import ContentError
from coprod_widgets.content.ladders import LadderLibrary, ladder_summary, load_ladder
from coprod_widgets.content.planner import load_planner_content
from coprod_widgets.model.plan import FOUR_COS

REPO = Path(__file__).resolve().parents[2]
LADDERS = REPO / "data" / "ladders"
PLANNER = REPO / "data" / "planner"
FRAMEWORKS = REPO / "data" / "frameworks"


def test_tlap_ladder_has_its_seven_steps_in_order():
    lad = load_ladder(LADDERS / "tlap-ladder.yaml")
    assert [s.title for s in lad.steps] == [
        "Coercion",
        "Educating",
        "Informing",
        "Consultation",
        "Engagement",
        "Co-design",
        "Co-production",
    ]
    assert [g.title for g in lad.groups] == ["Doing to", "Doing for", "Doing with"]
    assert [s.group for s in lad.steps] == ["doing-to"] * 2 + ["doing-for"] * 3 + ["doing-with"] * 2
    assert lad.number("co-production") == 7 and lad.kind == "step"
    assert "thinklocalactpersonal.org.uk" in lad.source.url


def test_arnstein_ladder_has_its_eight_rungs_in_three_groups():
    lad = load_ladder(LADDERS / "arnstein-ladder.yaml")
    assert [s.title for s in lad.steps] == [
        "Manipulation",
        "Therapy",
        "Informing",
        "Consultation",
        "Placation",
        "Partnership",
        "Delegated power",
        "Citizen control",
    ]
    assert [g.title for g in lad.groups] == [
        "Non-participation",
        "Degrees of tokenism",
        "Degrees of citizen power",
    ]
    assert lad.kind == "rung"
    assert "Arnstein" in lad.source.citation and "1969" in lad.source.citation
    assert ladder_summary(lad) == (
        "arnstein-ladder@1.0: Arnstein's ladder of citizen participation: 8 rungs in 3 groups"
    )


@pytest.mark.parametrize("name", ["tlap-ladder.yaml", "arnstein-ladder.yaml"])
def test_every_step_is_described_in_our_own_words_and_the_source_is_cited(name):
    lad = load_ladder(LADDERS / name)
    for s in lad.steps:
        assert len(s.description.split()) >= 12, s.id
        assert s.description != s.title
    assert lad.source.citation and lad.attribution
    assert "own words" in lad.attribution


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return p


BAD_LADDER = """\
id: my-ladder
version: 1.0
title: A ladder
summary: Two steps.
source:
  citation: Us.
attribution: Ours.
groups:
  - id: low
    title: Low
steps:
  - id: one
    title: One
    group: low
    description: The first step.
  - id: one
    title: Two
    group: high
    description: The second step.
  - id: three
    title: Three
    group: low
"""


def test_a_bad_ladder_reports_every_problem_with_file_line_and_field(tmp_path):
    path = write(tmp_path, "other-name.yaml", BAD_LADDER)
    with pytest.raises(ContentError) as e:
        load_ladder(path)
    got = [str(p) for p in e.value.problems]
    f = str(path)
    assert (
        f"{f}:1: id: expected the file name without .yaml ('other-name'), found 'my-ladder'" in got
    )
    assert f"{f}:16: steps[1].id: step id 'one' is used twice (also at line 12)" in got
    assert f"{f}:18: steps[1].group: expected one of the groups (low), found 'high'" in got
    assert f"{f}:20: steps[2]: missing required field 'description'" in got
    assert len(got) == 4


def test_a_ladder_needs_two_steps_and_known_fields(tmp_path):
    path = write(
        tmp_path,
        "tiny.yaml",
        """\
        id: tiny
        version: "1"
        title: Tiny
        summary: One step.
        source: {citation: Us.}
        attribution: Ours.
        colour: red
        steps:
          - {id: only, title: Only, description: The only step.}
        """,
    )
    with pytest.raises(ContentError) as e:
        load_ladder(path)
    text = str(e.value)
    assert f"{path}:7: colour: unknown field; expected one of:" in text
    assert f"{path}:8: steps: expected at least 2 item(s), found 1" in text


def test_the_library_leaves_out_a_broken_file_and_keeps_the_problem(tmp_path):
    shutil.copy(LADDERS / "tlap-ladder.yaml", tmp_path)
    write(tmp_path, "broken.yaml", "id: [unclosed\n")
    lib = LadderLibrary([tmp_path])
    assert [lad.id for lad in lib] == ["tlap-ladder"]
    assert len(lib.problems) == 1 and "not valid YAML" in str(lib.problems[0])
    with pytest.raises(KeyError, match="no ladder with id 'nope'"):
        lib.get("nope")


def test_the_library_lists_tlap_first(tmp_path):
    lib = LadderLibrary([LADDERS])
    assert [lad.id for lad in lib] == ["tlap-ladder", "arnstein-ladder"]


# -- the planner's files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def content():
    return load_planner_content(PLANNER, [LADDERS], [FRAMEWORKS])


def test_the_four_cos_are_all_there_in_order(content):
    assert tuple(c.id for c in content.four_cos) == FOUR_COS
    assert [c.title for c in content.four_cos] == [
        "Co-commissioning",
        "Co-design",
        "Co-delivery",
        "Co-evaluation",
    ]
    assert "seeds/002_273859ec6f6e8c18.txt" in content.four_cos_source.notes


def test_the_starting_risks_are_the_seeds_known_weaknesses(content):
    ids = [r.id for r in content.risks]
    for weakness in (
        "time-and-money",
        "same-voices",
        "looks-exclusive",
        "large-groups",
        "not-equals",
        "one-off",
    ):
        assert weakness in ids
    for r in content.risks:
        assert r.how and r.source and r.description
    assert "001_fce4a89c41895b7e" in content.risks_source.citation
    assert "004_711852819f221082" in content.risks_source.citation


def test_the_measures_use_the_six_areas_of_benefit_from_seed_002(content):
    assert [a.title for a in content.areas] == [
        "Service effectiveness",
        "Job satisfaction",
        "Sustainability",
        "Value for money",
        "Participant wellbeing",
        "Community development",
    ]
    assert all(len(a.ideas) >= 2 for a in content.areas)
    assert "002_273859ec6f6e8c18" in content.areas_source.citation


def test_the_payment_note_warns_about_benefits_and_agreeing_first(content):
    p = content.payments
    assert "benefits" in p.summary and "agree" in p.summary.lower()
    assert any("welfare-rights advice" in x for x in p.points)
    assert "NIHR" in p.source.citation


def test_bad_planner_files_report_every_problem_at_once(tmp_path):
    for f in PLANNER.glob("*.yaml"):
        shutil.copy(f, tmp_path)
    cos = (tmp_path / "four-cos.yaml").read_text()
    cos = cos.replace("  - id: co-evaluation", "  - id: co-lunch")
    (tmp_path / "four-cos.yaml").write_text(cos)
    measures = (tmp_path / "measures.yaml").read_text()
    measures = measures.replace("  - id: job-satisfaction", "  - id: job-happiness")
    (tmp_path / "measures.yaml").write_text(measures)
    risks = (
        (tmp_path / "risks.yaml")
        .read_text()
        .replace("    how: >-\n      Keep a", "    hw: >-\n      Keep a")
    )
    (tmp_path / "risks.yaml").write_text(risks)
    with pytest.raises(ContentError) as e:
        load_planner_content(tmp_path, [LADDERS], [FRAMEWORKS])
    text = str(e.value)
    assert "four-cos.yaml:" in text and "stages[3].id: expected one of co-commissioning" in text
    assert "stages: expected all four stages; missing co-evaluation" in text
    assert "measures.yaml:" in text and "expected a principle of six-areas-of-benefit" in text
    assert "risks.yaml:" in text and "risks[1]: missing required field 'how'" in text
    assert "risks[1].hw: unknown field" in text


def test_measures_must_name_a_framework_that_exists(tmp_path):
    for f in PLANNER.glob("*.yaml"):
        shutil.copy(f, tmp_path)
    m = (
        (tmp_path / "measures.yaml")
        .read_text()
        .replace("framework: six-areas-of-benefit", "framework: seven-areas")
    )
    (tmp_path / "measures.yaml").write_text(m)
    with pytest.raises(ContentError, match=r"measures.yaml:\d+: framework: expected the id of"):
        load_planner_content(tmp_path, [LADDERS], [FRAMEWORKS])


def test_a_missing_planner_file_is_a_problem_not_a_crash(tmp_path):
    for f in PLANNER.glob("*.yaml"):
        shutil.copy(f, tmp_path)
    (tmp_path / "payments.yaml").unlink()
    with pytest.raises(ContentError, match="payments.yaml: .*cannot be read"):
        load_planner_content(tmp_path, [LADDERS], [FRAMEWORKS])


def test_the_shipped_benefits_are_valid_and_cite_their_seed():
    from coprod_widgets.content.benefits import BenefitLibrary

    lib = BenefitLibrary([REPO / "data" / "benefits"])
    assert not lib.problems
    sets = {s.id: s for s in lib}
    assert [g.title for g in sets["benefits-by-who"].groups] == [
        "For organisations",
        "For people who use services",
        "For practitioners",
    ]
    assert "000_0f417a75b4489fe0" in sets["benefits-by-who"].source.notes
    assert len(sets["benefits-scn"].tags()) == 4
    assert "003_5510fbbe3c61897f" in sets["benefits-scn"].source.notes


def test_a_broken_benefits_file_names_its_line_and_field_and_is_left_out(tmp_path):
    from coprod_widgets.content.any import validate_file
    from coprod_widgets.content.benefits import BenefitLibrary

    d = tmp_path / "benefits"
    d.mkdir()
    f = d / "mine.yaml"
    f.write_text(
        'id: mine\nversion: "1.0"\ntitle: Mine\nsummary: s\nsource: {citation: c}\n'
        "attribution: a\ngroups:\n  - id: g\n    title: G\n    benefits:\n"
        "      - id: Not An Id\n        title: T\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as e:
        validate_file(f)
    text = str(e.value)
    assert f"{f}:11: groups[0].benefits[0].id: expected an id" in text
    assert "groups[0].benefits[0]: missing required field 'description'" in text
    lib = BenefitLibrary([d])
    assert list(lib) == [] and lib.problems
