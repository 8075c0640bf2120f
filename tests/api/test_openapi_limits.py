"""The limits the app's forms read from /api/v1/openapi.json, at the paths it reads them from.

The app checks lengths, counts, ranges, choices and formats before sending, from the document
(not from numbers copied into JS). Each limit published here must be the one the server
enforces: a value at the limit passes, one past it is rejected at the same field path with a
message that names the limit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask_babel import force_locale
from pydantic import ValidationError

from webapp.api.openapi import openapi_document
from webapp.directory.schemas import ContactData, PlaybookData, Strict, error_map

C = "components.schemas.ContactData.properties"
P = "components.schemas.PlaybookData.properties"
S = "components.schemas"

Build = Callable[[Any], dict[str, Any]]


def contact(**fields: Any) -> dict[str, Any]:
    return {"name": "Ana", **fields}


def playbook(**fields: Any) -> dict[str, Any]:
    return {"name": "Fuga de datos", **fields}


def hours(**fields: Any) -> dict[str, Any]:
    return contact(
        availability={"hours": [{"days": [1], "from": "09:00", "to": "18:00", **fields}]}
    )


def email_of_length(n: int) -> str:
    """A valid address of n characters: 64 before the @, then labels of at most 63 and `com`."""
    local = "a" * 64
    rest = n - len(local + "@com")  # what the labels take, each with its dot
    domain = ""
    while rest > 0:
        label = min(63, rest - 1)
        if rest - (label + 1) == 1:  # a lone dot cannot follow
            label -= 1
        domain += "b" * label + "."
        rest -= label + 1
    return f"{local}@{domain}com"


def at(path: str) -> Any:
    """The document's value at a dotted path (`anyOf[0]` indexes a list)."""
    node: Any = openapi_document()
    for part in path.split("."):
        name, _, index = part.partition("[")
        node = node[name]
        if index:
            node = node[int(index.rstrip("]"))]
    return node


@contextmanager
def english(app: Any) -> Iterator[None]:
    """A request whose messages are in English."""
    with app.test_request_context(), force_locale("en"):
        yield


def errors(model: type[Strict], record: dict[str, Any]) -> dict[str, str]:
    try:
        model.model_validate(record)
    except ValidationError as error:
        return error_map(error)
    return {}


# (document path, model, record with the value at the field, the field's error path, a value
# of length n: text, or a list of n items)
MAX_LENGTHS: list[tuple[str, type[Strict], Build, str, Callable[[int], Any]]] = [
    (f"{C}.name.maxLength", ContactData, lambda v: {"name": v}, "name", "a".__mul__),
    *[
        (
            f"{C}.{field}.anyOf[0].maxLength",
            ContactData,
            lambda v, f=field: contact(**{f: v}),
            field,
            "a".__mul__,
        )
        for field in (
            "organization",
            "role_title",
            "area",
            "address",
            "city",
            "when_to_contact",
            "notes",
        )
    ],
    (
        f"{S}.Phone.properties.label.maxLength",
        ContactData,
        lambda v: contact(phones=[{"number": "911", "label": v}]),
        "phones.0.label",
        "a".__mul__,
    ),
    (
        f"{S}.Phone.properties.number.maxLength",
        ContactData,
        lambda v: contact(phones=[{"number": v}]),
        "phones.0.number",
        "1".__mul__,
    ),
    (
        f"{S}.Email.properties.label.maxLength",
        ContactData,
        lambda v: contact(emails=[{"address": "a@example.com", "label": v}]),
        "emails.0.label",
        "a".__mul__,
    ),
    (
        f"{S}.Email.properties.address.maxLength",
        ContactData,
        lambda v: contact(emails=[{"address": v}]),
        "emails.0.address",
        email_of_length,
    ),
    (
        f"{S}.Partner.properties.procedure.anyOf[0].maxLength",
        ContactData,
        lambda v: contact(partner={"procedure": v}),
        "partner.procedure",
        "a".__mul__,
    ),
    (f"{C}.tags.items.maxLength", ContactData, lambda v: contact(tags=[v]), "tags.0", "a".__mul__),
    (f"{P}.name.maxLength", PlaybookData, lambda v: {"name": v}, "name", "a".__mul__),
    (
        f"{P}.crisis_kind.anyOf[0].maxLength",
        PlaybookData,
        lambda v: playbook(crisis_kind=v),
        "crisis_kind",
        "a".__mul__,
    ),
    (
        f"{P}.guidance.anyOf[0].maxLength",
        PlaybookData,
        lambda v: playbook(guidance=v),
        "guidance",
        "a".__mul__,
    ),
    (
        f"{P}.steps.items.maxLength",
        PlaybookData,
        lambda v: playbook(steps=[v]),
        "steps.0",
        "a".__mul__,
    ),
    # Counts
    (
        f"{C}.phones.maxItems",
        ContactData,
        lambda v: contact(phones=v),
        "phones",
        lambda n: [{"number": "911"}] * n,
    ),
    (
        f"{C}.emails.maxItems",
        ContactData,
        lambda v: contact(emails=v),
        "emails",
        lambda n: [{"address": "a@example.com"}] * n,
    ),
    (f"{C}.tags.maxItems", ContactData, lambda v: contact(tags=v), "tags", lambda n: ["t"] * n),
    (
        f"{S}.Availability.properties.hours.maxItems",
        ContactData,
        lambda v: contact(availability={"hours": v}),
        "availability.hours",
        lambda n: [{"days": [1], "from": "09:00", "to": "18:00"}] * n,
    ),
    (
        f"{S}.HoursRange.properties.days.maxItems",
        ContactData,
        lambda v: hours(days=v),
        "availability.hours.0.days",
        lambda n: [1 + i % 7 for i in range(n)],
    ),
    (
        f"{P}.steps.maxItems",
        PlaybookData,
        lambda v: playbook(steps=v),
        "steps",
        lambda n: ["s"] * n,
    ),
    (
        f"{P}.contact_ids.maxItems",
        PlaybookData,
        lambda v: playbook(contact_ids=v),
        "contact_ids",
        lambda n: [str(uuid.uuid4()) for _ in range(n)],
    ),
]


