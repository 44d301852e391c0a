"""Telegram-shaped API errors: an HTTP status, a description and optional parameters."""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CONFLICT_OTHER_POLL = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """An error answer exactly as the Bot API words it (``Bad Request: ...``)."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """400 ``Bad Request: <detail>``."""
    return ApiError(400, f"Bad Request: {detail}", parameters)


def forbidden(detail: str) -> ApiError:
    """403 ``Forbidden: <detail>``."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with ``parameters.retry_after`` like Telegram's flood control."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def conflict(detail: str) -> ApiError:
    """409 ``Conflict: <detail>``."""
    return ApiError(409, f"Conflict: {detail}")


UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
