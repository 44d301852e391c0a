"""Outgoing messages of the question relay that ``handlers.common`` does not cover:
replies that quote the asking message (and force a reply in groups), and files."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import TelegramError

from bot.context import RemoteHubContext
from bot.errors import UserFacingError
from bot.outbox.payloads import html_message
from bot.outbox.transport import attachment
from handlers.common import Keyboard, reply_key
from storage.repos import outbox
from storage.repos.outbox import NewMessage, Priority


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update has no chat to reply to")
    return chat.id


async def queue_answer(
    db: AsyncSession,
    update: Update,
    context: RemoteHubContext,
    text: str,
    markup: Keyboard | None = None,
    *,
    quote: bool = False,
) -> None:
    """Queue a reply in the caller's transaction; ``quote`` answers the user's message."""
    chat_id = _chat_id(update)
    payload = html_message(chat_id, text, markup)
    message = update.effective_message
    if quote and message is not None and update.callback_query is None:
        payload["reply_parameters"] = {
            "message_id": message.message_id,
            "allow_sending_without_reply": True,
        }
    now = context.services.clock.now()
    await outbox.enqueue(
        db,
        NewMessage(
            key=reply_key(update, context, ":reply"),
            chat_id=chat_id,
            kind="reply",
            payload=payload,
            not_before=now,
            priority=Priority.INTERACTIVE,
        ),
        now=now,
    )


async def answer(
    update: Update,
    context: RemoteHubContext,
    text: str,
    markup: Keyboard | None = None,
    *,
    quote: bool = False,
) -> None:
    """``queue_answer`` in its own transaction (its commit wakes the sender)."""
    async with context.services.database.transaction() as db:
        await queue_answer(db, update, context, text, markup, quote=quote)


def force_reply(placeholder: str) -> Keyboard:
    """In groups (privacy mode), only replies to the bot reach it: ask for one."""
    return {"force_reply": True, "selective": True, "input_field_placeholder": placeholder[:64]}


async def send_file(
    update: Update,
    context: RemoteHubContext,
    *,
    method: str,
    data: bytes,
    filename: str,
    caption: str,
) -> None:
    """Queue a document (``sendDocument``) or picture (``sendPhoto``) for this chat."""
    field = {"sendDocument": "document", "sendPhoto": "photo"}[method]
    chat_id = _chat_id(update)
    payload: dict[str, Any] = {
        "chat_id": chat_id,
        field: attachment(data, filename),
        "caption": caption,
        "parse_mode": "HTML",
    }
    now = context.services.clock.now()
    async with context.services.database.transaction() as db:
        await outbox.enqueue(
            db,
            NewMessage(
                key=reply_key(update, context, f":{field}"),
                chat_id=chat_id,
                kind=field,
                method=method,
                payload=payload,
                not_before=now,
                priority=Priority.INTERACTIVE,
            ),
            now=now,
        )


P = ParamSpec("P")
ButtonHandler = Callable[Concatenate[Update, RemoteHubContext, P], Coroutine[Any, Any, None]]


def button(handler: ButtonHandler[P]) -> ButtonHandler[P]:
    """For callback handlers that answer the query after acting: a refusal
    (``UserFacingError``) shows as an alert on the pressed button, where the user looks."""

    @functools.wraps(handler)
    async def wrapped(
        update: Update, context: RemoteHubContext, /, *args: P.args, **kwargs: P.kwargs
    ) -> None:
        try:
            await handler(update, context, *args, **kwargs)
        except UserFacingError as error:
            text = context.t(error.message_id, **error.params)
            query = update.callback_query
            try:
                if query is None:
                    raise
                await query.answer(text, show_alert=True)
            except TelegramError:  # answered already: say it in the chat instead
                await answer(update, context, text)

    return wrapped
