"""Fetching a programme or feed: conditional GET, hard limits, and one-line errors.

Separate from parsing on purpose: this module knows HTTP and files, never formats. Every
limit is enforced here, before a byte reaches a parser: the body is streamed and decompressed
by our own bounded decoder (a gzip bomb stops at the cap), redirects are followed by hand (a
redirect's body is never read), and one deadline covers the whole exchange, so a server that
drips a byte per second cannot hold a poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

PERMANENT_REDIRECTS = frozenset({301, 308})
MEGABYTE = 1024 * 1024
DRAIN_LIMIT = 64 * 1024  # bodies up to this size are read to keep the connection alive


def _version() -> str:
    try:
        return version("remotehub")
    except PackageNotFoundError:
        return "0"


USER_AGENT = f"RemoteHub/{_version()} (Telegram bot for remote participation in forums)"


class FetchError(Exception):
    """The source could not be read; the message is one line saying why."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class FetchStatus(StrEnum):
    NOT_MODIFIED = "not_modified"
    FETCHED = "fetched"


@dataclass(frozen=True, slots=True)
class Validators:
    """ETag and Last-Modified exactly as the server sent them."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True, slots=True)
class FetchResult:
    status: FetchStatus
    body: bytes
    content_type: str | None
    validators: Validators
    final_url: str
    # Where leading 301/308 redirects pointed: poll that URL from now on.
    permanent_url: str | None = None


@dataclass(frozen=True, slots=True)
class FetchLimits:
    max_bytes: int = 10 * MEGABYTE
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_redirects: int = 5


def is_local(location: str) -> bool:
    """A ``file://`` URL or a plain path (the CLI's ``remotehub import FILE``)."""
    return location.startswith("file://") or "://" not in location


