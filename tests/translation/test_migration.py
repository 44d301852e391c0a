"""Migration 0012: the table and the wall's column match the models on both databases, and
it goes down and up again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Base

OURS = ("question_translations", "on_screen_translation")


async def test_models_and_migration_agree(database: Database) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [diff for diff in compare_metadata(context, Base.metadata) if _ours(diff)]

    async with database.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        columns = await connection.run_sync(
            lambda sync: [c["name"] for c in inspect(sync).get_columns("session_walls")]
        )
    assert "question_translations" in tables and "on_screen_translation" in columns


def _ours(diff: Any) -> bool:
    return any(name in repr(diff) for name in OURS)


async def test_down_and_up_again(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'migrate.db'}")
    try:
        await upgrade_to_head(database)
        config = alembic_config(database.url)

        def step(connection: Connection, target: str, up: bool) -> list[str]:
            config.attributes["connection"] = connection
            (command.upgrade if up else command.downgrade)(config, target)
            return inspect(connection).get_table_names()

        async with database.engine.begin() as connection:
            tables = await connection.run_sync(step, "0011", False)
        assert "question_translations" not in tables
        async with database.engine.begin() as connection:
            tables = await connection.run_sync(step, "head", True)
        assert "question_translations" in tables
    finally:
        await database.dispose()
