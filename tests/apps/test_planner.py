"""The planner app, headless, against a real Store: set a child's value, check the store; a new
app over the same store (a reload) shows everything."""

from __future__ import annotations

import base64
import re
from datetime import date
from html import unescape
from pathlib import Path

import ipywidgets as w
import pytest
import sqlalchemy as sa

from coprod_widgets.apps import planner
from coprod_widgets.apps.planner import PlannerApp, PlanStart
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.content.planner import load_planner_content

from .tree import page_text

REPO = Path(__file__).resolve().parents[2]
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def content():
    return load_planner_content()


@pytest.fixture(scope="module")
def frameworks():
    return FrameworkLibrary([REPO / "data" / "frameworks"])


@pytest.fixture
def plan(store):
    _, code = store.plans.create("Riverside drop-in")
    return code


@pytest.fixture
def make(store, plan, content, frameworks):
    def make_app(code: str = plan, **kw) -> PlannerApp:
        return PlannerApp(store, code, content=content, today=TODAY, frameworks=frameworks, **kw)

    return make_app


def shown(widget: w.Widget) -> bool:
    return widget.layout.display != "none"


# -- every part is saved as it is typed, and comes back ---------------------------------------


def test_typing_in_the_purpose_saves_each_field_at_once(make, store, plan):
    app = make()
    app.purpose_view.fields.inputs["decision"].value = "How the drop-in runs"
    assert store.plans.fields(plan) == {"purpose.decision": "How the drop-in runs"}
    app.purpose_view.fields.inputs["fixed"].value = "The building is fixed"
    app.purpose_view.fields.inputs["decision"].value = "How the drop-in runs, and who runs it"
    assert store.plans.fields(plan) == {
        "purpose.decision": "How the drop-in runs, and who runs it",
        "purpose.fixed": "The building is fixed",
    }
    assert app.status.state == "saved" and "All changes saved" in app.status.value


def test_the_title_renames_the_plan(make, store, plan):
    app = make()
    app.purpose_view.title_box.inputs["title"].value = "Youth drop-in plan"
    assert store.plans.by_code(plan).title == "Youth drop-in plan"
    assert make().purpose_view.title_box.inputs["title"].value == "Youth drop-in plan"


def test_a_reload_brings_back_every_part(make, store, plan, content):
    app = make()
    app.purpose_view.fields.inputs["open"].value = "Opening hours"
    app.ladder_view.choice.inputs["id"].value = "arnstein-ladder"
    app.ladder_view.steps["arnstein-ladder"].inputs["today"].value = "consultation"
    app.ladder_view.steps["arnstein-ladder"].inputs["aim"].value = "partnership"
    app.cos_view.stages["co-design"].inputs["will"].value = "yes"
    app.cos_view.stages["co-design"].inputs["who"].value = "Young people"
    app.voices_view.fields.inputs["missing"].value = "Young carers"
    app.voices_view.support.inputs["interpreting"].value = True
    app.timeline_view.stage_dates["co-design"].inputs["start"].value = "2026-09-01"
    app.review_view.fields.inputs["date"].value = "2027-03-01"

    again = make()  # a new kernel over the same store: what a reload is
    assert again.purpose_view.fields.inputs["open"].value == "Opening hours"
    assert again.ladder_view.choice.inputs["id"].value == "arnstein-ladder"
    assert again.ladder_view.steps["arnstein-ladder"].inputs["today"].value == "consultation"
    assert again.ladder_view.steps["arnstein-ladder"].inputs["aim"].value == "partnership"
    assert again.cos_view.stages["co-design"].inputs["will"].value == "yes"
    assert again.cos_view.stages["co-design"].inputs["who"].value == "Young people"
    assert again.voices_view.fields.inputs["missing"].value == "Young carers"
    assert again.voices_view.support.inputs["interpreting"].value is True
    assert again.voices_view.support.inputs["travel"].value is False
    assert again.timeline_view.stage_dates["co-design"].inputs["start"].value == "2026-09-01"
    assert again.review_view.fields.inputs["date"].value == "2027-03-01"


