"""Stable record keys: hashes for sources without ids, and de-duplication."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

from bot.ingest.records import SessionRecord


def hashed_key(*parts: object, algo: str = "sha1") -> str:
    """A key like ``sha1:<hex>`` from the given parts (None counts as empty)."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return f"{algo}:{hashlib.new(algo, text.encode('utf-8')).hexdigest()}"


def occurrence_suffix(start: datetime) -> str:
    """The ISO text (UTC) appended to a key to tell occurrences apart."""
    return start.astimezone(UTC).isoformat()


def make_keys_unique(sessions: list[SessionRecord], warnings: list[str]) -> list[SessionRecord]:
    """Give every session a distinct key, deterministically.

    A key used by several sessions becomes ``key#<start ISO>`` for all of them;
    any that still collide get ``#2``, ``#3`` ... in input order.
    """
    counts = Counter(s.key for s in sessions)
    duplicated = {key for key, n in counts.items() if n > 1}
    if not duplicated:
        return sessions
    warnings.append(
        f"{len(duplicated)} key(s) used by several sessions, e.g. {sorted(duplicated)[0]!r}; "
        "made unique with the start time"
    )
    seen: Counter[str] = Counter()
    result: list[SessionRecord] = []
    for session in sessions:
        key = session.key
        if key in duplicated:
            key = f"{key}#{occurrence_suffix(session.start)}"
            seen[key] += 1
            if seen[key] > 1:
                key = f"{key}#{seen[key]}"
            session = replace(session, key=key)
        result.append(session)
    return result
