"""inbox: every update, stored before Telegram is told it arrived

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox")),
    )
    op.create_index("ix_inbox_done", "inbox", ["done_at", "update_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbox_done", table_name="inbox")
    op.drop_table("inbox")
