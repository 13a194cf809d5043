"""A framework of co-production principles, its rating scale and score bands.

Plain frozen dataclasses so that a member's kernel can rebuild a framework from JSON without
importing YAML, pydantic or SQLAlchemy. Validation of files lives in ``coprod_widgets.content``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str
    descriptor: str


@dataclass(frozen=True)
class Scale:
    id: str
    title: str
    points: tuple[ScalePoint, ...]
    dont_know: bool = True

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.points)

    @property
    def minimum(self) -> int:
        return self.points[0].value

    @property
    def maximum(self) -> int:
        return self.points[-1].value

    def label_for(self, value: int) -> str:
        for p in self.points:
            if p.value == value:
                return p.label
        raise KeyError(value)


@dataclass(frozen=True)
class Band:
    min: float
    max: float
    label: str
    descriptor: str = ""


@dataclass(frozen=True)
class Statement:
    id: str
    text: str


@dataclass(frozen=True)
class Principle:
    id: str
    title: str
    description: str
    statements: tuple[Statement, ...]
    guidance: str = ""


@dataclass(frozen=True)
class Source:
    citation: str
    url: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: str
    summary: str
    source: Source
    attribution: str
    scale: Scale
    principles: tuple[Principle, ...]
    bands: tuple[Band, ...] = field(default=())

    @property
    def key(self) -> str:
        """The id and version together: what every record keeps."""
        return f"{self.id}@{self.version}"

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for p in self.principles for s in p.statements)

    def principle(self, principle_id: str) -> Principle:
        for p in self.principles:
            if p.id == principle_id:
                return p
        raise KeyError(principle_id)

    def principle_of(self, statement_id: str) -> Principle:
        for p in self.principles:
            if any(s.id == statement_id for s in p.statements):
                return p
        raise KeyError(statement_id)

    def band_for(self, mean: float) -> Band | None:
        for i, b in enumerate(self.bands):
            last = i == len(self.bands) - 1
            if b.min <= mean < b.max or (last and mean == b.max):
                return b
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Framework:
        """Rebuild from ``to_dict`` output (already validated data)."""
        scale = d["scale"]
        return cls(
            id=d["id"],
            version=str(d["version"]),
            title=d["title"],
            summary=d.get("summary", ""),
            source=Source(**d["source"]),
            attribution=d.get("attribution", ""),
            scale=Scale(
                id=scale["id"],
                title=scale["title"],
                points=tuple(ScalePoint(**p) for p in scale["points"]),
                dont_know=bool(scale.get("dont_know", True)),
            ),
            principles=tuple(
                Principle(
                    id=p["id"],
                    title=p["title"],
                    description=p["description"],
                    guidance=p.get("guidance", "") or "",
                    statements=tuple(Statement(**s) for s in p["statements"]),
                )
                for p in d["principles"]
            ),
            bands=tuple(Band(**b) for b in d.get("bands") or ()),
        )
