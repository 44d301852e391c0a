"""Telling askers what happened to their question, queued in the transaction that did it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.outbox.payloads import html_message
from storage.models import Question
from storage.repos import outbox
from storage.repos.outbox import NewMessage, Priority

# Event -> message id. Each event is told once per question (the outbox key says so), except
# skips and answers, which may happen again and carry their time in the key.
NOTICES = {
    "approved": "questions.notice.approved",
    "forwarded": "questions.notice.forwarded",
    "answered": "questions.notice.answered",
    "answer": "questions.notice.answer",
    "skipped": "questions.notice.skipped",
    "rejected": "questions.notice.rejected",
    "rejected_reason": "questions.notice.rejected_reason",
}
_REPEATABLE = {"skipped", "answer"}


async def notify_asker(
    db: AsyncSession,
    translator: Translator,
    question: Question,
    event: str,
    *,
    session_title: str,
    now: datetime,
    **params: Any,
) -> bool:
    """Queue the notice for ``event``; False if this notice had been queued before."""
    text = translator.t(
        question.notify_language,
        NOTICES[event],
        number=question.number,
        session=session_title,
        **params,
    )
    # The notice answers the asking message, so the asker sees which question it is.
    payload = html_message(question.chat_id, text, reply_to=question.message_id)
    key = f"question:{question.id}:{event}"
    if event in _REPEATABLE:
        key += f":{now.timestamp():.3f}"
    return await outbox.enqueue(
        db,
        NewMessage(
            key=key,
            chat_id=question.chat_id,
            kind=f"question_{event}",
            payload=payload,
            not_before=now,
            priority=Priority.ANSWER,
            session_id=question.session_id,
        ),
        now=now,
    )
