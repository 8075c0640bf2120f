"""One pydantic schema per synced entity: it checks input and generates the OpenAPI document.

Pydantic v2 was chosen because one declaration gives validation with error paths
(`phones.0.number`), canonical JSON output (so values compare exactly in the field-level merge),
and JSON Schema for /api/v1/openapi.json — three things that would otherwise drift apart.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from flask_babel import gettext as _
from flask_babel import ngettext
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
    ValidationInfo,
    field_validator,
    model_validator,
)

from webapp import text
from webapp.directory.models import Visibility as VisibilityLevel
from webapp.directory.vocabulary import KINDS

MAX_SHORT = 200
MAX_LONG = 4000
MAX_PHONES = 10
MAX_EMAILS = 10
MAX_EMAIL = 254  # what email_validator accepts; published so that forms can say it first
MAX_MINUTES = 10080  # a week
CLOCK = r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"
COUNTRY = r"^[A-Z]{2}$"


class FieldError(ValueError):
    """A validator's message for the user, already in their language (`errors` shows it as is)."""


def _reads_as_written(multiline: bool) -> Any:
    """Return the validator of typed text (webapp/text.py) and its mark in the JSON Schema,
    `x-text: line | paragraphs`, which the app's forms read to check the same rule."""

    def check(value: str) -> str:
        found = text.problem(value, multiline=multiline)
        if found is not None:
            raise FieldError(found)
        return value

    kind = "paragraphs" if multiline else "line"
    return (AfterValidator(check), Field(json_schema_extra={"x-text": kind}))


# One line (names, labels, tags, steps) or paragraphs (notes and other long text).
LINE = _reads_as_written(multiline=False)
PARAGRAPHS = _reads_as_written(multiline=True)
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT), *LINE
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SHORT), *LINE]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60), *LINE]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60), *LINE]
LongText = Annotated[str, StringConstraints(max_length=MAX_LONG), *PARAGRAPHS]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), *LINE]
Step = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), *LINE]
EntryText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LONG), *PARAGRAPHS]
Clock = Annotated[str, StringConstraints(pattern=CLOCK)]
Weekday = Annotated[StrictInt, Field(ge=1, le=7)]


def _datetime_hint() -> str:
    return _("Use a date and time with its offset, e.g. 2026-11-25T09:00:00Z.")


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # 9999-12-31T23:59-01:00 is past the last representable UTC instant.
        raise FieldError(_("Use an earlier date.")) from None


def _iso_text(value: Any) -> Any:
    # Pydantic would read a number as Unix time; the protocol's dates are ISO 8601 text.
    if not isinstance(value, (str, datetime)):
        raise FieldError(_datetime_hint())
    return value


# Stored and compared in UTC, whatever offset the device sent.
UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_to_utc)]
Kind = Literal[tuple(KINDS)]  # type: ignore[valid-type]
# The levels' names on the wire, from the one enum (a Literal is a JSON Schema `enum` of strings).
Visibility = Literal[tuple(level.value for level in VisibilityLevel)]  # type: ignore[valid-type]
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


DISPLAY = {
    "type": "string",
    "readOnly": True,
    "title": "Display",
    "description": (
        "The number as people of the workspace's country read it: national format for a number "
        "of that country, international for others, a short number as it is. Computed by the "
        "server for sync `changes`, the snapshot and the public list; ignored when a client sends "
        "it (never stored nor merged). `tel:` links use `number`."
    ),
}


def _document_display(schema: dict[str, Any]) -> None:
    # Documented, not a field: a field would be stored with the record (or, excluded from dumps,
    # split the schema in an input and an output one).
    schema["properties"]["display"] = dict(DISPLAY)


class Phone(Strict):
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, json_schema_extra=_document_display
    )

    label: Label = ""
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    whatsapp: StrictBool = False

    @model_validator(mode="before")
    @classmethod
    def _display_is_the_servers(cls, data: Any) -> Any:
        # An app that sends back the phones it holds sends their `display` too: it is the
        # server's (a value of the workspace's country, not of the record), dropped unread.
        if isinstance(data, dict) and "display" in data:
            return {key: value for key, value in data.items() if key != "display"}
        return data


