"""Subscriptions: the rules chats set, and who wants a given session (one query per session)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, and_, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Chat, SentRecord, Session, Subscription, SubscriptionKind, User
from storage.repos._sql import execute_count, insert_for


@dataclass(frozen=True, slots=True)
class Subscriber:
    """An active chat that wants a session, with what a reminder needs to be written for it."""

    chat_id: int
    language: str | None
    timezone: str | None
    reminder_minutes: list[int] | None
    subscribed_at: datetime
    user_language: str | None  # the Telegram language of a private chat's user


@dataclass(frozen=True, slots=True)
class RuleProfile:
    """A distinct (rule, lead times) pair among active chats: enough to plan jobs."""

    kind: str
    target: str
    reminder_minutes: list[int] | None


@dataclass(frozen=True, slots=True)
class ListedSubscription:
    id: int
    kind: str
    target: str
    session_title: str | None
    session_start: datetime | None
    session_zone: str | None


async def add(
    db: AsyncSession,
    *,
    chat_id: int,
    kind: SubscriptionKind,
    target: str,
    created_by: int | None,
    now: datetime,
    session_id: int | None = None,
) -> bool:
    """Add a rule; False if the chat already had it."""
    statement = (
        insert_for(db, Subscription)
        .values(
            chat_id=chat_id,
            kind=str(kind),
            target=target,
            session_id=session_id,
            created_by=created_by,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["chat_id", "kind", "target"])
    )
    return await execute_count(db, statement) > 0


async def remove(db: AsyncSession, chat_id: int, subscription_id: int) -> bool:
    """Drop one rule of this chat (a stale button from another chat drops nothing)."""
    statement = delete(Subscription).where(
        Subscription.id == subscription_id, Subscription.chat_id == chat_id
    )
    return await execute_count(db, statement) > 0


async def remove_all(db: AsyncSession, chat_id: int) -> int:
    return await execute_count(db, delete(Subscription).where(Subscription.chat_id == chat_id))


async def list_for_chat(db: AsyncSession, chat_id: int) -> list[ListedSubscription]:
    """The chat's rules, sessions with their title and time, oldest first."""
    rows = await db.execute(
        select(
            Subscription.id,
            Subscription.kind,
            Subscription.target,
            Session.title,
            Session.start_at,
            Session.timezone,
        )
        .outerjoin(Session, Session.id == Subscription.session_id)
        .where(Subscription.chat_id == chat_id)
        .order_by(Subscription.created_at, Subscription.id)
    )
    return [ListedSubscription(*row) for row in rows]


async def count_for_chat(db: AsyncSession, chat_id: int) -> int:
    count = await db.scalar(
        select(func.count()).select_from(Subscription).where(Subscription.chat_id == chat_id)
    )
    return int(count or 0)


async def keyword_targets(db: AsyncSession) -> list[str]:
    """Every distinct keyword some active chat follows (a short list, matched in Python)."""
    rows = await db.scalars(
        select(Subscription.target)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Subscription.kind == str(SubscriptionKind.KEYWORD), Chat.active.is_(True))
        .distinct()
    )
    return list(rows.all())


def _matches(programme_session: Session, keywords: Collection[str]) -> ColumnElement[bool]:
    """The rules that select ``programme_session``, only the branches that can apply."""
    branches: list[ColumnElement[bool]] = [
        and_(
            Subscription.kind == str(SubscriptionKind.SESSION),
            Subscription.session_id == programme_session.id,
        )
    ]
    if programme_session.is_ifla:
        branches.append(Subscription.kind == str(SubscriptionKind.IFLA))
    if programme_session.track:
        branches.append(
            and_(
                Subscription.kind == str(SubscriptionKind.TRACK),
                Subscription.target == programme_session.track,
            )
        )
    if keywords:
        branches.append(
            and_(
                Subscription.kind == str(SubscriptionKind.KEYWORD),
                Subscription.target.in_(list(keywords)),
            )
        )
    return or_(*branches)