def test_two_people_on_one_plan_keep_each_others_changes(make, store, plan):
    ann, bo = make(), make()  # two pages open on the same plan
    ann.purpose_view.fields.inputs["decision"].value = "Ann's wording"
    bo.purpose_view.fields.inputs["open"].value = "Bo's wording"
    add_line(ann, kind="venue", cost="100")
    add_line(bo, kind="childcare", cost="30")
    bo.voices_view.fields.inputs["usual"].value = "The same five parents"
    fields = store.plans.fields(plan)
    assert fields["purpose.decision"] == "Ann's wording"
    assert fields["purpose.open"] == "Bo's wording"
    assert fields["voices.usual"] == "The same five parents"
    later = make()
    assert len(later.budget_view.lines.rows) == 2
    assert "£130.00" in later.budget_view.totals.value


# -- the ladder ------------------------------------------------------------------------------


def test_each_ladder_keeps_its_own_choices(make, store, plan):
    app = make()
    assert app.ladder_view.choice.inputs["id"].value == "tlap-ladder"  # the default
    assert shown(app.ladder_view.steps["tlap-ladder"])
    assert not shown(app.ladder_view.steps["arnstein-ladder"])
    app.ladder_view.steps["tlap-ladder"].inputs["today"].value = "engagement"
    app.ladder_view.choice.inputs["id"].value = "arnstein-ladder"
    assert shown(app.ladder_view.steps["arnstein-ladder"])
    assert not shown(app.ladder_view.steps["tlap-ladder"])
    app.ladder_view.choice.inputs["id"].value = "tlap-ladder"
    assert store.plans.fields(plan)["ladder.tlap-ladder.today"] == "engagement"
    assert "Today" in app.ladder_view.table.value


def test_the_ladder_steps_are_offered_numbered_lowest_first(make):
    app = make()
    options = app.ladder_view.steps["tlap-ladder"].inputs["today"].options
    assert options[0] == ("Choose a step", "")
    assert [label for label, _ in options[1:]] == [
        "1. Coercion",
        "2. Educating",
        "3. Informing",
        "4. Consultation",
        "5. Engagement",
        "6. Co-design",
        "7. Co-production",
    ]
    rungs = app.ladder_view.steps["arnstein-ladder"].inputs["aim"].options
    assert rungs[0] == ("Choose a rung", "") and len(rungs) == 9


def test_an_aim_below_today_gets_a_gentle_question(make):
    app = make()
    steps = app.ladder_view.steps["tlap-ladder"]
    steps.inputs["today"].value = "co-design"
    steps.inputs["aim"].value = "informing"
    assert "Your aim is lower on the ladder" in app.ladder_view.table.value
    steps.inputs["aim"].value = "co-production"
    assert "Your aim is lower" not in app.ladder_view.table.value


# -- the budget ------------------------------------------------------------------------------


def add_line(app: PlannerApp, **values: str):
    before = set(app.budget_view.lines.rows)
    app.budget_view.add_line.click()
    (rid,) = set(app.budget_view.lines.rows) - before
    row = app.budget_view.lines.rows[rid]
    for k, v in values.items():
        row.inputs[k].value = v
    return rid, row


def test_a_budget_line_is_saved_as_typed_and_totalled(make, store, plan):
    app = make()
    rid, row = add_line(
        app,
        stage="co-design",
        what="Workshops",
        people="6",
        sessions="4",
        hours="2.5",
        rate="25.50",
    )
    fields = store.plans.fields(plan)
    assert fields[f"budget.{rid}.kind"] == "payment"
    assert fields[f"budget.{rid}.rate"] == "25.50"
    assert fields[f"budget.{rid}.stage"] == "co-design"
    assert row.total_text == (
        "Line total: 6 people × 4 sessions × 2.5 hours × £25.50 an hour = £1,530.00"
    )
    assert "Total: <strong>£1,530.00</strong> from 1 line." in app.budget_view.totals.value
    assert "svg" in app.budget_view.totals.value


def test_a_non_number_is_kept_shown_with_a_message_and_left_out_of_totals(make, store, plan):
    app = make()
    _, venue = add_line(app, kind="venue", stage="co-delivery", cost="120")
    rid, row = add_line(app, stage="co-design", people="6", sessions="4", hours="2", rate="abc")
    message = "Rate: expected a number like 25 or 25.50, not 'abc'"
    assert row.messages == {"rate": message}
    assert message.replace("'", "&#x27;") in row.notes["rate"].value
    assert store.plans.fields(plan)[f"budget.{rid}.rate"] == "abc"  # nothing lost
    assert "Total: <strong>£120.00</strong> from 1 line." in app.budget_view.totals.value
    assert "1 line is left out of the totals" in app.budget_view.totals.value
    # Put right: the message goes and the line counts.
    row.inputs["rate"].value = "20"
    assert row.messages == {} and row.notes["rate"].value == ""
    assert "Total: <strong>£1,080.00</strong> from 2 lines." in app.budget_view.totals.value
    assert "left out" not in app.budget_view.totals.value


def test_payment_lines_show_people_sessions_hours_rate_and_the_benefits_note(make):
    app = make()
    _, row = add_line(app)
    assert shown(row.payment_numbers) and not shown(row.other_numbers)
    assert shown(row.payment_note)
    assert "Payments can affect people" in row.payment_note.value
    assert "Payments can affect people" in app.budget_view.payment_guide.value
    row.inputs["kind"].value = "childcare"
    assert not shown(row.payment_numbers) and shown(row.other_numbers)
    assert not shown(row.payment_note)


def test_budget_lines_come_back_after_a_reload_with_their_totals(make, plan):
    app = make()
    rid, _ = add_line(app, kind="expenses", quantity="24", cost="8.75", stage="co-design")
    rid2, _ = add_line(app, rate="abc")
    again = make()
    assert list(again.budget_view.lines.rows) == [rid, rid2]
    assert again.budget_view.lines.rows[rid].total_text == "Line total: 24 × £8.75 = £210.00"
    assert again.budget_view.lines.rows[rid2].inputs["rate"].value == "abc"
    assert again.budget_view.lines.rows[rid2].messages == {
        "rate": "Rate: expected a number like 25 or 25.50, not 'abc'"
    }
    assert "£210.00" in again.budget_view.totals.value


def test_removing_a_line_keeps_it_in_the_store_and_can_be_undone(make, store, plan):
    app = make()
    rid, row = add_line(app, kind="venue", cost="100", stage="co-design")
    row.remove_button.click()
    assert rid not in app.budget_view.lines.rows and row not in app.budget_view.lines.children
    assert store.plans.fields(plan)[f"budget.{rid}.removed"] is True
    assert store.plans.fields(plan)[f"budget.{rid}.cost"] == "100"
    assert "£0.00" in app.budget_view.totals.value
    assert rid not in make().budget_view.lines.rows  # gone after a reload too
    assert shown(app.budget_view.undo_remove)
    app.budget_view.undo_remove.click()
    assert app.budget_view.lines.rows[rid].inputs["cost"].value == "100"
    assert store.plans.fields(plan)[f"budget.{rid}.removed"] is False
    assert "£100.00" in app.budget_view.totals.value
    assert rid in make().budget_view.lines.rows


# -- timeline, risks, measures ---------------------------------------------------------------


def test_dates_that_cannot_be_read_keep_the_text_and_say_why(make, store, plan):
    app = make()
    box = app.timeline_view.stage_dates["co-design"]
    box.inputs["start"].value = "next spring"
    assert box.messages == {
        "start": "Co-design starts: expected a date like 2026-03-31 or 31/03/2026, not 'next spring'"
    }
    assert store.plans.fields(plan)["timeline.co-design.start"] == "next spring"
    box.inputs["start"].value = "2026-09-01"
    box.inputs["end"].value = "2026-08-01"
    assert box.messages == {"end": "Co-design: ends (2026-08-01) before it starts (2026-09-01)"}


def test_the_timeline_table_lists_stages_milestones_and_reviews_in_date_order(make, plan):
    app = make()
    app.timeline_view.stage_dates["co-design"].inputs["start"].value = "2026-09-01"
    app.timeline_view.add_milestone.click()
    (row,) = app.timeline_view.milestones.rows.values()
    row.inputs["what"].value = XSS
    row.inputs["date"].value = "01/08/2026"
    app.review_view.fields.inputs["date"].value = "2027-01-10"
    table = app.timeline_view.table.value
    assert table.index("2026-08-01") < table.index("2026-09-01") < table.index("2027-01-10")
    assert XSS_ESCAPED in table and XSS not in table
    assert "Review of this plan" in table


