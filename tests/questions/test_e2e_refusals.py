"""Every moderator action is refused to a participant, by command and by forged callback data,
and nothing changes; a moderator of one session cannot act on another's questions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.questions.people import Scope
from localapi import LocalBotApiServer
from storage.db import Database
from storage.models import AskingState, Moderator, ModeratorFocus, OutboxMessage, QuestionSession
from storage.repos import questions as repo
from tests.harness import BotHarness

from .e2e_support import Chat, live_session
from .support import E2E_MODERATOR as MODERATOR
from .support import questions_in

pytestmark = pytest.mark.e2e

PARTICIPANT, ASKER = 50, 51
NOT_ALLOWED = "only moderators and organisers"

COMMANDS = [
    "/moderate",
    "/moderate {session}",
    "/queue",
    "/next",
    "/answer 1 Here is my answer",
    "/premod on",
    "/export",
    "/qr",
    "/mod add 50",
    "/mod list",
]
CALLBACKS = [
    "mod:s:{session}",
    "mn:{session}",
    "mq:ans:{question}",
    "mq:skip:{question}",
    "mq:back:{question}",
    "mq:rej:{question}",
    "mq:rejn:{question}",
    "mq:write:{question}",
    "mq:card:{question}",
    "mq:ok:{question}",
]


async def _count(database: Database, model: type) -> int:
    async with database.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def _snapshot(database: Database, session_id: int) -> list[tuple[object, ...]]:
    return [
        (q.status, q.claimed_by, q.answer_text, q.reject_reason, q.forwarded_at)
        for q in await questions_in(database, session_id)
    ]


async def test_participant_is_refused_everything(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    api.add_user(PARTICIPANT, "Pat", "en")
    api.add_user(ASKER, "Asa", "en")
    ack = await Chat(api, ASKER).send("/ask What about funding?")
    [question] = await questions_in(database, session_id)
    before = await _snapshot(database, session_id)
    outbox_before = await _count(database, OutboxMessage)
    participant = Chat(api, PARTICIPANT)

    for command in COMMANDS:
        refusal = await participant.send(command.format(session=session_id))
        assert NOT_ALLOWED in (refusal.text or ""), command

    some_message = await participant.send("/help")
    for data in CALLBACKS:
        forged = data.format(session=session_id, question=question.id)
        answers = len(api.callback_answers)
        await participant.press(some_message, forged, check=False)
        assert NOT_ALLOWED in await participant.alert(answers), forged
        assert api.callback_answers[answers].show_alert

    assert await _snapshot(database, session_id) == before
    assert await _count(database, ModeratorFocus) == 0
    assert await _count(database, Moderator) == 0
    assert await _count(database, QuestionSession) == 1  # the counter row, premoderation off
    async with database.transaction() as db:
        premod = await db.scalar(select(QuestionSession.premoderation))
        steps = (await db.scalars(select(AskingState.step))).all()
    assert premod is False and "reason" not in steps and "answer" not in steps
    # Only refusals (and the /help text) were sent: no documents, no photos, no notices.
    async with database.transaction() as db:
        methods = (
            await db.scalars(select(OutboxMessage.method).where(OutboxMessage.id > outbox_before))
        ).all()
    assert set(methods) == {"sendMessage"}
    assert all(m.document is None and m.photo is None for m in api.messages_to(PARTICIPANT))
    assert ack.chat_id == ASKER and not [m for m in api.messages_to(ASKER) if m is not ack]


async def test_a_session_moderator_cannot_touch_another_session(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    mine = await live_session(database, title="Mine")
    other = await live_session(database, title="Other")
    scoped = 60
    api.add_user(scoped, "Sam", "en")
    api.add_user(ASKER, "Asa", "en")
    await bot.services.questions.moderators.add(scoped, Scope("session", mine), 1)
    asker = Chat(api, ASKER)
    picker = await asker.send("/ask")
    await asker.press(picker, f"ask:c:{other}")
    await asker.edited(picker, "Other")  # the list becomes the prompt for that session
    ack = await asker.send("A question for the other session")
    assert "#1" in (ack.text or "") and "Other" in (ack.text or "")
    [question] = await questions_in(database, other)
    moderator = Chat(api, scoped)
    focused = await moderator.send(f"/moderate {mine}")
    assert "Mine" in (focused.text or "")
    refused = await moderator.send(f"/moderate {other}")
    assert NOT_ALLOWED in (refused.text or "")
    answers = len(api.callback_answers)
    await moderator.press(focused, f"mq:rejn:{question.id}", check=False)
    assert NOT_ALLOWED in await moderator.alert(answers)
    [unchanged] = await questions_in(database, other)
    assert unchanged.status == repo.WAITING
    # The config's moderator may.
    general = Chat(api, MODERATOR)
    await general.send(f"/moderate {other}")
    card = await general.send("/next")
    assert "A question for the other session" in (card.text or "")
