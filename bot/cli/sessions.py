"""``remotehub sessions``: the stored programme, one line (or JSON object) per session."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url

from config.settings import Settings, load_settings
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.models import Session
from storage.repos import programme


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sessions", help="list the stored programme (times in each session's venue zone)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--source", type=int, metavar="ID", help="only this source's sessions")
    parser.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    sessions = asyncio.run(_load(settings, args.source))
    fallback = settings.zone
    if not sessions:
        print(_nothing_stored(settings, args.source), file=sys.stderr)
    for session in sessions:
        zone = _zone(session.timezone, fallback)
        if args.json:
            line = json.dumps(session_json(session, zone), ensure_ascii=False)
        else:
            line = session_line(session, zone)
        sys.stdout.write(line + "\n")
    return 0


def _nothing_stored(settings: Settings, source_id: int | None) -> str:
    """Why the list is empty and what to do, on stderr so ``--json`` stays clean."""
    if source_id is not None:
        return f"remotehub: no sessions stored for source {source_id} (an import names its id)"
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    return (
        f"remotehub: no sessions stored in {where}; import a programme with "
        "`remotehub import FILE_OR_URL` (iCalendar, frab XML/JSON, CSV), or list it in "
        "[[sources]] and `remotehub run` polls it"
    )


async def _load(settings: Settings, source_id: int | None) -> list[Session]:
    database = Database(settings.database_url)
    try:
        await upgrade_to_head(database)
        async with database.transaction() as db:
            return await programme.list_sessions(db, source_id=source_id)
    finally:
        await database.dispose()


def _zone(name: str, fallback: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def session_line(session: Session, zone: ZoneInfo) -> str:
    start, end = session.start_at.astimezone(zone), session.end_at.astimezone(zone)
    span = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" + ("" if end.date() == start.date() else "(+1)")
    marks = "".join(
        mark
        for flag, mark in ((session.is_ifla, " [IFLA]"), (session.cancelled, " [cancelled]"))
        if flag
    )
    return f"{session.id:>6}  {span} {zone.key}  {session.room or '-'}  {session.title}{marks}"


def session_json(session: Session, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": session.id,
        "source_id": session.source_id,
        "key": session.key,
        "title": session.title,
        "start": session.start_at.astimezone(zone).isoformat(),
        "end": session.end_at.astimezone(zone).isoformat(),
        "timezone": session.timezone,
        "room": session.room,
        "track": session.track,
        "url": session.url,
        "webcast_url": session.webcast_url,
        "persons": list(session.persons or []),
        "description": session.description,
        "cancelled": session.cancelled,
        "is_ifla": session.is_ifla,
    }
