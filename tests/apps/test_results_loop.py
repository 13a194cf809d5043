"""From results to change, headless: actions agreed, reviewed next round, trends, next round."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import yaml

from coprod_widgets.apps.results import TeamResultsApp
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.model.framework import Statement

from .test_apps import XSS, XSS_ESCAPED
from .tree import find_button, page_text


def answer_round(store, links, values, roles=None, first=0):
    """Each value is the rating every statement gets from one member."""
    for i, v in enumerate(values):
        me = f"tok-member-{links.round.id}-{first + i:03d}"
        if roles:
            store.members.save_profile(links.member_code, me, role=roles[i])
        fw = store.rounds.framework(links.round.id)
        for s in fw.statements:
            store.members.save_rating(links.member_code, me, s.id, v)
        store.members.submit(links.member_code, me)


@pytest.fixture
def lib(small_framework, tmp_path):
    d = tmp_path / "frameworks"
    d.mkdir()
    return FrameworkLibrary([d])  # empty: no newer version on offer


def app_for(store, links, lib):
    return TeamResultsApp(store, links.facilitator_code, "http://x", library=lib)


def test_an_action_is_added_edited_and_kept(store, small_framework, lib):
    links = store.rounds.create("Team", small_framework)
    answer_round(store, links, [1, 2, 4])
    app = app_for(store, links, lib)
    new = app.new_action
    new.what.value = "Ask people before we decide " + XSS
    new.principle.value = "p2"
    new.lead.value = "Sam"
    new.due.value = dt.date(2027, 1, 31)
    app.add_button.click()
    [a] = store.actions.for_round(links.round.id)
    assert (a.what, a.principle_id, a.lead, a.due) == (
        "Ask people before we decide " + XSS,
        "p2",
        "Sam",
        "2027-01-31",
    )
    assert app.new_action.what.value == ""  # the form is ready for the next one
    editor = app._editors[a.id]
    editor.lead.value = "Sam and Priya"  # saved as typed
    editor.status.value = "doing"
    assert store.actions.get(a.id).lead == "Sam and Priya"
    assert store.actions.get(a.id).status == "doing"
    assert "saved at" in editor.save_status.value
    # a reload (a new app over the same store) shows it
    again = app_for(store, links, lib)
    assert again._editors[a.id].what.value == "Ask people before we decide " + XSS


def test_an_action_without_what_is_refused_and_nothing_typed_is_lost(store, small_framework, lib):
    links = store.rounds.create("Team", small_framework)
    app = app_for(store, links, lib)
    app.new_action.lead.value = "Priya"
    app.add_button.click()
    assert store.actions.for_round(links.round.id) == []
    assert "say what the team will do" in app.action_message.value
    assert app.new_action.lead.value == "Priya"


def test_next_round_carries_actions_to_review_and_shows_what_moved(store, small_framework, lib):
    first = store.rounds.create("Team", small_framework)
    answer_round(store, first, [1, 2, 2])
    app = app_for(store, first, lib)
    app.new_action.what.value = "Pay people for their time " + XSS
    app.new_action.principle.value = "p1"
    app.add_button.click()
    find_button(app, "Open the next round").click()
    second = store.rounds.links(store.rounds.next(first.round.id).id)
    assert second.round.series_id == first.round.id
    assert (second.round.anonymous, second.round.min_answers) == (True, 3)
    assert "Round 2 was opened from this one" in page_text(app)
    assert second.member_code in page_text(app)

    answer_round(store, second, [3, 3, 4])
    app2 = app_for(store, second, lib)
    text = page_text(app2)
    assert "Actions to look back on" in text
    assert XSS_ESCAPED in text and XSS not in text
    # the action's principle moved from median 2 to 3
    assert "median 2.0 → 3.0 (+1.0)" in text
    [review] = app2._reviews.values()
    review.status.value = "done"
    review.helped.value = "yes"
    review.note.value = "We pay on the day now."
    a = store.actions.for_round(first.round.id)[0]
    assert (a.status, a.helped, a.review_note, a.reviewed_in) == (
        "done",
        "yes",
        "We pay on the day now.",
        second.round.id,
    )
    assert "Over time" in text


def test_trends_over_three_rounds_in_the_page(store, small_framework, lib):
    r1 = store.rounds.create("Team", small_framework)
    answer_round(store, r1, [1, 1, 2])
    r2 = store.rounds.create("Team", small_framework, previous_id=r1.round.id)
    answer_round(store, r2, [2, 3, 3])
    r3 = store.rounds.create("Team", small_framework, previous_id=r2.round.id)
    answer_round(store, r3, [4, 4, 3])
    text = page_text(app_for(store, r3, lib))
    assert "round 3 of this team" in text
    assert "Median (and spread) per principle in each round" in text
    assert "First round against the latest" in text
    assert "1.0 then, 4.0 now" in text  # radar's text alternative names both rounds
    # looking at round 2 shows the series only up to round 2
    text2 = page_text(app_for(store, r2, lib))
    assert "Round 3<br>" not in text2 and "Round 2<br>" in text2


def test_a_newer_framework_version_is_offered_and_named(store, small_framework, tmp_path):
    p1 = small_framework.principles[0]
    v2 = replace(
        small_framework,
        version="2.0",
        principles=(
            replace(p1, statements=(*p1.statements, Statement("p1-c", "We report back."))),
            small_framework.principles[1],
        ),
    )
    d = tmp_path / "newer"
    d.mkdir()
    (d / "small.yaml").write_text(yaml.safe_dump(v2.to_dict(), sort_keys=False))
    lib = FrameworkLibrary([d])
    assert not lib.problems, lib.problems
    first = store.rounds.create("Team", small_framework)
    app = app_for(store, first, lib)
    text = page_text(app)
    assert "Version 2.0 of Small test framework is available" in text
    assert "Its statements or scale differ for Listening" in text
    app.next_version.value = "latest"
    find_button(app, "Open the next round").click()
    nxt = store.rounds.next(first.round.id)
    assert store.rounds.framework(nxt.id).version == "2.0"
    assert store.rounds.framework(first.round.id).version == "1.0"


def test_who_got_heard_in_the_page(store, small_framework, lib):
    links = store.rounds.create("Team", small_framework, roles=["Staff", "Carer"])
    answer_round(store, links, [4, 4, 4, 1], roles=["Staff", "Staff", "Staff", "Carer"])
    text = page_text(app_for(store, links, lib))
    assert "Who got heard" in text
    # One carer is never a row of their own ("Carer: 1" would move with one answer), and Staff
    # (3, the minimum) beside the team's results would give the one carer away: all together.
    assert "<th scope='row'>Carer</th>" not in text and "<th scope='row'>Staff</th>" not in text
    assert "<th scope='row'>Other roles, or none given</th><td>4</td>" in text
    assert "Staff (median)" not in text


def _download_bytes(download) -> bytes:
    import base64
    import re

    m = re.search(r"href='data:[^;]+;base64,([^']+)'", download.link.value)
    assert m, download.link.value
    return base64.b64decode(m.group(1))


def test_ratings_download_is_anonymous_and_refused_below_the_minimum(store, small_framework, lib):
    from coprod_widgets.apps.results import Download

    links = store.rounds.create("Team", small_framework, roles=["Staff", "Carer"])
    answer_round(store, links, [1, 2], roles=["Staff", "Carer"])
    app = app_for(store, links, lib)
    csv_download = next(
        d for d in app.downloads.children if isinstance(d, Download) and d.filename.endswith(".csv")
    )
    csv_download.button.click()
    assert "can be exported from 3" in csv_download.link.value  # refused, and said why
    assert "href=" not in csv_download.link.value

    answer_round(store, links, [4], roles=["Staff"], first=2)
    store.members.save_comment(
        links.member_code, "tok-member-1-002", "p1", '=HYPERLINK("http://x")'
    )
    csv_download.button.click()
    text = _download_bytes(csv_download).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    assert "tok-member" not in text and "submitted_at" not in text
    # Staff 2 and Carer 1: a role would single the carer out, so none is given
    assert ",Carer," not in text and ",Staff," not in text
