"""One pydantic schema per synced entity: it checks input and generates the OpenAPI document.

Pydantic v2 was chosen because one declaration gives validation with error paths
(`phones.0.number`), canonical JSON output (so values compare exactly in the field-level merge),
and JSON Schema for /api/v1/openapi.json — three things that would otherwise drift apart.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

MAX_SHORT = 200
MAX_LONG = 4000
MAX_PHONES = 10
MAX_EMAILS = 10

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SHORT)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
LongText = Annotated[str, StringConstraints(max_length=MAX_LONG)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Clock = Annotated[str, StringConstraints(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]
Weekday = Annotated[StrictInt, Field(ge=1, le=7)]


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # 9999-12-31T23:59-01:00 is past the last representable UTC instant.
        raise ValueError("date out of range") from None


def _iso_text(value: Any) -> Any:
    # Pydantic would read a number as Unix time; the protocol's dates are ISO 8601 text.
    if not isinstance(value, (str, datetime)):
        raise ValueError("Input should be a date and time as ISO 8601 text")
    return value


# Stored and compared in UTC, whatever offset the device sent.
UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_to_utc)]
Kind = Literal["internal", "partner", "legal", "medical", "authority", "emergency"]
Visibility = Literal["public", "team", "restricted"]
Severity = Literal["low", "medium", "high", "critical"]


def nfc(value: Any) -> Any:
    """Return text in Unicode NFC (anything else as it is)."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class Strict(BaseModel):
    """Unknown fields are errors; numbers and booleans are never converted from other types."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _text_in_nfc(cls, data: Any) -> Any:
        # Text is stored in NFC so that "José" typed on two keyboards is one value. Nested
        # objects are models of their own (they normalise their own text); lists of text
        # (tags, steps) are values of this one.
        if not isinstance(data, dict):
            return data
        return {
            key: [nfc(item) for item in value] if isinstance(value, list) else nfc(value)
            for key, value in data.items()
        }


class Phone(Strict):
    label: Label = ""
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    whatsapp: StrictBool = False


class Email(Strict):
    label: Label = ""
    address: EmailStr


class HoursRange(Strict):
    days: list[Weekday] = Field(min_length=1, max_length=7, description="ISO weekdays, 1 = Monday")
    from_: Clock = Field(alias="from", serialization_alias="from", examples=["09:00"])
    to: Clock = Field(examples=["18:00"])


class Availability(Strict):
    timezone: str | None = Field(None, description="IANA time zone, e.g. America/Mexico_City")
    always: StrictBool = False
    hours: list[HoursRange] = Field(default_factory=list, max_length=21)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in _timezones():
            raise ValueError("unknown time zone; use a name such as America/Mexico_City")
        return value


class Partner(Strict):
    response_minutes: StrictInt | None = Field(None, ge=0, le=10080)
    procedure: LongText | None = None


class ContactData(Strict):
    name: Name
    organization: ShortText | None = None
    role_title: ShortText | None = None
    kind: Kind = "internal"
    area: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = Field(
        None,
        examples=[
            "finance",
            "customer_service",
            "quality",
            "leadership",
            "marketing",
            "operations",
        ],
    )
    phones: list[Phone] = Field(default_factory=list, max_length=MAX_PHONES)
    emails: list[Email] = Field(default_factory=list, max_length=MAX_EMAILS)
    address: LongText | None = None
    city: ShortText | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    availability: Availability | None = None
    backup_contact_id: uuid.UUID | None = None
    when_to_contact: LongText | None = None
    partner: Partner | None = None
    notes: LongText | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    visibility: Visibility = "team"
    last_verified_at: UtcDatetime | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _upper_country(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


class PlaybookData(Strict):
    name: Name
    crisis_kind: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = (
        None
    )
    severity: Severity = "medium"
    steps: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    ] = Field(default_factory=list, max_length=50)
    contact_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    guidance: LongText | None = None
    visibility: Visibility = "team"


class IncidentData(Strict):
    title: Name
    kind: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    severity: Severity = "medium"
    status: Literal["open", "monitoring", "closed"] = "open"
    started_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None
    summary: LongText | None = None
    playbook_id: uuid.UUID | None = None


class IncidentEntryData(Strict):
    incident_id: uuid.UUID
    at: UtcDatetime
    kind: Literal["note", "call", "action", "report", "decision"] = "note"
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_LONG)]
    contact_id: uuid.UUID | None = None


SCHEMAS: dict[str, type[Strict]] = {
    "contact": ContactData,
    "playbook": PlaybookData,
    "incident": IncidentData,
    "incident_entry": IncidentEntryData,
}


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


MESSAGES = {
    "extra_forbidden": "Unknown field.",
    "missing": "This field is required.",
}


def error_map(error: ValidationError, prefix: tuple[str | int, ...] = ()) -> dict[str, str]:
    """Return pydantic's errors keyed by field path (`phones.0.number`)."""
    errors: dict[str, str] = {}
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in (*prefix, *item["loc"])) or "_"
        errors.setdefault(path, MESSAGES.get(item["type"], item["msg"]))
    return errors
