"""``remotehub chat``: be a Telegram user from the terminal, against a running bot that talks
to the project's local Bot API server (``python -m localapi``). Developer-facing, in English.

Each line typed is sent as that user's message; ``3.2`` presses button 2 of the bot's
message 3 (any earlier message too); Ctrl-D ends. The bot's answers are read back from the
server's record of what it sent (``GET /_local/sent``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from typing import Any, TextIO

import httpx

from config.settings import load_settings

PRESS = re.compile(r"^\s*(\d+)\.(\d+)\s*$")
POLL_SECONDS = 0.2  # how often the bot's answers are looked for
LAST_ANSWERS_SECONDS = 2.0  # after Ctrl-D, how long the bot's last answers may take


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "chat",
        help="be a Telegram user from the terminal, against a bot on the local Bot API server",
        description="Type messages as a Telegram user; '3.2' presses button 2 of the bot's "
        "message 3. Needs the bot running against `python -m localapi` (REMOTEHUB_API_URL).",
    )
    parser.add_argument("--api", metavar="URL", help="the local server's root (default: api_url)")
    parser.add_argument("--user", type=int, default=1001, metavar="ID", help="your user id")
    parser.add_argument("--name", default="Ada", help="your first name")
    parser.add_argument("--lang", default="en", help="your Telegram language code")
    parser.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    root = (args.api or load_settings(args.config).api_url).rstrip("/")
    with httpx.Client(base_url=root, timeout=10) as http:
        try:
            control(http, "add_user", user_id=args.user, first_name=args.name,
                    language_code=args.lang)  # fmt: skip
        except httpx.HTTPError as exc:
            print(f"remotehub: chat: no local Bot API server at {root} ({exc})", file=sys.stderr)
            return 1
        return Chat(http, args.user, sys.stdout).run(sys.stdin)


def control(http: httpx.Client, action: str, **params: Any) -> Any:
    """One ``POST /_local/<action>``; a refusal raises ValueError with the server's words."""
    answer = http.post(f"/_local/{action}", json=params)
    if answer.status_code == 404:
        raise httpx.HTTPError("not a local Bot API server")
    body = answer.json()
    if not body.get("ok"):
        raise ValueError(body.get("description", "refused"))
    return body["result"]


class Chat:
    """One person's side of a private chat with the bot."""

    def __init__(self, http: httpx.Client, user_id: int, out: TextIO) -> None:
        self.http, self.user_id, self.out = http, user_id, out
        # message id -> how it looked when shown: an edit shows it again. What the bot sent
        # before we came is not shown.
        self.shown: dict[int, str] = {
            int(m["message_id"]): _look(m) for m in self._sent() if self._ours(m)
        }
        self.buttons: dict[int, list[str]] = {}  # message id -> callback data, in order
        self.lock = threading.Lock()
        self.done = threading.Event()

    def run(self, lines: TextIO) -> int:
        """Read what the person types until end of input; the bot's answers show as they come."""
        self.out.write("Type a message (/start to begin); 3.2 presses button 2 of message 3; "
                       "Ctrl-D ends.\n")  # fmt: skip
        self.out.flush()
        reader = threading.Thread(target=self._show_answers, daemon=True)
        reader.start()
        for line in lines:
            text = line.rstrip("\n")
            if not text.strip():
                continue
            try:
                with self.lock:
                    self.act(text)
            except ValueError as exc:
                self._write(f"! {exc}\n")
        time.sleep(LAST_ANSWERS_SECONDS)
        self.done.set()
        reader.join(timeout=5)
        return 0

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def act(self, text: str) -> None:
        press = PRESS.match(text)
        if press is None:
            control(self.http, "send_text", user_id=self.user_id, text=text)
            return
        message_id, number = int(press.group(1)), int(press.group(2))
        buttons = self.buttons.get(message_id, [])
        if not 1 <= number <= len(buttons):
            raise ValueError(f"message {message_id} has no button {number}")
        control(self.http, "press_button", user_id=self.user_id, message_id=message_id,
                callback_data=buttons[number - 1])  # fmt: skip

    def _show_answers(self) -> None:
        while not self.done.wait(POLL_SECONDS):
            try:
                sent = self._sent()
            except httpx.HTTPError:
                continue  # the server restarting: try again
            with self.lock:
                for message in sent:
                    message_id, look = int(message["message_id"]), _look(message)
                    if not self._ours(message) or self.shown.get(message_id) == look:
                        continue
                    edited = message_id in self.shown
                    self.shown[message_id] = look
                    self._write(self.render(message, edited=edited))

    def _ours(self, message: dict[str, Any]) -> bool:
        return bool(message.get("chat", {}).get("id") == self.user_id and "from" in message
                    and message["from"].get("is_bot"))  # fmt: skip

    def render(self, message: dict[str, Any], *, edited: bool = False) -> str:
        """A message in full, then each button on its own line, numbered ``message.button``."""
        message_id = int(message["message_id"])
        mark = " (edited)" if edited else ""
        body = message.get("text") or message.get("caption") or f"[{message.get('method')}]"
        lines = [f"[{message_id}]{mark} {body}"]
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        data: list[str] = []
        for button in (button for row in rows for button in row):
            target = button.get("callback_data") or button.get("url") or ""
            if "callback_data" in button:
                data.append(button["callback_data"])
                lines.append(f"    {message_id}.{len(data)}  {button['text']}")
            else:
                lines.append(f"    {button['text']}  ({target})")
        self.buttons[message_id] = data
        return "\n".join(lines) + "\n"

    def _sent(self) -> list[dict[str, Any]]:
        answer = self.http.get("/_local/sent").json()
        result: list[dict[str, Any]] = answer["result"]
        return result


def _look(message: dict[str, Any]) -> str:
    """What a person sees of a message: an edit changes it."""
    seen = {key: message.get(key) for key in ("text", "caption", "reply_markup", "edit_date")}
    return json.dumps(seen, sort_keys=True, ensure_ascii=False)