class Email(Strict):
    label: Label = ""
    address: Annotated[EmailStr, Field(max_length=MAX_EMAIL)]


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
            raise FieldError(_("Unknown time zone: choose one such as America/Mexico_City."))
        return value


class Partner(Strict):
    response_minutes: StrictInt | None = Field(
        None, ge=0, le=MAX_MINUTES, description="Minutes they take to answer."
    )
    preparation_minutes: StrictInt | None = Field(
        None,
        ge=0,
        le=MAX_MINUTES,
        description="Minutes they take to prepare an order (or a replacement).",
    )
    procedure: LongText | None = None


class ContactData(Strict):
    name: Name
    organization: ShortText | None = None
    role_title: ShortText | None = None
    kind: Kind = "internal"
    area: Code | None = Field(
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
    country: Annotated[str, StringConstraints(pattern=COUNTRY)] | None = None
    availability: Availability | None = None
    backup_contact_id: uuid.UUID | None = None
    when_to_contact: LongText | None = None
    partner: Partner | None = None
    notes: LongText | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    visibility: Visibility = VisibilityLevel.TEAM.value
    last_verified_at: UtcDatetime | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _upper_country(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


class PlaybookData(Strict):
    name: Name
    crisis_kind: Code | None = None
    severity: Severity = "medium"
    steps: list[Step] = Field(default_factory=list, max_length=50)
    contact_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    guidance: LongText | None = None
    visibility: Visibility = VisibilityLevel.TEAM.value


class IncidentData(Strict):
    title: Name
    kind: Code | None = None
    severity: Severity = "medium"
    status: Literal["open", "monitoring", "closed"] = "open"
    started_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None
    summary: LongText | None = None
    playbook_id: uuid.UUID | None = None


MAX_REFERENCE = 100
MAX_STEPS = 50
CallOutcome = Literal["answered", "no_answer", "voicemail", "wrong_number"]


class IncidentEntryData(Strict):
    incident_id: uuid.UUID
    at: UtcDatetime
    kind: Literal["note", "call", "action", "report", "decision"] = "note"
    text: EntryText
    contact_id: uuid.UUID | None = Field(
        None, description="Who was called (call), or the authority reported to (report)."
    )
    outcome: CallOutcome | None = Field(None, description="How a call went (kind call only).")
    reference: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REFERENCE)
        ]
        | None
    ) = Field(
        None,
        description="The case or folio number an authority gave (kind report only).",
        examples=["FGJ/CDMX/123/2026"],
    )
    step: StrictInt | None = Field(
        None,
        ge=0,
        lt=MAX_STEPS,
        description="The playbook step done, counted from 0 (kind action only).",
    )
    author: ShortText | None = Field(
        None,
        description=(
            "Who logged it: set by the server to the signed-in user's name when the entry is "
            "created (what a device sends is replaced)."
        ),
    )

    # Each of these belongs to one kind of entry: on another it would be a value no report shows.
    @field_validator("outcome")
    @classmethod
    def _outcome_of_a_call(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("kind") != "call":
            raise FieldError(_("Only a call has an outcome: log it as a call."))
        return value

    @field_validator("reference")
    @classmethod
    def _reference_of_a_report(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        if info.data.get("kind") != "report":
            raise FieldError(_("Only a report to an authority has a case number."))
        if any(unicodedata.category(char) in ("Cc", "Cf") for char in value):
            raise FieldError(_("Write the case number on one line, without control characters."))
        return value

    @field_validator("step")
    @classmethod
    def _step_of_an_action(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("kind") != "action":
            raise FieldError(_("Only an action has a playbook step."))
        return value


SCHEMAS: dict[str, type[Strict]] = {
    "contact": ContactData,
    "playbook": PlaybookData,
    "incident": IncidentData,
    "incident_entry": IncidentEntryData,
}


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _at_most_items(field: str | int, num: int) -> str:
    """Return "At most N <things>." for a list field, naming its items where they have a name."""
    if field == "phones":
        return ngettext("At most %(num)d phone.", "At most %(num)d phones.", num)
    if field == "emails":
        return ngettext("At most %(num)d email address.", "At most %(num)d email addresses.", num)
    if field == "tags":
        return ngettext("At most %(num)d tag.", "At most %(num)d tags.", num)
    if field == "steps":
        return ngettext("At most %(num)d step.", "At most %(num)d steps.", num)
    if field == "contact_ids":
        return ngettext("At most %(num)d contact.", "At most %(num)d contacts.", num)
    if field == "hours":
        return ngettext("At most %(num)d time range.", "At most %(num)d time ranges.", num)
    return ngettext("At most %(num)d item.", "At most %(num)d items.", num)


def _at_most_characters(num: int) -> str:
    return ngettext("At most %(num)d character.", "At most %(num)d characters.", num)


def _choices(expected: str) -> str:
    """Return a literal's allowed values from pydantic's `'a', 'b' or 'c'`, as `a, b, c`."""
    return ", ".join(re.findall(r"'([^']*)'", expected))


def _limit(item: Any, parent: str | int | None, above: bool) -> str:
    """Return the message of a number below its minimum (`above` false) or over its maximum."""
    if parent == "days":
        return _("Use 1 (Monday) to 7 (Sunday).")
    ctx = item.get("ctx", {})
    if above:
        if "le" in ctx:
            return _("Must be %(limit)s or less.", limit=ctx["le"])
        return _("Must be less than %(limit)s.", limit=ctx.get("lt"))
    if "ge" in ctx:
        return _("Must be %(limit)s or more.", limit=ctx["ge"])
    return _("Must be more than %(limit)s.", limit=ctx.get("gt"))


def message(item: Any) -> str:
    """Return the user's message for one pydantic error, in the request's language.

    Pydantic's own texts are English and name its internals ("Input should be a valid
    dictionary or instance of Partner"); the app shows these under the inputs.
    """
    kind = item["type"]
    ctx = item.get("ctx", {})
    loc = item["loc"]
    field = loc[-1] if loc else None
    parent = loc[-2] if len(loc) > 1 else None
    if kind == "missing":
        return _("Required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return _("Required.")
        num = ctx["min_length"]
        return ngettext("At least %(num)d character.", "At least %(num)d characters.", num)
    if kind == "string_too_long":
        return _at_most_characters(ctx["max_length"])
    if kind == "too_long":
        return _at_most_items(field if field is not None else "", ctx["max_length"])
    if kind == "too_short":
        if field == "days":
            return _("Choose at least one day.")
        num = ctx["min_length"]
        return ngettext("Add at least %(num)d item.", "Add at least %(num)d items.", num)
    if kind == "literal_error":
        return _("Choose one of: %(choices)s.", choices=_choices(ctx.get("expected", "")))
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Must be a whole number.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Must be true or false.")
    if kind in ("string_type", "string_sub_type"):
        return _("Must be text.")
    if kind == "list_type":
        return _("Must be a list.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Must be an object with fields.")
    if kind in ("greater_than_equal", "greater_than"):
        return _limit(item, parent, above=False)
    if kind in ("less_than_equal", "less_than"):
        return _limit(item, parent, above=True)
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == COUNTRY:
            return _("Use the two-letter country code, e.g. MX.")
        if ctx.get("pattern") == CLOCK:
            return _("Use 24-hour time, e.g. 09:00 or 18:30.")
        return _("Not in the expected format.")
    if kind.startswith("uuid_"):
        return _("Not a valid id.")
    if kind.startswith(("datetime_", "date_", "timezone_")):
        return _datetime_hint()
    if kind == "value_error":
        if isinstance(ctx.get("error"), FieldError):
            return str(ctx["error"])
        if "reason" in ctx:  # EmailStr: email_validator's reason, in English
            if len(str(item.get("input", ""))) > MAX_EMAIL:
                return _at_most_characters(MAX_EMAIL)
            return _("Not a valid email address: write it as name@example.com.")
    return _("Not a valid value.")


def error_map(error: ValidationError, prefix: tuple[str | int, ...] = ()) -> dict[str, str]:
    """Return the errors by field path (`phones.0.number`), in the request's language."""
    errors: dict[str, str] = {}
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in (*prefix, *item["loc"])) or "_"
        if path not in errors:
            errors[path] = message(item)
    return errors
