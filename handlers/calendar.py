""".ics: a session as a calendar file for the user's own calendar (the card's "📅 .ics").

Callback data ``ics:<session>``; the file goes through the outbox like every message.
"""

from __future__ import annotations

from typing import cast

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.context import RemoteHubContext
from bot.errors import UserFacingError
from bot.outbox.transport import attachment
from bot.reminders import Reminders
from bot.reminders.ics import session_calendar, session_filename
from bot.reminders.texts import card_link, webcast_for
from handlers.commands import CommandSpec
from storage.repos import outbox
from storage.repos.outbox import NewMessage, Priority

COMMANDS: list[CommandSpec] = []


async def send_calendar(update: Update, context: RemoteHubContext) -> None:
    """``ics:<session>``: the session as a calendar file, sent through the outbox."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    reminders = cast(Reminders, context.services.features["reminders"])
    try:
        session = await reminders.subscriptions.session(int(query.data.removeprefix("ics:")))
    except (ValueError, UserFacingError):
        await query.answer(context.t("subs.session_unknown"), show_alert=True)
        return
    await query.answer()
    services = context.services
    now = services.clock.now()
    data = session_calendar(
        session,
        webcast=webcast_for(session, services.settings.webcasts),
        card_url=card_link(services.bot_username, session.id),
        now=now,
        translate=context.t,
    )
    payload = {
        "chat_id": chat.id,
        "document": attachment(data, session_filename(session)),
        "caption": context.t("ics.caption", title=session.title),
        "parse_mode": "HTML",
    }
    async with services.database.transaction() as db:
        await outbox.enqueue(
            db,
            NewMessage(
                key=f"update:{update.update_id}:ics",
                chat_id=chat.id,
                kind="ics",
                method="sendDocument",
                payload=payload,
                not_before=now,
                priority=Priority.INTERACTIVE,
            ),
            now=now,
        )
    services.sender.wake()


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(send_calendar, pattern=r"^ics:"))
