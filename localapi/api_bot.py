"""Bot API methods about the bot itself: getMe, updates, webhook, commands, descriptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .core import Core
from .errors import CONFLICT_WEBHOOK, bad_request, conflict
from .params import Params

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_POLL_TIMEOUT = 600.0


@dataclass(slots=True, frozen=True)
class Described:
    """A result that Telegram sends with a ``description`` next to it (setWebhook)."""

    result: Any
    description: str


async def get_me(core: Core, params: Params) -> Any:
    """getMe."""
    data = core.world.bot.to_json()
    data.update(
        can_join_groups=core.can_join_groups,
        can_read_all_group_messages=core.can_read_all_group_messages,
        supports_inline_queries=core.supports_inline_queries,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return data


async def get_updates(core: Core, params: Params) -> Any:
    """getUpdates with long polling."""
    if core.settings.webhook is not None:
        raise conflict(CONFLICT_WEBHOOK)
    allowed = params.get_json("allowed_updates", "can't parse allowed updates JSON object")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed updates JSON object")
    core.updates.set_allowed(allowed)
    limit = params.get_int("limit") or 100
    timeout = min(max(params.get_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
    return await core.updates.get_updates(
        params.get_int("offset"), min(max(limit, 1), 100), timeout
    )


async def set_webhook(core: Core, params: Params) -> Any:
    """setWebhook: from now on updates are POSTed to the URL (see ``localapi.webhook``)."""
    url = params.get_str("url") or ""
    if not url:
        return await delete_webhook(core, params)
    if not url.startswith("https://") and not url.startswith("http://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    allowed = params.get_json("allowed_updates", "can't parse allowed updates JSON object")
    core.updates.set_allowed(allowed if isinstance(allowed, list) else None)
    max_connections = params.get_int("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    secret = params.get_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    if params.get_bool("drop_pending_updates"):
        core.updates.drop_pending()
    unchanged = core.settings.webhook is not None and core.settings.webhook["url"] == url
    core.settings.webhook = {
        "url": url,
        "max_connections": max_connections,
        "secret_token": secret,
        "allowed_updates": allowed,
    }
    core.webhook.configure(url, secret, max_connections)
    return Described(True, "Webhook is already set" if unchanged else "Webhook was set")


async def delete_webhook(core: Core, params: Params) -> Any:
    """deleteWebhook."""
    if params.get_bool("drop_pending_updates"):
        core.updates.drop_pending()
    had = core.settings.webhook is not None
    core.settings.webhook = None
    await core.webhook.remove()
    return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")


async def get_webhook_info(core: Core, params: Params) -> Any:
    """getWebhookInfo."""
    webhook = core.settings.webhook
    info: dict[str, Any] = {
        "url": webhook["url"] if webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": core.updates.pending_count,
    }
    if webhook:
        info["max_connections"] = webhook["max_connections"]
        if webhook.get("allowed_updates"):
            info["allowed_updates"] = webhook["allowed_updates"]
        if core.webhook.last_error_date is not None:
            info["last_error_date"] = core.webhook.last_error_date
            info["last_error_message"] = core.webhook.last_error_message
    return info


def scope_key(core: Core, params: Params) -> str:
    """A readable key for a ``BotCommandScope``: ``default``, ``chat:-100123``, ..."""
    scope = params.get_json("scope", "can't parse BotCommandScope JSON object")
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return str(kind)
    if kind not in ("chat", "chat_administrators", "chat_member"):
        raise bad_request("unsupported bot command scope specified")
    chat_ref = scope.get("chat_id")
    if isinstance(chat_ref, str) and chat_ref.lstrip("-").isdigit():
        chat_ref = int(chat_ref)
    if not isinstance(chat_ref, int | str) or isinstance(chat_ref, bool):
        raise bad_request("chat_id is empty")
    chat = core.world.find_chat(chat_ref)
    if chat is None:
        raise bad_request("chat not found")
    if kind == "chat_member":
        return f"chat_member:{chat.id}:{scope.get('user_id')}"
    return f"{kind}:{chat.id}"


async def set_my_commands(core: Core, params: Params) -> Any:
    """setMyCommands, stored per scope and language."""
    commands = params.get_json("commands", "can't parse commands JSON object")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    stored: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command = str(item.get("command", "")).lstrip("/")
        description = str(item.get("description", ""))
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        stored.append({"command": command, "description": description})
    key = (scope_key(core, params), params.get_str("language_code") or "")
    if stored:
        core.settings.commands[key] = stored
    else:
        core.settings.commands.pop(key, None)
    return True


async def get_my_commands(core: Core, params: Params) -> Any:
    """getMyCommands for exactly that scope and language."""
    key = (scope_key(core, params), params.get_str("language_code") or "")
    return list(core.settings.commands.get(key, []))


async def delete_my_commands(core: Core, params: Params) -> Any:
    """deleteMyCommands."""
    key = (scope_key(core, params), params.get_str("language_code") or "")
    core.settings.commands.pop(key, None)
    return True


def _store_text(store: dict[str, str], params: Params, field: str, limit: int) -> Any:
    value = params.get_str(field) or ""
    if len(value) > limit:
        raise bad_request(f"{field.upper()}_INVALID")
    language = params.get_str("language_code") or ""
    if value:
        store[language] = value
    else:
        store.pop(language, None)
    return True


async def set_my_description(core: Core, params: Params) -> Any:
    """setMyDescription."""
    return _store_text(core.settings.descriptions, params, "description", 512)


async def get_my_description(core: Core, params: Params) -> Any:
    """getMyDescription."""
    language = params.get_str("language_code") or ""
    return {"description": core.settings.descriptions.get(language, "")}


async def set_my_short_description(core: Core, params: Params) -> Any:
    """setMyShortDescription."""
    return _store_text(core.settings.short_descriptions, params, "short_description", 120)


async def get_my_short_description(core: Core, params: Params) -> Any:
    """getMyShortDescription."""
    language = params.get_str("language_code") or ""
    return {"short_description": core.settings.short_descriptions.get(language, "")}


async def set_my_name(core: Core, params: Params) -> Any:
    """setMyName."""
    return _store_text(core.settings.names, params, "name", 64)


async def get_my_name(core: Core, params: Params) -> Any:
    """getMyName."""
    language = params.get_str("language_code") or ""
    return {"name": core.settings.names.get(language, core.world.bot.first_name)}


async def set_chat_menu_button(core: Core, params: Params) -> Any:
    """setChatMenuButton (per chat, or the default without ``chat_id``)."""
    button = params.get_json("menu_button", "can't parse menu button JSON object")
    if button is not None and not isinstance(button, dict):
        raise bad_request("can't parse menu button JSON object")
    chat_id = core.chat(params.chat_id()).id if params.has("chat_id") else None
    core.settings.menu_buttons[chat_id] = button or {"type": "default"}
    return True


async def get_chat_menu_button(core: Core, params: Params) -> Any:
    """getChatMenuButton."""
    chat_id = core.chat(params.chat_id()).id if params.has("chat_id") else None
    buttons = core.settings.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or {"type": "commands"}


async def close(core: Core, params: Params) -> Any:
    """close."""
    core.settings.closed += 1
    return True


async def log_out(core: Core, params: Params) -> Any:
    """logOut."""
    core.settings.logged_out += 1
    return True


HANDLERS = {
    "getme": get_me,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "setmydescription": set_my_description,
    "getmydescription": get_my_description,
    "setmyshortdescription": set_my_short_description,
    "getmyshortdescription": get_my_short_description,
    "setmyname": set_my_name,
    "getmyname": get_my_name,
    "setchatmenubutton": set_chat_menu_button,
    "getchatmenubutton": get_chat_menu_button,
    "close": close,
    "logout": log_out,
}
