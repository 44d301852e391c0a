"""``remotehub import SOURCE``: read a programme or feed from a file or URL, and store it.

With ``--dry-run`` nothing is stored; ``--json`` prints one JSON object per session or entry.
Input that cannot be fetched or parsed exits with 2 and one line on stderr saying what and
where, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.clock import SystemClock
from bot.ingest.errors import ParseError
from bot.ingest.fetch import Fetcher, FetchError, is_local
from bot.ingest.outcomes import ImportSummary
from bot.ingest.records import ParseResult
from bot.ingest.registry import parse_programme
from bot.ingest.service import IngestionService
from bot.ingest.store import ProgrammeRefused
from config.settings import SOURCE_FORMATS, Settings, load_settings
from storage.db import Database
from storage.migrate import upgrade_to_head

EXIT_BAD_INPUT = 2
MAX_WARNINGS_SHOWN = 10


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "import",
        help="read a programme or feed (file or URL) into the database",
        description="Read a programme or news feed from a file path or an http(s) URL and "
        "store it in the configured database (or only show it, with --dry-run).",
    )
    parser.add_argument("source", metavar="SOURCE", help="file path, file:// or http(s) URL")
    parser.add_argument("--format", choices=SOURCE_FORMATS, help="skip detection")
    parser.add_argument(
        "--timezone", metavar="ZONE", help="zone for times without one (default: the venue's)"
    )
    parser.add_argument(
        "--sheet",
        metavar="NAME",
        help="the sheet of a workbook (XLSX) to read (default: the first)",
    )
    parser.add_argument("--dry-run", action="store_true", help="parse and show; store nothing")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    return asyncio.run(_import(args, settings))


def _fail(source: str, reason: object) -> int:
    line = " ".join(str(reason).split())
    print(f"remotehub: cannot import {source}: {line}", file=sys.stderr)
    return EXIT_BAD_INPUT


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    zone = args.timezone or settings.timezone
    async with Fetcher() as fetcher:
        try:
            fetched = await fetcher.fetch(args.source)
        except FetchError as exc:
            return _fail(args.source, exc.reason)
    # A file is known by its absolute location; a URL as written (that is what config names).
    location = fetched.final_url if is_local(args.source) else args.source
    if args.dry_run:
        try:
            parsed = await asyncio.to_thread(
                parse_programme,
                fetched.body,
                format=args.format,
                venue_tz=zone,
                content_type=fetched.content_type,
                url=location,
                sheet=args.sheet,
            )
        except ParseError as exc:
            return _fail(args.source, exc)
        _show(parsed, as_json=args.json)
        _warn(parsed.warnings + _zone_warning(args, settings, parsed.floating_times))
        return 0
    return await _store(args, settings, location, fetched.body, fetched.content_type, zone)


async def _store(
    args: argparse.Namespace,
    settings: Settings,
    location: str,
    body: bytes,
    content_type: str | None,
    zone: str,
) -> int:
    database = Database(settings.database_url)
    try:
        await upgrade_to_head(database)
        async with Fetcher() as fetcher:
            service = IngestionService(database, fetcher, SystemClock(), settings, lambda: [])
            summary = await service.import_bytes(
                body,
                source_url=location,
                format=args.format,
                venue_tz=zone,
                content_type=content_type,
                sheet=args.sheet,
            )
    except (ParseError, ProgrammeRefused) as exc:
        return _fail(args.source, exc)
    finally:
        await database.dispose()
    _warn(list(summary.warnings) + _zone_warning(args, settings, summary.floating_times))
    if args.json:
        print(json_line({"source": location, **_summary_dict(summary)}))
    else:
        what = "entries" if summary.format == "news" else "sessions"
        count = summary.entries if summary.format == "news" else summary.sessions
        print(f"imported {count} {what} ({summary.format}) from {location} as source "
              f"{summary.source_id}: {summary_figures(summary)}")  # fmt: skip
    return 0


def summary_figures(summary: ImportSummary) -> str:
    """The import's figures, adding up to the file's count; sessions gone from it apart."""
    if summary.format == "news":
        return f"{summary.added} new, {summary.unchanged} already stored"
    text = (
        f"{summary.added} added, {summary.cancelled} cancelled, {summary.updated} updated, "
        f"{summary.unchanged} unchanged"
    )
    if summary.withdrawn:
        text += f"; {summary.withdrawn} stored before and no longer in it, cancelled"
    return text


def _zone_warning(args: argparse.Namespace, settings: Settings, floating: int) -> list[str]:
    """One line when times without a zone were read in UTC only because nothing set a zone."""
    defaulted = args.timezone is None and "timezone" not in settings.model_fields_set
    if not floating or not defaulted or settings.timezone != "UTC":
        return []
    return [
        f"{floating} time(s) carry no zone and were read in UTC, the default venue zone; "
        "set timezone in the config (REMOTEHUB_TIMEZONE) or pass --timezone ZONE"
    ]


def json_line(value: dict[str, Any]) -> str:
    """One JSON object on one line: U+2028 and U+2029 escaped, which ``ensure_ascii=False``
    leaves raw and line-splitting readers (``str.splitlines``, JavaScript) take as line ends."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _summary_dict(summary: ImportSummary) -> dict[str, Any]:
    return {
        "source_id": summary.source_id,
        "format": summary.format,
        "sessions": summary.sessions,
        "entries": summary.entries,
        "added": summary.added,
        "updated": summary.updated,
        "cancelled": summary.cancelled,
        "unchanged": summary.unchanged,
        "withdrawn": summary.withdrawn,
    }


def _show(parsed: ParseResult, *, as_json: bool) -> None:
    out = sys.stdout
    for session in parsed.sessions:
        if as_json:
            out.write(json_line(session.to_json_dict()) + "\n")
        else:
            out.write(
                f"{session.start.isoformat()}  {session.room or '-'}  {session.title}"
                f"{'  [cancelled]' if session.cancelled else ''}\n"
            )
    for entry in parsed.entries:
        if as_json:
            out.write(json_line(entry.to_json_dict()) + "\n")
        else:
            published = entry.published.isoformat() if entry.published else "-"
            out.write(f"{published}  {entry.title}  {entry.link or ''}\n")
    if not as_json:
        count = len(parsed.sessions) or len(parsed.entries)
        what = "entries" if parsed.format == "news" else "sessions"
        out.write(f"{count} {what} ({parsed.format}); nothing stored (--dry-run)\n")


def _warn(warnings: list[str]) -> None:
    for warning in warnings[:MAX_WARNINGS_SHOWN]:
        print(f"remotehub: warning: {warning}", file=sys.stderr)
    if len(warnings) > MAX_WARNINGS_SHOWN:
        print(f"remotehub: ... and {len(warnings) - MAX_WARNINGS_SHOWN} more", file=sys.stderr)