def test_risks_from_the_starting_list_come_prefilled_and_leave_the_list(make, store, plan, content):
    app = make()
    first = content.risks[0]
    assert app.risks_view.pick.value == first.id
    app.risks_view.add.click()
    ((rid, row),) = app.risks_view.rows.rows.items()
    assert row.inputs["risk"].value == first.title
    assert row.inputs["how"].value == first.how
    assert store.plans.fields(plan)[f"risks.{rid}.from"] == first.id
    assert first.id not in [v for _, v in app.risks_view.pick.options]
    row.inputs["who"].value = "Priya"
    app.risks_view.add_own.click()
    again = make()
    assert len(again.risks_view.rows.rows) == 2
    assert again.risks_view.rows.rows[rid].inputs["who"].value == "Priya"
    assert first.id not in [v for _, v in again.risks_view.pick.options]


def test_every_starting_risk_can_be_added_and_then_the_list_says_so(make, content):
    app = make()
    for _ in content.risks:
        app.risks_view.add.click()
    assert len(app.risks_view.rows.rows) == len(content.risks)
    assert app.risks_view.add.disabled
    assert app.risks_view.pick.options == (("All of the starting list is in the plan", ""),)


def test_measures_are_tied_to_the_six_areas_and_gaps_are_named(make, store, plan):
    app = make()
    assert "No measures yet" in app.measures_view.cover.value
    app.measures_view.add.click()
    ((rid, row),) = app.measures_view.rows.rows.items()
    areas = [v for _, v in row.inputs["area"].options]
    assert areas == [
        "",
        "service-effectiveness",
        "job-satisfaction",
        "sustainability",
        "value-for-money",
        "participant-wellbeing",
        "community-development",
        "other",
    ]
    row.inputs["area"].value = "participant-wellbeing"
    row.inputs["what"].value = "People say taking part helped them connect"
    assert store.plans.fields(plan)[f"measures.{rid}.area"] == "participant-wellbeing"
    assert "without a measure yet: Service effectiveness" in app.measures_view.cover.value
    assert "Participant wellbeing" not in app.measures_view.cover.value
    assert make().measures_view.rows.rows[rid].inputs["area"].value == "participant-wellbeing"


# -- review ----------------------------------------------------------------------------------


def test_the_reflection_opens_on_the_review_date(make, store, plan):
    app = make()
    assert not shown(app.review_view.pdsa_area)
    app.review_view.fields.inputs["date"].value = "2026-06-02"  # tomorrow
    assert not shown(app.review_view.pdsa_area)
    assert "The review opens on 2026-06-02" in app.review_view.state.value
    app.review_view.fields.inputs["date"].value = "2026-06-01"  # today
    assert shown(app.review_view.pdsa_area) and not shown(app.review_view.open_review)
    assert "This cycle is kept with the plan" in page_text(app.review_view.pdsa_area)


def test_the_review_can_be_started_early_and_pdsa_is_saved_like_the_rest(make, store, plan):
    app = make()
    app.review_view.open_review.click()
    assert shown(app.review_view.pdsa_area)
    assert store.plans.fields(plan)["review.opened"] is True
    pdsa = app.review_view.pdsa
    pdsa.inputs["predicted"].value = "Twelve young people come"
    pdsa.inputs["observed"].value = "Five came, all from one school"
    pdsa.inputs["decision"].value = "adapt"
    # What was predicted sits beside what was observed.
    pair = next(c for c in pdsa.children if isinstance(c, w.HBox))
    assert list(pair.children) == [pdsa.cells["predicted"], pdsa.cells["observed"]]
    again = make()
    assert shown(again.review_view.pdsa_area)
    assert again.review_view.pdsa.inputs["observed"].value == "Five came, all from one school"
    assert again.review_view.pdsa.inputs["decision"].value == "adapt"


def test_a_self_assessment_round_can_be_opened_at_review(make, store, plan):
    app = make()
    app.review_view.open_review.click()
    app.review_view.round.team.value = "Riverside team"
    app.review_view.round.framework.value = "scie-four"
    app.review_view.round.open_round.click()
    rid = store.plans.fields(plan)["review.round_id"]
    links = store.rounds.links(rid)
    assert links.round.team == "Riverside team" and links.round.framework_id == "scie-four"
    assert links.member_code in app.review_view.round.links.value
    assert links.facilitator_code in app.review_view.round.links.value
    assert not shown(app.review_view.round.form)
    again = make()
    # The plan's link goes to everyone involved: the results link is not shown to them.
    assert links.member_code in again.review_view.round.links.value
    assert links.facilitator_code not in again.review_view.round.links.value
    assert not shown(again.review_view.round.form)


