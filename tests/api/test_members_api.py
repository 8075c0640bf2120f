"""The members, invitations and settings API (issue 16): the app's screens for the workspace
pages, with the same role checks, audit events and CSRF, on both databases."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, Auth, csrf_from
from webapp.audit.models import AuditEvent
from webapp.auth.session import AUTH_AT
from webapp.db import session_scope
from webapp.workspaces.models import Invitation, Membership, Workspace

UNLOCK = "X-Enlace-Unlock"
REAUTH = "/api/v1/session/reauth"


# --- helpers ----------------------------------------------------------------------------------


class Api:
    """One signed-in member's API calls on one workspace, as the app makes them."""

    def __init__(self, device: Any, workspace: Any) -> None:
        self.device = device
        self.client = device.client
        self.base = f"/api/v1/workspaces/{workspace}"
        self.unlock: str | None = None

    def headers(self, csrf: bool = True) -> dict[str, str]:
        headers = {UNLOCK: self.unlock} if self.unlock else {}
        if csrf:
            headers["X-CSRFToken"] = self.device.token()
        return headers

    def get(self, path: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.client.get(self.base + path, headers=self.headers(csrf=False), **kwargs)

    def send(self, method: str, path: str, body: Any = None, csrf: bool = True, **kwargs: Any):  # type: ignore[no-untyped-def]
        call = getattr(self.client, method)
        if body is not None:
            kwargs["json"] = body
        headers = {**self.headers(csrf), **kwargs.pop("headers", {})}
        return call(self.base + path, headers=headers, **kwargs)


def forget_password(client: Any) -> None:
    """Age this device's last password entry past the re-authentication window."""
    with client.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - 11 * 60


def unlock_token(client: Any) -> str:
    response = client.get("/api/v1/keys/snapshot")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["unlock_token"]


def roles(app: Any, workspace_id: Any) -> dict[str, str]:
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(Membership).where(Membership.workspace_id == workspace_id))
        return {m.user.email: m.role for m in rows}


def pending(app: Any, workspace_id: Any) -> list[tuple[int, str, bool]]:
    """(id, role, revoked) of every invitation of the workspace, by id."""
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(
            select(Invitation)
            .where(Invitation.workspace_id == workspace_id)
            .order_by(Invitation.id)
        )
        return [(i.id, i.role, i.revoked_at is not None) for i in rows]


def policy(app: Any, workspace_id: Any) -> str:
    with app.app_context(), session_scope(app) as session:
        return session.get(Workspace, workspace_id).unlock_policy


def events(app: Any, workspace_id: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.workspace_id == workspace_id)
            .order_by(AuditEvent.id)
        )
        return [(e.action, e.actor_id, dict(e.details)) for e in rows]


def state(app: Any, workspace_id: Any) -> tuple[Any, ...]:
    """Everything these endpoints may change, to compare before and after a refusal."""
    return (
        roles(app, workspace_id),
        pending(app, workspace_id),
        policy(app, workspace_id),
        events(app, workspace_id),
    )


@pytest.fixture
def team(device: Any, make_user: Any, add_member: Any) -> dict[str, Any]:
    """A workspace with an owner (Olga), an editor and a viewer, each signed in on a device."""
    owner_user = make_user(email="olga@example.com", name="Olga Owner")
    owner = device(user=owner_user)
    workspace = owner.workspace_obj
    editor_user = make_user(email="eddie@example.com", name="Eddie")
    add_member(workspace, editor_user, "editor")
    editor = device(workspace, "editor", user=editor_user)
    viewer_user = make_user(email="vera@example.com", name="Vera Viewer")
    add_member(workspace, viewer_user, "viewer")
    viewer = device(workspace, "viewer", user=viewer_user)
    return {
        "workspace": workspace,
        "owner": Api(owner, workspace.id),
        "editor": Api(editor, workspace.id),
        "viewer": Api(viewer, workspace.id),
        "ids": {"owner": owner_user.id, "editor": editor.user.id, "viewer": viewer_user.id},
    }


