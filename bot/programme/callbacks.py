"""The programme's buttons: the session card and the upcoming list's pages (``/sessions``),
and the card's buttons that other features answer (remind me, .ics, ask a question)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks import CallbackData, Id


@dataclass(frozen=True, slots=True)
class SessionCard(CallbackData, prefix="card"):
    """Open a session's card."""

    session: Id


@dataclass(frozen=True, slots=True)
class SessionsPage(CallbackData, prefix="sessions"):
    """Another page of the upcoming list (pages count from 1)."""

    page: Id


@dataclass(frozen=True, slots=True)
class RemindMe(CallbackData, prefix="sub:add"):
    """The card's "🔔 Remind me" (answered by the subscriptions)."""

    session: Id


@dataclass(frozen=True, slots=True)
class SessionCalendar(CallbackData, prefix="ics"):
    """The card's "📅 .ics" (answered by the calendar)."""

    session: Id


@dataclass(frozen=True, slots=True)
class AskFromCard(CallbackData, prefix="ask:s"):
    """The card's "❓ Ask" (answered by the question relay)."""

    session: Id
