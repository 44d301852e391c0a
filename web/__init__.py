"""The bot's web pages (moderator console, projector wall), served by the bot's own process.

Routes translate a request into a call of the same services the chat handlers use, exactly
as handlers translate an update; no SQL and no business rule here.
"""
