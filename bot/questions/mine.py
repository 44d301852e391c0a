"""What askers do with their own questions: edit the text, withdraw, hide their name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.questions.base import RelayContext, check_length
from bot.questions.text import clean, guess_language, normalise
from bot.questions.views import QuestionView, SessionView
from storage.models import Question
from storage.repos import question_sessions, translations
from storage.repos import questions as repo

# Still in the asker's hands: nobody has it in front of them.
EDITABLE = (repo.WAITING, repo.PENDING_APPROVAL, repo.SKIPPED)


class OwnQuestions:
    def __init__(self, relay: RelayContext) -> None:
        self._relay = relay

    async def edit_by_message(
        self, chat_id: int, message_id: int, user_id: int, text: str, asker_language: str
    ) -> QuestionView | None:
        """The asker edited the message that asked a question; None if it asked none."""
        now = self._relay.clock.now()
        text = clean(text)
        async with self._relay.database.transaction() as db:
            question = await repo.question_by_message(db, chat_id, message_id)
            if question is None or question.author_id != user_id:
                return None
            if question.text == text:
                return QuestionView.of(question)
            check_length(text, self._relay.limits)
            changed = await repo.transition(
                db,
                question.id,
                allowed=EDITABLE,
                author_id=user_id,
                values={
                    "text": text,
                    "normalized": normalise(text),
                    "language": guess_language(text, asker_language),
                    "edited_at": now,
                    "updated_at": now,
                },
            )
            if not changed:
                raise UserFacingError("questions.edit_too_late", number=question.number)
            await translations.forget_translations(db, question.id)
            self._relay.changed(db, question.session_id)
            self._relay.stored(db, question.id)
            return await self._view(db, question.id)

    async def withdraw(self, question_id: int, user_id: int) -> QuestionView:
        now = self._relay.clock.now()
        async with self._relay.database.transaction() as db:
            question = await self._own(db, question_id, user_id)
            changed = await repo.transition(
                db,
                question_id,
                allowed=EDITABLE,
                author_id=user_id,
                values={"status": repo.WITHDRAWN, "withdrawn_at": now, "updated_at": now},
            )
            if not changed:
                raise UserFacingError("questions.withdraw_too_late", number=question.number)
            self._relay.changed(db, question.session_id)
            return await self._view(db, question_id)

    async def toggle_anonymous(
        self, question_id: int, user_id: int
    ) -> tuple[QuestionView, SessionView]:
        """Hide or show the asker's name while the question is still open."""
        now = self._relay.clock.now()
        async with self._relay.database.transaction() as db:
            question = await self._own(db, question_id, user_id)
            if question.hub_chat_id is not None:
                raise UserFacingError("questions.hub_not_anonymous")
            changed = await repo.transition(
                db,
                question_id,
                allowed=repo.OPEN,
                author_id=user_id,
                values={"anonymous": not question.anonymous, "updated_at": now},
            )
            if not changed:
                raise UserFacingError("questions.edit_too_late", number=question.number)
            await translations.forget_translations(db, question.id)
            self._relay.changed(db, question.session_id)
            self._relay.stored(db, question.id)
            session = await question_sessions.get_session(db, question.session_id)
            assert session is not None
            return await self._view(db, question_id), SessionView.of(session)

    @staticmethod
    async def _own(db: AsyncSession, question_id: int, user_id: int) -> Question:
        question = await repo.get_question(db, question_id)
        if question is None or question.author_id != user_id:
            raise UserFacingError("questions.not_yours")
        return question

    @staticmethod
    async def _view(db: AsyncSession, question_id: int) -> QuestionView:
        question = await repo.get_question(db, question_id)
        assert question is not None
        hubs = await repo.hubs(db, [question.hub_chat_id])
        return QuestionView.of(question, hub=hubs.get(question.hub_chat_id or 0))
