"""Benefits of co-production, grouped by who gains: tags a journal entry can carry."""

from __future__ import annotations

from dataclasses import dataclass

from .framework import Source


@dataclass(frozen=True)
class Benefit:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class BenefitGroup:
    id: str
    title: str  # who gains, e.g. "For people who use services"
    benefits: tuple[Benefit, ...]


@dataclass(frozen=True)
class BenefitSet:
    id: str
    version: str
    title: str
    summary: str
    source: Source
    attribution: str
    groups: tuple[BenefitGroup, ...]

    def tags(self) -> list[tuple[str, str]]:
        return [(f"{self.id}/{b.id}", b.title) for g in self.groups for b in g.benefits]
