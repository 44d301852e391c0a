"""What ingestion reports back: one poll, one import, one source's health."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.programme.events import ChangeKind, SessionChange


class PollStatus(StrEnum):
    NOT_MODIFIED = "not_modified"  # 304: nothing fetched, nothing parsed
    UNCHANGED = "unchanged"  # 200 with the body already applied: nothing parsed
    UPDATED = "updated"  # parsed and stored (possibly with no change at all)
    HELD = "held"  # would cancel most of the programme: waits for a second sighting
    FAILED = "failed"
    SKIPPED = "skipped"  # already being polled


@dataclass(frozen=True, slots=True)
class PollOutcome:
    source_id: int
    name: str
    status: PollStatus
    changes: tuple[SessionChange, ...] = ()
    new_entries: int = 0
    items: int = 0
    error: str | None = None

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    source_id: int
    format: str
    sessions: int
    entries: int
    added: int
    updated: int
    cancelled: int
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_changes(
        cls,
        *,
        source_id: int,
        format: str,
        sessions: int,
        entries: int,
        changes: tuple[SessionChange, ...],
        new_entries: int,
        warnings: list[str],
    ) -> ImportSummary:
        kinds = Counter(change.kind for change in changes)
        cancelled = kinds.pop(ChangeKind.CANCELLED, 0)
        added = kinds.pop(ChangeKind.ADDED, 0) + new_entries
        return cls(
            source_id=source_id,
            format=format,
            sessions=sessions,
            entries=entries,
            added=added,
            updated=sum(kinds.values()),
            cancelled=cancelled,
            warnings=tuple(warnings),
        )


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One line of /sources: what the source is and how polling it goes."""

    source_id: int
    name: str
    url: str
    format: str | None
    enabled: bool
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    items: int
    failing_since: datetime | None
    consecutive_failures: int
    next_poll_at: datetime | None
    permanent_url: str | None = None

    @property
    def failing(self) -> bool:
        return self.failing_since is not None
