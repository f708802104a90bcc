"""The terminal adapter: the same conversations as Telegram, in a console."""
