"""References between records name records of the same workspace, or the mutation is rejected."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import mutation


@pytest.fixture
def two(device):
    """An owner's workspace with one record of each type, and another workspace with the same."""
    records = {}
    for side in ("mine", "theirs"):
        owner = device()
        ids = {kind: uuid.uuid4() for kind in ("contact", "playbook", "incident")}
        body = owner.sync(
            mutation(ids["contact"], {"name": f"{side} contact"}),
            mutation(ids["playbook"], {"name": f"{side} playbook"}, type="playbook"),
            mutation(ids["incident"], {"title": f"{side} incident"}, type="incident"),
        )
        assert [r["status"] for r in body["results"]] == ["applied"] * 3
        records[side] = {"device": owner, **ids}
    return records


def entry(incident, **fields):
    return {"incident_id": str(incident), "text": "Called", **fields}


# (type, fields for a create, the field path the error must name)
CROSS = [
    (
        "contact",
        lambda m, t: {"name": "Ana", "backup_contact_id": str(t["contact"])},
        "backup_contact_id",
    ),
    (
        "playbook",
        lambda m, t: {"name": "Refunds", "contact_ids": [str(m["contact"]), str(t["contact"])]},
        "contact_ids.1",
    ),
    ("incident", lambda m, t: {"title": "Storm", "playbook_id": str(t["playbook"])}, "playbook_id"),
    (
        "incident_entry",
        lambda m, t: entry(m["incident"], contact_id=str(t["contact"])),
        "contact_id",
    ),
    ("incident_entry", lambda m, t: entry(t["incident"]), "incident_id"),
]


@pytest.mark.parametrize(
    ("entity_type", "make", "error_key"), CROSS, ids=[f"{c[0]}-{c[2]}" for c in CROSS]
)
def test_a_reference_to_another_workspaces_record_is_rejected_with_the_field_named(
    two, entity_type, make, error_key
):
    mine, theirs = two["mine"], two["theirs"]
    owner = mine["device"]
    entity_id = uuid.uuid4()
    body = owner.sync(mutation(entity_id, make(mine, theirs), type=entity_type))
    [result] = body["results"]
    assert result["status"] == "rejected", result
    assert list(result["errors"]) == [error_key], result
    assert body["changes"] == []


def test_an_update_cannot_point_a_reference_at_another_workspace(two):
    mine, theirs = two["mine"], two["theirs"]
    owner = mine["device"]
    body = owner.sync(
        mutation(mine["contact"], {"backup_contact_id": str(theirs["contact"])}, base_version=1),
        mutation(
            mine["playbook"],
            {"contact_ids": [str(theirs["contact"])]},
            type="playbook",
            base_version=1,
        ),
    )
    assert [r["status"] for r in body["results"]] == ["rejected", "rejected"]
    assert list(body["results"][0]["errors"]) == ["backup_contact_id"]
    assert list(body["results"][1]["errors"]) == ["contact_ids.0"]
    assert body["changes"] == []


def test_a_reference_to_an_id_no_workspace_has_is_rejected_too(two):
    owner = two["mine"]["device"]
    body = owner.sync(
        mutation(uuid.uuid4(), {"name": "Ana", "backup_contact_id": str(uuid.uuid4())})
    )
    [result] = body["results"]
    assert result["status"] == "rejected" and list(result["errors"]) == ["backup_contact_id"]


def test_references_within_the_workspace_are_applied_even_to_a_record_created_in_the_same_batch(
    two,
):
    mine = two["mine"]
    owner = mine["device"]
    backup, contact, playbook, incident = (uuid.uuid4() for _ in range(4))
    body = owner.sync(
        mutation(backup, {"name": "Backup"}),
        mutation(contact, {"name": "Ana", "backup_contact_id": str(backup)}),
        mutation(
            playbook,
            {"name": "Refunds", "contact_ids": [str(contact), str(backup)]},
            type="playbook",
        ),
        mutation(incident, {"title": "Storm", "playbook_id": str(playbook)}, type="incident"),
        mutation(uuid.uuid4(), entry(incident, contact_id=str(contact)), type="incident_entry"),
        mutation(mine["contact"], {"backup_contact_id": str(contact)}, base_version=1),
    )
    assert [r["status"] for r in body["results"]] == ["applied"] * 6, body["results"]


def test_an_offline_entry_for_an_incident_deleted_meanwhile_is_rejected_naming_incident_id(
    device,
):
    phone = device()
    laptop = device(phone.workspace_obj, role="editor")
    incident = uuid.uuid4()
    phone.sync(mutation(incident, {"title": "Threat against an employee"}, type="incident"))
    laptop.sync()
    phone.sync(mutation(incident, type="incident", op="delete", base_version=1))
    # The laptop was offline: it still shows the incident and logs a call on it.
    body = laptop.sync(
        mutation(uuid.uuid4(), entry(incident, kind="call"), type="incident_entry"), cursor=0
    )
    [result] = body["results"]
    assert result["status"] == "rejected"
    assert list(result["errors"]) == ["incident_id"]
    assert all(c["type"] != "incident_entry" for c in body["changes"])
