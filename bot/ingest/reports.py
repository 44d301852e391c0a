"""Telling the admins, once, that a source has been failing for a day, and once that it is back."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator, pick_language
from bot.outbox.payloads import html_message
from config.settings import Settings
from storage.models import Source
from storage.repos import chats, outbox
from storage.repos.outbox import NewMessage, Priority

DOWN_REPORT_AFTER = timedelta(hours=24)


def _hours(since: datetime, now: datetime) -> int:
    return max(1, round((now - since).total_seconds() / 3600))


async def _queue(
    db: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    kind: str,
    message_id: str,
    failing_since: datetime,
    now: datetime,
    source: Source,
    error: str | None,
) -> int:
    queued = 0
    for admin_id in settings.admins:
        chat = await chats.get_chat(db, admin_id)
        language = pick_language(chat.language if chat else None, None, settings.default_language)
        text = translator.t(
            language,
            message_id,
            count=_hours(failing_since, now),
            name=source.name or source.url,
            url=source.url,
            error=error or "",
        )
        stamp = failing_since.isoformat()
        queued += await outbox.enqueue(
            db,
            NewMessage(
                key=f"source-{kind}:{source.id}:{stamp}:{admin_id}",
                chat_id=admin_id,
                kind=f"source_{kind}",
                payload=html_message(admin_id, text),
                not_before=now,
                priority=Priority.BULK,
            ),
            now=now,
        )
    return queued


async def queue_source_down(
    db: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    source: Source,
    failing_since: datetime,
    error: str,
    now: datetime,
) -> int:
    """One message per admin; the key (source, failing_since) makes a restart harmless."""
    return await _queue(
        db,
        settings,
        translator,
        kind="down",
        message_id="ingest.source_down",
        failing_since=failing_since,
        now=now,
        source=source,
        error=error,
    )


async def queue_source_up(
    db: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    source: Source,
    failing_since: datetime,
    now: datetime,
) -> int:
    return await _queue(
        db,
        settings,
        translator,
        kind="up",
        message_id="ingest.source_up",
        failing_since=failing_since,
        now=now,
        source=source,
        error=None,
    )
