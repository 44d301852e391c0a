"""Subscriptions and reminders: who wants which sessions, and telling them once, on time.

``build_reminders`` wires the pieces; the application calls it on start (handlers/subscriptions)
and registers the change notifier as a programme listener.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reminders.notices import ChangeNotifier
from bot.reminders.planner import JobBoard, ReminderPlanner
from bot.reminders.subscriptions import SubscriptionService
from bot.reminders.texts import ReminderTexts
from bot.services import Services


@dataclass(frozen=True, slots=True)
class Reminders:
    planner: ReminderPlanner
    subscriptions: SubscriptionService
    notifier: ChangeNotifier
    texts: ReminderTexts


def build_reminders(services: Services, board: JobBoard | None = None) -> Reminders:
    """The reminder services for one process; the sender is looked up when there is news."""

    def wake() -> None:
        services.sender.wake()

    texts = ReminderTexts(services.translator, services.bot_username)
    planner = ReminderPlanner(
        services.database, services.clock, services.settings, texts, wake, board
    )
    subscriptions = SubscriptionService(
        services.database, services.clock, services.settings, planner
    )
    notifier = ChangeNotifier(services.settings, services.clock, texts, planner, wake)
    return Reminders(planner, subscriptions, notifier, texts)


__all__ = ["Reminders", "build_reminders"]