def test_on_a_public_server_the_planner_starts_no_round(make, store, plan, monkeypatch):
    monkeypatch.setenv("COPROD_PUBLIC", "1")  # `coprod serve` on a public address says so
    app = make()
    app.review_view.open_review.click()
    app.review_view.round.team.value = "Riverside team"
    app.review_view.round.open_round.click()
    assert "only its owner starts self-assessment rounds" in app.review_view.round.message.value
    assert "review.round_id" not in store.plans.fields(plan)
    assert store.rounds.all() == []


def test_a_stale_tab_does_not_open_a_second_round(make, store, plan):
    a, b = make(), make()
    a.review_view.round.team.value = b.review_view.round.team.value = "Riverside team"
    a.review_view.round.open_round.click()
    b.review_view.round.open_round.click()
    assert [r.round.team for r in store.rounds.all()] == ["Riverside team"]
    assert "Already open" in b.review_view.round.message.value
    assert store.rounds.links(store.plans.fields(plan)["review.round_id"]).member_code in (
        b.review_view.round.links.value
    )


def test_the_review_starts_a_pdsa_cycle_in_the_persons_own_journal(make, store, plan):
    from coprod_widgets.identity import journal_key_owner

    app = make(base_url="https://coprod.example")
    app.purpose_view.fields.inputs["decision"].value = "How the youth drop-in runs"
    app.review_view.open_review.click()
    app.review_view.pdsa.inputs["predicted"].value = "Twelve young people come"
    app.review_view.pdsa.inputs["observed"].value = "Five came"
    app.review_view.pdsa.inputs["act"].value = "Ask at two more schools"
    app.review_view.journal.start.click()
    assert app.review_view.journal.message.kind == "success", app.review_view.journal.message.value
    link = re.search(
        r"https://coprod\.example/journal/([\w-]+)", app.review_view.journal.message.text
    )
    owner = journal_key_owner(link.group(1))
    (topic,) = store.journal.topics(owner)
    (cycle,) = store.journal.cycles(owner, topic.id)
    assert cycle.model_id == "pdsa" and "Review of the plan" in topic.title
    assert cycle.stages["aim"] == "How the youth drop-in runs"
    assert cycle.stages["prediction"] == "Twelve young people come"
    assert cycle.stages["study"] == "Five came" and cycle.stages["act"] == "Ask at two more schools"
    # Into the same journal again, by its link: a second topic there, nothing anywhere else.
    app.review_view.journal.link.value = link.group(0)
    app.review_view.journal.start.click()
    assert len(store.journal.topics(owner)) == 2
    app.review_view.journal.link.value = "not a link"
    app.review_view.journal.start.click()
    assert (
        app.review_view.journal.message.kind == "error"
        and "not a journal link" in app.review_view.journal.message.text
    )


def test_a_round_without_a_team_name_says_so(make, store, plan):
    app = make()
    app.review_view.round.team.value = " "
    app.review_view.round.open_round.click()
    assert app.review_view.round.message.kind == "error"
    assert "review.round_id" not in store.plans.fields(plan)


# -- saving that fails ------------------------------------------------------------------------


class FlakyPlans:
    """The real plans, whose writes fail while ``down`` is set (a busy database)."""

    def __init__(self, plans):
        self.plans, self.down = plans, False

    def __getattr__(self, name):
        return getattr(self.plans, name)

    def save_field(self, *args, **kwargs):
        if self.down:
            raise sa.exc.OperationalError("UPDATE", {}, Exception("database is locked"))
        return self.plans.save_field(*args, **kwargs)


class FlakyStore:
    """The real store, whose plan writes fail while ``down`` is set."""

    def __init__(self, store):
        self.store, self.plans = store, FlakyPlans(store.plans)

    def __getattr__(self, name):
        return getattr(self.store, name)

    @property
    def down(self):
        return self.plans.down

    @down.setter
    def down(self, value):
        self.plans.down = value


def test_a_change_that_cannot_be_saved_is_kept_and_saved_with_the_next(store, plan, content):
    flaky = FlakyStore(store)
    app = PlannerApp(flaky, plan, content=content, today=TODAY)
    flaky.down = True
    app.purpose_view.fields.inputs["decision"].value = "Typed while the database was busy"
    assert app.status.state == "retrying"
    assert "What you typed is kept on this page" in app.status.value
    assert store.plans.fields(plan) == {}
    flaky.down = False
    app.purpose_view.fields.inputs["open"].value = "Next change"
    assert store.plans.fields(plan) == {
        "purpose.decision": "Typed while the database was busy",
        "purpose.open": "Next change",
    }
    assert app.status.state == "saved"


