"""GET /api/v1/workspaces/<id>/readiness and the readiness panel of the workspace page."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.toolkit import (
    OFFICE_HOURS,
    break_number,
    codes_in,
    incomplete_directory,
    put,
    seed_numbers,
)
from webapp.db import session_scope
from webapp.directory.models import Contact
from webapp.readiness.schemas import Readiness

AREAS = ["finance", "customer_service", "quality", "leadership", "marketing", "operations"]
VERIFIED = "2026-11-20T10:00:00Z"


def readiness(device, **params):
    response = device.client.get(
        f"/api/v1/workspaces/{device.workspace}/readiness", query_string=params
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    Readiness.model_validate(body)  # the documented shape
    return body


def checks(body):
    return {c["id"]: c for c in body["checks"]}


def test_a_fresh_workspace_scores_low_with_the_right_gaps(device):
    owner = device()
    seed_numbers(owner)
    body = readiness(owner)
    found = checks(body)
    assert body["score"] <= 40
    for area in AREAS:
        assert found[f"area:{area}"]["ok"] is False
        # The owner's fix opens a new internal contact of that area (the app's form).
        assert found[f"area:{area}"]["fix"]["url"] == f"/app#new/contact?kind=internal&area={area}"
    for gap in ("legal", "medical", "national_numbers", "city_numbers"):
        assert found[gap]["ok"] is False, gap
        assert found[gap]["fix"]["text"] and found[gap]["fix"]["url"].startswith("/app#")
    # Three national numbers, none verified: the fix names them and sends to quick dial.
    national = found["national_numbers"]["fix"]
    assert "0 of 2 checked" in national["text"] and national["url"] == "/app#quick-dial"
    assert "“" in national["text"]  # names the numbers to check
    # The seeded 088 is tagged service:cybercrime; the numbers are valid and new.
    assert found["cybercrime"]["ok"] and found["cybercrime"]["fix"] is None
    assert found["numbers_valid"]["ok"] and found["fresh"]["ok"]
    assert sum(c["weight"] for c in body["checks"] if c["ok"]) * 100 // sum(
        c["weight"] for c in body["checks"]
    ) in (body["score"], body["score"] - 1)


def test_fixing_gaps_through_sync_raises_the_score_and_clears_them(device):
    owner = device()
    emergencias, _cyber, anonima = seed_numbers(owner)
    before = readiness(owner)

    put(
        owner,
        {
            "name": "Fernanda Finanzas",
            "area": "finance",
            "phones": [{"number": "+52 55 5555 0101"}],
            "availability": {"timezone": "America/Mexico_City", "always": True},
        },
    )
    for number in (emergencias, anonima):
        put(owner, {"last_verified_at": VERIFIED}, number, base_version=1)
    after = readiness(owner)
    found = checks(after)
    assert found["area:finance"] == {
        "id": "area:finance",
        "ok": True,
        "title": found["area:finance"]["title"],
        "weight": 1,
        "fix": None,
    }
    assert found["national_numbers"]["ok"] is True
    assert after["score"] > before["score"]
    assert not checks(before)["area:finance"]["ok"]


@pytest.mark.parametrize(
    ("availability", "after_hours"),
    [
        ({"always": True}, True),
        ({"hours": [{"days": [6, 7], "from": "10:00", "to": "14:00"}]}, True),
        ({"hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "22:00"}]}, True),
        ({"hours": [{"days": [1, 2, 3, 4, 5], "from": "22:00", "to": "06:00"}]}, True),
        ({"hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}]}, False),
        (None, False),
    ],
    ids=["always", "weekends", "evenings", "overnight", "office-hours", "unknown"],
)
def test_what_counts_as_after_hours(device, availability, after_hours):
    owner = device()
    put(
        owner,
        {
            "name": "Carla Calidad",
            "area": "quality",
            "phones": [{"number": "+52 55 5555 0102"}],
            "availability": availability,
        },
    )
    check = checks(readiness(owner))["area:quality"]
    assert check["ok"] is after_hours
    if not after_hours:
        # The contact exists: the fix names it, and opens a new after-hours contact of the area.
        assert "“Carla Calidad”" in check["fix"]["text"]
        assert (
            check["fix"]["url"] == "/app#new/contact?kind=internal&area=quality&hours=after_hours"
        )


def test_a_backup_available_after_hours_covers_the_area(device):
    owner = device()
    backup = put(
        owner,
        {
            "name": "Guardia de operaciones",
            "phones": [{"number": "+52 55 5555 0103"}],
            "availability": {"always": True},
        },
    )
    lead = put(
        owner,
        {
            "name": "Óscar Operaciones",
            "area": "operations",
            "phones": [{"number": "+52 55 5555 0104"}],
            "availability": {"hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}]},
        },
    )
    assert not checks(readiness(owner))["area:operations"]["ok"]
    put(owner, {"backup_contact_id": backup}, lead, base_version=1)
    assert checks(readiness(owner))["area:operations"]["ok"]


def test_city_numbers_and_a_playbook_without_contacts(device):
    owner = device()  # Ciudad de México
    ids = [
        put(
            owner,
            {
                "name": name,
                "kind": "authority",
                "city": "Ciudad de Mexico",  # accents and case do not matter
                "phones": [{"number": number}],
                "last_verified_at": VERIFIED,
            },
        )
        for name, number in (("SSC CDMX", "+52 55 5208 9898"), ("ERUM", "+52 55 5683 2222"))
    ]
    assert checks(readiness(owner))["city_numbers"]["ok"]

    playbook = put(owner, {"name": "Aaa sin contactos", "steps": ["Llamar"]}, type="playbook")
    check = checks(readiness(owner))["playbooks"]
    assert not check["ok"] and "“Aaa sin contactos”" in check["fix"]["text"]
    assert check["fix"]["url"] == f"/app#edit/playbook/{playbook}"
    put(owner, {"contact_ids": [ids[0]]}, playbook, type="playbook", base_version=1)
    assert "Aaa sin contactos" not in str(checks(readiness(owner))["playbooks"]["fix"])


def test_invalid_and_stale_numbers_are_named(app, device):
    owner = device()
    old = (datetime.now(UTC) - timedelta(days=200)).isoformat()
    stale = put(
        owner,
        {
            "name": "Abogada externa",
            "kind": "legal",
            "phones": [{"number": "+52 55 5555 0105"}],
            "last_verified_at": old,
        },
    )
    wrong = put(owner, {"name": "Número viejo", "phones": [{"number": "+52 55 5555 0106"}]})
    # A record saved under older rules (the server now refuses such a number).
    with app.app_context(), session_scope(app) as session:
        session.execute(
            update(Contact)
            .where(Contact.id == uuid.UUID(wrong))
            .values(phones=[{"label": "", "number": "12"}])
        )
    found = checks(readiness(owner))
    assert not found["fresh"]["ok"] and "“Abogada externa”" in found["fresh"]["fix"]["text"]
    assert found["fresh"]["fix"]["url"] == f"/app#contact/{stale}"
    assert (
        not found["numbers_valid"]["ok"]
        and "“Número viejo”" in found["numbers_valid"]["fix"]["text"]
    )
    assert found["numbers_valid"]["fix"]["url"] == f"/app#edit/contact/{wrong}"
    assert found["legal"]["ok"]


def test_a_viewer_never_counts_or_names_restricted_contacts(device):
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    secret = "Licenciada Reservada"
    for area in ("legal", "finance"):
        put(
            owner,
            {
                "name": f"{secret} {area}",
                "kind": "legal" if area == "legal" else "internal",
                "area": area,
                "visibility": "restricted",
                "phones": [{"number": "+52 55 5555 0107"}],
            },
        )
    # A restricted finance contact without after-hours: the owner's fix names it.
    put(owner, {"name": "Playbook reservado", "visibility": "restricted"}, type="playbook")
    owner_view = readiness(owner)
    assert checks(owner_view)["legal"]["ok"]
    assert secret in str(owner_view)
    viewer_view = readiness(viewer)
    assert not checks(viewer_view)["legal"]["ok"]
    assert checks(viewer_view)["area:finance"]["fix"]["url"] == "/app#directory"
    assert secret not in str(viewer_view) and "reservado" not in str(viewer_view).lower()
    assert viewer_view["score"] <= owner_view["score"]


def test_texts_follow_the_user_or_the_lang_parameter(device):
    owner = device()  # the user's locale is English
    assert checks(readiness(owner))["legal"]["title"] == "A legal contact"
    assert checks(readiness(owner, lang="es"))["legal"]["title"] == "Un contacto legal"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/workspaces/not-a-uuid/readiness", 404),
        ("/api/v1/workspaces/7d0c2f9e-5b1a-4c3e-9f47-2a6b8e1d3c50/readiness", 404),  # nobody's
        ("/api/v1/workspaces/{wid}/readiness?lang=fr", 400),
        ("/api/v1/workspaces/{wid}/readiness?lang=%FF", 400),
    ],
)
def test_bad_input_gets_a_clear_4xx(device, path, status):
    owner = device()
    response = owner.client.get(path.format(wid=owner.workspace))
    assert response.status_code == status
    assert response.get_json()["message"]


def test_members_only(app, device):
    owner = device()
    stranger = device()
    path = f"/api/v1/workspaces/{owner.workspace}/readiness"
    assert stranger.client.get(path).status_code == 404
    assert app.test_client().get(path).status_code == 401
    assert stranger.client.get(f"/workspaces/{owner.workspace}").status_code == 404


def test_the_workspace_page_shows_the_score_and_the_gaps_with_links(device):
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    seed_numbers(owner)
    score = readiness(owner)["score"]
    page = owner.client.get(f"/workspaces/{owner.workspace}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'data-testid="readiness-score">{score}<' in html
    assert 'data-check="area:finance"' in html
    assert 'href="/app#new/contact?kind=internal&amp;area=finance"' in html
    assert f"/workspaces/{owner.workspace}/poster" in html
    assert f"/workspaces/{owner.workspace}/members" in html
    # A viewer sees the page and the checklist, without the owner's links.
    seen = viewer.client.get(f"/workspaces/{owner.workspace}").get_data(as_text=True)
    assert 'data-testid="readiness-score"' in seen and "/members" not in seen


@pytest.mark.parametrize(
    ("area", "check"),
    [
        ("Finanzas", "area:finance"),
        ("Atención al cliente", "area:customer_service"),
        ("customer-service", "area:customer_service"),
        ("Mercadotecnia", "area:marketing"),
        ("Jurídico", "legal"),
    ],
)
def test_areas_typed_by_people_count(device, area, check):
    owner = device()
    put(
        owner,
        {
            "name": "Alguien",
            "area": area,
            "phones": [{"number": "+52 55 5555 0110"}],
            "availability": {"always": True},
        },
    )
    assert checks(readiness(owner))[check]["ok"]


def test_an_editors_fixes_open_the_apps_forms_a_viewers_do_not(device):
    """Issue 14: the checklist's links open the right form, pre-filled; viewers cannot edit."""
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    found = checks(readiness(owner))
    assert found["legal"]["fix"]["url"] == "/app#new/contact?kind=legal"
    assert found["medical"]["fix"]["url"] == "/app#new/contact?kind=medical"
    assert found["cybercrime"]["fix"]["url"] == "/app#new/contact?kind=authority"
    assert found["playbooks"]["fix"]["url"] == "/app#new/playbook"
    seen = checks(readiness(viewer))
    assert seen["legal"]["fix"]["url"] == "/app#directory"
    assert not any(
        "#new/" in c["fix"]["url"] or "#edit/" in c["fix"]["url"] for c in seen.values() if c["fix"]
    )


