"""The device lock on the server (issue 13; docs/ARCHITECTURE.md, 4.4).

The session cookie lasts 30 days so that a phone keeps syncing: with only the cookie of a locked
device (no unlock token, no recent password), nothing confidential is read, in clear or as a key.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, Auth, SyncClient, change_password, csrf_from, mutation
from tests.toolkit import put
from webapp.auth.session import AUTH_AT
from webapp.config import from_env
from webapp.db import session_scope

KEYS = "/api/v1/keys/snapshot"
REAUTH = "/api/v1/session/reauth"
SESSION = "/api/v1/session"
UNLOCK = "X-Enlace-Unlock"
NEW_PASSWORD = "a new passphrase!"


# --- helpers ----------------------------------------------------------------------------------


def forget_password(client) -> None:
    """Age this device's last password entry past the re-authentication window (10 minutes)."""
    with client.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - 11 * 60


def fetch_key(client, token: str | None = None):
    return client.get(KEYS, headers={UNLOCK: token} if token else {})


def unlock_token(client) -> str:
    """Fetch the key as the app does after the password; return the device's unlock token."""
    response = fetch_key(client)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["unlock_token"]


def readiness(device, token: str | None = None):
    return device.client.get(
        f"/api/v1/workspaces/{device.workspace}/readiness",
        headers={UNLOCK: token} if token else {},
    )


