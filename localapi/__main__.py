"""Run the local Bot API server standalone: ``python -m localapi --port 8081``.

Point the bot at the printed URLs. Another process can act as users through
``POST {root}/_local/<action>`` with JSON arguments (``add_user``, ``send_text``,
``press_button``, ...) and read ``GET {root}/_local/sent`` and ``/_local/stats``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .limits import RateLimits
from .server import LocalBotApiServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m localapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--username", default="remotehub_test_bot", help="the bot's username")
    parser.add_argument("--no-limits", action="store_true", help="count, but never answer 429")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:NAME",
        help="pre-register a user (repeatable), e.g. --user 42:Ada",
    )
    parser.add_argument("--quiet-log", action="store_true", help="do not keep a request log")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the server, print where it is, and run until interrupted."""
    server = LocalBotApiServer(
        args.token,
        bot_username=args.username,
        enforce_limits=not args.no_limits,
        limits=RateLimits(),
        host=args.host,
        port=args.port,
        log_requests=not args.quiet_log,
    )
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        server.add_user(int(user_id), name or f"User{user_id}")
    root = await server.start()
    print(root, flush=True)
    print(f"base_url={server.base_url} base_file_url={server.base_file_url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