def invite(api: Api, role: str = "editor", note: str | None = "para Ana") -> dict[str, Any]:
    response = api.send("post", "/invitations", {"role": role, "note": note})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def write_calls(ids: dict[str, Any], invitation_id: int) -> list[tuple[str, str, Any]]:
    """Every write of the API, aimed at the viewer or a real invitation."""
    viewer = ids["viewer"]
    return [
        ("post", "/invitations", {"role": "owner"}),
        ("delete", f"/invitations/{invitation_id}", None),
        ("patch", f"/members/{viewer}", {"role": "owner"}),
        ("delete", f"/members/{viewer}", None),
        ("patch", "/settings", {"unlock_policy": "passphrase"}),
    ]


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_editors_and_viewers_cannot_list_or_manage_members(app, team, who):
    wid = team["workspace"].id
    invitation = invite(team["owner"])
    before = state(app, wid)
    api = team[who]
    listed = api.get("/members")
    assert listed.status_code == 403
    assert listed.get_json()["error"] == "forbidden"
    assert "does not allow" in listed.get_json()["message"]
    for method, path, body in write_calls(team["ids"], invitation["id"]):
        response = api.send(method, path, body)
        assert response.status_code == 403, (method, path)
        assert response.get_json()["error"] == "forbidden", (method, path)
    assert state(app, wid) == before


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_every_member_reads_the_workspace_settings(team, who):
    answer = team[who].get("/settings")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["role"] == who
    assert body["name"] == team["workspace"].name
    assert body["unlock_policy"] == "pin"


def test_a_non_member_gets_404_everywhere_and_changes_nothing(app, team, device):
    wid = team["workspace"].id
    invitation = invite(team["owner"])
    before = state(app, wid)
    outsider = Api(device(), wid)
    for path in ("/members", "/settings"):
        response = outsider.get(path)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    for method, path, body in write_calls(team["ids"], invitation["id"]):
        response = outsider.send(method, path, body)
        assert response.status_code == 404, (method, path)
    assert state(app, wid) == before


def test_the_owner_sees_members_with_roles_and_who_is_the_sole_owner(team):
    answer = team["owner"].get("/members")
    assert answer.status_code == 200
    body = answer.get_json()
    listed = [(m["name"], m["role"], m["you"], m["sole_owner"]) for m in body["members"]]
    assert listed == [
        ("Olga Owner", "owner", True, True),
        ("Eddie", "editor", False, False),
        ("Vera Viewer", "viewer", False, False),
    ]
    assert body["invitations"] == [] and body["links_shown"] is True
    assert answer.headers["Cache-Control"] == "no-store"


# --- invitations ------------------------------------------------------------------------------


def test_an_invitation_link_stays_listed_until_used_and_then_works_no_more(app, team):
    owner = team["owner"]
    created = invite(owner, "editor", "para Ana")
    link = created["link"]
    assert "/invite/" in link and created["role"] == "editor" and created["note"] == "para Ana"
    # Listed again, with the same link, as often as the owner looks.
    for _ in range(2):
        [listed] = owner.get("/members").get_json()["invitations"]
        assert listed["link"] == link and listed["id"] == created["id"]
    # The server page shows the same link in its pending list (the fallback).
    page = owner.client.get(f"/workspaces/{team['workspace'].id}/members").get_data(as_text=True)
    assert link in page

    guest = app.test_client()
    path = link.split("localhost", 1)[1]
    form = guest.get(path).get_data(as_text=True)
    joined = guest.post(
        path,
        data={
            "csrf_token": csrf_from(form),
            "name": "Ana",
            "email": "ana@example.com",
            "password": "a good passphrase",
        },
    )
    assert joined.status_code == 302
    body = owner.get("/members").get_json()
    assert body["invitations"] == []
    assert ("Ana", "editor") in [(m["name"], m["role"]) for m in body["members"]]
    assert app.test_client().get(path).status_code == 404


