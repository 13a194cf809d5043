"""What a member's page may do: read its round and its own answer, and write that answer.

The one repository a member's page reaches (``ports.MemberPort``), locally or over HTTP through
`coprod serve` (``remote.RemoteMemberStore``); every method takes the round's member code and
the member's private token, of which only a hash is stored.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import Closed, InvalidInput, NotFound
from ..model.framework import Framework
from ..model.rounds import Answer, Rating, Round, check_comment, check_rating
from ..model.text import clean_text
from . import schema as t
from .db import Database
from .ports import MemberView
from .rounds import Rounds


class Members:
    """A member's own answer in a round, reached by the round's member code."""

    def __init__(self, db: Database, rounds: Rounds):
        self.db = db
        self.rounds = rounds

    def _round(self, code: str) -> Round:
        rnd, kind = self.rounds.by_code(code)
        if kind != "member":
            raise NotFound("this is not a member link")
        return rnd

    def _open_round(self, code: str) -> tuple[Round, Framework]:
        rnd = self._round(code)
        if not rnd.is_open:
            raise Closed("this round has closed: answers can no longer be changed")
        return rnd, self.rounds.framework(rnd.id)

    def member_view(self, code: str, me: str) -> MemberView:
        """The round, its framework and this member's answers so far (JSON-ready)."""
        rnd = self._round(code)
        answer = self.answer(rnd.id, me)
        return {
            "round": rnd.to_dict(),
            "framework": self.rounds.framework(rnd.id).to_dict(),
            "answer": (answer or Answer()).to_dict(),
        }

    def answer(self, round_id: int, me: str) -> Answer | None:
        """The answer the holder of token ``me`` gave in the round, if any."""
        with self.db.reading() as conn:
            r = conn.execute(
                sa.select(t.responses).where(
                    t.responses.c.round_id == round_id,
                    t.responses.c.member_hash == self.db.member_hash(me),
                )
            ).first()
            if r is None:
                return None
            answer = Answer(status=r.status, name=r.name, role=r.role, submitted_at=r.submitted_at)
            for x in conn.execute(sa.select(t.ratings).where(t.ratings.c.response_id == r.id)):
                answer.ratings[x.statement_id] = Rating(x.value, bool(x.dont_know))
            for x in conn.execute(sa.select(t.comments).where(t.comments.c.response_id == r.id)):
                answer.comments[x.principle_id] = x.text
        return answer

    def _response_id(self, conn: sa.Connection, rnd: Round, me: str) -> int:
        if not isinstance(me, str) or not (8 <= len(me) <= 200):
            raise InvalidInput("this page has lost track of who you are: open your link again")
        h = self.db.member_hash(me)
        ts = self.db.now()
        conn.execute(
            self.db.insert(t.responses)
            .values(
                round_id=rnd.id,
                member_hash=h,
                framework_id=rnd.framework_id,
                framework_version=rnd.framework_version,
                status="draft",
                created_at=ts,
                updated_at=ts,
            )
            .on_conflict_do_nothing(index_elements=["round_id", "member_hash"])
        )
        rid: int = conn.execute(
            sa.select(t.responses.c.id).where(
                t.responses.c.round_id == rnd.id, t.responses.c.member_hash == h
            )
        ).scalar_one()
        conn.execute(t.responses.update().where(t.responses.c.id == rid).values(updated_at=ts))
        return rid

    def save_rating(
        self, code: str, me: str, statement_id: str, value: int | None, dont_know: bool = False
    ) -> str:
        rnd, fw = self._open_round(code)
        check_rating(fw, statement_id, value, bool(dont_know))
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            rid = self._response_id(conn, rnd, me)
            ins = self.db.insert(t.ratings).values(
                response_id=rid,
                statement_id=statement_id,
                value=value,
                dont_know=bool(dont_know),
                updated_at=ts,
            )
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["response_id", "statement_id"],
                    set_={"value": value, "dont_know": bool(dont_know), "updated_at": ts},
                )
            )
        return ts

    def save_comment(self, code: str, me: str, principle_id: str, text: str) -> str:
        rnd, fw = self._open_round(code)
        if isinstance(text, str):
            text = clean_text("evidence", text)  # before anything reaches the database
        check_comment(fw, principle_id, text)
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            rid = self._response_id(conn, rnd, me)
            ins = self.db.insert(t.comments).values(
                response_id=rid, principle_id=principle_id, text=text, updated_at=ts
            )
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["response_id", "principle_id"],
                    set_={"text": text, "updated_at": ts},
                )
            )
        return ts

    def save_profile(self, code: str, me: str, name: str = "", role: str = "") -> str:
        rnd, _ = self._open_round(code)
        if not isinstance(name or "", str) or not isinstance(role or "", str):
            raise InvalidInput("name and role must be text")
        name = (name or "").strip()
        role = (role or "").strip()
        if rnd.anonymous:
            name = ""  # an anonymous round never stores a name
        name = clean_text("name", name)
        if role and role not in rnd.roles:
            clean_text("role", role)  # a broken character is named before "not a role"
        if len(name) > 200:
            raise InvalidInput("name: at most 200 characters")
        if role and role not in rnd.roles:
            raise InvalidInput(f"role: expected one of {', '.join(rnd.roles) or 'none'}")
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            rid = self._response_id(conn, rnd, me)
            conn.execute(
                t.responses.update().where(t.responses.c.id == rid).values(name=name, role=role)
            )
        return ts

    def submit(self, code: str, me: str) -> str:
        rnd, _ = self._open_round(code)
        if not rnd.anonymous:
            current = self.answer(rnd.id, me)
            if current is None or not current.name:
                raise InvalidInput("name: this round is named; enter your name before submitting")
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            rid = self._response_id(conn, rnd, me)
            conn.execute(
                t.responses.update()
                .where(t.responses.c.id == rid)
                .values(status="submitted", submitted_at=ts)
            )
        return ts
