"""``remotehub demo``: rehearse a forum day offline against the real bot (see bot/demo/)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from bot.demo.options import (
    DEFAULT_SPEED,
    DEFAULT_ZONE,
    FAST_SPEED,
    INTERACTIVE_SPEED,
    DemoOptions,
)
from bot.i18n import LANGUAGES, default_translator
from bot.logs import configure_logging
from config.settings import validate_zone

EXIT_INTERRUPTED = 130


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError("must be between 1 and 100000")
    return value


def _zone(text: str) -> str:
    try:
        return validate_zone(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="rehearse a forum day offline: the real bot, a local Bot API server, scripted people",
        description=(
            "Runs the real bot against the project's local Bot API server with a sample "
            "programme and scripted participants; no token and no network needed. "
            "Bot logs are shown from WARNING up unless --log-level says otherwise."
        ),
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        default=None,
        help=f"how much faster than real time the day runs (default {DEFAULT_SPEED:g}; "
        f"{INTERACTIVE_SPEED:g} with --interactive)",
    )
    parser.add_argument(
        "--fast", action="store_true", help=f"compress time further (speed {FAST_SPEED:g})"
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="keep the database, the programme, the export and the transcript in DIR",
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="the scripted people write in this language"
    )
    parser.add_argument(
        "--interactive",
        action="store_true",
        help="be one of the participants: type messages, numbers press buttons",
    )
    parser.add_argument(
        "--zone",
        type=_zone,
        default=DEFAULT_ZONE,
        help=f"the venue's zone (default {DEFAULT_ZONE})",
    )
    parser.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    if args.keep is not None and args.keep.exists() and not args.keep.is_dir():
        print(f"remotehub: demo: --keep: {args.keep} is not a directory", file=sys.stderr)
        return 2
    # Imported here: ``remotehub run`` need not load the local server and the script.
    from bot.demo.runner import DemoError, run_demo
    from bot.demo.setup import TOKEN

    level = "WARNING" if args.log_level == "INFO" else args.log_level
    configure_logging(level, secrets=[TOKEN])
    # At the demo's speed a one-minute tick is a few dozen milliseconds: APScheduler skipping
    # one while the previous pass still runs is expected, not worth a warning on the terminal.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    speed = args.speed
    if speed is None:
        speed = (
            FAST_SPEED if args.fast else INTERACTIVE_SPEED if args.interactive else DEFAULT_SPEED
        )
    options = DemoOptions(
        speed=speed,
        language=args.lang,
        keep=args.keep,
        interactive=args.interactive,
        zone=args.zone,
    )
    try:
        result = asyncio.run(run_demo(options))
    except DemoError as exc:
        print(f"remotehub: demo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(default_translator().t(args.lang, "demo.interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    return result.exit_code
