"""Voting: the open questions of a session, page by page, and a 👍 that toggles."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import UserFacingError
from bot.questions.base import RelayContext
from bot.questions.views import QuestionView, SessionView
from storage.repos import question_sessions
from storage.repos import questions as repo

PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class VoteItem:
    question: QuestionView
    voted: bool  # by the person looking
    own: bool


@dataclass(frozen=True, slots=True)
class VotingPage:
    session: SessionView
    items: list[VoteItem]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class VoteResult:
    question: QuestionView
    voted: bool


class VotingService:
    def __init__(self, relay: RelayContext) -> None:
        self._relay = relay

    async def page(self, session_id: int, user_id: int, page: int = 0) -> VotingPage:
        """One page of the public list, most voted first; ``page`` is clamped to what exists."""
        async with self._relay.database.transaction() as db:
            row = await question_sessions.get_session(db, session_id)
            if row is None:
                raise UserFacingError("questions.session_unknown")
            questions = await repo.public_questions(db, session_id)
            pages = max(1, -(-len(questions) // PAGE_SIZE))
            page = min(max(page, 0), pages - 1)
            shown = questions[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
            voted = await repo.voted_for(db, user_id, [question.id for question in shown])
            authors = await repo.authors(db, [question.author_id for question in shown])
            hubs = await repo.hubs(db, [question.hub_chat_id for question in shown])
        items = [
            VoteItem(
                QuestionView.of(
                    question,
                    authors.get(question.author_id),
                    hubs.get(question.hub_chat_id or 0),
                ),
                voted=question.id in voted,
                own=question.author_id == user_id,
            )
            for question in shown
        ]
        return VotingPage(SessionView.of(row), items, page, pages, len(questions))

    async def toggle(self, question_id: int, user_id: int) -> VoteResult:
        """Vote, or take the vote back; nobody votes for their own question."""
        now = self._relay.clock.now()
        async with self._relay.database.transaction() as db:
            question = await repo.get_question(db, question_id)
            if question is None:
                raise UserFacingError("questions.vote_closed")
            if question.author_id == user_id:
                raise UserFacingError("questions.own_vote")
            if question.status not in repo.PUBLIC:
                raise UserFacingError("questions.vote_closed")
            voted = await repo.toggle_vote(db, question_id, user_id, now)
            self._relay.changed(db, question.session_id)
            question = await repo.get_question(db, question_id)
            assert question is not None
            return VoteResult(QuestionView.of(question), voted)
