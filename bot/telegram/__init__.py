"""The Telegram adapter: PTB updates become core input, core output becomes Bot API calls."""

import os

# Opt in to PTB 23's timedelta `retry_after` now; AIORateLimiter reads it on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")
