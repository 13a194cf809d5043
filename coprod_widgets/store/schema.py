"""The database tables as they are at the latest schema version.

Older databases are brought up to this by ``migrations``; nothing here creates tables.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 9

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

rounds = sa.Table(
    "rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("team", sa.String(200), nullable=False),
    sa.Column("framework_id", sa.String(100), nullable=False),
    sa.Column("framework_version", sa.String(50), nullable=False),
    # The framework exactly as the round used it, so an edited file never changes old results.
    sa.Column("framework_json", sa.Text, nullable=False),
    sa.Column("anonymous", sa.Boolean, nullable=False),
    sa.Column("min_answers", sa.Integer, nullable=False),
    sa.Column("member_code", sa.String(64), nullable=False, unique=True),
    sa.Column("facilitator_code", sa.String(64), nullable=False, unique=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("closed_at", sa.String(40)),
    sa.Column("roles", sa.Text, nullable=False, server_default="[]"),  # v2
    # v3: rounds of one team form a series; the first round's id names it.
    sa.Column("series_id", sa.Integer),
    sa.Column("previous_id", sa.Integer),
)

responses = sa.Table(
    "responses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=False),
    # sha256 of the member's private token: the database alone never gives anyone a way back in.
    sa.Column("member_hash", sa.String(64), nullable=False),
    sa.Column("framework_id", sa.String(100), nullable=False),
    sa.Column("framework_version", sa.String(50), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("submitted_at", sa.String(40)),
    sa.Column("role", sa.String(200), nullable=False, server_default=""),  # v2
    sa.UniqueConstraint("round_id", "member_hash", name="uq_response_member"),
)

ratings = sa.Table(
    "ratings",
    metadata,
    sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), primary_key=True),
    sa.Column("statement_id", sa.String(100), primary_key=True),
    sa.Column("value", sa.Integer),
    sa.Column("dont_know", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id"), primary_key=True),
    sa.Column("principle_id", sa.String(100), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# v3: what a team agreed to do about its results, and whether it helped.
actions = sa.Table(
    "actions",
    metadata,
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

# v3: plans for a co-production activity, saved field by field so that two people editing
# different parts never overwrite each other.
plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("title", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

plan_fields = sa.Table(
    "plan_fields",
    metadata,
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),  # JSON
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# v4: the reflective journal. Every row is reached through an entry or a topic whose ``owner``
# the Store filters on; ``owner`` is ``user:<name>``, ``hub:<name>`` or ``key:<sha256 of the
# private journal key>`` (the key itself is never stored). On SQLite, a full-text index
# ``journal_fts(body)`` with rowid = entry id is kept in step by the Store (see migrations._v4).
journal_models = sa.Table(
    "journal_models",
    metadata,
    sa.Column("model_id", sa.String(100), primary_key=True),
    sa.Column("version", sa.String(50), primary_key=True),
    sa.Column("json", sa.Text, nullable=False),  # the model as entries were written with it
)

journal_topics = sa.Table(
    "journal_topics",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(100), nullable=False, index=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("model_id", sa.String(100), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

journal_entries = sa.Table(
    "journal_entries",
    metadata,
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

journal_stages = sa.Table(
    "journal_stages",
    metadata,
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), primary_key=True),
    sa.Column("stage_id", sa.String(100), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

journal_tags = sa.Table(
    "journal_tags",
    metadata,
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), primary_key=True),
    sa.Column("tag", sa.String(201), primary_key=True),  # framework-id/principle-id
    sa.Index("ix_journal_tags_tag", "tag", "entry_id"),
)

journal_versions = sa.Table(
    "journal_versions",
    metadata,
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("saved_at", sa.String(40), nullable=False),
    sa.Column("reason", sa.String(40), nullable=False),
    sa.Column("content", sa.Text, nullable=False),  # JSON: Entry.content()
)

# Per entry and export form: which stages answer which question, own words, chosen options.
journal_form_settings = sa.Table(
    "journal_form_settings",
    metadata,
    sa.Column("entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), primary_key=True),
    sa.Column("form_id", sa.String(100), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),  # JSON
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# Parts of a form written once per person, not per entry (the HCPC practice summary).
journal_form_parts = sa.Table(
    "journal_form_parts",
    metadata,
    sa.Column("owner", sa.String(100), primary_key=True),
    sa.Column("form_id", sa.String(100), primary_key=True),
    sa.Column("part_id", sa.String(100), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# v5: values that belong to the database as a whole. ``import-key-fingerprint``: an HMAC, under
# the data folder's import.key, of a fixed text; an import with another key is refused.
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# v6: a journal's name, given by its owner (one row per owner; a default until then), shown on
# every journal page with its number of entries so that a journal not one's own is seen at once.
journal_names = sa.Table(
    "journal_names",
    metadata,
    sa.Column("owner", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# v7: results released as snapshots. Each freezes the answers it was made from (their content
# only, sorted: no member token, hash, time or order); a new one only when the answers given or
# changed since single no one out (model/release.py).
result_snapshots = sa.Table(
    "result_snapshots",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True),
    sa.Column("answers", sa.Text, nullable=False),  # JSON: model.release.freeze_all
    sa.Column("answer_count", sa.Integer, nullable=False),
    sa.Column("released_at", sa.String(40), nullable=False),
)

# v7: the keyed fingerprint of each member's answer in a round's latest snapshot, to tell who
# answered or changed since. Server side only: never shown, exported or kept per snapshot.
result_fingerprints = sa.Table(
    "result_fingerprints",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), primary_key=True),
    sa.Column("fingerprint", sa.String(64), primary_key=True),
)

# v8: cohorts of a course. Each keeps the course exactly as it started (``course_json``, with
# its fingerprint): an edited course file never changes a running cohort.
cohorts = sa.Table(
    "cohorts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("course_id", sa.String(100), nullable=False),
    sa.Column("course_version", sa.String(50), nullable=False),
    sa.Column("course_fingerprint", sa.String(64), nullable=False),
    sa.Column("course_json", sa.Text, nullable=False),  # JSON: model.course.course_to_dict
    sa.Column("min_answers", sa.Integer, nullable=False),
    sa.Column("join_code", sa.String(64), nullable=False, unique=True),
    sa.Column("trainer_code", sa.String(64), nullable=False, unique=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("closed_at", sa.String(40)),
)

# v8: a cohort's participants, by name (they are told the trainer sees it); the private token
# ``me`` is kept only as its hash, as a member's.
cohort_participants = sa.Table(
    "cohort_participants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id"), nullable=False),
    sa.Column("participant_hash", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("joined_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("seconds", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("cohort_id", "participant_hash", name="uq_cohort_participant"),
)

# v8: one answer per participant and exercise, as typed (JSON of the exercise kind's shape).
course_answers = sa.Table(
    "course_answers",
    metadata,
    sa.Column(
        "participant_id", sa.Integer, sa.ForeignKey("cohort_participants.id"), primary_key=True
    ),
    sa.Column("exercise_id", sa.String(100), primary_key=True),
    sa.Column("answer_json", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Index("ix_course_answers_exercise", "exercise_id"),
)

# v8: the trainer's feedback on one exercise of one participant.
course_feedback = sa.Table(
    "course_feedback",
    metadata,
    sa.Column(
        "participant_id", sa.Integer, sa.ForeignKey("cohort_participants.id"), primary_key=True
    ),
    sa.Column("exercise_id", sa.String(100), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)

# v8: per cohort and exercise, the release rule's snapshots (content only, sorted) and the
# fingerprints of the answers in the latest one (server side only), as result_* are a round's.
cohort_snapshots = sa.Table(
    "cohort_snapshots",
    metadata,
    sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id"), primary_key=True),
    sa.Column("exercise_id", sa.String(100), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True),
    sa.Column("answers", sa.Text, nullable=False),  # JSON: model.release.freeze_all
    sa.Column("answer_count", sa.Integer, nullable=False),
    sa.Column("released_at", sa.String(40), nullable=False),
)

cohort_fingerprints = sa.Table(
    "cohort_fingerprints",
    metadata,
    sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id"), primary_key=True),
    sa.Column("exercise_id", sa.String(100), primary_key=True),
    sa.Column("fingerprint", sa.String(64), primary_key=True),
)
