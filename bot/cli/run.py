"""``remotehub run``: updates by long polling or a webhook until SIGTERM or SIGINT, finishing
in-flight work; every update is in the inbox before Telegram hears it arrived."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
from bot.intake.botapi import BotApiError, BotApiUnreachable
from bot.logs import configure_logging
from bot.runtime import Mode, start_bot, stop_bot
from config.settings import Settings, load_settings

log = logging.getLogger(__name__)

DEFAULT_WAIT_SECONDS = 30.0
FIRST_RETRY_SECONDS = 1.0  # then doubled: 1, 2, 4, 8, 16 s, within --wait


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run", help="run the bot (long polling, or --webhook); needs REMOTEHUB_TOKEN"
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help='take updates by webhook on [web] listen (as [telegram] mode = "webhook")',
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help="at start, retry an unreachable Bot API for up to SECONDS (waits of 1, 2, 4, "
        "8, 16 s; the network may come up after the bot at boot) before giving up; 0: "
        f"give up at once (default: {DEFAULT_WAIT_SECONDS:g})",
    )
    parser.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, require_token=True)
    token = settings.token.get_secret_value() if settings.token else ""
    source_tokens = [source.token_value or "" for source in settings.sources]
    configure_logging(args.log_level, secrets=[token, *source_tokens])
    mode: Mode = "webhook" if getattr(args, "webhook", False) else settings.telegram.mode
    wait = max(0.0, getattr(args, "wait", DEFAULT_WAIT_SECONDS))
    try:
        return asyncio.run(_serve(settings, mode, wait))
    except Exception:
        if args.debug:
            raise
        return _explain(settings)


def _explain(settings: Settings) -> int:
    """The one line for a start that failed; called inside the ``except`` that caught it."""
    try:
        raise
    except InvalidToken:
        print("remotehub: config: token: rejected by the Bot API", file=sys.stderr)
        return 2
    except (NetworkError, BotApiUnreachable) as exc:
        print(f"remotehub: cannot reach the Bot API at {settings.api_url}: {exc}", file=sys.stderr)
        return 1
    except BotApiError as exc:
        print(f"remotehub: the Bot API refused: {exc.description}", file=sys.stderr)
        return 1
    except OSError as exc:  # the web server could not bind [web] listen
        reason = exc.strerror or str(exc)
        print(
            f"remotehub: config: web.listen: cannot listen on {settings.web.listen}: {reason}",
            file=sys.stderr,
        )
        return 1


async def _serve(settings: Settings, mode: Mode, wait: float) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    deadline = loop.time() + wait
    delay = FIRST_RETRY_SECONDS
    while True:
        application = build_application(settings)
        try:
            running = await start_bot(application, mode=mode)
            break
        except (NetworkError, BotApiUnreachable) as exc:
            left = deadline - loop.time()
            if left <= 0 or isinstance(exc, InvalidToken):
                raise
            pause = min(delay, left)
            log.warning(
                "cannot reach the Bot API at %s (%s); retrying in %.0f s",
                settings.api_url,
                exc,
                pause,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            if stop.is_set():
                return 130
            delay *= 2
    try:
        await stop.wait()
    finally:
        await stop_bot(running)
    return 0
