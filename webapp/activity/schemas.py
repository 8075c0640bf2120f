"""The audit answers of the API: one declaration for the routes and the OpenAPI document."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from webapp.activity.service import EventPage, describe
from webapp.audit.models import AuditEvent

ANSWER = ConfigDict(extra="forbid")


class AccountEvent(BaseModel):
    """One event of the user's own account: a sign-in, a failed password, a device ended…"""

    model_config = ANSWER

    id: int = Field(description="Increasing; `before` of the next page takes the last one.")
    at: datetime = Field(description="When it happened (UTC); the app shows it in local time.")
    action: str = Field(
        description="A stable code, e.g. `auth.sign_in`.", examples=["auth.sign_in"]
    )
    label: str = Field(description="What the code means, in the request's language (`lang`).")
    detail: str = Field(
        description=(
            "What it changed, in the same language: a role (`Editor → Owner`), a record and its "
            "fields (`contact changed (name, phones)`), the email of a failed sign-in; or empty."
        )
    )
    ip: str | None

    @staticmethod
    def _words(event: AuditEvent) -> dict[str, object]:
        said = describe(event)
        detail = f"{said.detail} ({said.fields})" if said.fields else said.detail
        return {
            "id": event.id,
            "at": event.created_at,
            "action": event.action,
            "label": said.label,
            "detail": detail,
            "ip": event.ip,
        }

    @classmethod
    def of(cls, event: AuditEvent) -> AccountEvent:
        """Build one row from a stored event."""
        return cls.model_validate(cls._words(event))


class WorkspaceEvent(AccountEvent):
    """One event of a workspace, with who acted and whom it was about."""

    actor: str | None = Field(description="The name of who acted; null when unknown or gone.")
    subject: str | None = Field(
        description="The email of the person it was about (a member added, a role changed)."
    )

    @classmethod
    def in_page(cls, event: AuditEvent, page: EventPage) -> WorkspaceEvent:
        """Build one row, naming the people of the page."""
        actor = page.people.get(event.actor_id) if event.actor_id else None
        subject = page.people.get(event.subject_id) if event.subject_id else None
        return cls.model_validate(
            {
                **cls._words(event),
                "actor": actor.name if actor else None,
                "subject": subject.email if subject else None,
            }
        )


class Paged(BaseModel):
    """Where the next (older) page of events starts."""

    model_config = ANSWER

    next_before: int | None = Field(
        description="Pass it as `before` for the older events; null on the last page."
    )


class AccountActivity(Paged):
    """A page of the user's account events, newest first."""

    events: list[AccountEvent]

    @classmethod
    def of(cls, page: EventPage) -> AccountActivity:
        """Build the answer from a page of events."""
        events = [AccountEvent.of(event) for event in page.events]
        return cls(events=events, next_before=page.next_before)


class WorkspaceAudit(Paged):
    """A page of the workspace's events, newest first."""

    events: list[WorkspaceEvent]

    @classmethod
    def of(cls, page: EventPage) -> WorkspaceAudit:
        """Build the answer from a page of events."""
        events = [WorkspaceEvent.in_page(event, page) for event in page.events]
        return cls(events=events, next_before=page.next_before)
