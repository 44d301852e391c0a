"""All models, imported here so Alembic and ``Base.metadata`` see every table."""

from storage.models.base import Base
from storage.models.core import BotFact, Chat, OutboxMessage, OutboxStatus, SentRecord, User
from storage.models.inbox import InboxUpdate
from storage.models.programme import FeedEntry, Session, Source
from storage.models.questions import (
    AskingState,
    AskingStep,
    Hub,
    Moderator,
    ModeratorFocus,
    Question,
    QuestionSession,
    QuestionStatus,
    QuestionTranslation,
    QuestionVote,
)
from storage.models.subscriptions import Subscription, SubscriptionKind
from storage.models.web import (
    HubHeadcount,
    SessionReport,
    SessionWall,
    WebAction,
    WebSession,
    WebSignInLink,
)

__all__ = [
    "AskingState",
    "AskingStep",
    "Base",
    "BotFact",
    "Chat",
    "FeedEntry",
    "Hub",
    "HubHeadcount",
    "InboxUpdate",
    "Moderator",
    "ModeratorFocus",
    "OutboxMessage",
    "OutboxStatus",
    "Question",
    "QuestionSession",
    "QuestionStatus",
    "QuestionTranslation",
    "QuestionVote",
    "SentRecord",
    "Session",
    "SessionReport",
    "SessionWall",
    "Source",
    "Subscription",
    "SubscriptionKind",
    "User",
    "WebAction",
    "WebSession",
    "WebSignInLink",
]
