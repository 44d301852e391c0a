"""What every handler needs: replies through the outbox, keyboards as plain Bot API JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import MaybeInaccessibleMessage, Message, Update

from bot.context import RemoteHubContext
from bot.outbox.payloads import html_message
from storage.repos import outbox
from storage.repos.outbox import NewMessage, Priority

Keyboard = dict[str, Any]


def inline_keyboard(rows: list[list[tuple[str, str]]]) -> Keyboard:
    """Rows of (label, callback_data) buttons; callback data must fit Telegram's 64 bytes."""
    for row in rows:
        for _label, data in row:
            if len(data.encode()) > 64:
                raise ValueError(f"callback_data over 64 bytes: {data!r}")
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


def url_button(label: str, url: str) -> dict[str, str]:
    return {"text": label, "url": url}


def reply_key(update: Update, context: RemoteHubContext, suffix: str = "") -> str:
    """The outbox key of this update's next reply: one update never sends a reply twice."""
    context.reply_count += 1
    return f"update:{update.update_id}:{context.reply_count}{suffix}"


async def queue_reply(
    db: AsyncSession,
    update: Update,
    context: RemoteHubContext,
    text: str,
    keyboard: Keyboard | None = None,
    *,
    chat_id: int | None = None,
    preview: bool = False,
) -> None:
    """Queue a reply inside the caller's transaction (same commit as what it acknowledges)."""
    target = chat_id if chat_id is not None else _chat_id(update)
    await outbox.enqueue(
        db,
        NewMessage(
            key=reply_key(update, context),
            chat_id=target,
            kind="reply",
            payload=html_message(target, text, keyboard, preview=preview),
            not_before=context.services.clock.now(),
            priority=Priority.INTERACTIVE,
        ),
        now=context.services.clock.now(),
    )


async def queue_edit(
    db: AsyncSession,
    update: Update,
    context: RemoteHubContext,
    text: str,
    keyboard: Keyboard | None = None,
) -> None:
    """Queue an in-place edit of the message whose button was pressed."""
    query = update.callback_query
    if query is None or query.message is None:
        await queue_reply(db, update, context, text, keyboard)
        return
    if _shows_already(query.message, text, keyboard):
        return  # Telegram would refuse the edit: "message is not modified"
    chat_id = query.message.chat.id
    payload = html_message(chat_id, text, keyboard)
    payload["message_id"] = query.message.message_id
    await outbox.enqueue(
        db,
        NewMessage(
            key=reply_key(update, context, ":edit"),
            chat_id=chat_id,
            kind="edit",
            method="editMessageText",
            payload=payload,
            not_before=context.services.clock.now(),
            priority=Priority.INTERACTIVE,
        ),
        now=context.services.clock.now(),
    )


def _shows_already(message: MaybeInaccessibleMessage, text: str, keyboard: Keyboard | None) -> bool:
    """The pressed message has this text and keyboard now (an edit would change nothing)."""
    if not isinstance(message, Message) or message.text is None:
        return False
    markup = message.reply_markup.to_dict() if message.reply_markup is not None else None
    if (markup or None) != (keyboard or None):
        return False
    return message.text_html == text


async def reply(
    update: Update,
    context: RemoteHubContext,
    message_id: str,
    keyboard: Keyboard | None = None,
    **params: Any,
) -> None:
    """Translate ``message_id`` and queue it as a reply (its commit wakes the sender)."""
    await reply_text(update, context, context.t(message_id, **params), keyboard)


async def reply_text(
    update: Update, context: RemoteHubContext, text: str, keyboard: Keyboard | None = None
) -> None:
    async with context.services.database.transaction() as db:
        await queue_reply(db, update, context, text, keyboard)


async def edit_text(
    update: Update, context: RemoteHubContext, text: str, keyboard: Keyboard | None = None
) -> None:
    async with context.services.database.transaction() as db:
        await queue_edit(db, update, context, text, keyboard)


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update has no chat to reply to")
    return chat.id


def command_args(context: RemoteHubContext) -> list[str]:
    return list(context.args or [])
