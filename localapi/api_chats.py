"""Bot API methods about chats: getChat, members, administrators, leaveChat."""

from __future__ import annotations

from typing import Any

from .core import Core
from .errors import bad_request
from .params import Params
from .state import JSON, Chat, member_json


def member_status(core: Core, chat: Chat, user_id: int) -> str:
    """The status of ``user_id`` in ``chat`` as ``getChatMember`` reports it."""
    if user_id == core.world.bot.id:
        return chat.bot_status if chat.type != "private" else "member"
    if chat.type == "private":
        return "member" if user_id == chat.id else "left"
    if user_id == chat.creator_id:
        return "creator"
    if user_id in chat.admin_ids:
        return "administrator"
    if user_id in chat.member_ids:
        return "member"
    return "left"


def chat_member(core: Core, chat: Chat, user_id: int) -> JSON:
    """The ``ChatMember`` object of a user in a chat."""
    user = core.world.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    return member_json(user, member_status(core, chat, user_id))


def administrators(core: Core, chat: Chat) -> list[JSON]:
    """``getChatAdministrators``: the creator, the admins and the bot if it is one."""
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    result: list[JSON] = []
    ids = ([chat.creator_id] if chat.creator_id is not None else []) + [
        admin for admin in chat.admin_ids if admin != chat.creator_id
    ]
    if chat.bot_status == "administrator":
        ids.append(core.world.bot.id)
    for user_id in ids:
        result.append(chat_member(core, chat, user_id))
    return result


async def get_chat(core: Core, params: Params) -> Any:
    """getChat."""
    return core.chat(params.chat_id()).full_info()


async def get_chat_member(core: Core, params: Params) -> Any:
    """getChatMember."""
    chat = core.chat(params.chat_id())
    user_id = params.get_int("user_id", required="user_id is empty")
    assert user_id is not None
    return chat_member(core, chat, user_id)


async def get_chat_administrators(core: Core, params: Params) -> Any:
    """getChatAdministrators."""
    return administrators(core, core.chat(params.chat_id()))


async def get_chat_member_count(core: Core, params: Params) -> Any:
    """getChatMemberCount: known members, admins, creator and the bot."""
    chat = core.chat(params.chat_id())
    if chat.type == "private":
        return 2
    people = set(chat.member_ids) | set(chat.admin_ids)
    if chat.creator_id is not None:
        people.add(chat.creator_id)
    return len(people) + (1 if chat.bot_status in ("member", "administrator") else 0)


async def leave_chat(core: Core, params: Params) -> Any:
    """leaveChat: the bot leaves; Telegram then sends a ``my_chat_member`` update."""
    chat = core.chat(params.chat_id())
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    if chat.bot_status in ("left", "kicked"):
        raise bad_request(f"bot is not a member of the {chat.kind_phrase}")
    bot = core.world.bot
    old = member_json(bot, chat.bot_status)
    chat.bot_status = "left"
    core.updates.push(
        {
            "my_chat_member": {
                "chat": chat.to_json(),
                "from": bot.to_json(),
                "date": core.world.now(),
                "old_chat_member": old,
                "new_chat_member": member_json(bot, "left"),
            }
        }
    )
    return True


HANDLERS = {
    "getchat": get_chat,
    "getchatmember": get_chat_member,
    "getchatadministrators": get_chat_administrators,
    "getchatmembercount": get_chat_member_count,
    "leavechat": leave_chat,
}
