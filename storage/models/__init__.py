"""All models, imported here so Alembic and ``Base.metadata`` see every table."""

from storage.models.base import Base
from storage.models.core import Chat, OutboxMessage, SentRecord, User
from storage.models.programme import FeedEntry, Session, Source
from storage.models.questions import (
    AskingState,
    Hub,
    Moderator,
    ModeratorFocus,
    Question,
    QuestionSession,
    QuestionVote,
)
from storage.models.subscriptions import Subscription, SubscriptionKind

__all__ = [
    "AskingState",
    "Base",
    "Chat",
    "FeedEntry",
    "Hub",
    "Moderator",
    "ModeratorFocus",
    "OutboxMessage",
    "Question",
    "QuestionSession",
    "QuestionVote",
    "SentRecord",
    "Session",
    "Source",
    "Subscription",
    "SubscriptionKind",
    "User",
]
