"""Buttons routed by their typed callback data (``bot.callbacks``).

``on_press(Codec, handler)`` is the CallbackQueryHandler for one codec: the handler gets the
parsed value; data the codec refuses (a forged, replayed or outdated press) is answered with
a short pop-up and reaches no business code. ``stale_press`` catches what no codec routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import CallbackData
from bot.context import RemoteHubContext

Data = TypeVar("Data", bound=CallbackData)
PressHandler = Callable[[Update, RemoteHubContext, Data], Awaitable[None]]


def on_press(
    codec: type[Data], handler: PressHandler[Data]
) -> CallbackQueryHandler[RemoteHubContext, None]:
    async def route(update: Update, context: RemoteHubContext) -> None:
        query = update.callback_query
        if query is None:
            return
        data = codec.parse(query.data)
        if data is None:
            await stale_press(update, context)
            return
        await handler(update, context, data)

    route.__name__ = route.__qualname__ = getattr(handler, "__name__", codec.__name__)
    return CallbackQueryHandler(route, pattern=codec.pattern())


async def stale_press(update: Update, context: RemoteHubContext) -> None:
    """Callback data no codec accepts: say so on the button, change nothing."""
    query = update.callback_query
    if query is not None:
        await query.answer(context.t("errors.expired_button"))


def catch_all_presses() -> CallbackQueryHandler[Any, None]:
    """Registered after every feature in group 0: presses that matched no codec."""
    return CallbackQueryHandler(stale_press)
