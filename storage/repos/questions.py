"""Questions and votes: numbering, the moderators' queue, the atomic claim, state transitions.

The claim is the one place where two moderators race: on PostgreSQL the candidate row is
taken with ``FOR UPDATE SKIP LOCKED`` (a second claimer skips it and takes the next one); on
SQLite, where writers are serialised, a conditional ``UPDATE ... WHERE status IN (queued)``
whose row count is checked does the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Hub, Question, QuestionSession, QuestionStatus, QuestionVote, User
from storage.repos._sql import execute_count, insert_for

WAITING = QuestionStatus.WAITING
PENDING_APPROVAL = QuestionStatus.PENDING_APPROVAL
CLAIMED = QuestionStatus.CLAIMED
ANSWERED = QuestionStatus.ANSWERED
SKIPPED = QuestionStatus.SKIPPED
REJECTED = QuestionStatus.REJECTED
WITHDRAWN = QuestionStatus.WITHDRAWN

STATUSES = (WAITING, PENDING_APPROVAL, CLAIMED, ANSWERED, SKIPPED, REJECTED, WITHDRAWN)
QUEUED = (WAITING, SKIPPED)  # what /next may claim
OPEN = (WAITING, PENDING_APPROVAL, CLAIMED, SKIPPED)  # not settled yet
PUBLIC = (WAITING, CLAIMED, SKIPPED)  # visible in /questions and to the similarity check

_CLAIM_ATTEMPTS = 5


def _queue_order() -> list[Any]:
    """Waiting questions by votes then age; skipped ones after them, in the order skipped."""
    skipped = case((Question.status == SKIPPED, 1), else_=0)
    return [
        skipped,
        case((Question.status == SKIPPED, Question.skipped_at), else_=None),
        Question.votes.desc(),
        Question.created_at,
        Question.id,
    ]


# -- numbering and per-session settings ------------------------------------------------------


async def next_number(db: AsyncSession, session_id: int, now: datetime) -> tuple[int, bool]:
    """The next question number of a session, and whether the session is pre-moderated.

    One upsert on the session's counter row: numbers never clash or skip, and on PostgreSQL
    the row lock orders concurrent askers of one session until they commit.
    """
    statement = insert_for(db, QuestionSession).values(
        session_id=session_id, premoderation=False, last_number=1, updated_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["session_id"],
        set_={"last_number": QuestionSession.last_number + 1, "updated_at": now},
    ).returning(QuestionSession.last_number, QuestionSession.premoderation)
    number, premoderated = (await db.execute(statement)).one()
    return int(number), bool(premoderated)


async def premoderation(db: AsyncSession, session_id: int) -> bool:
    value = await db.scalar(
        select(QuestionSession.premoderation).where(QuestionSession.session_id == session_id)
    )
    return bool(value)


async def set_premoderation(
    db: AsyncSession, session_id: int, enabled: bool, now: datetime
) -> None:
    statement = insert_for(db, QuestionSession).values(
        session_id=session_id, premoderation=enabled, last_number=0, updated_at=now
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=["session_id"], set_={"premoderation": enabled, "updated_at": now}
        )
    )


# -- asking --------------------------------------------------------------------------------


async def add_question(db: AsyncSession, question: Question) -> Question:
    db.add(question)
    await db.flush()
    return question


async def get_question(db: AsyncSession, question_id: int) -> Question | None:
    return await db.get(Question, question_id, populate_existing=True)


async def question_by_message(db: AsyncSession, chat_id: int, message_id: int) -> Question | None:
    """The question asked by this Telegram message (to follow the asker's edits)."""
    return await db.scalar(
        select(Question)
        .where(Question.chat_id == chat_id, Question.message_id == message_id)
        .order_by(Question.id.desc())
        .limit(1)
    )


async def public_questions(db: AsyncSession, session_id: int) -> list[Question]:
    """Questions participants can see and vote for, in queue order."""
    rows = await db.scalars(
        select(Question)
        .where(Question.session_id == session_id, Question.status.in_(PUBLIC))
        .order_by(*_queue_order())
    )
    return list(rows.all())


async def public_texts(db: AsyncSession, session_id: int) -> list[tuple[int, str]]:
    """(id, normalised text) of the questions a new one is compared with, in queue order."""
    rows = await db.execute(
        select(Question.id, Question.normalized)
        .where(Question.session_id == session_id, Question.status.in_(PUBLIC))
        .order_by(*_queue_order())
    )
    return [(question_id, normalized) for question_id, normalized in rows]


async def author_pace(
    db: AsyncSession, session_id: int, author_id: int
) -> tuple[datetime | None, int]:
    """When the author last asked (anywhere), and how many of their questions in this
    session are still open."""
    row = (
        await db.execute(
            select(
                func.max(Question.created_at),
                func.count().filter(Question.session_id == session_id, Question.status.in_(OPEN)),
            ).where(Question.author_id == author_id)
        )
    ).one()
    last: datetime | None = row[0]
    if last is not None and last.tzinfo is None:  # an aggregate skips the column's type
        last = last.replace(tzinfo=UTC)
    return last, int(row[1] or 0)


# -- transitions ---------------------------------------------------------------------------


async def transition(
    db: AsyncSession,
    question_id: int,
    *,
    allowed: Iterable[str],
    values: dict[str, Any],
    held_by: int | None = None,
    author_id: int | None = None,
) -> bool:
    """Apply ``values`` only if the question is in one of the ``allowed`` states; False if
    someone else changed it first. With ``held_by``, a claimed question must be claimed by
    that moderator; with ``author_id``, the question must be theirs."""
    wanted = list(allowed)
    conditions: list[ColumnElement[bool]] = [Question.id == question_id]
    if held_by is not None and CLAIMED in wanted:
        others = [status for status in wanted if status != CLAIMED]
        conditions.append(
            or_(
                Question.status.in_(others),
                and_(Question.status == CLAIMED, Question.claimed_by == held_by),
            )
        )
    else:
        conditions.append(Question.status.in_(wanted))
    if author_id is not None:
        conditions.append(Question.author_id == author_id)
    touched = await execute_count(db, update(Question).where(*conditions).values(**values))
    return touched == 1


async def claim_next(
    db: AsyncSession, session_id: int, moderator_id: int, now: datetime
) -> Question | None:
    """Atomically claim the top queued question of a session for ``moderator_id``."""
    queued = select(Question.id).where(
        Question.session_id == session_id, Question.status.in_(QUEUED)
    )
    queued = queued.order_by(*_queue_order()).limit(1)
    dialect = db.bind.dialect.name if db.bind is not None else "sqlite"
    for _attempt in range(_CLAIM_ATTEMPTS):
        if dialect == "postgresql":
            candidate = await db.scalar(queued.with_for_update(skip_locked=True))
        else:
            candidate = await db.scalar(queued)
        if candidate is None:
            return None
        claimed = await transition(
            db,
            candidate,
            allowed=QUEUED,
            values={
                "status": CLAIMED,
                "claimed_by": moderator_id,
                "claimed_at": now,
                "updated_at": now,
                "forwarded_at": func.coalesce(Question.forwarded_at, now),
            },
        )
        if claimed:
            return await get_question(db, candidate)
        # Another writer took it between our read and our update: try the next one.
    return None


async def claimed_by(db: AsyncSession, session_id: int, moderator_id: int) -> list[Question]:
    rows = await db.scalars(
        select(Question)
        .where(
            Question.session_id == session_id,
            Question.status == CLAIMED,
            Question.claimed_by == moderator_id,
        )
        .order_by(Question.claimed_at.desc())
    )
    return list(rows.all())


async def stale_claims(db: AsyncSession, cutoff: datetime) -> list[Question]:
    rows = await db.scalars(
        select(Question).where(Question.status == CLAIMED, Question.claimed_at < cutoff)
    )
    return list(rows.all())


async def release_claim(db: AsyncSession, question: Question, now: datetime) -> bool:
    """Put a claimed question back where it was in the queue (waiting, or skipped)."""
    back_to = SKIPPED if question.skipped_at is not None else WAITING
    return await transition(
        db,
        question.id,
        allowed=[CLAIMED],
        held_by=question.claimed_by,
        values={"status": back_to, "claimed_by": None, "claimed_at": None, "updated_at": now},
    )


# -- moderators' views -----------------------------------------------------------------------


async def session_questions(
    db: AsyncSession, session_id: int, statuses: Sequence[str] = STATUSES
) -> list[Question]:
    rows = await db.scalars(
        select(Question)
        .where(Question.session_id == session_id, Question.status.in_(list(statuses)))
        .order_by(*_queue_order())
    )
    return list(rows.all())


async def all_questions(db: AsyncSession, session_id: int) -> list[Question]:
    """Every question of a session by number (exports)."""
    rows = await db.scalars(
        select(Question).where(Question.session_id == session_id).order_by(Question.number)
    )
    return list(rows.all())


async def authors(db: AsyncSession, user_ids: Iterable[int]) -> dict[int, User]:
    wanted = list(set(user_ids))
    if not wanted:
        return {}
    rows = await db.scalars(select(User).where(User.id.in_(wanted)))
    return {user.id: user for user in rows}


async def hubs(db: AsyncSession, chat_ids: Iterable[int | None]) -> dict[int, Hub]:
    wanted = [chat_id for chat_id in set(chat_ids) if chat_id is not None]
    if not wanted:
        return {}
    rows = await db.scalars(select(Hub).where(Hub.chat_id.in_(wanted)))
    return {hub.chat_id: hub for hub in rows}


# -- votes ---------------------------------------------------------------------------------


async def toggle_vote(db: AsyncSession, question_id: int, user_id: int, now: datetime) -> bool:
    """Add the user's vote, or take it back if it was there; True if the vote now stands."""
    added = await execute_count(
        db,
        insert_for(db, QuestionVote)
        .values(question_id=question_id, user_id=user_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["question_id", "user_id"]),
    )
    if not added:
        removed = await execute_count(
            db,
            delete(QuestionVote).where(
                QuestionVote.question_id == question_id, QuestionVote.user_id == user_id
            ),
        )
        if not removed:  # taken back by a concurrent press: count nothing
            return False
    await db.execute(
        update(Question)
        .where(Question.id == question_id)
        .values(votes=Question.votes + (1 if added else -1))
    )
    return bool(added)


async def voted_for(db: AsyncSession, user_id: int, question_ids: Iterable[int]) -> set[int]:
    wanted = list(question_ids)
    if not wanted:
        return set()
    rows = await db.scalars(
        select(QuestionVote.question_id).where(
            QuestionVote.user_id == user_id, QuestionVote.question_id.in_(wanted)
        )
    )
    return set(rows.all())
