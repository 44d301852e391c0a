"""Machine translations of questions, cached per question and language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Moderator, QuestionTranslation, Session, User


async def get_translation(
    db: AsyncSession, question_id: int, language: str
) -> QuestionTranslation | None:
    return await db.get(QuestionTranslation, (question_id, language))


async def translations_of(
    db: AsyncSession, question_ids: Iterable[int], language: str
) -> dict[int, QuestionTranslation]:
    """The cached rows of many questions in one language (the console's list)."""
    ids = list(question_ids)
    if not ids:
        return {}
    rows = await db.scalars(
        select(QuestionTranslation).where(
            QuestionTranslation.question_id.in_(ids), QuestionTranslation.language == language
        )
    )
    return {row.question_id: row for row in rows}


async def cached_languages(db: AsyncSession, question_id: int) -> set[str]:
    rows = await db.scalars(
        select(QuestionTranslation.language).where(QuestionTranslation.question_id == question_id)
    )
    return set(rows)


async def save_translation(
    db: AsyncSession,
    question_id: int,
    language: str,
    now: datetime,
    *,
    text: str | None,
    source_language: str | None,
    reason: str | None,
) -> None:
    """Store (or replace) the outcome for one question and language."""
    await db.execute(
        delete(QuestionTranslation).where(
            QuestionTranslation.question_id == question_id,
            QuestionTranslation.language == language,
        )
    )
    db.add(
        QuestionTranslation(
            question_id=question_id,
            language=language,
            text=text,
            source_language=source_language,
            reason=reason,
            created_at=now,
        )
    )
    await db.flush()


async def forget_translations(db: AsyncSession, question_id: int) -> None:
    """The question's text changed: its translations translate something else."""
    await db.execute(
        delete(QuestionTranslation).where(QuestionTranslation.question_id == question_id)
    )


async def session_moderator_ids(db: AsyncSession, session_id: int) -> set[int]:
    """Moderators added at run time for this session: everywhere, the session, its event."""
    source_of_session = select(Session.source_id).where(Session.id == session_id)
    rows = await db.scalars(
        select(Moderator.user_id).where(
            or_(
                Moderator.scope == "all",
                Moderator.session_id == session_id,
                Moderator.source_id == source_of_session.scalar_subquery(),
            )
        )
    )
    return set(rows)


async def people_languages(
    db: AsyncSession, user_ids: Iterable[int]
) -> dict[int, tuple[str | None, str | None]]:
    """Per person: the language chosen in the private chat, and Telegram's language code."""
    ids = list(user_ids)
    if not ids:
        return {}
    chosen = dict((await db.execute(select(Chat.id, Chat.language).where(Chat.id.in_(ids)))).all())
    codes = dict(
        (await db.execute(select(User.id, User.language_code).where(User.id.in_(ids)))).all()
    )
    return {user_id: (chosen.get(user_id), codes.get(user_id)) for user_id in ids}
