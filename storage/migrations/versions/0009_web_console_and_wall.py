"""web console and wall: sign-in links, browser sessions, replayed actions, walls, reports,
hub headcounts

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0009"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_actions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_hash", "nonce", name=op.f("pk_web_actions")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "web_signin_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_signin_links")),
    )
    op.create_table(
        "hub_headcounts",
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("hub_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_chat_id"],
            ["hubs.chat_id"],
            name=op.f("fk_hub_headcounts_hub_chat_id_hubs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_hub_headcounts_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "hub_chat_id", name=op.f("pk_hub_headcounts")),
    )
    op.create_table(
        "session_reports",
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_reports_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_reports")),
    )
    op.create_table(
        "session_walls",
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column(
            "on_screen_question_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("updated_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["on_screen_question_id"],
            ["questions.id"],
            name=op.f("fk_session_walls_on_screen_question_id_questions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_walls_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_walls")),
        sa.UniqueConstraint("token", name=op.f("uq_session_walls_token")),
    )


def downgrade() -> None:
    op.drop_table("session_walls")
    op.drop_table("session_reports")
    op.drop_table("hub_headcounts")
    op.drop_table("web_signin_links")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))

    op.drop_table("web_sessions")
    op.drop_table("web_actions")
