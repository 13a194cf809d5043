"""Rounds: a team's rounds, their links, their series, closing and the next round; the answers
given in a round, and what of them a facilitator may see (``releases``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..errors import InvalidInput, NotFound
from ..model.framework import Framework
from ..model.release import Release
from ..model.rounds import (
    DEFAULT_MIN_ANSWERS,
    Answer,
    Rating,
    Round,
    check_round_settings,
)
from ..model.text import clean_text
from . import schema as t
from .db import Database, inserted_id
from .releases import release


@dataclass(frozen=True)
class RoundLinks:
    round: Round
    member_code: str
    facilitator_code: str


@dataclass(frozen=True)
class RoundSummary:
    round: Round
    submitted: int
    in_progress: int
    member_code: str
    facilitator_code: str


def _round_of(row: sa.Row[Any]) -> Round:
    return Round(
        id=row.id,
        team=row.team,
        framework_id=row.framework_id,
        framework_version=row.framework_version,
        anonymous=bool(row.anonymous),
        min_answers=row.min_answers,
        roles=tuple(json.loads(row.roles or "[]")),
        status=row.status,
        created_at=row.created_at,
        closed_at=row.closed_at,
        series_id=row.series_id or row.id,
        previous_id=row.previous_id,
    )


class Rounds:
    """A team's rounds and the answers given in them."""

    def __init__(self, db: Database):
        self.db = db

    def create(
        self,
        team: str,
        framework: Framework,
        *,
        anonymous: bool = True,
        min_answers: int = DEFAULT_MIN_ANSWERS,
        roles: list[str] | tuple[str, ...] = (),
        previous_id: int | None = None,
    ) -> RoundLinks:
        if any(not isinstance(r, str) for r in roles):
            raise InvalidInput("roles: each role must be text")
        roles = tuple(dict.fromkeys(r.strip() for r in roles if r.strip()))  # no duplicates
        prev = None if previous_id is None else self.get(previous_id)  # NotFound if unknown
        # Text is checked as it is written, never as it is read: a team's next round keeps its
        # name and roles as they were saved, whatever a later rule says of them.
        if isinstance(team, str) and (prev is None or team.strip() != prev.team):
            team = clean_text("team", team.strip())
        roles = tuple(
            r if prev is not None and r in prev.roles else clean_text("role", r) for r in roles
        )
        check_round_settings(team, min_answers, roles)
        member_code, facilitator_code = self.db.new_code(), self.db.new_code()
        created = self.db.now()
        series_id = None
        if prev is not None and previous_id is not None:
            # At most one next round: a second (two tabs, the command run again) would fork
            # the series, and trends and actions would be compared with the wrong round.
            nxt = self.next(previous_id)
            if nxt is not None:
                raise InvalidInput(
                    f"round {previous_id} already has a next round (round {nxt.id}, opened "
                    f"{nxt.created_at[:10]}): use that round's links"
                )
            if prev.framework_id != framework.id:
                raise InvalidInput(
                    f"framework: a next round keeps the team's framework ({prev.framework_id}), "
                    f"not {framework.id}"
                )
            series_id = prev.series_id
        with self.db.engine.begin() as conn:
            rid = inserted_id(
                conn.execute(
                    t.rounds.insert().values(
                        team=team.strip(),
                        framework_id=framework.id,
                        framework_version=framework.version,
                        framework_json=json.dumps(framework.to_dict()),
                        anonymous=anonymous,
                        min_answers=min_answers,
                        member_code=member_code,
                        facilitator_code=facilitator_code,
                        status="open",
                        created_at=created,
                        roles=json.dumps(list(roles)),
                        previous_id=previous_id,
                    )
                )
            )
            conn.execute(
                t.rounds.update().where(t.rounds.c.id == rid).values(series_id=series_id or rid)
            )
        return RoundLinks(self.get(rid), member_code, facilitator_code)

    def get(self, round_id: int) -> Round:
        with self.db.reading() as conn:
            row = conn.execute(sa.select(t.rounds).where(t.rounds.c.id == round_id)).first()
        if row is None:
            raise NotFound(f"there is no round {round_id}")
        return _round_of(row)

    def by_code(self, code: str) -> tuple[Round, str]:
        """The round a link code opens and what it opens it as: 'member' or 'facilitator'."""
        if not code or not isinstance(code, str) or len(code) > 64:
            raise NotFound("this link is not recognised")
        with self.db.reading() as conn:
            row = conn.execute(
                sa.select(t.rounds).where(
                    sa.or_(t.rounds.c.member_code == code, t.rounds.c.facilitator_code == code)
                )
            ).first()
        if row is None:
            raise NotFound("this link is not recognised")
        return _round_of(row), ("member" if row.member_code == code else "facilitator")

    def framework(self, round_id: int) -> Framework:
        """The framework exactly as the round used it."""
        with self.db.reading() as conn:
            fj = conn.execute(
                sa.select(t.rounds.c.framework_json).where(t.rounds.c.id == round_id)
            ).scalar()
        if fj is None:
            raise NotFound(f"there is no round {round_id}")
        return Framework.from_dict(json.loads(fj))

    def all(self) -> list[RoundSummary]:
        """Every round, oldest first, with how many answers are submitted and in progress."""
        r = t.responses.c
        counts = (
            sa.select(
                r.round_id,
                sa.func.sum(sa.case((r.status == "submitted", 1), else_=0)).label("s"),
                sa.func.sum(sa.case((r.status != "submitted", 1), else_=0)).label("d"),
            )
            .group_by(r.round_id)
            .subquery()
        )
        q = (
            sa.select(t.rounds, counts.c.s, counts.c.d)
            .outerjoin(counts, counts.c.round_id == t.rounds.c.id)
            .order_by(t.rounds.c.id)
        )
        with self.db.reading() as conn:
            rows = conn.execute(q).all()
        return [
            RoundSummary(
                _round_of(x), int(x.s or 0), int(x.d or 0), x.member_code, x.facilitator_code
            )
            for x in rows
        ]

    def open_next(self, round_id: int, framework: Framework | None = None) -> RoundLinks:
        """The team's next round after this one, with the same settings; the same framework
        snapshot unless a (newer) version of the same framework is given."""
        prev = self.get(round_id)
        return self.create(
            prev.team,
            framework or self.framework(prev.id),
            anonymous=prev.anonymous,
            min_answers=prev.min_answers,
            roles=prev.roles,
            previous_id=prev.id,
        )

    def series(self, round_id: int) -> list[Round]:
        """Every round of the team's series that this round belongs to, oldest first."""
        rnd = self.get(round_id)
        with self.db.reading() as conn:
            rows = conn.execute(
                sa.select(t.rounds)
                .where(t.rounds.c.series_id == rnd.series_id)
                .order_by(t.rounds.c.created_at, t.rounds.c.id)
            ).all()
        return [_round_of(r) for r in rows]

    def next(self, round_id: int) -> Round | None:
        """The round opened from this one, if any."""
        with self.db.reading() as conn:
            row = conn.execute(
                sa.select(t.rounds)
                .where(t.rounds.c.previous_id == round_id)
                .order_by(t.rounds.c.id)
            ).first()
        return None if row is None else _round_of(row)

    def links(self, round_id: int) -> RoundLinks:
        with self.db.reading() as conn:
            row = conn.execute(sa.select(t.rounds).where(t.rounds.c.id == round_id)).first()
        if row is None:
            raise NotFound(f"there is no round {round_id}")
        return RoundLinks(_round_of(row), row.member_code, row.facilitator_code)

    def close(self, round_id: int) -> Round:
        with self.db.engine.begin() as conn:
            conn.execute(
                t.rounds.update()
                .where(t.rounds.c.id == round_id, t.rounds.c.status == "open")
                .values(status="closed", closed_at=self.db.now())
            )
        return self.get(round_id)  # NotFound for an unknown id; closing twice is harmless

    def answers(self, round_id: int) -> list[Answer]:
        """Every answer in a round (drafts included), in no particular order of person."""
        return [a for _, a in self.member_answers(round_id)]

    def member_answers(self, round_id: int) -> list[tuple[str, Answer]]:
        """Every answer in a round with its member's stored hash (never shown or exported).

        One query per table, each joined to the round's responses (no list of ids is sent, so
        a round of any size stays three queries), reading only the columns an answer holds."""
        r, ra, co = t.responses.c, t.ratings.c, t.comments.c
        in_round = r.round_id == round_id
        by_id: dict[int, Answer] = {}
        hashes: list[tuple[str, int]] = []
        # A rating is a frozen value: one object per (value, don't know) serves every answer.
        shared: dict[tuple[int | None, bool], Rating] = {}
        # One snapshot for the three queries: a member saving between them is read whole or
        # not at all (a comment of a response the first query did not see was a KeyError).
        with self.db.reading() as conn:
            for rid, h, status, name, role, at in conn.execute(
                sa.select(r.id, r.member_hash, r.status, r.name, r.role, r.submitted_at).where(
                    in_round
                )
            ):
                by_id[rid] = Answer(status=status, name=name, role=role, submitted_at=at)
                hashes.append((h, rid))
            for rid, sid, value, dont_know in conn.execute(
                sa.select(ra.response_id, ra.statement_id, ra.value, ra.dont_know)
                .join(t.responses, r.id == ra.response_id)
                .where(in_round)
            ):
                key = (value, bool(dont_know))
                rating = shared.get(key)
                if rating is None:
                    rating = shared[key] = Rating(*key)
                by_id[rid].ratings[sid] = rating
            for rid, pid, text in conn.execute(
                sa.select(co.response_id, co.principle_id, co.text)
                .join(t.responses, r.id == co.response_id)
                .where(in_round)
            ):
                by_id[rid].comments[pid] = text
        return [(h, by_id[rid]) for h, rid in hashes]

    def released(self, round_id: int) -> Release:
        """What a facilitator may see of a round now: every answer of a named round (live); in
        an anonymous round the last snapshot, after releasing a new one if the answers given or
        changed since allow it (``model.release.decide``). Every reader of results calls this:
        the results page, the team report, the ratings export, trends and the command line."""
        rnd = self.get(round_id)
        return release(self.db, rnd, self.member_answers(round_id))
