"""Change notices: a session people subscribed to moved, changed room, was cancelled or is back.

A ``ProgrammeListener``: it runs inside ingestion's transaction, so each notice is queued
exactly when the change is committed (key ``notice:{chat}:{session}:{kind}:{start}:{room}``
keeps a re-run from repeating it). Reminders still queued for the old time are dropped here;
the jobs are re-planned once the transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import pick_language
from bot.outbox.payloads import html_message
from bot.programme.events import ChangeKind, NewsItem, SessionChange
from bot.reminders.batches import iso
from bot.reminders.matching import matched_keywords
from bot.reminders.planner import ReminderPlanner
from bot.reminders.texts import ReminderTexts, zone_named
from config.settings import Settings
from storage.db import after_commit
from storage.models import Session
from storage.repos import outbox
from storage.repos import subscriptions as subs
from storage.repos.outbox import NewMessage, Priority
from storage.repos.subscriptions import Subscriber

log = logging.getLogger(__name__)

# Reminders queued for the old time of these changes must not go out.
_STALE_REMINDERS = {ChangeKind.MOVED, ChangeKind.CANCELLED}


class ChangeNotifier:
    """Tells subscribers about changes and keeps their reminders in step."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        texts: ReminderTexts,
        planner: ReminderPlanner,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._texts = texts
        self._planner = planner

    async def sessions_changed(self, db: AsyncSession, changes: Sequence[SessionChange]) -> None:
        if not changes:
            return
        # New sessions, new times and new titles (keywords) all change what is planned.
        after_commit(db, self._planner.request_replan)
        noticed = [change for change in changes if change.needs_notice]
        if not noticed:
            return
        now = self._clock.now()
        keywords = await subs.keyword_targets(db)
        for change in noticed:
            session = await subs.get_session(db, change.session_id)
            if session is None:
                continue
            if change.kind in _STALE_REMINDERS:
                dropped = await outbox.drop_pending_for_session(
                    db, session.id, kinds=["reminder"], reason=f"session {change.kind.value}"
                )
                if dropped:
                    log.info(
                        "session %s %s: %d queued reminders dropped",
                        session.id,
                        change.kind.value,
                        dropped,
                    )
            if session.end_at <= now:
                continue  # over already: nobody needs to hear about it
            wanting = await subs.subscribers(db, session, matched_keywords(session, keywords))
            messages = self._notices(session, change, wanting)
            queued = await outbox.enqueue_many(db, messages, now=now)
            log.info(
                "session %s %s: change notice queued for %d chats",
                session.id,
                change.kind.value,
                queued,
            )

    async def news_arrived(self, db: AsyncSession, items: Sequence[NewsItem]) -> None:
        return None

    def _notices(
        self, session: Session, change: SessionChange, wanting: Sequence[Subscriber]
    ) -> list[NewMessage]:
        settings = self._settings
        now = self._clock.now()
        venue = zone_named(session.timezone, settings.zone)
        room = (session.room or "")[:60]
        texts: dict[tuple[str, str], str] = {}
        messages = []
        for subscriber in wanting:
            language = pick_language(
                subscriber.language, subscriber.user_language, settings.default_language
            )
            reader = zone_named(subscriber.timezone, settings.zone)
            text = texts.get((language, reader.key))
            if text is None:
                text = self._texts.notice(
                    session,
                    change.kind,
                    old_start=change.old_start,
                    old_room=change.old_room,
                    language=language,
                    reader=reader,
                    venue=venue,
                )
                texts[(language, reader.key)] = text
            chat_id = subscriber.chat_id
            start = iso(session.start_at)
            key = f"notice:{chat_id}:{session.id}:{change.kind.value}:{start}:{room}"
            messages.append(
                NewMessage(
                    key=key,
                    chat_id=chat_id,
                    kind="change",
                    payload=html_message(chat_id, text),
                    not_before=now,
                    priority=Priority.CHANGE,
                    expires_at=session.end_at,
                    session_id=session.id,
                )
            )
        return messages
