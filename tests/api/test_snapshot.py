"""Snapshot keys, the encrypted envelope, ETags and the public contacts."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from tests.conftest import PASSWORD, Auth, change_password, mutation
from webapp.audit.models import AuditEvent
from webapp.db import session_scope
from webapp.snapshot import service


def key_of(client) -> tuple[str, bytes]:
    body = client.get("/api/v1/keys/snapshot").get_json()
    return body["kid"], base64.urlsafe_b64decode(body["key"] + "=" * (-len(body["key"]) % 4))


def open_snapshot(client, workspace_id):
    response = client.get(f"/api/v1/workspaces/{workspace_id}/snapshot")
    assert response.status_code == 200, response.get_data(as_text=True)
    _kid, key = key_of(client)
    return response, service.open_envelope(response.get_json(), key)


def seed(owner):
    public, team, secret = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    owner.sync(
        mutation(
            public,
            {
                "name": "Bomberos",
                "kind": "emergency",
                "visibility": "public",
                "phones": [{"number": "911"}],
            },
        ),
        mutation(
            team, {"name": "Finanzas", "area": "finance", "phones": [{"number": "+525512345678"}]}
        ),
        mutation(
            secret,
            {"name": "CEO", "visibility": "restricted", "phones": [{"number": "+525587654321"}]},
        ),
    )
    return public, team, secret


def test_snapshot_key_is_32_bytes_never_cached_and_stable(device):
    owner = device()
    response = owner.client.get("/api/v1/keys/snapshot")
    assert response.headers["Cache-Control"] == "no-store"
    kid, key = key_of(owner.client)
    assert len(key) == 32
    assert key_of(owner.client) == (kid, key)


def test_snapshot_key_needs_a_signed_in_user(client):
    response = client.get("/api/v1/keys/snapshot")
    assert response.status_code == 401 and response.is_json


def test_envelope_decrypts_with_the_key_and_its_aad(device):
    owner = device()
    public, team, secret = seed(owner)
    response, document = open_snapshot(owner.client, owner.workspace)
    envelope = response.get_json()
    assert set(envelope) == {"v", "alg", "kid", "revision", "iv", "aad", "ciphertext"}
    assert envelope["alg"] == "A256GCM" and envelope["v"] == 1
    assert (
        envelope["aad"]
        == f"enlace-snapshot:v1:{owner.user.id}:{owner.workspace}:{envelope['revision']}"
    )
    assert "=" not in envelope["iv"] + envelope["ciphertext"]  # base64url without padding
    assert {c["name"] for c in document["contacts"]} == {"Bomberos", "Finanzas", "CEO"}
    assert document["revision"] == envelope["revision"] == 3
    # Nothing readable of a contact travels in clear.
    assert "Finanzas" not in response.get_data(as_text=True)
    assert "5512345678" not in response.get_data(as_text=True)


def test_envelope_does_not_open_with_another_aad_or_key(device):
    owner = device()
    seed(owner)
    response, _document = open_snapshot(owner.client, owner.workspace)
    envelope = response.get_json()
    _kid, key = key_of(owner.client)
    tampered = dict(envelope, aad=envelope["aad"].replace(str(owner.user.id), str(uuid.uuid4())))
    with pytest.raises(InvalidTag):
        service.open_envelope(tampered, key)
    with pytest.raises(InvalidTag):
        service.open_envelope(envelope, bytes(32))


def test_viewers_snapshot_leaves_out_restricted_contacts(device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    seed(owner)
    _response, document = open_snapshot(viewer.client, viewer.workspace)
    assert {c["name"] for c in document["contacts"]} == {"Bomberos", "Finanzas"}
    assert "CEO" not in json.dumps(document)


def test_deleted_contacts_are_not_in_the_snapshot(device):
    owner = device()
    _public, team, _secret = seed(owner)
    owner.sync(mutation(team, op="delete", base_version=1))
    _response, document = open_snapshot(owner.client, owner.workspace)
    assert "Finanzas" not in {c["name"] for c in document["contacts"]}


def test_etag_gives_304_until_the_directory_changes(device):
    owner = device()
    _public, team, _secret = seed(owner)
    first = owner.client.get(f"/api/v1/workspaces/{owner.workspace}/snapshot")
    etag = first.headers["ETag"]
    again = owner.client.get(
        f"/api/v1/workspaces/{owner.workspace}/snapshot", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.get_data() == b""
    owner.sync(mutation(team, {"notes": "new"}, base_version=1))
    changed = owner.client.get(
        f"/api/v1/workspaces/{owner.workspace}/snapshot", headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_etag_changes_with_the_role_so_a_promoted_viewer_gets_restricted_contacts(
    app, device, add_member
):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    seed(owner)
    etag = viewer.client.get(f"/api/v1/workspaces/{viewer.workspace}/snapshot").headers["ETag"]
    add_member(owner.workspace_obj, viewer.user, "editor")
    response = viewer.client.get(
        f"/api/v1/workspaces/{viewer.workspace}/snapshot", headers={"If-None-Match": etag}
    )
    assert response.status_code == 200
    _kid, key = key_of(viewer.client)
    assert "CEO" in {c["name"] for c in service.open_envelope(response.get_json(), key)["contacts"]}


def test_key_rotates_on_password_change_and_old_envelopes_no_longer_open(device):
    owner = device()
    seed(owner)
    old_kid, old_key = key_of(owner.client)
    change_password(owner.client, PASSWORD, "another long passphrase")
    new_kid, new_key = key_of(owner.client)
    assert new_kid != old_kid and new_key != old_key
    envelope = owner.client.get(f"/api/v1/workspaces/{owner.workspace}/snapshot").get_json()
    assert envelope["kid"] == new_kid
    with pytest.raises(InvalidTag):
        service.open_envelope(envelope, old_key)


def test_key_rotates_when_a_member_is_removed(app, device):
    owner = device()
    editor = device(owner.workspace_obj, role="editor")
    old_kid, _key = key_of(editor.client)
    Auth(owner.client).post(f"/workspaces/{owner.workspace}/members/{editor.user.id}/remove")
    assert editor.client.get(f"/api/v1/workspaces/{editor.workspace}/snapshot").status_code == 404
    assert key_of(editor.client)[0] != old_kid


def test_the_plaintext_is_built_once_per_revision_and_class(app, device, monkeypatch):
    owner = device()
    editor = device(owner.workspace_obj, role="editor")
    viewer = device(owner.workspace_obj, role="viewer")
    seed(owner)
    builds = []
    original = service.build_document
    monkeypatch.setattr(
        service, "build_document", lambda *a, **k: builds.append(a[2]) or original(*a, **k)
    )
    for member in (owner, editor, viewer, owner, viewer):
        assert (
            member.client.get(f"/api/v1/workspaces/{member.workspace}/snapshot").status_code == 200
        )
    assert sorted(builds) == [False, True]  # one full (owner+editor), one without restricted


def test_public_contacts_are_in_clear_for_members_only(device, make_user, app):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    seed(owner)
    body = viewer.client.get(f"/api/v1/workspaces/{viewer.workspace}/public").get_json()
    assert [(c["name"], c["phones"][0]["number"]) for c in body["contacts"]] == [
        ("Bomberos", "911")
    ]
    # In clear on the device, only what quick dial shows: the rest is in the sealed snapshot.
    assert set(body["contacts"][0]) == {"id", "version", "name", "phones", "tags", "visibility"}
    outsider = device()
    assert outsider.client.get(f"/api/v1/workspaces/{owner.workspace}/public").status_code == 404
    assert outsider.client.get(f"/api/v1/workspaces/{owner.workspace}/snapshot").status_code == 404
    assert app.test_client().get(f"/api/v1/workspaces/{owner.workspace}/public").status_code == 401


def test_key_and_snapshot_fetches_are_audited(app, device):
    owner = device()
    seed(owner)
    open_snapshot(owner.client, owner.workspace)
    with app.app_context(), session_scope(app) as session:
        actions = [
            e.action
            for e in session.scalars(select(AuditEvent).where(AuditEvent.actor_id == owner.user.id))
        ]
    assert "snapshot.fetched" in actions and "snapshot.key_fetched" in actions


def test_a_new_snapshot_holds_every_change_since_the_last_one(device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    public, team, secret = seed(owner)
    open_snapshot(owner.client, owner.workspace)
    open_snapshot(viewer.client, viewer.workspace)  # both classes built and cached
    owner.sync(
        mutation(team, {"name": "Finanzas y reembolsos"}, base_version=1),
        mutation(public, op="delete", base_version=1),
        mutation(secret, {"visibility": "team"}, base_version=1),
    )
    _response, document = open_snapshot(viewer.client, viewer.workspace)
    assert {(c["name"], c["version"]) for c in document["contacts"]} == {
        ("Finanzas y reembolsos", 2),
        ("CEO", 2),
    }
    assert document["revision"] == 6


def test_snapshot_records_equal_what_sync_returns(device):
    owner = device()
    entity_id = uuid.uuid4()
    fields = {
        "name": "Pizzería La Esquina",
        "kind": "partner",
        "phones": [{"label": "gerente", "number": "+525512345678", "whatsapp": True}],
        "emails": [{"label": "quejas", "address": "quejas@example.com"}],
        "availability": {
            "timezone": "America/Mexico_City",
            "always": False,
            "hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}],
        },
        "partner": {"response_minutes": 30, "procedure": "Llamar al gerente; si no, al dueño."},
        "tags": ["restaurante", "socio"],
        "last_verified_at": "2026-11-01T12:00:00Z",
    }
    body = owner.sync(mutation(entity_id, fields))
    [change] = body["changes"]
    for _ in range(2):  # first built, then from the checkpoint it saved
        owner.client.application.extensions.pop("enlace_snapshot_cache", None)
        _response, document = open_snapshot(owner.client, owner.workspace)
        [record] = document["contacts"]
        assert record == {
            "id": str(entity_id),
            "version": 1,
            "revision": change["revision"],
            **change["data"],
        }
    assert record["availability"]["hours"][0]["from"] == "09:00"
