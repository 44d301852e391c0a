"""The LibreTranslate client against the local stand-in: answers, slow servers, errors,
garbage; every failure is a reason, never an exception."""

from __future__ import annotations

import socket
import time

import pytest

from bot.translation.client import (
    BAD_ANSWER,
    MAX_ANSWER_BYTES,
    SERVER_ERROR,
    TIMEOUT,
    UNREACHABLE,
    NotTranslated,
    Translated,
    TranslationClient,
    language_code,
)
from config.settings import TranslateSettings
from tests.translateserver import TranslateServer


def client_for(url: str, timeout: float = 2.0, api_key: str | None = None) -> TranslationClient:
    settings = TranslateSettings.model_validate(
        {"url": url, "timeout": timeout, "api_key": api_key}
    )
    return TranslationClient(settings)


async def test_translates_and_sends_what_libretranslate_expects(
    translate_server: TranslateServer,
) -> None:
    translate_server.phrases[("Будут ли записи?", "en")] = "Will there be recordings?"
    translate_server.api_key = "s3cret"
    client = client_for(translate_server.url, api_key="s3cret")
    try:
        result = await client.translate("Будут ли записи?", "en")
    finally:
        await client.aclose()
    assert result == Translated("Will there be recordings?", "ru", 90.0)
    assert translate_server.requests == [
        {
            "q": "Будут ли записи?",
            "source": "auto",
            "target": "en",
            "format": "text",
            "api_key": "s3cret",
        }
    ]


async def test_wrong_api_key_is_a_server_error(translate_server: TranslateServer) -> None:
    translate_server.api_key = "right"
    client = client_for(translate_server.url, api_key="wrong")
    try:
        result = await client.translate("Привет", "en")
    finally:
        await client.aclose()
    assert isinstance(result, NotTranslated) and result.reason == SERVER_ERROR
    assert "403" in result.detail


async def test_slow_server_times_out_within_the_timeout(
    translate_server: TranslateServer,
) -> None:
    translate_server.delay = 8.0
    client = client_for(translate_server.url, timeout=0.5)
    started = time.monotonic()
    try:
        result = await client.translate("Привет", "en")
    finally:
        await client.aclose()
    elapsed = time.monotonic() - started
    assert isinstance(result, NotTranslated) and result.reason == TIMEOUT
    assert elapsed < 3.0, elapsed  # far under the server's 8 s


@pytest.mark.parametrize("status", [500, 502, 429, 404])
async def test_error_statuses(translate_server: TranslateServer, status: int) -> None:
    translate_server.status = status
    client = client_for(translate_server.url)
    try:
        result = await client.translate("Привет", "en")
    finally:
        await client.aclose()
    assert isinstance(result, NotTranslated) and result.reason == SERVER_ERROR
    assert str(status) in result.detail


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>Gateway</body></html>", "text/html"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"translatedText": 42}', "application/json"),
        (b'{"translatedText": "   "}', "application/json"),
        (b'{"detectedLanguage": {"language": "ru"}}', "application/json"),
        (b"\xff\xfe\x00garbage", "application/octet-stream"),
        (b'{"translatedText": "' + b"x" * (MAX_ANSWER_BYTES + 10) + b'"}', "application/json"),
    ],
    ids=["html", "list", "number", "blank", "missing", "binary", "huge"],
)
async def test_garbage_answers(
    translate_server: TranslateServer, body: bytes, content_type: str
) -> None:
    translate_server.raw_body, translate_server.content_type = body, content_type
    client = client_for(translate_server.url)
    try:
        result = await client.translate("Привет", "en")
    finally:
        await client.aclose()
    assert isinstance(result, NotTranslated) and result.reason == BAD_ANSWER


async def test_odd_detected_language_is_dropped_but_text_kept(
    translate_server: TranslateServer,
) -> None:
    translate_server.raw_body = (
        b'{"translatedText": "Hello", "detectedLanguage": {"language": "<b>x</b>"}}'
    )
    client = client_for(translate_server.url)
    try:
        result = await client.translate("Привет", "en")
    finally:
        await client.aclose()
    assert result == Translated("Hello", None, None)


async def test_connection_refused_is_unreachable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = client_for(f"http://127.0.0.1:{port}")
    try:
        result = await client.translate("Привет", "en")
    finally:
        await client.aclose()
    assert isinstance(result, NotTranslated) and result.reason == UNREACHABLE


@pytest.mark.parametrize(
    ("raw", "code"),
    [("ru", "ru"), ("pt-BR", "pt"), ("zh_Hans", "zh"), ("EN", "en"), ("", None), (7, None)],
)
def test_language_code(raw: object, code: str | None) -> None:
    assert language_code(raw) == code
