"""The team report's body: header, results, the minimum and anonymity, everything escaped."""

from __future__ import annotations

import pytest

from coprod_widgets.errors import InvalidInput, NotFound
from coprod_widgets.reports.team import ReportHTML, team_report, team_report_html

from .report_helpers import XSS, XSS_ESCAPED, fill, text_of


def test_header_and_results(store, named, small_framework):
    html = team_report_html(store, named.round.id)
    text = text_of(html)
    assert "Ward <script>alert('team')</script> 7: team report" in text  # as text, not as markup
    assert "Small test framework (version 1.0)" in text
    assert f"{named.round.id}, named" in text
    assert "open for answers" in text
    assert "3 answers submitted" in text
    for p in small_framework.principles:
        assert p.title in text
    assert "Listening: member scores from 1.0 to 4.0 (spread 1.2), median 3.0" in text
    assert "Sharing power: member scores from 2.0 to 4.0 (spread 0.9), median 2.0" in text
    assert "<svg" in html and "<table" in html
    assert f"Listen more {XSS} 0 (Ann Example, Nurse)" in text  # a named round says who


def test_user_text_is_escaped(store, named):
    html = team_report_html(store, named.round.id)
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;team&#x27;)" in html
    assert "<img src=x" not in html and XSS_ESCAPED in html


def test_closed_round_says_when(store, named):
    store.rounds.close(named.round.id)
    assert "closed on 20" in text_of(team_report_html(store, named.round.id))


def test_below_the_minimum_only_counts(store, small_framework):
    links = store.rounds.create("Small team", small_framework, anonymous=False)
    fill(store, links, small_framework, values=((1, 2), (4, 4)), names=("A", "B"), comment="Hush")
    html = team_report_html(store, links.round.id)
    text = text_of(html)
    assert "2 of 3 answers needed before any results are shown" in text
    assert "median" not in text.lower()
    assert "Hush" not in text and "Listening" not in text and "Sharing power" not in text
    assert "<svg" not in html and "<table" not in html


def test_anonymous_round_never_says_who(store, small_framework):
    links = store.rounds.create("Anon team", small_framework, roles=["Nurse", "Carer"])
    fill(store, links, small_framework, role="Nurse", comment="Said quietly")
    html = team_report_html(store, links.round.id)
    text = text_of(html)
    assert "anonymous" in text and "Comments are shown without names" in text
    assert "Said quietly 0" in text
    assert "coprod-who" not in html and "(Nurse)" not in text


def test_team_report_is_shown_as_html(store, named):
    report = team_report(named.round.id, store.url)
    assert isinstance(report, ReportHTML)
    assert report._repr_html_() == report.html
    assert "team report" in report.html
    assert repr(report) == f"Team report: {named.round.team}, round {named.round.id}"


def test_unknown_or_missing_round(store):
    with pytest.raises(NotFound, match="there is no round 7"):
        team_report(7, store.url)
    with pytest.raises(InvalidInput, match="round_id: give the id"):
        team_report(None, store.url)


def test_report_carries_actions_what_moved_and_the_trend(store, small_framework):
    first = store.rounds.create("Loop team", small_framework, roles=["Nurse", "Carer"])
    fill(store, first, small_framework, values=((1, 1), (2, 1), (2, 2)), role="Nurse")
    action = store.actions.add(first.round.id, "p1", f"Ask first {XSS}", lead=f"Sam {XSS}")
    second = store.rounds.create(
        "Loop team", small_framework, roles=["Nurse"], previous_id=first.round.id
    )
    fill(store, second, small_framework, values=((3, 1), (3, 2), (4, 2)), role="Nurse")
    store.actions.update(action.id, "status", "done", in_round=second.round.id)
    store.actions.update(action.id, "helped", "yes", in_round=second.round.id)
    store.actions.add(second.round.id, "p2", "Pay on the day", due="2027-03-01")
    third = store.rounds.create(
        "Loop team", small_framework, roles=["Nurse"], previous_id=second.round.id
    )
    fill(store, third, small_framework, values=((4, 3), (4, 3), (3, 3)), role="Nurse")

    html = team_report_html(store, second.round.id)
    text = text_of(html)
    assert "<img src=x" not in html and f"Ask first {XSS_ESCAPED}" in html
    assert "Actions to look back on" in text  # the title the results page gives it
    assert (
        f"Ask first {XSS} (led by Sam {XSS}) Listening Done Yes, it helped median 2.0 → 3.0 (+1.0)"
        in text
    )
    assert "Pay on the day Sharing power – 2027-03-01 Open" in text
    assert "Over time" in text and "First round against the latest" in text
    assert f"Round {third.round.id}" not in text  # the report of round 2 stops at round 2

    latest = text_of(team_report_html(store, third.round.id))
    # medians of Listening in rounds 1, 2, 3: 2.0, 3.0, 4.0
    assert "Listening 2.0 (spread 0.5) 3.0 (spread 0.5) 4.0 (spread 0.5)" in latest
    assert "Listening 2.0 4.0 +2.0" in latest  # first against latest
    # round 3 reviews round 2's action; round 1's shows under earlier actions, with what moved
    assert "Earlier actions, and what moved" in latest
    assert (
        f"Ask first {XSS} (led by Sam {XSS}) Listening Done Yes, it helped median 2.0 → 3.0 (+1.0)"
        in latest
    )
    assert "Earlier actions" not in text  # in round 2, round 1's action is the review itself


def test_report_role_breakdown_keeps_small_roles_out(store, small_framework):
    links = store.rounds.create("Roles team", small_framework, roles=["Nurse", "Carer"])
    fill(store, links, small_framework, values=((1, 1), (2, 1), (2, 2)), role="Nurse")
    store.members.save_rating(links.member_code, "tok-the-one-carer-xx", "p1-a", 4)
    store.members.save_profile(links.member_code, "tok-the-one-carer-xx", role="Carer")
    store.members.submit(links.member_code, "tok-the-one-carer-xx")
    text = text_of(team_report_html(store, links.round.id))
    assert "Who got heard" in text
    # Nurse 3 would leave the one carer by subtraction: every role counted together, and no
    # "Carer 1" that moves with one answer.
    assert "Carer 1" not in text and "Nurse 3" not in text
    assert "Other roles, or none given 4" in text
    assert "(median)" not in text  # Nurse alone beside the team total would give the carer away
