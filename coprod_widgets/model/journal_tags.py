"""What a journal tag is called: the one place a tag id becomes the words a person reads.

A tag is ``<framework id>/<principle id>`` or ``<benefit set id>/<benefit id>``. The page's tag
picker, its filters, and every export (Markdown, HTML, PDF) name a tag with the label made
here, e.g. ``Communities (who gains)``, never with its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .benefits import BenefitSet
from .framework import Framework

BENEFITS = "six-areas-of-benefit"

TagGroups = list[tuple[str, list[tuple[str, str]]]]


def tag_groups(
    frameworks: Iterable[Framework], benefits: Iterable[BenefitSet]
) -> tuple[TagGroups, dict[str, str]]:
    """Tags to choose from, as (heading, [(tag, title), ...]): the six areas of benefit first,
    then the benefits by who gains, then each framework's principles; and every tag's label."""
    groups: TagGroups = []
    labels: dict[str, str] = {}

    def add(heading: str, tags: list[tuple[str, str]], kind: str) -> None:
        groups.append((heading, tags))
        labels.update({tag: f"{title} ({kind})" for tag, title in tags})

    fws = sorted(frameworks, key=lambda f: f.title.casefold())
    for fw in fws:
        if fw.id == BENEFITS:
            tags = [(f"{fw.id}/{p.id}", p.title) for p in fw.principles]
            add("Areas of benefit", tags, "area of benefit")
    for bs in benefits:
        for g in bs.groups:
            tags = [(f"{bs.id}/{b.id}", b.title) for b in g.benefits]
            add(f"{bs.title}: {g.title}", tags, g.title.lower())
    for fw in fws:
        if fw.id != BENEFITS:
            add(fw.title, [(f"{fw.id}/{p.id}", p.title) for p in fw.principles], fw.title)
    return groups, labels


def tag_labels(frameworks: Iterable[Framework], benefits: Iterable[BenefitSet]) -> dict[str, str]:
    """Every tag's label (see ``tag_groups``)."""
    return tag_groups(frameworks, benefits)[1]


def tag_label(tag: str, labels: Mapping[str, str]) -> str:
    """A tag as a person reads it; a tag no library knows any more keeps its id."""
    return labels.get(tag, tag)