def test_revoking_an_invitation_ends_its_link_and_is_audited(app, team):
    owner, wid = team["owner"], team["workspace"].id
    created = invite(owner, "viewer", None)
    revoked = owner.send("delete", f"/invitations/{created['id']}")
    assert revoked.status_code == 204
    assert owner.get("/members").get_json()["invitations"] == []
    gone = app.test_client().get(created["link"].split("localhost", 1)[1])
    assert gone.status_code == 404 and "revoked" in gone.get_data(as_text=True)
    # Revoking it again, or one that never was, changes nothing.
    before = state(app, wid)
    for invitation_id in (created["id"], 999999, 2**40):
        again = owner.send("delete", f"/invitations/{invitation_id}")
        assert again.status_code == 404, invitation_id
    assert state(app, wid) == before
    owner_id = team["ids"]["owner"]
    assert [(a, actor) for a, actor, _ in events(app, wid)][-2:] == [
        ("invitation.created", owner_id),
        ("invitation.revoked", owner_id),
    ]


def test_another_workspaces_invitation_cannot_be_revoked(app, team, device):
    other = device()
    foreign = invite(Api(other, other.workspace))
    before = pending(app, other.workspace_obj.id)
    response = team["owner"].send("delete", f"/invitations/{foreign['id']}")
    assert response.status_code == 404
    assert pending(app, other.workspace_obj.id) == before


def test_an_invitation_made_before_links_were_kept_shows_no_link(app, team):
    """Older invitations hold a random token the server never kept: listed, without a link."""
    wid = team["workspace"].id
    created = invite(team["owner"])
    with app.app_context(), session_scope(app) as session:
        session.get(Invitation, created["id"]).token_hash = "0" * 64
    [listed] = team["owner"].get("/members").get_json()["invitations"]
    assert listed["id"] == created["id"] and listed["link"] is None
    assert pending(app, wid) == [(created["id"], "editor", False)]


# --- roles and removal ------------------------------------------------------------------------


def test_the_owner_changes_a_role_and_removes_a_member_audited(app, team):
    owner, wid, ids = team["owner"], team["workspace"].id, team["ids"]
    changed = owner.send("patch", f"/members/{ids['viewer']}", {"role": "editor"})
    assert changed.status_code == 200
    assert changed.get_json()["role"] == "editor" and changed.get_json()["you"] is False
    removed = owner.send("delete", f"/members/{ids['editor']}")
    assert removed.status_code == 204
    assert roles(app, wid) == {"olga@example.com": "owner", "vera@example.com": "editor"}
    audit = [(a, actor, d) for a, actor, d in events(app, wid)][-2:]
    assert audit[0][:2] == ("member.role_changed", ids["owner"])
    assert audit[0][2]["old"] == "viewer" and audit[0][2]["new"] == "editor"
    assert audit[1][:2] == ("member.removed", ids["owner"])
    # The removed member's device loses the workspace at once.
    assert team["editor"].get("/settings").status_code == 404


@pytest.mark.parametrize(
    ("method", "body"), [("patch", {"role": "viewer"}), ("delete", None)], ids=["demote", "remove"]
)
def test_the_sole_owner_can_neither_step_down_nor_be_removed(app, team, method, body):
    owner, wid = team["owner"], team["workspace"].id
    before = state(app, wid)
    refused = owner.send(method, f"/members/{team['ids']['owner']}", body)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "conflict"
    assert "at least one owner" in refused.get_json()["message"]
    assert state(app, wid) == before


