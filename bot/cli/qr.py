"""``remotehub qr SESSION``: a PNG QR code of the link that opens asking for a session."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

from bot.cli.export import offline_relay
from bot.links import ask_link
from bot.questions.qr import qr_png
from config.settings import ConfigError, Settings, load_settings
from storage.db import Database
from storage.repos import bot_facts


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "qr", help="write a QR code PNG of a session's asking link (for the room's screen)"
    )
    parser.add_argument("session", metavar="SESSION", help="the session's id or programme key")
    parser.add_argument(
        "--output", metavar="PATH", help="where to write the PNG (default: ask-session-ID.png)"
    )
    parser.add_argument(
        "--bot",
        metavar="USERNAME",
        help="the bot's @username (default: bot_username in the config, else the name the bot "
        "stored on its last start, else asked from the Bot API with the token)",
    )
    parser.set_defaults(handle=handle)


def bot_username(settings: Settings) -> str:
    """The bot's username from ``getMe`` (needs the token)."""
    if settings.token is None:
        raise ConfigError(
            "config: bot_username: unknown until the bot has started once; set it (or "
            "REMOTEHUB_BOT_USERNAME), pass --bot USERNAME, or give the token to ask the Bot API"
        )
    url = f"{settings.api_url}/bot{settings.token.get_secret_value()}/getMe"
    try:
        answer = httpx.get(url, timeout=10).json()
    except (httpx.HTTPError, ValueError):
        raise ConfigError(
            f"cannot reach the Bot API at {settings.api_url} (or use --bot)"
        ) from None
    if not answer.get("ok"):
        raise ConfigError("config: token: rejected by the Bot API")
    return str(answer["result"]["username"])


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)

    async def session_and_name() -> tuple[int, str | None]:
        database = Database(settings.database_url)
        try:
            session = await offline_relay(settings, database).exports.find_session(args.session)
            async with database.transaction() as db:
                return session.id, await bot_facts.recall(db, bot_facts.USERNAME)
        finally:
            await database.dispose()

    try:
        found, stored = asyncio.run(session_and_name())
    except LookupError as exc:
        print(f"remotehub: qr: {exc.args[0]}", file=sys.stderr)
        return 1
    name = args.bot or settings.bot_username or stored or bot_username(settings)
    link = ask_link(name.lstrip("@"), found)
    output = Path(args.output or f"ask-session-{found}.png")
    output.write_bytes(qr_png(link))
    print(f"{output}: {link}")
    return 0
