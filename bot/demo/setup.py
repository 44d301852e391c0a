"""The rehearsal's settings and the bot started in-process, as ``remotehub run`` builds it.

The settings come only from the demo's own values: a ``REMOTEHUB_*`` variable left over from
a real deployment (its database URL above all) must never reach a rehearsal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot import runtime
from bot.app import RemoteHubApplication, build_application
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
        # The console and the wall on a free port; the demo prints their links.
        "web": {"listen": "127.0.0.1:0"},
    }
    return DemoSettings(**values)


@dataclass
class RunningBot:
    """The real application polling the local server over HTTP on loopback."""

    application: RemoteHubApplication
    running: runtime.RunningBot

    @property
    def services(self) -> Services:
        return self.application.bot_data.services

    @classmethod
    async def start(cls, settings: Settings, clock: Clock) -> RunningBot:
        application = build_application(settings, clock=clock)
        return cls(application, await runtime.start_bot(application, mode="polling"))

    async def stop(self) -> None:
        """Stop as ``remotehub run`` does on SIGTERM: polling, jobs, the sender, the database."""
        application = self.application
        await runtime.stop_intake(self.running, drain_seconds=5.0)
        job_queue = application.job_queue
        if job_queue is not None and job_queue.scheduler.running:
            # PTB waits for running jobs, then shuts the scheduler down, cancelling any job
            # that started meanwhile; at the demo's speed a tick is due every few
            # milliseconds, so let none start.
            job_queue.scheduler.pause()
        await runtime.stop_application(application)
