"""The moderators' side on both backends: queue order, the state machine, notices, timeouts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.errors import UserFacingError
from bot.questions import QuestionRelay
from bot.questions.asking import Asker
from storage.db import Database
from storage.repos import questions as repo

from .support import (
    NOW,
    Acks,
    add_session,
    asker,
    make_relay,
    outbox_rows,
    questions_in,
)

MODERATOR, OTHER_MODERATOR = 900, 901
TOPICS = ["funding", "training", "licensing", "archives", "metadata", "copyright"]


async def ask_several(
    relay: QuestionRelay, clock: FrozenClock, session_id: int, count: int
) -> list[int]:
    """``count`` questions by different people, a minute apart; their ids in asking order."""
    ids = []
    for index in range(count):
        outcome = await relay.asking.submit(
            asker(100 + index), session_id, f"What about {TOPICS[index]}?", None, Acks()
        )
        ids.append(outcome.question.id)  # type: ignore[union-attr]
        clock.advance(timedelta(minutes=1))
    return ids


async def notices(database: Database) -> list[tuple[int, str]]:
    return [
        (row.chat_id, row.kind)
        for row in await outbox_rows(database)
        if row.kind.startswith("question_")
    ]


async def test_next_takes_most_voted_then_oldest(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock)
    first, second, third, fourth = await ask_several(relay, clock, session_id, 4)
    for voter in (201, 202):
        await relay.voting.toggle(third, voter)
    await relay.voting.toggle(second, 201)
    order = []
    while (question := await relay.moderation.claim_next(session_id, MODERATOR)) is not None:
        order.append(question.id)
        await relay.moderation.mark_answered(question.id, MODERATOR)
    assert order == [third, second, first, fourth]


async def test_skip_goes_after_the_others_and_back_keeps_the_place(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock)
    first, second, third = await ask_several(relay, clock, session_id, 3)
    claimed = await relay.moderation.claim_next(session_id, MODERATOR)
    assert claimed is not None and claimed.id == first
    await relay.moderation.skip(first, MODERATOR)
    queue = await relay.moderation.queue(session_id)
    assert [q.id for q in queue.queued] == [second, third, first]
    claimed = await relay.moderation.claim_next(session_id, MODERATOR)
    assert claimed is not None and claimed.id == second
    back = await relay.moderation.put_back(second, MODERATOR)
    assert back.status == repo.WAITING
    queue = await relay.moderation.queue(session_id)
    assert [q.id for q in queue.queued] == [second, third, first]


async def test_asker_is_told_what_happens(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock)
    first, second, third = await ask_several(relay, clock, session_id, 3)
    await relay.moderation.claim_next(session_id, MODERATOR)
    await relay.moderation.mark_answered(first, MODERATOR)
    await relay.moderation.claim_next(session_id, MODERATOR)
    await relay.moderation.skip(second, MODERATOR)
    await relay.moderation.reject(third, MODERATOR, "Off topic <b>here</b>")
    await relay.moderation.write_answer(second, MODERATOR, "We will publish the slides.")
    assert await notices(database) == [
        (100, "question_forwarded"),
        (100, "question_answered"),
        (101, "question_forwarded"),
        (101, "question_skipped"),
        (102, "question_rejected_reason"),
        (101, "question_answer"),
    ]
    rows = {row.kind: row for row in await outbox_rows(database)}
    rejected = rows["question_rejected_reason"].payload["text"]
    assert "Off topic &lt;b&gt;here&lt;/b&gt;" in rejected and "#3" in rejected
    answer = rows["question_answer"].payload["text"]
    assert "We will publish the slides." in answer
    stored = {q.id: q for q in await questions_in(database, session_id)}
    assert stored[second].status == repo.ANSWERED and stored[second].answer_text
    assert stored[third].reject_reason == "Off topic <b>here</b>"
    assert stored[first].forwarded_at is not None and stored[first].answered_at is not None


async def test_notices_speak_the_askers_language(database: Database) -> None:
    session_id = await add_session(database, title="Библиотеки и ИИ")
    relay = make_relay(database)
    await relay.asking.submit(
        asker(language="ru"), session_id, "Вопрос о финансировании", None, Acks()
    )
    question = await relay.moderation.claim_next(session_id, MODERATOR)
    assert question is not None
    await relay.moderation.mark_answered(question.id, MODERATOR)
    texts = [
        row.payload["text"]
        for row in await outbox_rows(database)
        if row.kind.startswith("question_")
    ]
    assert all("Ваш вопрос №1" in text and "Библиотеки и ИИ" in text for text in texts)


async def test_a_claimed_question_belongs_to_its_moderator(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock)
    [only] = await ask_several(relay, clock, session_id, 1)
    await relay.moderation.claim_next(session_id, MODERATOR)
    assert await relay.moderation.claim_next(session_id, OTHER_MODERATOR) is None
    for action in (
        relay.moderation.mark_answered,
        relay.moderation.skip,
        relay.moderation.put_back,
    ):
        with pytest.raises(UserFacingError) as refused:
            await action(only, OTHER_MODERATOR)
        assert refused.value.message_id == "moderation.held_by_other"
    await relay.moderation.mark_answered(only, MODERATOR)
    with pytest.raises(UserFacingError) as again:
        await relay.moderation.mark_answered(only, MODERATOR)
    assert again.value.message_id == "moderation.now_answered"


async def test_withdrawn_questions_cannot_be_handled(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock)
    [only] = await ask_several(relay, clock, session_id, 1)
    await relay.own.withdraw(only, 100)
    assert await relay.moderation.claim_next(session_id, MODERATOR) is None
    with pytest.raises(UserFacingError) as refused:
        await relay.moderation.reject(only, MODERATOR)
    assert refused.value.message_id == "moderation.now_withdrawn"


async def test_stale_claims_return_to_the_queue(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock, claim_timeout_minutes=10)
    first, second = await ask_several(relay, clock, session_id, 2)
    await relay.moderation.claim_next(session_id, MODERATOR)
    await relay.moderation.claim_next(session_id, MODERATOR)
    await relay.moderation.skip(second, MODERATOR)
    claimed = await relay.moderation.claim_next(session_id, MODERATOR)
    assert claimed is not None and claimed.id == second
    clock.advance(timedelta(minutes=9))
    assert await relay.moderation.release_stale_claims() == 0
    clock.advance(timedelta(minutes=2))
    assert await relay.moderation.release_stale_claims() == 2
    queue = await relay.moderation.queue(session_id)
    # The first returns to its place; the skipped one stays after it.
    assert [(q.id, q.status) for q in queue.queued] == [(first, "waiting"), (second, "skipped")]
    with pytest.raises(UserFacingError):
        await relay.moderation.mark_answered(first, MODERATOR)  # the old card is stale


async def test_premoderation_holds_questions_until_approved(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock)
    await relay.moderation.set_premoderation(session_id, True)
    [held] = await ask_several(relay, clock, session_id, 1)
    assert (await relay.voting.page(session_id, 500)).items == []
    assert await relay.moderation.claim_next(session_id, MODERATOR) is None
    queue = await relay.moderation.queue(session_id)
    assert [q.id for q in queue.pending] == [held] and queue.premoderation
    approved = await relay.moderation.approve(held, MODERATOR)
    assert approved.status == repo.WAITING
    assert [item.question.id for item in (await relay.voting.page(session_id, 500)).items] == [held]
    assert (100, "question_approved") in await notices(database)


async def test_answer_by_number_and_the_current_claim(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock)
    first, second = await ask_several(relay, clock, session_id, 2)
    assert await relay.moderation.current_claim(session_id, MODERATOR) is None
    await relay.moderation.claim_next(session_id, MODERATOR)
    held = await relay.moderation.current_claim(session_id, MODERATOR)
    assert held is not None and held.id == first
    by_number = await relay.moderation.question_by_number(session_id, 2)
    assert by_number.id == second
    with pytest.raises(UserFacingError):
        await relay.moderation.question_by_number(session_id, 7)
    with pytest.raises(UserFacingError) as short:
        await relay.moderation.write_answer(second, MODERATOR, "ok")
    assert short.value.message_id == "questions.too_short"


async def test_moderator_input_steps(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay = make_relay(database, clock)
    [only] = await ask_several(relay, clock, session_id, 1)
    await relay.moderation.expect_text(MODERATOR, MODERATOR, "reason", only)
    mod = Asker(MODERATOR, MODERATOR, "en", in_group=False)
    assert await make_relay(database, clock).asking.step_of(mod) == "reason"
    assert await relay.moderation.pending_text_target(MODERATOR, MODERATOR) == ("reason", only)
    assert await relay.moderation.pending_text_target(MODERATOR, MODERATOR) is None
    assert await relay.asking.step_of(mod) is None
