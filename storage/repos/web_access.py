"""Who is signed in to the web pages: one-time links, browser sessions, replayed actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WebAction, WebSession, WebSignInLink
from storage.repos._sql import execute_count, insert_for


async def add_link(
    db: AsyncSession,
    *,
    token_hash: str,
    user_id: int,
    language: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    db.add(
        WebSignInLink(
            token_hash=token_hash,
            user_id=user_id,
            language=language,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await db.flush()


async def usable_link(db: AsyncSession, token_hash: str, now: datetime) -> WebSignInLink | None:
    """The link if it is unused and not expired (nothing is changed)."""
    link = await db.get(WebSignInLink, token_hash, populate_existing=True)
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


async def use_link(db: AsyncSession, token_hash: str, now: datetime) -> bool:
    """Mark the link used; False if it was used already or has expired (one winner)."""
    touched = await execute_count(
        db,
        update(WebSignInLink)
        .where(
            WebSignInLink.token_hash == token_hash,
            WebSignInLink.used_at.is_(None),
            WebSignInLink.expires_at > now,
        )
        .values(used_at=now),
    )
    return touched == 1


async def add_session(
    db: AsyncSession,
    *,
    token_hash: str,
    user_id: int,
    language: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    db.add(
        WebSession(
            token_hash=token_hash,
            user_id=user_id,
            language=language,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await db.flush()


async def live_session(db: AsyncSession, token_hash: str, now: datetime) -> WebSession | None:
    row = await db.get(WebSession, token_hash)
    if row is None or row.expires_at <= now:
        return None
    return row


async def end_session(db: AsyncSession, token_hash: str) -> None:
    await db.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


async def prune(db: AsyncSession, now: datetime) -> None:
    """Forget expired links and sessions (and the actions of sessions that are gone)."""
    await db.execute(delete(WebSignInLink).where(WebSignInLink.expires_at <= now))
    await db.execute(delete(WebSession).where(WebSession.expires_at <= now))
    await db.execute(
        delete(WebAction).where(WebAction.session_hash.not_in(select(WebSession.token_hash)))
    )


async def claim_action(db: AsyncSession, session_hash: str, nonce: str, now: datetime) -> bool:
    """Record that this browser session sends the action ``nonce``; False if it did before."""
    touched = await execute_count(
        db,
        insert_for(db, WebAction)
        .values(session_hash=session_hash, nonce=nonce, result=None, created_at=now)
        .on_conflict_do_nothing(index_elements=["session_hash", "nonce"]),
    )
    return touched == 1


async def action_result(db: AsyncSession, session_hash: str, nonce: str) -> dict[str, Any] | None:
    row = await db.get(WebAction, (session_hash, nonce), populate_existing=True)
    return None if row is None else row.result


async def save_action_result(
    db: AsyncSession, session_hash: str, nonce: str, result: dict[str, Any]
) -> None:
    await db.execute(
        update(WebAction)
        .where(WebAction.session_hash == session_hash, WebAction.nonce == nonce)
        .values(result=result)
    )
