"""Everything stored about one person, gathered for export and scrubbed for erasure."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Appointment,
    Attempt,
    AuditEntry,
    Base,
    Broadcast,
    Consent,
    Coordinator,
    DashboardLogin,
    DashboardSession,
    Delivery,
    DirectoryEntry,
    Group,
    Invite,
    JourneyProgress,
    Membership,
    Post,
    Question,
    Reminder,
    Task,
    TaskAssignee,
    TaskComment,
    TaskDraft,
    TaskEvent,
    User,
    VolunteerMatch,
    VolunteerOpportunity,
    VolunteerProfile,
)

SECRET_COLUMNS = frozenset({"token_hash", "link_code_hash"})  # access codes, not personal data


@dataclass(frozen=True)
class Section:
    """One part of the export: the rows of `model` whose `column` points at the person."""

    model: type[Base]
    column: str
    only: tuple[str, ...] = ()  # export just these columns (the rest is someone else's)


SECTIONS: dict[str, Section] = {
    "consent_history": Section(Consent, "user_id"),
    "journey_progress": Section(JourneyProgress, "user_id"),
    "appointments": Section(Appointment, "user_id"),
    "reminders": Section(Reminder, "user_id"),
    "questions": Section(Question, "user_id"),
    "answers_you_gave": Section(Question, "helper_id", ("id", "answer", "answered_at")),
    "group_memberships": Section(Membership, "user_id"),
    "coordinator_roles": Section(Coordinator, "user_id"),
    "groups_you_created": Section(Group, "created_by", ("id", "name", "created_at")),
    "tasks_you_created": Section(Task, "created_by"),
    "task_assignments": Section(TaskAssignee, "user_id"),
    "task_comments": Section(TaskComment, "author_id"),
    "task_history": Section(TaskEvent, "actor_id"),
    "task_drafts": Section(TaskDraft, "user_id"),
    "invites_you_created": Section(Invite, "created_by"),
    "broadcasts_you_wrote": Section(Broadcast, "author_id"),
    "broadcasts_sent_to_you": Section(Delivery, "user_id"),
    "messages_to_you": Section(Post, "user_id", ("id", "state", "created_at", "sent_at")),
    "wrong_code_attempts": Section(Attempt, "user_id"),
    "audit_log": Section(AuditEntry, "actor_id"),
    "dashboard_login_links": Section(DashboardLogin, "user_id",
                                     ("id", "created_at", "expires_at", "used_at")),
    "dashboard_sessions": Section(DashboardSession, "user_id",
                                  ("id", "language", "created_at", "expires_at")),
    "directory_entries_you_changed": Section(DirectoryEntry, "updated_by",
                                             ("id", "name", "updated_at")),
    "volunteer_wishes": Section(VolunteerProfile, "user_id"),
    "volunteer_matches": Section(VolunteerMatch, "user_id"),
    "volunteer_matches_you_answered": Section(VolunteerMatch, "answered_by",
                                              ("id", "status", "answered_at")),
    "volunteer_places_you_changed": Section(VolunteerOpportunity, "updated_by",
                                            ("id", "organisation", "updated_at")),
}


async def collect(session: AsyncSession, user: User) -> dict[str, Any]:
    """The profile and every section, as plain JSON-ready values."""
    data: dict[str, Any] = {"profile": _plain(user)}
    for name, section in SECTIONS.items():
        column: ColumnElement[Any] = getattr(section.model, section.column)
        rows = await session.scalars(select(section.model).where(column == user.id))
        data[name] = [_plain(row, section.only) for row in rows]
    data["tasks_you_carry"] = [_plain(task) for task in await session.scalars(
        select(Task).join(TaskAssignee, TaskAssignee.task_id == Task.id)
        .where(TaskAssignee.user_id == user.id).order_by(Task.id))]
    return data


def _plain(row: Base, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as a dict of its columns (dates as ISO text), without access secrets."""
    names = only or tuple(c.key for c in row.__table__.columns if c.key not in SECRET_COLUMNS)
    return {name: _json_value(getattr(row, name)) for name in names}


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


async def scrub(session: AsyncSession, user: User) -> None:
    """Before the user row goes: remove them from what the cascade cannot reach.

    Messages about their questions, their name in stored notices to others, and their id
    in task histories ("assigned to …") are not foreign keys, so they are cleaned here.
    """
    question_ids = list(await session.scalars(select(Question.id).where(
        Question.user_id == user.id)))
    refs = [f"q:{number}" for number in question_ids]
    await session.execute(delete(Post).where(
        (Post.chat_id == user.telegram_id) | Post.ref.in_(refs)))
    await _forget_name(session, user.first_name)
    await _forget_assignments(session, user.id)


async def _forget_name(session: AsyncSession, name: str | None) -> None:
    """Stored copies of notices that named them lose the name (as typed or HTML-escaped)."""
    if not name:
        return
    for form in {name, html.escape(name)}:
        for post in await session.scalars(select(Post).where(Post.text.contains(form))):
            post.text = (post.text or "").replace(form, "…")


async def _forget_assignments(session: AsyncSession, user_id: int) -> None:
    """History keeps that a task was given, not to whom (when it was this person)."""
    # The text match narrows the rows in SQL (it also finds 12 in 112); the check is below.
    events = await session.scalars(select(TaskEvent).where(
        TaskEvent.kind == "assigned", cast(TaskEvent.detail, String).contains(str(user_id))))
    for event in events:
        people = event.detail.get("to")
        if isinstance(people, list) and user_id in people:
            await session.execute(update(TaskEvent).where(TaskEvent.id == event.id).values(
                detail={**event.detail, "to": [p for p in people if p != user_id]}))
