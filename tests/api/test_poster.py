"""The office poster at /workspaces/<id>/poster: members only, what it prints, the owner's
choice of contacts, the audit of each view."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from tests.helpers import csrf_from
from tests.toolkit import put, seed_numbers
from webapp.audit.models import AuditEvent
from webapp.db import session_scope
from webapp.workspaces.models import Workspace


def poster_path(device) -> str:
    return f"/workspaces/{device.workspace}/poster"


def choose(device, ids, path=None):
    """Post the owner's form as a browser would (the form's own CSRF token)."""
    path = path or poster_path(device)
    page = device.client.get(poster_path(device)).get_data(as_text=True)
    return device.client.post(path, data={"csrf_token": csrf_from(page), "contact_ids": ids})


def events(app, workspace_id, action):
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(
            select(AuditEvent).where(
                AuditEvent.workspace_id == workspace_id, AuditEvent.action == action
            )
        )
        return [(e.actor_id, e.details) for e in rows]


@pytest.fixture
def office(device):
    """A workspace with national numbers, a restricted director line and two team contacts."""
    owner = device()
    seed_numbers(owner)
    contacts = {
        "night": put(
            owner,
            {
                "name": "Guardia nocturna",
                "area": "operations",
                "phones": [{"label": "móvil", "number": "+52 55 5555 0201"}],
                "availability": {"always": True},
            },
        ),
        "director": put(
            owner,
            {
                "name": "Directora General",
                "area": "leadership",
                "visibility": "restricted",
                "phones": [{"number": "+52 55 5555 0202"}],
            },
        ),
        "ceo": put(
            owner,
            {
                "name": "Línea privada del CEO",
                "area": "leadership",
                "visibility": "restricted",
                "phones": [{"number": "+52 55 5555 0203"}],
            },
        ),
    }
    return owner, contacts


def test_members_only(app, device, office):
    owner, _contacts = office
    stranger = device()
    viewer = device(owner.workspace_obj, "viewer")
    assert owner.client.get(poster_path(owner)).status_code == 200
    assert viewer.client.get(poster_path(owner)).status_code == 200
    assert stranger.client.get(poster_path(owner)).status_code == 404
    assert stranger.client.get("/workspaces/not-a-uuid/poster").status_code == 404
    signed_out = app.test_client().get(poster_path(owner))
    assert signed_out.status_code in (302, 401)


def test_public_numbers_in_service_order_and_the_workspace_language(app, device, office):
    owner, _contacts = office
    response = owner.client.get(poster_path(owner))
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    # general, then police, then the rest (cybercrime).
    names = ("Emergencias (general)", "Denuncia anónima (policía)", "Guardia Nacional (denuncia")
    order = [html.index(name) for name in names]
    assert order == sorted(order)
    assert '<span class="poster-number">911</span>' in html
    assert "<svg" in html and "<script>" not in html  # the QR code, no inline script
    assert 'lang="es"' in html and "En una emergencia, llama" in html  # the workspace's language
    assert "data-print" in html and "/static/js/print.js" in html
    with app.app_context(), session_scope(app) as session:
        session.execute(
            update(Workspace)
            .where(Workspace.id == uuid.UUID(owner.workspace))
            .values(language="en")
        )
    html = owner.client.get(poster_path(owner)).get_data(as_text=True)
    assert 'lang="en"' in html and "In an emergency, call" in html


def test_an_owners_chosen_contact_appears_and_an_unchosen_restricted_one_does_not(
    app, device, office
):
    owner, contacts = office
    viewer = device(owner.workspace_obj, "viewer")
    before = viewer.client.get(poster_path(owner)).get_data(as_text=True)
    assert "Guardia nocturna" not in before and "Directora General" not in before

    answer = choose(owner, [contacts["night"], contacts["director"]])
    assert answer.status_code == 303
    for who in (owner, viewer):
        html = who.client.get(poster_path(owner)).get_data(as_text=True)
        sheet = html[html.index('data-testid="poster"') : html.index("</article>")]
        # Chosen: printed, restricted or not (an owner's explicit publication), in national form.
        assert "Guardia nocturna" in sheet and "55 5555 0201" in sheet
        assert "Directora General" in sheet
        # Not chosen: never on the sheet, and a viewer never sees it anywhere on the page.
        assert "Línea privada del CEO" not in sheet
    viewer_page = viewer.client.get(poster_path(owner)).get_data(as_text=True)
    assert "Línea privada del CEO" not in viewer_page and 'name="contact_ids"' not in viewer_page
    [(actor, details)] = events(app, owner.workspace_obj.id, "poster.contacts_chosen")
    assert actor == owner.user.id
    assert details["contacts"] == [contacts["night"], contacts["director"]]


def test_each_view_is_audited(app, device, office):
    owner, _contacts = office
    viewer = device(owner.workspace_obj, "viewer")
    owner.client.get(poster_path(owner))
    viewer.client.get(poster_path(owner))
    viewer.client.get(poster_path(owner))
    actors = [actor for actor, _details in events(app, owner.workspace_obj.id, "poster.viewed")]
    assert sorted(map(str, actors)) == sorted(
        map(str, [owner.user.id, viewer.user.id, viewer.user.id])
    )
    labels = owner.client.get(f"/workspaces/{owner.workspace}/audit").get_data(as_text=True)
    assert "Office poster opened" in labels


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_an_owner_changes_the_choice(device, office, role):
    owner, contacts = office
    member = device(owner.workspace_obj, role)
    page = owner.client.get(poster_path(owner)).get_data(as_text=True)
    token = csrf_from(member.client.get(f"/workspaces/{owner.workspace}").get_data(as_text=True))
    answer = member.client.post(
        poster_path(owner), data={"csrf_token": token, "contact_ids": [contacts["ceo"]]}
    )
    assert answer.status_code == 403
    stranger = device()
    token = csrf_from(stranger.client.get("/workspaces/new").get_data(as_text=True))
    answer = stranger.client.post(
        poster_path(owner), data={"csrf_token": token, "contact_ids": [contacts["ceo"]]}
    )
    assert answer.status_code == 404
    assert (
        "Línea privada del CEO"
        not in owner.client.get(poster_path(owner))
        .get_data(as_text=True)
        .split('data-testid="poster-choice"')[0]
    )
    assert page  # the owner's page was there all along


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["not-an-id"], "is not a contact id"),
        ([str(uuid.uuid4())], "is not a contact of this workspace"),
        ("public", "is not a contact of this workspace"),
        ("other", "is not a contact of this workspace"),
        ("many", "Choose at most 8 contacts"),
    ],
)
def test_bad_ids_are_rejected_with_a_clear_message(device, office, ids, message):
    owner, contacts = office
    if ids == "public":
        ids = [
            owner.client.get(f"/api/v1/workspaces/{owner.workspace}/public").get_json()["contacts"][
                0
            ]["id"]
        ]
    elif ids == "other":
        other = device()
        ids = [put(other, {"name": "Ajeno", "phones": [{"number": "+52 55 5555 0299"}]})]
    elif ids == "many":
        ids = [
            put(owner, {"name": f"Persona {n}", "phones": [{"number": f"+52 55 5555 03{n:02d}"}]})
            for n in range(9)
        ]
    answer = choose(owner, ids)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    # Nothing changed.
    assert 'data-testid="poster-chosen"' not in owner.client.get(poster_path(owner)).get_data(
        as_text=True
    )


def test_the_form_needs_its_csrf_token(device, office):
    owner, contacts = office
    answer = owner.client.post(poster_path(owner), data={"contact_ids": [contacts["night"]]})
    assert answer.status_code == 400
    assert (
        "Guardia nocturna"
        not in owner.client.get(poster_path(owner))
        .get_data(as_text=True)
        .split('data-testid="poster-choice"')[0]
    )


def test_the_form_offers_after_hours_contacts_first_and_everyone_on_request(device, office):
    owner, contacts = office
    path = poster_path(owner)
    offered = owner.client.get(path).get_data(as_text=True)
    # The night shift (always available) is offered; the office-hours director is not, until
    # the owner asks for every contact.
    assert f'value="{contacts["night"]}"' in offered
    assert f'value="{contacts["director"]}"' not in offered
    everyone = owner.client.get(f"{path}?all=1").get_data(as_text=True)
    assert f'value="{contacts["director"]}"' in everyone
    # Once chosen, a contact stays offered (so that it can be unchosen).
    assert choose(owner, [contacts["director"]]).status_code == 303
    assert f'value="{contacts["director"]}" checked' in owner.client.get(path).get_data(
        as_text=True
    )
