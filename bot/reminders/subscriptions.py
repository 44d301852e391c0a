"""Subscriptions and per-chat reminder settings, as the handlers and the CLI use them.

Plain Python: whether the person may change a group's subscriptions (its admins only) is
checked by the handler at the moment of use; every change here re-plans the reminder jobs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.reminders.matching import normalise_keyword
from bot.reminders.planner import ReminderPlanner
from bot.reminders.zones import resolve_zone, suggest_zones
from config.settings import Settings
from storage.db import Database
from storage.models import Session, SubscriptionKind
from storage.repos import chats
from storage.repos import subscriptions as subs
from storage.repos.subscriptions import ListedSubscription

log = logging.getLogger(__name__)

# Lead times offered as buttons, in minutes (a day is the longest).
LEAD_CHOICES = (5, 10, 15, 30, 60, 1440)
MAX_SUBSCRIPTIONS = 200
KEYWORD_LENGTH = (2, 50)  # "AI" and "ИИ" are keywords people follow


@dataclass(frozen=True, slots=True)
class ChatSettings:
    timezone: str | None  # the chat's own choice
    zone: str  # what times are shown in (the venue's until the chat chooses)
    language: str | None
    leads: list[int]  # minutes, longest first
    leads_are_default: bool


@dataclass(frozen=True, slots=True)
class ZoneAnswer:
    """A zone the text named (now set), or suggestions of what it may have meant."""

    zone: str | None
    suggestions: list[str]


@dataclass(frozen=True, slots=True)
class SessionSubscription:
    session: Session
    added: bool  # False: the chat had subscribed already


class SubscriptionService:
    def __init__(
        self, database: Database, clock: Clock, settings: Settings, planner: ReminderPlanner
    ) -> None:
        self._database = database
        self._clock = clock
        self._settings = settings
        self._planner = planner

    # ---- subscribing -------------------------------------------------------------------

    async def subscribe_session(
        self, chat_id: int, session_id: int, user_id: int | None
    ) -> SessionSubscription:
        now = self._clock.now()
        async with self._database.transaction() as db:
            session = await subs.get_session(db, session_id)
            if session is None or session.vanished:
                raise UserFacingError("subs.session_unknown")
            if session.end_at <= now:
                raise UserFacingError("subs.session_over")
            added = await self._add(
                db, chat_id, SubscriptionKind.SESSION, str(session.id), user_id, session.id
            )
        self._changed(added)
        return SessionSubscription(session, added)

    async def subscribe_ifla(self, chat_id: int, user_id: int | None) -> bool:
        async with self._database.transaction() as db:
            added = await self._add(db, chat_id, SubscriptionKind.IFLA, "", user_id)
        self._changed(added)
        return added

    async def subscribe_track(self, chat_id: int, track: str, user_id: int | None) -> bool:
        """Follow a track of the programme (one of ``tracks()``, exactly as spelled there)."""
        async with self._database.transaction() as db:
            known = await subs.known_tracks(db, self._clock.now())
            if track not in known:
                raise UserFacingError("subs.track_unknown", track=track)
            added = await self._add(db, chat_id, SubscriptionKind.TRACK, track, user_id)
        self._changed(added)
        return added

    async def subscribe_keyword(
        self, chat_id: int, text: str, user_id: int | None
    ) -> tuple[str, bool]:
        """Follow sessions with a word starting with ``text`` (in title, track, description...)."""
        keyword = normalise_keyword(text)
        shortest, longest = KEYWORD_LENGTH
        if not shortest <= len(keyword) <= longest:
            raise UserFacingError("subs.keyword_length", shortest=shortest, longest=longest)
        async with self._database.transaction() as db:
            added = await self._add(db, chat_id, SubscriptionKind.KEYWORD, keyword, user_id)
        self._changed(added)
        return keyword, added

    async def _add(
        self,
        db: AsyncSession,
        chat_id: int,
        kind: SubscriptionKind,
        target: str,
        user_id: int | None,
        session_id: int | None = None,
    ) -> bool:
        if await subs.count_for_chat(db, chat_id) >= MAX_SUBSCRIPTIONS:
            raise UserFacingError("subs.too_many", limit=MAX_SUBSCRIPTIONS)
        return await subs.add(
            db,
            chat_id=chat_id,
            kind=kind,
            target=target,
            created_by=user_id,
            now=self._clock.now(),
            session_id=session_id,
        )

    def _changed(self, changed: bool | int) -> None:
        if changed:
            self._planner.request_replan()

    async def unsubscribe(self, chat_id: int, subscription_id: int) -> bool:
        async with self._database.transaction() as db:
            removed = await subs.remove(db, chat_id, subscription_id)
        self._changed(removed)
        return removed

    async def unsubscribe_all(self, chat_id: int) -> int:
        async with self._database.transaction() as db:
            removed = await subs.remove_all(db, chat_id)
        self._changed(removed)
        return removed

    async def subscriptions(self, chat_id: int) -> list[ListedSubscription]:
        async with self._database.transaction() as db:
            return await subs.list_for_chat(db, chat_id)

    async def tracks(self) -> list[str]:
        async with self._database.transaction() as db:
            return await subs.known_tracks(db, self._clock.now())

    async def session(self, session_id: int) -> Session:
        async with self._database.transaction() as db:
            session = await subs.get_session(db, session_id)
        if session is None or session.vanished:
            raise UserFacingError("subs.session_unknown")
        return session

    # ---- settings ----------------------------------------------------------------------

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        async with self._database.transaction() as db:
            chat = await chats.get_chat(db, chat_id)
        chosen_zone = chat.timezone if chat else None
        chosen_leads = chat.reminder_minutes if chat else None
        leads = self._planner.default_leads if chosen_leads is None else chosen_leads
        return ChatSettings(
            timezone=chosen_zone,
            zone=chosen_zone or self._settings.timezone,
            language=chat.language if chat else None,
            leads=sorted(leads, reverse=True),
            leads_are_default=chosen_leads is None,
        )

    async def set_timezone(self, chat_id: int, text: str) -> ZoneAnswer:
        """Set the zone ``text`` names; otherwise change nothing and suggest zones."""
        zone = resolve_zone(text)
        if zone is None:
            return ZoneAnswer(None, suggest_zones(text))
        async with self._database.transaction() as db:
            await chats.set_timezone(db, chat_id, zone, self._clock.now())
        return ZoneAnswer(zone, [])

    async def toggle_lead(self, chat_id: int, minutes: int) -> list[int]:
        """Switch one lead time on or off for this chat; returns the chat's lead times."""
        if minutes not in LEAD_CHOICES and minutes not in self._planner.default_leads:
            raise UserFacingError("settings.bad_lead")
        current = set((await self.chat_settings(chat_id)).leads)
        current ^= {minutes}
        leads = sorted(current, reverse=True)
        async with self._database.transaction() as db:
            await chats.set_reminder_minutes(db, chat_id, leads, self._clock.now())
        self._planner.request_replan()
        return leads

    # ---- the sender's hook -------------------------------------------------------------

    async def chat_gone(self, chat_id: int) -> None:
        """The chat blocked or removed the bot (the sender has deactivated it and dropped its
        queued messages): its rules stay, paused, until it talks to the bot again."""
        async with self._database.transaction() as db:
            paused = await subs.count_for_chat(db, chat_id)
        if paused:
            log.info("chat %s is gone: %d subscriptions paused", chat_id, paused)
            self._planner.request_replan()
