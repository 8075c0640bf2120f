"""The sync protocol's request and response, as DESIGN.md pins them."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

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


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workspace: uuid.UUID
    cursor: StrictInt = Field(0, ge=0, le=MAX_INT8)
    mutations: list[Mutation] = Field(default_factory=list, max_length=MAX_MUTATIONS)


class FieldConflict(BaseModel):
    field: str
    server: Any
    client: Any


class MutationResult(BaseModel):
    id: uuid.UUID
    status: Literal["applied", "conflict", "rejected"]
    entity_id: uuid.UUID
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
