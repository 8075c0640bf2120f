"""Workspaces, membership scoping, roles, the last owner, invitations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, Auth, csrf_from
from webapp.db import session_scope, utcnow
from webapp.workspaces.models import Invitation, Membership


def roles_of(app, workspace) -> dict[str, str]:
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(Membership).where(Membership.workspace_id == workspace.id))
        return {m.user.email: m.role for m in rows}


@pytest.fixture
def team(app, make_user, make_workspace, add_member):
    """A workspace with an owner, an editor and a viewer, and an outsider with their own."""
    owner = make_user(email="owner@example.com", name="Olga Owner")
    editor = make_user(email="editor@example.com", name="Eddie Editor")
    viewer = make_user(email="viewer@example.com", name="Vera Viewer")
    outsider = make_user(email="outsider@example.com", name="Otto Outsider")
    workspace = make_workspace(name="Brand", owner=owner)
    add_member(workspace, editor, "editor")
    add_member(workspace, viewer, "viewer")
    other = make_workspace(name="Other brand", owner=outsider)
    return {
        "workspace": workspace,
        "other": other,
        "owner": owner,
        "editor": editor,
        "viewer": viewer,
        "outsider": outsider,
    }


def member_actions(workspace, target):
    base = f"/workspaces/{workspace.id}"
    return [
        ("get", f"{base}/members", None),
        ("get", f"{base}/audit", None),
        ("post", f"{base}/invitations", {"role": "owner"}),
        ("post", f"{base}/members/{target.id}/role", {"role": "owner"}),
        ("post", f"{base}/members/{target.id}/remove", {}),
        ("post", f"{base}/invitations/1/revoke", {}),
    ]


def call(client, auth, method, path, data):
    if method == "get":
        return client.get(path)
    return auth.post(path, data)


@pytest.mark.parametrize("who", ["outsider"])
def test_non_member_gets_404_for_another_workspace_and_its_members(app, client, auth, team, who):
    auth.login(f"{who}@example.com")
    workspace = team["workspace"]
    before = roles_of(app, workspace)
    for method, path, data in member_actions(workspace, team["viewer"]):
        response = call(client, auth, method, path, data)
        assert response.status_code == 404, path
    assert auth.post(f"/workspaces/{workspace.id}/switch").status_code == 404
    assert roles_of(app, workspace) == before
    # The session API does not list it either.
    ids = {w["id"] for w in client.get("/api/v1/session").get_json()["workspaces"]}
    assert str(workspace.id) not in ids


def test_malformed_workspace_id_is_404_not_500(client, auth, team):
    auth.login("owner@example.com")
    assert client.get("/workspaces/not-a-uuid/members").status_code == 404
    assert auth.post("/workspaces/not-a-uuid/members/also-not/remove").status_code == 404


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_editors_and_viewers_cannot_manage_members(app, client, auth, team, who):
    auth.login(f"{who}@example.com")
    workspace = team["workspace"]
    before = roles_of(app, workspace)
    for method, path, data in member_actions(workspace, team["viewer"]):
        response = call(client, auth, method, path, data)
        assert response.status_code == 403, path
        assert "does not allow" in response.get_data(as_text=True)
    assert roles_of(app, workspace) == before


def test_owner_changes_a_role_and_removes_a_member(app, client, auth, team):
    auth.login("owner@example.com")
    workspace = team["workspace"]
    response = auth.post(
        f"/workspaces/{workspace.id}/members/{team['viewer'].id}/role", {"role": "editor"}
    )
    assert response.status_code == 302
    assert roles_of(app, workspace)["viewer@example.com"] == "editor"
    auth.post(f"/workspaces/{workspace.id}/members/{team['editor'].id}/remove")
    assert "editor@example.com" not in roles_of(app, workspace)
    page = client.get(f"/workspaces/{workspace.id}/audit").get_data(as_text=True)
    assert "Role changed" in page and "Member removed" in page


def test_bad_role_changes_nothing(app, client, auth, team):
    auth.login("owner@example.com")
    workspace = team["workspace"]
    before = roles_of(app, workspace)
    response = auth.post(
        f"/workspaces/{workspace.id}/members/{team['viewer'].id}/role", {"role": "god"}
    )
    assert response.status_code == 302
    assert "Choose owner, editor or viewer." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert roles_of(app, workspace) == before


def test_last_owner_cannot_be_removed_or_demoted(app, client, auth, team):
    auth.login("owner@example.com")
    workspace, owner = team["workspace"], team["owner"]
    for path, data in (
        (f"/workspaces/{workspace.id}/members/{owner.id}/remove", {}),
        (f"/workspaces/{workspace.id}/members/{owner.id}/role", {"role": "viewer"}),
    ):
        response = auth.post(path, data)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "at least one owner" in page
        assert roles_of(app, workspace)["owner@example.com"] == "owner"
    # With a second owner, the first may step down.
    auth.post(f"/workspaces/{workspace.id}/members/{team['editor'].id}/role", {"role": "owner"})
    auth.post(f"/workspaces/{workspace.id}/members/{owner.id}/role", {"role": "viewer"})
    assert roles_of(app, workspace)["owner@example.com"] == "viewer"


def create_invitation(client, auth, workspace, role="editor"):
    response = auth.post(
        f"/workspaces/{workspace.id}/invitations", {"role": role, "note": "for Ana"}
    )
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', page).group(1)
    assert "<svg" in page  # the QR code
    return link.split("localhost", 1)[1]


def test_invitation_creates_an_account_and_works_only_once(app, client, auth, team):
    auth.login("owner@example.com")
    path = create_invitation(client, auth, team["workspace"], role="editor")
    guest = app.test_client()
    page = guest.get(path).get_data(as_text=True)
    assert "Join “Brand”" in page
    response = guest.post(
        path,
        data={
            "csrf_token": csrf_from(page),
            "name": "Ana",
            "email": "ana@example.com",
            "password": "a good passphrase",
        },
    )
    assert response.status_code == 302
    assert "Brand" in guest.get("/app").get_data(as_text=True)
    assert roles_of(app, team["workspace"])["ana@example.com"] == "editor"
    # The same link a second time, by anyone, is refused.
    again = app.test_client().get(path)
    assert again.status_code == 404
    assert "already been used" in again.get_data(as_text=True)
    members = client.get(f"/workspaces/{team['workspace'].id}/members").get_data(as_text=True)
    assert "ana@example.com" in members
    assert "No pending invitations." in members


def test_signed_in_user_accepts_an_invitation_into_a_second_workspace(app, client, auth, team):
    auth.login("owner@example.com")
    path = create_invitation(client, auth, team["workspace"], role="viewer")
    outsider = app.test_client()
    outsider_auth = Auth(outsider)
    outsider_auth.login("outsider@example.com")
    page = outsider.get(path).get_data(as_text=True)
    outsider.post(path, data={"csrf_token": csrf_from(page)})
    names = {w["name"]: w["role"] for w in outsider.get("/api/v1/session").get_json()["workspaces"]}
    assert names == {"Brand": "viewer", "Other brand": "owner"}


def test_expired_invitation_is_refused(app, client, auth, team):
    auth.login("owner@example.com")
    path = create_invitation(client, auth, team["workspace"])
    with app.app_context(), session_scope(app) as session:
        for invitation in session.scalars(select(Invitation)):
            invitation.expires_at = utcnow() - timedelta(seconds=1)
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "expired" in response.get_data(as_text=True)


def test_invitation_expires_in_seven_days(app, client, auth, team):
    auth.login("owner@example.com")
    create_invitation(client, auth, team["workspace"])
    with app.app_context(), session_scope(app) as session:
        invitation = session.scalars(select(Invitation)).one()
        lifetime = invitation.expires_at - invitation.created_at
    assert timedelta(days=7) - timedelta(seconds=5) < lifetime <= timedelta(days=7)


def test_revoked_invitation_is_refused(app, client, auth, team):
    auth.login("owner@example.com")
    path = create_invitation(client, auth, team["workspace"])
    with app.app_context(), session_scope(app) as session:
        invitation_id = session.scalars(select(Invitation.id)).one()
    page = client.get(f"/workspaces/{team['workspace'].id}/members").get_data(as_text=True)
    assert "for Ana" in page
    auth.post(f"/workspaces/{team['workspace'].id}/invitations/{invitation_id}/revoke")
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "revoked" in response.get_data(as_text=True)


def test_unknown_invitation_link_says_so(client):
    response = client.get("/invite/made-up-token")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_invitation_signup_with_bad_input_creates_nothing(app, client, auth, team):
    auth.login("owner@example.com")
    path = create_invitation(client, auth, team["workspace"])
    guest = app.test_client()
    page = guest.get(path).get_data(as_text=True)
    response = guest.post(
        path, data={"csrf_token": csrf_from(page), "name": "", "email": "nope", "password": "short"}
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Enter your name." in body
    assert "Enter a valid email address." in body
    assert "Use 10 to 256 characters." in body
    assert set(roles_of(app, team["workspace"])) == {
        "owner@example.com",
        "editor@example.com",
        "viewer@example.com",
    }
    # The link still works afterwards.
    assert guest.get(path).status_code == 200


def test_create_workspace_on_the_web(app, client, auth, make_user):
    make_user(email="ana@example.com")
    auth.login("ana@example.com")
    page = client.get("/workspaces/new").get_data(as_text=True)
    bad = client.post(
        "/workspaces/new",
        data={"csrf_token": csrf_from(page), "name": "", "country": "", "city": ""},
    )
    assert bad.status_code == 200
    assert "Enter a name." in bad.get_data(as_text=True)
    bad_tz = client.post(
        "/workspaces/new",
        data={
            "csrf_token": csrf_from(page),
            "name": "Brand",
            "country": "ES",
            "city": "Madrid",
            "timezone": "Mars/Olympus",
        },
    )
    assert "is not a time zone" in bad_tz.get_data(as_text=True)
    ok = client.post(
        "/workspaces/new",
        data={"csrf_token": csrf_from(page), "name": "Brand", "country": "ES", "city": "Madrid"},
    )
    assert ok.status_code == 302
    body = client.get("/api/v1/session").get_json()
    assert [(w["name"], w["role"]) for w in body["workspaces"]] == [("Brand", "owner")]


def test_switching_between_workspaces(app, client, auth, make_user, make_workspace, add_member):
    user = make_user(email="ana@example.com")
    first = make_workspace(name="Alpha", owner=user)
    second = make_workspace(name="Beta")
    add_member(second, user, "viewer")
    auth.login("ana@example.com")
    # The app switches on the device, among the workspaces the session lists.
    body = client.get("/api/v1/session").get_json()
    assert sorted((w["name"], w["role"]) for w in body["workspaces"]) == [
        ("Alpha", "owner"),
        ("Beta", "viewer"),
    ]
    # The server-side switch (for the server pages) still answers with the app.
    for workspace in (second, first):
        response = auth.post(f"/workspaces/{workspace.id}/switch")
        assert response.status_code == 302 and response.headers["Location"] == "/app"


def test_user_without_workspace_sees_how_to_start(client, auth, make_user):
    make_user(email="ana@example.com")
    auth.login("ana@example.com")
    # The app offers "Create a workspace" when the session lists none (tests/browser).
    assert client.get("/api/v1/session").get_json()["workspaces"] == []
    assert PASSWORD not in client.get("/app").get_data(as_text=True)


def test_the_session_gives_each_workspace_its_countrys_phone_example(
    device, make_user, make_workspace
):
    """The contact form's hint: a mobile number as people of the workspace's country write it."""
    owner = device()
    spain = make_workspace(owner=owner.user, country="ES")
    listed = {w["id"]: w for w in owner.client.get("/api/v1/session").get_json()["workspaces"]}
    assert listed[str(owner.workspace)]["phone_example"] == "222 123 4567"  # MX
    assert listed[str(spain.id)]["phone_example"] == "612 34 56 78"