def test_text_too_long_says_so_and_is_not_saved(make, store, plan):
    app = make()
    app.purpose_view.fields.inputs["lead"].value = "x" * 501
    assert app.status.state == "error"
    assert "Not saved: Who leads the plan, and how to reach them: at most 500" in app.status.value
    assert store.plans.fields(plan) == {}


# -- user text is escaped where the page writes HTML ------------------------------------------


def test_text_typed_into_the_plan_is_escaped_in_the_page(make, store, plan):
    app = make()
    add_line(app, what=XSS, rate=XSS, people="1", sessions="1", hours="1")
    app.review_view.open_review.click()
    app.review_view.round.team.value = XSS
    app.review_view.round.framework.value = "scie-four"
    app.review_view.round.open_round.click()
    html = page_text(app)
    text_inputs = {
        v
        for box in app.boxes
        for inp in box.inputs.values()
        if isinstance(inp, (w.Text, w.Textarea))
        for v in [inp.value]
    }
    # The script appears only as the value of an input (which the browser shows as text) ...
    assert XSS in text_inputs
    # ... and everywhere the page writes HTML, escaped.
    html_values = "\n".join(
        c.value for c in _walk(app) if isinstance(c, w.HTML) and isinstance(c.value, str)
    )
    assert XSS not in html_values
    assert XSS_ESCAPED in html_values
    assert XSS_ESCAPED in app.review_view.round.links.value
    assert html


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


# -- export ----------------------------------------------------------------------------------


def test_export_offers_the_plan_as_an_html_download_with_text_escaped(make, store, plan):
    app = make()
    app.purpose_view.fields.inputs["decision"].value = f"How the drop-in runs {XSS}"
    add_line(app, kind="venue", cost="120", stage="co-design", what="Hall hire")
    data = app.export("html")
    assert data is not None
    link = re.search(
        r"<a class='coprod-download-html' download='([^']+)' href='data:text/html;base64,([^']+)'",
        app.export_view.downloads.value,
    )
    assert link.group(1) == "riverside-drop-in.html"
    html = base64.b64decode(link.group(2)).decode("utf-8")
    assert html == data.decode("utf-8")
    assert "Riverside drop-in: co-production plan" in html
    assert "How the drop-in runs " + XSS_ESCAPED in html
    assert XSS not in html
    assert "Hall hire" in html and "£120.00" in html
    assert app.export_view.note.kind == "success"


def test_export_failure_is_a_message_not_a_traceback(make, monkeypatch):
    import coprod_widgets.reports.export as export

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(export, "export_report", broken)
    app = make()
    assert app.export("pdf") is None
    assert app.export_view.note.kind == "error"
    assert "The plan itself is safe" in app.export_view.note.value
    assert "boom" not in app.export_view.note.value


# -- without a plan: start one ---------------------------------------------------------------


def test_starting_a_new_plan_shows_its_private_link_and_opens_it(store):
    start = PlanStart(store, "http://example.org", served=True)
    start.title.value = "New plan"
    start.start.click()
    code = start.new_code
    assert store.plans.by_code(code).title == "New plan"
    assert f"http://example.org/voila/render/planner.ipynb?plan={code}" in start.message.value
    (app,) = start.body.children
    assert isinstance(app, PlannerApp) and app.code == code
    assert f"planner.ipynb?plan={code}" in app.header.value
    assert start.chooser.layout.display == "none"  # no second plan started by mistake


def test_an_unknown_code_leaves_the_choice_on_the_page(store):
    start = PlanStart(store, "http://example.org", served=True)
    start.code.value = "nope-not-a-plan"
    start.open_button.click()
    assert "not recognised" in page_text(start.body)
    assert start.chooser.layout.display != "none"


def test_served_start_page_never_lists_other_peoples_plans(store):
    store.plans.create("Somebody else's plan")
    served = PlanStart(store, "http://example.org", served=True)
    assert "Somebody else" not in page_text(served)
    local = PlanStart(store, "", served=False)
    assert any(
        isinstance(c, w.Button) and "Somebody else's plan" in c.description for c in _walk(local)
    )


