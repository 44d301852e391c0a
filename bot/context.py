"""The typed CallbackContext: handlers reach settings, database and services through it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import DEFAULT_LANGUAGE
from bot.services import Services

StartPayloadHandler = Callable[[Update, "RemoteHubContext", str], Awaitable[None]]


class AppState:
    """``bot_data``: the services, the command list and the ``/start`` deep-link routes."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self.commands: list[Any] = []
        # "/start s_12" -> start_payloads["s_"](update, context, "12")
        self.start_payloads: dict[str, StartPayloadHandler] = {}

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are not attached to the application yet")
        return self._services

    def attach(self, services: Services) -> None:
        self._services = services


RemoteHubApplication = Application[Any, "RemoteHubContext", Any, Any, AppState, Any]


class RemoteHubContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], AppState]):
    """Per-update context; ``language`` is set by the first handler group from the chat."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.language: str = DEFAULT_LANGUAGE
        self.reply_count = 0

    @property
    def services(self) -> Services:
        return self.bot_data.services

    def t(self, message_id: str, **params: Any) -> str:
        """Translate ``message_id`` into this update's language."""
        return self.services.translator.t(self.language, message_id, **params)
