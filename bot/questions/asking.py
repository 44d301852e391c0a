"""Asking: which session, the question text, limits, near-duplicates, and the stored question.

A question is stored in the same transaction as its acknowledgement (the caller's
``acknowledge`` queues it in the outbox), so "received" is never said about a question that
is not in the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.questions.base import RelayContext, check_length
from bot.questions.text import DuplicateFinder, clean, guess_language, normalise
from bot.questions.views import QuestionView, SessionView
from storage.models import AskingStep, Hub, Question, Session
from storage.repos import asking_states, hubs, question_sessions
from storage.repos import questions as repo

# Steps of ``asking_states`` owned by asking (moderation has its own).
CHOOSE = AskingStep.CHOOSE
TEXT = AskingStep.TEXT
SIMILAR = AskingStep.SIMILAR

_RETRY_WITH_NEXT_MESSAGE = ("questions.too_short", "questions.too_long", "questions.cooldown")

Acknowledge = Callable[[AsyncSession, QuestionView, SessionView], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks, where: ``chat_id`` is the private chat or the hub's group."""

    user_id: int
    chat_id: int
    language: str
    in_group: bool = False


@dataclass(frozen=True, slots=True)
class ChooseSession:
    sessions: list[SessionView]
    has_draft: bool


@dataclass(frozen=True, slots=True)
class AwaitingText:
    session: SessionView
    anonymous: bool


@dataclass(frozen=True, slots=True)
class Submitted:
    question: QuestionView
    session: SessionView


@dataclass(frozen=True, slots=True)
class SimilarFound:
    similar: QuestionView
    session: SessionView


AskOutcome = ChooseSession | AwaitingText | Submitted | SimilarFound


