"""source token and sheet: an optional API token per source, sent as a bearer token, and
the sheet of a workbook to read

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"  # 0012_question_translations
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("token", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("sheet", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("sheet")
        batch.drop_column("token")
