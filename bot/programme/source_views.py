"""What admins see of ingestion: each source's health (/sources) and a poll's summary (/poll).

Typed against the shape of ingestion's ``SourceHealth`` and ``PollOutcome`` (protocols, so
this module does not depend on how ingestion is built).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.programme.events import ChangeKind, SessionChange
from bot.programme.markup import TELEGRAM_TEXT_LIMIT, shorten, visible_length
from bot.timefmt import local_label

_ERROR_MAX = 300
_STATUS_MARKS = {
    "updated": "✅",
    "unchanged": "✅",
    "not_modified": "✅",
    "held": "⏸",
    "skipped": "⏳",
    "failed": "⚠️",
}


class SourceHealthLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def last_success_at(self) -> datetime | None: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def last_error_at(self) -> datetime | None: ...
    @property
    def items(self) -> int: ...
    @property
    def failing_since(self) -> datetime | None: ...
    @property
    def next_poll_at(self) -> datetime | None: ...


class PollOutcomeLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def changes(self) -> Sequence[SessionChange]: ...
    @property
    def new_entries(self) -> int: ...
    @property
    def error(self) -> str | None: ...


def _fit(blocks: list[str], separator: str = "\n\n") -> str:
    """Join blocks, leaving out whole blocks past Telegram's limit."""
    kept: list[str] = []
    used = 0
    for block in blocks:
        size = visible_length(block) + len(separator)
        if used + size > TELEGRAM_TEXT_LIMIT - 10:
            kept.append("…")
            break
        kept.append(block)
        used += size
    return separator.join(kept)


def sources_text(
    translator: Translator,
    language: str,
    sources: Sequence[SourceHealthLike],
    zone: ZoneInfo,
) -> str:
    """/sources: one block per source: state, url, last success, last error, items, next poll."""
    if not sources:
        return translator.t(language, "schedule.sources.none")

    def when(moment: datetime) -> str:
        return local_label(moment, zone, language)

    blocks = [translator.t(language, "schedule.sources.header", zone=zone.key)]
    for source in sources:
        name = shorten(source.name or source.url, 100)
        if source.failing_since is not None:
            lines = [
                translator.t(
                    language,
                    "schedule.sources.failing",
                    name=name,
                    since=when(source.failing_since),
                )
            ]
        elif source.last_success_at is None:
            lines = [translator.t(language, "schedule.sources.waiting", name=name)]
        else:
            lines = [translator.t(language, "schedule.sources.healthy", name=name)]
        lines.append(translator.t(language, "schedule.sources.url", url=shorten(source.url, 200)))
        if source.last_success_at is not None:
            lines.append(
                translator.t(
                    language, "schedule.sources.last_success", when=when(source.last_success_at)
                )
            )
        else:
            lines.append(translator.t(language, "schedule.sources.never"))
        if source.last_error:
            error = shorten(source.last_error, _ERROR_MAX)
            at = when(source.last_error_at) if source.last_error_at else "—"
            lines.append(
                translator.t(language, "schedule.sources.last_error", error=error, when=at)
            )
        lines.append(translator.t(language, "schedule.sources.items", count=source.items))
        if source.next_poll_at is not None:
            lines.append(
                translator.t(language, "schedule.sources.next_poll", when=when(source.next_poll_at))
            )
        blocks.append("\n".join(lines))
    return _fit(blocks)


def poll_text(translator: Translator, language: str, outcomes: Sequence[PollOutcomeLike]) -> str:
    """/poll: how each source's poll went, with what changed."""
    if not outcomes:
        return translator.t(language, "schedule.poll.none")
    lines = [translator.t(language, "schedule.poll.header", count=len(outcomes))]
    for outcome in outcomes:
        status = str(outcome.status)
        lines.append(
            translator.t(
                language,
                "schedule.poll.item",
                mark=_STATUS_MARKS.get(status, "•"),
                name=shorten(outcome.name, 100),
                safe={"details": _details(translator, language, outcome, status)},
            )
        )
    return _fit(lines, separator="\n")


def _details(translator: Translator, language: str, outcome: PollOutcomeLike, status: str) -> str:
    if status == "failed":
        return translator.t(
            language, "schedule.poll.failed", error=shorten(outcome.error or "?", _ERROR_MAX)
        )
    if status in {"not_modified", "unchanged"}:
        return translator.t(language, "schedule.poll.unchanged")
    if status == "held":
        return translator.t(language, "schedule.poll.held")
    if status == "skipped":
        return translator.t(language, "schedule.poll.skipped")
    added = sum(1 for change in outcome.changes if change.kind is ChangeKind.ADDED)
    cancelled = sum(1 for change in outcome.changes if change.kind is ChangeKind.CANCELLED)
    changed = len(outcome.changes) - added - cancelled
    return translator.t(
        language,
        "schedule.poll.updated",
        added=added,
        changed=changed,
        cancelled=cancelled,
        news=outcome.new_entries,
    )
