"""Remote hubs and run-time moderators: who asks as a group, who may moderate what."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import parse_id
from bot.errors import UserFacingError
from bot.questions.base import RelayContext
from bot.questions.views import hub_label
from storage.repos import hubs, moderators, programme, question_sessions

HUB_NAME_MAX = 100
# The comma and semicolon as each of our languages writes them (Arabic ، ؛, Chinese ， ；), and |.
_HUB_SEPARATOR = re.compile(r"\s*[,;|،؛，；]\s*")


def parse_hub(text: str) -> tuple[str, str | None]:
    """``Novosibirsk hub, Russia`` -> name and city; the city is what follows the last
    comma (or ``;``/``|``, in Latin, Arabic or Chinese script), and is optional."""
    text = " ".join(text.split())
    parts = _HUB_SEPARATOR.split(text)
    name, city = (", ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (text, None)
    if not name or (city is not None and not city):
        raise UserFacingError("hubs.usage")
    if len(name) > HUB_NAME_MAX or (city is not None and len(city) > HUB_NAME_MAX):
        raise UserFacingError("hubs.too_long", maximum=HUB_NAME_MAX)
    return name, city


class HubDirectory:
    def __init__(self, relay: RelayContext) -> None:
        self._relay = relay

    async def register(self, chat_id: int, text: str, registered_by: int) -> str:
        """Register (or rename) the group as a hub; return its label."""
        name, city = parse_hub(text)
        async with self._relay.database.transaction() as db:
            await hubs.save_hub(
                db,
                chat_id=chat_id,
                name=name,
                city=city,
                registered_by=registered_by,
                now=self._relay.clock.now(),
            )
            hub = await hubs.get_hub(db, chat_id)
            assert hub is not None
            return hub_label(hub)

    async def unregister(self, chat_id: int) -> bool:
        async with self._relay.database.transaction() as db:
            return await hubs.deactivate_hub(db, chat_id, self._relay.clock.now())

    async def label(self, chat_id: int) -> str | None:
        async with self._relay.database.transaction() as db:
            hub = await hubs.get_hub(db, chat_id)
        return hub_label(hub) if hub is not None and hub.active else None


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a moderator may moderate: everywhere, one session, or one event (source)."""

    kind: str  # "all" | "session" | "event"
    id: int | None = None

    @property
    def key(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, words: list[str]) -> Scope:
        """``[]`` -> everywhere; ``["session", "17"]``; ``["event", "2"]``."""
        if not words:
            return cls("all")
        number = parse_id(words[1]) if len(words) == 2 else None
        if words[0] in ("session", "event") and number is not None:
            return cls(words[0], number)
        raise UserFacingError("moderators.usage")


@dataclass(frozen=True, slots=True)
class ModeratorEntry:
    user_id: int
    scope: str


class ModeratorDirectory:
    """Moderators an admin added at run time; plugged into ``RoleService`` as its lookup."""

    def __init__(self, relay: RelayContext) -> None:
        self._relay = relay

    async def is_moderator(self, user_id: int, session_id: int | None = None) -> bool:
        async with self._relay.database.transaction() as db:
            return await moderators.is_moderator(db, user_id, session_id)

    async def add(self, user_id: int, scope: Scope, added_by: int) -> bool:
        async with self._relay.database.transaction() as db:
            if scope.kind == "session" and not await self._session_exists(db, scope.id):
                raise UserFacingError("questions.session_unknown")
            if scope.kind == "event" and not await self._event_exists(db, scope.id):
                raise UserFacingError("moderators.event_unknown")
            return await moderators.add_moderator(
                db,
                user_id=user_id,
                scope=scope.key,
                session_id=scope.id if scope.kind == "session" else None,
                source_id=scope.id if scope.kind == "event" else None,
                added_by=added_by,
                now=self._relay.clock.now(),
            )

    @staticmethod
    async def _session_exists(db: AsyncSession, session_id: int | None) -> bool:
        return session_id is not None and (
            await question_sessions.get_session(db, session_id) is not None
        )

    @staticmethod
    async def _event_exists(db: AsyncSession, source_id: int | None) -> bool:
        return source_id is not None and (await programme.get_source(db, source_id) is not None)

    async def remove(self, user_id: int, scope: Scope | None) -> int:
        async with self._relay.database.transaction() as db:
            return await moderators.remove_moderator(
                db, user_id, scope.key if scope is not None else None
            )

    async def entries(self) -> list[ModeratorEntry]:
        async with self._relay.database.transaction() as db:
            rows = await moderators.list_moderators(db)
        return [ModeratorEntry(row.user_id, row.scope) for row in rows]
