"""Export forms filled from entries: the NMC's four questions and Code themes, word limits
counted one way everywhere, and the author's own mapping of stages to questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod_widgets.content.models import FormLibrary, ModelLibrary
from coprod_widgets.errors import InvalidInput
from coprod_widgets.model.forms import (
    EntryFormSettings,
    check_setting,
    count_words,
    default_mapping,
    fill_form,
    unused_stages,
)
from coprod_widgets.model.journal import Entry

REPO = Path(__file__).resolve().parents[2]
MODELS = ModelLibrary([REPO / "data" / "reflective_models"])
FORMS = FormLibrary([REPO / "data" / "export_forms"])
GIBBS = MODELS.get("gibbs")
NMC = FORMS.get("nmc-reflective-account")
HCPC = FORMS.get("hcpc-cpd-profile")
SWE = FORMS.get("swe-cpd-record")

NMC_QUESTIONS = [
    "What was the nature of the CPD activity and/or practice-related feedback and/or event or "
    "experience in your practice?",
    "What did you learn from the CPD activity and/or feedback and/or event or experience in "
    "your practice?",
    "How did you change or improve your practice as a result?",
    "How is this relevant to the Code?",
]
CODE_THEMES = [
    "Prioritise people",
    "Practise effectively",
    "Preserve safety",
    "Promote professionalism and trust",
]


def gibbs_entry(eid: int = 1, **stages: str) -> Entry:
    text = {
        "description": "A peer worker and I ran the ward's planning meeting together.",
        "feelings": "Nervous, then relieved.",
        "evaluation": "People spoke more than usual.",
        "analysis": "Sharing the chair shifted who felt able to speak.",
        "conclusion": "Co-chairing works when roles are agreed first.",
        "action-plan": "Agree roles with the co-chair a week ahead.",
    }
    text.update(stages)
    return Entry(
        id=eid,
        title=f"Meeting {eid}",
        entry_date="2025-03-14",
        minutes=90,
        model_id="gibbs",
        model_version=GIBBS.version,
        stages=text,
    )


def models():
    return {GIBBS.key: GIBBS}


@pytest.mark.parametrize(
    "text, n",
    [
        ("", 0),
        ("one", 1),
        ("  two   words \n", 2),
        ("Don't stop co-producing — it works.", 5),
        ("3.5 hours, e.g. twice", 4),
        ("- * / — ...", 0),
        ("Café naïve", 2),
    ],
)
def test_words_are_counted_as_a_reader_counts_them(text, n):
    assert count_words(text) == n


def test_nmc_account_has_exactly_the_four_questions_and_the_code_themes_chosen():
    assert [q.title for q in NMC.questions] == NMC_QUESTIONS
    assert [o.title for o in NMC.question("code").options] == CODE_THEMES
    settings = EntryFormSettings(
        choices={"code": ["preserve-safety", "prioritise-people"]},
        texts={"code": "It put the people I care for at the centre."},
    )
    filled = fill_form(NMC, [gibbs_entry()], models(), {1: settings})
    [fe] = filled.entries
    assert [a.question.title for a in fe.answers] == NMC_QUESTIONS
    nature, learning, change, code = fe.answers
    assert nature.text == "A peer worker and I ran the ward's planning meeting together."
    assert learning.stages == ("evaluation", "analysis", "conclusion")
    assert "Sharing the chair" in learning.text and "Nervous" not in learning.text
    assert change.text == "Agree roles with the co-chair a week ahead."
    # Only the themes chosen, in the Code's order, whatever order they were ticked in.
    assert code.choices == ("Prioritise people", "Preserve safety")
    assert code.text == "It put the people I care for at the centre."
    assert filled.notes == ()


def test_an_nmc_account_without_a_theme_is_noted():
    filled = fill_form(NMC, [gibbs_entry()], models())
    assert any("choose at least 1" in n for n in filled.notes)


def test_default_mapping_uses_every_role_once_and_leaves_feelings_for_the_author():
    m = default_mapping(NMC, GIBBS)
    assert m == {
        "nature": ["description"],
        "learning": ["evaluation", "analysis", "conclusion"],
        "change": ["action-plan"],
        "code": [],
    }
    assert unused_stages(NMC, GIBBS, m) == ["feelings"]


def test_every_model_fills_every_form_with_something():
    for form in FORMS:
        for model in MODELS:
            m = default_mapping(form, model)
            assert any(m.values()), (form.id, model.id)


def test_the_author_can_move_a_stage_to_another_question_and_add_their_own_words():
    settings = EntryFormSettings(
        mapping={"learning": ["feelings", "analysis"]}, texts={"learning": "And one more thing."}
    )
    [fe] = fill_form(NMC, [gibbs_entry()], models(), {1: settings}).entries
    learning = fe.answers[1]
    assert learning.stages == ("feelings", "analysis")
    assert learning.text == (
        "Nervous, then relieved.\n\nSharing the chair shifted who felt able to speak.\n\n"
        "And one more thing."
    )


def test_settings_are_checked_against_the_form_and_the_model():
    assert check_setting(NMC, GIBBS, "mapping:learning", ["analysis", "analysis"]) == ["analysis"]
    assert check_setting(NMC, GIBBS, "choices:code", ["preserve-safety", "prioritise-people"]) == [
        "prioritise-people",
        "preserve-safety",
    ]
    with pytest.raises(InvalidInput, match="has no stage 'plan'"):
        check_setting(NMC, GIBBS, "mapping:learning", ["plan"])
    with pytest.raises(InvalidInput, match="'be-kind' is not one of"):
        check_setting(NMC, GIBBS, "choices:code", ["be-kind"])
    with pytest.raises(InvalidInput, match="no question 'q9'"):
        check_setting(NMC, GIBBS, "text:q9", "x")
    with pytest.raises(InvalidInput, match="has nothing to choose"):
        check_setting(NMC, GIBBS, "choices:nature", [])


def test_hcpc_limits_are_500_and_1500_words_and_are_enforced():
    assert HCPC.question("practice-summary").max_words == 500
    [statement] = HCPC.limits
    assert statement.max_words == 1500
    ok = fill_form(HCPC, [gibbs_entry()], models(), parts={"practice-summary": "word " * 500})
    assert ok.over_limit == ()
    over = fill_form(HCPC, [gibbs_entry()], models(), parts={"practice-summary": "word " * 501})
    [check] = over.over_limit
    assert (check.id, check.words, check.max_words) == ("practice-summary", 501, 500)
    assert "over the limit of 500 by 1" in check.message()


def test_the_hcpc_statement_limit_counts_every_entry_together():
    long = "word " * 480
    entries = [gibbs_entry(i, description=long) for i in range(1, 4)]  # 3 x (480 + 29) > 1,500
    filled = fill_form(HCPC, entries, models(), parts={"practice-summary": "I am a paramedic."})
    statement = next(c for c in filled.limits if c.id == "statement")
    per_entry = sum(a.words for a in filled.entries[0].answers)
    assert statement.words == 3 * per_entry
    assert statement.words > 1500 and statement.over
    assert filled.over_limit == (statement,)
    two = fill_form(HCPC, entries[:2], models(), parts={"practice-summary": "I am a paramedic."})
    assert not two.over_limit


def test_swe_record_takes_its_date_from_the_entry_and_peer_reflection_is_optional():
    [fe] = fill_form(SWE, [gibbs_entry()], models()).entries
    answers = {a.question.id: a for a in fe.answers}
    assert [q.id for q in SWE.questions] == [
        "type",
        "description",
        "date",
        "learning",
        "impact",
        "peer-reflection",
    ]
    assert answers["date"].text == "2025-03-14"
    filled = fill_form(SWE, [gibbs_entry()], models())
    assert not any("Peer reflection" in n for n in filled.notes)
    assert any(n.startswith("Type of CPD") for n in filled.notes)


def test_the_hcpc_statement_notes_when_it_covers_fewer_than_four_or_more_than_six():
    assert HCPC.entries == (4, 6)
    parts = {"practice-summary": "I am a paramedic."}
    notes = fill_form(HCPC, [gibbs_entry()], models(), parts=parts).notes
    assert any("covers 4 to 6 activities; this export has 1" in n for n in notes)
    four = [gibbs_entry(i) for i in range(1, 5)]
    notes = fill_form(HCPC, four, models(), parts=parts).notes
    assert not any("activities" in n for n in notes)
    assert NMC.entries is None
