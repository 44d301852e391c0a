"""``reply_markup`` checks with Telegram's error texts (inline keyboards in particular)."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .links import checked_link

CALLBACK_DATA_LIMIT = 64  # bytes
_INLINE_FIELD = 'field "inline_keyboard" of the InlineKeyboardMarkup'
_REPLY_FIELD = 'field "keyboard" of the ReplyKeyboardMarkup'
_BUTTON_ERROR = "can't parse inline keyboard button"
_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """The markup as stored and echoed back, or raise the Bot API's 400 error."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list):
            raise bad_request(f"{_INLINE_FIELD} must be an Array")
        checked_rows: list[list[dict[str, Any]]] = []
        for row in rows:
            if not isinstance(row, list):
                raise bad_request(f"{_INLINE_FIELD} must be an Array of Arrays")
            checked_rows.append([_check_inline_button(button) for button in row])
        return {"inline_keyboard": checked_rows}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(f"{_REPLY_FIELD} must be an Array of Arrays")
        return dict(markup)
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return dict(markup)
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(f"{_BUTTON_ERROR}: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(f'{_BUTTON_ERROR}: Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    present = [key for key in _ACTIONS if button.get(key) not in (None, "")]
    if not present:
        raise bad_request(f"{_BUTTON_ERROR}: Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data not in (None, "") and (
        not isinstance(data, str) or len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url not in (None, "") and (not isinstance(url, str) or not checked_link(url)):
        raise bad_request("BUTTON_URL_INVALID")
    return {key: value for key, value in button.items() if value is not None}
