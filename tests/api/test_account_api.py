"""The account and audit log as JSON for the app (issue 16): /api/v1/account…, …/audit.

The same checks, audit events and CSRF as the account and audit pages, on both databases.
Every answer is also checked against the OpenAPI document (`conforms`).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.test_openapi import conforms
from tests.conftest import PASSWORD, Auth, SyncClient, mutation
from webapp.auth.session import AUTH_AT
from webapp.db import session_scope

ACCOUNT = "/api/v1/account"
PASSWORD_PATH = "/api/v1/account/password"
DEVICES = "/api/v1/account/devices"
DEVICE = "/api/v1/account/devices/{device_id}"
EVERYWHERE = "/api/v1/account/sign-out-everywhere"
ACTIVITY = "/api/v1/account/activity"
AUDIT = "/api/v1/workspaces/{workspace_id}/audit"
SESSION = "/api/v1/session"
KEYS = "/api/v1/keys/snapshot"
UNLOCK = "X-Enlace-Unlock"
NEW_PASSWORD = "a brand new passphrase"


# --- helpers ----------------------------------------------------------------------------------


class Phone(SyncClient):
    """A signed-in device of a user, speaking JSON with its CSRF token."""

    def call(self, method: str, path: str, *, csrf: bool = True, **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = kwargs.pop("headers", {})
        if csrf:
            headers["X-CSRFToken"] = self.token()
        if self.unlock is not None:
            headers.setdefault(UNLOCK, self.unlock)
        return self.client.open(path, method=method, headers=headers, **kwargs)


@pytest.fixture
def phone(app, make_workspace, make_user):  # type: ignore[no-untyped-def]
    """Return a function signing a user in on a new device (a new user and workspace by default)."""

    def make(user: Any = None, workspace: Any = None) -> Phone:
        if user is None:
            user = make_user(name="Ana")
            workspace = make_workspace(owner=user)
        client = app.test_client()
        assert Auth(client).login(user.email).status_code == 302
        device = Phone(client, workspace.id if workspace else uuid.uuid4())
        device.user = user  # type: ignore[attr-defined]
        device.workspace_obj = workspace  # type: ignore[attr-defined]
        return device

    return make


def forget_password(device: SyncClient) -> None:
    """Age this device's last password entry past the re-authentication window."""
    with device.client.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - 11 * 60


def actions(app, user_id: uuid.UUID) -> list[str]:  # type: ignore[no-untyped-def]
    """The account events about a user, oldest first."""
    from webapp.audit.models import AuditEvent

    with app.app_context(), session_scope(app) as session:
        query = (
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == user_id)
            .order_by(AuditEvent.id)
        )
        return list(session.scalars(query))


def stored_user(app, user_id: uuid.UUID) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from webapp.auth.models import User

    with app.app_context(), session_scope(app) as session:
        user = session.get(User, user_id)
        return {
            "name": user.name,
            "locale": user.locale,
            "hash": user.password_hash,
            "kid": user.snapshot_kid,
        }


def device_ids(app, user_id: uuid.UUID) -> set[uuid.UUID]:  # type: ignore[no-untyped-def]
    from webapp.auth.models import DeviceSession

    with app.app_context(), session_scope(app) as session:
        return set(
            session.scalars(select(DeviceSession.id).where(DeviceSession.user_id == user_id))
        )


def signed_in(device: SyncClient) -> bool:
    return device.client.get(SESSION).status_code == 200


# --- the account: name and language -----------------------------------------------------------


