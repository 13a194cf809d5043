"""Reflective models and export forms as files: the shipped ones load, a trainer's own file is
picked up, and a broken file names file, line and field for every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod_widgets.cli import main
from coprod_widgets.content import ContentError
from coprod_widgets.content.models import (
    FormLibrary,
    ModelLibrary,
    load_any,
    load_form,
    load_model,
)
from coprod_widgets.model.journal import FREE_FORM

REPO = Path(__file__).resolve().parents[2]
MODELS_DIR = REPO / "data" / "reflective_models"
FORMS_DIR = REPO / "data" / "export_forms"

STAGES = {
    "gibbs": ["Description", "Feelings", "Evaluation", "Analysis", "Conclusion", "Action plan"],
    "kolb": [
        "Concrete Experience",
        "Reflective Observation",
        "Abstract Conceptualisation",
        "Active Experimentation",
    ],
    "what-so-what-now-what": ["What?", "So what?", "Now what?"],
    "pdsa": [
        "What are we trying to accomplish?",
        "How will we know that a change is an improvement?",
        "What change can we make that will result in improvement?",
        "Plan",
        "Prediction",
        "Do",
        "Study",
        "Act",
    ],
    "brookfield-lenses": [
        "Autobiographical",
        "Through the eyes of the people you work with",
        "Colleagues' perceptions",
        "Theoretical literature",
    ],
}

MINI_MODEL = """\
id: mini
version: "1.0"
title: Mini model
summary: Two stages.
source:
  citation: Someone (2020).
attribution: Our words.
cycle:
  carry: next
  into: what
stages:
  - id: what
    title: What happened
    role: experience
    prompt: Say what happened.
    hints: ["Who was there?"]
  - id: next
    title: Next
    role: action
    prompt: Say what you will do.
"""

MINI_FORM = """\
id: mini-form
version: "1.0"
title: Mini form
regulator: Nobody
summary: A form.
source:
  citation: Nobody (2020).
attribution: Our words.
questions:
  - id: what
    title: What was it?
    roles: [experience]
    max_words: 50
  - id: themes
    title: Which themes?
    options:
      - id: a
        title: A
    min_choices: 1
limits:
  - id: all
    title: Everything
    questions: [what]
    max_words: 100