async def subscribers(
    db: AsyncSession, programme_session: Session, matched_keywords: Collection[str] = ()
) -> list[Subscriber]:
    """Every active chat that wants ``programme_session``: one query, whatever the chat count.

    ``matched_keywords`` are the followed keywords found in the session's text (see
    ``keyword_targets``); ``subscribed_at`` is the chat's earliest matching rule.
    """
    wanting = (
        select(Subscription.chat_id, func.min(Subscription.created_at).label("since"))
        .where(_matches(programme_session, matched_keywords))
        .group_by(Subscription.chat_id)
        .subquery()
    )
    rows = await db.execute(
        select(
            Chat.id,
            Chat.language,
            Chat.timezone,
            Chat.reminder_minutes,
            wanting.c.since,
            User.language_code,
        )
        .join(wanting, wanting.c.chat_id == Chat.id)
        .outerjoin(User, User.id == Chat.id)
        .where(Chat.active.is_(True))
        .order_by(Chat.id)
    )
    return [Subscriber(*row) for row in rows]


async def rule_profiles(db: AsyncSession) -> list[RuleProfile]:
    """Distinct (rule, lead times) among active chats; planning needs no more than this."""
    leads_text = cast(Chat.reminder_minutes, String)
    rows = await db.execute(
        select(Subscription.kind, Subscription.target, leads_text)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Chat.active.is_(True))
        .distinct()
    )
    return [RuleProfile(kind, target, _leads_from_text(text)) for kind, target, text in rows.all()]


def _leads_from_text(text: str | None) -> list[int] | None:
    if text is None:
        return None
    value = json.loads(text)
    return None if value is None else [int(minutes) for minutes in value]


async def move_chat(db: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: its rules follow it (rules it already has are not doubled)."""
    twin = aliased(Subscription)
    already_there = (
        select(twin.id)
        .where(
            twin.chat_id == new_chat_id,
            twin.kind == Subscription.kind,
            twin.target == Subscription.target,
        )
        .exists()
    )
    await db.execute(delete(Subscription).where(Subscription.chat_id == old_chat_id, already_there))
    return await execute_count(
        db,
        update(Subscription).where(Subscription.chat_id == old_chat_id).values(chat_id=new_chat_id),
    )


# --- the programme, as subscriptions and reminders need it -------------------------------


async def get_session(db: AsyncSession, session_id: int) -> Session | None:
    """The session as stored now, even if this transaction holds an older copy of it
    (a listener runs inside ingestion's transaction, which may have loaded it before)."""
    return await db.get(Session, session_id, populate_existing=True)


async def sessions_starting_between(
    db: AsyncSession, start: datetime, end: datetime
) -> list[Session]:
    """Sessions (not cancelled, not vanished) starting in [start, end), soonest first."""
    rows = await db.scalars(
        select(Session)
        .where(
            Session.start_at >= start,
            Session.start_at < end,
            Session.cancelled.is_(False),
            Session.vanished.is_(False),
        )
        .order_by(Session.start_at, Session.id)
    )
    return list(rows.all())


async def known_tracks(db: AsyncSession, since: datetime) -> list[str]:
    """Tracks of sessions that have not ended, for the "subscribe to a track" buttons."""
    rows = await db.scalars(
        select(Session.track)
        .where(Session.track.is_not(None), Session.end_at >= since, Session.vanished.is_(False))
        .distinct()
        .order_by(Session.track)
    )
    return [track for track in rows.all() if track]


# --- "done" markers for fan-outs (shared table, one key per session, lead and start) -------


async def marked(db: AsyncSession, keys: Iterable[str]) -> set[str]:
    wanted = list(keys)
    if not wanted:
        return set()
    rows = await db.scalars(select(SentRecord.key).where(SentRecord.key.in_(wanted)))
    return set(rows.all())


async def mark(db: AsyncSession, keys: Iterable[str], now: datetime) -> None:
    values = [{"key": key, "created_at": now} for key in keys]
    if values:
        statement = insert_for(db, SentRecord).values(values)
        await db.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