# --- Issue 16: no code on screen, and a viewer's checklist ----------------------------------

EVERY_CHECK = {f"area:{area}" for area in AREAS} | {
    "legal",
    "medical",
    "national_numbers",
    "city_numbers",
    "cybercrime",
    "playbooks",
    "numbers_valid",
    "fresh",
}
ASK = "Ask an owner or an editor"


def shown_text(body) -> str:
    """Return what the checklist shows of an answer: titles and fixes."""
    parts = []
    for check in body["checks"]:
        parts.append(check["title"])
        if check["fix"]:
            parts.append(check["fix"]["text"])
    return "\n".join(parts)


def panel_text(device) -> str:
    """Return the visible text of the readiness panel on the workspace page."""
    page = device.client.get(f"/workspaces/{device.workspace}").get_data(as_text=True)
    section = re.search(r'<section[^>]*data-testid="readiness".*?</section>', page, re.S)
    assert section, page
    return html.unescape(re.sub(r"<[^>]+>", " ", section.group(0)))


def test_the_no_code_check_finds_the_codes_that_used_to_show():
    old = "Añade un contacto de finanzas (área «finance»), tipo «authority» o etiqueta «city»."
    assert codes_in(old) == {"finance", "authority", "city"}
    assert codes_in("la etiqueta «service:cybercrime»") == {"cybercrime", "service:"}
    assert codes_in("Finanzas, Atención al cliente, tipo «Legal», área «Marketing»") == set()


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_in_spanish_every_failing_check_reads_without_a_code(
    app, device, make_user, add_member, role
):
    """Issue 16: each check in each of its failing states, on the API and on the page."""
    shown = []
    failing = set()
    # An empty workspace, then one with something of each check there but not enough.
    for fill in (False, True):
        owner = device(user=make_user(locale="es"))
        member = owner
        if role == "viewer":
            reader = make_user(locale="es")
            add_member(owner.workspace_obj, reader, "viewer")
            member = device(owner.workspace_obj, "viewer", reader)
        if fill:
            ids = incomplete_directory(owner, tuple(AREAS))
            wrong = put(owner, {"name": "Número viejo", "phones": [{"number": "+52 55 5555 0198"}]})
            break_number(app, wrong)
            assert ids
        body = readiness(member, lang="es")
        found = checks(body)
        failing |= {check for check, c in found.items() if not c["ok"]}
        if fill:  # the fixes that name what is there
            assert "“Persona 10”" in found["area:finance"]["fix"]["text"]
            assert "“Línea de emergencias”" in found["national_numbers"]["fix"]["text"]
            assert "“SSC”" in found["city_numbers"]["fix"]["text"]
            assert "“Protocolo sin nadie”" in found["playbooks"]["fix"]["text"]
            assert "“Número viejo”" in found["numbers_valid"]["fix"]["text"]
            assert "“Contacto antiguo”" in found["fresh"]["fix"]["text"]
        shown.append(shown_text(body))
        panel = panel_text(member)
        assert "Qué falta" in panel  # the page is in Spanish
        shown.append(panel)
    assert failing == EVERY_CHECK
    text = "\n".join(shown)
    assert codes_in(text) == set(), text
    # The names the codes stand for are there instead.
    assert "«Finanzas»" in text and "atención al cliente" in text
    if role == "owner":
        assert "tipo «Legal»" in text and "tipo «Médico»" in text
        assert "«Emergencias» o «Autoridad»" in text and "«Ciberdelitos»" in text
    else:
        assert "Pide a un propietario o editor" in text


