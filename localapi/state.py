"""The simulated Telegram world: users, chats, messages and files, and their Bot API JSON."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .text import Entity

ChatType = Literal["private", "group", "supergroup", "channel"]
BotStatus = Literal["member", "administrator", "kicked", "left"]
JSON = dict[str, Any]

_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


@dataclass(slots=True)
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked_bot: bool = False
    deactivated: bool = False

    def to_json(self) -> JSON:
        """The Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass(slots=True)
class Chat:
    """A chat the bot can see: a private chat with a user, a group or a channel."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    user: User | None = None  # the other side of a private chat
    creator_id: int | None = None
    admin_ids: list[int] = field(default_factory=list)
    member_ids: set[int] = field(default_factory=set)
    bot_status: BotStatus = "member"
    migrated_to: int | None = None
    last_message_id: int = 0
    description: str | None = None

    def to_json(self) -> JSON:
        """The Bot API ``Chat`` object as it appears inside messages."""
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or ""
            if self.username:
                data["username"] = self.username
        return data

    def full_info(self) -> JSON:
        """The Bot API ``ChatFullInfo`` object (``getChat``)."""
        data = self.to_json()
        data.update(accent_color_id=0, max_reaction_count=11, accepted_gift_types=_NO_GIFTS)
        if self.description:
            data["description"] = self.description
        if self.type in ("group", "supergroup"):
            data["permissions"] = {
                "can_send_messages": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_invite_users": True,
            }
        return data

    @property
    def kind_phrase(self) -> str:
        """How Telegram names the chat kind in errors: ``group chat``, ``supergroup chat``."""
        return f"{self.type} chat"


@dataclass(slots=True)
class StoredFile:
    """An uploaded (or user-sent) file: bytes kept for the tests."""

    file_id: str
    file_unique_id: str
    kind: str  # document | photo | voice | sticker
    data: bytes | None
    filename: str | None = None
    mime_type: str | None = None
    url: str | None = None  # sent by URL: Telegram would download it
    width: int = 0
    height: int = 0
    duration: int = 0
    file_path: str = ""
    emoji: str | None = None

    @property
    def size(self) -> int:
        """Size in bytes (0 if only a URL is known)."""
        return len(self.data) if self.data is not None else 0

    def to_json(self) -> JSON:
        """The Bot API object for this file (Document, PhotoSize, Voice or Sticker)."""
        data: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.kind == "photo":
            data.update(width=self.width, height=self.height)
        elif self.kind == "voice":
            data["duration"] = self.duration
        elif self.kind == "sticker":
            data.update(
                type="regular",
                width=self.width or 512,
                height=self.height or 512,
                is_animated=False,
                is_video=False,
            )
            if self.emoji:
                data["emoji"] = self.emoji
        if self.filename and self.kind == "document":
            data["file_name"] = self.filename
        if self.mime_type and self.kind in ("document", "voice"):
            data["mime_type"] = self.mime_type
        if self.data is not None:
            data["file_size"] = len(self.data)
        return data


@dataclass(slots=True)
class MessageEdit:
    """What a message looked like before one edit (``time``: when the edit replaced it)."""

    time: float
    date: int
    text: str | None
    source_text: str | None
    entities: list[Entity]
    caption: str | None
    reply_markup: JSON | None


@dataclass(slots=True, eq=False)
class StoredMessage:
    """A message in a chat; ``server.sent`` holds the ones the bot sent.

    ``text`` is what the user sees (markup parsed away, as in ``Message.text``);
    ``source_text`` is what the bot sent, with ``parse_mode`` telling how to read it.
    """

    chat_id: int
    message_id: int
    date: int
    time: float
    method: str  # the Bot API method, or "user" for a message a user sent
    from_bot: bool
    sender_id: int | None = None
    text: str | None = None
    source_text: str | None = None
    parse_mode: str | None = None
    entities: list[Entity] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[Entity] = field(default_factory=list)
    reply_markup: JSON | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    voice: StoredFile | None = None
    sticker: StoredFile | None = None
    reply_to_message_id: int | None = None
    link_preview_options: JSON | None = None
    edits: list[MessageEdit] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    extra: JSON = field(default_factory=dict)  # service fields (migrate_to_chat_id, ...)

    @property
    def buttons(self) -> list[JSON]:
        """Inline keyboard buttons, row by row, flattened."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        """``callback_data`` of every inline button, in keyboard order."""
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    @property
    def is_edited(self) -> bool:
        """True if the bot edited this message at least once."""
        return bool(self.edits)

    def snapshot(self, now: float) -> MessageEdit:
        """The current content, kept in the edit history when an edit at ``now`` replaces it."""
        return MessageEdit(
            time=now,
            date=self.edit_date or self.date,
            text=self.text,
            source_text=self.source_text,
            entities=list(self.entities),
            caption=self.caption,
            reply_markup=self.reply_markup,
        )


ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def member_json(user: User, status: str) -> JSON:
    """A Bot API ``ChatMember`` object for ``status`` (creator, administrator, member, ...)."""
    data: JSON = {"status": status, "user": user.to_json()}
    if status == "administrator":
        data.update(ADMIN_RIGHTS)
    elif status == "creator":
        data["is_anonymous"] = False
    elif status == "kicked":
        data["until_date"] = 0
    return data


class World:
    """Everything the server knows about users, chats, messages and files."""

    def __init__(self, bot: User, wall_clock: Callable[[], float]) -> None:
        self.bot = bot
        self.wall_clock = wall_clock
        self.users: dict[int, User] = {bot.id: bot}
        self.chats: dict[int, Chat] = {}
        self.chat_usernames: dict[str, int] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.sent: list[StoredMessage] = []
        self.sent_by_chat: dict[int, list[StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self._file_counter = 0

    def now(self) -> int:
        """Unix time for ``date`` fields."""
        return int(self.wall_clock())

    def ensure_user(self, user_id: int) -> User:
        """The user, created with a placeholder name if the test never added it."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = User(user_id, f"User{user_id}", language_code="en")
        if user_id not in self.chats and not user.is_bot:
            self.chats[user_id] = Chat(user_id, "private", user=user)
        return user

    def ensure_group(self, chat_id: int) -> Chat:
        """The group, created if unknown (ids below -10^12 are supergroups, like Telegram's)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                raise KeyError(f"chat {chat_id} is not a group; add it with add_group()")
            kind: ChatType = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
            chat = self.chats[chat_id] = Chat(chat_id, kind, title=f"Group {chat_id}")
        return chat

    def register_chat(self, chat: Chat) -> Chat:
        """Add or replace a chat."""
        self.chats[chat.id] = chat
        if chat.username and chat.type != "private":
            # Like Telegram: @username addresses public groups and channels, never users.
            self.chat_usernames[chat.username.lower()] = chat.id
        return chat

    def find_chat(self, ref: int | str) -> Chat | None:
        """A chat by id or ``@username``."""
        if isinstance(ref, str):
            chat_id = self.chat_usernames.get(ref.lstrip("@").lower())
            return None if chat_id is None else self.chats.get(chat_id)
        return self.chats.get(ref)

    def next_message_id(self, chat: Chat) -> int:
        """Message ids grow per chat, like Telegram's."""
        chat.last_message_id += 1
        return chat.last_message_id

    def store(self, message: StoredMessage) -> None:
        """Keep a message; bot messages are also listed in ``sent``."""
        self.messages[(message.chat_id, message.message_id)] = message
        if message.from_bot:
            self.sent.append(message)
            self.sent_by_chat.setdefault(message.chat_id, []).append(message)

    def add_file(
        self,
        kind: str,
        data: bytes | None,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
        width: int = 0,
        height: int = 0,
        duration: int = 0,
        emoji: str | None = None,
    ) -> StoredFile:
        """Store a file under a fresh ``file_id`` and ``file_path``."""
        self._file_counter += 1
        number = self._file_counter
        prefix = {"document": "BQAC", "photo": "AgAC", "voice": "AwAC", "sticker": "CAAC"}[kind]
        extension = ""
        if filename and "." in filename:
            extension = "." + filename.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = ".jpg"
        elif kind == "voice":
            extension = ".oga"
        elif kind == "sticker":
            extension = ".webp"
        stored = StoredFile(
            file_id=f"{prefix}LocalApiFile{number:08d}",
            file_unique_id=f"AQAD{number:08d}",
            kind=kind,
            data=data,
            filename=filename,
            mime_type=mime_type,
            url=url,
            width=width,
            height=height,
            duration=duration,
            file_path=f"{kind}s/file_{number}{extension}",
            emoji=emoji,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def message_json(self, message: StoredMessage, *, with_reply: bool = True) -> JSON:
        """The Bot API ``Message`` object for a stored message."""
        chat = self.chats[message.chat_id]
        data: JSON = {"message_id": message.message_id}
        if message.from_bot:
            if chat.type == "channel":
                data["sender_chat"] = chat.to_json()
            else:
                data["from"] = self.bot.to_json()
        elif message.sender_id is not None:
            data["from"] = self.ensure_user(message.sender_id).to_json()
        data["chat"] = chat.to_json()
        data["date"] = message.date
        if with_reply and message.reply_to_message_id is not None:
            target = self.messages.get((message.chat_id, message.reply_to_message_id))
            if target is not None and not target.deleted:
                data["reply_to_message"] = self.message_json(target, with_reply=False)
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.link_preview_options is not None:
            data["link_preview_options"] = message.link_preview_options
        for kind in ("document", "voice", "sticker"):
            stored: StoredFile | None = getattr(message, kind)
            if stored is not None:
                data[kind] = stored.to_json()
        if message.photo is not None:
            data["photo"] = [message.photo.to_json()]
        if message.caption:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        data.update(message.extra)
        return data
