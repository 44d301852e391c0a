"""Who may do what: participants, moderators, admins. Checked on every use, server-side."""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

from config.settings import Settings


class Role(IntEnum):
    PARTICIPANT = 0
    MODERATOR = 1
    ADMIN = 2


class ModeratorLookup(Protocol):
    async def is_moderator(self, user_id: int, session_id: int | None = None) -> bool: ...


class RoleService:
    """Roles from the config, plus moderators an admin added at run time (``extra``)."""

    def __init__(self, settings: Settings, extra: ModeratorLookup | None = None) -> None:
        self._settings = settings
        self._extra = extra

    def use_lookup(self, extra: ModeratorLookup) -> None:
        self._extra = extra

    async def role_of(self, user_id: int, session_id: int | None = None) -> Role:
        if user_id in self._settings.admins:
            return Role.ADMIN
        if user_id in self._settings.moderators:
            return Role.MODERATOR
        if self._extra is not None and await self._extra.is_moderator(user_id, session_id):
            return Role.MODERATOR
        return Role.PARTICIPANT

    async def has(self, user_id: int, role: Role, session_id: int | None = None) -> bool:
        return await self.role_of(user_id, session_id) >= role
