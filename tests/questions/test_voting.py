"""Votes on both backends: one per person, a second press takes it back, never your own."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import UserFacingError
from bot.questions.voting import PAGE_SIZE
from storage.db import Database

from .support import Acks, add_session, add_user, asker, make_relay, questions_in


async def test_vote_toggles_and_counts(database: Database) -> None:
    session_id = await add_session(database)
    relay = make_relay(database)
    outcome = await relay.asking.submit(asker(1), session_id, "Who funds the hubs?", None, Acks())
    question_id = outcome.question.id  # type: ignore[union-attr]
    first = await relay.voting.toggle(question_id, 2)
    second = await relay.voting.toggle(question_id, 3)
    assert (first.voted, second.voted, second.question.votes) == (True, True, 2)
    taken_back = await relay.voting.toggle(question_id, 2)
    assert (taken_back.voted, taken_back.question.votes) == (False, 1)
    again = await relay.voting.toggle(question_id, 2)
    assert (again.voted, again.question.votes) == (True, 2)
    page = await relay.voting.page(session_id, 2)
    assert [(item.voted, item.own) for item in page.items] == [(True, False)]
    assert [(item.voted, item.own) for item in (await relay.voting.page(session_id, 1)).items] == [
        (False, True)
    ]


async def test_nobody_votes_for_their_own_question(database: Database) -> None:
    session_id = await add_session(database)
    relay = make_relay(database)
    outcome = await relay.asking.submit(asker(1), session_id, "My own question", None, Acks())
    with pytest.raises(UserFacingError) as refused:
        await relay.voting.toggle(outcome.question.id, 1)  # type: ignore[union-attr]
    assert refused.value.message_id == "questions.own_vote"
    assert (await questions_in(database, session_id))[0].votes == 0


async def test_settled_questions_take_no_votes(database: Database) -> None:
    session_id = await add_session(database)
    relay = make_relay(database)
    outcome = await relay.asking.submit(asker(1), session_id, "Answered soon", None, Acks())
    question_id = outcome.question.id  # type: ignore[union-attr]
    await relay.moderation.claim_next(session_id, 900)
    await relay.moderation.mark_answered(question_id, 900)
    with pytest.raises(UserFacingError) as refused:
        await relay.voting.toggle(question_id, 2)
    assert refused.value.message_id == "questions.vote_closed"


async def test_concurrent_presses_keep_the_count_true(database: Database) -> None:
    session_id = await add_session(database)
    relay = make_relay(database)
    outcome = await relay.asking.submit(asker(1), session_id, "Popular question", None, Acks())
    question_id = outcome.question.id  # type: ignore[union-attr]
    await asyncio.gather(*(relay.voting.toggle(question_id, voter) for voter in range(10, 30)))
    [stored] = await questions_in(database, session_id)
    assert stored.votes == 20


async def test_pages_and_public_names(database: Database) -> None:
    session_id = await add_session(database)
    relay = make_relay(database)
    await add_user(database, 1, "Ann", username="ann_lib")
    topics = "funding training licensing archives metadata copyright rural schools prisons museums"
    for index, topic in enumerate(topics.split()):
        text = f"What is new about {topic}?" if index % 2 else f"{topic.title()}: any plans?"
        await relay.asking.submit(asker(1 + index), session_id, text, None, Acks())
    first = await relay.voting.page(session_id, 99)
    last = await relay.voting.page(session_id, 99, page=5)
    assert (first.pages, first.total, len(first.items)) == (2, 10, PAGE_SIZE)
    assert (last.page, len(last.items)) == (1, 10 - PAGE_SIZE)
    named = first.items[0].question
    assert (named.asker_public, named.asker) == ("Ann", "Ann (@ann_lib)")
