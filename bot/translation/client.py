"""One request to a LibreTranslate-compatible server: ``POST {url}/translate``.

Whatever goes wrong (a timeout, a refused connection, a 4xx/5xx, HTML, a huge or malformed
answer) comes back as ``NotTranslated`` with a reason, never as an exception.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import httpx

from config.settings import TranslateSettings

log = logging.getLogger(__name__)

# A question is at most a few thousand characters; an answer far bigger is not a translation.
MAX_ANSWER_BYTES = 64 * 1024

# Why there is no translation (stored in ``question_translations.reason``).
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
SERVER_ERROR = "server_error"
BAD_ANSWER = "bad_answer"
NO_ANSWER = frozenset({TIMEOUT, UNREACHABLE})  # "the server did not answer"

_LANGUAGE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True, slots=True)
class Translated:
    text: str
    source: str | None  # the detected language's code, when the server said
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class NotTranslated:
    reason: str
    detail: str = ""


TranslateResult = Translated | NotTranslated


def language_code(value: object) -> str | None:
    """``"pt-BR"`` -> ``"pt"``; anything that is not a plausible code -> None."""
    if not isinstance(value, str):
        return None
    base = value.strip().replace("_", "-").split("-")[0].lower()
    return base if _LANGUAGE.fullmatch(base) else None


def read_answer(body: bytes) -> TranslateResult:
    """The server's JSON answer as a result; anything else is a bad answer."""
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return NotTranslated(BAD_ANSWER, "not JSON")
    if not isinstance(data, dict):
        return NotTranslated(BAD_ANSWER, "not a JSON object")
    text = data.get("translatedText")
    if not isinstance(text, str) or not text.strip():
        return NotTranslated(BAD_ANSWER, "no translatedText")
    detected = data.get("detectedLanguage")
    source = confidence = None
    if isinstance(detected, dict):
        source = language_code(detected.get("language"))
        raw = detected.get("confidence")
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            confidence = float(raw)
    return Translated(text.strip(), source, confidence)


class TranslationClient:
    """``await client.translate(text, "en")``; one pooled httpx client, closed by ``aclose``
    (and opened again by the next request)."""

    def __init__(
        self, settings: TranslateSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        assert settings.url is not None, "no [translate] url"
        self.endpoint = f"{settings.url}/translate"
        self.timeout = settings.timeout
        self._api_key = settings.api_key.get_secret_value() if settings.api_key else None
        self._transport = transport
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        """The pooled client, opened on first use (again after ``aclose``: a restart)."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                transport=self._transport,
                follow_redirects=False,
                headers={"Accept": "application/json"},
            )
        return self._http

    async def translate(self, text: str, target: str) -> TranslateResult:
        payload: dict[str, str] = {"q": text, "source": "auto", "target": target, "format": "text"}
        if self._api_key:
            payload["api_key"] = self._api_key
        try:
            # The whole exchange, not each read: a server dripping bytes is still too slow.
            async with asyncio.timeout(self.timeout):
                result = await self._post(payload)
        except TimeoutError:
            result = NotTranslated(TIMEOUT, f"no answer in {self.timeout:g} s")
        except httpx.TimeoutException:
            result = NotTranslated(TIMEOUT, f"no answer in {self.timeout:g} s")
        except httpx.HTTPError as error:
            result = NotTranslated(UNREACHABLE, type(error).__name__)
        if isinstance(result, NotTranslated):
            log.warning("translate: %s (%s) for %s", result.reason, result.detail, target)
        return result

    async def _post(self, payload: dict[str, str]) -> TranslateResult:
        async with self._client().stream("POST", self.endpoint, json=payload) as response:
            if response.status_code >= 400:
                return NotTranslated(SERVER_ERROR, f"HTTP {response.status_code}")
            if response.status_code != 200:
                return NotTranslated(BAD_ANSWER, f"HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > MAX_ANSWER_BYTES:
                    return NotTranslated(BAD_ANSWER, "answer too large")
        return read_answer(bytes(body))

    async def aclose(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()
