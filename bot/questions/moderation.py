"""Moderating a session: the queue, claiming the next question, and what becomes of it.

Every change is a conditional update (``repos.questions.transition``): when two moderators
act on the same question, one wins and the other is told what happened instead.
Roles are checked by the caller at the moment of use (``handlers.guards.require_role``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.questions.base import RelayContext, check_length
from bot.questions.notices import notify_asker
from bot.questions.text import clean
from bot.questions.views import QuestionView, SessionView
from storage.models import AskingStep, Question, QuestionStatus
from storage.repos import asking_states, moderators, question_sessions
from storage.repos import questions as repo

log = logging.getLogger(__name__)

# Steps of ``asking_states`` owned by moderation: the moderator's next message is...
REASON = AskingStep.REASON  # ...why a question is rejected
ANSWER = AskingStep.ANSWER  # ...a written answer for the asker

# Which sessions /moderate offers: from a little before now to a day ahead.
PICK_BEFORE = timedelta(hours=6)
PICK_AHEAD = timedelta(hours=24)
PICK_LIMIT = 20


# What a moderator is told when a question is not in a state their action applies to.
CONFLICTS = {
    repo.WAITING: "moderation.now_waiting",
    repo.PENDING_APPROVAL: "moderation.now_pending",
    repo.CLAIMED: "moderation.held_by_other",
    repo.ANSWERED: "moderation.now_answered",
    repo.SKIPPED: "moderation.now_skipped",
    repo.REJECTED: "moderation.now_rejected",
    repo.WITHDRAWN: "moderation.now_withdrawn",
}


@dataclass(frozen=True, slots=True)
class QueueView:
    session: SessionView
    queued: list[QuestionView]  # in the order /next takes them
    pending: list[QuestionView]  # waiting for approval (pre-moderation)
    claimed: list[QuestionView]
    premoderation: bool


class ModerationService:
    def __init__(self, relay: RelayContext) -> None:
        self._relay = relay

    @property
    def _now(self) -> datetime:
        return self._relay.clock.now()

    # -- which session -------------------------------------------------------------------

    async def sessions_to_pick(self) -> list[SessionView]:
        now = self._now
        async with self._relay.database.transaction() as db:
            rows = await question_sessions.sessions_between(
                db, now - PICK_BEFORE, now + PICK_AHEAD, PICK_LIMIT
            )
        return [SessionView.of(row) for row in rows]

    async def session(self, session_id: int) -> SessionView:
        async with self._relay.database.transaction() as db:
            row = await question_sessions.get_session(db, session_id)
        if row is None:
            raise UserFacingError("questions.session_unknown")
        return SessionView.of(row)

    async def focus(self, moderator_id: int) -> SessionView | None:
        """The session this moderator picked with /moderate, if it still exists."""
        async with self._relay.database.transaction() as db:
            session_id = await moderators.get_focus(db, moderator_id)
            row = (
                None if session_id is None else await question_sessions.get_session(db, session_id)
            )
        return None if row is None else SessionView.of(row)

    async def set_focus(self, moderator_id: int, session_id: int) -> SessionView:
        session = await self.session(session_id)
        async with self._relay.database.transaction() as db:
            await moderators.set_focus(db, moderator_id, session_id, self._now)
        return session

    async def session_of_question(self, question_id: int) -> int | None:
        """For the role check before anything is done to a question."""
        async with self._relay.database.transaction() as db:
            question = await repo.get_question(db, question_id)
        return None if question is None else question.session_id

    async def set_premoderation(self, session_id: int, enabled: bool) -> None:
        async with self._relay.database.transaction() as db:
            await repo.set_premoderation(db, session_id, enabled, self._now)
            self._relay.changed(db, session_id)

    # -- looking -------------------------------------------------------------------------

    async def queue(self, session_id: int) -> QueueView:
        session = await self.session(session_id)
        async with self._relay.database.transaction() as db:
            rows = await repo.session_questions(db, session_id, repo.OPEN)
            views = await _views(db, rows)
            premoderated = await repo.premoderation(db, session_id)
        return QueueView(
            session=session,
            queued=[view for view in views if view.status in repo.QUEUED],
            pending=[view for view in views if view.status == repo.PENDING_APPROVAL],
            claimed=[view for view in views if view.status == repo.CLAIMED],
            premoderation=premoderated,
        )

    async def card(self, question_id: int) -> QuestionView:
        async with self._relay.database.transaction() as db:
            return await self._view(db, question_id)

    async def current_claim(self, session_id: int, moderator_id: int) -> QuestionView | None:
        """The question this moderator holds now (the latest, if several)."""
        async with self._relay.database.transaction() as db:
            held = await repo.claimed_by(db, session_id, moderator_id)
            views = await _views(db, held[:1])
        return views[0] if views else None

    async def question_by_number(self, session_id: int, number: int) -> QuestionView:
        async with self._relay.database.transaction() as db:
            for row in await repo.all_questions(db, session_id):
                if row.number == number:
                    return (await _views(db, [row]))[0]
        raise UserFacingError("moderation.no_such_question", number=number)

    # -- acting ----------------------------------------------------------------------------

    async def claim_next(self, session_id: int, moderator_id: int) -> QuestionView | None:
        """Take the top of the queue; no two moderators ever get the same question."""
        session = await self.session(session_id)
        now = self._now
        async with self._relay.database.transaction() as db:
            question = await repo.claim_next(db, session_id, moderator_id, now)
            if question is None:
                return None
            self._relay.changed(db, session_id)
            await self._notify(db, question, "forwarded", session, now)
            view = await self._view(db, question.id)
        return view

    async def mark_answered(self, question_id: int, moderator_id: int) -> QuestionView:
        """Read out and answered in the room."""
        now = self._now
        return await self._change(
            question_id,
            allowed=[repo.CLAIMED],
            holder=moderator_id,
            values={"status": repo.ANSWERED, "answered_at": now},
            event="answered",
        )

    async def skip(self, question_id: int, moderator_id: int) -> QuestionView:
        """Back to the queue, after the others."""
        now = self._now
        return await self._change(
            question_id,
            allowed=[repo.CLAIMED],
            holder=moderator_id,
            values={
                "status": repo.SKIPPED,
                "skipped_at": now,
                "claimed_by": None,
                "claimed_at": None,
            },
            event="skipped",
        )

    async def put_back(self, question_id: int, moderator_id: int) -> QuestionView:
        """Release the claim: the question returns to its place in the queue, nobody is told."""
        async with self._relay.database.transaction() as db:
            question = await self._question(db, question_id)
            if question.status != repo.CLAIMED or question.claimed_by != moderator_id:
                raise self._conflict(question)
            if not await repo.release_claim(db, question, self._now):
                raise self._conflict(await self._question(db, question_id))
            self._relay.changed(db, question.session_id)
            return await self._view(db, question_id)

    async def reject(
        self, question_id: int, moderator_id: int, reason: str | None = None
    ) -> QuestionView:
        now = self._now
        reason = clean(reason)[:1000] if reason else None
        return await self._change(
            question_id,
            allowed=[repo.CLAIMED, *repo.QUEUED, repo.PENDING_APPROVAL],
            holder=moderator_id,
            values={
                "status": repo.REJECTED,
                "rejected_at": now,
                "reject_reason": reason or None,
                "claimed_by": None,
            },
            event="rejected_reason" if reason else "rejected",
            params={"reason": reason} if reason else {},
        )

    async def approve(self, question_id: int, moderator_id: int) -> QuestionView:
        now = self._now
        return await self._change(
            question_id,
            allowed=[repo.PENDING_APPROVAL],
            holder=moderator_id,
            values={"status": repo.WAITING, "approved_at": now},
            event="approved",
        )

    async def write_answer(self, question_id: int, moderator_id: int, text: str) -> QuestionView:
        """A written answer, delivered to the asker; the question counts as answered."""
        text = clean(text)
        check_length(text, self._relay.limits)
        now = self._now
        return await self._change(
            question_id,
            allowed=[repo.CLAIMED, repo.ANSWERED, *repo.QUEUED],
            holder=moderator_id,
            values={
                "status": repo.ANSWERED,
                "answer_text": text,
                "answered_at": now,
                "claimed_by": None,
            },
            event="answer",
            params={"answer": text},
        )

    async def expect_text(
        self, moderator_id: int, chat_id: int, step: str, question_id: int
    ) -> QuestionView:
        """Take the moderator's next message as the reject reason or the answer."""
        async with self._relay.database.transaction() as db:
            view = await self._view(db, question_id)
            await asking_states.save_state(
                db,
                user_id=moderator_id,
                chat_id=chat_id,
                step=step,
                now=self._now,
                session_id=view.session_id,
                question_id=question_id,
            )
        return view

    async def pending_text_target(self, moderator_id: int, chat_id: int) -> tuple[str, int] | None:
        """(step, question id) when the moderator's next message was asked for, and clear it."""
        async with self._relay.database.transaction() as db:
            state = await asking_states.get_state(db, moderator_id, chat_id)
            if state is None or state.step not in (REASON, ANSWER) or state.question_id is None:
                return None
            target = state.step, state.question_id  # read before clear_step updates the row
            await asking_states.clear_step(db, moderator_id, chat_id, self._now)
        return target

    async def release_stale_claims(self) -> int:
        """Claims left untouched longer than the timeout go back to the queue."""
        now = self._now
        released = 0
        async with self._relay.database.transaction() as db:
            for question in await repo.stale_claims(db, now - self._relay.claim_timeout):
                if await repo.release_claim(db, question, now):
                    released += 1
                    self._relay.changed(db, question.session_id)
                    log.info("claim on question %s timed out; back in the queue", question.id)
        return released

    # -- helpers -----------------------------------------------------------------------------

    async def _change(
        self,
        question_id: int,
        *,
        allowed: Sequence[str],
        holder: int,
        values: dict[str, Any],
        event: str,
        params: dict[str, Any] | None = None,
    ) -> QuestionView:
        now = self._now
        async with self._relay.database.transaction() as db:
            question = await self._question(db, question_id)
            changed = await repo.transition(
                db,
                question_id,
                allowed=allowed,
                held_by=holder,
                values={**values, "updated_at": now},
            )
            if not changed:
                raise self._conflict(await self._question(db, question_id))
            question = await self._question(db, question_id)
            self._relay.changed(db, question.session_id)
            row = await question_sessions.get_session(db, question.session_id)
            assert row is not None
            await self._notify(db, question, event, SessionView.of(row), now, **(params or {}))
            view = await self._view(db, question_id)
        return view

    async def _notify(
        self,
        db: AsyncSession,
        question: Question,
        event: str,
        session: SessionView,
        now: datetime,
        **params: Any,
    ) -> None:
        await notify_asker(
            db,
            self._relay.translator,
            question,
            event,
            session_title=session.title,
            now=now,
            **params,
        )

    @staticmethod
    async def _question(db: AsyncSession, question_id: int) -> Question:
        question = await repo.get_question(db, question_id)
        if question is None:
            raise UserFacingError("moderation.question_gone")
        return question

    async def _view(self, db: AsyncSession, question_id: int) -> QuestionView:
        return (await _views(db, [await self._question(db, question_id)]))[0]

    @staticmethod
    def _conflict(question: Question) -> UserFacingError:
        """What the moderator is told when the question is not (any more) theirs to change."""
        return UserFacingError(CONFLICTS[QuestionStatus(question.status)], number=question.number)


async def _views(db: AsyncSession, rows: list[Question]) -> list[QuestionView]:
    authors = await repo.authors(db, [row.author_id for row in rows])
    hubs = await repo.hubs(db, [row.hub_chat_id for row in rows])
    return [
        QuestionView.of(row, authors.get(row.author_id), hubs.get(row.hub_chat_id or 0))
        for row in rows
    ]
