"""The import API's requests and answers (docs/ARCHITECTURE.md, 4.13); they also make its
OpenAPI document."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from webapp.directory.schemas import Kind, Strict, Visibility


class ImportRow(BaseModel):
    row: int = Field(
        ge=1,
        description=(
            "The record's 1-based position in the file: the Nth card of a vCard, the Nth record "
            "after a CSV's header (blank lines make no row but are counted)."
        ),
    )
    status: Literal["new", "duplicate", "error"]
    fields: dict[str, Any] = Field(
        description=(
            "The contact's fields as the API names them (`ContactData`), only those the row "
            "sets: as they would be stored for a valid row (E.164, each phone with its "
            "read-only `display`), as read from the file for an error row."
        )
    )
    errors: dict[str, str] = Field(
        description="What is wrong, by field path as sync reports it (`phones.0.number`)."
    )
    duplicate_of: uuid.UUID | None = Field(
        description="The contact that already has one of this row's numbers or emails."
    )
    duplicate_of_row: int | None = Field(
        description=(
            "The earlier valid row of the same file with one of this row's numbers or emails "
            "(when no contact of the directory has them)."
        )
    )


class ImportCounts(BaseModel):
    new: int
    duplicate: int
    error: int


class ImportResult(BaseModel):
    applied: int = Field(description="Contacts created.")
    skipped: int = Field(description="Rows left out: error rows skipped and duplicates skipped.")
    revision: int = Field(description="The workspace's revision after the import.")


class ImportPreview(BaseModel):
    id: uuid.UUID
    format: Literal["csv", "vcard", "json"]
    expires_at: datetime = Field(description="An hour after the upload; then 410.")
    applied: ImportResult | None = Field(
        description="The apply's answer once applied (the rows are then dropped), else null."
    )
    rows: list[ImportRow]
    counts: ImportCounts


class ApplyRequest(Strict):
    skip_errors: StrictBool = Field(
        False, description="Leave the error rows out; false: 409 while any remains."
    )
    duplicates: Literal["skip", "create"] = Field(
        "skip", description="Leave duplicate rows out, or create them as new contacts."
    )


class RowFix(Strict):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Any] = Field(
        description=(
            "The whole contact as the user corrected it (`ContactData`'s names); it replaces "
            "the row's fields. `visibility` and `kind` stay the row's unless given."
        )
    )


class ImportUpload(BaseModel):
    """The multipart form of an upload (documented; the route reads the form itself)."""

    file: bytes = Field(
        json_schema_extra={"format": "binary", "contentMediaType": "application/octet-stream"},
        description="A vCard (.vcf) or CSV (.csv) file, at most 5 MiB.",
    )
    visibility: Visibility = Field(  # type: ignore[valid-type]
        "team", description="The visibility of every contact imported."
    )
    kind: Kind = Field(  # type: ignore[valid-type]
        "internal", description="The kind of every contact imported."
    )
