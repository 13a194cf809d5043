"""The database tables as they are at the latest schema version.

Older databases are brought up to this by ``migrations``; nothing here creates tables.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 3

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
