"""Bot API methods that send, edit and delete text messages and answer callback queries."""

from __future__ import annotations

from typing import Any

from .core import CallbackAnswer, Core
from .errors import NOT_MODIFIED, QUERY_TOO_OLD, bad_request
from .keyboards import check_reply_markup
from .params import Params
from .state import JSON, StoredMessage
from .text import ParsedText, format_text

MARKUP_ERROR = "can't parse reply keyboard markup JSON object"
ENTITIES_ERROR = "can't parse entities JSON object"


def message_text(core: Core, params: Params, field: str = "text") -> ParsedText:
    """Parse ``text`` (or ``caption``) with ``parse_mode``/``entities`` like the Bot API."""
    entities_field = "entities" if field == "text" else "caption_entities"
    return format_text(
        params.get_str(field),
        params.get_str("parse_mode"),
        params.get_json(entities_field, ENTITIES_ERROR),
        caption=field == "caption",
        strict_html=core.strict_html,
    )


def reply_markup(params: Params) -> JSON | None:
    """The checked ``reply_markup`` parameter."""
    return check_reply_markup(params.get_json("reply_markup", MARKUP_ERROR))


def link_preview(params: Params) -> JSON | None:
    """``link_preview_options`` (or the legacy ``disable_web_page_preview``)."""
    options = params.get_json(
        "link_preview_options", "can't parse link preview options JSON object"
    )
    if isinstance(options, dict):
        return options
    if params.get_bool("disable_web_page_preview"):
        return {"is_disabled": True}
    return None


def inline_markup(markup: JSON | None) -> JSON | None:
    """Only inline keyboards belong to a message; reply keyboards do not show in it."""
    return markup if markup is not None and "inline_keyboard" in markup else None


async def send_message(core: Core, params: Params) -> Any:
    """sendMessage."""
    parsed = message_text(core, params)
    markup = reply_markup(params)
    preview = link_preview(params)
    chat = core.writable_chat(params)
    reply_to = core.reply_target(chat, params)
    core.throttle("sendmessage", chat, paid=params.get_bool("allow_paid_broadcast"))
    world = core.world
    message = StoredMessage(
        chat_id=chat.id,
        message_id=world.next_message_id(chat),
        date=world.now(),
        time=core.clock(),
        method="sendMessage",
        from_bot=True,
        text=parsed.text,
        source_text=params.get_str("text"),
        parse_mode=params.get_str("parse_mode"),
        entities=parsed.entities,
        reply_markup=markup,
        reply_to_message_id=reply_to,
        link_preview_options=preview,
    )
    return core.publish(message)


async def edit_message_text(core: Core, params: Params) -> Any:
    """editMessageText; without ``reply_markup`` the inline keyboard goes, like on Telegram."""
    chat, message = core.bot_message(params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    parsed = message_text(core, params)
    markup = inline_markup(reply_markup(params))
    if (
        parsed.text == message.text
        and parsed.entities == message.entities
        and markup == inline_markup(message.reply_markup)
    ):
        raise bad_request(NOT_MODIFIED)
    core.throttle("editmessagetext", chat)
    message.edits.append(message.snapshot(core.clock()))
    message.text = parsed.text
    message.source_text = params.get_str("text")
    message.parse_mode = params.get_str("parse_mode")
    message.entities = parsed.entities
    message.reply_markup = markup
    preview = link_preview(params)
    if preview is not None:
        message.link_preview_options = preview
    return _edited(core, message)


async def edit_message_caption(core: Core, params: Params) -> Any:
    """editMessageCaption."""
    chat, message = core.bot_message(params)
    if message.text is not None:
        raise bad_request("there is no caption in the message to edit")
    parsed = message_text(core, params, "caption")
    markup = inline_markup(reply_markup(params))
    if (
        parsed.text == (message.caption or "")
        and parsed.entities == message.caption_entities
        and markup == inline_markup(message.reply_markup)
    ):
        raise bad_request(NOT_MODIFIED)
    core.throttle("editmessagecaption", chat)
    message.edits.append(message.snapshot(core.clock()))
    message.caption = parsed.text or None
    message.caption_entities = parsed.entities
    message.reply_markup = markup
    return _edited(core, message)


async def edit_message_reply_markup(core: Core, params: Params) -> Any:
    """editMessageReplyMarkup; no ``reply_markup`` removes the keyboard."""
    chat, message = core.bot_message(params)
    markup = reply_markup(params)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    if markup == inline_markup(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    core.throttle("editmessagereplymarkup", chat)
    message.edits.append(message.snapshot(core.clock()))
    message.reply_markup = markup
    return _edited(core, message)


def _edited(core: Core, message: StoredMessage) -> JSON:
    message.edit_date = core.world.now()
    data = core.world.message_json(message)
    core.notify(message)
    return data


async def delete_message(core: Core, params: Params) -> Any:
    """deleteMessage."""
    chat = core.chat(params.chat_id())
    message_id = params.get_int("message_id", required="message identifier is not specified")
    assert message_id is not None
    message = core.world.messages.get((chat.id, message_id))
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    if not message.from_bot and chat.type != "private" and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")
    message.deleted = True
    core.notify(message)
    return True


async def answer_callback_query(core: Core, params: Params) -> Any:
    """answerCallbackQuery: each query can be answered once."""
    query_id = params.get_str("callback_query_id")
    if not query_id:
        raise bad_request("query_id is empty")
    if core.open_queries.pop(query_id, None) is None:
        raise bad_request(QUERY_TOO_OLD)
    text = params.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    core.callback_answers.append(
        CallbackAnswer(
            callback_query_id=query_id,
            text=text,
            show_alert=params.get_bool("show_alert"),
            url=params.get_str("url"),
            cache_time=params.get_int("cache_time") or 0,
            time=core.clock(),
        )
    )
    core.notify()
    return True


async def send_chat_action(core: Core, params: Params) -> Any:
    """sendChatAction: checked like a send, otherwise ignored."""
    core.writable_chat(params)
    return True


HANDLERS = {
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "answercallbackquery": answer_callback_query,
    "sendchataction": send_chat_action,
}
