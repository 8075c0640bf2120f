"""The owner's choice of the poster's contacts as JSON, for the app's screen:
GET and PUT /api/v1/workspaces/<id>/poster/choice — owners only, CSRF, a recent password to
save, stale entries refused with 409, unknown ids with 400, audited like the page's form."""

from __future__ import annotations

import uuid

import pytest

from tests.api.test_device_lock import forget_password
from tests.api.test_openapi import conforms
from tests.api.test_poster import events
from tests.api.test_poster import stored_choice as stored
from tests.conftest import PASSWORD
from tests.toolkit import after_hours_team, put, seed_numbers

PATH = "/api/v1/workspaces/{workspace_id}/poster/choice"
UNLOCK = "X-Enlace-Unlock"


def path(device, **query) -> str:
    base = PATH.format(workspace_id=device.workspace)
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def get(device, **query):
    return device.client.get(path(device, **query))


def save(device, entries, *, csrf=True, **query):
    headers = {"X-CSRFToken": device.token()} if csrf else {}
    return device.client.put(path(device, **query), json={"contacts": entries}, headers=headers)


def entry(row) -> dict:
    return {"id": row["id"], "version": row["version"], "fingerprint": row["fingerprint"]}


def rows_by_name(answer) -> dict:
    return {row["name"]: row for row in answer.get_json()["contacts"]}


@pytest.fixture
def office(device):
    """An owner's workspace with national numbers and the chooser's contacts."""
    owner = device()
    seed_numbers(owner)
    return owner, after_hours_team(owner)


def test_the_owner_gets_the_after_hours_contacts_with_what_saving_confirms(device, office):
    owner, contacts = office
    answer = get(owner)
    body = conforms("get", PATH, answer)
    assert answer.headers["Cache-Control"] == "no-store"
    assert body["max_chosen"] == 8 and body["everyone"] is False
    assert body["print_url"] == f"/workspaces/{owner.workspace}/poster"
    rows = rows_by_name(answer)
    # Listed by default: whoever answers after hours themselves; public numbers never.
    assert set(rows) == {"Guardia nocturna", "Atención 24 h", "Directora General", "Lic. Adriana"}
    night = rows["Guardia nocturna"]
    assert night["id"] == contacts["night"] and night["area"] == "operations"
    assert night["after_hours"] is True and night["version"] == 1
    assert len(night["fingerprint"]) == 64 and night["confirmed"] is night["changed"] is False
    assert rows["Directora General"]["visibility"] == "restricted"
    assert rows["Lic. Adriana"]["kind"] == "legal" and rows["Lic. Adriana"]["area"] is None

    # Every contact on request: day staff whose backup answers at night are listed, but not
    # marked "after hours" — their own hours do not cover it (issue 16, item 6).
    everyone = rows_by_name(get(owner, all="true"))
    assert everyone["Fernanda Reembolsos"]["after_hours"] is False
    assert everyone["Guardia nocturna"]["after_hours"] is True
    assert get(owner, all="1").get_json()["everyone"] is True


