"""The one Store facade over SQLAlchemy: a SQLite file by default, any database by URL."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..errors import Closed, InvalidInput, NotFound
from ..model.framework import Framework
from ..model.release import Release, content, decide, fingerprint, freeze_all, thaw
from ..model.rounds import (
    DEFAULT_MIN_ANSWERS,
    Answer,
    Rating,
    Round,
    check_comment,
    check_rating,
    check_round_settings,
)
from ..model.text import clean_text
from . import schema as t
from .actions import ActionsMixin
from .imports import ImportMixin
from .journal import JournalMixin
from .migrations import migrate
from .plans import PlansMixin


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def member_hash(me: str) -> str:
    return hashlib.sha256(me.encode("utf-8")).hexdigest()


def results_key() -> bytes:
    """The key of the fingerprints that tell which answers changed since a round's last
    snapshot of results: a file in the user's data folder (``results.key``, readable by its
    owner only), made when first needed. Without it the fingerprints link nothing; with another
    key every answer looks changed, and the release rule still holds on the answers themselves.
    """
    from ..paths import secret_key

    return secret_key("results.key")


def new_code() -> str:
    """An unguessable link code (128 bits) that never starts with "-", so that a command line
    never takes it for an option."""
    while (code := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return code


def default_url() -> str:
    if os.environ.get("COPROD_DB"):
        return os.environ["COPROD_DB"]
    from ..paths import user_dir

    return f"sqlite:///{user_dir() / 'coprod.sqlite'}"


def make_engine(url: str) -> sa.Engine:
    """The engine for ``url``. A SQLite file (and its -wal and -shm, which SQLite makes with the
    file's mode) is readable by its owner only, in a folder made 0700 if new. (Whoever prints
    an error about the URL masks its password: ``mask_db_urls``.)"""
    if url.startswith("sqlite"):
        db = sa.make_url(url).database
        if db and db != ":memory:" and not db.startswith("file:"):
            from ..paths import private_dir, private_file

            path = Path(db).expanduser()
            if not path.parent.exists():
                private_dir(path.parent)
            path.parent.mkdir(parents=True, exist_ok=True)
            for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                if f == path or f.exists():
                    private_file(f)
        engine = sa.create_engine(url, connect_args={"timeout": 15})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


_DB_PASSWORD_RE = re.compile(r"\b([a-z][a-z0-9+.\-]*://[^:/@\s'\"]*:)([^\s'\"]+)(@)", re.I)


def mask_db_urls(text: str) -> str:
    """Text with the password of any database URL in it masked: ``user:***@host``."""
    return _DB_PASSWORD_RE.sub(r"\1***\3", text)


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


class Store(ActionsMixin, ImportMixin, PlansMixin, JournalMixin):
    """Everything the apps and the command line read and write goes through here.

    One facade; its parts live beside it (actions, imports, plans) so each stays readable.
    """

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        migrate(self.engine)
        self._dialect = self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # -- rounds ---------------------------------------------------------------------------

    def create_round(
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
        prev = None if previous_id is None else self.get_round(previous_id)  # NotFound if unknown
        # Text is checked as it is written, never as it is read: a team's next round keeps its
        # name and roles as they were saved, whatever a later rule says of them.
        if isinstance(team, str) and (prev is None or team.strip() != prev.team):
            team = clean_text("team", team.strip())
        roles = tuple(
            r if prev is not None and r in prev.roles else clean_text("role", r) for r in roles
        )
        check_round_settings(team, min_answers, roles)
        member_code, facilitator_code = new_code(), new_code()
        created = now()
        series_id = None
        if prev is not None and previous_id is not None:
            # At most one next round: a second (two tabs, the command run again) would fork
            # the series, and trends and actions would be compared with the wrong round.
            nxt = self.next_round(previous_id)
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
        with self.engine.begin() as conn:
            rid = conn.execute(
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
            ).inserted_primary_key[0]  # type: ignore[index]  # Optional in SQLAlchemy; never None for a one-row insert
            conn.execute(
                t.rounds.update().where(t.rounds.c.id == rid).values(series_id=series_id or rid)
            )
        return RoundLinks(self.get_round(rid), member_code, facilitator_code)

    @staticmethod
    def _round(row: Any) -> Round:
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

    def get_round(self, round_id: int) -> Round:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.rounds).where(t.rounds.c.id == round_id)).first()
        if row is None:
            raise NotFound(f"there is no round {round_id}")
        return self._round(row)

    def round_by_code(self, code: str) -> tuple[Round, str]:
        """The round a link code opens and what it opens it as: 'member' or 'facilitator'."""
        if not code or not isinstance(code, str) or len(code) > 64:
            raise NotFound("this link is not recognised")
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.rounds).where(
                    sa.or_(t.rounds.c.member_code == code, t.rounds.c.facilitator_code == code)
                )
            ).first()
        if row is None:
            raise NotFound("this link is not recognised")
        return self._round(row), ("member" if row.member_code == code else "facilitator")

    def framework_for(self, round_id: int) -> Framework:
        with self.engine.connect() as conn:
            fj = conn.execute(
                sa.select(t.rounds.c.framework_json).where(t.rounds.c.id == round_id)
            ).scalar()
        if fj is None:
            raise NotFound(f"there is no round {round_id}")
        return Framework.from_dict(json.loads(fj))

    def list_rounds(self) -> list[RoundSummary]:
        counts = (
            sa.select(
                t.responses.c.round_id,
                sa.func.sum(sa.case((t.responses.c.status == "submitted", 1), else_=0)).label("s"),
                sa.func.sum(sa.case((t.responses.c.status != "submitted", 1), else_=0)).label("d"),
            )
            .group_by(t.responses.c.round_id)
            .subquery()
        )
        q = (
            sa.select(t.rounds, counts.c.s, counts.c.d)
            .outerjoin(counts, counts.c.round_id == t.rounds.c.id)
            .order_by(t.rounds.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [
            RoundSummary(
                self._round(r), int(r.s or 0), int(r.d or 0), r.member_code, r.facilitator_code
            )
            for r in rows
        ]

    def open_next_round(self, round_id: int, framework: Framework | None = None) -> RoundLinks:
        """The team's next round after this one, with the same settings; the same framework
        snapshot unless a (newer) version of the same framework is given."""
        prev = self.get_round(round_id)
        return self.create_round(
            prev.team,
            framework or self.framework_for(prev.id),
            anonymous=prev.anonymous,
            min_answers=prev.min_answers,
            roles=prev.roles,
            previous_id=prev.id,
        )

    def series(self, round_id: int) -> list[Round]:
        """Every round of the team's series that this round belongs to, oldest first."""
        rnd = self.get_round(round_id)
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.rounds)
                .where(t.rounds.c.series_id == rnd.series_id)
                .order_by(t.rounds.c.created_at, t.rounds.c.id)
            ).all()
        return [self._round(r) for r in rows]

    def next_round(self, round_id: int) -> Round | None:
        """The round opened from this one, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.rounds)
                .where(t.rounds.c.previous_id == round_id)
                .order_by(t.rounds.c.id)
            ).first()
        return None if row is None else self._round(row)

    def links(self, round_id: int) -> RoundLinks:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.rounds).where(t.rounds.c.id == round_id)).first()
        if row is None:
            raise NotFound(f"there is no round {round_id}")
        return RoundLinks(self._round(row), row.member_code, row.facilitator_code)

    def close_round(self, round_id: int) -> Round:
        with self.engine.begin() as conn:
            conn.execute(
                t.rounds.update()
                .where(t.rounds.c.id == round_id, t.rounds.c.status == "open")
                .values(status="closed", closed_at=now())
            )
        return self.get_round(round_id)  # NotFound for an unknown id; closing twice is harmless

    def answers(self, round_id: int) -> list[Answer]:
        """Every answer in a round (drafts included), in no particular order of person."""
        return [a for _, a in self._member_answers(round_id)]

    def _member_answers(self, round_id: int) -> list[tuple[str, Answer]]:
        """Every answer in a round with its member's stored hash (never shown or exported)."""
        with self.engine.connect() as conn:
            resp = conn.execute(
                sa.select(t.responses).where(t.responses.c.round_id == round_id)
            ).all()
            ids = [r.id for r in resp]
            rat = conn.execute(sa.select(t.ratings).where(t.ratings.c.response_id.in_(ids))).all()
            com = conn.execute(sa.select(t.comments).where(t.comments.c.response_id.in_(ids))).all()
        by_id = {
            r.id: Answer(status=r.status, name=r.name, role=r.role, submitted_at=r.submitted_at)
            for r in resp
        }
        for r in rat:
            by_id[r.response_id].ratings[r.statement_id] = Rating(r.value, bool(r.dont_know))
        for c in com:
            by_id[c.response_id].comments[c.principle_id] = c.text
        return [(r.member_hash, by_id[r.id]) for r in resp]

    # -- released results: snapshots that move only in steps that single no one out ----------

    def released(self, round_id: int, _retry: bool = True) -> Release:
        """What a facilitator may see of a round now: every answer of a named round (live); in
        an anonymous round the last snapshot, after releasing a new one if the answers given or
        changed since allow it (``model.release.decide``). Every reader of results calls this:
        the results page, the team report, the ratings export, trends and the command line."""
        rnd = self.get_round(round_id)
        pairs = self._member_answers(round_id)
        subs = [(h, a) for h, a in pairs if a.submitted]
        drafts = len(pairs) - len(subs)
        if not rnd.anonymous:
            return Release(
                tuple(a for _, a in pairs), live=True, submitted_now=len(subs), in_progress=drafts
            )
        key = results_key()
        current = [(fingerprint(key, h, a), content(a)) for h, a in subs]
        with self.engine.connect() as conn:
            snaps = conn.execute(
                sa.select(t.result_snapshots)
                .where(t.result_snapshots.c.round_id == round_id)
                .order_by(t.result_snapshots.c.sequence)
            ).all()
            kept = conn.execute(
                sa.select(t.result_fingerprints.c.fingerprint).where(
                    t.result_fingerprints.c.round_id == round_id
                )
            ).scalars()
            last_fps = list(kept) if snaps else None
        frozen_sets = [json.loads(s.answers) for s in snaps]
        decision = decide(
            rnd.min_answers,
            current,
            last_fps,
            [[content(thaw(d)) for d in f] for f in frozen_sets],
        )
        if decision.release:
            answers = freeze_all(a for _, a in subs)
            seq = (snaps[-1].sequence if snaps else 0) + 1
            ts = now()
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        t.result_snapshots.insert().values(
                            round_id=round_id,
                            sequence=seq,
                            answers=json.dumps(answers, ensure_ascii=False, sort_keys=True),
                            answer_count=len(answers),
                            released_at=ts,
                        )
                    )
                    conn.execute(
                        t.result_fingerprints.delete().where(
                            t.result_fingerprints.c.round_id == round_id
                        )
                    )
                    if current:
                        conn.execute(
                            t.result_fingerprints.insert(),
                            [{"round_id": round_id, "fingerprint": fp} for fp, _ in current],
                        )
            except sa.exc.IntegrityError:
                if not _retry:
                    raise
                return self.released(round_id, _retry=False)  # released by another reader
            return Release(
                tuple(thaw(d) for d in answers),
                sequence=seq,
                released_at=ts,
                submitted_now=len(subs),
                in_progress=drafts,
            )
        last = snaps[-1] if snaps else None
        return Release(
            tuple(thaw(d) for d in frozen_sets[-1]) if frozen_sets else (),
            sequence=last.sequence if last is not None else 0,
            released_at=last.released_at if last is not None else "",
            submitted_now=len(subs),
            in_progress=drafts,
            held=decision.fresh if last is not None else 0,
            need_more=decision.need_more,
        )

    # -- a member's own answers (the API a member's page uses, locally or over HTTP) --------

    def _member_round(self, code: str) -> Round:
        rnd, kind = self.round_by_code(code)
        if kind != "member":
            raise NotFound("this is not a member link")
        return rnd

    def member_view(self, code: str, me: str) -> dict[str, Any]:
        """The round, its framework and this member's answers so far (JSON-ready)."""
        rnd = self._member_round(code)
        answer = self._answer(rnd.id, me)
        return {
            "round": rnd.to_dict(),
            "framework": self.framework_for(rnd.id).to_dict(),
            "answer": (answer or Answer()).to_dict(),
        }

    def _answer(self, round_id: int, me: str) -> Answer | None:
        with self.engine.connect() as conn:
            r = conn.execute(
                sa.select(t.responses).where(
                    t.responses.c.round_id == round_id, t.responses.c.member_hash == member_hash(me)
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

    def _insert(self, table: sa.Table):
        if self._dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    def _response_id(self, conn: sa.Connection, rnd: Round, me: str) -> int:
        if not isinstance(me, str) or not (8 <= len(me) <= 200):
            raise InvalidInput("this page has lost track of who you are: open your link again")
        h = member_hash(me)
        ts = now()
        conn.execute(
            self._insert(t.responses)
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
        rid = conn.execute(
            sa.select(t.responses.c.id).where(
                t.responses.c.round_id == rnd.id, t.responses.c.member_hash == h
            )
        ).scalar_one()
        conn.execute(t.responses.update().where(t.responses.c.id == rid).values(updated_at=ts))
        return rid

    def _open_round_for(self, code: str) -> tuple[Round, Framework]:
        rnd = self._member_round(code)
        if not rnd.is_open:
            raise Closed("this round has closed: answers can no longer be changed")
        return rnd, self.framework_for(rnd.id)

    def save_rating(
        self, code: str, me: str, statement_id: str, value: int | None, dont_know: bool = False
    ) -> str:
        rnd, fw = self._open_round_for(code)
        check_rating(fw, statement_id, value, bool(dont_know))
        ts = now()
        with self.engine.begin() as conn:
            rid = self._response_id(conn, rnd, me)
            ins = self._insert(t.ratings).values(
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
        rnd, fw = self._open_round_for(code)
        if isinstance(text, str):
            text = clean_text("evidence", text)  # before anything reaches the database
        check_comment(fw, principle_id, text)
        ts = now()
        with self.engine.begin() as conn:
            rid = self._response_id(conn, rnd, me)
            ins = self._insert(t.comments).values(
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
        rnd, _ = self._open_round_for(code)
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
        ts = now()
        with self.engine.begin() as conn:
            rid = self._response_id(conn, rnd, me)
            conn.execute(
                t.responses.update().where(t.responses.c.id == rid).values(name=name, role=role)
            )
        return ts

    def submit(self, code: str, me: str) -> str:
        rnd, _ = self._open_round_for(code)
        if not rnd.anonymous:
            current = self._answer(rnd.id, me)
            if current is None or not current.name:
                raise InvalidInput("name: this round is named; enter your name before submitting")
        ts = now()
        with self.engine.begin() as conn:
            rid = self._response_id(conn, rnd, me)
            conn.execute(
                t.responses.update()
                .where(t.responses.c.id == rid)
                .values(status="submitted", submitted_at=ts)
            )
        return ts