@pytest.mark.parametrize(
    ("path", "model", "build", "error_path", "of_length"),
    MAX_LENGTHS,
    ids=[case[0] for case in MAX_LENGTHS],
)
def test_each_published_maximum_length_or_count_is_the_servers(
    app, path, model, build, error_path, of_length
):
    limit = at(path)
    assert isinstance(limit, int) and limit > 0
    with english(app):
        assert error_path not in errors(model, build(of_length(limit)))
        message = errors(model, build(of_length(limit + 1)))[error_path]
    assert str(limit) in message and message.startswith("At most"), message


MIN_LENGTHS = [
    (f"{C}.name.minLength", ContactData, lambda v: {"name": v}, "name"),
    (
        f"{S}.Phone.properties.number.minLength",
        ContactData,
        lambda v: contact(phones=[{"number": v}]),
        "phones.0.number",
    ),
    (f"{C}.tags.items.minLength", ContactData, lambda v: contact(tags=[v]), "tags.0"),
    (f"{P}.name.minLength", PlaybookData, lambda v: {"name": v}, "name"),
    (f"{P}.steps.items.minLength", PlaybookData, lambda v: playbook(steps=[v]), "steps.0"),
]


@pytest.mark.parametrize(
    ("path", "model", "build", "error_path"), MIN_LENGTHS, ids=[c[0] for c in MIN_LENGTHS]
)
def test_required_text_is_published_as_min_length_1(app, path, model, build, error_path):
    assert at(path) == 1
    with english(app):
        assert errors(model, build("   "))[error_path] == "Required."
        assert error_path not in errors(model, build("a"))


RANGES = [
    (
        f"{S}.Partner.properties.response_minutes.anyOf[0]",
        lambda v: contact(partner={"response_minutes": v}),
        "partner.response_minutes",
    ),
    (
        f"{S}.Partner.properties.preparation_minutes.anyOf[0]",
        lambda v: contact(partner={"preparation_minutes": v}),
        "partner.preparation_minutes",
    ),
    (
        f"{S}.HoursRange.properties.days.items",
        lambda v: hours(days=[v]),
        "availability.hours.0.days.0",
    ),
]


@pytest.mark.parametrize(("path", "build", "error_path"), RANGES, ids=[c[0] for c in RANGES])
def test_each_published_range_is_the_servers(app, path, build, error_path):
    schema = at(path)
    low, high = schema["minimum"], schema["maximum"]
    assert schema["type"] == "integer"
    with english(app):
        for fine in (low, high):
            assert error_path not in errors(ContactData, build(fine))
        for wrong in (low - 1, high + 1):
            assert error_path in errors(ContactData, build(wrong))


def test_the_minutes_are_a_week_at_most(app):
    for field in ("response_minutes", "preparation_minutes"):
        assert at(f"{S}.Partner.properties.{field}.anyOf[0].maximum") == 7 * 24 * 60
    assert at(f"{S}.HoursRange.properties.days.minItems") == 1


ENUMS = [
    (f"{C}.kind.enum", ContactData, lambda v: contact(kind=v), "kind"),
    (f"{C}.visibility.enum", ContactData, lambda v: contact(visibility=v), "visibility"),
    (f"{P}.severity.enum", PlaybookData, lambda v: playbook(severity=v), "severity"),
    (f"{P}.visibility.enum", PlaybookData, lambda v: playbook(visibility=v), "visibility"),
]


@pytest.mark.parametrize(("path", "model", "build", "error_path"), ENUMS, ids=[c[0] for c in ENUMS])
def test_each_published_choice_list_is_the_servers(app, path, model, build, error_path):
    choices = at(path)
    with english(app):
        for choice in choices:
            assert error_path not in errors(model, build(choice))
        message = errors(model, build("none-of-these"))[error_path]
    assert message == f"Choose one of: {', '.join(choices)}."


PATTERNS = [
    (
        f"{C}.country.anyOf[0].pattern",
        lambda v: contact(country=v),
        "country",
        ["MX", "ES", "M", "MEX", "M1", ""],
    ),
    (
        f"{S}.HoursRange.properties.from.pattern",
        lambda v: hours(**{"from": v}),
        "availability.hours.0.from",
        ["00:00", "09:30", "23:59", "24:00", "9:00", "24:01", "25:00", "09:60"],
    ),
    (
        f"{S}.HoursRange.properties.to.pattern",
        lambda v: hours(to=v),
        "availability.hours.0.to",
        ["18:00", "24:00", "7pm"],
    ),
]


@pytest.mark.parametrize(
    ("path", "build", "error_path", "samples"), PATTERNS, ids=[c[0] for c in PATTERNS]
)
def test_each_published_pattern_is_the_servers(app, path, build, error_path, samples):
    pattern = re.compile(at(path))  # also a valid JavaScript RegExp: no Python-only syntax
    with english(app):
        for sample in samples:
            accepted = error_path not in errors(ContactData, build(sample))
            assert accepted == bool(pattern.fullmatch(sample)), sample


def test_the_email_address_is_published_with_its_format(app):
    assert at(f"{S}.Email.properties.address.format") == "email"
    assert at("components.schemas.ContactData.required") == ["name"]
    assert at("components.schemas.PlaybookData.required") == ["name"]