def test_saving_prints_the_chosen_contacts_and_is_audited(app, device, office):
    owner, contacts = office
    rows = rows_by_name(get(owner, all="true"))
    chosen = [rows["Guardia nocturna"], rows["Directora General"]]
    answer = save(owner, [entry(r) for r in chosen])
    body = conforms("put", PATH, answer)
    assert answer.status_code == 200
    saved = {r["name"]: r for r in body["contacts"]}
    assert saved["Guardia nocturna"]["confirmed"] and saved["Directora General"]["confirmed"]
    assert not saved["Lic. Adriana"]["confirmed"]
    # The print view shows them, to every member (an owner's publication).
    viewer = device(owner.workspace_obj, "viewer")
    sheet = viewer.client.get(f"/workspaces/{owner.workspace}/poster").get_data(as_text=True)
    assert "Guardia nocturna" in sheet and "33 0000 0204" in sheet
    assert "Lic. Adriana" not in sheet.split('data-testid="poster-choice"')[0]
    # Audited as the page's form is.
    [(actor, details)] = events(app, owner.workspace_obj.id, "poster.contacts_chosen")
    assert actor == owner.user.id
    assert details["contacts"] == [contacts["night"], contacts["director"]]
    assert details["versions"] == [1, 1] and details["count"] == 2
    assert [e["id"] for e in stored(app, owner)] == [contacts["night"], contacts["director"]]

    # An empty list takes them all off.
    assert save(owner, []).status_code == 200
    assert stored(app, owner) == []
    assert len(events(app, owner.workspace_obj.id, "poster.contacts_chosen")) == 2


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_an_owner_reads_or_changes_the_choice(app, device, office, role):
    owner, _contacts = office
    row = rows_by_name(get(owner))["Directora General"]
    member = device(owner.workspace_obj, role)
    for answer in (get(member), save(member, [entry(row)])):
        body = conforms(answer.request.method.lower(), PATH, answer)
        assert answer.status_code == 403 and body["error"] == "forbidden"
        assert "Directora" not in answer.get_data(as_text=True)
    # A stranger aimed at the owner's workspace: the same 404 as one that does not exist.
    stranger = device()
    read = stranger.client.get(path(owner))
    assert read.status_code == 404 and conforms("get", PATH, read)["error"] == "not_found"
    refused = stranger.client.put(
        path(owner), json={"contacts": [entry(row)]}, headers={"X-CSRFToken": stranger.token()}
    )
    assert conforms("put", PATH, refused)["error"] == "not_found"
    signed_out = app.test_client().get(path(owner))
    assert conforms("get", PATH, signed_out)["error"] == "unauthorized"
    assert stored(app, owner) == []


def test_saving_needs_the_csrf_token(app, device, office):
    owner, _contacts = office
    row = rows_by_name(get(owner))["Directora General"]
    answer = save(owner, [entry(row)], csrf=False)
    assert answer.status_code == 400 and conforms("put", PATH, answer)["error"] == "csrf"
    assert stored(app, owner) == []


def test_saving_needs_a_recent_password_and_the_app_proves_it_in_place(app, device, office):
    owner, _contacts = office
    row = rows_by_name(get(owner))["Directora General"]
    token = owner.client.get("/api/v1/keys/snapshot").get_json()["unlock_token"]
    forget_password(owner.client)
    headers = {"X-CSRFToken": owner.token(), UNLOCK: token}
    # Unlocked (the app's token) but no recent password: reading works, saving asks for it.
    assert owner.client.get(path(owner), headers={UNLOCK: token}).status_code == 200
    refused = owner.client.put(path(owner), json={"contacts": [entry(row)]}, headers=headers)
    assert refused.status_code == 403
    assert conforms("put", PATH, refused)["error"] == "reauthentication_required"
    assert stored(app, owner) == []
    # The password again (POST /api/v1/session/reauth), then the same request.
    again = owner.client.post(
        "/api/v1/session/reauth", json={"password": PASSWORD}, headers=headers
    )
    assert again.status_code == 204
    saved = owner.client.put(path(owner), json={"contacts": [entry(row)]}, headers=headers)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert [e["id"] for e in stored(app, owner)] == [row["id"]]


def test_a_locked_device_reads_nothing(app, device, office):
    owner, _contacts = office
    forget_password(owner.client)
    for answer in (get(owner), save(owner, [])):
        assert answer.status_code == 403
        assert conforms(answer.request.method.lower(), PATH, answer)["error"] == "locked"
        assert "Guardia" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("change", ["phones", "visibility", "name"])
def test_a_contact_that_changed_since_the_list_is_refused_with_409(app, device, office, change):
    owner, contacts = office
    rows = rows_by_name(get(owner))
    seen = [entry(rows["Lic. Adriana"]), entry(rows["Guardia nocturna"])]
    fields = {
        "phones": {"phones": [{"number": "+52 55 9999 0777"}]},
        "visibility": {"visibility": "restricted"},
        "name": {"name": "Guardia de noche"},  # another version, the same fingerprint
    }[change]
    editor = device(owner.workspace_obj, "editor")
    put(editor, fields, contacts["night"], base_version=1)
    answer = save(owner, seen, lang="es")
    body = conforms("put", PATH, answer)
    assert answer.status_code == 409 and body["error"] == "conflict"
    assert "cambió mientras elegías" in body["message"]
    # Any edit makes a new version: the owner looks again before confirming it.
    assert list(body["errors"]) == ["contacts.1.version"]
    assert stored(app, owner) == []
    assert events(app, owner.workspace_obj.id, "poster.contacts_chosen") == []


