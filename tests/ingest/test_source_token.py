"""A source's API token (Indico's personal tokens): sent as a bearer token, never shown."""

from __future__ import annotations

import logging

import pytest

from bot.ingest.fetch import Fetcher, FetchError
from bot.ingest.outcomes import PollStatus
from bot.logs import RedactSecrets
from config.settings import Settings, SourceSettings
from storage.db import Database
from storage.models import Source
from storage.repos import programme
from tests.feedserver import FeedServer

from .helpers import PROGRAMME_DIR
from .rig import RigFactory, started

TOKEN = "indp_S3cr3tT0kenForTheIndicoAPI"
TIMETABLE = (PROGRAMME_DIR / "programme.indico.json").read_bytes()


async def test_the_fetcher_sends_the_token_as_a_bearer(feed_server: FeedServer) -> None:
    feed_server.serve("/export/timetable/1.json", TIMETABLE).bearer = TOKEN
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError, match="HTTP 401"):
            await fetcher.fetch(feed_server.url("/export/timetable/1.json"))
        fetched = await fetcher.fetch(feed_server.url("/export/timetable/1.json"), token=TOKEN)
    assert fetched.body == TIMETABLE
    headers = feed_server.last_headers["/export/timetable/1.json"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"


async def test_the_token_does_not_follow_a_redirect_to_another_origin(
    feed_server: FeedServer,
) -> None:
    other = await FeedServer().start()
    try:
        other.serve("/t.json", TIMETABLE)
        # 127.0.0.1 and localhost are different origins to httpx.
        target = other.url("/t.json").replace("127.0.0.1", "localhost")
        feed_server.redirect("/moved.json", target, status=302)
        async with Fetcher() as fetcher:
            await fetcher.fetch(feed_server.url("/moved.json"), token=TOKEN)
        assert feed_server.last_headers["/moved.json"]["Authorization"] == f"Bearer {TOKEN}"
        assert "Authorization" not in other.last_headers["/t.json"]
    finally:
        await other.stop()


@pytest.mark.parametrize("key", ["token", "api_token"])
def test_settings_accept_either_name_and_never_show_the_token(key: str) -> None:
    source = SourceSettings.model_validate({"url": "https://indico.example.org/x", key: TOKEN})
    assert source.token_value == TOKEN
    settings = Settings(sources=[source])
    for text in (repr(source), str(source), repr(settings), source.model_dump_json()):
        assert TOKEN not in text


def test_a_token_with_spaces_is_refused() -> None:
    with pytest.raises(ValueError, match="one word"):
        SourceSettings(url="https://e.org/x", token="two words")  # type: ignore[arg-type]


async def test_a_configured_source_polls_with_its_token(
    rigs: RigFactory, feed_server: FeedServer, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.serve("/export/timetable/7.json", TIMETABLE).bearer = TOKEN
    rig = await started(
        rigs({"path": "/export/timetable/7.json", "token": TOKEN}, timezone="Europe/Moscow")
    )
    with caplog.at_level(logging.DEBUG):
        (outcome,) = await rig.service.poll_due()
    assert (outcome.status, outcome.items) == (PollStatus.UPDATED, 5)
    assert feed_server.last_headers["/export/timetable/7.json"]["Authorization"] == (
        f"Bearer {TOKEN}"
    )
    async with database.transaction() as db:
        (source,) = await programme.list_sources(db)
    assert source.token == TOKEN
    assert TOKEN not in repr(source)
    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(h) for h in await rig.service.source_health())


async def test_a_wrong_token_is_a_failure_that_does_not_show_it(
    rigs: RigFactory, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.serve("/export/timetable/8.json", TIMETABLE).bearer = "another"
    rig = await started(rigs({"path": "/export/timetable/8.json", "api_token": TOKEN}))
    with caplog.at_level(logging.DEBUG):
        (outcome,) = await rig.service.poll_due()
    assert outcome.status is PollStatus.FAILED
    assert outcome.error is not None and "401" in outcome.error
    assert TOKEN not in caplog.text


def test_source_tokens_are_redacted_like_the_bot_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.source_token")
    logger.addFilter(RedactSecrets([TOKEN]))
    with caplog.at_level(logging.INFO, logger="test.source_token"):
        logger.info("GET with %s", f"Authorization: Bearer {TOKEN}")
    assert TOKEN not in caplog.text


def test_a_source_row_repr_leaves_the_token_out() -> None:
    assert TOKEN not in repr(Source(id=1, url="https://e.org", token=TOKEN))
