"""The one place the web pages find the bot's services.

Everything a route needs is a typed field of ``WebDeps``; ``WebDeps.of`` is the only code
that knows where the process keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Translator
from bot.live import LiveHub
from bot.questions import QuestionRelay
from bot.roles import RoleService
from bot.services import Services
from bot.webaccess import WebAccess
from config.settings import Settings


@dataclass(frozen=True)
class WebDeps:
    services: Services
    relay: QuestionRelay
    access: WebAccess
    roles: RoleService
    translator: Translator
    live: LiveHub
    settings: Settings

    @classmethod
    def of(cls, services: Services) -> WebDeps:
        return cls(
            services=services,
            relay=services.questions,
            access=services.web_access,
            roles=services.roles,
            translator=services.translator,
            live=services.live,
            settings=services.settings,
        )

    @property
    def bot_username(self) -> str:
        return self.services.bot_username

    @property
    def public_url(self) -> str:
        return self.services.web_url or ""
