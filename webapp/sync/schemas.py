"""The sync protocol's request and response, as docs/ARCHITECTURE.md pins them."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from webapp.db import MAX_INT8
from webapp.directory.models import ENTITY_TYPES

MAX_MUTATIONS = 200
# The entity types, as the models name them (`Synced.TYPE`).
EntityType = Literal[tuple(ENTITY_TYPES)]  # type: ignore[valid-type]


class Mutation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID = Field(
        description="Unique per mutation: a retry with the same id changes nothing."
    )
    type: EntityType
    entity_id: uuid.UUID
    op: Literal["put", "delete"]
    base_version: StrictInt | None = Field(
        None, ge=0, le=MAX_INT8, description="null when creating"
    )
    fields: dict[str, Any] = Field(default_factory=dict, description="Only the changed fields.")
    base: dict[str, Any] = Field(
        default_factory=dict, description="The same fields' values at base_version."
    )


class SealedMutation(BaseModel):
    """A mutation as the device's outbox keeps it: AES-256-GCM under the user's snapshot key."""

    model_config = ConfigDict(extra="forbid")

    kid: StrictStr = Field(description="The id of the snapshot key it was sealed with.")
    iv: StrictStr = Field(description="The 12-byte nonce, base64url without padding.")
    aad: StrictStr = Field(
        description=(
            "The associated data, whose UTF-8 bytes were authenticated: "
            "`enlace-outbox:v1:<user id>:<workspace id>:<mutation id>` (lowercase UUIDs)."
        )
    )
    ciphertext: StrictStr = Field(
        description="The mutation's JSON (UTF-8) encrypted, with the 16-byte tag at its end; "
        "base64url without padding."
    )


def item_count(payload: dict[str, Any]) -> int:
    """Return how many mutations, clear and sealed, a request's JSON carries (before parsing)."""
    return sum(
        len(value)
        for value in (payload.get("mutations"), payload.get("sealed"))
        if isinstance(value, list)
    )


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workspace: uuid.UUID
    cursor: StrictInt = Field(0, ge=0, le=MAX_INT8)
    mutations: list[Mutation] = Field(default_factory=list, max_length=MAX_MUTATIONS)
    sealed: list[SealedMutation] = Field(default_factory=list, max_length=MAX_MUTATIONS)

    @property
    def items(self) -> list[Mutation | SealedMutation]:
        """Return the mutations in the order they apply: the clear ones, then the sealed ones."""
        return [*self.mutations, *self.sealed]

    @model_validator(mode="after")
    def _at_most_max_mutations(self) -> SyncRequest:
        if len(self.mutations) + len(self.sealed) > MAX_MUTATIONS:
            raise ValueError(f"at most {MAX_MUTATIONS} mutations, clear and sealed together")
        return self


class FieldConflict(BaseModel):
    field: str
    server: Any
    client: Any


class MutationResult(BaseModel):
    id: uuid.UUID | None = Field(description="null only for a sealed item whose aad names none")
    status: Literal["applied", "conflict", "rejected"]
    entity_id: uuid.UUID | None = Field(
        None, description="left out only for a sealed item that did not open as a mutation"
    )
    version: int | None = None
    deleted: bool | None = Field(None, description="true when a put met a deleted entity")
    conflicts: list[FieldConflict] = Field(default_factory=list)
    errors: dict[str, str] = Field(default_factory=dict)


class Change(BaseModel):
    type: EntityType
    entity_id: uuid.UUID
    version: int
    revision: int
    deleted: bool
    data: dict[str, Any] | None


class SyncResponse(BaseModel):
    results: list[MutationResult]
    changes: list[Change]
    cursor: int
    more: bool
    reset: bool | None = Field(
        None,
        description=(
            "Present and true only when the request's cursor was ahead of the server's revision "
            "(the server's database was restored from an older backup): `changes` then start "
            "again from cursor 0, and what the device holds of revisions past the server's "
            "belongs to a timeline that no longer exists. The device drops its copy of the "
            "workspace (never its unsent outbox) and takes a full snapshot, as "
            "`GET /api/v1/workspaces/{id}/snapshot?since=` answers the same cursor."
        ),
    )