def test_a_fingerprint_that_is_not_the_contacts_is_refused_with_409(app, device, office):
    owner, _contacts = office
    row = rows_by_name(get(owner))["Guardia nocturna"]
    forged = {**entry(row), "fingerprint": "0" * 64}
    answer = save(owner, [forged])
    body = conforms("put", PATH, answer)
    assert answer.status_code == 409 and "contacts.0.fingerprint" in body["errors"]
    assert "changed while you were choosing" in body["message"]
    assert stored(app, owner) == []


@pytest.mark.parametrize("case", ["unknown", "other-workspace", "public", "deleted", "no-phone"])
def test_an_id_the_poster_cannot_show_is_refused_with_a_clear_message(app, device, office, case):
    owner, contacts = office
    good = entry(rows_by_name(get(owner))["Guardia nocturna"])
    fake = {"id": str(uuid.uuid4()), "version": 1, "fingerprint": "a" * 64}
    if case == "other-workspace":
        other = device()
        fake["id"] = put(other, {"name": "Ajeno", "phones": [{"number": "+52 55 5555 0299"}]})
    elif case == "public":
        listed = owner.client.get(f"/api/v1/workspaces/{owner.workspace}/public").get_json()
        fake["id"] = listed["contacts"][0]["id"]
    elif case == "deleted":
        gone = put(owner, {"name": "Se fue", "phones": [{"number": "+52 55 5555 0298"}]})
        put(owner, None, gone, op="delete", base_version=1)
        fake["id"] = gone
    elif case == "no-phone":
        fake["id"] = put(owner, {"name": "Sin teléfono"})
    answer = save(owner, [good, fake], lang="en")
    body = conforms("put", PATH, answer)
    assert answer.status_code == 400
    assert "is not a contact of this workspace that the poster can show" in body["message"]
    assert list(body["errors"]) == ["contacts.1.id"]
    assert stored(app, owner) == []
    assert contacts  # the office's own contacts were there all along


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"contacts": [{"id": "not-a-uuid", "version": 1, "fingerprint": "a" * 64}]},
            "contacts.0.id",
        ),
        (
            {"contacts": [{"id": str(uuid.uuid4()), "version": 0, "fingerprint": "a" * 64}]},
            "contacts.0.version",
        ),
        (
            {"contacts": [{"id": str(uuid.uuid4()), "version": 1, "fingerprint": "xyz"}]},
            "contacts.0.fingerprint",
        ),
        ({"contacts": [{"id": str(uuid.uuid4()), "version": 1}]}, "contacts.0.fingerprint"),
        ({"contact_ids": []}, "contacts"),
        (["not", "an", "object"], "_"),
    ],
    ids=["bad-id", "version-0", "bad-fingerprint", "no-fingerprint", "wrong-key", "a-list"],
)
def test_a_malformed_body_gets_400_by_field_and_changes_nothing(app, device, office, body, field):
    owner, _contacts = office
    answer = owner.client.put(path(owner), json=body, headers={"X-CSRFToken": owner.token()})
    error = conforms("put", PATH, answer)
    assert answer.status_code == 400 and error["error"] == "bad_request"
    assert field in error["errors"], error
    assert stored(app, owner) == []


def test_more_than_a_sheet_holds_is_refused_in_the_apps_language(app, device, office):
    owner, _contacts = office
    many = [{"id": str(uuid.uuid4()), "version": 1, "fingerprint": "a" * 64} for _ in range(9)]
    answer = save(owner, many, lang="es")
    body = conforms("put", PATH, answer)
    assert answer.status_code == 400
    assert body["message"] == "Elige como máximo 8 contactos: no caben más en una hoja A4."
    assert "contacts" in body["errors"]


def test_a_bad_all_or_lang_is_refused(device, office):
    owner, _contacts = office
    answer = get(owner, all="maybe")
    assert answer.status_code == 400 and "all" in conforms("get", PATH, answer)["errors"]
    refused = save(owner, [], lang="fr")
    assert refused.status_code == 400 and "lang" in conforms("put", PATH, refused)["errors"]
