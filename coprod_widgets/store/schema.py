"""The database tables as they are at the latest schema version.

Older databases are brought up to this by ``migrations``; nothing here creates tables.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 2

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