def pull(device, token: str | None = None) -> dict:
    response = device.post(
        {"workspace": device.workspace, "cursor": 0},
        headers={UNLOCK: token} if token else {},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def assert_locked(device, token: str | None = None) -> None:
    """Neither the key, nor the changes, nor readiness, with this token (or none)."""
    key = fetch_key(device.client, token)
    assert key.status_code == 403, key.get_data(as_text=True)
    assert key.get_json()["error"] == "reauthentication_required"
    assert "key" not in key.get_json()
    assert pull(device, token) == {"results": [], "cursor": 0, "more": False}
    refused = readiness(device, token)
    assert refused.status_code == 403 and refused.get_json()["error"] == "locked"


def assert_unlocked(device, token: str | None = None) -> None:
    key = fetch_key(device.client, token)
    assert key.status_code == 200, key.get_data(as_text=True)
    assert "changes" in pull(device, token)
    assert readiness(device, token).status_code == 200


def reauth(device, body, csrf: bool = True):
    headers = {"X-CSRFToken": device.token()} if csrf else {}
    return device.client.post(REAUTH, json=body, headers=headers)


def stored_hashes(app) -> list[str | None]:
    from webapp.auth.models import DeviceSession

    with app.app_context(), session_scope(app) as session:
        return list(session.scalars(select(DeviceSession.unlock_token_hash)))


def audit_rows(app, action: str) -> list:
    from webapp.audit.models import AuditEvent

    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        session.expunge_all()
        return list(rows)


def second_device(app, device) -> SyncClient:
    """Another signed-in device of the same user, in the same workspace."""
    client = app.test_client()
    assert Auth(client).login(device.user.email).status_code == 302
    other = SyncClient(client, device.workspace)
    other.user = device.user  # type: ignore[attr-defined]
    return other


# --- a locked device's cookie ------------------------------------------------------------------


def test_a_locked_devices_cookie_reads_neither_the_key_nor_changes_nor_readiness(device):
    owner = device()
    put(
        owner,
        {
            "name": "Dirección General",
            "visibility": "restricted",
            "phones": [{"number": "+52 55 5555 0199"}],
        },
    )
    forget_password(owner.client)
    assert_locked(owner)

    # The service worker flushing the outbox while locked: applied, and nothing comes back.
    created = str(uuid.uuid4())
    response = owner.post(
        {
            "workspace": owner.workspace,
            "cursor": 0,
            "mutations": [mutation(created, {"name": "Nueva"})],
        }
    )
    assert response.status_code == 200
    answer = response.get_json()
    assert [r["status"] for r in answer["results"]] == ["applied"]
    assert answer == {"results": answer["results"], "cursor": 0, "more": False}
    assert "Dirección" not in response.get_data(as_text=True)

    # It did apply: an unlocked device sees it.
    viewer = device(owner.workspace_obj, "viewer")
    names = {c["data"]["name"] for c in pull(viewer)["changes"] if c["data"]}
    assert "Nueva" in names


def test_the_recent_password_window_is_reauth_seconds(app, device):
    owner = device()
    assert_unlocked(owner)  # signing in counts as entering the password
    app.config["REAUTH_SECONDS"] = 0
    assert_locked(owner)


def test_the_unlock_token_reads_the_key_changes_and_readiness(app, device):
    owner = device()
    put(owner, {"name": "Ana Finanzas"})
    first = fetch_key(owner.client)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    answer = first.get_json()
    assert set(answer) == {"kid", "key", "unlock_token"}
    token = answer["unlock_token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 bytes, base64url without padding
    # The server keeps only its hash.
    assert stored_hashes(app) == [hashlib.sha256(token.encode()).hexdigest()]

    forget_password(owner.client)
    again = fetch_key(owner.client, token)
    assert again.status_code == 200
    assert again.get_json() == answer  # the same token: what the device wrapped stays valid
    assert "Ana Finanzas" in {c["data"]["name"] for c in pull(owner, token)["changes"]}
    assert readiness(owner, token).status_code == 200
    # SyncClient sends it too, as the app does while unlocked.
    owner.unlock = token
    assert owner.sync(cursor=0)["changes"]
    assert len(audit_rows(app, "snapshot.key_fetched")) == 2
    assert token not in json.dumps([r.details for r in audit_rows(app, "snapshot.key_fetched")])


def test_a_token_of_another_device_session_of_the_same_user_is_refused(app, device):
    phone = device()
    laptop = second_device(app, phone)
    phone_token, laptop_token = unlock_token(phone.client), unlock_token(laptop.client)
    assert phone_token != laptop_token
    forget_password(laptop.client)
    assert_locked(laptop, phone_token)
    assert_unlocked(laptop, laptop_token)


def test_a_wrong_or_malformed_token_is_refused(device):
    owner = device()
    token = unlock_token(owner.client)
    forget_password(owner.client)
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 500, "é", " " + token):
        assert_locked(owner, wrong)


def end_phone_session(way: str, app, phone: SyncClient, laptop: SyncClient) -> str:
    """End the phone's device session one of the ways a user can; return its password now."""
    if way == "sign-out":
        assert Auth(phone.client).post("/logout").status_code == 302
    elif way == "end-device":
        from webapp.auth.models import DeviceSession

        with app.app_context(), session_scope(app) as session:
            ids = session.scalars(
                select(DeviceSession.id).where(DeviceSession.unlock_token_hash.is_not(None))
            ).all()
        [phone_device] = ids  # only the phone fetched the key
        ended = Auth(laptop.client).post(f"/account/devices/{phone_device}/end")
        assert ended.status_code == 302
    elif way == "sign-out-everywhere":
        assert Auth(laptop.client).post("/account/sign-out-everywhere").status_code == 302
    elif way == "password-changed-elsewhere":
        assert change_password(laptop.client, PASSWORD, NEW_PASSWORD).status_code == 302
        return NEW_PASSWORD
    elif way == "password-changed-here":
        assert change_password(phone.client, PASSWORD, NEW_PASSWORD).status_code == 302
        return NEW_PASSWORD
    return PASSWORD


@pytest.mark.parametrize(
    "way",
    [
        "sign-out",
        "end-device",
        "sign-out-everywhere",
        "password-changed-elsewhere",
        "password-changed-here",
    ],
)
def test_the_token_of_an_ended_session_is_refused(app, device, way):
    phone = device()
    laptop = second_device(app, phone)
    old = unlock_token(phone.client)
    password = end_phone_session(way, app, phone, laptop)
    if way != "password-changed-here":
        assert phone.client.get(SESSION).status_code == 401  # the session is gone
        assert Auth(phone.client).login(phone.user.email, password).status_code == 302
        phone._token = None  # a new session, a new CSRF token
    forget_password(phone.client)
    assert_locked(phone, old)


# --- proving the password again ----------------------------------------------------------------


def test_a_fresh_password_gets_a_new_token_and_the_old_one_stops_working(app, device):
    owner = device()
    old = unlock_token(owner.client)
    # While the password is recent, sending the valid token keeps it.
    assert fetch_key(owner.client, old).get_json()["unlock_token"] == old
    forget_password(owner.client)
    assert_locked(owner)

    # "Forgot PIN": the app asks for the password, then for the key without a usable token.
    assert reauth(owner, {"password": PASSWORD}).status_code == 204
    new = unlock_token(owner.client)
    assert new != old
    assert stored_hashes(app) == [hashlib.sha256(new.encode()).hexdigest()]

    forget_password(owner.client)
    assert_locked(owner, old)
    assert fetch_key(owner.client, new).get_json()["unlock_token"] == new
    assert_unlocked(owner, new)


def test_a_wrong_password_gets_403_and_the_eleventh_failure_429(app, device):
    owner = device()
    wrong = reauth(owner, {"password": "not my password"})
    assert wrong.status_code == 403
    assert wrong.get_json() == {"error": "wrong_password", "message": "That password is incorrect."}
    forget_password(owner.client)
    assert_locked(owner)  # a wrong password unlocks nothing
    for _ in range(9):
        assert reauth(owner, {"password": "still wrong"}).status_code == 403
    limited = reauth(owner, {"password": "wrong again"})
    assert limited.status_code == 429 and limited.get_json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    # Not even the right password is checked now, here or on the /reauth form (one counter).
    assert reauth(owner, {"password": PASSWORD}).status_code == 429
    page = owner.client.get("/reauth").get_data(as_text=True)
    form = owner.client.post("/reauth", data={"csrf_token": csrf_from(page), "password": PASSWORD})
    assert form.status_code == 429
    assert_locked(owner)
    assert len(audit_rows(app, "auth.reauth_failed")) == 10


def test_the_wrong_password_message_is_translated(make_user, make_workspace, app):
    user = make_user(locale="es")
    workspace = make_workspace(owner=user)
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    phone = SyncClient(client, workspace.id)
    assert (
        reauth(phone, {"password": "nope"}).get_json()["message"] == "Esa contraseña es incorrecta."
    )


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "password",
        {},
        {"password": None},
        {"password": 5},
        {"password": ["x"]},
        {"password": ""},
        {"password": "x" * 257},
        {"password": PASSWORD, "other": 1},
    ],
    ids=[
        "no-json",
        "list",
        "string",
        "empty",
        "null",
        "number",
        "array",
        "blank",
        "too-long",
        "extra",
    ],
)
def test_bad_reauth_input_gets_400_and_costs_no_attempt(device, body):
    owner = device()
    forget_password(owner.client)
    for _ in range(11):
        response = reauth(owner, body)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"] == "bad_request"
    assert reauth(owner, {"password": PASSWORD}).status_code == 204