def test_in_english_the_fixes_name_kinds_and_areas_as_the_form_does(device):
    owner = device()
    found = checks(readiness(owner, lang="en"))
    assert "(kind “Legal”)" in found["legal"]["fix"]["text"]
    assert "(kind “Medical”)" in found["medical"]["fix"]["text"]
    assert "the area “Customer service”" in found["area:customer_service"]["fix"]["text"]
    assert "“Emergency services” or “Authority”" in found["national_numbers"]["fix"]["text"]
    assert "tag “Cybercrime”" in found["cybercrime"]["fix"]["text"]


@pytest.mark.parametrize("tag", ["Ciberdelitos", "cybercrime", "Denuncia de abuso infantil"])
def test_a_tag_naming_the_cybercrime_service_in_either_language_counts(device, tag):
    """The fix says “with the tag «Ciberdelitos»”: typing it must pass the check."""
    owner = device()
    assert not checks(readiness(owner))["cybercrime"]["ok"]
    put(
        owner,
        {
            "name": "Policía cibernética",
            "kind": "authority",
            "tags": [tag],
            "phones": [{"number": "088"}],
        },
    )
    assert checks(readiness(owner))["cybercrime"]["ok"]


def outcome(body):
    return {c["id"]: c["ok"] for c in body["checks"]}


