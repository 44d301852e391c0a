"""The translation cache on both databases, against the local stand-in server: fetched in
the background for the moderators' languages, never delaying the ask; a card shown before
the answer says so; timeouts, 500s and edits."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.questions import QuestionRelay
from bot.questions.asking import Submitted
from bot.translation.service import (
    FAILED,
    NO_ANSWER_YET,
    PENDING,
    MissingTranslation,
    ShownTranslation,
    TranslationService,
)
from config.settings import Settings
from storage.db import Database
from storage.models import Chat, Moderator, QuestionTranslation
from tests.questions.support import NOW, Acks, add_session, asker, make_relay
from tests.translateserver import TranslateServer

FRENCH_MODERATOR, NEW_MODERATOR, SESSION_MODERATOR = 501, 502, 503
QUESTION = "Будут ли записи сессии?"


async def french_chat(database: Database, user_id: int, language: str = "fr") -> None:
    async with database.transaction() as db:
        db.add(Chat(id=user_id, type="private", language=language, created_at=NOW, updated_at=NOW))


def wire(
    database: Database, server: TranslateServer | None, clock: FrozenClock, **translate: Any
) -> tuple[QuestionRelay, TranslationService]:
    values: dict[str, Any] = {"timeout": 2.0, **translate}
    if server is not None:
        values["url"] = server.url
    settings = Settings(
        database_url=database.url,
        moderators=[FRENCH_MODERATOR, NEW_MODERATOR],
        translate=values,
    )
    relay = make_relay(database, clock)
    service = TranslationService(database, clock, settings, relay.context.live)
    relay.context.question_stored.append(service.question_stored)
    return relay, service


async def ask(relay: QuestionRelay, session_id: int, text: str = QUESTION) -> int:
    outcome = await relay.asking.submit(asker(101, language="ru"), session_id, text, 77, Acks())
    assert isinstance(outcome, Submitted)
    return outcome.question.id


async def test_fetched_for_the_moderators_languages_only(
    database: Database, translate_server: TranslateServer
) -> None:
    await french_chat(database, FRENCH_MODERATOR)
    translate_server.phrases[(QUESTION, "en")] = "Will the session be recorded?"
    clock = FrozenClock(NOW)
    relay, service = wire(database, translate_server, clock)
    session_id = await add_session(database)
    try:
        question_id = await ask(relay, session_id)
        await service.settle()
        targets = sorted(request["target"] for request in translate_server.requests)
        # fr (chosen in the chat), en (a moderator not met yet: the default); never ru.
        assert targets == ["en", "fr"]
        assert await service.for_card(question_id, "en") == ShownTranslation(
            "Will the session be recorded?", "ru"
        )
        assert await service.for_card(question_id, "fr") == ShownTranslation(
            f"[fr] {QUESTION}", "ru"
        )
        assert await service.for_card(question_id, "ru") is None  # its own language
        # Shown again: from the cache, no new request.
        await service.for_card(question_id, "en")
        await service.settle()
        assert len(translate_server.requests) == 2
    finally:
        await service.stop()


async def test_a_session_moderator_added_at_run_time_counts(
    database: Database, translate_server: TranslateServer
) -> None:
    await french_chat(database, SESSION_MODERATOR, "de")
    clock = FrozenClock(NOW)
    relay, service = wire(database, translate_server, clock)
    session_id = await add_session(database)
    async with database.transaction() as db:
        db.add(
            Moderator(
                user_id=SESSION_MODERATOR,
                scope=f"session:{session_id}",
                session_id=session_id,
                added_by=1,
                created_at=NOW,
            )
        )
    try:
        await ask(relay, session_id)
        await service.settle()
        assert sorted(r["target"] for r in translate_server.requests) == ["de", "en"]
    finally:
        await service.stop()


async def test_slow_server_never_delays_the_ask_and_the_card_says_why(
    database: Database, translate_server: TranslateServer
) -> None:
    # Waiting for the server would take the whole timeout; a busy CI machine takes well
    # under a second to store and acknowledge, so the margin between the two is wide.
    translate_server.delay = 8.0
    clock = FrozenClock(NOW)
    relay, service = wire(database, translate_server, clock, timeout=3.0)
    session_id = await add_session(database)
    try:
        started = time.monotonic()
        question_id = await ask(relay, session_id)
        assert time.monotonic() - started < 2.5  # stored and acknowledged without waiting
        # The card shown before the server answers: the original alone, "not ready yet".
        assert await service.for_card(question_id, "en") == MissingTranslation(PENDING)
        await service.settle()
        assert await service.for_card(question_id, "en") == MissingTranslation(NO_ANSWER_YET)
    finally:
        await service.stop()


async def test_server_error_is_failed_and_retried_later(
    database: Database, translate_server: TranslateServer
) -> None:
    translate_server.status = 500
    clock = FrozenClock(NOW)
    relay, service = wire(database, translate_server, clock)
    session_id = await add_session(database)
    try:
        question_id = await ask(relay, session_id)
        await service.settle()
        assert await service.for_card(question_id, "en") == MissingTranslation(FAILED)
        await service.settle()
        asked = len(translate_server.requests)  # not retried at once
        translate_server.status = 200
        clock.advance(timedelta(minutes=2))
        assert await service.for_card(question_id, "en") == MissingTranslation(FAILED)
        await service.settle()  # the card asked again in the background
        assert len(translate_server.requests) == asked + 1
        assert isinstance(await service.for_card(question_id, "en"), ShownTranslation)
    finally:
        await service.stop()


async def test_edit_invalidates_the_cache(
    database: Database, translate_server: TranslateServer
) -> None:
    clock = FrozenClock(NOW)
    relay, service = wire(database, translate_server, clock)
    session_id = await add_session(database)
    try:
        question_id = await ask(relay, session_id)
        await service.settle()
        edited = "Будет ли запись сессии на YouTube?"
        assert await relay.own.edit_by_message(101, 77, 101, edited, "ru") is not None
        await service.settle()
        assert await service.for_card(question_id, "en") == ShownTranslation(f"[en] {edited}", "ru")
        async with database.transaction() as db:
            rows = (await db.scalars(select(QuestionTranslation))).all()
        assert sorted(row.text or "" for row in rows) == [f"[en] {edited}"]
    finally:
        await service.stop()


async def test_without_url_nothing_changes(database: Database) -> None:
    clock = FrozenClock(NOW)
    relay, service = wire(database, None, clock)
    session_id = await add_session(database)
    assert not service.enabled
    question_id = await ask(relay, session_id)
    await service.settle()
    assert await service.for_card(question_id, "en") is None
    async with database.transaction() as db:
        assert (await db.scalars(select(QuestionTranslation))).all() == []
    await service.stop()


async def test_a_new_reader_language_is_fetched_once_however_often_shown(
    database: Database, translate_server: TranslateServer
) -> None:
    translate_server.delay = 0.3
    clock = FrozenClock(NOW)
    relay, service = wire(database, translate_server, clock)
    session_id = await add_session(database)
    try:
        question_id = await ask(relay, session_id)
        await service.settle()
        before = len(translate_server.requests)  # en, for the configured moderators
        # A moderator reading in Spanish opens the card and the console again and again.
        for _ in range(5):
            assert await service.for_card(question_id, "es") == MissingTranslation(PENDING)
        await service.settle()
        spanish = [r for r in translate_server.requests[before:] if r["target"] == "es"]
        assert len(spanish) == 1
        assert isinstance(await service.for_card(question_id, "es"), ShownTranslation)
    finally:
        await service.stop()


async def test_stopped_and_started_again_still_translates(
    database: Database, translate_server: TranslateServer
) -> None:
    clock = FrozenClock(NOW)
    relay, service = wire(database, translate_server, clock)
    session_id = await add_session(database)
    await service.stop()  # a restart in place: the client opens again on the next request
    try:
        question_id = await ask(relay, session_id)
        await service.settle()
        assert isinstance(await service.for_card(question_id, "en"), ShownTranslation)
    finally:
        await service.stop()
