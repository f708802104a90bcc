"""Typed SQLAlchemy 2 models; the schema itself is owned by the Alembic migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.i18n import FALLBACK_LANGUAGE

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


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite would otherwise hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes: a time without a zone is a bug waiting for DST."""
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime stored; use datetime.now(UTC)")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Everything we store is UTC."""
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


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
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    declared_role: Mapped[str | None] = mapped_column(String(16))
    situation: Mapped[str | None] = mapped_column(String(16))
    has_children: Mapped[bool | None] = mapped_column(Boolean)
    municipality_code: Mapped[str | None] = mapped_column(String(8), index=True)  # audiences
    first_name: Mapped[str | None] = mapped_column(String(64))
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # 403: blocked the bot
    # The buttons of the last message with buttons ([[label, data], …]): a typed answer
    # ("yes", "not so good") is read as pressing the button it names.
    choices: Mapped[list[list[str]] | None] = mapped_column(JSON)
    # Member of a group or coordinator: most people are neither, and then their roles need
    # no query on every menu.
    has_roles: Mapped[bool] = mapped_column(Boolean, default=False)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)  # no non-urgent broadcasts
    pending_invite_id: Mapped[int | None] = mapped_column(Integer)
    arrival_month: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    onboarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Told that their data will be erased after a long silence (cleared when they write).
    retention_warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Consent(Base):
    """Each yes or no to a version of the privacy notice: the proof, and the user's history."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    agreed: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AuditEntry(Base):
    """What a coordinator or admin did to others' data (groups, invites, broadcasts, erasure).

    Details hold ids and counts, never message text or Telegram ids.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


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
    waiting: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Organisation(Base):
    """A municipality team, Samen Hier branch or volunteer organisation that runs groups."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Coordinator(Base):
    """A user who coordinates every group of one organisation."""

    __tablename__ = "coordinators"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", name="uq_coordinators_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Group(Base):
    """A sponsor group: about five residents and the newcomer(s) they support for a year."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    municipality_code: Mapped[str | None] = mapped_column(String(8))
    arrival_date: Mapped[date | None] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(8), default=FALLBACK_LANGUAGE)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    link_code_hash: Mapped[str | None] = mapped_column(String(64))
    link_code_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Membership(Base):
    """A user in a group, as a member (volunteer) or as the newcomer the group supports."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "user_id", name="uq_memberships_group"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    share_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Invite(Base):
    """A deep-link invite; only a hash of the token is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Attempt(Base):
    """Failed tries per user and kind in the current window, to slow down guessing."""

    __tablename__ = "attempts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime())
    count: Mapped[int] = mapped_column(Integer, default=0)


class Task(Base):
    """One thing the group does for or with the newcomer."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    template: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(16), default="other")
    due_date: Mapped[date | None] = mapped_column(Date)
    due_time: Mapped[time | None] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(12), default="open")
    visible_to_newcomer: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class TaskAssignee(Base):
    """Who carries a task; more than one person may share it."""

    __tablename__ = "task_assignees"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class TaskEvent(Base):
    """The history of a task: who changed what, when."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class TaskComment(Base):
    """A note a group member (or the newcomer) added to a task."""

    __tablename__ = "task_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TaskDraft(Base):
    """A task being created with the guided dialog, per person and chat, so it survives restarts."""

    __tablename__ = "task_drafts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(300))
    due_date: Mapped[date | None] = mapped_column(Date)
    due_time: Mapped[time | None] = mapped_column(Time)
    step: Mapped[str] = mapped_column(String(12), default="title")


