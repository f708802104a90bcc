"""The Telegram adapter: translates PTB updates into core input and core output into Bot API calls."""
