"""The one "takes questions now" rule reads the same on a row and in SQL, at every edge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storage.db import Database
from storage.models import Session

from .support import NOW, add_session

OPEN_BEFORE = timedelta(minutes=15)
START = NOW + timedelta(hours=1)

# (moment relative to the start, cancelled, vanished) -> takes questions?
CASES = [
    (-OPEN_BEFORE - timedelta(seconds=1), False, False, False),
    (-OPEN_BEFORE, False, False, True),
    (timedelta(0), False, False, True),
    (timedelta(minutes=59, seconds=59), False, False, True),
    (timedelta(minutes=60), False, False, False),  # the end itself is closed
    (timedelta(minutes=5), True, False, False),
    (timedelta(minutes=5), False, True, False),
]


@pytest.mark.parametrize(("offset", "cancelled", "vanished", "expected"), CASES)
async def test_row_and_query_agree(
    database: Database, offset: timedelta, cancelled: bool, vanished: bool, expected: bool
) -> None:
    session_id = await add_session(database, start=START, minutes=60, cancelled=cancelled)
    async with database.transaction() as db:
        await db.execute(update(Session).where(Session.id == session_id).values(vanished=vanished))
    now = START + offset
    async with database.transaction() as db:
        row = await db.get(Session, session_id)
        assert row is not None
        on_row = row.takes_questions(now, OPEN_BEFORE)
        in_sql = await db.scalar(
            select(Session.id).where(
                Session.id == session_id, Session.takes_questions(now, OPEN_BEFORE)
            )
        )
    assert on_row is expected
    assert (in_sql == session_id) is expected
