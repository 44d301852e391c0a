"""A local Telegram Bot API server for end-to-end tests, benchmarks and an offline demo.

See ``server.LocalBotApiServer``; ``python -m localapi`` runs one standalone.
"""

from .core import CallbackAnswer, RequestRecord
from .errors import ApiError
from .limits import FloodLimiter, RateLimits
from .server import LocalBotApiServer
from .state import MessageEdit, StoredFile, StoredMessage

__all__ = [
    "ApiError",
    "CallbackAnswer",
    "FloodLimiter",
    "LocalBotApiServer",
    "MessageEdit",
    "RateLimits",
    "RequestRecord",
    "StoredFile",
    "StoredMessage",
]
