"""POST /api/v1/sync: one test per rule of the protocol (docs/ARCHITECTURE.md), on every backend."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import mutation
from webapp.audit.models import AuditEvent
from webapp.auth.session import AUTH_AT
from webapp.db import session_scope
from webapp.directory.models import Contact


def contact_state(app, entity_id):
    with app.app_context(), session_scope(app) as session:
        row = session.get(Contact, uuid.UUID(str(entity_id)))
        if row is None:
            return None
        return {
            "version": row.version,
            "deleted": row.deleted,
            "name": row.name,
            "notes": row.notes,
            "phones": row.phones,
            "revision": row.revision,
        }


def create(device, name="Ana", **fields):
    entity_id = uuid.uuid4()
    body = device.sync(mutation(entity_id, {"name": name, **fields}))
    assert body["results"][0]["status"] == "applied", body
    return entity_id


def test_create_returns_applied_and_the_change(device):
    phone = device()
    entity_id = uuid.uuid4()
    body = phone.sync(
        mutation(
            entity_id, {"name": "Finanzas — reembolsos", "kind": "internal", "area": "finance"}
        )
    )
    assert body["results"] == [
        {
            "id": body["results"][0]["id"],
            "status": "applied",
            "entity_id": str(entity_id),
            "version": 1,
        }
    ]
    [change] = body["changes"]
    assert change["type"] == "contact" and change["entity_id"] == str(entity_id)
    assert change["version"] == 1 and change["deleted"] is False
    assert change["data"]["name"] == "Finanzas — reembolsos"
    assert change["data"]["visibility"] == "team"
    assert body["cursor"] == change["revision"]
    assert body["more"] is False


def test_phone_numbers_are_stored_in_e164_using_the_contacts_then_the_workspaces_country(
    app, device
):
    phone = device()  # the workspace is in MX
    mexican = create(phone, phones=[{"label": "móvil", "number": "55 1234 5678", "whatsapp": True}])
    spanish = create(phone, country="es", phones=[{"number": "612 34 56 78"}])
    emergency = create(phone, kind="emergency", visibility="public", phones=[{"number": "911"}])
    assert contact_state(app, mexican)["phones"] == [
        {"label": "móvil", "number": "+525512345678", "whatsapp": True}
    ]
    assert contact_state(app, spanish)["phones"][0]["number"] == "+34612345678"
    assert contact_state(app, emergency)["phones"][0]["number"] == "911"


def test_an_invalid_phone_is_a_field_error_that_names_it(app, device):
    phone = device()
    entity_id = uuid.uuid4()
    body = phone.sync(
        mutation(
            entity_id, {"name": "Ana", "phones": [{"number": "+525512345678"}, {"number": "12"}]}
        )
    )
    [result] = body["results"]
    assert result["status"] == "rejected"
    assert list(result["errors"]) == ["phones.1.number"]
    assert "12" in result["errors"]["phones.1.number"]
    assert contact_state(app, entity_id) is None
    assert body["changes"] == []


def test_mutations_apply_in_order_each_on_its_own(app, device):
    phone = device()
    first, bad, last = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    body = phone.sync(
        mutation(first, {"name": "First"}),
        mutation(bad, {"name": "x" * 201}),
        mutation(last, {"name": "Last"}),
    )
    assert [r["status"] for r in body["results"]] == ["applied", "rejected", "applied"]
    assert body["results"][1]["errors"] == {"name": "At most 200 characters."}
    assert [c["entity_id"] for c in body["changes"]] == [str(first), str(last)]
    assert body["changes"][0]["revision"] + 1 == body["changes"][1]["revision"]


def test_fields_changed_on_two_devices_merge(app, device):
    phone = device()
    laptop = device(phone.workspace_obj, user=phone.user)
    entity_id = create(phone, name="Anna", notes="after 18:00")
    laptop.sync()
    a = phone.sync(mutation(entity_id, {"name": "Ana"}, base_version=1, base={"name": "Anna"}))
    b = laptop.sync(
        mutation(entity_id, {"notes": "after 20:00"}, base_version=1, base={"notes": "after 18:00"})
    )
    assert a["results"][0]["status"] == "applied" and a["results"][0]["version"] == 2
    assert b["results"][0]["status"] == "applied" and b["results"][0]["version"] == 3
    state = contact_state(app, entity_id)
    assert (state["name"], state["notes"]) == ("Ana", "after 20:00")
    # The laptop learns the phone's change in the same answer.
    assert b["changes"][-1]["data"]["name"] == "Ana"


def test_a_conflicting_field_keeps_the_server_value_and_reports_both(app, device):
    phone = device()
    laptop = device(phone.workspace_obj, user=phone.user)
    entity_id = create(phone, name="Anna", notes="old")
    phone.sync(mutation(entity_id, {"name": "Ana"}, base_version=1, base={"name": "Anna"}))
    body = laptop.sync(
        mutation(
            entity_id,
            {"name": "Ann", "notes": "new"},
            base_version=1,
            base={"name": "Anna", "notes": "old"},
        )
    )
    [result] = body["results"]
    assert result["status"] == "conflict"
    assert result["conflicts"] == [{"field": "name", "server": "Ana", "client": "Ann"}]
    assert result["version"] == 3  # the non-conflicting field still applied
    state = contact_state(app, entity_id)
    assert (state["name"], state["notes"], state["version"]) == ("Ana", "new", 3)


def test_a_field_already_at_the_client_value_is_a_no_op(app, device):
    phone = device()
    laptop = device(phone.workspace_obj, user=phone.user)
    entity_id = create(phone, name="Anna")
    phone.sync(mutation(entity_id, {"name": "Ana"}, base_version=1, base={"name": "Anna"}))
    revision = contact_state(app, entity_id)["revision"]
    body = laptop.sync(mutation(entity_id, {"name": "Ana"}, base_version=1, base={"name": "Anna"}))
    assert body["results"][0]["status"] == "applied"
    assert body["results"][0]["version"] == 2
    assert contact_state(app, entity_id)["revision"] == revision  # nothing changed, no new revision


def test_a_mutation_that_changes_nothing_is_applied_without_a_new_version(app, device):
    phone = device()
    entity_id = create(phone, name="Ana")
    body = phone.sync(mutation(entity_id, {}, base_version=1))
    assert body["results"][0]["status"] == "applied" and body["results"][0]["version"] == 1
    assert body["changes"] == []


def test_a_replayed_mutation_returns_its_first_result_and_changes_nothing(app, device):
    phone = device()
    entity_id = create(phone, name="Anna")
    once = mutation(entity_id, {"name": "Ana"}, base_version=1, base={"name": "Anna"})
    first = phone.sync(once)
    again = phone.sync(once, cursor=0)
    assert again["results"] == first["results"]
    # A retry that (wrongly) carries other fields still changes nothing.
    tampered = dict(once, fields={"name": "Someone else"})
    assert phone.sync(tampered)["results"] == first["results"]
    state = contact_state(app, entity_id)
    assert (state["name"], state["version"]) == ("Ana", 2)


def test_delete_of_an_entity_changed_since_base_version_is_a_conflict(app, device):
    phone = device()
    entity_id = create(phone)
    phone.sync(mutation(entity_id, {"notes": "x"}, base_version=1))
    body = phone.sync(mutation(entity_id, op="delete", base_version=1))
    assert body["results"][0]["status"] == "conflict"
    assert body["results"][0]["version"] == 2
    assert contact_state(app, entity_id)["deleted"] is False


def test_delete_leaves_a_tombstone_in_changes(app, device):
    phone = device()
    other = device(phone.workspace_obj, role="viewer")
    entity_id = create(phone)
    other.sync()
    body = phone.sync(mutation(entity_id, op="delete", base_version=1))
    assert body["results"][0] == {**body["results"][0], "status": "applied", "version": 2}
    changes = other.sync()["changes"]
    assert changes == [
        {
            "type": "contact",
            "entity_id": str(entity_id),
            "version": 2,
            "revision": changes[0]["revision"],
            "deleted": True,
            "data": None,
        }
    ]


def test_deleting_a_deleted_entity_is_applied_whatever_its_base_version(app, device):
    phone = device()
    entity_id = create(phone)
    phone.sync(mutation(entity_id, op="delete", base_version=1))
    for base_version in (None, 1, 2, 99):
        body = phone.sync(mutation(entity_id, op="delete", base_version=base_version))
        assert body["results"][0]["status"] == "applied"
    assert contact_state(app, entity_id)["version"] == 2


def test_a_put_on_a_deleted_entity_is_a_conflict_marked_deleted(app, device):
    phone = device()
    entity_id = create(phone, name="Ana")
    phone.sync(mutation(entity_id, op="delete", base_version=1))
    body = phone.sync(
        mutation(entity_id, {"name": "Ana María"}, base_version=1, base={"name": "Ana"})
    )
    [result] = body["results"]
    assert result["status"] == "conflict" and result["deleted"] is True
    assert contact_state(app, entity_id)["name"] == "Ana"


def test_a_viewers_mutations_are_rejected(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    entity_id = create(owner, name="Ana")
    body = viewer.sync(
        mutation(entity_id, {"name": "Hacked"}, base_version=1),
        mutation(uuid.uuid4(), {"name": "New"}),
        mutation(entity_id, op="delete", base_version=1),
    )
    assert [r["status"] for r in body["results"]] == ["rejected"] * 3
    assert all(r["errors"] == {"_": "forbidden"} for r in body["results"])
    assert contact_state(app, entity_id)["name"] == "Ana"


def test_restricted_entities_are_invisible_to_viewers(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    editor = device(owner.workspace_obj, role="editor")
    secret = create(owner, name="CEO mobile", visibility="restricted")
    team = create(owner, name="Front desk")
    seen = viewer.sync()["changes"]
    # Created restricted, viewers never saw it: not even its id as a tombstone.
    assert [c for c in seen if c["entity_id"] == str(secret)] == []
    assert "CEO mobile" not in json.dumps(seen)
    assert any(c["entity_id"] == str(team) and c["data"]["name"] == "Front desk" for c in seen)
    assert any(
        c["entity_id"] == str(secret) and c["data"]["name"] == "CEO mobile"
        for c in editor.sync()["changes"]
    )


def test_an_entity_that_becomes_restricted_reaches_viewers_as_a_tombstone(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    entity_id = create(owner, name="Partner manager")
    assert viewer.sync()["changes"][0]["data"]["name"] == "Partner manager"
    owner.sync(mutation(entity_id, {"visibility": "restricted"}, base_version=1))
    [change] = viewer.sync()["changes"]
    assert (change["entity_id"], change["deleted"], change["data"]) == (str(entity_id), True, None)
    # And back: it reappears with its data.
    owner.sync(mutation(entity_id, {"visibility": "team"}, base_version=2))
    [change] = viewer.sync()["changes"]
    assert change["deleted"] is False and change["data"]["name"] == "Partner manager"


def test_paging_by_cursor_is_exact(app, device):
    app.config["SYNC_PAGE_SIZE"] = 3
    owner = device()
    ids = {str(create(owner, name=f"Contact {i}")) for i in range(7)}
    reader = device(owner.workspace_obj, role="viewer")
    pages, seen, revisions = 0, [], []
    while True:
        body = reader.sync()
        pages += 1
        seen += [c["entity_id"] for c in body["changes"]]
        revisions += [c["revision"] for c in body["changes"]]
        if not body["more"]:
            break
    assert pages == 3
    assert sorted(seen) == sorted(ids) and len(seen) == 7
    assert revisions == sorted(revisions) and len(set(revisions)) == 7
    assert reader.sync()["changes"] == []


def test_changes_hold_only_what_changed_whatever_the_directory_size(app, device):
    owner = device()
    laptop = device(owner.workspace_obj, user=owner.user)
    created = owner.sync(*[mutation(uuid.uuid4(), {"name": f"Contact {i}"}) for i in range(150)])
    assert len(created["changes"]) == 150
    laptop.sync()
    target = created["changes"][42]["entity_id"]
    owner.sync(mutation(target, {"notes": "new pager"}, base_version=1))
    changes = laptop.sync()["changes"]
    assert [(c["entity_id"], c["data"]["notes"]) for c in changes] == [(target, "new pager")]


def test_revisions_are_consecutive_across_entity_types(app, device):
    owner = device()
    incident = uuid.uuid4()
    body = owner.sync(
        mutation(uuid.uuid4(), {"name": "Ana"}),
        mutation(
            uuid.uuid4(),
            {"name": "Refund storm", "severity": "high", "steps": ["Call finance"]},
            type="playbook",
        ),
        mutation(incident, {"title": "Refund storm on Instagram"}, type="incident"),
        mutation(
            uuid.uuid4(),
            {
                "incident_id": str(incident),
                "text": "Called finance",
                "at": "2026-11-25T02:05:00-06:00",
            },
            type="incident_entry",
        ),
    )
    assert [r["status"] for r in body["results"]] == ["applied"] * 4
    revisions = [c["revision"] for c in body["changes"]]
    assert revisions == list(range(revisions[0], revisions[0] + 4))
    assert body["changes"][3]["data"]["at"] == "2026-11-25T08:05:00Z"


def test_incident_entries_are_append_only_so_offline_devices_never_conflict(app, device):
    phone = device()
    laptop = device(phone.workspace_obj, role="editor")
    incident = uuid.uuid4()
    phone.sync(mutation(incident, {"title": "Threat against an employee"}, type="incident"))
    laptop.sync()
    entry_a, entry_b = uuid.uuid4(), uuid.uuid4()
    a = phone.sync(
        mutation(
            entry_a,
            {"incident_id": str(incident), "text": "Called police 911", "kind": "call"},
            type="incident_entry",
        )
    )
    b = laptop.sync(
        mutation(
            entry_b,
            {"incident_id": str(incident), "text": "Saved screenshots"},
            type="incident_entry",
        )
    )
    assert a["results"][0]["status"] == b["results"][0]["status"] == "applied"
    edit = phone.sync(
        mutation(entry_a, {"text": "rewritten"}, type="incident_entry", base_version=1)
    )
    assert edit["results"][0]["status"] == "rejected"
    assert edit["results"][0]["errors"] == {
        "_": "Incident entries cannot be changed or deleted: add a new entry instead."
    }
    delete = phone.sync(mutation(entry_a, type="incident_entry", op="delete", base_version=1))
    assert delete["results"][0]["status"] == "rejected"
    orphan = phone.sync(
        mutation(
            uuid.uuid4(), {"incident_id": str(uuid.uuid4()), "text": "x"}, type="incident_entry"
        )
    )
    assert orphan["results"][0]["errors"] == {
        "incident_id": "This incident is not in the workspace, or it was deleted."
    }


@pytest.mark.parametrize(
    ("fields", "error_key"),
    [
        ({"name": "Ana", "nickname": "Anita"}, "nickname"),
        ({"name": ""}, "name"),
        ({"name": "Ana", "notes": "x" * 4001}, "notes"),
        ({"name": "Ana", "kind": "friend"}, "kind"),
        ({"name": "Ana", "visibility": "secret"}, "visibility"),
        ({"name": "Ana", "phones": [{"number": "+525512345678"}] * 11}, "phones"),
        ({"name": "Ana", "emails": [{"address": "not an email"}]}, "emails.0.address"),
        (
            {
                "name": "Ana",
                "availability": {"hours": [{"days": [8], "from": "09:00", "to": "18:00"}]},
            },
            "availability.hours.0.days.0",
        ),
        ({"name": "Ana", "availability": {"timezone": "Mars/Olympus"}}, "availability.timezone"),
        ({"name": "Ana", "last_verified_at": "2026-11-25T10:00:00"}, "last_verified_at"),
        ({"organization": "No name"}, "name"),
    ],
)
def test_bad_fields_are_rejected_with_errors_keyed_by_path(app, device, fields, error_key):
    phone = device()
    entity_id = uuid.uuid4()
    body = phone.sync(mutation(entity_id, fields))
    [result] = body["results"]
    assert result["status"] == "rejected"
    assert error_key in result["errors"], result["errors"]
    assert contact_state(app, entity_id) is None


def test_unknown_field_on_update_is_rejected_and_changes_nothing(app, device):
    phone = device()
    entity_id = create(phone, name="Ana")
    body = phone.sync(mutation(entity_id, {"name": "Ana María", "nickname": "x"}, base_version=1))
    assert body["results"][0]["errors"] == {"nickname": "Unknown field."}
    assert contact_state(app, entity_id)["name"] == "Ana"


def test_applied_mutations_are_audited_without_confidential_values(app, device):
    phone = device()
    entity_id = create(
        phone, name="CEO", phones=[{"number": "+525512345678"}], notes="lives at 5th avenue"
    )
    phone.sync(mutation(entity_id, {"notes": "moved"}, base_version=1))
    with app.app_context(), session_scope(app) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sync.mutation").order_by(AuditEvent.id)
        ).all()
        details = [e.details for e in events]
    assert [(d["op"], d["fields"]) for d in details] == [
        ("create", ["name", "notes", "phones"]),
        ("update", ["notes"]),
    ]
    dumped = json.dumps(details)
    assert "5512345678" not in dumped and "5th avenue" not in dumped and "moved" not in dumped


def test_mutation_ids_are_remembered_for_30_days_then_forgotten(app, device):
    from datetime import timedelta

    from webapp.db import utcnow
    from webapp.sync import service
    from webapp.sync.models import ProcessedMutation

    phone = device()
    entity_id = create(phone, name="Ana")
    recent = mutation(entity_id, {"notes": "recent"}, base_version=1)
    phone.sync(recent)
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(
            select(ProcessedMutation).order_by(ProcessedMutation.created_at)
        ).all()
        assert len(rows) == 2
        rows[0].created_at = utcnow() - timedelta(days=31)
        old_id = rows[0].id
    service._last_purge["at"] = 0.0  # the next writing sync purges
    phone.sync(mutation(entity_id, {"notes": "newer"}, base_version=2))
    with app.app_context(), session_scope(app) as session:
        ids = set(session.scalars(select(ProcessedMutation.id)))
    assert old_id not in ids and uuid.UUID(recent["id"]) in ids


# --- one batch that names a mutation id twice (issue 18, finding 5) ----------------------------


def test_a_second_mutation_with_the_same_id_and_another_body_is_rejected_on_its_id(app, device):
    phone = device()
    shared_id = uuid.uuid4()
    first, second = uuid.uuid4(), uuid.uuid4()
    body = phone.sync(
        mutation(first, {"name": "Ana"}, id=shared_id),
        mutation(second, {"name": "Beto"}, id=shared_id),
    )
    applied, refused = body["results"]
    assert applied == {
        "id": str(shared_id),
        "status": "applied",
        "entity_id": str(first),
        "version": 1,
    }
    # Never the first's result under the second's name: the second is refused on its id.
    assert refused["id"] == str(shared_id) and refused["status"] == "rejected"
    assert refused["entity_id"] == str(second)
    assert "own id" in refused["errors"]["id"]
    assert contact_state(app, first)["name"] == "Ana"
    assert contact_state(app, second) is None
    assert [c["entity_id"] for c in body["changes"]] == [str(first)]


def test_the_same_mutation_twice_in_one_batch_is_a_replay_answered_alike(app, device):
    phone = device()
    entity_id = uuid.uuid4()
    once = mutation(entity_id, {"name": "Ana"})
    body = phone.sync(once, dict(once))
    assert body["results"][0] == body["results"][1]
    assert body["results"][0]["status"] == "applied"
    state = contact_state(app, entity_id)
    assert (state["version"], state["revision"]) == (1, 1)


# --- a cursor ahead of the server (issue 18, finding 7) ----------------------------------------


def test_a_cursor_ahead_of_the_server_is_told_to_start_again_from_zero(app, device):
    # A device that synced up to revision 10, then the database came back from a backup at 3.
    owner = device()
    ids = {str(create(owner, name=f"Contact {i}")) for i in range(3)}
    phone = device(owner.workspace_obj, user=owner.user)
    phone.cursor = 10
    body = phone.sync()
    assert body["reset"] is True
    assert {c["entity_id"] for c in body["changes"]} == ids and body["cursor"] == 3
    # From then on it is an ordinary device: no reset at the server's own revision.
    assert "reset" not in phone.sync() and phone.cursor == 3


def test_a_cursor_ahead_still_applies_the_outbox_and_lists_from_zero(app, device):
    owner = device()
    kept = create(owner, name="Ana")
    phone = device(owner.workspace_obj, user=owner.user)
    phone.cursor = 50
    new = uuid.uuid4()
    body = phone.sync(mutation(new, {"name": "Beto"}))
    assert [r["status"] for r in body["results"]] == ["applied"]
    assert body["reset"] is True
    assert [c["entity_id"] for c in body["changes"]] == [str(kept), str(new)]
    assert body["cursor"] == 2 and contact_state(app, new)["name"] == "Beto"


def test_a_locked_device_ahead_of_the_server_gets_cursor_zero_and_reset(app, device):
    owner = device()
    create(owner, name="Ana")
    phone = device(owner.workspace_obj, user=owner.user)
    with phone.client.session_transaction() as cookie:  # no recent password, no token: locked
        cookie[AUTH_AT] = int(time.time()) - 3600
    answer = phone.post({"workspace": phone.workspace, "cursor": 9}).get_json()
    assert answer == {"results": [], "cursor": 0, "more": False, "reset": True}
    created = phone.post(
        {
            "workspace": phone.workspace,
            "cursor": 9,
            "mutations": [mutation(uuid.uuid4(), {"name": "Eva"})],
        }
    ).get_json()
    assert created["reset"] is True and created["cursor"] == 0 and "changes" not in created
