"""Answers collected elsewhere (a form tool's CSV) written into a round, and a round's ratings
written out as CSV or JSON.

The parsing, matching and checking are pure (``model.exchange``); here are the file reads, the
one transaction that writes a checked import, and the atomic write of an export.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..errors import Closed, InvalidInput
from ..model.exchange import (
    ExchangeError,
    ImportPlan,
    ImportResult,
    ImportRow,
    Problem,
    RatingsExport,
    build_export,
    check_rows,
    export_csv,
    export_json,
    map_columns,
    parse_mapping,
    read_table,
)
from ..model.rounds import Answer, Rating, Round, check_comment, check_rating
from ..model.text import clean_text
from . import schema as t
from .db import Database, inserted_id
from .import_key import (
    FINGERPRINT_SETTING,
    IMPORT_KEY,
    _KeyOnCommit,
    check_import_key,
    import_key_path,
    import_secret,
    key_fingerprint,
    read_import_key,
)
from .rounds import Rounds

__all__ = [
    "EXPORT_FORMATS",
    "FINGERPRINT_SETTING",
    "IMPORT_KEY",
    "ExportReport",
    "ImportReport",
    "Imports",
    "check_import_key",
    "export_format",
    "import_key_path",
    "import_secret",
    "key_fingerprint",
    "read_import_key",
    "write_atomic",
]

EXPORT_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    round: Round
    plan: ImportPlan
    result: ImportResult
    dry_run: bool = False


@dataclass(frozen=True)
class ExportReport:
    path: Path
    format: str
    respondents: int
    ratings: int
    comments: int
    held_back: tuple[str, ...] = ()  # principle titles left out: too few rated them


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ExchangeError([Problem(str(path), "", "no such file")]) from None
    except IsADirectoryError:
        raise ExchangeError([Problem(str(path), "", "is a folder, not a file")]) from None
    except OSError as e:
        raise ExchangeError([Problem(str(path), "", f"cannot be read ({e.strerror})")]) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write a whole file or none of it: a temporary file beside it, then a rename.

    The file is readable by its owner only (mkstemp's mode): it holds a team's ratings.
    """
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"{path}: the folder {folder} does not exist")
    if path.is_dir():
        raise InvalidInput(f"{path}: is a folder; give a file name")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise InvalidInput(f"{path}: cannot be written ({e.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_format(path: Path, fmt: str | None) -> str:
    """The format asked for, else the file's suffix."""
    if fmt:
        if fmt.lower() not in EXPORT_FORMATS:
            raise InvalidInput(f"format: expected csv or json, not {fmt!r}")
        return fmt.lower()
    suffix = path.suffix.lower().lstrip(".")
    if suffix in EXPORT_FORMATS:
        return suffix
    raise InvalidInput(
        f"{path}: say the format (csv or json), or end the file name in .csv or .json"
    )


class Imports:
    """Answers imported from a file into a round; a round's ratings exported to a file."""

    def __init__(self, db: Database, rounds: Rounds):
        self.db = db
        self.rounds = rounds

    # -- import ---------------------------------------------------------------------------

    def _open_round(self, round_id: int) -> Round:
        rnd = self.rounds.get(round_id)
        if not rnd.is_open:
            # A closed round's results are what the team discussed and what the next round is
            # compared with; answers arriving later belong in a new round.
            raise Closed(
                f"round {rnd.id} ({rnd.team}) is closed: its results can no longer change; "
                "import into an open round instead"
            )
        return rnd

    def plan(
        self, round_id: int, data: bytes, file: str, mapping: tuple[str, str] | None = None
    ) -> ImportPlan:
        """Read, match and check a CSV against the round; writes nothing.

        ``mapping`` is a mapping file's (text, name); see ``model.exchange.Mapping``.
        """
        rnd = self._open_round(round_id)
        fw = self.rounds.framework(round_id)
        table = read_table(data, file)
        parsed = parse_mapping(*mapping) if mapping is not None else None
        secret = b""
        if rnd.anonymous:
            secret = import_secret()
            with self.db.reading() as conn:
                check_import_key(conn, secret)  # a dry run is refused as the import would be
        return check_rows(table, map_columns(table, fw, parsed), fw, rnd, secret)

    def write(self, round_id: int, rows: Sequence[ImportRow]) -> ImportResult:
        """Write checked rows as submitted answers, all in one transaction or none.

        Each row's answer replaces what the same token held before (ratings and comments the
        row no longer has are removed), so importing a file again adds nothing.
        """
        rnd = self._open_round(round_id)
        fw = self.rounds.framework(round_id)
        tokens = [r.token for r in rows]
        if len(set(tokens)) != len(tokens):
            raise InvalidInput("import: two rows have the same key")
        for r in rows:
            a = r.answer
            for sid, rating in a.ratings.items():
                check_rating(fw, sid, rating.value, rating.dont_know)
            for pid, text in a.comments.items():
                check_comment(fw, pid, text)
                clean_text("evidence", text)  # check_rows names the row; this keeps the rule
            clean_text("name", a.name)
            if a.role and a.role not in rnd.roles:
                raise InvalidInput(f"role: expected one of {', '.join(rnd.roles) or 'none'}")
            if rnd.anonymous and a.name:
                raise InvalidInput("name: an anonymous round never stores a name")
        hashes = {self.db.member_hash(r.token): r for r in rows}
        ts = self.db.now()
        added = updated = unchanged = 0
        ratings: list[dict[str, object]] = []
        comments: list[dict[str, object]] = []
        # The import key is written only once the rows are about to be committed (and removed
        # again if the commit fails): a dry run or a refused import leaves no key behind.
        keep = _KeyOnCommit(import_secret() if rnd.anonymous and rows else None)
        with keep, self.db.engine.begin() as conn:
            keep.check(conn, ts)
            existing = self._existing(conn, rnd.id, list(hashes))
            for h, row in hashes.items():
                a = row.answer
                old = existing.get(h)
                if old is not None:
                    rid, before = old
                    if (
                        before.submitted
                        and before.ratings == a.ratings
                        and before.comments == a.comments
                        and (before.name, before.role) == (a.name, a.role)
                    ):
                        unchanged += 1
                        continue
                    conn.execute(
                        t.responses.update()
                        .where(t.responses.c.id == rid)
                        .values(
                            name=a.name,
                            role=a.role,
                            status="submitted",
                            updated_at=ts,
                            submitted_at=before.submitted_at or ts,
                        )
                    )
                    conn.execute(
                        t.ratings.delete().where(
                            t.ratings.c.response_id == rid,
                            t.ratings.c.statement_id.not_in(list(a.ratings)),
                        )
                    )
                    conn.execute(
                        t.comments.delete().where(
                            t.comments.c.response_id == rid,
                            t.comments.c.principle_id.not_in(list(a.comments)),
                        )
                    )
                    updated += 1
                else:
                    rid = inserted_id(
                        conn.execute(
                            t.responses.insert().values(
                                round_id=rnd.id,
                                member_hash=h,
                                framework_id=rnd.framework_id,
                                framework_version=rnd.framework_version,
                                name=a.name,
                                role=a.role,
                                status="submitted",
                                created_at=ts,
                                updated_at=ts,
                                submitted_at=ts,
                            )
                        )
                    )
                    added += 1
                ratings += [
                    {
                        "response_id": rid,
                        "statement_id": sid,
                        "value": r.value,
                        "dont_know": r.dont_know,
                        "updated_at": ts,
                    }
                    for sid, r in a.ratings.items()
                ]
                comments += [
                    {"response_id": rid, "principle_id": pid, "text": text, "updated_at": ts}
                    for pid, text in a.comments.items()
                ]
            # Two statements for all rows: an import of hundreds of rows stays quick.
            for table, key, rows_ in (
                (t.ratings, "statement_id", ratings),
                (t.comments, "principle_id", comments),
            ):
                if rows_:
                    ins = self.db.insert(table)
                    changed = [c for c in rows_[0] if c not in ("response_id", key)]
                    conn.execute(
                        ins.on_conflict_do_update(
                            index_elements=["response_id", key],
                            set_={c: ins.excluded[c] for c in changed},
                        ),
                        rows_,
                    )
            keep.save()
        return ImportResult(added, updated, unchanged)

    @staticmethod
    def _existing(
        conn: sa.Connection, round_id: int, hashes: list[str]
    ) -> dict[str, tuple[int, Answer]]:
        """The answers already stored under these hashes, by hash."""
        out: dict[str, tuple[int, Answer]] = {}
        by_id: dict[int, Answer] = {}
        for i in range(0, len(hashes), 500):
            for r in conn.execute(
                sa.select(t.responses).where(
                    t.responses.c.round_id == round_id,
                    t.responses.c.member_hash.in_(hashes[i : i + 500]),
                )
            ):
                a = Answer(status=r.status, name=r.name, role=r.role, submitted_at=r.submitted_at)
                out[r.member_hash] = (r.id, a)
                by_id[r.id] = a
        ids = list(by_id)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for x in conn.execute(sa.select(t.ratings).where(t.ratings.c.response_id.in_(chunk))):
                by_id[x.response_id].ratings[x.statement_id] = Rating(x.value, bool(x.dont_know))
            for x in conn.execute(sa.select(t.comments).where(t.comments.c.response_id.in_(chunk))):
                by_id[x.response_id].comments[x.principle_id] = x.text
        return out

    def from_file(
        self,
        round_id: int,
        path: Path,
        mapping: Path | None = None,
        *,
        dry_run: bool = False,
    ) -> ImportReport:
        """Import a form tool's CSV into a round: every row checked before any is written."""
        data = _read_bytes(path)
        mapping_text = None
        if mapping is not None:
            try:
                mapping_text = (_read_bytes(mapping).decode("utf-8-sig"), str(mapping))
            except UnicodeDecodeError:
                raise ExchangeError([Problem(str(mapping), "", "not UTF-8 text")]) from None
        plan = self.plan(round_id, data, str(path), mapping_text)
        rnd = self.rounds.get(round_id)
        if dry_run:
            return ImportReport(rnd, plan, ImportResult(), dry_run=True)
        return ImportReport(rnd, plan, self.write(round_id, plan.rows))

    # -- export ---------------------------------------------------------------------------

    def export(
        self, round_id: int, shuffle: Callable[[list[Answer]], None] | None = None
    ) -> RatingsExport:
        """A round's submitted ratings, anonymised where the round is; refused below minimum."""
        rnd = self.rounds.get(round_id)
        rel = self.rounds.released(
            round_id
        )  # an anonymous round's last snapshot, never live answers
        return build_export(rnd, self.rounds.framework(round_id), rel.answers, shuffle, rel)

    def export_file(self, round_id: int, path: Path, fmt: str | None = None) -> ExportReport:
        """Write a round's ratings as CSV or JSON, all of the file or none of it."""
        fmt = export_format(path, fmt)
        export = self.export(round_id)
        if fmt == "csv":
            data = export_csv(export).encode("utf-8-sig")  # the BOM tells Excel it is UTF-8
        else:
            data = export_json(export).encode("utf-8")
        write_atomic(path, data)
        return ExportReport(
            path,
            fmt,
            len(export.respondents),
            sum(len(r.ratings) for r in export.respondents),
            len(export.comments),
            tuple(export.framework.principle(pid).title for pid in export.held_back),
        )