def test_the_account_is_read_and_its_name_and_language_saved(app, phone):
    ana = phone()
    account = conforms("get", ACCOUNT, ana.call("GET", ACCOUNT))
    assert account["name"] == "Ana" and account["email"] == ana.user.email
    assert account["locale"] == "en"

    saved = conforms("patch", ACCOUNT, ana.call("PATCH", ACCOUNT, json={"name": "  Ana Ruiz "}))
    assert saved["name"] == "Ana Ruiz" and saved["locale"] == "en"
    saved = conforms("patch", ACCOUNT, ana.call("PATCH", ACCOUNT, json={"locale": "es"}))
    assert saved["name"] == "Ana Ruiz" and saved["locale"] == "es"
    assert stored_user(app, ana.user.id)["locale"] == "es"
    # The stored language is the server's: its pages and messages follow it.
    assert 'lang="es"' in ana.client.get("/account").get_data(as_text=True)
    assert ana.client.get(SESSION).get_json()["user"]["locale"] == "es"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 7}, "name"),
        ({"locale": "fr"}, "locale"),
        ({"name": "Ana", "email": "other@example.com"}, "email"),
        (["name"], None),
        (None, None),
    ],
    ids=[
        "blank",
        "empty",
        "too-long",
        "not-text",
        "unknown-language",
        "unknown-field",
        "a-list",
        "no-json",
    ],
)
def test_bad_account_input_is_a_clear_400_and_changes_nothing(app, phone, body, field):
    ana = phone()
    before = stored_user(app, ana.user.id)
    if body is None:
        response = ana.call("PATCH", ACCOUNT, data=b"{", content_type="application/json")
    else:
        response = ana.call("PATCH", ACCOUNT, json=body)
    answer = conforms("patch", ACCOUNT, response)
    assert response.status_code == 400 and answer["error"] == "bad_request"
    assert answer["message"]
    if field:
        assert field in answer["errors"], answer
    assert stored_user(app, ana.user.id) == before


# --- CSRF on every state change ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", ACCOUNT, {"name": "Mallory"}),
        ("POST", PASSWORD_PATH, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        ("POST", EVERYWHERE, None),
        ("DELETE", "other-device", None),
    ],
    ids=["rename", "password", "everywhere", "end-device"],
)
def test_every_change_without_the_csrf_token_is_refused_and_changes_nothing(
    app, phone, method, path, body
):
    ana = phone()
    laptop = phone(ana.user, ana.workspace_obj)
    before = stored_user(app, ana.user.id)
    devices = device_ids(app, ana.user.id)
    if path == "other-device":
        other = next(
            d["id"] for d in laptop.call("GET", DEVICES).get_json()["devices"] if not d["current"]
        )
        path = DEVICE.format(device_id=other)
    response = ana.call(method, path, csrf=False, json=body)
    template = DEVICE if path.startswith(DEVICES + "/") else path
    assert conforms(method.lower(), template, response)["error"] == "csrf"
    assert stored_user(app, ana.user.id) == before
    assert device_ids(app, ana.user.id) == devices
    assert signed_in(ana) and signed_in(laptop)


def test_a_signed_out_client_gets_401_on_every_account_operation(app):
    client = app.test_client()
    for path in (ACCOUNT, DEVICES, ACTIVITY):
        assert conforms("get", path, client.get(path))["error"] == "unauthorized"
    audit = AUDIT.format(workspace_id=uuid.uuid4())
    assert conforms("get", AUDIT, client.get(audit))["error"] == "unauthorized"


# --- the password -----------------------------------------------------------------------------


def test_changing_the_password_keeps_this_device_and_ends_the_others(app, phone):
    ana = phone()
    laptop = phone(ana.user, ana.workspace_obj)
    old_token = ana.client.get(KEYS).get_json()["unlock_token"]
    old_kid = stored_user(app, ana.user.id)["kid"]

    response = ana.call(
        "POST",
        PASSWORD_PATH,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    conforms("post", PASSWORD_PATH, response)

    assert actions(app, ana.user.id)[-1] == "auth.password_changed"
    assert not signed_in(laptop)  # other devices: signed out at once
    assert signed_in(ana)  # this one stays
    # The key rotated; this device's old token is void, and the fresh password gets a new one.
    assert stored_user(app, ana.user.id)["kid"] != old_kid
    fetched = ana.client.get(KEYS).get_json()
    assert fetched["kid"] == stored_user(app, ana.user.id)["kid"]
    assert fetched["unlock_token"] != old_token
    forget_password(ana)
    assert ana.client.get(KEYS, headers={UNLOCK: old_token}).status_code == 403
    assert ana.client.get(KEYS, headers={UNLOCK: fetched["unlock_token"]}).status_code == 200
    # The new password signs in; the old one no longer does.
    assert Auth(app.test_client()).login(ana.user.email, NEW_PASSWORD).status_code == 302
    assert Auth(app.test_client()).login(ana.user.email, PASSWORD).status_code == 200


def test_a_wrong_current_password_is_refused_audited_and_counted(app, phone):
    ana = phone()
    before = stored_user(app, ana.user.id)
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    response = ana.call("POST", PASSWORD_PATH, json=body)
    answer = conforms("post", PASSWORD_PATH, response)
    assert response.status_code == 403 and answer["error"] == "wrong_password"
    assert "current_password" in answer["errors"]
    assert stored_user(app, ana.user.id) == before
    assert actions(app, ana.user.id)[-1] == "auth.password_change_failed"
    # The same failure counter as signing in: the 11th try within the minute is refused.
    for _ in range(9):
        assert ana.call("POST", PASSWORD_PATH, json=body).status_code == 403
    limited = ana.call("POST", PASSWORD_PATH, json=body)
    assert conforms("post", PASSWORD_PATH, limited)["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert Auth(app.test_client()).login(ana.user.email).status_code == 429
    assert stored_user(app, ana.user.id) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "x" * 257}, "new_password"),
        ({"current_password": "", "new_password": NEW_PASSWORD}, "current_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": 1234567890}, "new_password"),
    ],
    ids=["too-short", "too-long", "empty-current", "no-current", "not-text"],
)
def test_bad_password_input_is_a_400_that_costs_no_attempt(app, phone, body, field):
    ana = phone()
    before = stored_user(app, ana.user.id)
    events = actions(app, ana.user.id)
    response = ana.call("POST", PASSWORD_PATH, json=body)
    answer = conforms("post", PASSWORD_PATH, response)
    assert response.status_code == 400 and field in answer["errors"], answer
    assert stored_user(app, ana.user.id) == before
    assert actions(app, ana.user.id) == events  # not even a counted failure