def test_reauth_needs_the_csrf_token_and_a_session(app, device):
    owner = device()
    forget_password(owner.client)
    refused = reauth(owner, {"password": PASSWORD}, csrf=False)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    assert_locked(owner)
    signed_out = app.test_client()
    assert signed_out.post(REAUTH, json={"password": PASSWORD}).status_code in (400, 401)


# --- what a locked device still gets ------------------------------------------------------------


def test_envelopes_the_public_list_the_session_and_push_settings_need_no_token(device):
    owner = device()
    put(owner, {"name": "Bomberos", "visibility": "public", "phones": [{"number": "911"}]})
    forget_password(owner.client)
    wid = owner.workspace
    envelope = owner.client.get(f"/api/v1/workspaces/{wid}/snapshot")
    assert envelope.status_code == 200 and "ciphertext" in envelope.get_json()
    public = owner.client.get(f"/api/v1/workspaces/{wid}/public")
    assert public.status_code == 200
    assert [c["name"] for c in public.get_json()["contacts"]] == ["Bomberos"]
    assert owner.client.get(SESSION).status_code == 200
    assert owner.client.get("/api/v1/push/preferences").status_code == 200


def test_a_locked_device_never_reads_a_conflicts_server_value(device):
    owner = device()
    contact = put(owner, {"name": "Ana", "notes": "first"})
    put(owner, {"notes": "the safe's code is 4321"}, contact, base_version=1)
    editor = device(owner.workspace_obj, "editor")
    stale = mutation(contact, {"notes": "mine"}, base_version=1, base={"notes": "first"})
    body = {"workspace": editor.workspace, "cursor": 0, "mutations": [stale]}

    forget_password(editor.client)
    locked = editor.post(body)
    [result] = locked.get_json()["results"]
    assert result["status"] == "conflict"
    assert result["conflicts"] == [{"field": "notes", "client": "mine"}]
    assert "4321" not in locked.get_data(as_text=True)

    # Unlocked, the retry of the same mutation returns its first result, with the server value.
    token = unlock_token_after_password(editor)
    [unlocked] = pull_with(editor, body, token)["results"]
    assert unlocked["conflicts"] == [
        {"field": "notes", "server": "the safe's code is 4321", "client": "mine"}
    ]


def unlock_token_after_password(device) -> str:
    assert reauth(device, {"password": PASSWORD}).status_code == 204
    token = unlock_token(device.client)
    forget_password(device.client)
    return token


def pull_with(device, body: dict, token: str) -> dict:
    response = device.post(body, headers={UNLOCK: token})
    assert response.status_code == 200
    return response.get_json()


# --- pages --------------------------------------------------------------------------------------


def test_the_workspace_page_shows_readiness_only_after_a_recent_password(device):
    owner = device()
    put(
        owner,
        {"name": "Carla Calidad", "area": "quality", "phones": [{"number": "+52 55 5555 0102"}]},
    )
    path = f"/workspaces/{owner.workspace}"
    fresh = owner.client.get(path).get_data(as_text=True)
    assert "Carla Calidad" in fresh and 'data-testid="readiness-score"' in fresh

    forget_password(owner.client)
    page = owner.client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Carla Calidad" not in html and 'data-testid="readiness-score"' not in html
    assert 'data-testid="readiness-locked"' in html
    assert f'href="/reauth?next={path}"' in html


