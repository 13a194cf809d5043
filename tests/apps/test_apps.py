"""The three apps, headless, against a real Store on a tmp SQLite file."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest

from coprod_widgets.apps import assess, results
from coprod_widgets.apps.assess import NO_ROLE, SelfAssessmentApp
from coprod_widgets.apps.common import CodeEntry
from coprod_widgets.apps.results import TeamResultsApp
from coprod_widgets.apps.start import StartRoundApp
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.errors import CoprodError, NotFound
from coprod_widgets.model.rounds import Rating
from coprod_widgets.widgets.rating import DONT_KNOW

from .tree import find_button, page_text

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "frameworks"
ME = "tok-" + "a" * 20
OTHER = "tok-" + "b" * 20
XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def rating_widget(app: SelfAssessmentApp, statement_id: str):
    for card in app.cards:
        if statement_id in card.ratings:
            return card.ratings[statement_id]
    raise KeyError(statement_id)


def card_of(app: SelfAssessmentApp, principle_id: str):
    return next(c for c in app.cards if c.principle_id == principle_id)


def the_answer(store, links, me=ME):
    view = store.members.member_view(links.member_code, me)
    return view["answer"]


class Flaky:
    """The Store's member methods, whose writes fail while ``down`` is set."""

    def __init__(self, store):
        self.store = store
        self.down = False
        self.writes: list[str] = []

    def member_view(self, code, me):
        return self.store.members.member_view(code, me)

    def _write(self, name, *args, **kwargs):
        self.writes.append(name)
        if self.down:
            raise CoprodError("the server could not be reached; your answers are kept")
        return getattr(self.store.members, name)(*args, **kwargs)

    def save_rating(self, *args, **kwargs):
        return self._write("save_rating", *args, **kwargs)

    def save_comment(self, *args, **kwargs):
        return self._write("save_comment", *args, **kwargs)

    def save_profile(self, *args, **kwargs):
        return self._write("save_profile", *args, **kwargs)

    def submit(self, *args, **kwargs):
        return self._write("submit", *args, **kwargs)


@pytest.fixture
def links(store, framework):
    return store.rounds.create("Riverside", framework, roles=["Staff", "Carer"])


@pytest.fixture
def app(store, links):
    return SelfAssessmentApp(store.members, links.member_code, ME)


# -- SelfAssessmentApp ----------------------------------------------------------------------


def test_app_shows_every_principle_one_at_a_time(app, framework):
    assert [c.principle_id for c in app.cards] == [p.id for p in framework.principles]
    assert app.card_area.children == (app.cards[0],)
    app.stepper.next.click()
    assert app.card_area.children == (app.cards[1],)
    assert "Riverside" in app.header.value
    assert "anonymous" in app.header.value
    assert app.stepper.total == 18 and app.stepper.answered == 0


def test_rating_radio_writes_to_the_store_at_once(app, store, links):
    rating_widget(app, "assets-1").radios.value = 4
    [answer] = store.rounds.answers(links.round.id)
    assert answer.ratings == {"assets-1": Rating(4, False)}
    assert app.status.state == "saved"
    assert "All changes saved" in app.status.value
    assert app.stepper.answered == 1

    rating_widget(app, "assets-1").radios.value = DONT_KNOW
    assert store.rounds.answers(links.round.id)[0].ratings == {"assets-1": Rating(None, True)}


def test_evidence_textarea_writes_the_comment(app, store, links):
    card_of(app, "mutuality").evidence.value = "We pay for travel."
    assert store.rounds.answers(links.round.id)[0].comments == {"mutuality": "We pay for travel."}
    card_of(app, "mutuality").evidence.value = "We pay for travel and childcare."
    assert store.rounds.answers(links.round.id)[0].comments == {
        "mutuality": "We pay for travel and childcare."
    }


