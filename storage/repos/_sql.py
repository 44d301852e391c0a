"""Small SQL helpers shared by the repositories: dialect-aware upserts and row counts."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base


def insert_for(db: AsyncSession, model: type[Base]) -> Any:
    """The dialect's ``insert`` for ``model`` (it has ``on_conflict_do_*`` on both backends)."""
    table = cast(Table, model.__table__)
    bind = db.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def execute_count(db: AsyncSession, statement: Executable) -> int:
    """Execute a DML statement and return how many rows it touched."""
    result = cast(CursorResult[Any], await db.execute(statement))
    return int(result.rowcount or 0)
