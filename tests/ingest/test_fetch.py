"""The fetcher against a real local HTTP server: validators, limits, redirects, errors."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ingest.fetch import (
    USER_AGENT,
    BoundedBody,
    Fetcher,
    FetchError,
    FetchLimits,
    FetchStatus,
    Validators,
)
from tests.feedserver import FeedServer

BODY = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchLimits(max_bytes=1024 * 1024, read_timeout=2, total_timeout=3)) as f:
        yield f


async def test_conditional_get_with_etag(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.serve("/p.ics", BODY, content_type="text/calendar")
    first = await fetcher.fetch(feed_server.url("/p.ics"))
    assert first.status is FetchStatus.FETCHED
    assert first.body == BODY
    assert first.content_type == "text/calendar"
    assert first.validators.etag is not None

    second = await fetcher.fetch(feed_server.url("/p.ics"), first.validators)
    assert second.status is FetchStatus.NOT_MODIFIED
    assert second.body == b""
    assert second.validators == first.validators
    assert feed_server.not_modified["/p.ics"] == 1
    assert feed_server.last_headers["/p.ics"]["If-None-Match"] == first.validators.etag

    feed_server.serve("/p.ics", BODY + b"\r\n")
    third = await fetcher.fetch(feed_server.url("/p.ics"), first.validators)
    assert third.status is FetchStatus.FETCHED
    assert third.validators.etag != first.validators.etag


async def test_304s_and_redirects_keep_the_connection(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.serve("/p.ics", BODY)
    feed_server.redirect("/old.ics", "/p.ics", 301)
    first = await fetcher.fetch(feed_server.url("/p.ics"))
    for _ in range(5):
        await fetcher.fetch(feed_server.url("/p.ics"), first.validators)
        await fetcher.fetch(feed_server.url("/old.ics"), first.validators)
    assert feed_server.not_modified["/p.ics"] == 10
    assert len(feed_server.connections) == 1


async def test_conditional_get_with_last_modified(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.serve("/feed", b"<rss/>", etag=False)
    first = await fetcher.fetch(feed_server.url("/feed"))
    assert first.validators.etag is None
    assert first.validators.last_modified
    second = await fetcher.fetch(feed_server.url("/feed"), first.validators)
    assert second.status is FetchStatus.NOT_MODIFIED
    assert feed_server.last_headers["/feed"]["If-Modified-Since"] == first.validators.last_modified


async def test_user_agent_names_the_bot(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.serve("/p", BODY)
    await fetcher.fetch(feed_server.url("/p"))
    agent = feed_server.last_headers["/p"]["User-Agent"]
    assert agent == USER_AGENT
    assert agent.startswith("RemoteHub/") and "Telegram bot" in agent


async def test_gzip_body_is_decoded(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.serve("/z", BODY * 100, gzip=True)
    result = await fetcher.fetch(feed_server.url("/z"))
    assert result.body == BODY * 100


@pytest.mark.parametrize("status", [301, 308])
async def test_permanent_redirect_is_remembered(
    feed_server: FeedServer, fetcher: Fetcher, status: int
) -> None:
    feed_server.serve("/new", BODY)
    feed_server.redirect("/old", feed_server.url("/new"), status)
    result = await fetcher.fetch(feed_server.url("/old"))
    assert result.body == BODY
    assert result.final_url == feed_server.url("/new")
    assert result.permanent_url == feed_server.url("/new")


@pytest.mark.parametrize("status", [302, 307])
async def test_temporary_redirect_is_followed_not_remembered(
    feed_server: FeedServer, fetcher: Fetcher, status: int
) -> None:
    feed_server.serve("/today", BODY)
    feed_server.redirect("/usual", "/today", status)  # relative Location
    result = await fetcher.fetch(feed_server.url("/usual"))
    assert result.body == BODY
    assert result.permanent_url is None


async def test_permanent_then_temporary_remembers_the_permanent_hop(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.serve("/c", BODY)
    feed_server.redirect("/b", "/c", 302)
    feed_server.redirect("/a", "/b", 301)
    result = await fetcher.fetch(feed_server.url("/a"))
    assert result.permanent_url == feed_server.url("/b")
    assert result.final_url == feed_server.url("/c")


async def test_redirect_loop_is_an_error(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.redirect("/loop", "/loop", 302)
    with pytest.raises(FetchError, match="redirects"):
        await fetcher.fetch(feed_server.url("/loop"))
    assert feed_server.hits["/loop"] == fetcher.limits.max_redirects + 1


@pytest.mark.parametrize(("status", "text"), [(500, "HTTP 500"), (404, "HTTP 404"), (204, "204")])
async def test_error_statuses(
    feed_server: FeedServer, fetcher: Fetcher, status: int, text: str
) -> None:
    feed_server.fail("/x", status)
    with pytest.raises(FetchError, match=text):
        await fetcher.fetch(feed_server.url("/x"))


async def test_retry_after_is_passed_on(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.fail("/busy", 429, {"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(feed_server.url("/busy"))
    assert caught.value.retry_after == 120


async def test_body_over_the_cap_stops_reading(feed_server: FeedServer) -> None:
    feed_server.endless("/huge", 50 * 1024 * 1024)
    async with Fetcher(FetchLimits(max_bytes=2 * 1024 * 1024)) as fetcher:
        with pytest.raises(FetchError, match="over the 2 MB limit"):
            await fetcher.fetch(feed_server.url("/huge"))


async def test_declared_length_over_the_cap_is_refused_at_once(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.serve("/big", b"x" * (fetcher.limits.max_bytes + 1))
    with pytest.raises(FetchError, match="over the 1 MB limit"):
        await fetcher.fetch(feed_server.url("/big"))


async def test_gzip_bomb_stops_at_the_cap(feed_server: FeedServer, fetcher: Fetcher) -> None:
    bomb = b"\0" * (64 * 1024 * 1024)
    feed_server.serve("/bomb", bomb, gzip=True)
    with pytest.raises(FetchError, match="over the 1 MB limit"):
        await fetcher.fetch(feed_server.url("/bomb"))


def test_bounded_body_never_holds_more_than_the_cap() -> None:
    compressed = zlib.compress(b"\0" * (32 * 1024 * 1024))
    body = BoundedBody("deflate", 4096)
    with pytest.raises(FetchError):
        body.feed(compressed)
    assert sum(map(len, body._parts)) <= 4096


def test_raw_deflate_and_unknown_encodings() -> None:
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    data = raw.compress(BODY) + raw.flush()
    body = BoundedBody("deflate", 1024)
    body.feed(data)
    assert body.finish() == BODY
    with pytest.raises(FetchError, match="unsupported content encoding"):
        BoundedBody("br", 1024)
    corrupt = BoundedBody("gzip", 1024)
    with pytest.raises(FetchError, match="corrupt gzip"):
        corrupt.feed(b"definitely not gzip" + gzip.compress(BODY))


async def test_slow_drip_meets_the_total_deadline(feed_server: FeedServer) -> None:
    # Each byte comes well within the read timeout; only the total deadline can stop this.
    feed_server.drip("/drip", b"x" * 10_000, delay=0.05)
    limits = FetchLimits(read_timeout=5, total_timeout=0.5)
    async with Fetcher(limits) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError, match="total deadline"):
            await fetcher.fetch(feed_server.url("/drip"))
        assert time.monotonic() - started < 3


async def test_connection_refused_is_one_line() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with Fetcher(FetchLimits(connect_timeout=2)) as fetcher:
        with pytest.raises(FetchError, match="cannot connect") as caught:
            await fetcher.fetch(f"http://127.0.0.1:{port}/unused")
    assert "\n" not in str(caught.value)


async def test_unsupported_scheme(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="not a URL the bot can fetch"):
        await fetcher.fetch("ftp://example.org/schedule.xml")


async def test_files_and_file_urls(tmp_path: Path, fetcher: Fetcher) -> None:
    path = tmp_path / "programme.ics"
    path.write_bytes(BODY)
    by_path = await fetcher.fetch(str(path))
    by_url = await fetcher.fetch(path.as_uri())
    assert by_path.body == by_url.body == BODY
    assert by_path.validators == Validators()
    with pytest.raises(FetchError, match="no such file"):
        await fetcher.fetch(str(tmp_path / "missing.ics"))
    with pytest.raises(FetchError, match="directory"):
        await fetcher.fetch(str(tmp_path))
    path.write_bytes(b"x" * (fetcher.limits.max_bytes + 1))
    with pytest.raises(FetchError, match="over the 1 MB limit"):
        await fetcher.fetch(str(path))
