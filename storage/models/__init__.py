"""All models, imported here so Alembic and ``Base.metadata`` see every table."""

from storage.models.base import Base
from storage.models.core import Chat, OutboxMessage, SentRecord, User
from storage.models.programme import FeedEntry, Session, Source
from storage.models.subscriptions import Subscription, SubscriptionKind

__all__ = [
    "Base",
    "Chat",
    "FeedEntry",
    "OutboxMessage",
    "SentRecord",
    "Session",
    "Source",
    "Subscription",
    "SubscriptionKind",
    "User",
]
