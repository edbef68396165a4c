"""Telegram: people take part in a private chat with the bot, tapping buttons or typing.

The channel only translates: a Bot API `Update` becomes an `InboundMessage` for the
one intake transaction (`parse`, `handler`), and an engine reply becomes a message
with an inline keyboard (`render`), sent through the outbox (`sender`). Updates
arrive by webhook (`webhook`) when the server has a public address, or by long
polling (`polling`) when it has none; `application` builds the python-telegram-bot
`Application` both share, and `lifecycle` puts the parts together and starts
whichever way in applies.
"""
