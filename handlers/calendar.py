""".ics: a session as a calendar file for the user's own calendar (the card's "📅 .ics").

Callback data ``ics:<session>``; the file goes through the outbox like every message.
"""

from __future__ import annotations

from telegram import Update

from bot.context import RemoteHubApplication, RemoteHubContext
from bot.errors import UserFacingError
from bot.outbox.transport import attachment
from bot.programme.callbacks import SessionCalendar
from bot.reminders.ics import session_calendar, session_filename
from bot.reminders.texts import webcast_for
from handlers.commands import CommandSpec
from handlers.presses import on_press
from storage.repos import outbox
from storage.repos.outbox import NewMessage, Priority

COMMANDS: list[CommandSpec] = []


async def send_calendar(
    update: Update, context: RemoteHubContext, pressed: SessionCalendar
) -> None:
    """The session as a calendar file, sent through the outbox."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    reminders = context.services.reminders
    try:
        session = await reminders.subscriptions.session(pressed.session)
    except UserFacingError:
        await query.answer(context.t("subs.session_unknown"), show_alert=True)
        return
    await query.answer()
    services = context.services
    now = services.clock.now()
    data = session_calendar(
        session,
        webcast=webcast_for(session, services.settings.webcasts),
        card_url=services.links.card(session.id),
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


def register(application: RemoteHubApplication) -> None:
    application.add_handler(on_press(SessionCalendar, send_calendar))