def http_client(limits: FetchLimits, *, user_agent: str = USER_AGENT) -> httpx.AsyncClient:
    """The client the Fetcher uses (the polling bench builds its bare GET from it too)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=limits.connect_timeout,
            read=limits.read_timeout,
            write=limits.read_timeout,
            pool=limits.connect_timeout,
        ),
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        follow_redirects=False,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )


class Fetcher:
    """One shared HTTP client for every source; ``fetch`` never raises anything but FetchError."""

    def __init__(self, limits: FetchLimits | None = None, *, user_agent: str = USER_AGENT) -> None:
        self.limits = limits or FetchLimits()
        self._client = http_client(self.limits, user_agent=user_agent)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def fetch(
        self, location: str, validators: Validators | None = None, *, token: str | None = None
    ) -> FetchResult:
        """GET ``location`` (conditionally, if validators are given) within every limit;
        ``token`` goes as ``Authorization: Bearer`` (httpx drops it on a redirect to
        another origin)."""
        if is_local(location):
            return await asyncio.to_thread(_read_file, location, self.limits.max_bytes)
        try:
            async with asyncio.timeout(self.limits.total_timeout):
                return await self._get(location, validators or Validators(), token)
        except TimeoutError:
            raise FetchError(
                f"no complete answer within {self.limits.total_timeout:g} s (total deadline)"
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(_describe_http_error(exc, self.limits)) from None

    async def _get(self, url: str, validators: Validators, token: str | None) -> FetchResult:
        headers = validators.headers()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = self._client.build_request("GET", url, headers=headers)
        permanent: str | None = None
        still_permanent = True
        for _hop in range(self.limits.max_redirects + 1):
            response = await self._client.send(request, stream=True)
            try:
                next_request = response.next_request
                if next_request is None:
                    return await self._finish(response, validators, permanent)
                still_permanent = still_permanent and response.status_code in PERMANENT_REDIRECTS
                if still_permanent:
                    permanent = str(next_request.url)
                request = next_request
            finally:
                await _release(response)
        raise FetchError(f"more than {self.limits.max_redirects} redirects")

    async def _finish(
        self, response: httpx.Response, sent: Validators, permanent: str | None
    ) -> FetchResult:
        final_url = str(response.url)
        if response.status_code == 304:
            return FetchResult(
                FetchStatus.NOT_MODIFIED,
                b"",
                None,
                _validators(response, fallback=sent),
                final_url,
                permanent,
            )
        if response.status_code in (204, 205) or not 200 <= response.status_code < 300:
            reason = _first_line_of(response.reason_phrase)[:80]
            raise FetchError(
                f"HTTP {response.status_code} {reason}".rstrip(),
                retry_after=_retry_after(response),
            )
        body = await self._read_body(response)
        return FetchResult(
            FetchStatus.FETCHED,
            body,
            response.headers.get("Content-Type"),
            _validators(response),
            final_url,
            permanent,
        )

    async def _read_body(self, response: httpx.Response) -> bytes:
        cap = self.limits.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"body of {int(declared):,} bytes is over the {_size(cap)} limit")
        decoder = BoundedBody(response.headers.get("Content-Encoding", ""), cap)
        async for chunk in response.aiter_raw():
            decoder.feed(chunk)
        return decoder.finish()


class BoundedBody:
    """Collects a (possibly gzip/deflate) body, never holding more than ``cap`` decoded bytes."""

    def __init__(self, encoding: str, cap: int) -> None:
        self._cap = cap
        self._parts: list[bytes] = []
        self._size = 0
        self._raw_deflate_tried = False
        name = encoding.strip().lower()
        self._encoding = name
        if name in ("", "identity"):
            self._inflater = None
        elif name in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        elif name == "deflate":
            self._inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS)
        else:
            raise FetchError(f"unsupported content encoding {encoding!r}")

    def feed(self, raw: bytes) -> None:
        if self._inflater is None:
            self._add(raw)
            return
        data = raw
        while data:
            try:
                # max_length bounds each step: a bomb inflates at most one byte past the cap.
                self._add(self._inflater.decompress(data, self._cap - self._size + 1))
            except zlib.error:
                if self._encoding == "deflate" and not self._raw_deflate_tried and not self._size:
                    # Some servers send raw deflate without the zlib header.
                    self._raw_deflate_tried = True
                    self._inflater = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
                    continue
                raise FetchError(f"corrupt {self._encoding} body") from None
            data = self._inflater.unconsumed_tail

    def finish(self) -> bytes:
        if self._inflater is not None:
            self._add(self._inflater.flush())
        return b"".join(self._parts)

    def _add(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._cap:
            raise FetchError(f"body is over the {_size(self._cap)} limit")
        if data:
            self._parts.append(data)


async def _release(response: httpx.Response) -> None:
    """Close the response; a short body (a 304, a redirect) is read first so that the
    connection goes back to the pool instead of being dropped."""
    declared = response.headers.get("Content-Length", "")
    short = declared.isdigit() and int(declared) <= DRAIN_LIMIT
    untouched = not (response.is_closed or response.is_stream_consumed)
    if untouched and (short or response.status_code in (204, 304)):
        with contextlib.suppress(httpx.HTTPError, httpx.StreamError):
            await response.aread()
    await response.aclose()


def _validators(response: httpx.Response, fallback: Validators | None = None) -> Validators:
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    if fallback is not None:  # a 304 may leave out what did not change
        etag = etag or fallback.etag
        modified = modified or fallback.last_modified
    return Validators(etag=etag, last_modified=modified)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _size(count: int) -> str:
    return f"{count / MEGABYTE:g} MB" if count >= MEGABYTE else f"{count:,} bytes"


def _describe_http_error(exc: httpx.HTTPError, limits: FetchLimits) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {limits.connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"server went silent for {limits.read_timeout:g} s (read timeout)"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {_first_line(exc) or 'connection refused'}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not a URL the bot can fetch: {_first_line(exc)}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken HTTP answer: {_first_line(exc)}"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    return _first_line_of(str(exc))


def _first_line_of(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0] if text else ""


def _read_file(location: str, cap: int) -> FetchResult:
    path = Path(unquote(urlsplit(location).path) if location.startswith("file://") else location)
    try:
        with path.open("rb") as handle:
            body = handle.read(cap + 1)
    except FileNotFoundError:
        raise FetchError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise FetchError(f"is a directory, not a file: {path}") from None
    except PermissionError:
        raise FetchError(f"permission denied: {path}") from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(body) > cap:
        raise FetchError(f"file is over the {_size(cap)} limit: {path}")
    return FetchResult(FetchStatus.FETCHED, body, None, Validators(), path.resolve().as_uri())
