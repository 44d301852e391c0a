"""``remotehub qr SESSION``: a PNG QR code of the link that opens asking for a session."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

from bot.cli.export import offline_relay
from bot.questions.qr import ask_link, qr_png
from config.settings import ConfigError, Settings, load_settings
from storage.db import Database


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "qr", help="write a QR code PNG of a session's asking link (for the room's screen)"
    )
    parser.add_argument("session", metavar="SESSION", help="the session's id or programme key")
    parser.add_argument(
        "--output", metavar="PATH", help="where to write the PNG (default: ask-session-ID.png)"
    )
    parser.add_argument(
        "--bot", metavar="USERNAME", help="the bot's @username (default: asked from the Bot API)"
    )
    parser.set_defaults(handle=handle)


def bot_username(settings: Settings) -> str:
    """The bot's username from ``getMe`` (needs the token)."""
    if settings.token is None:
        raise ConfigError("config: token: needed to ask the Bot API for the bot's name (or --bot)")
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

    async def session_id() -> int:
        database = Database(settings.database_url)
        try:
            return (await offline_relay(settings, database).exports.find_session(args.session)).id
        finally:
            await database.dispose()

    try:
        found = asyncio.run(session_id())
    except LookupError as exc:
        print(f"remotehub: qr: {exc.args[0]}", file=sys.stderr)
        return 1
    link = ask_link(args.bot or bot_username(settings), found)
    output = Path(args.output or f"ask-session-{found}.png")
    output.write_bytes(qr_png(link))
    print(f"{output}: {link}")
    return 0