class Post(Base):
    """A message the bot owes a chat that is not the reply of the current turn: the one
    durable outbound queue (task boards, notices, kept replies, reminders, broadcasts)."""

    __tablename__ = "outbox"
    # Only rows still owed (revision > sent_revision) are in the claim's index: sent rows stay
    # `active` (boards are redrawn in place), and a sender walking past thousands of them on
    # every claim cost 12 ms a look with 20,000 sent rows (0.004 ms with this index).
    __table_args__ = (Index("ix_outbox_due", "state", "lane", "id",
                            sqlite_where=text("revision > sent_revision"),
                            postgresql_where=text("revision > sent_revision")),
                      Index("ix_outbox_source", "source", "source_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    task_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    text: Mapped[str | None] = mapped_column(Text)
    keyboard: Mapped[list[list[list[str]]]] = mapped_column(JSON, default=list)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    ref: Mapped[str | None] = mapped_column(String(24))  # what the message is about, e.g. q:12
    revision: Mapped[int] = mapped_column(Integer, default=1)
    sent_revision: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(12), default="active", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lane: Mapped[int] = mapped_column(SmallInteger, default=2)  # lower goes first
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    source: Mapped[str | None] = mapped_column(String(12))  # who hears the result: reminder…
    source_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(40))
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # instance/life sending it
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SendBudget(Base):
    """The next free sending slot of a bot-wide budget, shared by every instance
    (PostgreSQL only; bot/storage/budget.py)."""

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ChatBudget(Base):
    """A private chat's theoretical arrival time (GCRA), shared by every instance."""

    __tablename__ = "chat_budget"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ChatSend(Base):
    """One call that put or changed a message in a group chat (for the 20-per-minute budget)."""

    __tablename__ = "chat_sends"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Job(Base):
    """A durable scheduled job; the table is the truth, the in-process timer only wakes us."""

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("kind", "ref", "due_at", name="uq_jobs_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    ref: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    state: Mapped[str] = mapped_column(String(10), default="scheduled")
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Question(Base):
    """A question the bot could not answer, handed to a person."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    route: Mapped[str | None] = mapped_column(String(12))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[str | None] = mapped_column(Text)
    followups: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # asked from a crisis answer
    # The directory theme of what was asked, when the matcher had a guess: the handoff
    # offers "📍 Help near me" for it (bot/core/directory).
    theme: Mapped[str | None] = mapped_column(String(20))


class Appointment(Base):
    """Something a newcomer must not miss: the gemeente, the IND, the huisarts, a lesson."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(12))
    text: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    day_before: Mapped[bool] = mapped_column(Boolean, default=True)
    hour_before: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Reminder(Base):
    """One message due at one moment; the table, not a timer, is the truth."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str | None] = mapped_column(String(60))
    lead: Mapped[str | None] = mapped_column(String(8))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    useful_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Broadcast(Base):
    """A coordinator's message to many people, with its audience and language versions."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    audience: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    fallback: Mapped[str] = mapped_column(String(8), default=FALLBACK_LANGUAGE)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    send_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    report_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Delivery(Base):
    """One recipient of a broadcast: the broadcast outbox row."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("broadcast_id", "chat_id", name="uq_deliveries_broadcast"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(40))
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class InboxUpdate(Base):
    """An update Telegram posted to the webhook, kept until an instance has handled it.

    Rows of one chat (in a group chat: of one member) are handled one at a time in
    update_id order, by whichever instance claims them (bot/storage/inbox.py).
    """

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_chat", "chat_id", "member_id", "update_id"),
                      Index("ix_inbox_state", "state", "update_id"))

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int] = mapped_column(BigInteger)  # the person in a group chat; else 0
    payload: Mapped[dict[str, object]] = mapped_column(JSON)  # the update as Telegram sent it
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_by: Mapped[str] = mapped_column(String(64))
    # waiting → claimed → handled (the turn committed) → done; lapsed: handled by an
    # instance that stopped before it finished (its replies may not have gone out)
    state: Mapped[str] = mapped_column(String(8), default="waiting")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)


class DashboardLogin(Base):
    """A one-time dashboard login link (only its hash): 10 minutes, used once."""

    __tablename__ = "dashboard_logins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DashboardSession(Base):
    """A browser logged in to the dashboard (only a hash of its cookie is stored)."""

    __tablename__ = "dashboard_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class DashboardAttempt(Base):
    """Failed dashboard logins per source (a hash of its address) in the current window."""

    __tablename__ = "dashboard_attempts"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime())
    count: Mapped[int] = mapped_column(Integer, default=0)


class FaqOutcome(Base):
    """How typed questions were met, counted per day, language and decision (no texts, no
    people): answered, suggested or unknown, for the dashboard's insights."""

    __tablename__ = "faq_outcomes"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    decision: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
class DirectoryEntry(Base):
    """An organisation, initiative or gemeente office in the help directory: HSDS's
    organisation with one service at one location (bot/core/directory/hsds.py maps it)."""

    __tablename__ = "directory_entries"

    id: Mapped[str] = mapped_column(String(30), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(120))
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 639-1, spoken there
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(120))
    postcode: Mapped[str | None] = mapped_column(String(8))
    city: Mapped[str | None] = mapped_column(String(80))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    opening_hours: Mapped[str | None] = mapped_column(String(300))  # OpenStreetMap syntax
    appointment_only: Mapped[bool] = mapped_column(Boolean, default=False)
    temporarily_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(200))
    last_checked: Mapped[date] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DirectoryArea(Base):
    """A municipality (CBS code) an entry serves, or `national`."""

    __tablename__ = "directory_areas"

    entry_id: Mapped[str] = mapped_column(
        ForeignKey("directory_entries.id", ondelete="CASCADE"), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class DirectoryText(Base):
    """An entry's name and description in one language."""

    __tablename__ = "directory_texts"

    entry_id: Mapped[str] = mapped_column(
        ForeignKey("directory_entries.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)


class VolunteerOpportunity(Base):
    """A volunteer place or a language buddy on offer (bot/core/volunteer): what it asks
    for (interests, days, Dutch level) is what the ranking compares with a profile."""

    __tablename__ = "volunteer_opportunities"

    id: Mapped[str] = mapped_column(String(30), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # place | buddy
    organisation: Mapped[str] = mapped_column(String(120))
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    days: Mapped[list[str]] = mapped_column(JSON, default=list)  # mon … sun
    parts_of_day: Mapped[list[str]] = mapped_column(JSON, default=list)  # morning … evening
    hours_per_week: Mapped[int | None] = mapped_column(SmallInteger)
    municipality: Mapped[str | None] = mapped_column(String(8), index=True)  # CBS code
    address: Mapped[str | None] = mapped_column(String(120))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 639-1, spoken there
    dutch_level: Mapped[str] = mapped_column(String(4), default="none")  # none | A1 | A2 | B1
    open_to_asylum_seekers: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str | None] = mapped_column(String(80))
    contact_phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    contact_email: Mapped[str | None] = mapped_column(String(120))
    contact_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    places: Mapped[int] = mapped_column(SmallInteger, default=1)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)  # full, or taken off
    last_checked: Mapped[date] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class VolunteerText(Base):
    """An opportunity's title and description in one language."""

    __tablename__ = "volunteer_texts"

    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("volunteer_opportunities.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)


class VolunteerProfile(Base):
    """What a newcomer would like to do (every field optional, all editable), and whether
    their sponsor group may hear about a match."""

    __tablename__ = "volunteer_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    days: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    municipality: Mapped[str | None] = mapped_column(String(8))  # None: the user's own
    dutch_level: Mapped[str | None] = mapped_column(String(4))
    # Still waiting for an asylum decision (W-document): only places open to asylum seekers.
    # None: not asked (the situation says they have a permit) or skipped.
    asylum_seeker: Mapped[bool | None] = mapped_column(Boolean)
    tell_group: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class VolunteerMatch(Base):
    """A newcomer's interest in an opportunity, from tentative to an answered follow-up:
    one row per pair, its status moved by conditional updates (one answer wins)."""

    __tablename__ = "volunteer_matches"
    __table_args__ = (UniqueConstraint("opportunity_id", "user_id",
                                       name="uq_volunteer_matches_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("volunteer_opportunities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # interested → accepted | declined | call_me | withdrawn | closed; accepted → active | ended
    status: Mapped[str] = mapped_column(String(12), default="interested", index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    start_date: Mapped[date | None] = mapped_column(Date)  # the first agreed date
    newcomer_outcome: Mapped[str | None] = mapped_column(String(8))  # yes | not_yet | no
    organisation_outcome: Mapped[str | None] = mapped_column(String(8))
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # to the coordinator
