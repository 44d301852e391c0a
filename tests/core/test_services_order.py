"""The composition root starts its parts in one written order and stops them in reverse,
without PTB: the sender before anything queues, the listeners before ingestion's first poll."""

from __future__ import annotations

from bot.services import build_services
from config.settings import Settings
from storage.db import Database


async def test_start_and_stop_order(database: Database) -> None:
    services = build_services(
        Settings(database_url=database.url, timezone="Asia/Baku", web={"listen": "127.0.0.1:0"})
    )
    try:
        await services.start(bot_username="order_bot")
        started = list(services.started)
        assert started[0] == "schema"
        assert started.index("reminders") < started.index("ingestion")
        assert started.index("announcer") < started.index("ingestion")
        assert started[-1] == "web"  # the pages open once everything behind them runs
        assert services.web_url is not None and services.web_url.startswith("http://127.0.0.1:")
        assert services.links.card(7) == "https://t.me/order_bot?start=s_7"
        assert services.programme_listeners == [
            services.reminders.notifier,
            services.announcer,
        ]
        stopped = await services.stop()
        assert stopped == list(reversed(started))
        assert services.started == []
        assert services.web_server is None
    finally:
        await services.database.dispose()


async def test_an_outbox_commit_wakes_the_registered_sender(database: Database) -> None:
    from datetime import UTC, datetime

    from storage.repos import outbox
    from storage.repos.outbox import NewMessage

    woken: list[str] = []
    database.outbox_wakers.append(lambda: woken.append("wake"))
    now = datetime(2026, 6, 23, 9, 0, tzinfo=UTC)
    message = NewMessage("k:1", 1, "reply", {"chat_id": 1, "text": "x"}, now)
    async with database.transaction() as db:
        await outbox.enqueue(db, message, now=now)
        assert woken == []  # not before the commit
    assert woken == ["wake"]
    async with database.transaction() as db:
        await outbox.enqueue(db, message, now=now)  # the same key: nothing new, no wake
    assert woken == ["wake"]
