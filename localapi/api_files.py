"""Bot API methods with files: sendDocument, sendPhoto, getFile (downloads: see server)."""

from __future__ import annotations

import mimetypes
import struct
from typing import Any

from .api_messages import message_text, reply_markup
from .core import Core
from .errors import bad_request
from .params import Params
from .state import StoredFile, StoredMessage

_KIND_NAMES = {"document": "Document", "photo": "Photo", "voice": "Voice", "sticker": "Sticker"}


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image; (0, 0) if unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            index += 2 + int(length)
    return 0, 0


def input_file(core: Core, params: Params, field: str, kind: str) -> StoredFile:
    """The file sent in ``field``: an upload (direct or ``attach://``), a file_id or a URL."""
    value = params.get_str(field)
    upload = params.files.get(field)
    if upload is None and value and value.startswith("attach://"):
        upload = params.files.get(value[len("attach://") :])
    world = core.world
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        width, height = image_size(upload.data) if kind == "photo" else (0, 0)
        return world.add_file(
            kind,
            upload.data,
            filename=upload.filename or None,
            mime_type=mime,
            width=width,
            height=height,
        )
    if value:
        known = world.files.get(value)
        if known is not None:
            if known.kind != kind:
                raise bad_request(
                    f"can't use file of type {_KIND_NAMES[known.kind]} as {_KIND_NAMES[kind]}"
                )
            return known
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            return world.add_file(kind, None, url=value, filename=name)
        raise bad_request("wrong file identifier/HTTP URL specified")
    raise bad_request(f"there is no {field} in the request")


async def _send_file(core: Core, params: Params, kind: str, method: str) -> Any:
    caption = message_text(core, params, "caption")
    markup = reply_markup(params)
    chat = core.writable_chat(params)
    reply_to = core.reply_target(chat, params)
    stored = input_file(core, params, kind, kind)
    core.throttle(method.lower(), chat)
    world = core.world
    message = StoredMessage(
        chat_id=chat.id,
        message_id=world.next_message_id(chat),
        date=world.now(),
        time=core.clock(),
        method=method,
        from_bot=True,
        caption=caption.text or None,
        source_text=params.get_str("caption"),
        parse_mode=params.get_str("parse_mode"),
        caption_entities=caption.entities,
        reply_markup=markup,
        reply_to_message_id=reply_to,
        document=stored if kind == "document" else None,
        photo=stored if kind == "photo" else None,
    )
    return core.publish(message)


async def send_document(core: Core, params: Params) -> Any:
    """sendDocument: the uploaded bytes and filename are kept on ``StoredMessage.document``."""
    return await _send_file(core, params, "document", "sendDocument")


async def send_photo(core: Core, params: Params) -> Any:
    """sendPhoto: the uploaded bytes are kept on ``StoredMessage.photo``."""
    return await _send_file(core, params, "photo", "sendPhoto")


async def get_file(core: Core, params: Params) -> Any:
    """getFile: ``file_path`` for downloading from ``{root}/file/bot<token>/<file_path>``."""
    file_id = params.get_str("file_id")
    stored = core.world.files.get(file_id or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.data is None:
        raise bad_request("file is not available: it was sent by URL")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


HANDLERS = {
    "senddocument": send_document,
    "sendphoto": send_photo,
    "getfile": get_file,
}
