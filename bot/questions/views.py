"""What the relay hands to handlers, the CLI and exports: plain, immutable snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from storage.models import Hub, Question, QuestionStatus, Session, User


@dataclass(frozen=True, slots=True)
class SessionView:
    id: int
    key: str
    title: str
    start_at: datetime
    end_at: datetime
    timezone: str
    room: str | None

    @classmethod
    def of(cls, row: Session) -> SessionView:
        return cls(
            id=row.id,
            key=row.key,
            title=row.title,
            start_at=row.start_at,
            end_at=row.end_at,
            timezone=row.timezone,
            room=row.room,
        )

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (KeyError, ValueError):
            return ZoneInfo("UTC")


# The message id that names each status for people.
STATUS_MESSAGES: dict[str, str] = {
    status: f"questions.status.{status.value}" for status in QuestionStatus
}


def hub_label(hub: Hub) -> str:
    """ "Novosibirsk hub (Russia)"."""
    return f"{hub.name} ({hub.city})" if hub.city else hub.name


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question as moderators and exports see it; ``asker`` is None when anonymous."""

    id: int
    session_id: int
    number: int
    status: str
    text: str
    language: str
    votes: int
    anonymous: bool
    author_id: int
    asker: str | None
    asker_public: str | None  # the name without the @username, for participants' lists
    hub: str | None
    hub_chat_id: int | None
    claimed_by: int | None
    answer_text: str | None
    reject_reason: str | None
    created_at: datetime
    approved_at: datetime | None
    forwarded_at: datetime | None
    skipped_at: datetime | None
    answered_at: datetime | None
    rejected_at: datetime | None
    withdrawn_at: datetime | None
    edited_at: datetime | None

    @classmethod
    def of(cls, row: Question, author: User | None = None, hub: Hub | None = None) -> QuestionView:
        asker = public = None
        if not row.anonymous and row.hub_chat_id is None and author is not None:
            asker, public = _person(author), author.display_name
        return cls(
            id=row.id,
            session_id=row.session_id,
            number=row.number,
            status=row.status,
            text=row.text,
            language=row.language,
            votes=row.votes,
            anonymous=row.anonymous,
            author_id=row.author_id,
            asker=asker,
            asker_public=public,
            hub=hub_label(hub) if hub is not None else None,
            hub_chat_id=row.hub_chat_id,
            claimed_by=row.claimed_by,
            answer_text=row.answer_text,
            reject_reason=row.reject_reason,
            created_at=row.created_at,
            approved_at=row.approved_at,
            forwarded_at=row.forwarded_at,
            skipped_at=row.skipped_at,
            answered_at=row.answered_at,
            rejected_at=row.rejected_at,
            withdrawn_at=row.withdrawn_at,
            edited_at=row.edited_at,
        )


def _person(user: User) -> str:
    name = user.display_name
    if user.username and not name.startswith("@"):
        return f"{name} (@{user.username})"
    return name
