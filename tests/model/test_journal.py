"""The journal's pure model: checks on what is typed, search terms, and cycles of a topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod_widgets.content.models import ModelLibrary
from coprod_widgets.errors import InvalidInput
from coprod_widgets.model.journal import (
    FREE_FORM,
    Entry,
    Topic,
    check_date,
    check_minutes,
    check_owner,
    check_stage_text,
    check_tags,
    check_title,
    cpd_hours,
    fts_query,
    next_cycle_stages,
    preview,
    search_terms,
    timeline,
)

REPO = Path(__file__).resolve().parents[2]
MODELS = ModelLibrary([REPO / "data" / "reflective_models"])
PDSA = MODELS.get("pdsa")
GIBBS = MODELS.get("gibbs")


@pytest.mark.parametrize("owner", ["user:alice", "hub:bob", "key:" + "a" * 64, "user:Jo Smith"])
def test_owner_keys_are_accepted(owner):
    assert check_owner(owner) == owner


@pytest.mark.parametrize("owner", ["", "alice", "user:", "key:", "*", None, 3, "user:\n", "x:y"])
def test_anything_else_is_refused_so_no_query_runs_without_an_owner(owner):
    with pytest.raises(InvalidInput, match="whose journal"):
        check_owner(owner)


def test_fields_are_checked_with_a_message_naming_them():
    assert check_title("  Ward round ") == "Ward round"
    with pytest.raises(InvalidInput, match="title: at most 200"):
        check_title("x" * 201)
    assert check_date("2025-03-14") == "2025-03-14"
    with pytest.raises(InvalidInput, match="date: expected a date"):
        check_date("14/03/2025")
    assert check_minutes(90.4) == 90
    for bad in (-1, 6001, "90", True, float("nan")):
        with pytest.raises(InvalidInput, match="time spent"):
            check_minutes(bad)
    with pytest.raises(InvalidInput, match="Gibbs' reflective cycle has no stage 'act'"):
        check_stage_text(GIBBS, "act", "text")
    with pytest.raises(InvalidInput, match="Description: at most 100,000"):
        check_stage_text(GIBBS, "description", "x" * 100_001)
    assert check_tags(["scie-four/equality", "scie-four/equality", "cnw-five/a"]) == (
        "cnw-five/a",
        "scie-four/equality",
    )
    with pytest.raises(InvalidInput, match="tags"):
        check_tags(["Equality"])


def test_search_words_become_a_safe_fts_query():
    assert search_terms("Peer-led  MEETING!") == ["peer", "led", "meeting"]
    assert fts_query('co-chair "OR" NEAR(') == '"co"* AND "chair"* AND "or"* AND "near"*'
    assert fts_query("  ") == ""


def test_preview_follows_the_stage_order_and_is_short():
    stages = {"feelings": "Glad.", "description": "We met.", "old-stage": "Kept."}
    assert preview(stages, ["description", "feelings"]) == "We met. Glad. Kept."
    assert len(preview({"a": "word " * 200}, ["a"], limit=40)) == 40


def test_cpd_hours_read_as_a_log_wants_them():
    assert [cpd_hours(m) for m in (0, 45, 60, 90, 100)] == ["0", "0.75", "1", "1.5", "1.67"]


def pdsa_cycle(eid: int, n: int, **stages: str) -> Entry:
    return Entry(
        id=eid,
        title=f"Cycle {n}",
        entry_date=f"2025-0{n}-01",
        model_id="pdsa",
        model_version=PDSA.version,
        stages=stages,
        topic_id=1,
        cycle=n,
        status="finished",
    )


def test_act_starts_the_next_pdsa_cycle_and_the_aim_is_kept():
    first = pdsa_cycle(
        1, 1, aim="Every new member feels welcome.", plan="Phone them.", act="Adapt: text first."
    )
    assert next_cycle_stages(PDSA, first) == {
        "aim": "Every new member feels welcome.",
        "plan": "Adapt: text first.",
    }
    assert next_cycle_stages(PDSA, None) == {}


def test_gibbs_action_plan_starts_the_next_gibbs_cycle_and_models_can_differ():
    g = Entry(model_id="gibbs", stages={"action-plan": "Ask before I speak."})
    assert next_cycle_stages(GIBBS, g) == {"description": "Ask before I speak."}
    # From a Gibbs cycle into a PDSA one: what Gibbs carries goes where PDSA starts.
    assert next_cycle_stages(PDSA, g, GIBBS) == {"plan": "Ask before I speak."}
    # A model without a cycle rule: its last stage starts the next cycle's first.
    f = Entry(stages={"reflection": "Try again."})
    assert next_cycle_stages(FREE_FORM, f) == {"reflection": "Try again."}


def test_the_timeline_shows_prediction_beside_observation_what_changed_and_what_is_open():
    topic = Topic(1, "Welcoming", "pdsa", "open", "", "")
    c1 = pdsa_cycle(
        1, 1, prediction="Half will come back.", do="A third came back.", act="Adapt: text first."
    )
    c2 = pdsa_cycle(2, 2, plan="Adapt: text first.", prediction="Most will come.", act="Adopt it.")
    c2.status = "draft"
    tl = timeline(topic, [c2, c1], {PDSA.key: PDSA})
    one, two = tl.cycles
    assert (one.number, one.predicted, one.observed) == (
        1,
        "Half will come back.",
        "A third came back.",
    )
    assert one.started_from == "" and one.changed == "Adapt: text first."
    assert two.started_from == "Adapt: text first." and two.observed == ""
    assert "Do" in two.missing and "Study" in two.missing
    assert tl.open_items[0].startswith("Cycle 2 is still a draft")
    assert tl.open_items[-1] == "Next step from cycle 2, not yet tested in a new cycle: Adopt it."
    closed = timeline(Topic(1, "Welcoming", "pdsa", "closed", "", ""), [c1], {PDSA.key: PDSA})
    assert closed.open_items == ()


def test_one_function_names_every_tag():
    """The six areas first, then the benefits by who gains, then each framework; a tag no
    library knows any more keeps its id rather than disappearing."""
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.content.benefits import BenefitLibrary
    from coprod_widgets.model.journal_tags import tag_groups, tag_label, tag_labels

    frameworks = FrameworkLibrary([REPO / "data" / "frameworks"])
    benefits = BenefitLibrary()
    groups, labels = tag_groups(frameworks, benefits)
    assert groups[0][0] == "Areas of benefit"
    assert labels == tag_labels(frameworks, benefits)
    assert labels["benefits-scn/communities"] == "Communities (who gains)"
    assert labels["scie-four/equality"] == "Equality (SCIE four principles of co-production)"
    assert {t for _, tags in groups for t, _ in tags} == set(labels)
    assert tag_label("gone/away", labels) == "gone/away"