def test_with_a_second_owner_the_first_may_leave(app, team):
    owner, wid, ids = team["owner"], team["workspace"].id, team["ids"]
    assert owner.send("patch", f"/members/{ids['editor']}", {"role": "owner"}).status_code == 200
    listed = owner.get("/members").get_json()["members"]
    assert not any(m["sole_owner"] for m in listed)
    assert owner.send("delete", f"/members/{ids['owner']}").status_code == 204
    assert "olga@example.com" not in roles(app, wid)
    assert owner.get("/settings").status_code == 404


# --- bad input: a clear 4xx, nothing changed --------------------------------------------------


BAD_WRITES = [
    pytest.param("post", "/invitations", {"role": "god"}, "role", id="invite-unknown-role"),
    pytest.param("post", "/invitations", {"role": 3}, "role", id="invite-role-not-text"),
    pytest.param("post", "/invitations", {}, "role", id="invite-no-role"),
    pytest.param(
        "post", "/invitations", {"role": "viewer", "note": "x" * 201}, "note", id="note-too-long"
    ),
    pytest.param("post", "/invitations", {"role": "viewer", "x": 1}, "x", id="invite-extra"),
    pytest.param("post", "/invitations", ["viewer"], None, id="invite-not-an-object"),
    pytest.param("patch", "/members/{viewer}", {"role": "admin"}, "role", id="unknown-role"),
    pytest.param("patch", "/members/{viewer}", {"role": None}, "role", id="null-role"),
    pytest.param("patch", "/settings", {"unlock_policy": "none"}, "unlock_policy", id="policy"),
    pytest.param("patch", "/settings", {"unlock_policy": ["pin"]}, "unlock_policy", id="list"),
    pytest.param("patch", "/settings", {"name": "X"}, "name", id="settings-extra"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD_WRITES)
def test_bad_input_is_a_clear_400_and_changes_nothing(app, team, method, path, body, field):
    owner, wid = team["owner"], team["workspace"].id
    before = state(app, wid)
    response = owner.send(method, path.format(**team["ids"]), body)
    assert response.status_code == 400, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["error"] == "bad_request" and answer["message"]
    if field is not None:
        assert field in answer["errors"], answer
    assert state(app, wid) == before


def test_an_unknown_role_is_named_in_the_requested_language(team):
    response = team["owner"].send(
        "patch", f"/members/{team['ids']['viewer']}?lang=es", {"role": "jefe"}
    )
    assert response.status_code == 400
    assert (
        response.get_json()["errors"]["role"] == "“jefe” no es un rol; usa owner, editor o viewer."
    )
    assert team["owner"].get("/settings?lang=fr").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/members/{stranger}",
        "/members/not-a-uuid",
        "/members/123",
    ],
)
def test_bad_member_ids_are_404_and_change_nothing(app, team, make_user, path):
    owner, wid = team["owner"], team["workspace"].id
    stranger = make_user(email="stranger@example.com").id
    before = state(app, wid)
    target = path.format(stranger=stranger)
    for method, body in (("patch", {"role": "editor"}), ("delete", None)):
        response = owner.send(method, target, body)
        assert response.status_code == 404, (method, target)
        assert response.get_json()["error"] == "not_found"
    assert state(app, wid) == before


def test_a_malformed_workspace_id_is_404(team):
    client = team["owner"].client
    for path in ("members", "settings"):
        assert client.get(f"/api/v1/workspaces/not-a-uuid/{path}").status_code == 404


# --- CSRF -------------------------------------------------------------------------------------


def test_every_write_without_the_csrf_token_is_refused(app, team):
    owner, wid = team["owner"], team["workspace"].id
    invitation = invite(owner)
    before = state(app, wid)
    for method, path, body in write_calls(team["ids"], invitation["id"]):
        response = owner.send(method, path, body, csrf=False)
        assert response.status_code == 400, (method, path)
        assert response.get_json()["error"] == "csrf", (method, path)
        wrong = owner.send(method, path, body, csrf=False, headers={"X-CSRFToken": "forged"})
        assert wrong.get_json()["error"] == "csrf"
    assert state(app, wid) == before


