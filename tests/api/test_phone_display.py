"""Each phone's `display`: the number as people of the workspace's country read it, computed by
the server beside the E.164 number in sync changes, the snapshot, its deltas and the public list
(docs/ARCHITECTURE.md, 4.3 and 4.5); never stored, never merged."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from tests.api.test_snapshot import key_of
from tests.api.test_snapshot_delta import get
from tests.helpers import mutation
from webapp.db import session_scope
from webapp.directory.models import Contact
from webapp.snapshot import service
from webapp.workspaces.models import Workspace

# A Guadalajara landline, a Spanish mobile, and the national emergency number.
HOME = {"label": "Oficina", "number": "+523300000202", "whatsapp": False}
ABROAD = {"label": "Madrid", "number": "+34612345678", "whatsapp": True}
SHORT = {"label": "", "number": "911", "whatsapp": False}


def shown(phones):
    return [(phone["number"], phone["display"]) for phone in phones]


def create_contact(owner, **fields):
    entity_id = uuid.uuid4()
    body = owner.sync(
        mutation(entity_id, {"name": "Ana Ruiz", "phones": [HOME, ABROAD, SHORT], **fields})
    )
    assert body["results"][0]["status"] == "applied", body
    return entity_id, body


def data_of(changes, entity_id):
    (change,) = [c for c in changes if c["entity_id"] == str(entity_id)]
    return change["data"]


def open_full(owner, etag=None, since=None):
    response = get(owner.client, owner.workspace, since, etag)
    assert response.status_code == 200, response.status_code
    _kid, key = key_of(owner.client)
    return response, service.open_envelope(response.get_json(), key)


def stored_phones(app, entity_id):
    with app.app_context(), session_scope(app) as session:
        return session.scalars(select(Contact.phones).where(Contact.id == entity_id)).one()


def set_country(app, workspace_id, country):
    """Change the workspace's country as a settings screen would (no record changes)."""
    with app.app_context(), session_scope(app) as session:
        session.execute(
            update(Workspace).where(Workspace.id == uuid.UUID(workspace_id)).values(country=country)
        )


def test_sync_changes_carry_the_national_form_at_home_and_the_international_abroad(app, device):
    owner = device()  # a workspace in Mexico
    entity_id, body = create_contact(owner)

    phones = data_of(body["changes"], entity_id)["phones"]
    assert shown(phones) == [
        ("+523300000202", "33 0000 0202"),
        ("+34612345678", "+34 612 34 56 78"),
        ("911", "911"),
    ]
    assert phones[1]["whatsapp"] is True and phones[1]["label"] == "Madrid"
    # Computed for each answer, never kept with the record.
    assert all("display" not in phone for phone in stored_phones(app, entity_id))


def test_the_snapshot_its_deltas_and_the_public_list_carry_the_display_form(device):
    owner = device()
    team_id, _body = create_contact(owner)
    # Enough records that one change is a delta rather than the whole snapshot again.
    owner.sync(*[mutation(uuid.uuid4(), {"name": f"Contacto {n}"}) for n in range(12)])
    public_id, _body = create_contact(
        owner, name="Cruz Roja", kind="emergency", visibility="public"
    )
    since = owner.cursor - 1

    _response, document = open_full(owner)
    for contact in document["contacts"]:
        if contact["phones"]:
            assert shown(contact["phones"])[:2] == [
                ("+523300000202", "33 0000 0202"),
                ("+34612345678", "+34 612 34 56 78"),
            ]

    response, delta = open_full(owner, etag=_response.headers["ETag"], since=since)
    assert response.get_json()["base"] == since
    assert shown(data_of(delta["changes"], public_id)["phones"])[0] == (
        "+523300000202",
        "33 0000 0202",
    )

    public = owner.client.get(f"/api/v1/workspaces/{owner.workspace}/public").get_json()
    (listed,) = public["contacts"]
    assert listed["id"] == str(public_id)
    assert shown(listed["phones"])[1] == ("+34612345678", "+34 612 34 56 78")
    assert team_id != public_id