def test_role_dropdown_writes_the_role(app, store, links):
    assert app.role.value == NO_ROLE
    assert app.name is None  # anonymous: no name box
    app.role.value = "Carer"
    assert store.rounds.answers(links.round.id)[0].role == "Carer"
    app.role.value = NO_ROLE
    assert store.rounds.answers(links.round.id)[0].role == ""


def test_a_new_app_for_the_same_member_restores_everything(app, store, links):
    rating_widget(app, "assets-1").radios.value = 4
    rating_widget(app, "assets-2").radios.value = DONT_KNOW
    rating_widget(app, "catalysts-3").radios.value = 1
    card_of(app, "assets").evidence.value = "Evidence for assets."
    card_of(app, "catalysts").evidence.value = "Evidence for catalysts."
    app.role.value = "Staff"

    flaky = Flaky(store)
    again = SelfAssessmentApp(flaky, links.member_code, ME)  # the reload
    assert rating_widget(again, "assets-1").radios.value == 4
    assert rating_widget(again, "assets-1").choice == 4
    assert rating_widget(again, "assets-2").radios.value == DONT_KNOW
    assert rating_widget(again, "catalysts-3").radios.value == 1
    assert rating_widget(again, "assets-3").radios.value is None
    assert card_of(again, "assets").evidence.value == "Evidence for assets."
    assert card_of(again, "catalysts").evidence.value == "Evidence for catalysts."
    assert card_of(again, "networks").evidence.value == ""
    assert again.role.value == "Staff"
    assert again.stepper.answered == 3
    assert flaky.writes == []  # restoring writes nothing back

    stranger = SelfAssessmentApp(store.members, links.member_code, OTHER)
    assert rating_widget(stranger, "assets-1").radios.value is None
    assert card_of(stranger, "assets").evidence.value == ""


def test_submit_marks_submitted(app, store, links):
    rating_widget(app, "assets-1").radios.value = 3
    app.submit_button.click()
    # 17 of 18 unrated: it asks first, and nothing is submitted yet
    assert "You rated 1 of 18 statements. Submit anyway?" in app.submit_note.value
    assert app.confirm_box.layout.display != "none"
    assert not store.rounds.answers(links.round.id)[0].submitted
    app.confirm_submit.click()
    assert app.confirm_box.layout.display == "none"
    assert store.rounds.answers(links.round.id)[0].submitted
    assert app.submit_note.kind == "success"
    assert "your answers are in" in app.submit_note.value
    assert "17 statements are still unrated" in app.submit_note.value
    assert app.submit_button.description == "Submit my changes"

    again = SelfAssessmentApp(store.members, links.member_code, ME)
    assert again.submit_button.description == "Submit my changes"  # the reload knows


def test_named_round_needs_a_name_to_submit(store, framework):
    links = store.rounds.create("Named", framework, anonymous=False)
    app = SelfAssessmentApp(store.members, links.member_code, ME)
    assert app.role is None and app.name is not None
    assert "named" in app.header.value
    app.submit_button.click()
    app.confirm_submit.click()
    assert app.submit_note.kind == "error"
    assert "Not submitted" in app.submit_note.value
    assert store.rounds.answers(links.round.id) == []  # nothing written, nothing submitted

    app.name.value = "Ann"
    assert store.rounds.answers(links.round.id)[0].name == "Ann"
    app.submit_button.click()
    app.confirm_submit.click()
    assert store.rounds.answers(links.round.id)[0].submitted
    assert SelfAssessmentApp(store.members, links.member_code, ME).name.value == "Ann"


def test_failed_save_shows_error_and_the_next_save_flushes_it(store, links):
    flaky = Flaky(store)
    app = SelfAssessmentApp(flaky, links.member_code, ME)
    flaky.down = True
    rating_widget(app, "assets-1").radios.value = 4
    card_of(app, "assets").evidence.value = "typed while offline"
    assert app.status.state == "retrying"
    assert "Not saved, reconnecting" in app.status.value
    assert "kept" in app.status.value
    assert store.rounds.answers(links.round.id) == []
    assert set(app.autosave._jobs) == {("rating", "assets-1"), ("comment", "assets")}
    assert rating_widget(app, "assets-1").radios.value == 4  # the page keeps the change

    flaky.down = False
    rating_widget(app, "assets-2").radios.value = 2
    assert app.status.state == "saved"
    assert not app.autosave.pending
    [answer] = store.rounds.answers(links.round.id)
    assert answer.ratings == {"assets-1": Rating(4, False), "assets-2": Rating(2, False)}
    assert answer.comments == {"assets": "typed while offline"}


