"""The Telegram adapter: PTB updates become core input, core output becomes Bot API calls."""
