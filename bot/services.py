"""The objects every handler and job needs, built once per process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.clock import Clock
from bot.i18n import Translator
from bot.programme.events import ProgrammeListener
from bot.roles import RoleService
from config.settings import Settings
from storage.db import Database


class Waker(Protocol):
    def wake(self) -> None:
        """Tell the sender that new messages are due now."""


class _NoSender:
    def wake(self) -> None:
        return None


@dataclass
class Services:
    settings: Settings
    database: Database
    translator: Translator
    clock: Clock
    roles: RoleService
    sender: Waker = field(default_factory=_NoSender)
    bot_username: str = "remotehub_bot"
    # Announcements and subscriptions hear about programme changes through these.
    programme_listeners: list[ProgrammeListener] = field(default_factory=list)
    # Feature services register themselves here by name (ingestion, subscriptions, questions).
    features: dict[str, Any] = field(default_factory=dict)
    # Told when the sender finds a chat gone for good (blocked, kicked), after it deactivated
    # the chat and dropped its queued messages.
    chat_gone_listeners: list[Callable[[int], Awaitable[None]]] = field(default_factory=list)

    async def chat_gone(self, chat_id: int) -> None:
        for listener in self.chat_gone_listeners:
            await listener(chat_id)