def test_only_the_latest_value_of_a_pending_change_is_saved(store, links):
    flaky = Flaky(store)
    app = SelfAssessmentApp(flaky, links.member_code, ME)
    flaky.down = True
    rating_widget(app, "assets-1").radios.value = 1
    rating_widget(app, "assets-1").radios.value = 5
    flaky.down = False
    assert app.flush() is True
    assert store.rounds.answers(links.round.id)[0].ratings == {"assets-1": Rating(5, False)}
    assert app.flush() is True  # nothing left


def test_submit_while_down_submits_nothing_then_works(store, links):
    flaky = Flaky(store)
    app = SelfAssessmentApp(flaky, links.member_code, ME)
    flaky.down = True
    rating_widget(app, "assets-1").radios.value = 3
    app.submit_button.click()
    assert store.rounds.answers(links.round.id) == []
    assert app.status.state == "retrying"
    assert "Not submitted yet" in app.submit_note.value
    flaky.down = False
    app.submit_button.click()
    app.confirm_submit.click()
    [answer] = store.rounds.answers(links.round.id)
    assert answer.submitted and answer.rating("assets-1").value == 3


def test_invalid_name_says_what_to_fix(store, framework):
    links = store.rounds.create("Named", framework, anonymous=False)
    app = SelfAssessmentApp(store.members, links.member_code, ME)
    app.name.value = "x" * 201
    assert app.status.state == "error"
    assert "the most it can hold is 200" in app.status.value
    app.name.value = "Ann"
    assert app.status.state == "saved"
    assert store.rounds.answers(links.round.id)[0].name == "Ann"


def test_an_invalid_change_does_not_block_other_saves(store, framework):
    links = store.rounds.create("Named", framework, anonymous=False)
    app = SelfAssessmentApp(store.members, links.member_code, ME)
    app.name.value = "x" * 201  # rejected: at most 200 characters
    rating_widget(app, "assets-1").radios.value = 3
    answers = store.rounds.answers(links.round.id)
    assert answers and answers[0].rating("assets-1") == Rating(3, False)


def test_change_after_the_round_closes_says_not_saved(app, store, links):
    store.rounds.close(links.round.id)
    rating_widget(app, "assets-1").radios.value = 2
    assert app.status.state == "error"
    assert "Not saved" in app.status.value and "closed" in app.status.value
    assert store.rounds.answers(links.round.id) == []


def test_app_for_a_closed_round_says_so(store, links):
    store.rounds.close(links.round.id)
    app = SelfAssessmentApp(store.members, links.member_code, ME)
    text = page_text(app)
    assert "This round has closed" in text
    assert not hasattr(app, "cards")


def test_come_back_link_when_served(store, links):
    """The link to carry on elsewhere is the server's signed continuation link, with its
    warning; never a page link carrying the token for anyone to prepare (issue 11)."""
    from coprod_widgets import identity

    app = SelfAssessmentApp(store.members, links.member_code, ME, base_url="http://example.org/")
    text = page_text(app)
    signed = identity.resume_value(links.round.id, ME)
    assert f"http://example.org/j/{links.member_code}?resume={signed}" in text
    assert identity.resume_token(links.round.id, signed) == ME
    assert "anyone holding it can read and change your answers" in text
    assert "&me=" not in text and "?me=" not in text


# -- assess.show ----------------------------------------------------------------------------