# --- devices ----------------------------------------------------------------------------------


def test_devices_are_listed_with_this_one_marked_and_another_can_be_ended(app, phone):
    ana = phone()
    laptop = phone(ana.user, ana.workspace_obj)
    listed = conforms("get", DEVICES, ana.call("GET", DEVICES))["devices"]
    assert len(listed) == 2
    assert [d["current"] for d in listed].count(True) == 1
    other = next(d for d in listed if not d["current"])

    response = ana.call("DELETE", DEVICE.format(device_id=other["id"]))
    assert response.status_code == 204
    conforms("delete", DEVICE, response)
    assert not signed_in(laptop) and signed_in(ana)
    assert actions(app, ana.user.id)[-1] == "auth.device_ended"
    assert [d["current"] for d in ana.call("GET", DEVICES).get_json()["devices"]] == [True]


def test_another_users_device_is_404_and_stays_signed_in(app, phone):
    ana = phone()
    bea = phone()
    beas = bea.call("GET", DEVICES).get_json()["devices"][0]["id"]
    for device_id in (beas, str(uuid.uuid4())):
        response = ana.call("DELETE", DEVICE.format(device_id=device_id))
        assert conforms("delete", DEVICE, response)["error"] == "not_found"
    assert signed_in(bea)
    assert "auth.device_ended" not in actions(app, bea.user.id)
    malformed = ana.call("DELETE", DEVICE.format(device_id="not-a-uuid"))
    assert malformed.status_code == 404


def test_ending_this_device_signs_it_out(app, phone):
    ana = phone()
    mine = ana.call("GET", DEVICES).get_json()["devices"][0]
    assert mine["current"]
    assert ana.call("DELETE", DEVICE.format(device_id=mine["id"])).status_code == 204
    assert not signed_in(ana)


def test_signing_out_everywhere_ends_every_device_this_one_included(app, phone):
    ana = phone()
    laptop = phone(ana.user, ana.workspace_obj)
    kid = stored_user(app, ana.user.id)["kid"]
    response = ana.call("POST", EVERYWHERE)
    assert response.status_code == 204
    conforms("post", EVERYWHERE, response)
    assert not signed_in(ana) and not signed_in(laptop)
    assert device_ids(app, ana.user.id) == set()
    assert stored_user(app, ana.user.id)["kid"] != kid
    assert actions(app, ana.user.id)[-1] == "auth.signed_out_everywhere"
    assert conforms("post", EVERYWHERE, ana.call("POST", EVERYWHERE, csrf=False))["error"] in (
        "csrf",
        "unauthorized",
    )


# --- the user's own activity ------------------------------------------------------------------


