"""What a mutation may hold: any nesting is judged on its own, types are strict, text is NFC."""

from __future__ import annotations

import json
import unicodedata
import uuid

from sqlalchemy import update

from tests.conftest import mutation
from webapp.db import session_scope
from webapp.directory.models import Contact, Playbook

# orjson parses up to 1,024 levels: a value this deep inside a mutation reaches the service.
DEPTH = 1000


def deep_list(depth: int = DEPTH) -> str:
    return "[" * depth + '"x"' + "]" * depth


def deep_object(depth: int = DEPTH) -> str:
    return '{"a":' * depth + '"x"' + "}" * depth


def raw_mutation(entity_id, fields_json: str, base_json: str = "{}", base_version=None) -> str:
    """One mutation as JSON text, so that a value too deep for a JSON encoder can be sent."""
    return (
        f'{{"id": "{uuid.uuid4()}", "type": "contact", "entity_id": "{entity_id}", "op": "put", '
        f'"base_version": {json.dumps(base_version)}, "fields": {fields_json}, '
        f'"base": {base_json}}}'
    )


def post_raw(device, mutations: list[str]):
    body = (
        f'{{"workspace": "{device.workspace}", "cursor": 0, "mutations": [{",".join(mutations)}]}}'
    )
    return device.client.post(
        "/api/v1/sync",
        data=body.encode(),
        content_type="application/json",
        headers={"X-CSRFToken": device.token()},
    )


def stored(app, model, entity_id):
    with app.app_context(), session_scope(app) as session:
        row = session.get(model, uuid.UUID(str(entity_id)))
        return None if row is None else {name: getattr(row, name) for name in model.FIELDS}


# --- 1. nesting --------------------------------------------------------------------------------


def test_a_deeply_nested_value_is_rejected_alone_and_the_batch_can_be_retried(app, device):
    phone = device()
    existing = uuid.uuid4()
    phone.sync(mutation(existing, {"name": "Luis", "tags": ["finance"]}))
    valid, deep_tags, deep_availability = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    batch = [
        raw_mutation(valid, '{"name": "Ana"}'),
        raw_mutation(deep_tags, f'{{"name": "Bea", "tags": {deep_list()}}}'),
        raw_mutation(deep_availability, f'{{"name": "Eva", "availability": {deep_object()}}}'),
        # An update whose base (the values the device read) is nested just as deep.
        raw_mutation(existing, '{"tags": ["legal"]}', f'{{"tags": {deep_list()}}}', 1),
        raw_mutation(existing, f'{{"notes": {deep_list()}}}', "{}", 1),
    ]
    first = post_raw(phone, batch)
    assert first.status_code == 200, first.get_data(as_text=True)[:500]
    results = first.get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] + ["rejected"] * 4
    assert "tags.0" in results[1]["errors"]
    assert "availability.a" in results[2]["errors"]
    assert "base.tags.0" in results[3]["errors"]
    assert "notes" in results[4]["errors"]
    assert stored(app, Contact, valid)["name"] == "Ana"
    assert (
        stored(app, Contact, deep_tags) is None and stored(app, Contact, deep_availability) is None
    )
    assert stored(app, Contact, existing)["tags"] == ["finance"]
    # A device that lost the answer sends the same batch again: the same answer, nothing new.
    again = post_raw(phone, batch)
    assert again.status_code == 200
    assert again.get_json()["results"] == results


# --- 2. strict types ---------------------------------------------------------------------------


def test_iso_datetimes_and_uuid_strings_are_still_accepted(app, device):
    phone = device()
    contact, backup, incident = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    body = phone.sync(
        mutation(backup, {"name": "Backup"}),
        mutation(
            contact,
            {
                "name": "Ana",
                "backup_contact_id": str(backup),
                "last_verified_at": "2026-11-01T06:00:00-06:00",
                "phones": [{"number": "+525512345678", "whatsapp": True}],
                "partner": {"response_minutes": 15},
                "availability": {
                    "always": False,
                    "hours": [{"days": [1], "from": "09:00", "to": "18:00"}],
                },
            },
        ),
        mutation(
            incident, {"title": "Outage", "started_at": "2026-11-25T02:00:00Z"}, type="incident"
        ),
    )
    assert [r["status"] for r in body["results"]] == ["applied"] * 3, body["results"]
    assert body["changes"][1]["data"]["last_verified_at"] == "2026-11-01T12:00:00Z"


# --- 3. Unicode normalisation ------------------------------------------------------------------

NFC = unicodedata.normalize("NFC", "José Núñez")
NFD = unicodedata.normalize("NFD", "José Núñez")


def test_text_is_stored_in_nfc_nested_text_included(app, device):
    assert NFC != NFD
    phone = device()
    contact, playbook = uuid.uuid4(), uuid.uuid4()
    body = phone.sync(
        mutation(
            contact,
            {
                "name": NFD,
                "notes": NFD,
                "tags": [NFD],
                "phones": [{"label": NFD, "number": "+525512345678"}],
                "emails": [{"label": NFD, "address": "jose@example.com"}],
                "partner": {"procedure": NFD},
            },
        ),
        mutation(playbook, {"name": NFD, "steps": [NFD], "guidance": NFD}, type="playbook"),
    )
    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    row = stored(app, Contact, contact)
    assert row["name"] == row["notes"] == NFC
    assert row["tags"] == [NFC]
    assert row["phones"][0]["label"] == row["emails"][0]["label"] == NFC
    assert row["partner"]["procedure"] == NFC
    book = stored(app, Playbook, playbook)
    assert book["name"] == book["guidance"] == NFC and book["steps"] == [NFC]
    assert NFD not in json.dumps(body["changes"], ensure_ascii=False)


def test_the_same_name_typed_on_two_devices_is_never_a_conflict_with_itself(app, device):
    phone = device()
    laptop = device(phone.workspace_obj, user=phone.user)
    entity_id = uuid.uuid4()
    phone.sync(mutation(entity_id, {"name": "Jose Nunez"}))
    laptop.sync()
    # The phone's keyboard composes accents one way, the laptop's the other.
    phone.sync(mutation(entity_id, {"name": NFD}, base_version=1, base={"name": "Jose Nunez"}))
    body = laptop.sync(
        mutation(entity_id, {"name": NFC}, base_version=1, base={"name": "Jose Nunez"})
    )
    [result] = body["results"]
    assert result["status"] == "applied" and "conflicts" not in result, result
    assert result["version"] == 2


def test_a_name_stored_in_nfd_before_normalisation_compares_equal_to_its_nfc_form(app, device):
    phone = device()
    entity_id = uuid.uuid4()
    phone.sync(mutation(entity_id, {"name": "Jose", "tags": ["x"]}))
    # A record written before text was normalised.
    with app.app_context(), session_scope(app) as session:
        session.execute(update(Contact).where(Contact.id == entity_id).values(name=NFD, tags=[NFD]))
    stale = phone.sync(
        mutation(entity_id, {"name": NFC, "tags": [NFC]}, base_version=0, base={"name": "Jose"})
    )
    [result] = stale["results"]
    assert result["status"] == "applied" and "conflicts" not in result, result
    fresh = phone.sync(
        mutation(
            entity_id,
            {"notes": "n", "name": NFC},
            base_version=0,
            base={"name": NFD, "notes": None},
        )
    )
    [result] = fresh["results"]
    assert result["status"] == "applied" and "conflicts" not in result, result
    assert stored(app, Contact, entity_id)["notes"] == "n"