def test_show_with_an_unknown_code_says_so_without_a_traceback():
    widget = assess.show(code="nonsense")
    text = page_text(widget)
    assert "This link is not recognised" in text
    assert "Traceback" not in text
    assert not isinstance(widget, SelfAssessmentApp)


def test_show_with_a_facilitator_code_is_not_a_member_link(store, links):
    text = page_text(assess.show(code=links.facilitator_code, me=ME, service=store.members))
    assert "not recognised" in text and "not a member link" in text.lower()


def test_show_opens_the_app(store, links):
    widget = assess.show(code=links.member_code, me=ME, service=store.members)
    assert isinstance(widget, SelfAssessmentApp)
    assert widget.me == ME


def test_show_turns_any_failure_into_a_message():
    class Broken:
        def member_view(self, code, me):
            raise RuntimeError("database exploded")

    text = page_text(assess.show(code="whatever", me=ME, service=Broken()))
    assert "Something went wrong" in text
    assert "database exploded" not in text and "Traceback" not in text


def test_code_entry_can_be_built():
    entry = CodeEntry("Title", lambda code: w.HTML(code))
    assert "Title" in page_text(entry)


def test_without_a_link_a_code_can_be_pasted(store, links):
    entry = assess.show(service=store.members)
    assert isinstance(entry, CodeEntry), page_text(entry)
    entry.code.value = f"http://example.org/j/{links.member_code}"
    find_button(entry, "Open").click()
    [opened] = entry.body.children
    assert isinstance(opened, SelfAssessmentApp)
    assert opened.code == links.member_code
    entry.code.value = "wrong"
    find_button(entry, "Open").click()
    assert "not recognised" in page_text(entry.body)


# -- TeamResultsApp -------------------------------------------------------------------------


def submit_answers(store, links, n, *, start=0, comment=None):
    for i in range(start, start + n):
        me = f"tok-results-member-{i:04d}"
        store.members.save_rating(links.member_code, me, "assets-1", 1 + i % 5)
        store.members.save_rating(links.member_code, me, "catalysts-1", 3)
        if comment:
            store.members.save_comment(links.member_code, me, "assets", comment)
        store.members.submit(links.member_code, me)


def test_results_below_the_minimum_show_only_counts(store, links, framework):
    submit_answers(store, links, 2, comment="A private comment")
    store.members.save_rating(links.member_code, OTHER, "assets-1", 2)  # in progress
    app = TeamResultsApp(store, links.facilitator_code)
    body = app.body.value
    assert "2 of 3" in body
    assert "1 more in progress" in body
    assert "A private comment" not in body
    for p in framework.principles:
        assert p.title not in body
    assert "<svg" not in body and "<table" not in body


def test_results_at_the_minimum(store, links, framework):
    submit_answers(store, links, 3, comment=XSS)
    app = TeamResultsApp(store, links.facilitator_code, base_url="http://example.org")
    body = app.body.value
    assert "Where views differ most" in body
    assert "<ol class='coprod-talk'>" in body
    talk = body.split("<ol class='coprod-talk'>", 1)[1].split("</ol>", 1)[0]
    assert talk.index("Assets") < talk.index("Catalysts")  # the one views differ on first
    assert "<svg" in body and "<table" in body
    for p in framework.principles:
        assert p.title in body
    assert XSS not in body
    assert XSS_ESCAPED in body
    assert "Comments are shown without names" in body
    assert f"http://example.org/j/{links.member_code}" in app.header.value


def test_results_escape_team_names_and_roles(store, framework):
    links = store.rounds.create(
        f"Team {XSS}", framework, anonymous=False, min_answers=1, roles=[f"Role {XSS}"]
    )
    store.members.save_profile(links.member_code, ME, name=f"Name {XSS}", role=f"Role {XSS}")
    store.members.save_comment(links.member_code, ME, "assets", "Plain comment")
    store.members.save_rating(links.member_code, ME, "assets-1", 4)
    store.members.submit(links.member_code, ME)
    app = TeamResultsApp(store, links.facilitator_code)
    everything = page_text(app)
    assert XSS not in everything
    assert f"Team {XSS_ESCAPED}" in app.header.value
    assert f"(Name {XSS_ESCAPED}, Role {XSS_ESCAPED})" in app.body.value


