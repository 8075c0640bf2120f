"""What viewers learn of restricted records, and what a change of membership does to a device."""

from __future__ import annotations

import json
import uuid

from tests.conftest import Auth, mutation

from .test_snapshot import key_of, open_snapshot


def pull_all(device, cursor: int = 0) -> tuple[list[dict], int, int]:
    """Page from `cursor` until `more` is false; return the changes, the cursor and the pages."""
    changes, pages = [], 0
    while True:
        body = device.sync(cursor=cursor)
        pages += 1
        assert pages < 50, "the pull does not end"
        assert body["cursor"] >= cursor
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["more"]:
            return changes, cursor, pages


def mentions(changes: list[dict], *ids) -> list[dict]:
    wanted = {str(i) for i in ids}
    return [c for c in changes if c["entity_id"] in wanted]


# --- 5. restricted_since -----------------------------------------------------------------------


def test_viewer_never_learns_of_a_record_created_restricted(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    viewer.sync()
    secret, book, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    owner.sync(
        mutation(secret, {"name": "CEO mobile", "visibility": "restricted"}),
        mutation(book, {"name": "Threats", "visibility": "restricted"}, type="playbook"),
        mutation(gone, {"name": "Old lawyer", "visibility": "restricted"}),
    )
    for version in range(1, 5):
        owner.sync(mutation(secret, {"notes": f"edit {version}"}, base_version=version))
    owner.sync(mutation(gone, op="delete", base_version=1))
    team = uuid.uuid4()
    last = owner.sync(mutation(team, {"name": "Front desk"}))
    body = viewer.sync()
    assert [c["entity_id"] for c in body["changes"]] == [str(team)]
    assert body["cursor"] == last["cursor"] and body["more"] is False
    # Nor does a viewer who arrives later and pulls everything.
    newcomer = device(owner.workspace_obj, role="viewer")
    changes, _cursor, _pages = pull_all(newcomer)
    assert mentions(changes, secret, book, gone) == []
    assert "CEO mobile" not in json.dumps(changes)
    # Editors see all of it.
    editor = device(owner.workspace_obj, role="editor")
    changes, _cursor, _pages = pull_all(editor)
    assert {c["entity_id"] for c in mentions(changes, secret, book)} == {str(secret), str(book)}


def test_a_record_that_becomes_restricted_reaches_each_viewer_as_one_tombstone(app, device):
    owner = device()
    early = device(owner.workspace_obj, role="viewer")
    contact, book = uuid.uuid4(), uuid.uuid4()
    owner.sync(
        mutation(contact, {"name": "Partner manager"}),
        mutation(book, {"name": "Refunds"}, type="playbook"),
    )
    early.sync()  # holds both
    owner.sync(
        mutation(contact, {"visibility": "restricted"}, base_version=1),
        mutation(book, {"visibility": "restricted"}, type="playbook", base_version=1),
    )
    late = device(owner.workspace_obj, role="viewer")
    late.sync()  # arrived after: never held them
    for version in range(2, 5):
        owner.sync(mutation(contact, {"notes": f"edit {version}"}, base_version=version))
    [tomb_contact, tomb_book] = early.sync()["changes"]
    assert {(c["entity_id"], c["deleted"], c["data"]) for c in (tomb_contact, tomb_book)} == {
        (str(contact), True, None),
        (str(book), True, None),
    }
    owner.sync(mutation(contact, {"notes": "edit 5"}, base_version=5))
    assert early.sync()["changes"] == []
    assert late.sync()["changes"] == []
    # Deleting it now tells viewers nothing more either.
    owner.sync(mutation(contact, op="delete", base_version=6))
    assert early.sync()["changes"] == [] and late.sync()["changes"] == []


def test_a_record_made_unrestricted_reaches_viewers_with_its_data_again(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    secret = uuid.uuid4()
    owner.sync(mutation(secret, {"name": "CEO mobile", "visibility": "restricted"}))
    viewer.sync()
    owner.sync(mutation(secret, {"visibility": "team"}, base_version=1))
    [change] = viewer.sync()["changes"]
    assert change["deleted"] is False and change["data"]["name"] == "CEO mobile"
    owner.sync(mutation(secret, {"visibility": "restricted"}, base_version=2))
    [change] = viewer.sync()["changes"]
    assert (change["entity_id"], change["deleted"]) == (str(secret), True)


def test_paging_past_records_hidden_from_a_viewer_is_exact(app, device):
    app.config["SYNC_PAGE_SIZE"] = 2
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    visible = []
    for i in range(4):
        hidden = [
            mutation(uuid.uuid4(), {"name": f"Secret {i}.{j}", "visibility": "restricted"})
            for j in range(3)
        ]
        shown = uuid.uuid4()
        visible.append(str(shown))
        owner.sync(*hidden, mutation(shown, {"name": f"Team {i}"}))
    # Ten restricted records changed last: a page of the viewer's may hold none of its rows.
    for j in range(10):
        owner.sync(mutation(uuid.uuid4(), {"name": f"Last secret {j}", "visibility": "restricted"}))
    changes, cursor, _pages = pull_all(viewer)
    assert [c["entity_id"] for c in changes] == visible
    assert cursor == owner.sync()["cursor"]  # the workspace's revision
    # A later change is not missed.
    later = uuid.uuid4()
    owner.sync(mutation(later, {"name": "Later"}))
    changes, _cursor, _pages = pull_all(viewer, cursor)
    assert [c["entity_id"] for c in changes] == [str(later)]


# --- 6. a change of role -----------------------------------------------------------------------


def set_role(owner, member, role):
    response = Auth(owner.client).post(
        f"/workspaces/{owner.workspace}/members/{member.user.id}/role", {"role": role}
    )
    assert response.status_code == 302


def test_demotion_to_viewer_rotates_the_key_and_the_next_pull_has_no_restricted_data(app, device):
    owner = device()
    editor = device(owner.workspace_obj, role="editor")
    secret, team = uuid.uuid4(), uuid.uuid4()
    owner.sync(
        mutation(secret, {"name": "CEO mobile", "visibility": "restricted"}),
        mutation(team, {"name": "Front desk"}),
    )
    assert mentions(editor.sync()["changes"], secret)
    old_kid, old_key = key_of(editor.client)
    set_role(owner, editor, "viewer")
    new_kid, _new_key = key_of(editor.client)
    assert new_kid != old_kid  # the device wipes what it holds under the old key
    changes, _cursor, _pages = pull_all(editor)  # and downloads afresh
    assert mentions(changes, secret) == [] and mentions(changes, team)
    assert "CEO mobile" not in json.dumps(changes)
    response, document = open_snapshot(editor.client, editor.workspace)
    assert "CEO mobile" not in json.dumps(document)
    assert response.get_json()["kid"] == new_kid


def test_owner_to_editor_keeps_the_key(app, device):
    owner = device()
    second = device(owner.workspace_obj, role="owner")
    kid, _key = key_of(second.client)
    set_role(owner, second, "editor")
    assert key_of(second.client)[0] == kid


def test_promotion_to_editor_rotates_the_key_so_the_device_gets_older_restricted_records(
    app, device, add_member
):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    secret = uuid.uuid4()
    owner.sync(mutation(secret, {"name": "CEO mobile", "visibility": "restricted"}))
    viewer.sync()  # its cursor is past the restricted record, which it never got
    kid, _key = key_of(viewer.client)
    add_member(owner.workspace_obj, viewer.user, "editor")  # `enlace members add` path
    assert key_of(viewer.client)[0] != kid  # the device downloads afresh and gets it
    changes, _cursor, _pages = pull_all(viewer)
    assert mentions(changes, secret)[0]["data"]["name"] == "CEO mobile"


# --- 8. removal --------------------------------------------------------------------------------


def test_removed_member_gets_404_so_the_device_wipes_the_workspace(app, device):
    owner = device()
    editor = device(owner.workspace_obj, role="editor")
    owner.sync(mutation(uuid.uuid4(), {"name": "Front desk"}))
    editor.sync()
    old_kid, _key = key_of(editor.client)
    response = Auth(owner.client).post(
        f"/workspaces/{owner.workspace}/members/{editor.user.id}/remove"
    )
    assert response.status_code == 302
    base = f"/api/v1/workspaces/{editor.workspace}"
    answers = {
        "sync": editor.post({"workspace": editor.workspace, "cursor": 0}),
        "sync with mutations": editor.post(
            {"workspace": editor.workspace, "mutations": [mutation(uuid.uuid4(), {"name": "X"})]}
        ),
        "snapshot": editor.client.get(f"{base}/snapshot"),
        "public": editor.client.get(f"{base}/public"),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    # Exactly what a workspace that never existed answers: ids cannot be probed.
    unknown = f"/api/v1/workspaces/{uuid.uuid4()}/snapshot"
    assert answers["snapshot"].get_json() == editor.client.get(unknown).get_json()
    session = editor.client.get("/api/v1/session").get_json()
    assert editor.workspace not in {w["id"] for w in session["workspaces"]}
    assert key_of(editor.client)[0] != old_kid


def test_a_decrypted_snapshot_never_holds_restricted_records_for_a_viewer(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    secret = uuid.uuid4()
    owner.sync(mutation(secret, {"name": "Partner manager"}))
    owner.sync(mutation(secret, {"visibility": "restricted"}, base_version=1))
    _response, document = open_snapshot(viewer.client, viewer.workspace)
    assert str(secret) not in json.dumps(document)
    _response, document = open_snapshot(owner.client, owner.workspace)
    assert str(secret) in json.dumps(document)


def test_an_invitation_that_raises_a_viewer_to_editor_rotates_the_key(app, device):
    from webapp.db import session_scope
    from webapp.workspaces import service as workspaces

    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    kid, _key = key_of(viewer.client)
    with app.app_context(), session_scope(app) as session:
        _invitation, token = workspaces.create_invitation(
            session, owner.workspace_obj.id, "editor", session.merge(owner.user)
        )
    page = Auth(viewer.client).post(f"/invite/{token}")
    assert page.status_code in (200, 302), page.get_data(as_text=True)[:300]
    session = viewer.client.get("/api/v1/session").get_json()
    assert {w["id"]: w["role"] for w in session["workspaces"]}[viewer.workspace] == "editor"
    assert key_of(viewer.client)[0] != kid
