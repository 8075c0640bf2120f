"""The poster's JSON: the owner's chooser (GET and PUT /api/v1/workspaces/<id>/poster/choice),
one declaration for the routes and the OpenAPI document."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from webapp.db import MAX_INT8
from webapp.directory.models import Visibility
from webapp.poster.service import MAX_CHOSEN

ANSWER = ConfigDict(extra="forbid")
FINGERPRINT = "^[0-9a-f]{64}$"


class PosterCandidate(BaseModel):
    """A contact the owner may print on the poster: not public, with a phone."""

    model_config = ANSWER

    id: uuid.UUID
    name: str
    area: str | None = Field(
        description=(
            "The contact's area as stored: a code of the directory's vocabulary (`finance`, "
            "`customer_service`…) that the app shows by its name, or text typed by a person."
        )
    )
    kind: str = Field(description="The contact's kind code (`internal`, `legal`, `medical`…).")
    visibility: Literal[Visibility.TEAM, Visibility.RESTRICTED]
    version: int = Field(ge=1, description="The contact's version: send it back to choose it.")
    fingerprint: str = Field(
        pattern=FINGERPRINT,
        description=(
            "SHA-256 of the contact's id, visibility and phones: what choosing it confirms. "
            "Send it back with the version to choose the contact."
        ),
    )
    after_hours: bool = Field(
        description=(
            "The contact's own hours cover after hours (always, weekends, or hours ending at "
            "21:00 or later or starting before 07:00). A contact whose backup answers at night "
            "but who does not is false."
        )
    )
    confirmed: bool = Field(description="Chosen, and printed on the poster as it is now.")
    changed: bool = Field(
        description=(
            "Chosen, but its visibility or phones changed since an owner chose it: left off "
            "the poster until an owner chooses it again."
        )
    )


class PosterChoice(BaseModel):
    """The owner's chooser: which contacts the poster may print, and which it prints."""

    model_config = ANSWER

    max_chosen: int = Field(description="How many contacts one A4 sheet holds.")
    everyone: bool = Field(
        description=(
            "True: `contacts` lists every contact the poster may show. False (the default): "
            "those available after hours themselves and those already chosen."
        )
    )
    contacts: list[PosterCandidate] = Field(description="By area, then name.")
    print_url: str = Field(
        pattern="^/", description="The poster's print view (a server page) on this site."
    )

    @classmethod
    def of(cls, rows: list[Any], everyone: bool, print_url: str) -> PosterChoice:
        """Build the answer from the service's candidate rows."""
        return cls(
            max_chosen=MAX_CHOSEN,
            everyone=everyone,
            contacts=[
                PosterCandidate(
                    id=row.id,
                    name=row.name,
                    area=row.area or None,
                    kind=row.kind,
                    visibility=row.visibility,
                    version=row.version,
                    fingerprint=row.fingerprint,
                    after_hours=row.after_hours,
                    confirmed=row.confirmed,
                    changed=row.changed,
                )
                for row in rows
            ],
            print_url=print_url,
        )


class ChosenContact(BaseModel):
    """One contact to print, as the chooser showed it."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    version: int = Field(
        ge=1, le=MAX_INT8, description="The version the chooser showed (PosterCandidate)."
    )
    fingerprint: str = Field(
        pattern=FINGERPRINT, description="The fingerprint the chooser showed (PosterCandidate)."
    )


class PosterChoiceRequest(BaseModel):
    """The contacts the poster prints beside the emergency numbers, in order: the whole choice
    (an empty list prints none)."""

    model_config = ConfigDict(extra="forbid")

    contacts: list[ChosenContact] = Field(
        max_length=MAX_CHOSEN,
        description=(
            f"At most {MAX_CHOSEN}. A contact whose version or fingerprint is no longer the "
            "contact's gets 409 and changes nothing: show the list again and let the owner look."
        ),
    )
