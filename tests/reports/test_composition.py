"""The results page and the team report show one composition: every section title, every
number and every reason for holding something back on the page is in the report, and back.

The page is built headless (the app's widgets; the text of its HTML widgets, and the values in
the action forms, which are how the page shows agreed and reviewed actions); the report is the
real export (`export_report`, the HTML nbconvert produced). The page's own controls (marked
"coprod-page-only": buttons, the share link, downloads, the next round) are not part of the view.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import ipywidgets as w
import pytest

from coprod_widgets.apps.results import PAGE_ONLY, TeamResultsApp
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.model.composition import (
    FIRST_ROUND_REVIEW,
    FIRST_ROUND_TRENDS,
    NO_ROLES,
)
from coprod_widgets.reports.export import export_report
from coprod_widgets.widgets import ActionEditor, ActionReview

NUMBER = re.compile(r"\d+(?:[.:-]\d+)*")


class _Reader(HTMLParser):
    """Text and h2 headings as a reader sees them, leaving out styles, scripts, the head and
    anything marked as the page's own."""

    SKIP = ("style", "script", "head", "svg")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headings: list[str] = []
        self._stack: list[tuple[str, bool]] = []
        self._h2: list[str] | None = None

    @property
    def _skipping(self) -> bool:
        return any(skip for _, skip in self._stack)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("br", "img", "meta", "link", "input", "hr", "col"):
            self.text.append(" ")
            return
        self._stack.append((tag, tag in self.SKIP or PAGE_ONLY in classes))
        if tag == "h2" and not self._skipping:
            self._h2 = []
        self.text.append(" ")

    def handle_endtag(self, tag):
        while self._stack:
            t, _ = self._stack.pop()
            if t == tag:
                break
        if tag == "h2" and self._h2 is not None:
            self.headings.append(squeeze("".join(self._h2)))
            self._h2 = None
        self.text.append(" ")

    def handle_data(self, data):
        if self._skipping:
            return
        self.text.append(data)
        if self._h2 is not None:
            self._h2.append(data)


