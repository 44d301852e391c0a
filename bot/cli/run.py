"""``remotehub run``: long polling until SIGTERM or SIGINT, finishing in-flight work."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, build_services
from bot.logs import configure_logging
from config.settings import load_settings


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run", help="run the bot (long polling); needs REMOTEHUB_TOKEN"
    )
    parser.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, require_token=True)
    token = settings.token.get_secret_value() if settings.token else ""
    configure_logging(args.log_level, secrets=[token])
    application = build_application(build_services(settings))
    # PTB's run_polling manages its own loop; make sure a fresh one exists (tests call us twice).
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        application.run_polling(
            allowed_updates=Update.ALL_TYPES,
            stop_signals=(signal.SIGINT, signal.SIGTERM),
        )
    except InvalidToken:
        print("remotehub: config: token: rejected by the Bot API", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"remotehub: cannot reach the Bot API at {settings.api_url}: {exc}", file=sys.stderr)
        return 1
    return 0
