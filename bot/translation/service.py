"""Translations of questions for moderators: fetched in the background, read from the cache.

When a question is stored (or edited), ``question_stored`` starts a background fetch into
the languages of the session's moderators, skipping the question's own. Cards and the
console call ``for_card``, which reads the cache only and says why when there is nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from babel import Locale, UnknownLocaleError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, pick_language
from bot.live import LiveHub
from bot.questions.views import QuestionView
from bot.translation.client import NO_ANSWER, Translated, TranslateResult, TranslationClient
from config.settings import Settings
from storage.db import Database, after_commit
from storage.repos import questions as question_repo
from storage.repos import translations as repo

log = logging.getLogger(__name__)

# Why a card shows the original alone (each has a message id ``translate.why.<reason>``).
PENDING = "pending"  # asked for, not back yet
NO_ANSWER_YET = "no_answer"  # the server did not answer (timeout, refused)
FAILED = "failed"  # the server answered with an error or garbage
# A failed translation is asked for again when a card shows it this long after.
RETRY_AFTER = timedelta(minutes=1)
# Requests to the server at once, whatever the number of questions arriving.
PARALLEL_REQUESTS = 2


@dataclass(frozen=True, slots=True)
class ShownTranslation:
    text: str
    source: str | None  # the detected source language's code, when known


@dataclass(frozen=True, slots=True)
class MissingTranslation:
    why: str  # PENDING | NO_ANSWER_YET | FAILED


CardTranslation = ShownTranslation | MissingTranslation


class TranslationService:
    """Off (every call a no-op, ``for_card`` None) without ``[translate] url``."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        settings: Settings,
        live: LiveHub,
        client: TranslationClient | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.settings = settings
        self.live = live
        if client is None and settings.translate.url is not None:
            client = TranslationClient(settings.translate)
        self.client = client
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[tuple[int, str]] = set()
        # (question, language) pairs a card or a page asked for and not fetched yet.
        self._asked: set[tuple[int, str]] = set()
        self._limit = asyncio.Semaphore(PARALLEL_REQUESTS)

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def question_stored(self, question_id: int, languages: frozenset[str] = frozenset()) -> None:
        """After the commit that stored or edited a question: fetch in the background."""
        if self.client is None:
            return
        wanted = {(question_id, language) for language in languages}
        if wanted and wanted <= self._asked:
            return  # a card or a page asked already; that fetch is on its way
        self._asked |= wanted
        task = asyncio.create_task(
            self._fetch_logged(question_id, languages), name=f"translate:{question_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _task: self._asked.difference_update(wanted))

    async def settle(self) -> None:
        """Wait for the background fetches running now (tests, the CLI, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self.client is not None:
            await self.client.aclose()

    async def for_questions(
        self, questions: Iterable[QuestionView], language: str
    ) -> dict[int, CardTranslation]:
        """``for_card`` of many questions in one read (the console's lists)."""
        if self.client is None:
            return {}
        foreign = {view.id: view for view in questions if view.language != language}
        async with self.database.transaction() as db:
            rows = await repo.translations_of(db, foreign, language)
        shown: dict[int, CardTranslation] = {}
        for question_id in foreign:
            row = rows.get(question_id)
            if row is None:
                self.question_stored(question_id, frozenset({language}))
                shown[question_id] = MissingTranslation(PENDING)
            elif row.text is not None:
                if row.source_language != language:
                    shown[question_id] = ShownTranslation(row.text, row.source_language)
            else:
                if self.clock.now() - row.created_at >= RETRY_AFTER:
                    self.question_stored(question_id, frozenset({language}))
                why = NO_ANSWER_YET if row.reason in NO_ANSWER else FAILED
                shown[question_id] = MissingTranslation(why)
        return shown

    async def for_card(self, question_id: int, language: str) -> CardTranslation | None:
        """What the card shows beside the original in ``language``; None when nothing should
        be shown (off, or the question is in that language). Never waits for the server."""
        if self.client is None:
            return None
        async with self.database.transaction() as db:
            question = await question_repo.get_question(db, question_id)
            if question is None or question.language == language:
                return None
            row = await repo.get_translation(db, question_id, language)
        if row is None:
            self.question_stored(question_id, frozenset({language}))  # a new moderator
            return MissingTranslation(PENDING)
        if row.text is not None:
            if row.source_language == language:
                return None  # the server found it already in the reader's language
            return ShownTranslation(row.text, row.source_language)
        if self.clock.now() - row.created_at >= RETRY_AFTER:
            self.question_stored(question_id, frozenset({language}))
        return MissingTranslation(NO_ANSWER_YET if row.reason in NO_ANSWER else FAILED)

    async def _fetch_logged(self, question_id: int, languages: frozenset[str]) -> None:
        try:
            await self.fetch(question_id, languages)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("translate: fetching question %d failed", question_id)

    async def fetch(self, question_id: int, extra: frozenset[str] = frozenset()) -> None:
        """Translate into the moderators' languages (and ``extra``) not cached yet."""
        assert self.client is not None
        async with self.database.transaction() as db:
            question = await question_repo.get_question(db, question_id)
            if question is None:
                return
            wanted = await self.moderator_languages(db, question.session_id) | set(extra)
            cached = await repo.cached_languages(db, question_id) - set(extra)
            text, session_id = question.text, question.session_id
            todo = sorted(wanted - cached - {question.language})
        for language in todo:
            if (question_id, language) in self._in_flight:
                continue
            self._in_flight.add((question_id, language))
            try:
                async with self._limit:
                    result = await self.client.translate(text, language)
                await self._save(question_id, session_id, text, language, result)
            finally:
                self._in_flight.discard((question_id, language))

    async def _save(
        self,
        question_id: int,
        session_id: int,
        text: str,
        language: str,
        result: TranslateResult,
    ) -> None:
        async with self.database.transaction() as db:
            current = await question_repo.get_question(db, question_id)
            if current is None or current.text != text:
                return  # edited meanwhile: the edit asked for its own translation
            if isinstance(result, Translated):
                await repo.save_translation(
                    db,
                    question_id,
                    language,
                    self.clock.now(),
                    text=result.text,
                    source_language=result.source,
                    reason=None,
                )
            else:
                await repo.save_translation(
                    db,
                    question_id,
                    language,
                    self.clock.now(),
                    text=None,
                    source_language=None,
                    reason=result.reason,
                )
            live = self.live
            after_commit(db, lambda: live.publish(session_id))

    async def moderator_languages(self, db: AsyncSession, session_id: int) -> set[str]:
        """The languages the session's moderators (and the admins) read the bot in; a
        moderator the bot has not met yet counts in the default language."""
        settings = self.settings
        ids = set(settings.moderators) | set(settings.admins)
        ids |= await repo.session_moderator_ids(db, session_id)
        known = await repo.people_languages(db, ids)
        languages = {
            pick_language(chosen, code, settings.default_language)
            for chosen, code in known.values()
        }
        return {language for language in languages if language in LANGUAGES}


def language_name(code: str, reader: str) -> str:
    """``kk`` read in English: "Kazakh"; a code Babel does not know stays as it is."""
    try:
        name = Locale.parse(reader).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name or LANGUAGE_NAMES.get(code, code)