def squeeze(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def read(html: str) -> tuple[str, list[str]]:
    r = _Reader()
    r.feed(html)
    r.close()
    return squeeze("".join(r.text)), r.headings


def _label(dropdown: w.Dropdown) -> str:
    return dropdown.label or ""


def page_html(widget: w.Widget) -> str:
    """What the page shows of the view: HTML widgets' text, and the action forms' values."""
    if PAGE_ONLY in getattr(widget, "_dom_classes", ()):
        return ""
    if isinstance(widget, ActionReview):
        return f"<p>{_label(widget.status)} {_label(widget.helped)} {widget.note.value}</p>"
    if isinstance(widget, ActionEditor):
        if not widget.action_id:
            return ""
        due = widget.due.value.isoformat() if widget.due.value else ""
        values = (widget.what.value, _label(widget.principle), widget.lead.value, due)
        return "<p>" + " ".join(values) + f" {_label(widget.status)}</p>"
    if isinstance(widget, w.HTML):
        return widget.value
    return "\n".join(page_html(c) for c in getattr(widget, "children", ()))


def numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def compare(store, links, lib) -> tuple[str, str]:
    """Build both, and check each holds the other's titles and numbers."""
    app = TeamResultsApp(store, links.facilitator_code, "http://x", library=lib)
    page_text, page_titles = read(page_html(app))
    report = export_report(
        "team_report", {"round_id": links.round.id, "db": store.url}, "html"
    ).decode()
    report = re.sub(r"Report made</dt><dd>[^<]*</dd>", "</dt><dd></dd>", report)  # its own date
    report_text, report_titles = read(report)
    assert page_titles == report_titles, (page_titles, report_titles)
    assert page_titles  # at the least, the counts
    page_numbers, report_numbers = numbers(page_text), numbers(report_text)
    assert page_numbers - report_numbers == set(), "on the page, not in the report"
    assert report_numbers - page_numbers == set(), "in the report, not on the page"
    return page_text, report_text


@pytest.fixture
def lib(tmp_path):
    d = tmp_path / "frameworks"
    d.mkdir()
    return FrameworkLibrary([d])


def answer(store, links, fw, values, roles=(), first=0):
    """Each member rates p1's statements with v1 and p2's with v2, and comments on p1; in a
    named round each gives a name."""
    names = () if links.round.anonymous else NAMES[first : first + len(values)]
    for i, (v1, v2) in enumerate(values):
        me = f"tok-composition-{links.round.id}-{first + i:03d}"
        for s in fw.principle("p1").statements:
            store.members.save_rating(links.member_code, me, s.id, v1)
        for s in fw.principle("p2").statements:
            store.members.save_rating(links.member_code, me, s.id, v2)
        store.members.save_comment(links.member_code, me, "p1", f"Comment {first + i} on round")
        if roles or names:
            name = names[i] if names else ""
            store.members.save_profile(
                links.member_code, me, name=name, role=roles[i] if roles else ""
            )
        store.members.submit(links.member_code, me)


BELOW = ((1, 2), (4, 3))
ABOVE = ((1, 2), (3, 2), (4, 4), (2, 3), (4, 1), (3, 3))
ROLES = ("Staff", "Staff", "Staff", "Carer", "Carer", "Carer")
NAMES = ("Ann", "Bo", "Cy", "Di", "Ed", "Flo")


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
@pytest.mark.parametrize("enough", [False, True], ids=["below", "above"])
@pytest.mark.parametrize("roles", [False, True], ids=["no-roles", "roles"])
def test_one_round_page_and_report_agree(store, small_framework, lib, anonymous, enough, roles):
    links = store.rounds.create(
        "Ward 7", small_framework, anonymous=anonymous, roles=list(ROLES[::3]) if roles else []
    )
    values = ABOVE if enough else BELOW
    answer(
        store,
        links,
        small_framework,
        values,
        roles=ROLES[: len(values)] if roles else (),
    )
    page, report = compare(store, links, lib)
    for both in (page, report):
        assert FIRST_ROUND_REVIEW in both and FIRST_ROUND_TRENDS in both
        if not roles:  # both say why no one is counted per role, in the same words
            assert "Who got heard" in both and NO_ROLES in both
        elif not enough:
            assert "Answers per role are shown once the round has enough answers." in both
        else:
            assert "Staff (median)" in both and "Carer (median)" in both
        assert ("Where views differ most" in both) is enough


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
def test_a_trend_over_three_rounds_agrees(store, small_framework, lib, anonymous):
    kw = {"anonymous": anonymous, "roles": ["Staff", "Carer"]}
    r1 = store.rounds.create("Ward 7", small_framework, **kw)
    answer(store, r1, small_framework, ABOVE[:3], roles=ROLES[:3])
    first = store.actions.add(r1.round.id, "p1", "Ask first", lead="Sam", due="2027-01-31")
    r2 = store.rounds.create("Ward 7", small_framework, previous_id=r1.round.id, **kw)
    answer(store, r2, small_framework, ((3, 2), (3, 3), (4, 2)), roles=ROLES[:3])
    store.actions.update(first.id, "status", "done", in_round=r2.round.id)
    store.actions.update(first.id, "helped", "yes", in_round=r2.round.id)
    store.actions.update(first.id, "review_note", "We ask at 9 every day", in_round=r2.round.id)
    second = store.actions.add(r2.round.id, "p2", "Pay on the day", due="2027-06-30")
    r3 = store.rounds.create("Ward 7", small_framework, previous_id=r2.round.id, **kw)
    answer(store, r3, small_framework, ((4, 3), (4, 3), (3, 4), (2, 2)), roles=ROLES[2:6])
    store.actions.update(second.id, "status", "doing", in_round=r3.round.id)
    store.actions.add(r3.round.id, "p1", "Meet at 10", lead="Priya", due="2027-09-15")
    page, report = compare(store, links=r3, lib=lib)
    for both in (page, report):
        assert "Over time" in both and "First round against the latest" in both
        assert "Actions to look back on" in both and "Earlier actions, and what moved" in both
        assert "2027-06-30" in both and "2027-09-15" in both and "We ask at 9 every day" in both
