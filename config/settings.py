"""Settings: a TOML file, overridden by ``REMOTEHUB_*`` environment variables.

Start-up fails with one line naming the bad setting (`ConfigError`), never a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///remotehub.db"


SourceFormat = Literal[
    "ical",
    "frab_xml",
    "frab_json",
    "indico_timetable",
    "indico_event",
    "pretalx_widget",
    "csv",
    "xcal",
    "xlsx",
    "news",
]
SOURCE_FORMATS: tuple[str, ...] = get_args(SourceFormat)


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line that names it."""


def validate_zone(name: str) -> str:
    """Return ``name`` if it is a known IANA zone, else raise ValueError."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name like 'Asia/Baku')"
        ) from None
    return name


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSettings(_Section):
    """One programme or news source polled by the bot."""

    url: str
    name: str | None = None
    format: SourceFormat | None = None
    interval: int = Field(default=900, ge=30, description="seconds between polls")
    timezone: str | None = None
    # An API token (Indico's personal tokens), sent as "Authorization: Bearer ..."; a
    # SecretStr, so reprs and logs of the settings never show it.
    token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("token", "api_token")
    )
    # The sheet of a workbook (XLSX) holding the programme; the first one when absent.
    sheet: str | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else validate_zone(value)

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if any(c.isspace() or not c.isprintable() for c in value.get_secret_value().strip()):
            raise ValueError("must be one word without spaces or control characters")
        return SecretStr(value.get_secret_value().strip())

    @property
    def token_value(self) -> str | None:
        return self.token.get_secret_value() if self.token else None


class FilterSettings(_Section):
    """What makes a session an "IFLA session" worth announcing."""

    keywords: list[str] = Field(default_factory=lambda: ["IFLA"])


class QuestionSettings(_Section):
    max_length: int = Field(default=1000, ge=3)
    min_length: int = Field(default=3, ge=1)
    max_open_per_person: int = Field(default=3, ge=1)
    cooldown_seconds: int = Field(default=20, ge=0)
    open_before_minutes: int = Field(default=30, ge=0)
    claim_timeout_minutes: int = Field(default=10, ge=1)


class AnnounceSettings(_Section):
    digest_time: str | None = Field(default="08:00", description="local HH:MM, or empty for none")
    starting_now: bool = True
    lookahead_hours: int = Field(default=48, ge=1)

    @field_validator("digest_time")
    @classmethod
    def _digest_time(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError("must be a time of day as HH:MM (like '08:00'), or empty for none")
        return value.strip()

    @property
    def digest_at(self) -> time | None:
        """The digest's venue-local time of day, or None when there is no digest."""
        if self.digest_time is None:
            return None
        hours, minutes = self.digest_time.split(":")
        return time(int(hours), int(minutes))


_HOST_PORT = re.compile(r"^(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


class WebSettings(_Section):
    listen: str = "127.0.0.1:8080"  # host:port the bot's web server binds
    public_url: str | None = (
        None  # what people open (https behind a proxy); default http://<listen>
    )
    enabled: bool = True
    # Who may show the pages in a frame: Telegram Web opens the Mini App in one.
    frame_ancestors: list[str] = ["https://web.telegram.org"]

    @field_validator("frame_ancestors")
    @classmethod
    def _frame_ancestors(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin like 'https://web.telegram.org'")
        return value

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        found = _HOST_PORT.match(value.strip())
        if found is None or int(found.group("port")) > 65535:
            raise ValueError("must be host:port, like '127.0.0.1:8080'")
        return value.strip()

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.strip().rstrip("/")

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])


class TranslateSettings(_Section):
    """A LibreTranslate-compatible server for questions across languages; none without url."""

    url: str | None = None
    api_key: SecretStr | None = None
    timeout: float = Field(default=5.0, gt=0, le=60, description="seconds per request")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.strip().startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (like 'http://127.0.0.1:5000')")
        return value.strip().rstrip("/")


class BroadcastSettings(_Section):
    """How reminders to many chats go out; ``paid`` uses Telegram's paid broadcasts."""

    # allow_paid_broadcast: up to 1,000 messages a second, 0.1 Star each from the bot's balance.
    paid: bool = False


class TelegramSettings(_Section):
    """How updates arrive (long polling or a webhook) and how many are handled at once."""

    mode: Literal["polling", "webhook"] = "polling"
    # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; absent, one is derived from
    # the token (stable across restarts and instances, known only to who holds the token).
    webhook_secret: SecretStr | None = None
    webhook_path: str = "/telegram/webhook"
    max_connections: int = Field(default=40, ge=1, le=100)
    # Updates of different chats handled side by side (one chat's are always in order).
    concurrency: int = Field(default=16, ge=1, le=256)
    # Handled updates are kept this long (Telegram resends nothing older than a day).
    inbox_keep_hours: int = Field(default=48, ge=25)

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not re.fullmatch(r"/[A-Za-z0-9_./-]*", value):
            raise ValueError("must be a URL path starting with /")
        return value


class Settings(BaseSettings):
    """Everything RemoteHub can be told; see config/example.toml."""

    model_config = SettingsConfigDict(
        env_prefix="REMOTEHUB_", extra="forbid", frozen=True, env_nested_delimiter="__"
    )

    token: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    config: Path | None = None
    # The bot's @username for links and QR codes made offline (learned on start otherwise).
    bot_username: str | None = None

    timezone: str = "UTC"
    default_language: Literal["en", "ru", "ar", "zh", "fr", "de", "es"] = "en"
    admins: list[int] = Field(default_factory=list)
    moderators: list[int] = Field(default_factory=list)
    announce_chat_id: int | None = None
    reminder_minutes: list[int] = Field(default_factory=lambda: [60, 10])
    sources: list[SourceSettings] = Field(default_factory=list)
    filter: FilterSettings = Field(default_factory=FilterSettings)
    webcasts: dict[str, str] = Field(default_factory=dict)
    questions: QuestionSettings = Field(default_factory=QuestionSettings)
    announce: AnnounceSettings = Field(default_factory=AnnounceSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    broadcast: BroadcastSettings = Field(default_factory=BroadcastSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    translate: TranslateSettings = Field(default_factory=TranslateSettings)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return validate_zone(value)

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("reminder_minutes")
    @classmethod
    def _leads(cls, value: list[int]) -> list[int]:
        if any(minutes <= 0 or minutes > 7 * 24 * 60 for minutes in value):
            raise ValueError("each lead time must be between 1 and 10080 minutes")
        return sorted(set(value), reverse=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives through init kwargs (see load_settings); env wins over it.
        return (env_settings, init_settings)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config: file not found: {path}") from None
    except PermissionError:
        raise ConfigError(f"config: cannot read {path}: permission denied") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config: {path} is not UTF-8 text") from None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "settings"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    return f"config: {where}: {message}"


def load_settings(
    config_path: Path | str | None = None, *, require_token: bool = False
) -> Settings:
    """Load settings from the TOML file (``--config``/``REMOTEHUB_CONFIG``) and the environment."""
    path_text = config_path or os.environ.get("REMOTEHUB_CONFIG")
    file_values: dict[str, Any] = {}
    if path_text:
        path = Path(path_text)
        file_values = _read_toml(path)
        file_values["config"] = path
    try:
        settings = Settings(**file_values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    if require_token and (settings.token is None or not settings.token.get_secret_value()):
        raise ConfigError("config: token: missing (set REMOTEHUB_TOKEN to the bot's token)")
    if settings.token is not None and ":" not in settings.token.get_secret_value():
        raise ConfigError("config: token: does not look like a bot token ('123456:ABC...')")
    return settings
