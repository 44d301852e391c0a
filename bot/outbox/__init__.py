"""The outbox sender: every outgoing message is an ``outbox`` row, sent by one sender.

Services enqueue rows with ``storage.repos.outbox.enqueue`` inside their own transaction; its
commit wakes the sender (``Database.outbox_wakers``, set up by ``bot.services``).
``ptb_transport`` (the only module here importing ``telegram``) is imported explicitly by the
application.
"""

from bot.outbox.outcomes import SenderStats
from bot.outbox.pacing import SendLimits
from bot.outbox.sender import OutboxSender
from bot.outbox.transport import (
    ChatMoved,
    ChatUnreachable,
    DeliveryError,
    MessageTransport,
    PermanentFailure,
    RetryLater,
    TransientFailure,
    attachment,
)

__all__ = [
    "ChatMoved",
    "ChatUnreachable",
    "DeliveryError",
    "MessageTransport",
    "OutboxSender",
    "PermanentFailure",
    "RetryLater",
    "SendLimits",
    "SenderStats",
    "TransientFailure",
    "attachment",
]
