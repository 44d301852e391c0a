"""What ingestion reports back: one poll, one import, one source's health."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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
    """One import by hand. The file's sessions add up: ``added + cancelled + updated +
    unchanged == sessions``; ``withdrawn`` are stored sessions no longer in the file (cancelled
    by that absence), counted apart because they are not among the file's."""

    source_id: int
    format: str
    sessions: int
    entries: int
    added: int
    updated: int
    cancelled: int
    unchanged: int = 0
    withdrawn: int = 0
    floating_times: int = 0
    warnings: tuple[str, ...] = ()

    @classmethod
    def tally(
        cls,
        *,
        source_id: int,
        format: str,
        records: Sequence[tuple[str, bool]],
        before: Mapping[str, int],
        changes: Sequence[SessionChange],
        entries: int,
        new_entries: int,
        warnings: Sequence[str],
        floating_times: int = 0,
    ) -> ImportSummary:
        """Count each of the file's sessions once. ``records`` are its (stored key, cancelled)
        pairs, ``before`` the source's stored keys -> ids, ``changes`` what the store made."""
        kinds = {change.session_id: change.kind for change in changes}
        buckets: Counter[str] = Counter()
        in_file: set[int] = set()
        for key, cancelled in dict(records).items():
            session_id = before.get(key)
            if session_id is None:
                buckets["cancelled" if cancelled else "added"] += 1
                continue
            in_file.add(session_id)
            kind = kinds.get(session_id)
            if kind is None:
                buckets["unchanged"] += 1
            elif kind is ChangeKind.CANCELLED:
                buckets["cancelled"] += 1
            else:
                buckets["updated"] += 1
        withdrawn = sum(
            1
            for change in changes
            if change.kind is ChangeKind.CANCELLED and change.session_id not in in_file
        )
        return cls(
            source_id=source_id,
            format=format,
            sessions=len(records),
            entries=entries,
            added=buckets["added"] + new_entries,
            updated=buckets["updated"],
            cancelled=buckets["cancelled"],
            unchanged=buckets["unchanged"] + max(entries - new_entries, 0),
            withdrawn=withdrawn,
            floating_times=floating_times,
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