# --- the device lock --------------------------------------------------------------------------


def test_a_locked_device_reads_no_members_and_changes_nothing(app, team):
    owner, wid = team["owner"], team["workspace"].id
    invitation = invite(owner)
    forget_password(owner.client)
    before = state(app, wid)
    refused = owner.get("/members")
    assert refused.status_code == 403 and refused.get_json()["error"] == "locked"
    assert "olga@example.com" not in refused.get_data(as_text=True)
    for method, path, body in write_calls(team["ids"], invitation["id"]):
        response = owner.send(method, path, body)
        assert response.status_code == 403, (method, path)
        assert response.get_json()["error"] == "reauthentication_required"
    assert state(app, wid) == before


def test_an_unlocked_app_lists_members_but_needs_the_password_for_links_and_changes(app, team):
    owner, wid = team["owner"], team["workspace"].id
    invitation = invite(owner)
    owner.unlock = unlock_token(owner.client)  # while the sign-in's password is recent
    forget_password(owner.client)

    # The unlock token reads the list, without the links (a link is a way in).
    body = owner.get("/members").get_json()
    assert [m["email"] for m in body["members"]][0] == "olga@example.com"
    assert body["links_shown"] is False
    assert [(i["id"], i["link"]) for i in body["invitations"]] == [(invitation["id"], None)]
    # Changes need the password again, as on the pages: the token alone changes nothing.
    before = state(app, wid)
    policy_change = owner.send("patch", "/settings", {"unlock_policy": "passphrase"})
    assert policy_change.status_code == 403
    assert policy_change.get_json()["error"] == "reauthentication_required"
    assert (
        owner.send("patch", f"/members/{team['ids']['viewer']}", {"role": "editor"}).status_code
        == 403
    )
    assert state(app, wid) == before

    # The app asks for the password in place, then sends the same request again.
    wrong = owner.client.post(REAUTH, json={"password": "not it at all"}, headers=owner.headers())
    assert wrong.status_code == 403
    right = owner.client.post(REAUTH, json={"password": PASSWORD}, headers=owner.headers())
    assert right.status_code == 204
    saved = owner.send("patch", "/settings", {"unlock_policy": "passphrase"})
    assert saved.status_code == 200 and saved.get_json()["unlock_policy"] == "passphrase"
    assert policy(app, wid) == "passphrase"
    assert owner.get("/members").get_json()["invitations"][0]["link"] == invitation["link"]
    action, actor, details = events(app, wid)[-1]
    assert action == "workspace.unlock_policy_changed" and actor == team["ids"]["owner"]
    assert details["policy"] == "passphrase" and details["previous"] == "pin"
    # Every device of the members learns it from the session.
    session = team["viewer"].client.get("/api/v1/session").get_json()
    assert session["workspaces"][0]["unlock_policy"] == "passphrase"


def test_settings_speak_the_requested_language(team):
    owner = team["owner"]
    assert owner.get("/settings?lang=es").get_json()["country_name"] == "México"
    assert owner.get("/settings?lang=en").get_json()["country_name"] == "Mexico"
    same = owner.send("patch", "/settings", {})
    assert same.status_code == 200 and same.get_json()["unlock_policy"] == "pin"


def test_signed_out_requests_get_401(app, team):
    client = app.test_client()
    wid = team["workspace"].id
    for path in ("members", "settings"):
        response = client.get(f"/api/v1/workspaces/{wid}/{path}")
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_the_page_and_the_api_share_one_invitation_link(app, team):
    """An invitation made on the page shows its link in the app, and the other way round."""
    owner = team["owner"]
    auth = Auth(owner.client)
    made = auth.post(f"/workspaces/{team['workspace'].id}/invitations", {"role": "viewer"})
    assert made.status_code == 201
    [listed] = owner.get("/members").get_json()["invitations"]
    assert listed["link"] and f'value="{listed["link"]}"' in made.get_data(as_text=True)