def test_a_display_sent_back_by_a_client_is_ignored_and_never_conflicts(app, device):
    owner = device()
    other = device(owner.workspace_obj, role="editor")
    entity_id, body = create_contact(owner)
    held = data_of(body["changes"], entity_id)  # phones with their display, as the app keeps them

    # The same phones with a display of the client's own: nothing changes.
    garbled = [{**phone, "display": "whatever the client says"} for phone in held["phones"]]
    same = other.sync(mutation(entity_id, {"phones": garbled}, base_version=1, base=held))
    assert same["results"][0] == {
        "id": same["results"][0]["id"],
        "status": "applied",
        "entity_id": str(entity_id),
        "version": 1,
    }

    # Another device changed the phones meanwhile; this one's base holds the displays it was
    # sent: the base still matches the server's value, so its edit applies without a conflict.
    owner.sync(mutation(entity_id, {"notes": "Llamar primero a la oficina"}, base_version=1))
    changed = [*held["phones"][:2], {"number": "+525512345678", "display": 55}]
    result = other.sync(
        mutation(entity_id, {"phones": changed}, base_version=1, base={"phones": held["phones"]})
    )["results"][0]
    assert result["status"] == "applied" and result["version"] == 3, result
    stored = stored_phones(app, entity_id)
    assert [p["number"] for p in stored] == ["+523300000202", "+34612345678", "+525512345678"]
    assert all("display" not in phone for phone in stored)
    changes = other.sync(cursor=0)["changes"]
    assert shown(data_of(changes, entity_id)["phones"])[2] == ("+525512345678", "55 1234 5678")


def test_a_new_country_reaches_every_copy_with_fresh_display_forms(app, device):
    owner = device()
    entity_id, _body = create_contact(owner)
    response, _document = open_full(owner)  # cached (the plaintext and each record's JSON)
    held = response.headers["ETag"]
    revision = response.get_json()["revision"]

    set_country(app, owner.workspace, "ES")

    # Nothing changed in the directory, but the copy's display forms are Mexico's: the device
    # gets the whole snapshot again, not a 304 nor a delta.
    response, document = open_full(owner, etag=held, since=revision)
    assert "base" not in response.get_json()
    assert document["workspace"]["country"] == "ES"
    (contact,) = document["contacts"]
    assert shown(contact["phones"])[:2] == [
        ("+523300000202", "+52 33 0000 0202"),
        ("+34612345678", "612 34 56 78"),
    ]
    assert response.headers["ETag"] != held
    # The new copy's tag is current again: the next poll is a 304.
    again = get(owner.client, owner.workspace, revision, response.headers["ETag"])
    assert again.status_code == 304
    # Sync answers, computed at each request, follow too.
    changes = owner.sync(cursor=0)["changes"]
    assert shown(data_of(changes, entity_id)["phones"])[1] == ("+34612345678", "612 34 56 78")


def test_a_copy_from_before_display_forms_gets_the_full_snapshot_once(device):
    owner = device()
    create_contact(owner)
    owner.sync(*[mutation(uuid.uuid4(), {"name": f"Contacto {n}"}) for n in range(12)])
    response, _document = open_full(owner)
    revision = response.get_json()["revision"]
    tag = response.headers["ETag"]
    older = tag.rsplit("-", 1)[0] + '"'  # how the tag read before it named the country

    create_contact(owner, name="Luis Pérez")
    response, document = open_full(owner, etag=older, since=revision)
    assert "base" not in response.get_json()
    assert all("display" in phone for c in document["contacts"] for phone in c["phones"])

    # With the current tag the same request is a delta.
    delta = get(owner.client, owner.workspace, revision, tag)
    assert delta.status_code == 200 and delta.get_json()["base"] == revision
