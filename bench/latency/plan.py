"""Who takes part (chat ids by role) and the command line's options."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("nl", "en", "ar", "ti")
AUTHOR, ACTIVE, AUDIENCE, REMINDED = 900_000, 1_000_000, 2_000_000, 3_000_000  # chat ids


@dataclass(frozen=True)
class Options:
    """The command line."""

    duration: float = 60.0
    people: int = 500
    rate: float = 50.0
    broadcast: int = 5000
    reminders: int = 300
    latency: float = 0.030
    seed: int = 7


@dataclass(frozen=True)
class Person:
    """One person who acts: their chat (= Telegram user id), language, and helper's group."""

    chat: int
    language: str
    group: int | None = None


@dataclass(frozen=True)
class Plan:
    """Who exists (sent to the fake's process)."""

    options: Options
    people: tuple[Person, ...]

    def audience(self) -> range:
        """The broadcast's recipients' chats."""
        return range(AUDIENCE, AUDIENCE + self.options.broadcast)

    def reminded(self) -> range:
        """The reminders' recipients' chats."""
        return range(REMINDED, REMINDED + self.options.reminders)

    def chats(self) -> list[int]:
        """Every private chat the bot may write to."""
        return [AUTHOR, *(p.chat for p in self.people), *self.audience(), *self.reminded()]