def test_an_owner_and_a_viewer_of_the_same_directory_get_the_same_score(app, device):
    """Issue 16, item 10: with nothing restricted, the viewer sees the owner's directory."""
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    incomplete_directory(owner, ("finance", "quality"))
    put(
        owner,
        {
            "name": "Guardia",
            "area": "operations",
            "availability": {"always": True},
            "phones": [{"number": "+52 55 5555 0150"}],
        },
    )
    seen, own = readiness(viewer), readiness(owner)
    assert outcome(seen) == outcome(own) and set(outcome(seen)) == EVERY_CHECK
    assert seen["score"] == own["score"]


RESTRICTED = "Licenciada Reservada"


def restricted_records(owner):
    """Restricted contacts that change the legal, finance and freshness checks (no references)."""
    put(
        owner,
        {
            "name": f"{RESTRICTED} legal",
            "kind": "legal",
            "visibility": "restricted",
            "phones": [{"number": "+52 55 5555 0160"}],
        },
    )
    put(
        owner,
        {
            "name": f"{RESTRICTED} finanzas",
            "area": "finance",
            "visibility": "restricted",
            "availability": {"always": True},
            "phones": [{"number": "+52 55 5555 0161"}],
        },
    )
    put(
        owner,
        {
            "name": f"{RESTRICTED} antigua",
            "visibility": "restricted",
            "phones": [{"number": "+52 55 5555 0162"}],
            "last_verified_at": (datetime.now(UTC) - timedelta(days=300)).isoformat(),
        },
    )
    put(owner, {"name": f"{RESTRICTED} protocolo", "visibility": "restricted"}, type="playbook")