"""


def line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def messages(load, path: Path) -> list[str]:
    with pytest.raises(ContentError) as e:
        load(path)
    return [str(p) for p in e.value.problems]


@pytest.mark.parametrize("model_id", sorted(STAGES))
def test_every_shipped_model_loads_with_its_published_stage_names(model_id):
    m = load_model(MODELS_DIR / f"{model_id}.yaml")
    assert [s.title for s in m.stages] == STAGES[model_id]
    assert m.source.citation and m.attribution
    assert all(s.prompt for s in m.stages)


def test_pdsa_puts_prediction_beside_observation_and_act_starts_the_next_cycle():
    m = load_model(MODELS_DIR / "pdsa.yaml")
    assert (m.compare.predicted, m.compare.observed) == ("prediction", "do")
    assert (m.cycle.carry, m.cycle.into) == ("act", "plan")
    assert m.cycle.keep == ("aim", "measures", "changes")


def test_the_library_has_the_five_models_in_order_and_free_form_always():
    lib = ModelLibrary([MODELS_DIR])
    assert lib.problems == []
    assert [m.id for m in lib] == [
        "gibbs",
        "kolb",
        "what-so-what-now-what",
        "pdsa",
        "brookfield-lenses",
        "free-form",
    ]
    assert ModelLibrary([]).get("free-form") is FREE_FORM


def test_every_shipped_form_loads():
    lib = FormLibrary([FORMS_DIR])
    assert lib.problems == []
    assert sorted(f.id for f in lib) == [
        "hcpc-cpd-profile",
        "nmc-reflective-account",
        "swe-cpd-record",
    ]
    for f in lib:
        assert f.source.citation and f.attribution and f.regulator


def test_a_trainers_own_model_in_their_folder_is_picked_up(coprod_home):
    own = coprod_home / "reflective_models"
    own.mkdir()
    write(own, "mini.yaml", MINI_MODEL)
    write(
        own,
        "broken.yaml",
        MINI_MODEL.replace("id: mini", "id: broken").replace("role: action", "role: acting"),
    )
    lib = ModelLibrary()
    assert lib.get("mini").title == "Mini model"
    assert lib.get("gibbs").title == "Gibbs' reflective cycle"
    # The broken file is left out and reported, never a crash.
    assert [p.path for p in lib.problems] == ["stages[1].role"]


def test_a_broken_model_lists_every_problem_with_file_line_and_field(tmp_path):
    text = (
        MINI_MODEL.replace("id: mini", "id: other")
        .replace("role: action", "role: acting")
        .replace("  - id: next\n", "  - id: what\n")
        .replace("  carry: next", "  carry: nowhere")
        .replace("    prompt: Say what happened.\n", "")
    )
    path = write(tmp_path, "mini.yaml", text)
    got = messages(load_model, path)
    f = str(path)
    assert got == [
        f"{f}:1: id: expected the file name without .yaml ('mini'), found 'other'",
        f"{f}:12: stages[0]: missing required field 'prompt'",
        f"{f}:16: stages[1].id: stage id 'what' is used twice (also at line 12)",
        f"{f}:18: stages[1].role: expected one of: "
        "experience, feelings, evaluation, learning, action, perspective, aim, measure, change, "
        "prediction, observation; found 'acting'",
        f"{f}:9: cycle.carry: expected the id of one of the stages (what), found 'nowhere'",
    ]
    assert line_of(text, "role: acting") == 18


def test_a_model_may_not_take_the_built_in_free_form_id(tmp_path):
    path = write(tmp_path, "free-form.yaml", MINI_MODEL.replace("id: mini", "id: free-form"))
    assert messages(load_model, path) == [
        f"{path}:1: id: 'free-form' is built in: choose another id"
    ]


def test_a_broken_form_lists_every_problem_with_file_line_and_field(tmp_path):
    text = (
        MINI_FORM.replace("roles: [experience]", "roles: [experiences]")
        .replace("max_words: 50", "max_words: fifty")
        .replace("min_choices: 1", "min_choices: 2")
        .replace("questions: [what]", "questions: [what, why]")
        .replace("regulator: Nobody\n", "regulators: Nobody\n")
    )
    path = write(tmp_path, "mini-form.yaml", text)
    f = str(path)
    got = messages(load_form, path)
    assert got == [
        f"{f}:1: (top level): missing required field 'regulator'",
        f"{f}:{line_of(text, 'regulators:')}: regulators: unknown field; expected one of: "
        "attribution, dated_list, entries, id, limits, profile_parts, questions, regulator, "
        "source, "
        "summary, title, version",
        f"{f}:{line_of(text, 'roles: [experiences]')}: questions[0].roles[0]: expected one of: "
        "experience, feelings, evaluation, learning, action, perspective, aim, measure, change, "
        "prediction, observation; found 'experiences'",
        f"{f}:{line_of(text, 'max_words: fifty')}: questions[0].max_words: expected a whole "
        "number, found text 'fifty'",
        f"{f}:{line_of(text, 'min_choices: 2')}: questions[1].min_choices: expected a number "
        "from 0 to 1",
        f"{f}:{line_of(text, 'questions: [what, why]')}: limits[0].questions[1]: expected the id "
        "of one of the questions, found 'why'",
    ]


def test_load_any_tells_a_model_from_a_form(tmp_path):
    assert load_any(write(tmp_path, "mini.yaml", MINI_MODEL)).id == "mini"
    assert load_any(write(tmp_path, "mini-form.yaml", MINI_FORM)).id == "mini-form"
    with pytest.raises(ContentError, match="expected a reflective model"):
        load_any(write(tmp_path, "x.yaml", "id: x\n"))


def test_coprod_journal_validate_checks_models_and_forms(tmp_path, capsys):
    good = [str(p) for p in sorted(MODELS_DIR.glob("*.yaml")) + sorted(FORMS_DIR.glob("*.yaml"))]
    assert main(["journal", "validate", *good]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok: ") == 8
    assert (
        "nmc-reflective-account@1.0: NMC revalidation written reflective account: 4 questions"
        in out
    )
    bad = write(tmp_path, "mini.yaml", MINI_MODEL.replace("role: action", "role: acting"))
    assert main(["journal", "validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: INVALID (1 problem)" in out and "stages[1].role" in out