def test_account_activity_lists_the_users_own_events_in_the_asked_language(app, phone):
    other = phone()
    Auth(app.test_client()).login(other.user.email, "wrong password")
    ana = phone()
    Auth(app.test_client()).login(ana.user.email, "wrong password")
    english = conforms("get", ACTIVITY, ana.call("GET", ACTIVITY))
    assert [e["action"] for e in english["events"]] == [
        "auth.sign_in_failed",
        "auth.sign_in",
        "auth.account_created",
    ]
    assert [e["label"] for e in english["events"]] == [
        "Failed sign-in",
        "Signed in",
        "Account created",
    ]
    assert english["next_before"] is None
    assert english["events"][0]["at"].endswith(("Z", "+00:00"))
    spanish = conforms("get", ACTIVITY, ana.call("GET", f"{ACTIVITY}?lang=es"))
    assert [e["label"] for e in spanish["events"]][1:] == ["Inicio de sesión", "Cuenta creada"]
    assert "no-store" in ana.call("GET", ACTIVITY).headers["Cache-Control"]
    for bad in ("?lang=fr", "?before=abc", "?before=0"):
        response = ana.call("GET", ACTIVITY + bad)
        assert conforms("get", ACTIVITY, response)["error"] == "bad_request"


def test_account_activity_is_paged(app, phone):
    from webapp.audit import service as audit

    ana = phone()
    with app.app_context(), session_scope(app) as session:
        for _ in range(120):
            audit.record(session, "auth.sign_in_failed", subject_id=ana.user.id, email="x@y.z")
    first = conforms("get", ACTIVITY, ana.call("GET", ACTIVITY))
    assert len(first["events"]) == 100 and first["next_before"] == first["events"][-1]["id"]
    second = conforms("get", ACTIVITY, ana.call("GET", f"{ACTIVITY}?before={first['next_before']}"))
    assert len(second["events"]) == 22 and second["next_before"] is None
    assert {e["id"] for e in first["events"]}.isdisjoint(e["id"] for e in second["events"])


# --- a workspace's audit log ------------------------------------------------------------------


def test_an_owner_reads_the_audit_with_a_recent_password_or_the_unlock_token(
    app, phone, make_user, add_member
):
    owner = phone()
    bea = make_user(email="bea@example.com", name="Bea")
    add_member(owner.workspace_obj, bea, "editor")
    path = AUDIT.format(workspace_id=owner.workspace)

    fresh = conforms("get", AUDIT, owner.call("GET", f"{path}?lang=es"))
    added = next(e for e in fresh["events"] if e["action"] == "member.added")
    assert added["label"] == "Miembro agregado" and added["detail"] == "Editor"
    assert added["subject"] == "bea@example.com"
    assert not any(e["action"].startswith("auth.") for e in fresh["events"])
    assert "no-store" in owner.call("GET", path).headers["Cache-Control"]

    token = owner.client.get(KEYS).get_json()["unlock_token"]
    forget_password(owner)  # the page would now ask for the password
    locked = owner.call("GET", path)
    assert conforms("get", AUDIT, locked)["error"] == "locked"
    owner.unlock = token  # an unlocked app
    unlocked = conforms("get", AUDIT, owner.call("GET", path))
    assert unlocked["events"][0]["label"] == "Member added"
    owner.unlock = "another device's token"
    assert owner.call("GET", path).status_code == 403


def test_editors_and_viewers_cannot_read_the_audit_nor_strangers_find_it(
    app, phone, make_user, add_member
):
    owner = phone()
    path = AUDIT.format(workspace_id=owner.workspace)
    for role in ("viewer", "editor"):
        user = make_user()
        add_member(owner.workspace_obj, user, role)
        member = phone(user, owner.workspace_obj)
        response = member.call("GET", path)
        assert conforms("get", AUDIT, response)["error"] == "forbidden"
    stranger = phone()  # the owner of another workspace
    response = stranger.call("GET", path)
    assert conforms("get", AUDIT, response)["error"] == "not_found"
    # Their own workspace's log does not show the other's events either.
    own = stranger.call("GET", AUDIT.format(workspace_id=stranger.workspace)).get_json()
    assert {e["action"] for e in own["events"]} == {"workspace.created"}
    assert owner.call("GET", AUDIT.format(workspace_id="not-a-uuid")).status_code == 404


def test_the_audit_describes_changes_as_the_page_does(app, phone):
    owner = phone()
    owner.sync(mutation(uuid.uuid4(), {"name": "Finanzas"}))
    path = AUDIT.format(workspace_id=owner.workspace)
    events = owner.call("GET", f"{path}?lang=es").get_json()["events"]
    change = next(e for e in events if e["action"] == "sync.mutation")
    assert change["label"] == "Cambio en el directorio"
    assert change["detail"].startswith("contacto creado")
    assert change["actor"] == "Ana"
    page = owner.client.get(path.removeprefix("/api/v1")).get_data(as_text=True)
    assert "<time datetime=" in page  # shown in the reader's time zone by local-times.js
