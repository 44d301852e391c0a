"""question translations: machine translations of questions, per question and language;
the wall's choice to show one

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0012"
down_revision: str | None = "0011"  # 0011_bot_facts
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_translations",
        sa.Column(
            "question_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("source_language", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("created_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_translations_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "language", name=op.f("pk_question_translations")),
    )
    # The wall shows the translation beside the original only when the moderator asks.
    op.add_column(
        "session_walls", sa.Column("on_screen_translation", sa.String(length=8), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("session_walls") as batch:
        batch.drop_column("on_screen_translation")
    op.drop_table("question_translations")
