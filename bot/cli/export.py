"""``remotehub export --session KEY --format csv|md|json``: a session's questions on stdout."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.clock import SystemClock
from bot.i18n import LANGUAGES, default_translator
from bot.questions import QuestionRelay, assemble
from bot.questions.base import RelayContext
from bot.questions.export import FORMATS, render
from config.settings import Settings, load_settings
from storage.db import Database


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export", help="print a session's questions as CSV, Markdown or JSON"
    )
    parser.add_argument(
        "--session", required=True, metavar="KEY", help="the session's id or programme key"
    )
    parser.add_argument("--format", choices=FORMATS, default="csv")
    parser.add_argument(
        "--language", choices=LANGUAGES, help="language of the Markdown report (default: config)"
    )
    parser.set_defaults(handle=handle)


def offline_relay(settings: Settings, database: Database) -> QuestionRelay:
    """The relay without a bot: for the command line (nothing is sent from here)."""
    context = RelayContext(
        database=database,
        clock=SystemClock(),
        limits=settings.questions,
        translator=default_translator(),
    )
    return assemble(context)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    language = args.language or settings.default_language

    async def export() -> str:
        database = Database(settings.database_url)
        try:
            relay = offline_relay(settings, database)
            session = await relay.exports.find_session(args.session)
            report = await relay.exports.report(session.id)
            return render(report, args.format, relay.context.translator, language)
        finally:
            await database.dispose()

    try:
        text = asyncio.run(export())
    except LookupError as exc:
        print(f"remotehub: export: {exc.args[0]}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0
