"""The delta envelope (`GET …/snapshot?since=R`): what changed since R, encrypted for one user."""

from __future__ import annotations

import uuid

import pytest

from tests.api.test_snapshot import key_of
from tests.helpers import mutation
from webapp.snapshot import service


def get(client, workspace, since=None, etag=None):
    query = "" if since is None else f"?since={since}"
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(f"/api/v1/workspaces/{workspace}/snapshot{query}", headers=headers)


def contacts(owner, count, **fields):
    ids = [uuid.uuid4() for _ in range(count)]
    owner.sync(*[mutation(i, {"name": f"Contacto {n}", **fields}) for n, i in enumerate(ids)])
    return ids


def all_changes_from(device, cursor):
    """What POST /api/v1/sync returns from `cursor`, every page."""
    changes, more = [], True
    while more:
        body = device.sync(cursor=cursor)
        changes += body["changes"]
        cursor, more = body["cursor"], body["more"]
    return changes


def test_a_delta_holds_exactly_what_sync_returns_from_that_revision(app, device):
    owner = device()
    first = contacts(owner, 30)
    since = owner.cursor
    later = contacts(owner, 3, phones=[{"number": "+525512345678"}])
    owner.sync(mutation(first[0], op="delete", base_version=1))
    owner.sync(mutation(first[1], {"name": "Finanzas"}, base_version=1))
    app.config["SYNC_PAGE_SIZE"] = 2  # the sync answer pages; the delta holds every page

    response = get(owner.client, owner.workspace, since)
    assert response.status_code == 200
    envelope = response.get_json()
    assert envelope["base"] == since
    assert envelope["revision"] == since + 5
    assert envelope["aad"] == (
        f"enlace-delta:v1:{owner.user.id}:{owner.workspace}:{since}:{since + 5}"
    )
    _kid, key = key_of(owner.client)
    delta = service.open_envelope(envelope, key)
    assert delta["changes"] == all_changes_from(owner, since)
    assert [c["entity_id"] for c in delta["changes"]] == [
        *(str(i) for i in later),
        str(first[0]),
        str(first[1]),
    ]
    assert delta["changes"][3]["deleted"] is True


def test_catching_up_after_one_change_costs_a_sliver_of_the_full_snapshot(device):
    owner = device()
    ids = [uuid.uuid4() for _ in range(200)]
    owner.sync(
        *[mutation(i, {"name": f"Contacto {i.hex[:8]}", "notes": f"Guardia {i.hex}"}) for i in ids]
    )
    since = owner.cursor
    owner.sync(mutation(ids[7], {"role_title": "Directora de finanzas"}, base_version=1))

    full = get(owner.client, owner.workspace).get_data()
    delta = get(owner.client, owner.workspace, since).get_data()
    assert len(delta) * 10 < len(full)


def test_a_delta_as_large_as_half_the_snapshot_is_sent_as_the_full_snapshot(device):
    owner = device()
    contacts(owner, 2)
    since = owner.cursor
    contacts(owner, 40)

    envelope = get(owner.client, owner.workspace, since).get_json()
    assert "base" not in envelope
    assert envelope["aad"].startswith("enlace-snapshot:v1:")
    _kid, key = key_of(owner.client)
    assert len(service.open_envelope(envelope, key)["contacts"]) == 42


def test_a_device_that_is_current_gets_304(device):
    owner = device()
    contacts(owner, 2)
    response = get(owner.client, owner.workspace, owner.cursor)
    assert response.status_code == 304
    assert response.get_data() == b""


def test_the_same_delta_twice_is_a_304_until_something_changes(device):
    owner = device()
    ids = contacts(owner, 20)
    since = owner.cursor
    owner.sync(mutation(ids[0], {"name": "Calidad"}, base_version=1))
    first = get(owner.client, owner.workspace, since)
    tag = first.headers["ETag"]
    assert get(owner.client, owner.workspace, since, etag=tag).status_code == 304
    owner.sync(mutation(ids[1], {"name": "Operaciones"}, base_version=1))
    again = get(owner.client, owner.workspace, since, etag=tag)
    assert again.status_code == 200
    assert again.headers["ETag"] != tag


def test_a_viewers_delta_never_holds_restricted_data_but_removes_what_became_restricted(device):
    owner = device()
    team = contacts(owner, 20)
    viewer = device(owner.workspace_obj, role="viewer")
    since = owner.cursor
    secret = uuid.uuid4()
    owner.sync(
        mutation(secret, {"name": "CEO", "visibility": "restricted"}),
        mutation(team[0], {"visibility": "restricted"}, base_version=1),
    )

    envelope = get(viewer.client, viewer.workspace, since).get_json()
    _kid, key = key_of(viewer.client)
    changes = service.open_envelope(envelope, key)["changes"]
    assert changes == [
        {
            "type": "contact",
            "entity_id": str(team[0]),
            "version": 2,
            "revision": since + 2,
            "deleted": True,
            "data": None,
        }
    ]


@pytest.mark.parametrize("since", ["abc", "-1", "1.5", "", "٣", "99999999999999999999999"])
def test_a_since_that_is_not_a_revision_gets_400_naming_it(device, since):
    owner = device()
    contacts(owner, 1)
    response = get(owner.client, owner.workspace, since)
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["since"]


def test_a_delta_of_another_workspace_is_404(device):
    owner = device()
    stranger = device()
    contacts(owner, 3)
    assert get(stranger.client, owner.workspace, 1).status_code == 404


def test_a_device_ahead_of_the_server_gets_the_full_snapshot(device):
    owner = device()
    contacts(owner, 3)
    envelope = get(owner.client, owner.workspace, 1000).get_json()
    assert "base" not in envelope and envelope["revision"] == 3
