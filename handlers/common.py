"""What every handler needs: replies through the outbox, keyboards as plain Bot API JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.context import RemoteHubContext
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


def message_payload(
    chat_id: int, text: str, keyboard: Keyboard | None = None, *, preview: bool = False
) -> dict[str, Any]:
    payload: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
    if keyboard is not None:
        payload["reply_markup"] = keyboard
    if not preview:
        payload["link_preview_options"] = {"is_disabled": True}
    return payload


def _reply_key(update: Update, context: RemoteHubContext, suffix: str = "") -> str:
    context.reply_count += 1
    return f"update:{update.update_id}:{context.reply_count}{suffix}"


async def queue_reply(
    session: AsyncSession,
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
        session,
        NewMessage(
            key=_reply_key(update, context),
            chat_id=target,
            kind="reply",
            payload=message_payload(target, text, keyboard, preview=preview),
            not_before=context.services.clock.now(),
            priority=Priority.INTERACTIVE,
        ),
        now=context.services.clock.now(),
    )


async def queue_edit(
    session: AsyncSession,
    update: Update,
    context: RemoteHubContext,
    text: str,
    keyboard: Keyboard | None = None,
) -> None:
    """Queue an in-place edit of the message whose button was pressed."""
    query = update.callback_query
    if query is None or query.message is None:
        await queue_reply(session, update, context, text, keyboard)
        return
    chat_id = query.message.chat.id
    payload = message_payload(chat_id, text, keyboard)
    payload["message_id"] = query.message.message_id
    await outbox.enqueue(
        session,
        NewMessage(
            key=_reply_key(update, context, ":edit"),
            chat_id=chat_id,
            kind="edit",
            method="editMessageText",
            payload=payload,
            not_before=context.services.clock.now(),
            priority=Priority.INTERACTIVE,
        ),
        now=context.services.clock.now(),
    )


async def reply(
    update: Update,
    context: RemoteHubContext,
    message_id: str,
    keyboard: Keyboard | None = None,
    **params: Any,
) -> None:
    """Translate ``message_id``, queue it as a reply, and wake the sender."""
    await reply_text(update, context, context.t(message_id, **params), keyboard)


async def reply_text(
    update: Update, context: RemoteHubContext, text: str, keyboard: Keyboard | None = None
) -> None:
    async with context.services.database.transaction() as session:
        await queue_reply(session, update, context, text, keyboard)
    context.services.sender.wake()


async def edit_text(
    update: Update, context: RemoteHubContext, text: str, keyboard: Keyboard | None = None
) -> None:
    async with context.services.database.transaction() as session:
        await queue_edit(session, update, context, text, keyboard)
    context.services.sender.wake()


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update has no chat to reply to")
    return chat.id


def command_args(context: RemoteHubContext) -> list[str]:
    return list(context.args or [])
