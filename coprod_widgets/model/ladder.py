"""A ladder of participation: ordered steps from least to most power shared.

Plain frozen dataclasses, like the framework model: validation of the files lives in
``coprod_widgets.content.ladders``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .framework import Source


@dataclass(frozen=True)
class StepGroup:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    description: str
    group: str = ""  # a StepGroup id, or "" when the ladder has no groups


@dataclass(frozen=True)
class Ladder:
    id: str
    version: str
    title: str
    summary: str
    source: Source
    attribution: str
    steps: tuple[Step, ...]  # lowest first
    groups: tuple[StepGroup, ...] = ()

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def number(self, step_id: str) -> int:
        """The step's place on the ladder, counting from 1 at the bottom."""
        for i, s in enumerate(self.steps, start=1):
            if s.id == step_id:
                return i
        raise KeyError(step_id)

    def group(self, group_id: str) -> StepGroup | None:
        return next((g for g in self.groups if g.id == group_id), None)

    @property
    def kind(self) -> str:
        """'rung' for Arnstein (as the source says), 'step' otherwise: the word the page uses."""
        return "rung" if self.id.startswith("arnstein") else "step"
