"""The test side of the world: users, groups and channels, and what users do in them.

Everything here runs in the server's event loop (call it from the test's coroutine). Updates
are queued for ``getUpdates`` exactly as Telegram would produce them, including group privacy
mode: unless the bot reads all group messages (``can_read_all_group_messages``) or is an
administrator there, it only gets commands, mentions of it, replies to its messages and
service messages from a group.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from .core import Core, OpenQuery
from .state import JSON, Chat, ChatType, StoredMessage, User, member_json
from .text import Entity, find_auto_entities, sort_entities, utf16_slice

# A 1x1 PNG, the default picture a simulated user sends.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
TINY_OGG = b"OggS\x00\x02" + bytes(22)
TINY_WEBP = bytes.fromhex("524946461a000000574542505650384c0d0000002f00000010071011118888fe0700")
BOT_STATUSES = frozenset({"member", "administrator", "kicked", "left"})


class Simulator:
    """World setup and user actions; ``LocalBotApiServer`` exposes these to tests."""

    core: Core

    def _init_simulator(self) -> None:
        self._query_ids = itertools.count(4_000_000_000_000_000_001)

    # -- the world -------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = "en",
        username: str | None = None,
        *,
        last_name: str | None = None,
    ) -> JSON:
        """A user with a private chat the bot may write to; returns the ``User`` JSON."""
        world = self.core.world
        user = world.users.get(user_id)
        if user is None:
            user = world.users[user_id] = User(user_id, first_name)
        user.first_name, user.last_name = first_name, last_name
        user.username, user.language_code = username, language_code
        chat = world.chats.get(user_id)
        if chat is None:
            world.register_chat(Chat(user_id, "private", username=username, user=user))
        elif username:
            chat.username = username
            world.register_chat(chat)
        return user.to_json()

    def add_group(
        self,
        chat_id: int,
        title: str,
        admins: Iterable[int] = (),
        type: ChatType = "supergroup",  # the Bot API's own word
        *,
        creator: int | None = None,
        members: Iterable[int] = (),
        bot_is_admin: bool = False,
        username: str | None = None,
    ) -> JSON:
        """A group or supergroup the bot is in; ``admins`` are user ids (created if unknown)."""
        if type not in ("group", "supergroup"):
            raise ValueError("type must be 'group' or 'supergroup'")
        world = self.core.world
        admin_ids = list(admins)
        for user_id in [*admin_ids, *members, *([creator] if creator is not None else [])]:
            world.ensure_user(user_id)
        chat = Chat(
            chat_id,
            type,
            title=title,
            username=username,
            creator_id=creator,
            admin_ids=admin_ids,
            member_ids=set(members) | set(admin_ids),
            bot_status="administrator" if bot_is_admin else "member",
        )
        return world.register_chat(chat).to_json()

    def add_channel(self, chat_id: int, title: str, *, username: str | None = None) -> JSON:
        """A channel where the bot is an administrator (it can post)."""
        chat = Chat(chat_id, "channel", title=title, username=username, bot_status="administrator")
        return self.core.world.register_chat(chat).to_json()

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends answer 403 (no update; see ``my_chat_member``)."""
        self.core.world.ensure_user(user_id).blocked_bot = True

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self.core.world.ensure_user(user_id).blocked_bot = False

    def deactivate(self, user_id: int) -> None:
        """The user deletes their account: sends answer 403 ``user is deactivated``."""
        self.core.world.ensure_user(user_id).deactivated = True

    def kick(self, chat_id: int) -> None:
        """The bot is removed from a group or channel: sends answer 403 (no update)."""
        self._group(chat_id).bot_status = "kicked"

    def rejoin(self, chat_id: int, *, admin: bool = False) -> None:
        """The bot is added back to a group or channel."""
        self._group(chat_id).bot_status = "administrator" if admin else "member"

    def migrate_chat(self, old_id: int, new_id: int, *, announce: bool = True) -> JSON:
        """Upgrade a group to a supergroup; sends to ``old_id`` then answer 400 + new id.

        With ``announce`` the bot gets Telegram's two service messages
        (``migrate_to_chat_id`` in the old chat, ``migrate_from_chat_id`` in the new one).
        """
        world = self.core.world
        old = self._group(old_id)
        new = Chat(
            new_id,
            "supergroup",
            title=old.title,
            username=old.username,
            creator_id=old.creator_id,
            admin_ids=list(old.admin_ids),
            member_ids=set(old.member_ids),
            bot_status=old.bot_status,
        )
        world.register_chat(new)
        if announce and old.bot_status in ("member", "administrator"):
            sender = old.creator_id
            if sender is None and old.admin_ids:
                sender = old.admin_ids[0]
            self._service(old, sender, {"migrate_to_chat_id": new_id})
            self._service(new, sender, {"migrate_from_chat_id": old_id})
        old.migrated_to = new_id
        return new.to_json()

    # -- what users do ---------------------------------------------------------------------

    def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        reply_to: int | None = None,
        entities: list[Entity] | None = None,
    ) -> JSON:
        """A text message from a user (private chat unless ``chat_id``); returns its JSON.

        Commands, mentions, hashtags and URLs get their entities like on Telegram.
        """
        all_entities = list(entities or [])
        all_entities.extend(find_auto_entities(text, all_entities))
        sort_entities(all_entities)
        return self._user_message(
            user_id, chat_id, text=text, entities=all_entities, reply_to_message_id=reply_to
        )

    def send_sticker(self, user_id: int, chat_id: int | None = None, *, emoji: str = "👍") -> JSON:
        """A sticker (a message without text)."""
        sticker = self.core.world.add_file("sticker", TINY_WEBP, width=512, height=512, emoji=emoji)
        return self._user_message(user_id, chat_id, sticker=sticker)

    def send_photo(
        self,
        user_id: int,
        chat_id: int | None = None,
        *,
        caption: str | None = None,
        data: bytes = TINY_PNG,
    ) -> JSON:
        """A photo, optionally with a caption; the bot can download ``data`` with getFile."""
        from .api_files import image_size

        width, height = image_size(data)
        photo = self.core.world.add_file("photo", data, width=width, height=height)
        entities = find_auto_entities(caption) if caption else []
        return self._user_message(
            user_id, chat_id, photo=photo, caption=caption, caption_entities=entities
        )

    def send_voice(
        self, user_id: int, chat_id: int | None = None, *, duration: int = 3, data: bytes = TINY_OGG
    ) -> JSON:
        """A voice message."""
        voice = self.core.world.add_file("voice", data, mime_type="audio/ogg", duration=duration)
        return self._user_message(user_id, chat_id, voice=voice)

    def edit_text(
        self, user_id: int, message_id: int, new_text: str, chat_id: int | None = None
    ) -> JSON:
        """The user edits their text message: an ``edited_message`` update; returns its JSON."""
        world = self.core.world
        chat = self._chat_for(user_id, chat_id)
        message = world.messages.get((chat.id, message_id))
        if message is None or message.from_bot or message.sender_id != user_id:
            raise LookupError(f"user {user_id} has no message {message_id} in chat {chat.id}")
        if message.text is None:
            raise ValueError(f"message {message_id} has no text to edit")
        message.edits.append(message.snapshot(self.core.clock()))
        message.text = new_text
        message.entities = find_auto_entities(new_text)
        message.edit_date = world.now()
        data = world.message_json(message)
        if self._delivered(chat, message):
            self.core.updates.push({"edited_message": data})
        return data

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        chat_id: int | None = None,
        *,
        check: bool = True,
    ) -> str:
        """The user presses an inline button: a ``callback_query`` update; returns its id.

        With ``check`` the message must exist and have a button with that ``callback_data``.
        """
        world = self.core.world
        user = world.ensure_user(user_id)
        chat = self._chat_for(user_id, chat_id)
        message = world.messages.get((chat.id, message_id))
        if check:
            if message is None or message.deleted:
                raise LookupError(f"no message {message_id} in chat {chat.id}")
            if callback_data not in message.callback_data:
                raise ValueError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"it has {message.callback_data}"
                )
        query_id = str(next(self._query_ids))
        if message is None or message.deleted:
            shown: JSON = {"chat": chat.to_json(), "message_id": message_id, "date": 0}
        else:
            shown = world.message_json(message)
        self.core.open_queries[query_id] = OpenQuery(user_id, chat.id, message_id, callback_data)
        self.core.updates.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_json(),
                    "message": shown,
                    "chat_instance": str(abs(chat.id) * 7919 + 104729),
                    "data": callback_data,
                }
            }
        )
        return query_id

    def my_chat_member(
        self,
        user_id: int,
        new_status: str = "kicked",
        chat_id: int | None = None,
        *,
        old_status: str | None = None,
    ) -> JSON:
        """The bot's membership changes, as done by ``user_id``; returns the update.

        In a private chat ``kicked`` means the user blocked the bot (``member``: unblocked);
        in a group ``kicked``/``left`` remove the bot, ``member``/``administrator`` add it.
        """
        if new_status not in BOT_STATUSES:
            raise ValueError(f"new_status must be one of {sorted(BOT_STATUSES)}")
        world = self.core.world
        user = world.ensure_user(user_id)
        chat = self._chat_for(user_id, chat_id, join=False)
        if chat.type == "private":
            old = old_status or ("kicked" if user.blocked_bot else "member")
            user.blocked_bot = new_status in ("kicked", "left")
        else:
            old = old_status or chat.bot_status
            chat.bot_status = new_status  # type: ignore[assignment]  # checked above
        return self.core.updates.push(
            {
                "my_chat_member": {
                    "chat": chat.to_json(),
                    "from": user.to_json(),
                    "date": world.now(),
                    "old_chat_member": member_json(world.bot, old),
                    "new_chat_member": member_json(world.bot, new_status),
                }
            }
        )

    def inject_update(self, fields: dict[str, Any]) -> JSON:
        """Queue a hand-made update (``update_id`` is assigned); returns it."""
        return self.core.updates.push(fields)

    # -- helpers ---------------------------------------------------------------------------

    def _group(self, chat_id: int) -> Chat:
        chat = self.core.world.chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise LookupError(f"no group or channel {chat_id}; add it with add_group()")
        return chat

    def _chat_for(self, user_id: int, chat_id: int | None, *, join: bool = True) -> Chat:
        world = self.core.world
        world.ensure_user(user_id)
        if chat_id is None or chat_id == user_id:
            return world.chats[user_id]
        chat = world.ensure_group(chat_id)
        if chat.type == "channel":
            raise ValueError("users do not post in channels in this simulation")
        if join and user_id not in chat.member_ids:
            chat.member_ids.add(user_id)
        return chat

    def _user_message(self, user_id: int, chat_id: int | None, **fields: Any) -> JSON:
        core = self.core
        world = core.world
        chat = self._chat_for(user_id, chat_id)
        user = world.users[user_id]
        if chat.type == "private" and user.blocked_bot:
            # Writing to a blocked bot means pressing "Restart": Telegram unblocks it first.
            self.my_chat_member(user_id, "member")
        message = StoredMessage(
            chat_id=chat.id,
            message_id=world.next_message_id(chat),
            date=world.now(),
            time=core.clock(),
            method="user",
            from_bot=False,
            sender_id=user_id,
            text=fields.get("text"),
            entities=fields.get("entities") or [],
            caption=fields.get("caption"),
            caption_entities=fields.get("caption_entities") or [],
            reply_to_message_id=fields.get("reply_to_message_id"),
            photo=fields.get("photo"),
            voice=fields.get("voice"),
            sticker=fields.get("sticker"),
        )
        world.store(message)
        data = world.message_json(message)
        if self._delivered(chat, message):
            core.updates.push({"message": data})
        return data

    def _service(self, chat: Chat, sender_id: int | None, extra: JSON) -> None:
        world = self.core.world
        message = StoredMessage(
            chat_id=chat.id,
            message_id=world.next_message_id(chat),
            date=world.now(),
            time=self.core.clock(),
            method="service",
            from_bot=False,
            sender_id=sender_id,
            extra=extra,
        )
        world.store(message)
        self.core.updates.push({"message": world.message_json(message)})

    def _delivered(self, chat: Chat, message: StoredMessage) -> bool:
        """Whether Telegram gives this message to the bot (group privacy mode)."""
        if chat.type == "private":
            return True
        if chat.bot_status in ("kicked", "left"):
            return False
        if self.core.can_read_all_group_messages or chat.bot_status == "administrator":
            return True
        if message.reply_to_message_id is not None:
            target = self.core.world.messages.get((chat.id, message.reply_to_message_id))
            if target is not None and target.from_bot:
                return True
        username = (self.core.world.bot.username or "").lower()
        text = message.text if message.text is not None else message.caption or ""
        entities = message.entities if message.text is not None else message.caption_entities
        for item in entities:
            part = utf16_slice(text, item["offset"], item["length"]).lower()
            if item["type"] == "bot_command":
                _, _, addressee = part.partition("@")
                if not addressee or addressee == username:
                    return True
            elif item["type"] == "mention" and part == f"@{username}":
                return True
        return False