@pytest.mark.parametrize("page", ["members", "audit"])
def test_owner_pages_with_names_ask_for_the_password(device, page):
    owner = device()
    forget_password(owner.client)
    response = owner.client.get(f"/workspaces/{owner.workspace}/{page}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/reauth")


# --- the workspace's unlock policy --------------------------------------------------------------


def chosen_policy(page: str) -> str:
    """Return the value of the unlock policy's checked radio button on the workspace page."""
    [value] = [
        re.search(r'value="([^"]+)"', tag).group(1)
        for tag in re.findall(r'<input[^>]*name="unlock_policy"[^>]*>', page)
        if " checked" in tag
    ]
    return value


def test_only_owners_choose_the_unlock_policy_and_the_session_lists_it(app, device):
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    viewer = device(owner.workspace_obj, "viewer")
    stranger = device()
    path = f"/workspaces/{owner.workspace}"

    listed = owner.client.get(SESSION).get_json()["workspaces"]
    assert listed == [
        {
            "id": owner.workspace,
            "name": "Brand",
            "role": "owner",
            "unlock_policy": "pin",
            "phone_example": "222 123 4567",
        }
    ]
    page = owner.client.get(path).get_data(as_text=True)
    assert 'data-testid="unlock-policy"' in page
    assert chosen_policy(page) == "pin" and 'value="passphrase"' in page

    for member in (editor, viewer):
        assert 'data-testid="unlock-policy"' not in member.client.get(path).get_data(as_text=True)
        refused = Auth(member.client).post(f"{path}/unlock-policy", {"unlock_policy": "passphrase"})
        assert refused.status_code == 403
    assert (
        Auth(stranger.client)
        .post(f"{path}/unlock-policy", {"unlock_policy": "passphrase"})
        .status_code
        == 404
    )
    no_csrf = owner.client.post(f"{path}/unlock-policy", data={"unlock_policy": "passphrase"})
    assert no_csrf.status_code == 400
    bad = Auth(owner.client).post(f"{path}/unlock-policy", {"unlock_policy": "none"})
    assert bad.status_code == 400 and "Choose PIN or passphrase." in bad.get_data(as_text=True)
    assert audit_rows(app, "workspace.unlock_policy_changed") == []

    saved = Auth(owner.client).post(f"{path}/unlock-policy", {"unlock_policy": "passphrase"})
    assert saved.status_code == 303 and saved.headers["Location"] == path
    for member in (owner, editor, viewer):
        [workspace] = member.client.get(SESSION).get_json()["workspaces"]
        assert workspace["unlock_policy"] == "passphrase"
    assert chosen_policy(owner.client.get(path).get_data(as_text=True)) == "passphrase"
    [row] = audit_rows(app, "workspace.unlock_policy_changed")
    assert row.actor_id == owner.user.id and str(row.workspace_id) == owner.workspace
    assert row.details["policy"] == "passphrase"

    # A stale owner proves the password first: the setting guards every member's phone.
    forget_password(owner.client)
    stale = Auth(owner.client).post(f"{path}/unlock-policy", {"unlock_policy": "pin"})
    assert stale.status_code == 302 and stale.headers["Location"].startswith("/reauth")
    assert owner.client.get(SESSION).get_json()["workspaces"][0]["unlock_policy"] == "passphrase"


def test_the_unlock_policy_form_speaks_spanish(app, make_user, make_workspace):
    user = make_user(locale="es")
    workspace = make_workspace(owner=user)
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    page = client.get(f"/workspaces/{workspace.id}").get_data(as_text=True)
    assert "Solo frase de acceso o llave de acceso" in page


# --- configuration ------------------------------------------------------------------------------


def test_enlace_reauth_seconds_sets_the_window():
    assert from_env({})["REAUTH_SECONDS"] == 600
    assert from_env({"ENLACE_REAUTH_SECONDS": "120"})["REAUTH_SECONDS"] == 120
    for bad in ("0", "ten", "100000"):
        with pytest.raises(ValueError, match="ENLACE_REAUTH_SECONDS"):
            from_env({"ENLACE_REAUTH_SECONDS": bad})


def test_envelopes_are_never_kept_in_the_browsers_http_cache(app, device) -> None:
    """A removed member's envelope must not outlive the wipe in the HTTP cache (finding 3)."""
    owner = device()
    path = f"/api/v1/workspaces/{owner.workspace}/snapshot"
    first = owner.client.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    again = owner.client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "no-store"
