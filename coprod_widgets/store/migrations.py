"""Schema migrations: each step takes a database from one version to the next.

A database made by any older version of coprod opens: ``migrate`` applies the missing steps in
one transaction per step and records the version reached. Steps never change once released.
Any number of processes may open one database at once: the steps run under a lock (PostgreSQL's
advisory lock around the whole migration, SQLite's ``BEGIN IMMEDIATE`` around each step), and
each step reads the version again first, so whoever waited finds the work done.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from .pg import migration_lock
from .pg import v9_search_index as _v9


def _v1(conn: sa.Connection) -> None:
    """The first schema: rounds, responses, ratings and comments."""
    md = sa.MetaData()
    sa.Table("schema_version", md, sa.Column("version", sa.Integer, nullable=False))
    sa.Table(
        "rounds",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("framework_id", sa.String(100), nullable=False),
        sa.Column("framework_version", sa.String(50), nullable=False),
        sa.Column("framework_json", sa.Text, nullable=False),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("min_answers", sa.Integer, nullable=False),
        sa.Column("member_code", sa.String(64), nullable=False, unique=True),
        sa.Column("facilitator_code", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("closed_at", sa.String(40)),
    )
    sa.Table(
        "responses",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("member_hash", sa.String(64), nullable=False),
        sa.Column("framework_id", sa.String(100), nullable=False),
        sa.Column("framework_version", sa.String(50), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("submitted_at", sa.String(40)),
        sa.UniqueConstraint("round_id", "member_hash", name="uq_response_member"),
    )
    sa.Table(
        "ratings",
        md,
        sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), primary_key=True),
        sa.Column("statement_id", sa.String(100), primary_key=True),
        sa.Column("value", sa.Integer),
        sa.Column("dont_know", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "comments",
        md,
        sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), primary_key=True),
        sa.Column("principle_id", sa.String(100), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    md.create_all(conn)


def _v2(conn: sa.Connection) -> None:
    """Roles: a round may offer roles to choose from, and a response keeps the one chosen."""
    conn.execute(sa.text("ALTER TABLE rounds ADD COLUMN roles TEXT NOT NULL DEFAULT '[]'"))
    conn.execute(sa.text("ALTER TABLE responses ADD COLUMN role VARCHAR(200) NOT NULL DEFAULT ''"))


def _v3(conn: sa.Connection) -> None:
    """Series of rounds, agreed actions, and plans (saved field by field)."""
    conn.execute(sa.text("ALTER TABLE rounds ADD COLUMN series_id INTEGER"))
    conn.execute(sa.text("ALTER TABLE rounds ADD COLUMN previous_id INTEGER"))
    conn.execute(sa.text("UPDATE rounds SET series_id = id"))
    md = sa.MetaData()
    sa.Table("rounds", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "actions",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("series_id", sa.Integer, nullable=False),
        sa.Column("principle_id", sa.String(100), nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("lead", sa.String(200), nullable=False, server_default=""),
        sa.Column("due", sa.String(10), nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("helped", sa.String(20), nullable=False, server_default=""),
        sa.Column("review_note", sa.Text, nullable=False, server_default=""),
        sa.Column("reviewed_in", sa.Integer),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "plans",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "plan_fields",
        md,
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    md.create_all(conn, tables=[md.tables["actions"], md.tables["plans"], md.tables["plan_fields"]])
    conn.execute(sa.text("CREATE INDEX ix_actions_series ON actions (series_id)"))
    conn.execute(sa.text("CREATE INDEX ix_rounds_series ON rounds (series_id)"))


def _v4(conn: sa.Connection) -> None:
    """The reflective journal: entries saved stage by stage, tags, versions, topics of cycles,
    export settings, and (on SQLite with FTS5) a full-text index of every entry."""
    md = sa.MetaData()
    sa.Table(
        "journal_models",
        md,
        sa.Column("model_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.String(50), primary_key=True),
        sa.Column("json", sa.Text, nullable=False),
    )
    sa.Table(
        "journal_topics",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(100), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("model_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "journal_entries",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("title", sa.String(200), nullable=False, server_default=""),
        sa.Column("entry_date", sa.String(10), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("participatory", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("model_id", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("topic_id", sa.Integer, sa.ForeignKey("journal_topics.id")),
        sa.Column("cycle", sa.Integer),
        sa.Column("preview", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Index("ix_journal_entries_owner_date", "owner", "entry_date", "id"),
        sa.Index("ix_journal_entries_topic", "topic_id"),
    )
    sa.Table(
        "journal_stages",
        md,
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), primary_key=True),
        sa.Column("stage_id", sa.String(100), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "journal_tags",
        md,
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), primary_key=True),
        sa.Column("tag", sa.String(201), primary_key=True),
        sa.Index("ix_journal_tags_tag", "tag", "entry_id"),
    )
    sa.Table(
        "journal_versions",
        md,
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("saved_at", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )
    sa.Table(
        "journal_form_settings",
        md,
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), primary_key=True),
        sa.Column("form_id", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "journal_form_parts",
        md,
        sa.Column("owner", sa.String(100), primary_key=True),
        sa.Column("form_id", sa.String(100), primary_key=True),
        sa.Column("part_id", sa.String(100), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    md.create_all(conn)
    if conn.dialect.name == "sqlite" and sqlite_has_fts5(conn):
        # rowid = journal_entries.id; written by the Store in the same transaction as the text.
        conn.execute(
            sa.text(
                "CREATE VIRTUAL TABLE journal_fts USING fts5(body, "
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
        )


def sqlite_has_fts5(conn: sa.Connection) -> bool:
    """Whether this SQLite can make FTS5 tables (almost every build can; search falls back to
    LIKE where it cannot)."""
    try:
        conn.execute(sa.text("CREATE VIRTUAL TABLE temp.coprod_fts5_probe USING fts5(x)"))
        conn.execute(sa.text("DROP TABLE temp.coprod_fts5_probe"))
    except sa.exc.OperationalError:
        return False
    return True


def _v5(conn: sa.Connection) -> None:
    """Settings: one value per name, for what belongs to the database as a whole (the
    fingerprint of the import key its imported rows were keyed with)."""
    md = sa.MetaData()
    sa.Table(
        "settings",
        md,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    md.create_all(conn)


def _v6(conn: sa.Connection) -> None:
    """A journal's name, given by its owner, shown on every journal page with its number of
    entries so that a journal not one's own is seen at once."""
    md = sa.MetaData()
    sa.Table(
        "journal_names",
        md,
        sa.Column("owner", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    md.create_all(conn)


def _v7(conn: sa.Connection) -> None:
    """Results released as snapshots: the answers each one froze (content only: no member
    token, hash or time), and the fingerprints that tell which answers changed since a round's
    last snapshot (kept apart, never shown or exported)."""
    md = sa.MetaData()
    sa.Table("rounds", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "result_snapshots",
        md,
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
        sa.Column("sequence", sa.Integer, primary_key=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("answer_count", sa.Integer, nullable=False),
        sa.Column("released_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "result_fingerprints",
        md,
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
    )
    md.create_all(conn, tables=[md.tables["result_snapshots"], md.tables["result_fingerprints"]])


def _v8(conn: sa.Connection) -> None:
    """Cohorts of a course: the course as each cohort started it, its participants (tokens
    hashed), their answers and the trainer's feedback, and per exercise the release rule's
    snapshots (content only) and fingerprints (server side only), as a round's in v7."""
    md = sa.MetaData()
    sa.Table(
        "cohorts",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("course_version", sa.String(50), nullable=False),
        sa.Column("course_fingerprint", sa.String(64), nullable=False),
        sa.Column("course_json", sa.Text, nullable=False),
        sa.Column("min_answers", sa.Integer, nullable=False),
        sa.Column("join_code", sa.String(64), nullable=False, unique=True),
        sa.Column("trainer_code", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("closed_at", sa.String(40)),
    )
    sa.Table(
        "cohort_participants",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id"), nullable=False),
        sa.Column("participant_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("joined_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("seconds", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("cohort_id", "participant_hash", name="uq_cohort_participant"),
    )
    sa.Table(
        "course_answers",
        md,
        sa.Column(
            "participant_id",
            sa.Integer,
            sa.ForeignKey("cohort_participants.id"),
            primary_key=True,
        ),
        sa.Column("exercise_id", sa.String(100), primary_key=True),
        sa.Column("answer_json", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "course_feedback",
        md,
        sa.Column(
            "participant_id",
            sa.Integer,
            sa.ForeignKey("cohort_participants.id"),
            primary_key=True,
        ),
        sa.Column("exercise_id", sa.String(100), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "cohort_snapshots",
        md,
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id"), primary_key=True),
        sa.Column("exercise_id", sa.String(100), primary_key=True),
        sa.Column("sequence", sa.Integer, primary_key=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("answer_count", sa.Integer, nullable=False),
        sa.Column("released_at", sa.String(40), nullable=False),
    )
    sa.Table(
        "cohort_fingerprints",
        md,
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id"), primary_key=True),
        sa.Column("exercise_id", sa.String(100), primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
    )
    md.create_all(conn)
    conn.execute(sa.text("CREATE INDEX ix_course_answers_exercise ON course_answers (exercise_id)"))


MIGRATIONS: list[Callable[[sa.Connection], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9]


def current_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    v = conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar()
    return int(v or 0)


def migrate(engine: sa.Engine, target: int | None = None) -> int:
    """Apply the steps a database lacks, up to ``target`` (default: the latest), locked."""
    target = len(MIGRATIONS) if target is None else target
    with engine.connect() as conn:
        version = current_version(conn)
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"this database is at schema version {version}, newer than this coprod "
                f"({len(MIGRATIONS)}): upgrade coprod to open it"
            )
        if version >= target:
            return version
        with migration_lock(conn):
            while True:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                version = current_version(conn)
                if version >= target:
                    conn.rollback()
                    break
                MIGRATIONS[version](conn)
                conn.execute(sa.text("DELETE FROM schema_version"))
                conn.execute(sa.text("INSERT INTO schema_version VALUES (:v)"), {"v": version + 1})
                conn.commit()
    return max(version, target)
