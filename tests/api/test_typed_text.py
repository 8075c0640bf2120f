"""Typed text reads as it was written (issue 18, finding 6): controls, bidi overrides and
isolates, noncharacters and a leading combining mark are refused with a clear error wherever
people type text for others — directory records through sync, names, notes, invitations,
workspaces — and long text keeps its tabs and line breaks. The rule: webapp/text.py."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth, csrf_from, mutation
from webapp.auth.models import User
from webapp.db import session_scope
from webapp.directory.models import Contact, IncidentEntry, Playbook
from webapp.workspaces.models import Invitation, Workspace

REFUSED = {
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "C0 escape": "\x1b",
    "delete": "\x7f",
    "C1 control": "\x9b",
    "noncharacter": "\ufdd0",
    "line separator": "\u2028",
}


def count(app: Any, model: Any) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def rejected(answer: dict[str, Any]) -> dict[str, str]:
    [result] = answer["results"]
    assert result["status"] == "rejected", result
    return result["errors"]


def incident(device: Any) -> str:
    incident_id = uuid.uuid4()
    answer = device.sync(mutation(incident_id, {"title": "Fuga"}, type="incident"))
    assert answer["results"][0]["status"] == "applied"
    return str(incident_id)


# Where a directory text goes, and the path its error names.
PLACES = {
    "contact name": ("contact", lambda t, _d: {"name": f"Policía{t} 911"}, "name"),
    "contact notes": (
        "contact",
        lambda t, _d: {"name": "Ana", "notes": f"Police {t}119 call"},
        "notes",
    ),
    "a tag": ("contact", lambda t, _d: {"name": "Ana", "tags": ["ok", f"x{t}y"]}, "tags.1"),
    "a phone's label": (
        "contact",
        lambda t, _d: {
            "name": "Ana",
            "phones": [{"label": f"m{t}x", "number": "+52 55 1234 5678"}],
        },
        "phones.0.label",
    ),
    "a playbook step": (
        "playbook",
        lambda t, _d: {"name": "Fuego", "steps": [f"Salir{t} ya"]},
        "steps.0",
    ),
    "playbook guidance": (
        "playbook",
        lambda t, _d: {"name": "Fuego", "guidance": f"No{t}"},
        "guidance",
    ),
    "incident entry text": (
        "incident_entry",
        lambda t, d: {"incident_id": incident(d), "text": f"Llamé{t} al 911"},
        "text",
    ),
}


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
@pytest.mark.parametrize("place", PLACES.values(), ids=PLACES.keys())
def test_a_hidden_or_control_character_in_directory_text_is_rejected_naming_it(
    app, device, place, char
):
    owner = device()
    entity_type, fields, path = place
    answer = owner.sync(mutation(uuid.uuid4(), fields(char, owner), type=entity_type))
    errors = rejected(answer)
    assert list(errors) == [path]
    assert f"U+{ord(char):04X}" in errors[path] and "invisible or control" in errors[path]
    assert count(app, Contact) == count(app, Playbook) == count(app, IncidentEntry) == 0


def test_long_text_keeps_its_tabs_and_line_breaks_but_a_name_is_one_line(app, device):
    owner = device()
    notes = "Llamar primero a:\n\t1. Guardia\r\n\t2. Jefa\u200f de turno"
    kept = uuid.uuid4()
    answer = owner.sync(mutation(kept, {"name": "José \u200d👨‍👩‍👧", "notes": notes}))
    assert answer["results"][0]["status"] == "applied", answer
    with app.app_context(), session_scope(app) as session:
        assert session.get(Contact, kept).notes == notes
    errors = rejected(owner.sync(mutation(uuid.uuid4(), {"name": "Ana\nBeto"})))
    assert errors == {"name": "Write it on one line, without line breaks or tabs."}


@pytest.mark.parametrize("name", ["\u0301", "\u0301\u0308\u20dd", "  \u0301Ana"])
def test_a_name_that_starts_with_a_combining_mark_is_rejected(app, device, name):
    owner = device()
    errors = rejected(owner.sync(mutation(uuid.uuid4(), {"name": name})))
    assert "U+0301" in errors["name"] or "U+0301" in errors["name"]
    assert "accent or mark" in errors["name"]
    assert count(app, Contact) == 0


def test_the_refusal_speaks_spanish(device, make_user):
    owner = device(user=make_user(locale="es"))
    errors = rejected(owner.sync(mutation(uuid.uuid4(), {"name": "Policía \u202e119"})))
    assert errors["name"] == (
        "Quita el carácter invisible o de control U+202E: puede hacer que el texto se lea "
        "distinto de como se escribió."
    )


# --- text outside the directory ---------------------------------------------------------------


def test_an_account_name_with_a_bidi_override_gets_400_and_changes_nothing(app, device):
    owner = device()
    response = owner.client.patch(
        "/api/v1/account",
        json={"name": "Ana \u202eadmin"},
        headers={"X-CSRFToken": owner.token()},
    )
    assert response.status_code == 400
    assert "U+202E" in response.get_json()["errors"]["name"]
    with app.app_context(), session_scope(app) as session:
        assert session.get(User, owner.user.id).name == owner.user.name


def test_an_invitation_note_with_a_control_character_gets_400(app, device):
    owner = device()
    response = owner.client.post(
        f"/api/v1/workspaces/{owner.workspace}/invitations",
        json={"role": "viewer", "note": "para\x1b[2J Ana"},
        headers={"X-CSRFToken": owner.token()},
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "U+001B" in response.get_json()["errors"]["note"]
    assert count(app, Invitation) == 0


def test_a_sign_up_name_with_a_bidi_isolate_is_refused_on_the_form(app, client):
    page = client.get("/signup").get_data(as_text=True)
    response = client.post(
        "/signup",
        data={
            "csrf_token": csrf_from(page),
            "name": "Ana\u2067Ruiz",
            "email": "ana@example.com",
            "password": "tacos al pastor 24",
            "locale": "en",
        },
    )
    assert response.status_code in (200, 400)
    assert "U+2067" in response.get_data(as_text=True)
    assert count(app, User) == 0


def test_a_workspace_name_with_a_control_character_is_refused_on_the_form(app, client, make_user):
    user = make_user()
    assert Auth(client).login(user.email).status_code == 302
    page = client.get("/workspaces/new").get_data(as_text=True)
    before = count(app, Workspace)
    response = client.post(
        "/workspaces/new",
        data={"csrf_token": csrf_from(page), "name": "Bodega\x7f", "country": "MX", "city": "CDMX"},
    )
    assert response.status_code in (200, 400)
    assert "U+007F" in response.get_data(as_text=True)
    assert count(app, Workspace) == before