def test_refresh_picks_up_new_answers(store, links):
    submit_answers(store, links, 2)
    app = TeamResultsApp(store, links.facilitator_code)
    assert "2 of 3" in app.body.value
    submit_answers(store, links, 1, start=2)
    app.refresh_button.click()
    assert "2 of 3" not in app.body.value
    assert "Where views differ most" in app.body.value


def test_closing_through_the_confirm_button(store, links):
    app = TeamResultsApp(store, links.facilitator_code)
    assert app.confirm_box.layout.display == "none"
    app.close_button.click()
    assert app.confirm_box.layout.display is None
    app.cancel_button.click()
    assert app.confirm_box.layout.display == "none"
    assert store.rounds.get(links.round.id).is_open

    app.close_button.click()
    app.confirm_button.click()
    assert store.rounds.get(links.round.id).status == "closed"
    assert app.confirm_box.layout.display == "none"
    assert app.close_button.layout.display == "none"
    assert "The round is closed" in app.message.value
    assert "closed on" in app.header.value
    assert links.member_code not in app.header.value  # no link to share once closed


def test_results_app_refuses_the_member_link(store, links):
    with pytest.raises(NotFound, match="not the results link"):
        TeamResultsApp(store, links.member_code)
    text = page_text(results.show(code=links.member_code, store=store))
    assert "not the results link" in text and "Traceback" not in text


def test_results_show_opens_with_the_facilitator_link(store, links):
    assert isinstance(results.show(code=links.facilitator_code, store=store), TeamResultsApp)


def test_results_show_without_a_link_offers_code_entry(store, links):
    entry = results.show(store=store)
    assert isinstance(entry, CodeEntry), page_text(entry)
    entry.code.value = links.facilitator_code
    find_button(entry, "Open").click()
    [opened] = entry.body.children
    assert isinstance(opened, TeamResultsApp)


# -- StartRoundApp --------------------------------------------------------------------------


@pytest.fixture
def start(store):
    return StartRoundApp(store, FrameworkLibrary([SHIPPED]), base_url="http://example.org")


def test_start_round_creates_a_round_and_shows_its_links(start, store):
    assert len(start.framework.options) == 5
    start.framework.value = "scie-four"
    assert "Principles:" in start.framework_about.value
    start.team.value = "Riverside youth"
    start.privacy.value = "named"
    start.min_answers.value = 4
    start.roles.value = "Staff, Carer, "
    start.create.click()

    [summary] = store.rounds.all()
    r = summary.round
    assert (r.team, r.framework_id, r.anonymous, r.min_answers) == (
        "Riverside youth",
        "scie-four",
        False,
        4,
    )
    assert r.roles == ("Staff", "Carer")
    assert start.result.kind == "success"
    assert f"Round {r.id} is open" in start.result.value
    assert f"http://example.org/j/{summary.member_code}" in start.links.value
    assert f"http://example.org/j/{summary.facilitator_code}" in start.links.value


def test_start_round_with_an_empty_team_creates_nothing(start, store):
    start.team.value = "   "
    start.create.click()
    assert start.result.kind == "error"
    assert "Not created" in start.result.value
    assert "team name" in start.result.value
    assert store.rounds.all() == []
    assert start.links.value == ""


def test_start_round_lists_framework_files_left_out(store, tmp_path):
    (tmp_path / "broken.yaml").write_text(f"id: broken\ntitle: {XSS}\n", encoding="utf-8")
    app = StartRoundApp(store, FrameworkLibrary([SHIPPED, tmp_path]))
    text = page_text(app)
    assert "left out" in text
    assert "broken.yaml" in text
    assert XSS not in text
    assert len(app.framework.options) == 5
