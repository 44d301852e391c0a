"""Asking on both backends: the flow's steps, the limits, near-duplicates, hubs, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.errors import UserFacingError
from bot.questions.asking import AwaitingText, ChooseSession, SimilarFound, Submitted
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


async def test_question_is_stored_with_its_acknowledgement(database: Database) -> None:
    session_id = await add_session(database)
    relay, acks = make_relay(database), Acks()
    outcome = await relay.asking.ask_with_text(asker(), "How do libraries use AI?", 7, acks)
    assert isinstance(outcome, Submitted)
    assert outcome.question.number == 1 and outcome.session.id == session_id
    [stored] = await questions_in(database, session_id)
    assert (stored.text, stored.status, stored.message_id) == (
        "How do libraries use AI?",
        "waiting",
        7,
    )
    assert stored.language == "en" and stored.anonymous is False
    assert [row.idempotency_key for row in await outbox_rows(database)] == [f"ack:{stored.id}"]


async def test_a_failing_acknowledgement_stores_nothing(database: Database) -> None:
    session_id = await add_session(database)
    relay = make_relay(database)

    async def broken(*_: object) -> None:
        raise RuntimeError("outbox unavailable")

    with pytest.raises(RuntimeError):
        await relay.asking.ask_with_text(asker(), "Will this be lost?", 7, broken)
    assert await questions_in(database, session_id) == []


async def test_numbers_count_per_session(database: Database) -> None:
    first = await add_session(database, title="One")
    second = await add_session(database, title="Two")
    relay, acks = make_relay(database), Acks()
    topics = ["funding", "training", "licensing", "archives"]
    for user, session_id in [(1, first), (2, first), (3, second), (4, first)]:
        text = f"What about {topics[user - 1]}?"
        assert isinstance(
            await relay.asking.submit(asker(user), session_id, text, None, acks), Submitted
        )
    assert [q.number for q in await questions_in(database, first)] == [1, 2, 3]
    assert [q.number for q in await questions_in(database, second)] == [1]


async def test_the_same_message_is_stored_once(database: Database) -> None:
    """A redelivered update (after a crash) must not store the question twice."""
    session_id = await add_session(database)
    relay, acks = make_relay(database), Acks()
    first = await relay.asking.ask_with_text(asker(), "What about rural libraries?", 42, acks)
    again = await relay.asking.ask_with_text(asker(), "What about rural libraries?", 42, acks)
    assert isinstance(first, Submitted) and isinstance(again, Submitted)
    assert again.question.id == first.question.id
    assert len(await questions_in(database, session_id)) == 1


async def test_two_step_flow_survives_a_restart(database: Database) -> None:
    await add_session(database, title="Only one")
    outcome = await make_relay(database).asking.begin(asker())
    assert isinstance(outcome, AwaitingText) and outcome.session.title == "Only one"
    restarted = make_relay(database)  # a new process: only the database knows
    assert await restarted.asking.step_of(asker()) == "text"
    submitted = await restarted.asking.receive_text(asker(), "Asked after a restart", 9, Acks())
    assert isinstance(submitted, Submitted)
    assert await restarted.asking.step_of(asker()) is None


async def test_several_open_sessions_are_offered_and_the_draft_kept(database: Database) -> None:
    first = await add_session(database, title="Morning")
    await add_session(database, title="Parallel")
    relay, acks = make_relay(database), Acks()
    outcome = await relay.asking.ask_with_text(asker(), "Which session gets me?", 5, acks)
    assert isinstance(outcome, ChooseSession) and outcome.has_draft
    assert [s.title for s in outcome.sessions] == ["Morning", "Parallel"]
    chosen = await relay.asking.choose(asker(), first, acks)
    assert isinstance(chosen, Submitted) and chosen.question.text == "Which session gets me?"
    assert chosen.question.session_id == first


async def test_sessions_open_before_start_and_close_at_the_end(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database, start=NOW + timedelta(minutes=45), minutes=30)
    relay = make_relay(database, clock, open_before_minutes=30)
    with pytest.raises(UserFacingError) as refused:
        await relay.asking.begin(asker())
    assert refused.value.message_id == "questions.no_session"
    clock.advance(timedelta(minutes=16))  # 29 minutes before the start
    assert [s.id for s in await relay.asking.open_sessions()] == [session_id]
    clock.advance(timedelta(minutes=59))  # one minute after the end
    with pytest.raises(UserFacingError) as closed:
        await relay.asking.submit(asker(), session_id, "Too late?", None, Acks())
    assert closed.value.message_id == "questions.session_closed"


async def test_cancelled_sessions_take_no_questions(database: Database) -> None:
    await add_session(database, cancelled=True)
    with pytest.raises(UserFacingError):
        await make_relay(database).asking.begin(asker())


@pytest.mark.parametrize(
    ("text", "message_id"),
    [
        ("", "questions.too_short"),
        ("Hi", "questions.too_short"),
        ("x" * 1001, "questions.too_long"),
    ],
)
async def test_length_limits(database: Database, text: str, message_id: str) -> None:
    session_id = await add_session(database)
    relay = make_relay(database)
    with pytest.raises(UserFacingError) as refused:
        await relay.asking.submit(asker(), session_id, text, None, Acks())
    assert refused.value.message_id == message_id
    # Nothing is lost: the next message is taken as the corrected question.
    assert await relay.asking.step_of(asker()) == "text"
    assert isinstance(await relay.asking.receive_text(asker(), "x" * 1000, None, Acks()), Submitted)


async def test_at_most_three_open_questions_per_person_per_session(database: Database) -> None:
    session_id = await add_session(database)
    other = await add_session(database, title="Other")
    relay, acks = make_relay(database), Acks()
    for topic in ("funding", "training", "licensing"):
        await relay.asking.submit(asker(), session_id, f"A question about {topic}", None, acks)
    with pytest.raises(UserFacingError) as refused:
        await relay.asking.submit(asker(), session_id, "A question about metadata", None, acks)
    assert refused.value.message_id == "questions.too_many"
    assert refused.value.params == {"count": 3}
    # Another session, or another person, is not limited by these three.
    await relay.asking.submit(asker(), other, "A question about metadata", None, acks)
    await relay.asking.submit(asker(202), session_id, "A question about metadata", None, acks)
    # Withdrawing one makes room again.
    first = (await questions_in(database, session_id))[0]
    await relay.own.withdraw(first.id, 101)
    await relay.asking.submit(asker(), session_id, "A question about archives", None, acks)


async def test_cooldown_between_questions(database: Database) -> None:
    clock = FrozenClock(NOW)
    session_id = await add_session(database)
    relay, acks = make_relay(database, clock, cooldown_seconds=20), Acks()
    await relay.asking.submit(asker(), session_id, "The first question", None, acks)
    clock.advance(timedelta(seconds=5))
    with pytest.raises(UserFacingError) as refused:
        await relay.asking.submit(asker(), session_id, "The second question", None, acks)
    assert refused.value.message_id == "questions.cooldown" and refused.value.params == {
        "count": 15
    }
    clock.advance(timedelta(seconds=15))
    outcome = await relay.asking.receive_text(asker(), "The second question", None, acks)
    assert isinstance(outcome, Submitted)


async def test_similar_question_is_offered_and_the_choice_is_the_askers(
    database: Database,
) -> None:
    session_id = await add_session(database)
    relay, acks = make_relay(database), Acks()
    await relay.asking.submit(asker(1), session_id, "Как библиотеки используют ИИ?", None, acks)
    offered = await relay.asking.submit(
        asker(2), session_id, "как библиотеки используют ии", None, acks
    )
    assert isinstance(offered, SimilarFound) and offered.similar.number == 1
    assert len(await questions_in(database, session_id)) == 1
    # "Send mine anyway": stored, no second offer.
    sent = await relay.asking.send_anyway(asker(2), acks)
    assert isinstance(sent, Submitted) and sent.question.number == 2
    # A third person votes for the first instead.
    offered = await relay.asking.submit(
        asker(3), session_id, "Как библиотеки используют ИИ", None, acks
    )
    assert isinstance(offered, SimilarFound)
    backed = await relay.asking.vote_instead(asker(3))
    assert backed.number == 1 and backed.votes == 1
    assert len(await questions_in(database, session_id)) == 2
    with pytest.raises(UserFacingError):
        await relay.asking.send_anyway(asker(3), acks)  # nothing pending any more


async def test_asking_your_own_question_again_is_refused(database: Database) -> None:
    session_id = await add_session(database)
    relay, acks = make_relay(database), Acks()
    await relay.asking.submit(asker(), session_id, "How will IFLA support hubs?", None, acks)
    with pytest.raises(UserFacingError) as refused:
        await relay.asking.submit(asker(), session_id, "How will IFLA support hubs", None, acks)
    assert refused.value.message_id == "questions.duplicate_own"


async def test_anonymous_choice_is_kept_and_the_author_stays_known(database: Database) -> None:
    session_id = await add_session(database)
    relay, acks = make_relay(database), Acks()
    await relay.asking.begin(asker())
    prompt = await relay.asking.toggle_anonymous(asker())
    assert prompt is not None and prompt.anonymous
    outcome = await relay.asking.receive_text(asker(), "Asked without my name", None, acks)
    assert isinstance(outcome, Submitted) and outcome.question.anonymous
    assert outcome.question.asker is None
    [stored] = await questions_in(database, session_id)
    assert stored.anonymous and stored.author_id == 101  # kept for abuse handling


async def test_hub_questions_are_attributed_to_the_hub(database: Database) -> None:
    session_id = await add_session(database)
    relay, acks = make_relay(database), Acks()
    group = asker(301, chat_id=-1001, language="ru")
    with pytest.raises(UserFacingError) as refused:
        await relay.asking.begin(group)
    assert refused.value.message_id == "questions.group_not_hub"
    label = await relay.hubs.register(-1001, "Novosibirsk hub, Russia", 301)
    assert label == "Novosibirsk hub (Russia)"
    outcome = await relay.asking.ask_with_text(group, "Какие планы у IFLA?", 3, acks)
    assert isinstance(outcome, Submitted)
    assert outcome.question.hub == "Novosibirsk hub (Russia)" and outcome.question.asker is None
    [stored] = await questions_in(database, session_id)
    assert (stored.hub_chat_id, stored.chat_id, stored.language) == (-1001, -1001, "ru")
    assert await relay.hubs.unregister(-1001)
    with pytest.raises(UserFacingError):
        await relay.asking.ask_with_text(group, "Ещё один вопрос от хаба", 4, acks)


async def test_editing_follows_the_message_while_waiting(database: Database) -> None:
    session_id = await add_session(database)
    relay, acks = make_relay(database), Acks()
    await relay.asking.ask_with_text(asker(), "Original wording", 11, acks)
    edited = await relay.own.edit_by_message(101, 11, 101, "Вопрос на русском", "en")
    assert edited is not None and edited.text == "Вопрос на русском" and edited.language == "ru"
    assert await relay.own.edit_by_message(101, 12, 101, "Not a question message", "en") is None
    assert await relay.own.edit_by_message(101, 11, 999, "Someone else's edit", "en") is None
    [stored] = await questions_in(database, session_id)
    await relay.moderation.claim_next(session_id, 900)
    with pytest.raises(UserFacingError) as refused:
        await relay.own.edit_by_message(101, 11, 101, "Too late now", "en")
    assert refused.value.message_id == "questions.edit_too_late"
    assert (await questions_in(database, session_id))[0].text == "Вопрос на русском"
    assert stored.normalized == "вопрос на русском"


async def test_withdraw_only_your_own_and_only_while_waiting(database: Database) -> None:
    session_id = await add_session(database)
    relay, acks = make_relay(database), Acks()
    await relay.asking.submit(asker(), session_id, "Please withdraw me", None, acks)
    await relay.asking.submit(asker(), session_id, "Keep me in the queue", None, acks)
    first, second = await questions_in(database, session_id)
    with pytest.raises(UserFacingError) as refused:
        await relay.own.withdraw(first.id, 202)
    assert refused.value.message_id == "questions.not_yours"
    assert (await relay.own.withdraw(first.id, 101)).status == repo.WITHDRAWN
    await relay.moderation.claim_next(session_id, 900)
    with pytest.raises(UserFacingError):
        await relay.own.withdraw(second.id, 101)
