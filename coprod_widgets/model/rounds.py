"""Rounds of a team self-assessment and the answers members give in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput
from .framework import Framework

DEFAULT_MIN_ANSWERS = 3


@dataclass(frozen=True)
class Round:
    id: int
    team: str
    framework_id: str
    framework_version: str
    anonymous: bool = True
    min_answers: int = DEFAULT_MIN_ANSWERS
    roles: tuple[str, ...] = ()
    status: str = "open"
    created_at: str = ""
    closed_at: str | None = None
    series_id: int | None = None  # the first round of the team's series
    previous_id: int | None = None  # the round this one was opened from

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team": self.team,
            "framework_id": self.framework_id,
            "framework_version": self.framework_version,
            "anonymous": self.anonymous,
            "min_answers": self.min_answers,
            "roles": list(self.roles),
            "status": self.status,
            "created_at": self.created_at,
            "closed_at": self.closed_at,
            "series_id": self.series_id,
            "previous_id": self.previous_id,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Round:
        return cls(**{**d, "roles": tuple(d.get("roles") or ())})


@dataclass(frozen=True)
class Rating:
    """One statement's rating: a scale value, or "don't know", or nothing yet."""

    value: int | None = None
    dont_know: bool = False

    @property
    def answered(self) -> bool:
        return self.dont_know or self.value is not None


@dataclass
class Answer:
    """One member's answers in one round (a draft until submitted)."""

    ratings: dict[str, Rating] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    status: str = "draft"
    name: str = ""
    role: str = ""
    submitted_at: str | None = None

    @property
    def submitted(self) -> bool:
        return self.status == "submitted"

    def rating(self, statement_id: str) -> Rating:
        return self.ratings.get(statement_id, Rating())

    def answered_count(self, framework: Framework, principle_id: str | None = None) -> int:
        principles = (
            framework.principles if principle_id is None else (framework.principle(principle_id),)
        )
        return sum(self.rating(s.id).answered for p in principles for s in p.statements)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ratings": {
                k: {"value": r.value, "dont_know": r.dont_know} for k, r in self.ratings.items()
            },
            "comments": dict(self.comments),
            "status": self.status,
            "name": self.name,
            "role": self.role,
            "submitted_at": self.submitted_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Answer:
        return cls(
            ratings={k: Rating(**v) for k, v in (d.get("ratings") or {}).items()},
            comments=dict(d.get("comments") or {}),
            status=d.get("status", "draft"),
            name=d.get("name") or "",
            role=d.get("role") or "",
            submitted_at=d.get("submitted_at"),
        )


def check_rating(
    framework: Framework, statement_id: str, value: int | None, dont_know: bool
) -> None:
    """Raise InvalidInput unless this is a rating the framework accepts."""
    try:
        framework.principle_of(statement_id)
    except KeyError:
        raise InvalidInput(
            f"statement {statement_id!r} is not in framework {framework.key}"
        ) from None
    if dont_know:
        if not framework.scale.dont_know:
            raise InvalidInput(f'framework {framework.key} does not offer "don\'t know"')
        if value is not None:
            raise InvalidInput('a rating is either a value or "don\'t know", not both')
        return
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value not in framework.scale.values:
        raise InvalidInput(
            f"rating for {statement_id!r} must be one of {list(framework.scale.values)}, "
            f"not {value!r}"
        )


def check_comment(framework: Framework, principle_id: str, text: str) -> None:
    try:
        framework.principle(principle_id)
    except KeyError:
        raise InvalidInput(
            f"principle {principle_id!r} is not in framework {framework.key}"
        ) from None
    if not isinstance(text, str):
        raise InvalidInput("a comment must be text")
    if len(text) > 20_000:
        raise InvalidInput("a comment can be at most 20,000 characters")


def check_round_settings(team: str, min_answers: int, roles: list[str] | tuple[str, ...]) -> None:
    if not isinstance(team, str) or not team.strip():
        raise InvalidInput("team name: enter the name of the team")
    if len(team) > 200:
        raise InvalidInput("team name: at most 200 characters")
    if isinstance(min_answers, bool) or not isinstance(min_answers, int) or min_answers < 1:
        raise InvalidInput("minimum answers: a whole number of at least 1")
    if min_answers > 1000:
        raise InvalidInput("minimum answers: at most 1000")
    for r in roles:
        if not isinstance(r, str) or not r.strip():
            raise InvalidInput("roles: each role needs a name")
