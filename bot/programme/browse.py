"""The programme for people: one page of upcoming sessions, what is live, one session's card.

Reads the chat's own time zone (else the venue's) and renders through ``views``; handlers only
pass the chat, the language and what was asked for.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.links import BotLinks
from bot.programme import views
from bot.programme.markup import zone_or
from bot.programme.views import PAGE_SIZE, Rendered
from config.settings import Settings
from storage.db import Database
from storage.repos import chats, schedule

LIVE_LIMIT = 200


class ProgrammeBrowser:
    """Answers /sessions, /now and the session card."""

    def __init__(
        self,
        *,
        database: Database,
        settings: Settings,
        translator: Translator,
        clock: Clock,
        links: BotLinks,
    ) -> None:
        self._database = database
        self._settings = settings
        self._translator = translator
        self._clock = clock
        self._links = links

    async def reader_zone(self, chat_id: int) -> ZoneInfo:
        """The chat's own time zone, else the venue's."""
        async with self._database.transaction() as db:
            return await self._zone(db, chat_id)

    async def _zone(self, db: AsyncSession, chat_id: int) -> ZoneInfo:
        chat = await chats.get_chat(db, chat_id)
        return zone_or(chat.timezone if chat else None, self._settings.zone)

    async def card(self, chat_id: int, language: str, session_id: int) -> Rendered | None:
        """The session's card for this chat, or None when there is no such session."""
        async with self._database.transaction() as db:
            session = await schedule.get_session(db, session_id)
            if session is None:
                return None
            reader = await self._zone(db, chat_id)
        venue = zone_or(session.timezone, self._settings.zone)
        return views.session_card(
            self._translator,
            language,
            session,
            reader,
            venue,
            self._settings,
            self._links,
            now=self._clock.now(),
        )

    async def upcoming(self, chat_id: int, language: str, page: int) -> Rendered:
        """Page ``page`` (from 1; clamped to the last) of the sessions not over yet."""
        now = self._clock.now()
        page = max(1, page)
        async with self._database.transaction() as db:
            reader = await self._zone(db, chat_id)
            rows, total = await schedule.upcoming_page(
                db, now=now, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
            )
            last = max(1, -(-total // PAGE_SIZE))
            if page > last:
                page = last
                rows, total = await schedule.upcoming_page(
                    db, now=now, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
                )
        return views.upcoming_page(
            self._translator, language, rows, page=page, total=total, reader_zone=reader
        )

    async def live(self, chat_id: int, language: str) -> Rendered:
        """Sessions running now with their webcast and participation links."""
        async with self._database.transaction() as db:
            reader = await self._zone(db, chat_id)
            rows = await schedule.live_sessions(db, now=self._clock.now(), limit=LIVE_LIMIT)
        return views.live_now(
            self._translator, language, rows, reader_zone=reader, settings=self._settings
        )
