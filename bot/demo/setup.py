"""The rehearsal's settings and the bot started in-process, as ``remotehub run`` builds it.

The settings come only from the demo's own values: a ``REMOTEHUB_*`` variable left over from
a real deployment (its database URL above all) must never reach a rehearsal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.app import RemoteHubApplication, build_application, build_services
from bot.clock import Clock
from bot.demo.cast import Cast
from bot.demo.programme import IFLA_KEYWORDS
from bot.services import Services
from config.settings import Settings

TOKEN = "777000:REHEARSAL-token-of-the-local-server"
BOT_USERNAME = "remotehub_demo_bot"
# A real second is twelve bot minutes at the default speed: the moderator's card must not
# go back to the queue while she reads it.
CLAIM_TIMEOUT_MINUTES = 240


class DemoSettings(Settings):
    """Settings from the values given here only, never from the environment."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def demo_settings(
    *, api_url: str, database_url: str, programme: Path, zone: str, cast: Cast, language: str
) -> Settings:
    """One venue, one programme source (the sample file), the cast's moderator and channel;
    ``language`` is the channel's (and anyone's whose Telegram language the bot lacks)."""
    moderator = cast.person(cast.moderator).user_id
    values: dict[str, Any] = {
        "token": TOKEN,
        "api_url": api_url,
        "database_url": database_url,
        "timezone": zone,
        "default_language": language,
        "admins": [moderator],
        "moderators": [moderator],
        "announce_chat_id": cast.channel.chat_id,
        "reminder_minutes": [60, 10],
        "sources": [
            {"url": str(programme), "name": "Forum programme", "format": "ical", "interval": 900}
        ],
        "filter": {"keywords": list(IFLA_KEYWORDS)},
        "questions": {"claim_timeout_minutes": CLAIM_TIMEOUT_MINUTES},
        # The digest after the first poll; each IFLA session announced an hour ahead.
        "announce": {"digest_time": "08:30", "lookahead_hours": 1},
    }
    return DemoSettings(**values)


@dataclass
class RunningBot:
    """The real application polling the local server over HTTP on loopback."""

    application: RemoteHubApplication

    @property
    def services(self) -> Services:
        return self.application.bot_data.services

    @classmethod
    async def start(cls, settings: Settings, clock: Clock) -> RunningBot:
        application = build_application(build_services(settings, clock=clock))
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        await application.start()
        return cls(application)

    async def stop(self) -> None:
        """Stop as ``remotehub run`` does on SIGTERM: polling, jobs, the sender, the database."""
        application = self.application
        assert application.updater is not None
        if application.updater.running:
            await application.updater.stop()
        job_queue = application.job_queue
        if job_queue is not None and job_queue.scheduler.running:
            # PTB waits for running jobs, then shuts the scheduler down, cancelling any job
            # that started meanwhile; at the demo's speed a tick is due every few
            # milliseconds, so let none start.
            job_queue.scheduler.pause()
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
