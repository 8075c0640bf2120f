"""A new workspace starts with its country's emergency numbers and the default playbooks."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.api.test_snapshot import open_snapshot
from tests.conftest import Auth, csrf_from
from tests.unit.test_cli import invoke
from webapp.audit.models import AuditEvent
from webapp.db import session_scope
from webapp.directory.models import Contact, Playbook
from webapp.toolkit import seed
from webapp.workspaces.models import Membership, Workspace

TAGS = {"verify-locally", "national"}


def create_on_the_web(client, country, city, language=""):
    page = client.get("/workspaces/new").get_data(as_text=True)
    response = client.post(
        "/workspaces/new",
        data={
            "csrf_token": csrf_from(page),
            "name": f"Brand {country}",
            "country": country,
            "city": city,
            "language": language,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (workspace,) = [
        w
        for w in client.get("/api/v1/session").get_json()["workspaces"]
        if w["name"] == f"Brand {country}"
    ]
    return workspace["id"]


def public_numbers(client, workspace_id):
    body = client.get(f"/api/v1/workspaces/{workspace_id}/public").get_json()
    return {p["number"]: c for c in body["contacts"] for p in c["phones"]}


@pytest.fixture
def signed_in(client, make_user):
    make_user(email="ana@example.com", locale="en")
    Auth(client).login("ana@example.com")
    return client


def test_a_mexican_workspace_has_its_numbers_on_quick_dial_and_spanish_playbooks(signed_in):
    client = signed_in
    wid = create_on_the_web(client, "MX", "Ciudad de México")
    numbers = public_numbers(client, wid)  # quick dial's list: name, phones, tags
    assert {"911", "088"} <= set(numbers)
    assert numbers["911"]["name"] == "Emergencias 911"
    assert set(numbers["911"]["tags"]) == TAGS | {"service:general"}
    assert set(numbers["088"]["tags"]) == TAGS | {"service:cybercrime"}

    _response, document = open_snapshot(client, wid)
    records = {c["id"]: c for c in document["contacts"]}
    emergency = records[numbers["911"]["id"]]
    assert emergency["kind"] == "emergency" and emergency["visibility"] == "public"
    assert emergency["availability"]["always"] is True
    assert emergency["last_verified_at"] is None
    assert "https://www.gob.mx/" in emergency["notes"]
    assert "incidentes cibernéticos" in records[numbers["088"]["id"]]["when_to_contact"]
    playbooks = {p["crisis_kind"]: p for p in document["playbooks"]}
    assert len(playbooks) == 13
    assert playbooks["payments"]["name"] == "Ola de reembolsos o fallas de pago"
    assert any("Finanzas" in step for step in playbooks["payments"]["steps"])
    illegal = playbooks["illegal_content"]
    assert "no lo descargues, no lo reenvíes y no hagas capturas" in illegal["guidance"]
    assert illegal["severity"] == "critical"
    # Contacts in order: the national numbers of the playbook's services.
    assert illegal["contact_ids"][0] == numbers["088"]["id"]
    assert playbooks["medical"]["contact_ids"] == [numbers["911"]["id"]]
    assert playbooks["payments"]["contact_ids"] == []


def test_spain_has_the_european_112_and_its_own_numbers(app, runner, make_user):
    make_user(email="owner@example.com", locale="en")
    result = invoke(
        runner,
        "workspaces",
        "create",
        "Marca",
        "--owner",
        "owner@example.com",
        "--country",
        "ES",
        "--city",
        "Madrid",
    )
    assert result.exit_code == 0, result.output
    wid = uuid.UUID(result.output.strip().splitlines()[-1])
    with app.app_context(), session_scope(app) as session:
        workspace = session.get(Workspace, wid)
        assert workspace.language == "es"
        contacts = session.scalars(select(Contact).where(Contact.workspace_id == wid)).all()
        by_number = {c.phones[0]["number"]: c for c in contacts}
        assert {"112", "091", "062", "016", "017"} <= set(by_number)
        assert by_number["112"].name == "Emergencias 112"
        helpline = by_number["017"]
        assert helpline.availability["always"] is False
        assert "no sirve para presentar denuncias" in helpline.when_to_contact
        assert all(c.updated_by is None and c.last_verified_at is None for c in contacts)
        assert (
            session.scalar(
                select(func.count()).select_from(Playbook).where(Playbook.workspace_id == wid)
            )
            == 13
        )


def test_a_us_workspace_speaks_english_and_has_the_cybertipline(signed_in):
    client = signed_in
    wid = create_on_the_web(client, "US", "Austin")
    numbers = public_numbers(client, wid)
    assert numbers["911"]["name"] == "Emergency 911"
    tipline = numbers["+18008435678"]
    assert "CyberTipline" in tipline["name"]
    assert "service:child_abuse_report" in tipline["tags"]
    _response, document = open_snapshot(client, wid)
    records = {c["id"]: c for c in document["contacts"]}
    assert "https://report.cybertip.org" in records[tipline["id"]]["notes"]
    playbooks = {p["crisis_kind"]: p for p in document["playbooks"]}
    illegal = playbooks["illegal_content"]
    assert illegal["name"] == "Illegal content (including child sexual abuse material)"
    assert "do not download, forward or screenshot it" in illegal["guidance"]
    assert illegal["contact_ids"][:2] == [tipline["id"], numbers["911"]["id"]]


def test_the_language_can_be_chosen_and_otherwise_follows_the_creator(signed_in):
    client = signed_in
    mx = create_on_the_web(client, "MX", "Monterrey", language="en")
    assert public_numbers(client, mx)["911"]["name"] == "Emergency 911"
    # France: no data of its own, the EU's 112; no Spanish or English country, so the
    # creator's locale (English) decides.
    fr = create_on_the_web(client, "FR", "Paris")
    assert [c["name"] for c in public_numbers(client, fr).values()] == ["Emergency 112"]
    _response, document = open_snapshot(client, fr)
    assert {p["name"] for p in document["playbooks"]} >= {"Fire or evacuation"}
    page = client.get("/workspaces/new").get_data(as_text=True)
    bad = client.post(
        "/workspaces/new",
        data={
            "csrf_token": csrf_from(page),
            "name": "X",
            "country": "MX",
            "city": "Y",
            "language": "fr",
        },
    )
    assert bad.status_code == 200  # not a choice: the form says so


def test_the_audit_log_shows_the_defaults_written_by_no_one(app, signed_in):
    client = signed_in
    wid = create_on_the_web(client, "MX", "Puebla")
    with app.app_context(), session_scope(app) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.workspace_id == uuid.UUID(wid))
        ).all()
    seeded = [e for e in events if e.action == "sync.mutation"]
    assert len(seeded) == 3 + 13
    assert all(e.actor_id is None and e.details["system"] is True for e in seeded)
    page = client.get(f"/workspaces/{wid}/audit")
    assert page.status_code == 200
    assert "Directory changed" in page.get_data(as_text=True)


def _counts(app):
    with app.app_context(), session_scope(app) as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Workspace, Membership, Contact, Playbook)
        } | {
            "events": session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.workspace_id.is_not(None))
            )
        }


def test_a_failed_seeding_leaves_no_workspace_on_the_web(app, signed_in, monkeypatch):
    client = signed_in
    before = _counts(app)

    def broken(language, by_service):
        raise RuntimeError("seeding failed")

    monkeypatch.setattr(seed, "playbook_mutations", broken)
    page = client.get("/workspaces/new").get_data(as_text=True)
    response = client.post(
        "/workspaces/new",
        data={"csrf_token": csrf_from(page), "name": "Half", "country": "MX", "city": "León"},
    )
    assert response.status_code == 500
    assert _counts(app) == before
    assert client.get("/api/v1/session").get_json()["workspaces"] == []


def test_a_rejected_default_leaves_no_workspace_from_the_cli(app, runner, make_user, monkeypatch):
    make_user(email="owner@example.com")
    before = _counts(app)
    real = seed.contact_fields

    def invalid(number, language, country):
        # A number the directory refuses: the sync service rejects the mutation.
        return real(number, language, country) | {"phones": [{"number": "not a number"}]}

    monkeypatch.setattr(seed, "contact_fields", invalid)
    result = invoke(
        runner,
        "workspaces",
        "create",
        "Half",
        "--owner",
        "owner@example.com",
        "--country",
        "MX",
        "--city",
        "León",
    )
    assert result.exit_code != 0
    assert _counts(app) == before


def test_the_fixture_makes_bare_or_seeded_workspaces(app, make_workspace):
    bare = make_workspace()
    seeded = make_workspace(country="US", defaults=True)
    with app.app_context(), session_scope(app) as session:
        counted = {
            w.id: session.scalar(
                select(func.count()).select_from(Contact).where(Contact.workspace_id == w.id)
            )
            for w in (bare, seeded)
        }
        assert session.get(Workspace, seeded.id).language == "en"
    assert counted == {bare.id: 0, seeded.id: 4}