def test_a_viewers_score_is_the_owners_over_the_directory_the_viewer_sees(device):
    """The scores differ only where the viewer's directory differs: the viewer's answer is the
    owner's answer for a workspace holding only what the viewer sees."""
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    seen_only = device()  # another workspace: the same directory without the restricted records
    for member in (owner, seen_only):
        put(
            member,
            {
                "name": "Fernanda",
                "area": "finance",
                "availability": OFFICE_HOURS,
                "phones": [{"number": "+52 55 5555 0163"}],
            },
        )
        put(
            member,
            {
                "name": "Jurídico externo",
                "kind": "partner",
                "phones": [{"number": "+52 55 5555 0164"}],
            },
        )
    restricted_records(owner)

    own, seen, expected = readiness(owner), readiness(viewer), readiness(seen_only)
    assert outcome(seen) == outcome(expected) and seen["score"] == expected["score"]
    differ = {c for c in outcome(own) if outcome(own)[c] != outcome(seen)[c]}
    # Exactly what the restricted records change: a legal contact, finance after hours, and one
    # contact left unverified (the restricted playbook has no contacts, but it is not the
    # viewer's: both still fail "every playbook has contacts").
    assert differ == {"legal", "area:finance", "fresh"}
    assert own["score"] != seen["score"]
    assert RESTRICTED not in str(seen) and RESTRICTED in str(own)


def test_a_viewer_is_never_asked_to_fix_what_is_hidden_from_them(device):
    """A backup or a playbook's contact out of the viewer's view leaves that item out of the
    viewer's count; what the viewer is asked, they ask of an owner or an editor."""
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    backup = put(
        owner,
        {
            "name": f"{RESTRICTED} guardia",
            "visibility": "restricted",
            "availability": {"always": True},
            "phones": [{"number": "+52 55 5555 0170"}],
        },
    )
    put(
        owner,
        {
            "name": "Fernanda",
            "area": "finance",
            "availability": OFFICE_HOURS,
            "backup_contact_id": backup,
            "phones": [{"number": "+52 55 5555 0171"}],
        },
    )
    put(owner, {"name": "Fuga de datos", "contact_ids": [backup]}, type="playbook")
    empty = put(owner, {"name": "Protocolo sin nadie"}, type="playbook")

    own, seen = checks(readiness(owner)), checks(readiness(viewer))
    assert own["area:finance"]["ok"]
    # The viewer cannot see who answers for finance after hours: not theirs to judge.
    assert "area:finance" not in seen
    # The playbook whose contact is hidden is not named; the empty one is, as the owner's.
    assert "Fuga de datos" not in own["playbooks"]["fix"]["text"]
    assert "Fuga de datos" not in seen["playbooks"]["fix"]["text"]
    assert "“Protocolo sin nadie”" in seen["playbooks"]["fix"]["text"]
    for check in seen.values():
        if check["fix"]:
            assert ASK in check["fix"]["text"], check
            assert "#new/" not in check["fix"]["url"] and "#edit/" not in check["fix"]["url"]
    assert RESTRICTED not in str(seen)

    # With the empty playbook given someone the viewer sees, nothing is left for them to judge.
    someone = put(owner, {"name": "Operador", "phones": [{"number": "+52 55 5555 0172"}]})
    put(owner, {"contact_ids": [someone]}, empty, type="playbook", base_version=1)
    seen = checks(readiness(viewer))
    assert seen["playbooks"]["ok"]
    # Now its only contact is the hidden one too: every playbook's people are hidden.
    put(owner, {"contact_ids": [backup]}, empty, type="playbook", base_version=2)
    assert "playbooks" not in checks(readiness(viewer))  # every playbook's people are hidden
    assert checks(readiness(owner))["playbooks"]["ok"]


def test_the_page_tells_a_viewer_that_the_score_counts_what_they_see(device):
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    line = "This score counts only the contacts and playbooks you can see"
    assert line in panel_text(viewer)
    assert line not in panel_text(owner)
