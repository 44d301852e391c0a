"""The bot's deep links, built in one place: ``/start s_<id>`` opens a session's card,
``/start ask_<id>`` starts asking in that session (the QR code on the room's screen)."""

from __future__ import annotations

CARD_PAYLOAD = "s_"
ASK_PAYLOAD = "ask_"
DEFAULT_USERNAME = "remotehub_bot"


def start_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={payload}"


def card_link(bot_username: str, session_id: int) -> str:
    """``https://t.me/<bot>?start=s_<id>``: opens the session's card in the bot."""
    return start_link(bot_username, f"{CARD_PAYLOAD}{session_id}")


def ask_link(bot_username: str, session_id: int) -> str:
    """``https://t.me/<bot>?start=ask_<id>``: asking in that session."""
    return start_link(bot_username, f"{ASK_PAYLOAD}{session_id}")


class BotLinks:
    """Deep links for the running bot; its username is learnt from ``getMe`` at start, after
    the services that write links were built, so they hold this object, not the name."""

    def __init__(self, username: str = DEFAULT_USERNAME) -> None:
        self.username = username

    def card(self, session_id: int) -> str:
        return card_link(self.username, session_id)

    def ask(self, session_id: int) -> str:
        return ask_link(self.username, session_id)
