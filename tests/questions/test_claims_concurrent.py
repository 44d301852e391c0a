"""Ten moderators pulling /next at the same moment never get the same question.

Real concurrent transactions on the real databases: PostgreSQL takes rows with
``FOR UPDATE SKIP LOCKED``, SQLite relies on the conditional update; each claimer has its own
connection from the pool.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from storage.db import Database
from storage.models import Question
from storage.repos import questions as repo

from .support import NOW, add_session

QUESTIONS = 60
CLAIMERS = 10


async def _fill(database: Database, session_id: int) -> None:
    async with database.transaction() as db:
        for number in range(1, QUESTIONS + 1):
            db.add(
                Question(
                    session_id=session_id,
                    number=number,
                    status=repo.WAITING,
                    text=f"question {number}",
                    normalized=f"question {number}",
                    language="en",
                    anonymous=False,
                    author_id=number,
                    chat_id=number,
                    notify_language="en",
                    votes=number % 7,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


async def _claim_all(
    database: Database, session_id: int, moderator: int, start: asyncio.Event
) -> list[int]:
    await start.wait()
    taken = []
    while True:
        async with database.transaction() as db:
            question = await repo.claim_next(db, session_id, moderator, NOW)
            if question is None:
                return taken
            taken.append(question.id)
        await asyncio.sleep(0)


async def test_concurrent_claimers_never_share_a_question(database: Database) -> None:
    session_id = await add_session(database)
    await _fill(database, session_id)
    start = asyncio.Event()
    claimers = [
        asyncio.create_task(_claim_all(database, session_id, 900 + index, start))
        for index in range(CLAIMERS)
    ]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*claimers)
    claimed = [question_id for taken in results for question_id in taken]
    duplicates = [qid for qid, count in Counter(claimed).items() if count > 1]
    assert duplicates == []
    assert len(claimed) == QUESTIONS
    assert sum(1 for taken in results if taken) > 1, "the claimers did not actually compete"
    async with database.transaction() as db:
        rows = (await db.execute(select(Question.id, Question.claimed_by))).all()
    owner = {question_id: moderator for question_id, moderator in rows}
    for index, taken in enumerate(results):
        assert all(owner[question_id] == 900 + index for question_id in taken)


async def test_two_moderators_pressing_next_at_once_get_different_questions(
    database: Database,
) -> None:
    session_id = await add_session(database)
    await _fill(database, session_id)
    for _ in range(20):

        async def claim(moderator: int) -> int | None:
            async with database.transaction() as db:
                question = await repo.claim_next(db, session_id, moderator, NOW)
                return question.id if question else None

        first, second = await asyncio.gather(claim(1), claim(2))
        assert first is not None and second is not None and first != second
