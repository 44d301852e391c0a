"""The few Bot API calls the intake makes itself, over httpx, returning Telegram's raw JSON.

The inbox stores updates exactly as Telegram sent them, so the fetcher reads ``getUpdates``
here rather than through python-telegram-bot's parsed objects.
"""

from __future__ import annotations

import json
from typing import Any

import httpx


class BotApiError(Exception):
    """The Bot API answered ``ok: false`` (or something that is not its JSON)."""

    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after


class BotApiUnreachable(Exception):
    """No answer: connection refused, reset, or timed out."""


class IntakeApi:
    """``getUpdates``, ``setWebhook``, ``deleteWebhook``, ``getWebhookInfo``."""

    def __init__(self, api_url: str, token: str, *, client: httpx.AsyncClient | None = None):
        self._base = f"{api_url.rstrip('/')}/bot{token}"
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        self._own_client = client is None

    async def close(self) -> None:
        if self._own_client:
            await self._client.aclose()

    async def call(self, method: str, params: dict[str, Any], *, seconds: float = 10.0) -> Any:
        """One call; the ``result`` on success, else BotApiError or BotApiUnreachable."""
        try:
            response = await self._client.post(
                f"{self._base}/{method}", json=params, timeout=seconds
            )
        except httpx.HTTPError as exc:
            # The exception text can hold the URL and so the token: name only its kind.
            raise BotApiUnreachable(f"{method}: {type(exc).__name__}") from None
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BotApiError(response.status_code, "not a Bot API answer") from None
        if not isinstance(body, dict):
            raise BotApiError(response.status_code, "not a Bot API answer")
        if body.get("ok") is True:
            return body.get("result")
        parameters = body.get("parameters") or {}
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        raise BotApiError(
            int(body.get("error_code") or response.status_code),
            str(body.get("description") or "no description"),
            float(retry_after) if isinstance(retry_after, int | float) else None,
        )

    async def get_updates(
        self, offset: int | None, *, poll_seconds: int, allowed_updates: list[str] | None
    ) -> list[dict[str, Any]]:
        """Long poll; an ``offset`` confirms every update below it."""
        params: dict[str, Any] = {"timeout": poll_seconds, "limit": 100}
        if offset is not None:
            params["offset"] = offset
        if allowed_updates is not None:
            params["allowed_updates"] = allowed_updates
        result = await self.call("getUpdates", params, seconds=poll_seconds + 10.0)
        if not isinstance(result, list):
            raise BotApiError(200, "getUpdates did not return a list")
        return [item for item in result if isinstance(item, dict)]

    async def set_webhook(
        self,
        url: str,
        *,
        secret_token: str,
        allowed_updates: list[str] | None,
        max_connections: int,
    ) -> None:
        """Point Telegram at our endpoint, keeping the updates it still holds."""
        params: dict[str, Any] = {
            "url": url,
            "secret_token": secret_token,
            "max_connections": max_connections,
            "drop_pending_updates": False,
        }
        if allowed_updates is not None:
            params["allowed_updates"] = allowed_updates
        await self.call("setWebhook", params)

    async def delete_webhook(self) -> None:
        """Back to polling; pending updates are kept."""
        await self.call("deleteWebhook", {"drop_pending_updates": False})

    async def webhook_info(self) -> dict[str, Any]:
        result = await self.call("getWebhookInfo", {})
        return result if isinstance(result, dict) else {}
