"""The web pages: sign-in links, browser sessions, replayed actions, walls, hub headcounts.

Secrets (sign-in links, session cookies) are stored as SHA-256 hashes only: a copy of the
database signs nobody in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, JSONValue


class WebSignInLink(Base):
    """A one-time link from /console: used once, within minutes."""

    __tablename__ = "web_signin_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser: the cookie's hash, who it is, and the CSRF token of its forms."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    language: Mapped[str] = mapped_column(String(8))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class WebAction(Base):
    """One POST of the console, by its nonce: a repeat gets the first result, nothing more."""

    __tablename__ = "web_actions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    result: Mapped[dict[str, object] | None] = mapped_column(JSONValue)
    created_at: Mapped[datetime]


class SessionWall(Base):
    """A session's projector wall: its unguessable address and the question on screen."""

    __tablename__ = "session_walls"

    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    on_screen_question_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("questions.id", ondelete="SET NULL")
    )
    # The moderator asked for the machine translation into this language beside it.
    on_screen_translation: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime]


class SessionReport(Base):
    """What the remote moderator writes about a session (the report's free text)."""

    __tablename__ = "session_reports"

    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class HubHeadcount(Base):
    """How many people a hub says are in its room for a session (``/hub people 25``)."""

    __tablename__ = "hub_headcounts"

    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    hub_chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("hubs.chat_id", ondelete="CASCADE"), primary_key=True
    )
    people: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


__all__ = [
    "HubHeadcount",
    "SessionReport",
    "SessionWall",
    "WebAction",
    "WebSession",
    "WebSignInLink",
]
