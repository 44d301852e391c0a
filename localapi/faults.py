"""Fault injection: failing the next requests, outage windows and artificial latency."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

NGINX_BODY = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(slots=True, frozen=True)
class Fault:
    """How to answer one request instead of handling it."""

    status: int
    proxy: bool = False  # an nginx HTML page instead of Telegram's JSON
    retry_after: int | None = None  # for an injected 429

    def body(self) -> tuple[bytes, str]:
        """Response body and content type."""
        phrase = _phrase(self.status)
        if self.proxy:
            text = NGINX_BODY.format(status=self.status, phrase=phrase)
            return text.encode(), "text/html"
        if self.status == 429:
            retry = self.retry_after or 1
            return (
                b'{"ok":false,"error_code":429,"description":"Too Many Requests: retry after '
                + str(retry).encode()
                + b'","parameters":{"retry_after":'
                + str(retry).encode()
                + b"}}",
                "application/json",
            )
        return (
            b'{"ok":false,"error_code":%d,"description":"%s"}' % (self.status, phrase.encode()),
            "application/json",
        )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass(slots=True)
class _Pending:
    fault: Fault
    remaining: int
    method: str | None  # lowercase method name, None for any request


class FaultInjector:
    """Decides, per request, whether to fail it; also holds the artificial latency."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.latency = 0.0
        self.jitter = 0.0
        self._pending: list[_Pending] = []
        self._outage: Fault | None = None
        self._outage_until = 0.0
        self.injected = 0

    def fail_next(
        self,
        n: int = 1,
        status: int = 502,
        method: str | None = None,
        *,
        proxy: bool = False,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``n`` requests (of ``method``, if given) with ``status``."""
        if n > 0:
            key = method.lower() if method else None
            self._pending.append(_Pending(Fault(status, proxy, retry_after), n, key))

    def outage(self, seconds: float, status: int = 502, *, proxy: bool = False) -> None:
        """Answer every request with ``status`` for the next ``seconds`` (server clock)."""
        self._outage = Fault(status, proxy)
        self._outage_until = self.clock() + seconds

    def end_outage(self) -> None:
        """End an outage window early."""
        self._outage = None

    def clear(self) -> None:
        """Drop all pending failures, the outage and the latency."""
        self._pending.clear()
        self._outage = None
        self.latency = self.jitter = 0.0

    @property
    def in_outage(self) -> bool:
        """True while an outage window is open."""
        if self._outage is not None and self.clock() >= self._outage_until:
            self._outage = None
        return self._outage is not None

    def delay(self) -> float:
        """Seconds to wait before answering this request."""
        if self.jitter:
            return max(self.latency + random.uniform(-self.jitter, self.jitter), 0.0)
        return self.latency

    def take(self, method: str) -> Fault | None:
        """The fault for a request to ``method`` (lowercase), consuming a ``fail_next``."""
        if self.in_outage:
            self.injected += 1
            return self._outage
        for index, pending in enumerate(self._pending):
            if pending.method is None or pending.method == method:
                pending.remaining -= 1
                if pending.remaining <= 0:
                    del self._pending[index]
                self.injected += 1
                return pending.fault
        return None
