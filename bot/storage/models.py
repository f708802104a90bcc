"""Typed SQLAlchemy 2 models; the schema itself is owned by the Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timestamps are stored in UTC and shown in local time."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names, so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person who talks to the bot, with their language, consent and profile."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(40), default="onboarding:language")
    privacy_version: Mapped[int | None] = mapped_column(Integer)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declared_role: Mapped[str | None] = mapped_column(String(16))
    situation: Mapped[str | None] = mapped_column(String(16))
    has_children: Mapped[bool | None] = mapped_column(Boolean)
    municipality_code: Mapped[str | None] = mapped_column(String(8))
    arrival_month: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    onboarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JourneyProgress(Base):
    """Where a user is in one journey, what they ticked, and the path back."""

    __tablename__ = "journey_progress"
    __table_args__ = (UniqueConstraint("user_id", "journey", name="uq_journey_progress_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    journey: Mapped[str] = mapped_column(String(16))
    journey_version: Mapped[int] = mapped_column(Integer)
    node: Mapped[str] = mapped_column(String(24))
    done: Mapped[list[str]] = mapped_column(JSON, default=list)
    history: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
