"""The document's workspace operations: members, invitations, settings (webapp/workspaces/api.py)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi.components import json_response
from webapp.api.openapi.paths import (
    API_PREFIX,
    LANG,
    SESSION,
    SESSION_AND_CSRF,
    UNLOCK,
    _body,
    _use,
)
from webapp.errors import ErrorBody
from webapp.workspaces.schemas import (
    InvitationRequest,
    Member,
    Members,
    PendingInvitation,
    RoleRequest,
    SettingsUpdate,
    WorkspaceSettings,
)

BASE = f"{API_PREFIX}/workspaces/{{workspace_id}}"
WORKSPACE = {"$ref": "#/components/parameters/WorkspaceId"}
USER = {
    "name": "user_id",
    "in": "path",
    "required": True,
    "description": "The member's user id.",
    "schema": {"type": "string", "format": "uuid"},
}
INVITATION = {
    "name": "invitation_id",
    "in": "path",
    "required": True,
    "description": "The invitation's id.",
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
# The 403s of these operations: a member who is not an owner, or the device lock.
OWNERS_UNLOCKED = json_response(
    "A member who is not an owner (error `forbidden`: not a removal, keep local data), or a "
    "locked device (error `locked`: send `X-Enlace-Unlock`, or prove the password again).",
    ErrorBody,
)
OWNERS_RECENT_PASSWORD = json_response(
    "A member who is not an owner (error `forbidden`: not a removal, keep local data), or no "
    "password entered within the re-authentication window (error `reauthentication_required`: "
    "`POST /api/v1/session/reauth`, then send the request again). The unlock token alone is "
    "not enough.",
    ErrorBody,
)
CONFLICT = json_response(
    "The workspace's only owner would be left without the role (error `conflict`); nothing "
    "changed.",
    ErrorBody,
)


def paths() -> dict[str, Any]:
    """Return the workspace operations, by path."""
    change = {
        "400": _use("BadRequest"),
        "401": _use("Unauthorized"),
        "403": OWNERS_RECENT_PASSWORD,
        "404": _use("NotFound"),
        "413": _use("TooLarge"),
    }
    return {
        f"{BASE}/members": {
            "parameters": [WORKSPACE],
            "get": {
                "operationId": "listMembers",
                "tags": ["workspaces"],
                "summary": "The members, with their roles, and the pending invitations (owners).",
                "description": (
                    "Needs an unlocked app (`X-Enlace-Unlock`) or a recent password. The "
                    "invitations carry their links only after a recent password (`links_shown`): "
                    "a link lets anyone join. A member who is not an owner gets 403 `forbidden`."
                ),
                "security": SESSION,
                "parameters": [UNLOCK, LANG],
                "responses": {
                    "200": json_response("The members and invitations.", Members),
                    "400": _use("BadRequest"),
                    "401": _use("Unauthorized"),
                    "403": OWNERS_UNLOCKED,
                    "404": _use("NotFound"),
                },
            },
        },
        f"{BASE}/members/{{user_id}}": {
            "parameters": [WORKSPACE, USER],
            "patch": {
                "operationId": "changeMemberRole",
                "tags": ["workspaces"],
                "summary": "Give a member another role (owners, recent password); audited.",
                "description": (
                    "The workspace's only owner keeps the role (409 `conflict`) until someone "
                    "else is owner. A change between viewer and editor or owner rotates the "
                    "member's snapshot key. An unknown role gets 400 naming `role`; a user who "
                    "is not a member, 404."
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [LANG],
                "requestBody": _body(RoleRequest),
                "responses": {
                    "200": json_response("The member, with the new role.", Member),
                    **change,
                    "409": CONFLICT,
                },
            },
            "delete": {
                "operationId": "removeMember",
                "tags": ["workspaces"],
                "summary": "Remove a member, or leave (owners, recent password); audited.",
                "description": (
                    "Never the workspace's only owner (409 `conflict`). The removed member's "
                    "snapshot key rotates; their devices wipe the workspace at their next contact."
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [LANG],
                "responses": {
                    "204": {"description": "Removed."},
                    **change,
                    "409": CONFLICT,
                },
            },
        },
        f"{BASE}/invitations": {
            "parameters": [WORKSPACE],
            "post": {
                "operationId": "createInvitation",
                "tags": ["workspaces"],
                "summary": "Create an invitation link (owners, recent password); audited.",
                "description": (
                    "The link works once, until it expires (`ENLACE_INVITATION_DAYS`, 7 days), "
                    "and stays in the pending invitations until used or revoked."
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [LANG],
                "requestBody": _body(InvitationRequest),
                "responses": {
                    "201": json_response("The invitation, with its link.", PendingInvitation),
                    **change,
                },
            },
        },
        f"{BASE}/invitations/{{invitation_id}}": {
            "parameters": [WORKSPACE, INVITATION],
            "delete": {
                "operationId": "revokeInvitation",
                "tags": ["workspaces"],
                "summary": "Revoke a pending invitation (owners, recent password); audited.",
                "description": "Its link stops working. One no longer pending gets 404.",
                "security": SESSION_AND_CSRF,
                "parameters": [LANG],
                "responses": {
                    "204": {"description": "Revoked."},
                    **change,
                },
            },
        },
        f"{BASE}/settings": {
            "parameters": [WORKSPACE],
            "get": {
                "operationId": "getWorkspaceSettings",
                "tags": ["workspaces"],
                "summary": "The workspace's details and settings (any member).",
                "security": SESSION,
                "parameters": [LANG],
                "responses": {
                    "200": json_response("The settings.", WorkspaceSettings),
                    "400": _use("BadRequest"),
                    "401": _use("Unauthorized"),
                    "404": _use("NotFound"),
                },
            },
            "patch": {
                "operationId": "updateWorkspaceSettings",
                "tags": ["workspaces"],
                "summary": "Change the workspace's settings (owners, recent password); audited.",
                "description": (
                    "Today the unlock policy: a weaker one would let a guessed PIN open members' "
                    "phones, so it needs the password, never only the unlock token."
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [LANG],
                "requestBody": _body(SettingsUpdate),
                "responses": {
                    "200": json_response("The settings as saved.", WorkspaceSettings),
                    **change,
                },
            },
        },
    }
