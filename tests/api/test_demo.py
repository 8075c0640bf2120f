"""`enlace demo`: a realistic fictional directory, so that a new user sees what Enlace is for."""

from __future__ import annotations

import phonenumbers
from sqlalchemy import func, select

from tests.api.test_snapshot import open_snapshot
from tests.conftest import Auth
from tests.unit.test_cli import invoke
from webapp.db import session_scope
from webapp.demo import fictional_number
from webapp.directory.models import Contact

AREAS = {"finance", "customer_service", "quality", "leadership", "marketing", "operations"}


def signed_in_demo(runner, client):
    result = invoke(runner, "demo")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    email = next(line.split()[-1] for line in lines if "email:" in line)
    password = next(line.split()[-1] for line in lines if "password:" in line)
    assert Auth(client).login(email, password).status_code == 302
    (workspace,) = client.get("/api/v1/session").get_json()["workspaces"]
    return workspace["id"]


def test_the_demo_directory_holds_a_food_delivery_brand(app, runner, client):
    wid = signed_in_demo(runner, client)
    _response, document = open_snapshot(client, wid)
    contacts = {c["id"]: c for c in document["contacts"]}
    internal = [c for c in contacts.values() if c["kind"] == "internal"]
    for area in AREAS:
        people = [c for c in internal if c["area"] == area and c["visibility"] != "restricted"]
        day = [c for c in people if c["backup_contact_id"]]
        assert len(day) == 1, area
        night = contacts[day[0]["backup_contact_id"]]
        assert night["area"] == area and night["availability"]["hours"], area
        assert day[0]["availability"]["hours"][0]["from"] == "09:00"
    partners = [c for c in contacts.values() if c["kind"] == "partner"]
    assert len(partners) == 3
    for partner in partners:
        assert partner["address"] and partner["role_title"].startswith("Encargad")
        assert partner["partner"]["response_minutes"] > 0 and partner["partner"]["procedure"]
    kinds = [c["kind"] for c in contacts.values()]
    assert kinds.count("legal") == 1 and kinds.count("medical") == 1
    assert kinds.count("authority") >= 2
    (executive,) = [c for c in contacts.values() if c["visibility"] == "restricted"]
    assert executive["area"] == "leadership"
    # The national numbers come from creating the workspace, tagged as any workspace's.
    national = {c["phones"][0]["number"]: c for c in contacts.values() if "national" in c["tags"]}
    assert {"911", "088"} <= set(national)
    assert kinds.count("emergency") == len(national)
    # The default playbooks, each calling someone, the emergencies 911 first.
    playbooks = {p["crisis_kind"]: p for p in document["playbooks"]}
    assert len(playbooks) == 13 and all(p["contact_ids"] for p in playbooks.values())
    assert playbooks["medical"]["contact_ids"][0] == national["911"]["id"]
    finance = contacts[playbooks["payments"]["contact_ids"][0]]
    assert finance["area"] == "finance"
    partner_ids = {p["id"] for p in partners}
    assert partner_ids <= set(playbooks["partner"]["contact_ids"])
    # Running the demo again adds nothing.
    invoke(runner, "demo")
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == len(contacts)


def test_every_demo_number_is_valid_and_in_the_fictional_block(app, runner, client):
    wid = signed_in_demo(runner, client)
    _response, document = open_snapshot(client, wid)
    block = {
        phonenumbers.format_number(phonenumbers.parse(fictional_number(n)), 0) for n in range(100)
    }
    for contact in document["contacts"]:
        for phone in contact["phones"]:
            if "national" in contact["tags"]:
                continue  # Mexico's real national numbers
            parsed = phonenumbers.parse(phone["number"])
            assert phonenumbers.is_valid_number(parsed), phone
            assert phonenumbers.region_code_for_number(parsed) == "MX"
            assert phone["number"] in block, (contact["name"], phone)
