"""Models of reflection (Gibbs, Kolb, PDSA, ...): their stages, what each stage is for (its
*role*), how a cycle carries into the next, and the free-form model that is always there.

Pure: no widgets, no database. ``model.journal`` names all of these too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .framework import Source

# What a stage is for; export forms map their questions to these.
ROLES: dict[str, str] = {
    "experience": "what happened: the event, activity or experience",
    "feelings": "thoughts and feelings",
    "evaluation": "what went well and what did not",
    "learning": "making sense of it: what was learnt",
    "action": "what will change, or has changed, in practice",
    "perspective": "how others see it",
    "aim": "what we are trying to accomplish",
    "measure": "how we will know a change is an improvement",
    "change": "the change to try",
    "prediction": "what we expect to happen",
    "observation": "what was observed",
}


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    prompt: str
    role: str
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class CycleRule:
    """What moves from one cycle of a topic to the next."""

    carry: str  # the stage whose text starts the next cycle (Act, action plan)
    into: str  # the stage of the next cycle it is put into
    keep: tuple[str, ...] = ()  # stages copied unchanged (PDSA's aim, measures, changes)


@dataclass(frozen=True)
class Compare:
    """Two stages shown side by side: what was predicted and what was observed."""

    predicted: str
    observed: str


@dataclass(frozen=True)
class ReflectiveModel:
    id: str
    version: str
    title: str
    summary: str
    source: Source
    attribution: str
    stages: tuple[Stage, ...]
    cycle: CycleRule | None = None
    compare: Compare | None = None

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(stage_id)

    def cycle_rule(self) -> CycleRule:
        """The model's rule, or by default: the last stage starts the next cycle's first."""
        if self.cycle is not None:
            return self.cycle
        return CycleRule(carry=self.stages[-1].id, into=self.stages[0].id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ReflectiveModel:
        cyc = d.get("cycle")
        cmp_ = d.get("compare")
        return cls(
            id=d["id"],
            version=d["version"],
            title=d["title"],
            summary=d.get("summary", ""),
            source=Source(**d.get("source", {"citation": ""})),
            attribution=d.get("attribution", ""),
            stages=tuple(
                Stage(
                    id=s["id"],
                    title=s["title"],
                    prompt=s.get("prompt", ""),
                    role=s.get("role", "experience"),
                    hints=tuple(s.get("hints", ())),
                )
                for s in d["stages"]
            ),
            cycle=CycleRule(cyc["carry"], cyc["into"], tuple(cyc.get("keep", ()))) if cyc else None,
            compare=Compare(cmp_["predicted"], cmp_["observed"]) if cmp_ else None,
        )


# Always there, whatever files are broken: writing without a model is never impossible.
FREE_FORM = ReflectiveModel(
    id="free-form",
    version="1",
    title="Free-form",
    summary="No stages: write in whatever way helps you think.",
    source=Source(citation="No published model: a blank page."),
    attribution="Written by the coprod_widgets project.",
    stages=(
        Stage(
            id="reflection",
            title="Reflection",
            prompt=(
                "Write freely. It can help to say what happened, what you made of it and what "
                "you will do next, but there is no set order."
            ),
            role="experience",
        ),
    ),
)
