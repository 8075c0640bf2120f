"""Requests and answers of the members and settings API: one declaration for the routes and the
OpenAPI document.

Request fields are typed loosely where the service checks the value (a role, a policy), so that a
bad value gets the service's message, the same the pages show; the document still lists the
allowed values.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from webapp.workspaces.models import Role, UnlockPolicy

ANSWER = ConfigDict(extra="forbid")
REQUEST = ConfigDict(extra="forbid")
ROLES = [role.value for role in Role]
POLICIES = [policy.value for policy in UnlockPolicy]


class Member(BaseModel):
    """A member of the workspace, as its owners see them."""

    model_config = ANSWER

    user_id: uuid.UUID
    name: str
    email: str = Field(json_schema_extra={"format": "email"})
    role: Role
    you: bool = Field(description="This is the signed-in user.")
    sole_owner: bool = Field(
        description=(
            "The workspace's only owner: may be neither removed nor given another role until "
            "someone else is owner."
        )
    )


class PendingInvitation(BaseModel):
    """An invitation not yet used, revoked or expired."""

    model_config = ANSWER

    id: int = Field(ge=1)
    role: Role
    note: str | None = Field(description="Who it is for, as the owner wrote it.")
    created_at: datetime
    expires_at: datetime
    link: str | None = Field(
        description=(
            "The link that joins the workspace with this role, once. Null when the answer hides "
            "links (see Members.links_shown), or for an invitation made before links could be "
            "shown again."
        )
    )


class Members(BaseModel):
    """The workspace's members (owners first, then by name) and its pending invitations."""

    model_config = ANSWER

    members: list[Member]
    invitations: list[PendingInvitation] = Field(description="Newest first.")
    links_shown: bool = Field(
        description=(
            "Whether the invitations carry their links. A link lets anyone join, so it is shown "
            "only after a recent password (`POST /api/v1/session/reauth`), like creating one; "
            "the unlock token alone gives the list without links."
        )
    )


class InvitationRequest(BaseModel):
    """A new invitation: the role it gives, and a note on who it is for."""

    model_config = REQUEST

    role: StrictStr = Field(json_schema_extra={"enum": ROLES})
    note: StrictStr | None = Field(default=None, json_schema_extra={"maxLength": 200})


class RoleRequest(BaseModel):
    """Another role for a member."""

    model_config = REQUEST

    role: StrictStr = Field(json_schema_extra={"enum": ROLES})


class WorkspaceSettings(BaseModel):
    """The workspace's details and settings, as a member sees them."""

    model_config = ANSWER

    id: uuid.UUID
    name: str
    city: str
    country: str = Field(description="ISO 3166-1 alpha-2.")
    country_name: str = Field(description="The country's name in the answer's language.")
    timezone: str
    language: str = Field(description="The language of its default playbooks and numbers.")
    role: Role = Field(description="The signed-in user's role.")
    unlock_policy: UnlockPolicy = Field(
        description=(
            "How members' devices may unlock the app: `pin` (a 6-digit PIN, a passphrase or a "
            "passkey) or `passphrase` (a passphrase or a passkey, never a PIN)."
        )
    )


class SettingsUpdate(BaseModel):
    """The settings to change (owners); a field left out keeps its value."""

    model_config = REQUEST

    unlock_policy: StrictStr | None = Field(default=None, json_schema_extra={"enum": POLICIES})
