"""Subscriptions and reminders: who wants which sessions, and telling them once, on time.

``build_reminders`` wires the pieces; the composition root (``bot.services``) calls it and
puts the change notifier among the programme listeners.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.i18n import Translator
from bot.links import BotLinks
from bot.reminders.notices import ChangeNotifier
from bot.reminders.planner import JobBoard, ReminderPlanner
from bot.reminders.subscriptions import SubscriptionService
from bot.reminders.texts import ReminderTexts
from config.settings import Settings
from storage.db import Database


@dataclass(frozen=True, slots=True)
class Reminders:
    planner: ReminderPlanner
    subscriptions: SubscriptionService
    notifier: ChangeNotifier
    texts: ReminderTexts


def build_reminders(
    database: Database,
    clock: Clock,
    settings: Settings,
    translator: Translator,
    links: BotLinks,
    board: JobBoard | None = None,
) -> Reminders:
    """The reminder services for one process."""
    texts = ReminderTexts(translator, links)
    planner = ReminderPlanner(database, clock, settings, texts, board)
    subscriptions = SubscriptionService(database, clock, settings, planner)
    notifier = ChangeNotifier(settings, clock, texts, planner)
    return Reminders(planner, subscriptions, notifier, texts)


__all__ = ["Reminders", "build_reminders"]
