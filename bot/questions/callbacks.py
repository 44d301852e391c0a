"""The question relay's buttons: asking, one's own question, voting, moderating.

(The session card's "❓ Ask" is ``bot.programme.callbacks.AskFromCard``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData, Count, Id


class AskAction(StrEnum):
    ANONYMOUS = "anon"  # toggle "ask anonymously"
    CANCEL = "x"
    VOTE_INSTEAD = "dv"  # a similar question exists: vote for it
    SEND_ANYWAY = "ds"


class OwnAction(StrEnum):
    WITHDRAW = "wd"
    TOGGLE_NAME = "an"


class CardAction(StrEnum):
    ANSWERED = "ans"
    SKIP = "skip"
    BACK = "back"  # put back in the queue
    REJECT = "rej"  # asks for a reason
    REJECT_NOW = "rejn"
    WRITE = "write"  # asks for a written answer
    CARD = "card"  # show the card again
    APPROVE = "ok"


@dataclass(frozen=True, slots=True)
class AskChosen(CallbackData, prefix="ask:c"):
    """A session from the relay's own list of open sessions."""

    session: Id


@dataclass(frozen=True, slots=True)
class AskStep(CallbackData, prefix="ask"):
    action: AskAction


@dataclass(frozen=True, slots=True)
class OwnQuestion(CallbackData, prefix="q"):
    action: OwnAction
    question: Id


@dataclass(frozen=True, slots=True)
class QuestionsPage(CallbackData, prefix="qp"):
    session: Id
    page: Count  # from 0


@dataclass(frozen=True, slots=True)
class Vote(CallbackData, prefix="qv"):
    question: Id
    page: Count


@dataclass(frozen=True, slots=True)
class FocusSession(CallbackData, prefix="mod:s"):
    session: Id


@dataclass(frozen=True, slots=True)
class NextQuestion(CallbackData, prefix="mn"):
    session: Id


@dataclass(frozen=True, slots=True)
class CardPress(CallbackData, prefix="mq"):
    action: CardAction
    question: Id
