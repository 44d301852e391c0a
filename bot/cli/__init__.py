"""``remotehub``: the command line. Each subcommand lives in its own module of this package."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from bot.cli import chat, db, demo, export, import_cmd, qr, run, sessions
from config.settings import ConfigError

# Subcommand modules, each with add_parser(subparsers) and handle(args) -> exit code.
SUBCOMMANDS = [run, chat, db, import_cmd, sessions, export, qr, demo]

EXIT_CONFIG = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader left


def _version() -> str:
    try:
        return version("remotehub")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="remotehub",
        description="RemoteHub: a Telegram bot for remote participation in forum sessions.",
    )
    parser.add_argument("--version", action="version", version=f"remotehub {_version()}")
    parser.add_argument("--config", metavar="PATH", help="TOML settings file (or REMOTEHUB_CONFIG)")
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        code: int = args.handle(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        return _reader_left()
    except ConfigError as exc:
        print(f"remotehub: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"remotehub: error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1


def _reader_left() -> int:
    """End quietly when stdout's reader went away (``remotehub sessions | head -1``), as Unix
    tools do: what is still buffered goes to /dev/null so the exit's flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE
