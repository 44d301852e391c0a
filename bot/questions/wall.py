"""The projector wall: what a room's screen may show about a session, and its address.

The rules live here, once: only questions participants can already see (never one waiting
for approval), the asker's public name only when they did not ask anonymously (a hub's
question shows the hub), and the question on screen only while it is still in play.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.errors import UserFacingError
from bot.questions.base import RelayContext
from bot.questions.views import SessionView, hub_label
from storage.models import Hub, Question, User
from storage.repos import question_sessions, translations, walls
from storage.repos import questions as repo

TOP_SHOWN = 8
# A question on screen stays there while it is one of these (not once withdrawn or rejected).
SHOWABLE = (*repo.PUBLIC, repo.ANSWERED)


@dataclass(frozen=True, slots=True)
class WallQuestion:
    id: int
    number: int
    text: str
    votes: int
    hub: str | None  # the hub's name for a hub's question
    name: str | None  # the asker's public name; None when anonymous (or a hub)

    @classmethod
    def of(cls, row: Question, author: User | None, hub: Hub | None) -> WallQuestion:
        name = None
        if hub is None and not row.anonymous and author is not None:
            name = author.display_name
        return cls(
            id=row.id,
            number=row.number,
            text=row.text,
            votes=row.votes,
            hub=hub_label(hub) if hub is not None else None,
            name=name,
        )


@dataclass(frozen=True, slots=True)
class WallTranslation:
    """The machine translation the moderator asked to show beside the question on screen."""

    text: str
    language: str
    source: str | None


@dataclass(frozen=True, slots=True)
class WallView:
    session: SessionView
    on_screen: WallQuestion | None
    top: list[WallQuestion]
    questions: int  # questions the room can see, answered ones included
    hubs: int
    on_screen_translation: WallTranslation | None = None


class WallService:
    def __init__(self, relay: RelayContext) -> None:
        self._relay = relay

    async def token(self, session_id: int) -> str:
        """The session's wall token, made on first use."""
        async with self._relay.database.transaction() as db:
            if await question_sessions.get_session(db, session_id) is None:
                raise UserFacingError("questions.session_unknown")
            wall = await walls.ensure_wall(
                db, session_id, secrets.token_urlsafe(24), self._relay.clock.now()
            )
            return wall.token

    async def session_of(self, token: str) -> int | None:
        if not token or len(token) > 64:
            return None
        async with self._relay.database.transaction() as db:
            wall = await walls.wall_by_token(db, token)
        return None if wall is None else wall.session_id

    async def put_on_screen(
        self, session_id: int, question_id: int | None, translated_into: str | None = None
    ) -> None:
        """Show this question big on the session's wall (None clears the screen), with its
        cached machine translation into ``translated_into`` when the moderator asks."""
        now = self._relay.clock.now()
        async with self._relay.database.transaction() as db:
            if question_id is not None:
                question = await repo.get_question(db, question_id)
                if question is None or question.session_id != session_id:
                    raise UserFacingError("moderation.question_gone")
                if question.status not in SHOWABLE:
                    raise UserFacingError("web.not_showable", number=question.number)
            await walls.ensure_wall(db, session_id, secrets.token_urlsafe(24), now)
            await walls.put_on_screen(db, session_id, question_id, now, translated_into)
            self._relay.changed(db, session_id)

    async def on_screen_id(self, session_id: int) -> int | None:
        async with self._relay.database.transaction() as db:
            wall = await walls.wall_of_session(db, session_id)
        return None if wall is None else wall.on_screen_question_id

    async def view(self, session_id: int) -> WallView:
        async with self._relay.database.transaction() as db:
            row = await question_sessions.get_session(db, session_id)
            if row is None:
                raise UserFacingError("questions.session_unknown")
            wall = await walls.wall_of_session(db, session_id)
            shown = await repo.public_questions(db, session_id)
            answered = await repo.session_questions(db, session_id, [repo.ANSWERED])
            on_screen = None
            if wall is not None and wall.on_screen_question_id is not None:
                on_screen = await repo.get_question(db, wall.on_screen_question_id)
                if on_screen is not None and on_screen.status not in SHOWABLE:
                    on_screen = None
            translation = None
            if on_screen is not None and wall is not None and wall.on_screen_translation:
                cached = await translations.get_translation(
                    db, on_screen.id, wall.on_screen_translation
                )
                if cached is not None and cached.text is not None:
                    translation = WallTranslation(
                        cached.text, cached.language, cached.source_language
                    )
            top = sorted(shown, key=lambda q: (-q.votes, q.created_at, q.id))[:TOP_SHOWN]
            wanted = [*top, *([on_screen] if on_screen is not None else [])]
            authors = await repo.authors(db, [q.author_id for q in wanted])
            hubs = await repo.hubs(db, [q.hub_chat_id for q in wanted])
            hub_ids = set(await walls.hubs_that_asked(db, session_id))
            hub_ids |= {hub.chat_id for hub, _people in await walls.headcounts(db, session_id)}

        def card(question: Question) -> WallQuestion:
            return WallQuestion.of(
                question, authors.get(question.author_id), hubs.get(question.hub_chat_id or 0)
            )

        return WallView(
            session=SessionView.of(row),
            on_screen=card(on_screen) if on_screen is not None else None,
            top=[card(question) for question in top],
            questions=len(shown) + len(answered),
            hubs=len(hub_ids),
            on_screen_translation=translation,
        )
