"""The answer of GET /api/v1/session: one declaration for the route and the OpenAPI document."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from webapp.workspaces.models import Role, UnlockPolicy

# extra="forbid" on answers documents `additionalProperties: false`: a client may rely on
# knowing every field.
ANSWER = ConfigDict(extra="forbid")


class SessionUser(BaseModel):
    model_config = ANSWER

    id: uuid.UUID
    # Checked when the account was made; described here, not checked again on the way out.
    email: str = Field(json_schema_extra={"format": "email"})
    name: str
    locale: str | None = Field(examples=["es", "en"])


class SessionWorkspace(BaseModel):
    model_config = ANSWER

    id: uuid.UUID
    name: str
    role: Role
    phone_example: str = Field(
        "",
        description="A mobile number of the workspace's country as written there: the forms' hint.",
    )
    unlock_policy: UnlockPolicy = Field(
        description=(
            "How this member's devices may unlock the app: `pin` (a 6-digit PIN, a passphrase "
            "or a passkey) or `passphrase` (a passphrase or a passkey, never a PIN). An owner "
            "sets it on the workspace's page; the app enforces it when setting up an unlock."
        )
    )


class ReauthRequest(BaseModel):
    """The password, to prove it again on this device (Forgot PIN, a device whose data is gone)."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=256)


class Session(BaseModel):
    """The signed-in user, a CSRF token for API writes, and the user's workspaces."""

    model_config = ANSWER

    user: SessionUser
    csrf_token: str = Field(min_length=1, description="Send it as `X-CSRFToken` on POST requests.")
    workspaces: list[SessionWorkspace]