def test_opening_by_code_and_an_unknown_code(store, plan):
    start = PlanStart(store, "", served=False)
    start.code.value = f"http://x/voila/render/planner.ipynb?plan={plan}"
    start.open_button.click()
    assert isinstance(start.body.children[0], PlannerApp)
    start.code.value = "nope"
    start.open_button.click()
    assert "This link is not recognised" in page_text(start.body)


def test_show_opens_the_plan_named_in_the_query_string(store, plan, monkeypatch):
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    monkeypatch.setenv("QUERY_STRING", f"plan={plan}")
    app = planner.show(store=store)
    assert isinstance(app, PlannerApp) and app.code == plan
    monkeypatch.setenv("QUERY_STRING", "")
    start = planner.show(store=store)
    assert isinstance(start, PlanStart) and start.served
    monkeypatch.setenv("QUERY_STRING", "plan=nope")
    assert "This link is not recognised" in page_text(planner.show(store=store))


def test_show_with_a_code_parameter(store, plan):
    app = planner.show(code=plan, store=store)
    assert isinstance(app, PlannerApp)
    assert unescape(app.header.value).count(plan) == 1  # no server: the code to keep


# -- the workbook ----------------------------------------------------------------------------


def test_the_planner_workbook_runs_headless_with_a_plan_code(store, plan, monkeypatch):
    import json

    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("COPROD_DB", store.url)  # the kernel inherits it
    store.plans.save_field(plan, "purpose.decision", "From the workbook test")
    nb = nbformat.read(REPO / "workbooks" / "planner.ipynb", as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += f"\ncode = {plan!r}"
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert "From the workbook test" in state and "Plan: how we will involve people" in state
    assert "Traceback" not in state


def test_two_tabs_typing_in_the_same_box_lose_neither_text(make, store, plan):
    """Tab B opened before tab A saved: B's next keystroke must not overwrite A's paragraph."""
    a, b = make(), make()
    a.purpose_view.fields.inputs["decision"].value = "A's decision, a long paragraph"
    b.purpose_view.fields.inputs["decision"].value = "B's <b>words</b>"
    assert store.plans.fields(plan)["purpose.decision"] == "A's decision, a long paragraph"
    assert b.status.state == "error" and "someone else changed" in b.status.value
    # B's page now shows A's text in the box, and keeps B's own words, saved with the plan.
    assert b.purpose_view.fields.inputs["decision"].value == "A's decision, a long paragraph"
    assert "B&#x27;s &lt;b&gt;words&lt;/b&gt;" in b.clashes.value  # kept, and escaped
    assert "Two people typed" in b.clashes.value
    assert store.plans.fields(plan)["kept.purpose.decision"] == "B's <b>words</b>"
    # From there B edits on top of A's text, and that saves.
    b.purpose_view.fields.inputs["decision"].value = "A's decision, a long paragraph, and B's words"
    assert b.status.state == "saved"
    assert store.plans.fields(plan)["purpose.decision"].endswith("and B's words")
    # A reload still shows what was kept, until someone clears it.
    c = make()
    assert "&lt;b&gt;words" in c.clashes.value
    c.clashes_clear.click()
    assert not store.plans.fields(plan).get("kept.purpose.decision")
    assert make().clashes.value == b.clashes.__class__().value  # an empty notice


def test_a_stale_title_does_not_overwrite_a_newer_one(make, store, plan):
    a, b = make(), make()
    a.purpose_view.title_box.inputs["title"].value = "Youth drop-in"
    b.purpose_view.title_box.inputs["title"].value = "Old name"
    assert store.plans.by_code(plan).title == "Youth drop-in"
    assert b.purpose_view.title_box.inputs["title"].value == "Youth drop-in"
    assert store.plans.fields(plan)["kept.title"] == "Old name"
    assert "Name of the plan: Old name" in b.clashes.text


def test_typing_a_space_in_the_title_is_no_clash_with_oneself(make, store, plan):
    """Titles are stored stripped; the page's "Youth " must count as what it saved."""
    app = make()
    for typed in ("Youth", "Youth ", "Youth d", "Youth drop-in "):
        app.purpose_view.title_box.inputs["title"].value = typed
        assert app.status.state == "saved", (typed, app.status.message)
    assert store.plans.by_code(plan).title == "Youth drop-in"
