"""The question relay: questions, votes, remote hubs, moderators and who is typing what."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class QuestionStatus(StrEnum):
    """Where a question is (``questions.status``; the stored values)."""

    WAITING = "waiting"
    PENDING_APPROVAL = "pending_approval"
    CLAIMED = "claimed"
    ANSWERED = "answered"
    SKIPPED = "skipped"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AskingStep(StrEnum):
    """Whose next message the relay waits for, and what it is (``asking_states.step``)."""

    IDLE = "idle"
    CHOOSE = "choose"  # pick a session (maybe with the question already written)
    TEXT = "text"  # the next message is the question
    SIMILAR = "similar"  # a near-duplicate was offered: vote for it, or send anyway
    REASON = "reason"  # a moderator's reason for rejecting
    ANSWER = "answer"  # a moderator's written answer


class Question(Base):
    """One question to a session's panel; ``number`` counts per session from 1."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("session_id", "number", name="uq_questions_session_number"),
        Index("ix_questions_queue", "session_id", "status", "votes"),
        Index("ix_questions_author", "author_id", "created_at"),
        # One question per asking message: a redelivered update cannot store it twice.
        Index("ix_questions_source_message", "chat_id", "message_id", unique=True),
        Index("ix_questions_claims", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(BigId, ForeignKey("sessions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept for abuse handling even when the question is anonymous; never shown then.
    author_id: Mapped[int] = mapped_column(BigInteger)
    hub_chat_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("hubs.chat_id"))
    # Where the question was asked: notices go there, edits of that message update the text.
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    notify_language: Mapped[str] = mapped_column(String(8))
    votes: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime | None]
    answer_text: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    forwarded_at: Mapped[datetime | None]  # first claimed: handed to the panel
    skipped_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]


class QuestionTranslation(Base):
    """A machine translation of one question into one language, or why there is none.

    ``text`` is set when the server translated; else ``reason`` says what went wrong. An
    edit of the question deletes its rows (the text they translate is gone).
    """

    __tablename__ = "question_translations"

    question_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str | None] = mapped_column(Text)
    source_language: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]


class QuestionVote(Base):
    """One person's 👍 for one question; the question's ``votes`` column mirrors the count."""

    __tablename__ = "question_votes"

    question_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime]


class Hub(Base):
    """A group chat registered as a remote hub: its questions are asked in the hub's name."""

    __tablename__ = "hubs"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    registered_by: Mapped[int] = mapped_column(BigInteger)
    # Unregistering keeps the row: past questions stay attributed to the hub in exports.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Moderator(Base):
    """A moderator added at run time; ``scope`` is "all", "session:<id>" or "event:<source id>"."""

    __tablename__ = "moderators"
    __table_args__ = (UniqueConstraint("user_id", "scope", name="uq_moderators_user_scope"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    scope: Mapped[str] = mapped_column(String(40))
    session_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sessions.id", ondelete="CASCADE")
    )
    source_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sources.id", ondelete="CASCADE")
    )
    added_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class QuestionSession(Base):
    """Per-session relay settings (pre-moderation) and the counter behind question numbers."""

    __tablename__ = "question_sessions"

    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    premoderation: Mapped[bool] = mapped_column(Boolean, default=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class ModeratorFocus(Base):
    """The session a moderator is working on (chosen with /moderate)."""

    __tablename__ = "moderator_focus"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    session_id: Mapped[int] = mapped_column(BigId, ForeignKey("sessions.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime]


class AskingState(Base):
    """What this person's next message in this chat means (a question, a reject reason...).

    Kept in the database so that a restart between ``/ask`` and the text loses nothing.
    ``anonymous`` is the person's standing choice and outlives each step.
    """

    __tablename__ = "asking_states"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    step: Mapped[str] = mapped_column(String(20))
    session_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sessions.id", ondelete="CASCADE")
    )
    question_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("questions.id", ondelete="CASCADE")
    )
    draft_text: Mapped[str | None] = mapped_column(Text)
    draft_message_id: Mapped[int | None] = mapped_column(BigInteger)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


__all__ = [
    "AskingState",
    "Hub",
    "Moderator",
    "ModeratorFocus",
    "Question",
    "QuestionSession",
    "QuestionTranslation",
    "QuestionVote",
]
