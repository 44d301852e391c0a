"""The whole relay end to end, on SQLite and PostgreSQL, against the local Bot API server:
participants (en, ru) and a hub ask, vote; a moderator pulls in vote order and settles each
question; askers are told; the export's counts match."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from localapi import LocalBotApiServer, StoredMessage
from storage.db import Database
from storage.repos import questions as repo
from tests.harness import BotHarness

from .e2e_support import Chat, data_with, live_session, number_in
from .support import E2E_MODERATOR as MODERATOR
from .support import questions_in

pytestmark = pytest.mark.e2e

ANN, BORIS, HUB_ADMIN, HUB_MEMBER, GROUP = 10, 11, 12, 13, -100500


def vote_button(listing: StoredMessage, number: int) -> str:
    for button in listing.buttons:
        if button["text"].endswith(f"#{number}"):
            return str(button["callback_data"])
    raise AssertionError(f"no vote button for #{number}: {listing.buttons}")


async def test_ask_vote_moderate_notify_export(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    api.add_user(ANN, "Ann", "en", "ann")
    api.add_user(BORIS, "Борис", "ru")
    api.add_user(HUB_ADMIN, "Ирина", "ru")
    api.add_user(HUB_MEMBER, "Пётр", "ru")
    api.add_group(GROUP, "Novosibirsk library", admins=[HUB_ADMIN], members=[HUB_MEMBER])
    ann, boris, moderator = Chat(api, ANN), Chat(api, BORIS), Chat(api, MODERATOR)
    group_admin, group_member = Chat(api, HUB_ADMIN, GROUP), Chat(api, HUB_MEMBER, GROUP)

    # Ann asks in two steps; the prompt names the session.
    prompt = await ann.send("/ask")
    assert "Libraries and AI" in (prompt.text or "")
    ack = await ann.send("How do libraries use AI?")
    assert "#1" in (ack.text or "") and "Libraries and AI" in (ack.text or "")
    # Boris asks in one message, and is answered in Russian.
    ack = await boris.send("/ask Как библиотеки финансируют удалённые хабы?")
    assert "№2" in (ack.text or "") and "Принято" in (ack.text or "")
    # A group must be registered as a hub first; only its admins may do that.
    refusal = await group_member.send("/hub Novosibirsk hub, Russia")
    assert "администраторы" in (refusal.text or "")
    registered = await group_admin.send("/hub Novosibirsk hub, Russia")
    assert "Novosibirsk hub (Russia)" in (registered.text or "")
    ack = await group_member.send("/ask Будут ли записи сессии?")
    assert "№3" in (ack.text or "")
    assert ack.reply_to_message_id is not None  # the group sees which message was taken

    # Voting: hub question two votes, Ann's one; nobody votes for their own.
    listing = await boris.send("/questions")
    await boris.press(listing, vote_button(listing, 3))
    await boris.edited(listing, "✅ 1 · #3")  # buttons: ✅ voted, 👍 not yet, ✍️ own
    await boris.press(listing, vote_button(listing, 1))
    await boris.edited(listing, "✅ 1 · #1")
    ann_list = await ann.send("/questions")
    answers = len(api.callback_answers)
    await ann.press(ann_list, vote_button(ann_list, 1))
    assert "own" in await ann.alert(answers)
    await ann.press(ann_list, vote_button(ann_list, 3))
    await ann.edited(ann_list, "✅ 2 · #3")
    await ann.press(ann_list, vote_button(ann_list, 3))  # a second press takes it back
    await ann.edited(ann_list, "👍 1 · #3")
    await ann.press(ann_list, vote_button(ann_list, 3))
    await ann.edited(ann_list, "✅ 2 · #3")
    assert "#3 · 👍 2" in (ann_list.text or "")  # the list's text follows the count too

    # The moderator picks the session and pulls in vote order.
    picker = await moderator.send("/moderate")
    await moderator.press(picker, f"mod:s:{session_id}")
    await moderator.edited(picker, "You moderate")
    card = await moderator.send("/next")
    assert number_in(card.text) == 3 and "Novosibirsk hub (Russia)" in (card.text or "")
    assert "👍 2" in (card.text or "") and "Будут ли записи сессии?" in (card.text or "")
    forwarded = await group_member.next()
    assert "№3" in (forwarded.text or "") and "у модератора" in (forwarded.text or "")
    await moderator.press(card, data_with(card, "mq:ans:")[0])
    await moderator.edited(card, "#3 is answered")
    answered = await group_member.next()
    assert "ответили в зале" in (answered.text or "")

    card = await moderator.send("/next")
    assert number_in(card.text) == 1 and "Ann (@ann)" in (card.text or "")
    await moderator.press(card, data_with(card, "mq:ans:")[0])
    await ann.next(lambda m: "read out and answered" in (m.text or ""))

    card = await moderator.send("/next")
    assert number_in(card.text) == 2
    await moderator.press(card, data_with(card, "mq:write:")[0])
    await moderator.edited(card, "Write your answer")
    sent = await moderator.send("Хабы финансируются из грантов ИФЛА.")
    assert "on its way" in (sent.text or "")
    answer = await boris.next(lambda m: "Модератор ответил" in (m.text or ""))
    assert "Хабы финансируются из грантов ИФЛА." in (answer.text or "")
    empty = await moderator.send("/next")
    assert "No question is waiting" in (empty.text or "")

    # The export: a CSV and a Markdown report whose counts match.
    moderator.send_only("/export")
    documents = [await moderator.next(), await moderator.next()]
    csv_file, report = (message.document for message in documents)
    assert csv_file is not None and report is not None and csv_file.data and report.data
    rows = list(csv.DictReader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert [(row["number"], row["status"]) for row in rows] == [
        ("1", "answered"),
        ("2", "answered"),
        ("3", "answered"),
    ]
    assert rows[2]["asker"] == "Novosibirsk hub (Russia)"
    assert rows[1]["answer"] == "Хабы финансируются из грантов ИФЛА."
    markdown = report.data.decode()
    assert "| Asked | 3 |" in markdown and "| Answered | 3 |" in markdown
    assert "| Novosibirsk hub (Russia) | 1 | 1 |" in markdown
    assert "| ru | 2 |" in markdown and "| en | 1 |" in markdown
    assert "3 asked, 3 answered" in (documents[1].caption or "")


async def test_two_moderators_at_once_get_different_questions(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    second_moderator = 7003
    api.add_user(second_moderator, "Nina", "en")
    await bot.services.questions.moderators.add(second_moderator, _scope_all(), MODERATOR)
    for index, topic in enumerate(["funding", "training", "licensing"]):
        api.add_user(20 + index, f"User {index}", "en")
        await Chat(api, 20 + index).send(f"/ask What about {topic}?")
    first, second = Chat(api, MODERATOR), Chat(api, second_moderator)
    for chat in (first, second):
        picker = await chat.send("/moderate")
        await chat.press(picker, f"mod:s:{session_id}")
        await chat.edited(picker, "You moderate")
    first.send_only("/next")
    second.send_only("/next")
    cards = await asyncio.gather(first.next(), second.next())
    numbers = {number_in(card.text) for card in cards}
    assert len(numbers) == 2
    claims = {q.number: q.claimed_by for q in await questions_in(database, session_id)}
    assert {claims[number] for number in numbers} == {MODERATOR, second_moderator}


async def test_skip_reject_with_reason_and_back(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    askers = {}
    for index, topic in enumerate(["funding", "training", "licensing"]):
        user = 30 + index
        api.add_user(user, f"User {index}", "en")
        askers[user] = Chat(api, user)
        await askers[user].send(f"/ask What about {topic}?")
    moderator = Chat(api, MODERATOR)
    await moderator.send(f"/moderate {session_id}")
    card = await moderator.send("/next")
    assert number_in(card.text) == 1
    await moderator.press(card, data_with(card, "mq:skip:")[0])
    await moderator.edited(card, "after the others")
    await askers[30].next(lambda m: "set aside" in (m.text or ""))
    card = await moderator.send("/next")
    assert number_in(card.text) == 2
    await moderator.press(card, data_with(card, "mq:rej:")[0])
    await moderator.edited(card, "Send the reason")
    await moderator.send("Covered by the <i>keynote</i>")
    rejected = await askers[31].next(lambda m: "will not be put" in (m.text or ""))
    assert "Covered by the <i>keynote</i>" in (rejected.text or "")  # shown literally
    card = await moderator.send("/next")
    assert number_in(card.text) == 3
    await moderator.press(card, data_with(card, "mq:back:")[0])
    await moderator.edited(card, "back in the queue")
    queue = await moderator.send("/queue")
    assert (queue.text or "").index("#3") < (queue.text or "").index("#1")  # skipped goes last
    stored = {q.number: q.status for q in await questions_in(database, session_id)}
    assert stored == {1: repo.SKIPPED, 2: repo.REJECTED, 3: repo.WAITING}


def _scope_all() -> object:
    from bot.questions.people import Scope

    return Scope("all")
