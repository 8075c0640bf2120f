"""Requests and answers of the push API: one declaration for the routes and the OpenAPI document."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ANSWER = ConfigDict(extra="forbid")
Level = Literal["all", "urgent", "none"]


class VapidKey(BaseModel):
    """The server's VAPID public key, for `PushManager.subscribe({applicationServerKey})`."""

    model_config = ANSWER

    key: str = Field(
        pattern=r"^[A-Za-z0-9_-]{87}$",
        description="base64url (no padding) of the 65-byte uncompressed P-256 point.",
    )


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(description="base64url of the browser's P-256 public key (65 bytes).")
    auth: str = Field(description="base64url of the 16-byte authentication secret.")


class SubscriptionRequest(BaseModel):
    """The browser's `PushSubscription.toJSON()`; other members (expirationTime) are ignored."""

    endpoint: str = Field(
        max_length=2048,
        description=(
            "https://<host>/… on port 443, printable ASCII, where <host> is one of the "
            "server's allowed push services (ENLACE_PUSH_ALLOWED_ENDPOINTS)."
        ),
    )
    keys: SubscriptionKeys


class SubscriptionDelete(BaseModel):
    endpoint: str = Field(max_length=2048)


class SubscriptionCreated(BaseModel):
    model_config = ANSWER

    id: uuid.UUID


class PushPreferences(BaseModel):
    """Which notifications the user's devices get: `urgent` = crisis alerts only."""

    model_config = ANSWER

    level: Level


class AlertRequest(BaseModel):
    """A crisis alert: a playbook to open, a short message, or both (at least one)."""

    playbook_id: uuid.UUID | None = Field(
        default=None, description="A live, non-restricted playbook of the workspace."
    )
    message: str | None = Field(default=None, max_length=140)


class AlertCreated(BaseModel):
    model_config = ANSWER

    id: uuid.UUID = Field(description="The alert's id, also in the notification's payload.")
    recipients: int = Field(ge=0, description="How many devices it is queued for.")