class AskingService:
    def __init__(self, relay: RelayContext) -> None:
        self._relay = relay

    @property
    def _now(self) -> datetime:
        return self._relay.clock.now()

    async def open_sessions(self) -> list[SessionView]:
        async with self._relay.database.transaction() as db:
            rows = await question_sessions.taking_questions(db, self._now, self._relay.open_before)
        return [SessionView.of(row) for row in rows]

    async def begin(self, asker: Asker) -> AskOutcome:
        """``/ask`` without text: pick the one open session, or offer the open ones."""
        await self._require_hub(asker)
        sessions = await self._sessions_or_refuse(asker)
        if len(sessions) == 1:
            return await self._await_text(asker, sessions[0])
        await self._save(asker, CHOOSE)
        return ChooseSession(sessions, has_draft=False)

    async def ask_with_text(
        self, asker: Asker, text: str, message_id: int | None, acknowledge: Acknowledge
    ) -> AskOutcome:
        """``/ask <text>``: straight in when one session is open, else keep it and ask which."""
        await self._require_hub(asker)
        sessions = await self._sessions_or_refuse(asker)
        if len(sessions) == 1:
            return await self.submit(asker, sessions[0].id, text, message_id, acknowledge)
        check_length(clean(text), self._relay.limits)
        await self._save(asker, CHOOSE, draft_text=text, draft_message_id=message_id)
        return ChooseSession(sessions, has_draft=True)

    async def choose(self, asker: Asker, session_id: int, acknowledge: Acknowledge) -> AskOutcome:
        """A session button (ours or the session card's): submit the draft, or wait for text."""
        await self._require_hub(asker)
        async with self._relay.database.transaction() as db:
            state = await asking_states.get_state(db, asker.user_id, asker.chat_id)
            row = await question_sessions.get_session(db, session_id)
        if row is None or not self._takes_questions(row):
            raise UserFacingError("questions.session_closed")
        session = SessionView.of(row)
        if state is not None and state.step == CHOOSE and state.draft_text:
            return await self.submit(
                asker, session.id, state.draft_text, state.draft_message_id, acknowledge
            )
        return await self._await_text(asker, session)

    async def step_of(self, asker: Asker) -> str | None:
        async with self._relay.database.transaction() as db:
            state = await asking_states.get_state(db, asker.user_id, asker.chat_id)
        if state is None or state.step == asking_states.IDLE:
            return None
        return state.step

    async def receive_text(
        self, asker: Asker, text: str, message_id: int | None, acknowledge: Acknowledge
    ) -> AskOutcome | None:
        """The message after ``/ask``; None when the relay was not waiting for one."""
        async with self._relay.database.transaction() as db:
            state = await asking_states.get_state(db, asker.user_id, asker.chat_id)
        if state is None or state.step not in (CHOOSE, TEXT, SIMILAR):
            return None
        if state.step == CHOOSE or state.session_id is None:
            # Written before choosing: keep it and offer the sessions again.
            return await self.ask_with_text(asker, text, message_id, acknowledge)
        return await self.submit(asker, state.session_id, text, message_id, acknowledge)

    async def send_anyway(self, asker: Asker, acknowledge: Acknowledge) -> AskOutcome:
        """The asker saw the similar question and wants theirs stored all the same."""
        async with self._relay.database.transaction() as db:
            state = await asking_states.get_state(db, asker.user_id, asker.chat_id)
        if state is None or state.step != SIMILAR or not state.draft_text or not state.session_id:
            raise UserFacingError("questions.nothing_pending")
        return await self.submit(
            asker,
            state.session_id,
            state.draft_text,
            state.draft_message_id,
            acknowledge,
            check_similar=False,
        )

    async def vote_instead(self, asker: Asker) -> QuestionView:
        """Drop the draft and back the similar question (a vote already given stays)."""
        now = self._now
        async with self._relay.database.transaction() as db:
            state = await asking_states.get_state(db, asker.user_id, asker.chat_id)
            if state is None or state.step != SIMILAR or state.question_id is None:
                raise UserFacingError("questions.nothing_pending")
            question = await repo.get_question(db, state.question_id)
            if question is None or question.status not in repo.PUBLIC:
                await asking_states.clear_step(db, asker.user_id, asker.chat_id, now)
                raise UserFacingError("questions.vote_closed")
            already = await repo.voted_for(db, asker.user_id, [question.id])
            if not already:
                await repo.toggle_vote(db, question.id, asker.user_id, now)
                question = await repo.get_question(db, question.id) or question
                self._relay.changed(db, question.session_id)
            await asking_states.clear_step(db, asker.user_id, asker.chat_id, now)
            view = QuestionView.of(question)
        return view

    async def cancel(self, asker: Asker) -> None:
        async with self._relay.database.transaction() as db:
            await asking_states.clear_step(db, asker.user_id, asker.chat_id, self._now)

    async def toggle_anonymous(self, asker: Asker) -> AwaitingText | None:
        """Flip the person's standing "ask anonymously" choice; the prompt to show again if
        a question is awaited (None when the flow has moved on)."""
        async with self._relay.database.transaction() as db:
            state = await asking_states.get_state(db, asker.user_id, asker.chat_id)
            anonymous = not (state.anonymous if state is not None else False)
            await asking_states.set_anonymous(
                db, asker.user_id, asker.chat_id, anonymous, self._now
            )
            if state is None or state.step != TEXT or state.session_id is None:
                return None
            row = await question_sessions.get_session(db, state.session_id)
        return None if row is None else AwaitingText(SessionView.of(row), anonymous)

    async def submit(
        self,
        asker: Asker,
        session_id: int,
        text: str,
        message_id: int | None,
        acknowledge: Acknowledge,
        *,
        check_similar: bool = True,
    ) -> AskOutcome:
        """Check the limits, offer a near-duplicate, else store the question and acknowledge."""
        text = clean(text)
        try:
            check_length(text, self._relay.limits)
            outcome = await self._store(
                asker, session_id, text, message_id, acknowledge, check_similar
            )
        except UserFacingError as error:
            if error.message_id in _RETRY_WITH_NEXT_MESSAGE:
                # The next message is taken as the corrected question: nothing to redo.
                await self._save(asker, TEXT, session_id=session_id)
            elif error.message_id == "questions.too_many":
                await self.cancel(asker)
            raise
        return outcome

    async def _store(
        self,
        asker: Asker,
        session_id: int,
        text: str,
        message_id: int | None,
        acknowledge: Acknowledge,
        check_similar: bool,
    ) -> AskOutcome:
        now = self._now
        normalized = normalise(text)
        async with self._relay.database.transaction() as db:
            row = await question_sessions.get_session(db, session_id)
            if row is None or not self._takes_questions(row):
                await asking_states.clear_step(db, asker.user_id, asker.chat_id, now)
                raise UserFacingError("questions.session_closed")
            session = SessionView.of(row)
            if message_id is not None:
                # A redelivered update (after a crash): stored and acknowledged already.
                known = await repo.question_by_message(db, asker.chat_id, message_id)
                if known is not None:
                    return Submitted(QuestionView.of(known), session)
            hub = await self._hub_in(db, asker)
            await self._check_pace(db, asker, session_id, now)
            if check_similar:
                similar = await self._similar(db, session_id, normalized)
                if similar is not None:
                    if similar.author_id == asker.user_id:
                        raise UserFacingError("questions.duplicate_own", number=similar.number)
                    await asking_states.save_state(
                        db,
                        user_id=asker.user_id,
                        chat_id=asker.chat_id,
                        step=SIMILAR,
                        now=now,
                        session_id=session_id,
                        question_id=similar.id,
                        draft_text=text,
                        draft_message_id=message_id,
                    )
                    return SimilarFound(QuestionView.of(similar), session)
            state = await asking_states.get_state(db, asker.user_id, asker.chat_id)
            number, premoderated = await repo.next_number(db, session_id, now)
            question = await repo.add_question(
                db,
                Question(
                    session_id=session_id,
                    number=number,
                    status=repo.PENDING_APPROVAL if premoderated else repo.WAITING,
                    text=text,
                    normalized=normalized,
                    language=guess_language(text, asker.language),
                    anonymous=bool(state and state.anonymous) and hub is None,
                    author_id=asker.user_id,
                    hub_chat_id=hub.chat_id if hub is not None else None,
                    chat_id=asker.chat_id,
                    message_id=message_id,
                    notify_language=asker.language,
                    votes=0,
                    created_at=now,
                    updated_at=now,
                ),
            )
            view = QuestionView.of(question, hub=hub)
            await asking_states.clear_step(db, asker.user_id, asker.chat_id, now)
            self._relay.changed(db, session_id)
            self._relay.stored(db, question.id)
            await acknowledge(db, view, session)
        return Submitted(view, session)

    async def _check_pace(
        self, db: AsyncSession, asker: Asker, session_id: int, now: datetime
    ) -> None:
        limits = self._relay.limits
        last, open_count = await repo.author_pace(db, session_id, asker.user_id)
        if last is not None and limits.cooldown_seconds:
            wait = limits.cooldown_seconds - (now - last).total_seconds()
            if wait > 0:
                raise UserFacingError("questions.cooldown", count=max(1, round(wait)))
        if open_count >= limits.max_open_per_person:
            raise UserFacingError("questions.too_many", count=limits.max_open_per_person)

    @staticmethod
    async def _similar(db: AsyncSession, session_id: int, normalized: str) -> Question | None:
        """The first open question (in queue order) that asks the same as ``normalized``."""
        finder = DuplicateFinder(normalized)
        for question_id, text in await repo.public_texts(db, session_id):
            if finder.matches(text):
                return await repo.get_question(db, question_id)
        return None

    def _takes_questions(self, row: Session) -> bool:
        return row.takes_questions(self._now, self._relay.open_before)

    async def _sessions_or_refuse(self, asker: Asker) -> list[SessionView]:
        sessions = await self.open_sessions()
        if not sessions:
            await self.cancel(asker)
            raise UserFacingError("questions.no_session")
        return sessions

    async def _await_text(self, asker: Asker, session: SessionView) -> AwaitingText:
        await self._save(asker, TEXT, session_id=session.id)
        async with self._relay.database.transaction() as db:
            state = await asking_states.get_state(db, asker.user_id, asker.chat_id)
        return AwaitingText(session, anonymous=bool(state and state.anonymous))

    async def _save(
        self,
        asker: Asker,
        step: str,
        *,
        session_id: int | None = None,
        draft_text: str | None = None,
        draft_message_id: int | None = None,
    ) -> None:
        async with self._relay.database.transaction() as db:
            await asking_states.save_state(
                db,
                user_id=asker.user_id,
                chat_id=asker.chat_id,
                step=step,
                now=self._now,
                session_id=session_id,
                draft_text=draft_text,
                draft_message_id=draft_message_id,
            )

    async def _require_hub(self, asker: Asker) -> None:
        if not asker.in_group:
            return
        async with self._relay.database.transaction() as db:
            await self._hub_in(db, asker)

    @staticmethod
    async def _hub_in(db: AsyncSession, asker: Asker) -> Hub | None:
        """The hub a group question is asked for; groups that are not hubs may not ask."""
        if not asker.in_group:
            return None
        hub = await hubs.get_hub(db, asker.chat_id)
        if hub is None or not hub.active:
            raise UserFacingError("questions.group_not_hub")
        return hub
