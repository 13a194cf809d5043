"""Every workbook, declared once: read by the home page, the server, identity and the tests.

A workbook is a notebook that makes one call (``app.call(**query)``). Its entry says:

- ``name``: the notebook is ``<name>.ipynb``; a file of that name in workbooks/ is served as it
  is (it may carry a comment of its own), otherwise the notebook is made from the entry
  (``made_notebook``): a ``parameters`` cell setting each query field to None, one import, one call;
- ``title`` and ``summary``: its card on the home page; ``home`` says how the card opens it;
- ``query``: the query fields its page reads (they become ``identity.Visit`` fields, and,
  unless ``params`` names others, the notebook's parameters and the keywords of its call);
- ``link``: the kind of link that opens it, checked by the server before the page gets a kernel
  (server/links.py holds one checker per kind): ``open`` (anyone), ``owner`` (anyone on a
  private server; the owner's key on one others can reach), ``member`` and ``facilitator`` (a
  team's codes, through ``/j/<code>``), ``journal`` (the device's own journal key), ``plan``
  (a plan's code, when one is given), ``participant`` and ``trainer`` (a course cohort's join
  code and trainer code, through ``/c/<code>``);
- ``route``: the path under the server's address that opens it (``journal``, ``j``, ``c``,
  ``start``); for an ``open`` or ``plan`` workbook the server redirects ``/<route>`` to its page;
- ``pool``: how many kernels wait for it: ``member`` (sized for a team opening its link at
  once), ``other`` (a few) or ``single`` (one).

Adding a workbook: one ``Workbook(...)`` in ``WORKBOOKS`` below (and its app module). A package
of one's own adds its workbooks without touching this one: ``COPROD_WORKBOOK_PLUGINS`` names
modules (comma-separated) that each hold a ``WORKBOOKS`` sequence of ``Workbook``; the server's
kernels inherit the variable, so identity reads the same entries there.

Light on purpose: no ipywidgets, pandas or SQLAlchemy here, and no app is imported (a member's
kernel reads this through identity).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

PLUGINS_ENV = "COPROD_WORKBOOK_PLUGINS"

LinkKind = Literal[
    "open", "owner", "member", "facilitator", "journal", "plan", "participant", "trainer"
]
LINK_KINDS: tuple[LinkKind, ...] = (
    "open",
    "owner",
    "member",
    "facilitator",
    "journal",
    "plan",
    "participant",
    "trainer",
)
Pool = Literal["member", "other", "single"]
Home = Literal["page", "route", "text", "hidden"]


@dataclass(frozen=True)
class Workbook:
    name: str
    title: str
    summary: str
    app: str  # the module whose ``call`` the notebook makes
    call: str = "show"
    query: tuple[str, ...] = ()
    params: tuple[str, ...] | None = None  # the call's keywords, when not its query fields
    link: LinkKind = "open"
    route: str = ""
    pool: Pool = "other"
    home: Home = "page"  # the card links to its page, to its route, is text only, or is not shown
    comment: str = ""  # the notebook's one comment line, when it is made from this entry

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"workbook name {self.name!r} is not a plain name")
        if self.link not in LINK_KINDS:
            raise ValueError(f"workbook {self.name}: no link kind {self.link!r}")
        if self.home == "route" and not self.route:
            raise ValueError(f"workbook {self.name}: its card opens its route, but it has none")
        for field in (*self.query, *self.arguments):
            if not field.isidentifier():
                raise ValueError(f"workbook {self.name}: query field {field!r} is not a name")

    @property
    def arguments(self) -> tuple[str, ...]:
        """The call's keyword arguments, set to None in its parameters cell: its query fields
        unless ``params`` names others (the planner's ``code`` is its ``?plan=``)."""
        return self.query if self.params is None else self.params

    @property
    def notebook(self) -> str:
        """Its file name, as the server's pages and pools know it."""
        return f"{self.name}.ipynb"

    def route_url(self, base: str, *parts: str) -> str:
        """The address of its route under the server's address ``base``, with its parts:
        ``<base>/j/<code>``."""
        return "/".join([base.rstrip("/"), self.route, *parts])

    def page(self, base: str) -> str:
        """Its page under the server's address ``base`` (ending in "/")."""
        return f"{base}voila/render/{self.notebook}"


WORKBOOKS: tuple[Workbook, ...] = (
    Workbook(
        name="start_round",
        title="Start a team self-assessment",
        summary="For a facilitator: choose a framework of principles, set who can see what, and "
        "get the two links: one to share with the team, one to keep for the results.",
        app="coprod_widgets.apps.start",
        link="owner",
        route="start",
        pool="single",
        comment="Choose a framework and settings; get one link for the team and one for the "
        "results.",
    ),
    Workbook(
        name="self_assessment",
        title="Team self-assessment",
        summary="For team members: open it from the link your facilitator shared.",
        app="coprod_widgets.apps.assess",
        query=("code", "me"),
        link="member",
        route="j",
        pool="member",
        home="text",
        comment="Rate, privately, how well your team co-produces (open it from your team's link).",
    ),
    Workbook(
        name="team_results",
        title="Team results",
        summary="For the facilitator: open it from the results link you were given.",
        app="coprod_widgets.apps.results",
        query=("code",),
        link="facilitator",
        route="j",
        home="text",
        comment="What the team said, once enough people have answered.",
    ),
    Workbook(
        name="planner",
        title="Plan how you will involve people",
        summary="For a commissioner, a service manager or a community group about to involve "
        "people in designing or running a service: purpose, ladder, voices, budget, timeline, "
        "risks, measures and review, in a plan you can share.",
        app="coprod_widgets.apps.planner",
        query=("plan",),
        params=("code",),
        link="plan",
        comment="Plan how you will involve people. Saved as you type.",
    ),
    Workbook(
        name="journal",
        title="My reflective journal",
        summary="For a practitioner, or a person with lived experience in a co-production role: "
        "reflect with Gibbs, Kolb, What? So what? Now what?, PDSA or Brookfield's lenses, follow "
        "a topic through cycles, and export for the NMC, Social Work England or the HCPC. "
        "Private: only you can read it, through your own link.",
        app="coprod_widgets.apps.journal",
        query=("key",),
        link="journal",
        route="journal",
        home="route",
        comment="Your private reflective journal: write, find, follow topics in cycles, export.",
    ),
    Workbook(
        name="course_participant",
        title="Course workbook",
        summary="For people taking a course: open it from the link your trainer shared.",
        app="coprod_widgets.apps.course_participant",
        query=("code", "me", "key"),
        link="participant",
        route="c",
        home="text",
        comment="Take a course: read each module, answer its exercises, see your trainer's "
        "feedback. Saved as you type.",
    ),
    Workbook(
        name="course_trainer",
        title="A course's trainer page",
        summary="For the trainer of a course: open it from the trainer link you were given.",
        app="coprod_widgets.apps.course_trainer",
        query=("code",),
        link="trainer",
        route="c",
        pool="single",
        home="text",
        comment="Follow a cohort through a course: roster, progress, answers, feedback.",
    ),
    Workbook(
        name="course_start",
        title="Run a course with a group",
        summary="For a trainer: choose a course, name the group, and get the two links: one to "
        "share with the participants, one to keep for yourself.",
        app="coprod_widgets.apps.course_trainer_start",
        call="show_start",
        link="owner",
        pool="single",
        comment="Choose a course; get one link for the participants and one for the trainer.",
    ),
)


def _plugin_modules() -> tuple[str, ...]:
    return tuple(m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(",") if m.strip())


@cache
def _load(modules: tuple[str, ...]) -> tuple[Workbook, ...]:
    found = list(WORKBOOKS)
    for name in modules:
        declared: object = getattr(importlib.import_module(name), "WORKBOOKS", None)
        if not isinstance(declared, Sequence) or not all(isinstance(w, Workbook) for w in declared):
            raise ValueError(f"{PLUGINS_ENV}: {name}.WORKBOOKS is not a sequence of Workbook")
        found.extend(w for w in declared if isinstance(w, Workbook))
    names = [w.name for w in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"workbooks declared twice: {', '.join(twice)}")
    return tuple(found)


def workbooks() -> tuple[Workbook, ...]:
    """The registered workbooks, ours first, then those of ``$COPROD_WORKBOOK_PLUGINS``."""
    return _load(_plugin_modules())


def by_notebook(notebook: str) -> Workbook | None:
    """The workbook served as ``notebook`` (``"journal.ipynb"``), if one is registered."""
    return next((w for w in workbooks() if w.notebook == notebook), None)


def opened_by(link: LinkKind) -> Workbook:
    """The workbook a link of this kind opens (``member`` -> the self-assessment)."""
    for w in workbooks():
        if w.link == link:
            return w
    raise LookupError(f"no workbook is opened by a {link} link")


def route_link(link: LinkKind, base: str, *parts: str) -> str:
    """The address under ``base`` of the route that opens a link of this kind, with its parts:
    ``route_link("member", base, code)`` is ``<base>/j/<code>``."""
    return opened_by(link).route_url(base, *parts)


def page_link(link: LinkKind, base: str, **query: str) -> str:
    """The page of the workbook a link of this kind opens, with its query: a plan's private
    link is ``page_link("plan", base, plan=code)``."""
    page = opened_by(link).page(base.rstrip("/") + "/")
    return f"{page}?{urlencode(query)}" if query else page


def plan_link(base: str, code: str) -> str:
    """A plan's private link under `coprod serve` (just its code where there is no server)."""
    return page_link("plan", base, plan=code) if base else code


def query_fields() -> tuple[str, ...]:
    """Every query field some workbook's page reads, in the order first declared."""
    return tuple(dict.fromkeys(f for w in workbooks() for f in w.query))


# -- the notebook of a workbook ---------------------------------------------------------------


def _cell(source: str, tags: Sequence[str] = ()) -> dict[str, object]:
    metadata: dict[str, object] = {"tags": list(tags)} if tags else {}
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata,
        "outputs": [],
        "source": source,
    }


def made_notebook(w: Workbook) -> dict[str, object]:
    """The notebook made from the entry: its parameters, one import, one call (nbformat 4)."""
    module, _, leaf = w.app.rpartition(".")
    importer = f"from {module} import {leaf}" if module else f"import {leaf}"
    args = ", ".join(f"{f}={f}" for f in w.arguments)
    comment = f"# {w.comment or w.title}\n"
    cells = []
    if w.arguments:
        params = "\n".join(f"{f} = None" for f in w.arguments)
        note = "# Set by tests or by hand; served pages take them from the link.\n"
        cells.append(_cell(note + params, ["parameters"]))
    cells.append(_cell(f"{comment}{importer}\n\n{leaf}.{w.call}({args})"))
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }


def notebook_text(w: Workbook, folder: Path) -> str:
    """The notebook served for ``w``: its file in ``folder`` if there is one, else the one made
    from the entry (JSON)."""
    import json

    shipped = folder / w.notebook
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return json.dumps(made_notebook(w), indent=1) + "\n"
