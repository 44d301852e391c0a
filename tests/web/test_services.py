"""The services behind the web pages, without a browser: initData checks, the live hub,
what a wall may show, the remote moderator's report, and the [web] settings."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.errors import UserFacingError
from bot.i18n import default_translator
from bot.live import LiveHub
from bot.questions.export import render_json, render_markdown
from bot.webaccess import AccessRefused, sign_init_data, verify_init_data
from config.settings import ConfigError, load_settings
from storage.db import Database
from storage.models import Chat, SubscriptionKind
from storage.repos import subscriptions
from tests.questions.support import NOW, Acks, add_session, add_user, asker, make_relay

TOKEN = "123456:secret"
MODERATOR = 900


def _fields(user_id: int = 7, age: timedelta = timedelta(0)) -> dict[str, str]:
    return {
        "auth_date": str(int((NOW - age).timestamp())),
        "user": json.dumps({"id": user_id, "first_name": "Mark", "language_code": "ru"}),
        "query_id": "AAH",
    }


def test_init_data_genuine_forged_tampered_and_old() -> None:
    user = verify_init_data(sign_init_data(_fields(), TOKEN), TOKEN, NOW)
    assert (user.id, user.language_code) == (7, "ru")
    with pytest.raises(AccessRefused, match="init_data_invalid"):
        verify_init_data(sign_init_data(_fields(), "654321:other"), TOKEN, NOW)
    tampered = sign_init_data(_fields(7), TOKEN).replace("%22id%22%3A+7", "%22id%22%3A+8")
    assert tampered != sign_init_data(_fields(7), TOKEN)
    with pytest.raises(AccessRefused, match="init_data_invalid"):
        verify_init_data(tampered, TOKEN, NOW)
    with pytest.raises(AccessRefused, match="init_data_expired"):
        verify_init_data(
            sign_init_data(_fields(age=timedelta(days=1, seconds=1)), TOKEN), TOKEN, NOW
        )
    verify_init_data(sign_init_data(_fields(age=timedelta(hours=23)), TOKEN), TOKEN, NOW)
    doubled = sign_init_data(_fields(), TOKEN) + "&user=%7B%22id%22%3A1%7D"
    with pytest.raises(AccessRefused):
        verify_init_data(doubled, TOKEN, NOW)
    for garbage in ("", "hash", "a=1&hash=00", sign_init_data({"auth_date": "x"}, TOKEN)):
        with pytest.raises(AccessRefused):
            verify_init_data(garbage, TOKEN, NOW)
    huge = _fields(user_id=10**20)
    with pytest.raises(AccessRefused):
        verify_init_data(sign_init_data(huge, TOKEN), TOKEN, NOW)


async def test_live_hub_wakes_waiters_and_coalesces() -> None:
    live = LiveHub()
    waiter = asyncio.create_task(live.wait(5, live.version(5), 5))
    await asyncio.sleep(0)
    live.publish(5)
    live.publish(5)
    assert await waiter == 2  # the latest version, not one wake per change
    assert await live.wait(5, 0, 5) == 2  # behind: answered at once
    assert await live.wait(6, 0, 0.01) == 0  # nothing happened there


async def test_changes_are_published_after_commit_only(database: Database) -> None:
    relay = make_relay(database)
    session_id = await add_session(database)
    before = relay.context.live.version(session_id)
    await relay.asking.submit(asker(1), session_id, "How do libraries use AI?", None, Acks())
    assert relay.context.live.version(session_id) == before + 1
    with pytest.raises(RuntimeError):
        async with database.transaction() as db:
            relay.context.changed(db, session_id)
            raise RuntimeError("rolled back")
    assert relay.context.live.version(session_id) == before + 1


async def test_wall_shows_only_what_the_room_may_see(database: Database) -> None:
    relay = make_relay(database)
    session_id = await add_session(database)
    other_session = await add_session(database, title="Other")
    await add_user(database, 1, "Ann", "ann")
    await relay.hubs.register(-100, "Novosibirsk hub, Russia", 5)
    named = await relay.asking.submit(asker(1), session_id, "Named question here", None, Acks())
    await relay.asking.toggle_anonymous(asker(2))
    hidden = await relay.asking.submit(asker(2), session_id, "Anonymous question", None, Acks())
    hub = await relay.asking.submit(
        asker(3, chat_id=-100), session_id, "Hub question text", None, Acks()
    )
    await relay.moderation.set_premoderation(session_id, True)
    await relay.asking.submit(asker(4), session_id, "Not approved yet", None, Acks())
    view = await relay.walls.view(session_id)
    by_text = {question.text: question for question in view.top}
    assert set(by_text) == {"Named question here", "Anonymous question", "Hub question text"}
    assert by_text["Named question here"].name == "Ann"  # the public name, no @username
    assert by_text["Anonymous question"].name is None and by_text["Anonymous question"].hub is None
    assert by_text["Hub question text"].hub == "Novosibirsk hub (Russia)"
    assert (view.questions, view.hubs) == (3, 1)
    ids = [o.question.id for o in (named, hidden, hub)]  # type: ignore[union-attr]

    await relay.walls.put_on_screen(session_id, ids[1])
    shown = (await relay.walls.view(session_id)).on_screen
    assert shown is not None and shown.text == "Anonymous question" and shown.name is None
    await relay.own.withdraw(ids[1], 2)
    assert (await relay.walls.view(session_id)).on_screen is None  # gone once withdrawn
    with pytest.raises(UserFacingError, match="not_showable"):
        await relay.walls.put_on_screen(session_id, ids[1])
    with pytest.raises(UserFacingError, match="question_gone"):
        await relay.walls.put_on_screen(other_session, ids[0])
    token = await relay.walls.token(session_id)
    assert len(token) >= 32 and await relay.walls.token(session_id) == token
    assert await relay.walls.session_of(token) == session_id
    assert await relay.walls.session_of("guess") is None


async def test_report_figures_in_markdown_and_json(database: Database) -> None:
    clock = FrozenClock(NOW)
    relay = make_relay(database, clock)
    session_id = await add_session(database, title="Libraries and AI")
    await relay.hubs.register(-100, "Novosibirsk hub, Russia", 5)
    await relay.hubs.register(-200, "Baku hub", 6)
    first = await relay.asking.submit(
        asker(1), session_id, "How do libraries use AI?", None, Acks()
    )
    await relay.asking.submit(asker(2, chat_id=-100), session_id, "Hub asks this", None, Acks())
    await relay.voting.toggle(first.question.id, 3)  # type: ignore[union-attr]
    async with database.transaction() as db:
        for chat_id in (4, 1, -200):  # a person, an asker again, a group: one new person
            db.add(
                Chat(
                    id=chat_id,
                    type="private" if chat_id > 0 else "group",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            await db.flush()
            await subscriptions.add(
                db,
                chat_id=chat_id,
                kind=SubscriptionKind.SESSION,
                target=str(session_id),
                created_by=chat_id,
                now=NOW,
                session_id=session_id,
            )
    await relay.exports.set_headcount(session_id, -200, 25, 6)
    await relay.exports.set_headcount(session_id, -200, 30, 6)  # said again: the latest counts
    with pytest.raises(UserFacingError):
        await relay.exports.set_headcount(session_id, -100, -1, 5)
    question = await relay.moderation.claim_next(session_id, MODERATOR)
    assert question is not None
    await relay.moderation.mark_answered(question.id, MODERATOR)
    await relay.exports.save_summary(session_id, "Lively *debate*; hubs joined.", MODERATOR)
    report = await relay.exports.report(session_id)
    assert report.remote.participants == 4  # askers 1 and 2, voter 3, subscriber 4
    assert [(hub.label, hub.people) for hub in report.remote.hubs] == [
        ("Baku hub", 30),
        ("Novosibirsk hub (Russia)", None),
    ]
    markdown = render_markdown(report, default_translator(), "en")
    assert "| Remote participants (asked, voted or subscribed) | 4 |" in markdown
    assert "| People in the hubs | 30 |" in markdown
    assert "| Baku hub | 30 |" in markdown and "| Novosibirsk hub (Russia) | — |" in markdown
    assert "| Other (not answered: rejected, withdrawn or open) | 1 |" in markdown
    assert "Lively \\*debate\\*; hubs joined." in markdown
    russian = render_markdown(report, default_translator(), "ru")
    assert "| Людей в хабах | 30 |" in russian
    data = json.loads(render_json(report))
    assert data["remote"]["participants"] == 4 and data["remote"]["hub_people"] == 30
    assert data["remote"]["summary"] == "Lively *debate*; hubs joined."


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("8080", "config: web.listen: must be host:port, like '127.0.0.1:8080'"),
        ("localhost:99999", "config: web.listen: must be host:port, like '127.0.0.1:8080'"),
        ("http://x:1", "config: web.listen: must be host:port, like '127.0.0.1:8080'"),
    ],
)
def test_web_listen_is_checked(tmp_path: Path, listen: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[web]\nlisten = "{listen}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == expected


def test_web_defaults_and_public_url(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[web]\nlisten = "[::1]:9000"\npublic_url = "https://qa.example.org/"\n')
    web = load_settings(path).web
    assert (web.host, web.port, web.public_url, web.enabled) == (
        "::1",
        9000,
        "https://qa.example.org",
        True,
    )
    path.write_text('[web]\npublic_url = "qa.example.org"\n')
    with pytest.raises(ConfigError, match=r"web\.public_url: must start with http"):
        load_settings(path)
