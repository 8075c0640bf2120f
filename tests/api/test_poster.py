"""The office poster at /workspaces/<id>/poster: members only, what it prints, the owner's
choice of contacts, the audit of each view."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from sqlalchemy import select, update

from tests.helpers import PASSWORD, csrf_from
from tests.toolkit import put, seed_numbers
from webapp.audit.models import AuditEvent
from webapp.auth.session import AUTH_AT
from webapp.db import session_scope
from webapp.wire import static_prefix
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
    assert "data-print" in html and f"{static_prefix()}/js/print.js" in html
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


def sheet_of(device, owner) -> str:
    """Return the printed sheet of the poster as `device` sees it."""
    html = device.client.get(poster_path(owner)).get_data(as_text=True)
    return html[html.index('data-testid="poster"') : html.index("</article>")]


def stored_choice(app, owner) -> list:
    with app.app_context(), session_scope(app) as session:
        return session.get(Workspace, uuid.UUID(owner.workspace)).poster_contact_ids


def set_choice(app, owner, value) -> None:
    with app.app_context(), session_scope(app) as session:
        session.execute(
            update(Workspace)
            .where(Workspace.id == uuid.UUID(owner.workspace))
            .values(poster_contact_ids=value)
        )


CHANGED = "changed since you chose it: check and confirm"


def test_a_chosen_contact_made_restricted_with_a_new_number_leaves_the_poster_until_confirmed(
    app, device, office
):
    # Finding 5 of issue 13: a chosen team contact later made restricted, with a personal
    # number added, showed that number to viewers on the poster.
    owner, contacts = office
    viewer = device(owner.workspace_obj, "viewer")
    night = contacts["night"]
    assert choose(owner, [night]).status_code == 303
    assert "55 5555 0201" in sheet_of(viewer, owner)

    put(
        owner,
        {
            "visibility": "restricted",
            "phones": [
                {"label": "móvil", "number": "+52 55 5555 0201"},
                {"label": "personal", "number": "+52 55 9999 0777"},
            ],
        },
        night,
        base_version=1,
    )
    for who in (viewer, owner):
        page = who.client.get(poster_path(owner)).get_data(as_text=True)
        assert "9999 0777" not in page
        assert "Guardia nocturna" not in sheet_of(who, owner)
    # The owner's chooser says why, and leaves the box for the owner to tick.
    page = owner.client.get(poster_path(owner)).get_data(as_text=True)
    assert 'data-testid="poster-unconfirmed"' in page
    row = re.search(rf'<li class="row" data-changed>.*?value="{night}".*?</li>', page, re.S)
    assert row and CHANGED in row.group(0) and "checked" not in row.group(0)
    assert 'data-testid="poster-unconfirmed"' not in viewer.client.get(poster_path(owner)).get_data(
        as_text=True
    )

    # An owner looks and confirms: printed again, the new number too.
    assert choose(owner, [night]).status_code == 303
    sheet = sheet_of(viewer, owner)
    assert "Guardia nocturna" in sheet and "55 9999 0777" in sheet
    page = owner.client.get(poster_path(owner)).get_data(as_text=True)
    assert CHANGED not in page and 'data-testid="poster-unconfirmed"' not in page
    # The choice names the contact at the version the owner confirmed.
    [entry] = stored_choice(app, owner)
    assert entry["id"] == night and entry["version"] == 2 and len(entry["fingerprint"]) == 64


def test_visibility_alone_or_phones_alone_need_confirmation_other_fields_do_not(
    app, device, office
):
    owner, contacts = office
    viewer = device(owner.workspace_obj, "viewer")
    night, director = contacts["night"], contacts["director"]
    assert choose(owner, [night, director]).status_code == 303
    put(
        owner,
        {"notes": "Llamar primero por radio", "name": "Guardia de noche"},
        night,
        base_version=1,
    )
    sheet = sheet_of(viewer, owner)
    assert "Guardia de noche" in sheet and "Directora General" in sheet
    put(owner, {"visibility": "team"}, director, base_version=1)
    assert "Directora General" not in sheet_of(viewer, owner)
    put(owner, {"phones": [{"number": "+52 55 5555 0299"}]}, night, base_version=2)
    assert "Guardia de noche" not in sheet_of(viewer, owner)


def test_a_choice_stored_as_bare_ids_is_not_printed_until_an_owner_confirms_it(app, device, office):
    # Choices saved before they named a version: the secure reading is "not confirmed".
    owner, contacts = office
    viewer = device(owner.workspace_obj, "viewer")
    set_choice(app, owner, [contacts["night"], contacts["director"]])
    assert "Guardia nocturna" not in sheet_of(viewer, owner)
    page = owner.client.get(f"{poster_path(owner)}?all=1").get_data(as_text=True)
    assert page.count(CHANGED) == 2
    assert choose(owner, [contacts["director"]]).status_code == 303
    sheet = sheet_of(viewer, owner)
    assert "Directora General" in sheet and "Guardia nocturna" not in sheet


def test_a_contact_that_changes_while_the_owner_chooses_is_not_confirmed_unseen(
    app, device, office
):
    owner, contacts = office
    night = contacts["night"]
    page = owner.client.get(poster_path(owner)).get_data(as_text=True)
    seen = re.search(rf'name="seen-{night}" value="([0-9a-f]{{64}})"', page).group(1)
    # Meanwhile an editor adds a number.
    editor = device(owner.workspace_obj, "editor")
    put(editor, {"phones": [{"number": "+52 55 9999 0778"}]}, night, base_version=1)
    answer = owner.client.post(
        poster_path(owner),
        data={"csrf_token": csrf_from(page), "contact_ids": [night], f"seen-{night}": seen},
    )
    assert answer.status_code == 409  # the form again, saying why
    assert "changed while you were choosing" in answer.get_data(as_text=True)
    assert stored_choice(app, owner) == []


def test_the_poster_asks_for_the_password_again_after_the_window(app, device, office):
    # It prints people's numbers in clear: a device left signed in for weeks must not show it.
    owner, contacts = office
    assert choose(owner, [contacts["director"]]).status_code == 303
    viewer = device(owner.workspace_obj, "viewer")
    with viewer.client.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - 11 * 60
    answer = viewer.client.get(poster_path(owner))
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/reauth?next=")
    assert "5555 0202" not in answer.get_data(as_text=True)
    reauth = answer.headers["Location"]
    form = viewer.client.get(reauth).get_data(as_text=True)
    back = viewer.client.post(reauth, data={"csrf_token": csrf_from(form), "password": PASSWORD})
    assert back.headers["Location"] == poster_path(owner)
    assert "55 5555 0202" in sheet_of(viewer, owner)


def test_the_spanish_chooser_shows_names_not_codes_and_marks_only_who_answers_at_night(
    app, device, office
):
    # Issue 16, items 4 and 6: "· finance ·" on a Spanish screen, and "after hours" beside day
    # staff whose backup answers at night.
    owner, contacts = office
    with app.app_context(), session_scope(app) as session:
        session.get(type(owner.user), owner.user.id).locale = "es"
    day = put(
        owner,
        {
            "name": "Fernanda Reembolsos",
            "area": "finance",
            "phones": [{"number": "+52 55 5555 0210"}],
            "availability": {"hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}]},
            "backup_contact_id": contacts["night"],
        },
    )
    care = put(
        owner,
        {
            "name": "Atención 24 h",
            "area": "customer_service",
            "phones": [{"number": "+52 55 5555 0211"}],
            "availability": {"always": True},
        },
    )
    lawyer = put(
        owner,
        {"name": "Lic. Adriana", "kind": "legal", "phones": [{"number": "+52 55 5555 0212"}]},
    )
    page = owner.client.get(f"{poster_path(owner)}?all=1").get_data(as_text=True)
    chooser = page[page.index('data-testid="poster-choice"') :]
    rows = {
        cid: re.search(rf'value="{cid}".*?</li>', chooser, re.S).group(0)
        for cid in (contacts["night"], day, care, lawyer)
    }
    assert "· Operaciones" in rows[contacts["night"]]
    assert "· Finanzas" in rows[day] and "· Atención al cliente" in rows[care]
    assert "· Legal" in rows[lawyer]
    for code in ("finance", "customer_service", "operations", "leadership", "legal"):
        assert f"· {code}" not in chooser
    assert "fuera de horario" in rows[contacts["night"]] and "fuera de horario" in rows[care]
    assert "fuera de horario" not in rows[day]  # only its backup answers at night
    assert "fuera de horario" not in rows[lawyer]
