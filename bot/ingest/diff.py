"""What a fresh parse changes in a stored programme: rows to write and events to tell.

Pure Python over the stored rows and the new records, so the rules (what counts as a move,
when a session is cancelled) are tested without a database, and a large programme is
compared in one pass after one query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String

from bot.ingest.records import SessionRecord
from bot.programme.events import ChangeKind, SessionChange
from storage.models import Session

# Columns a poll may change; the rest (ids, timestamps, vanished) are bookkeeping.
COMPARED = (
    "title",
    "start_at",
    "end_at",
    "timezone",
    "room",
    "track",
    "url",
    "webcast_url",
    "participation_url",
    "organiser",
    "persons",
    "description",
    "language",
    "cancelled",
    "all_day",
    "sequence",
    "is_ifla",
)
KEY_LENGTH = 500


def _column_lengths() -> dict[str, int]:
    lengths = {}
    for column in Session.__table__.columns:
        if isinstance(column.type, String) and column.type.length:
            lengths[column.name] = column.type.length
    return lengths


_LENGTHS = _column_lengths()
PERSON_LENGTH = 255
MAX_PERSONS = 100


def stored_key(key: str) -> str:
    """The key as stored: a key longer than the column becomes its hash (stable across polls)."""
    key = key.replace("\x00", "")
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _text(value: str | None, column: str) -> str | None:
    if value is None:
        return None
    value = value.replace("\x00", "")  # PostgreSQL refuses NUL in text
    limit = _LENGTHS.get(column)
    return value[: limit - 1] + "…" if limit and len(value) > limit else value


def _person(name: str) -> str:
    name = name.replace("\x00", "")
    return name[: PERSON_LENGTH - 1] + "…" if len(name) > PERSON_LENGTH else name


def row_values(record: SessionRecord, *, is_ifla: bool) -> dict[str, Any]:
    """The columns for ``record``, fitted to the schema (hostile lengths, NUL characters)."""
    return {
        "key": stored_key(record.key),
        "title": _text(record.title, "title") or "",
        "start_at": record.start,
        "end_at": max(record.end, record.start),
        "timezone": _text(record.timezone, "timezone") or "UTC",
        "room": _text(record.room, "room"),
        "track": _text(record.track, "track"),
        "url": _text(record.url, "url"),
        "webcast_url": _text(record.webcast_url, "webcast_url"),
        "participation_url": _text(record.participation_url, "participation_url"),
        "organiser": _text(record.organiser, "organiser"),
        "persons": [_person(name) for name in record.persons[:MAX_PERSONS]],
        "description": (record.description or "").replace("\x00", ""),
        "language": _text(record.language, "language"),
        "cancelled": record.cancelled,
        "all_day": record.all_day,
        "sequence": record.sequence,
        "is_ifla": is_ifla,
    }


@dataclass
class ProgrammeDiff:
    """Rows to insert and update, and the changes they make (ids of new rows come later)."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    changes: list[SessionChange] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    live_before: int = 0
    vanished: int = 0

    def added_changes(self, ids: Mapping[str, int]) -> list[SessionChange]:
        """ADDED changes for the inserted rows, once their ids are known."""
        return [
            SessionChange(
                session_id=ids[values["key"]],
                kind=ChangeKind.ADDED,
                title=values["title"],
                old_start=None,
                new_start=values["start_at"],
                old_room=None,
                new_room=values["room"],
                is_ifla=values["is_ifla"],
            )
            for values in self.added
        ]


def classify(row: Session, values: Mapping[str, Any]) -> ChangeKind | None:
    """The one change a re-poll makes to a session, most important first; None if none.

    A session moved to another time AND room is one MOVED change carrying both rooms, so
    subscribers hear about it once.
    """
    if values["cancelled"] and not row.cancelled:
        return ChangeKind.CANCELLED
    if row.cancelled and not values["cancelled"]:
        return ChangeKind.RESTORED
    if values["start_at"] != row.start_at or values["end_at"] != row.end_at:
        return None if row.cancelled else ChangeKind.MOVED
    if values["room"] != row.room:
        return None if row.cancelled else ChangeKind.ROOM_CHANGED
    return None


def _differs(row: Session, values: Mapping[str, Any]) -> bool:
    return row.vanished or any(getattr(row, name) != values[name] for name in COMPARED)


def diff_programme(
    stored: Sequence[Session],
    incoming: Sequence[dict[str, Any]],
    *,
    now: datetime,
) -> ProgrammeDiff:
    """Compare the source's stored rows with a fresh parse (``row_values`` dicts)."""
    diff = ProgrammeDiff(live_before=sum(1 for row in stored if not row.cancelled))
    remaining = {row.key: row for row in stored}
    seen: set[str] = set()
    for values in incoming:
        key = values["key"]
        if key in seen:  # the parser makes keys unique; hashing long ones could collide
            continue
        seen.add(key)
        row = remaining.pop(key, None)
        if row is None:
            diff.inserts.append({**values, "vanished": False, "created_at": now, "updated_at": now})
            if not values["cancelled"]:
                diff.added.append(values)
            continue
        if not _differs(row, values):
            continue
        diff.updates.append({"id": row.id, **values, "vanished": False, "updated_at": now})
        kind = classify(row, values) or ChangeKind.UPDATED
        diff.changes.append(_change(row, kind, values))
    for row in remaining.values():
        if row.cancelled:
            continue
        diff.vanished += 1
        diff.updates.append({"id": row.id, "cancelled": True, "vanished": True, "updated_at": now})
        diff.changes.append(_change(row, ChangeKind.CANCELLED, None))
    return diff


def _change(row: Session, kind: ChangeKind, values: Mapping[str, Any] | None) -> SessionChange:
    new = values or {}
    return SessionChange(
        session_id=row.id,
        kind=kind,
        title=new.get("title", row.title),
        old_start=row.start_at,
        new_start=new.get("start_at", row.start_at),
        old_room=row.room,
        new_room=new.get("room", row.room),
        is_ifla=new.get("is_ifla", row.is_ifla),
    )
