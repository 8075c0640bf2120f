"""The export (issue 19): what each role may download, in which formats, after which password,
and what a spreadsheet or a phone reads back from it, on both databases."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
import vobject
from sqlalchemy import select

from tests.api.test_members_api import forget_password, unlock_token
from tests.conftest import PASSWORD
from tests.helpers import mutation
from webapp.audit.models import AuditEvent
from webapp.db import session_scope
from webapp.porting import columns
from webapp.porting.export import export as build_export
from webapp.porting.export_schemas import WorkspaceExport
from webapp.workspaces.models import Workspace

REAUTH = "/api/v1/session/reauth"

ANA = {
    "name": "Ana García",
    "organization": "Seguros del Norte",
    "kind": "partner",
    "area": "legal",
    "phones": [
        {"number": "+525512345678", "label": "móvil", "whatsapp": True},
        {"number": "+34600123456", "label": "Guardia 24h"},
    ],
    "emails": [{"address": "ana@example.com", "label": "trabajo"}],
    "city": "Madrid",
    "tags": ["seguros", "24h"],
    "notes": "Línea 1\nLínea 2; con, signos",
}
# Cells a spreadsheet would run as formulas.
FORMULAS = {
    "name": '=HYPERLINK("http://evil.example","Click")',
    "organization": "+SUM(1,2)",
    "role_title": "-2+3",
    "notes": "@cmd",
    "city": "@Ciudad",  # a leading tab or CR never gets stored (text is stripped): see the unit test
    "phones": [{"number": "911", "label": "=1+1"}],
}
SECRET = {
    "name": "Rosa Restringida",
    "visibility": "restricted",
    "phones": [{"number": "+525598765432", "label": ""}],
}


@pytest.fixture
def team(device: Any) -> dict[str, Any]:
    """A workspace (MX) with an owner, an editor and a viewer, and three contacts, one
    restricted, one deleted, one full of formulas; a playbook and an incident with an entry."""
    owner = device()
    workspace = owner.workspace_obj
    editor = device(workspace, "editor")
    viewer = device(workspace, "viewer")
    ids = {key: uuid.uuid4() for key in ("ana", "formulas", "secret", "gone", "book", "inc")}
    first = owner.sync(
        mutation(ids["ana"], ANA),
        mutation(ids["formulas"], FORMULAS),
        mutation(ids["secret"], SECRET),
        mutation(ids["gone"], {"name": "Borrado Bernal"}),
        mutation(
            ids["book"],
            {"name": "Fuga de datos", "contact_ids": [str(ids["ana"])], "steps": ["Llamar"]},
            type="playbook",
        ),
        mutation(
            ids["inc"],
            {"title": "Caída", "playbook_id": str(ids["book"]), "status": "open"},
            type="incident",
        ),
    )
    second = owner.sync(
        mutation(ids["gone"], op="delete", base_version=1),
        mutation(
            uuid.uuid4(),
            {
                "incident_id": str(ids["inc"]),
                "kind": "call",
                "contact_id": str(ids["ana"]),
                "outcome": "answered",
                "text": "Contestó",
                "at": "2026-12-03T10:00:00Z",
            },
            type="incident_entry",
        ),
    )
    results = first["results"] + second["results"]
    assert [r["status"] for r in results] == ["applied"] * 8, [
        (r["status"], r.get("errors")) for r in results[6:]
    ]
    return {"workspace": workspace, "owner": owner, "editor": editor, "viewer": viewer, "ids": ids}


def get_export(member: Any, query: str, unlock: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"X-Enlace-Unlock": unlock} if unlock else {}
    path = f"/api/v1/workspaces/{member.workspace}/export?{query}"
    return member.client.get(path, headers=headers)


def csv_rows(body: bytes) -> list[dict[str, str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel reads UTF-8 only with a byte order mark"
    return list(csv.DictReader(io.StringIO(text[1:])))


def audit_events(app: Any, workspace_id: Any) -> list[dict[str, Any]]:
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.workspace_id == workspace_id, AuditEvent.action == "porting.exported")
            .order_by(AuditEvent.id)
        )
        return [dict(event.details) for event in rows]


# --- what each format holds -------------------------------------------------------------------


def test_an_owner_downloads_a_vcard_4_that_a_phone_reads_with_names_numbers_and_labels(team):
    response = get_export(team["owner"], "format=vcard")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/vcard"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="enlace-brand-')
    assert disposition.endswith('.vcf"')
    cards = {c.fn.value: c for c in vobject.readComponents(response.get_data(as_text=True))}
    assert set(cards) == {ANA["name"], FORMULAS["name"], SECRET["name"]}  # the deleted one absent
    ana = cards[ANA["name"]]
    assert ana.version.value == "4.0"
    tels = {t.value: t for t in ana.contents["tel"]}
    assert set(tels) == {"tel:+525512345678", "tel:+34600123456"}
    assert tels["tel:+525512345678"].params["TYPE"] == ["cell"]  # "móvil" is a mobile
    custom = tels["tel:+34600123456"]  # any other label as iPhone writes it
    labels = {line.group: line.value for line in ana.contents["x-ablabel"]}
    assert labels[custom.group] == "Guardia 24h"
    assert ana.note.value == ANA["notes"]
    assert ana.org.value == ["Seguros del Norte"]
    assert ana.categories.value == ["seguros", "24h"]
    assert ana.contents["x-enlace-kind"][0].value == "partner"


def test_a_vcard_3_for_old_phones_writes_numbers_as_text(team):
    response = get_export(team["editor"], "format=vcard&version=3.0")
    assert response.status_code == 200
    cards = {c.fn.value: c for c in vobject.readComponents(response.get_data(as_text=True))}
    ana = cards[ANA["name"]]
    assert ana.version.value == "3.0"
    assert sorted(t.value for t in ana.contents["tel"]) == ["+34600123456", "+525512345678"]


@pytest.mark.parametrize(("lang", "header"), [("es", "Nombre"), ("en", "Name")])
def test_the_csv_has_the_templates_columns_with_headers_in_the_users_language(team, lang, header):
    response = get_export(team["owner"], f"format=csv&lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith('.csv"')
    rows = csv_rows(response.get_data())
    assert list(rows[0]) == columns.template_headers(lang)
    assert list(rows[0])[0] == header
    names = [row[header] for row in rows]
    assert sorted(names) == sorted(
        [ANA["name"], SECRET["name"], columns.neutralise(FORMULAS["name"])]
    )


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_and_read_back_exactly(team):
    rows = csv_rows(get_export(team["owner"], "format=csv&lang=en").get_data())
    dangerous = next(row for row in rows if "HYPERLINK" in row["Name"])
    for header, original in [
        ("Name", FORMULAS["name"]),
        ("Organization", FORMULAS["organization"]),
        ("Role", FORMULAS["role_title"]),
        ("Notes", FORMULAS["notes"]),
        ("City", FORMULAS["city"]),
        ("Phone 1 label", "=1+1"),
    ]:
        cell = dangerous[header]
        assert cell[0] == "'", (header, cell)  # never =, +, -, @, tab or CR first
        assert columns.restore(cell) == original
    for row in rows:
        for cell in row.values():
            assert not (cell or " ").startswith(columns.FORMULA_STARTS)


def test_csv_numbers_are_e164_neutralised_and_still_read_as_the_same_phone(team, app):
    from webapp.directory.service import normalize_phone

    rows = csv_rows(get_export(team["owner"], "format=csv&lang=en").get_data())
    ana = next(row for row in rows if row["Name"] == ANA["name"])
    assert ana["Phone 1"] == "'+525512345678"
    assert ana["Phone 1 label"] == "móvil"
    assert ana["Phone 2"] == "'+34600123456"
    assert ana["Email 1"] == "ana@example.com"
    assert ana["Tags (comma separated)"] == "seguros, 24h"
    assert ana["Notes"] == ANA["notes"]
    with app.app_context():
        # A workspace of another country reads the restored cell as the same E.164 number.
        for cell, stored in [(ana["Phone 1"], "+525512345678"), (ana["Phone 2"], "+34600123456")]:
            assert normalize_phone(columns.restore(cell), "US")[0] == stored


def test_the_json_export_holds_the_whole_workspace_and_follows_its_schema(team):
    response = get_export(team["owner"], "format=json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith('.json"')
    document = WorkspaceExport.model_validate(response.get_json())
    ids = team["ids"]
    assert {c.id for c in document.contacts} == {ids["ana"], ids["formulas"], ids["secret"]}
    assert [p.name for p in document.playbooks] == ["Fuga de datos"]
    assert document.playbooks[0].contact_ids == [ids["ana"]]
    assert [i.id for i in document.incidents] == [ids["inc"]]
    assert [(e.kind, e.outcome) for e in document.incident_entries] == [("call", "answered")]
    assert document.workspace.country == "MX"
    assert response.get_json()["contacts"][0]["phones"]  # the stored fields as sync sends them


# --- who may export, and after what -----------------------------------------------------------


def test_a_viewer_cannot_export_and_gets_no_restricted_contact(team):
    for fmt in ("vcard", "csv", "json"):
        response = get_export(team["viewer"], f"format={fmt}")
        assert response.status_code == 403
        assert response.get_json()["error"] == "forbidden"
        assert SECRET["name"] not in response.get_data(as_text=True)


def test_an_export_scoped_to_a_viewers_class_leaves_restricted_contacts_out(team, app):
    """The export reads through the one visibility rule: were viewers allowed, their file would
    hold no restricted contact, as their offline copy does not."""
    with app.app_context(), session_scope(app) as session:
        workspace = session.get(Workspace, team["workspace"].id)
        for fmt in ("vcard", "csv", "json"):
            team_only = build_export(session, workspace, False, fmt, "en").body.decode()
            full = build_export(session, workspace, True, fmt, "en").body.decode()
            assert SECRET["name"] not in team_only
            assert SECRET["name"] in full
            assert ANA["name"] in team_only


def test_a_stranger_gets_404(team, device):
    stranger = device()
    path = f"/api/v1/workspaces/{team['workspace'].id}/export?format=csv"
    response = stranger.client.get(path)
    assert response.status_code == 404
    assert SECRET["name"] not in response.get_data(as_text=True)


def test_an_export_needs_a_recent_password_not_only_the_unlock_token(team, app):
    owner = team["owner"]
    token = unlock_token(owner.client)
    forget_password(owner.client)
    refused = get_export(owner, "format=vcard", unlock=token)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "reauthentication_required"
    assert ANA["name"] not in refused.get_data(as_text=True)
    assert audit_events(app, team["workspace"].id) == []
    again = owner.client.post(
        REAUTH, json={"password": PASSWORD}, headers={"X-CSRFToken": owner.token()}
    )
    assert again.status_code == 204
    assert get_export(owner, "format=vcard", unlock=token).status_code == 200


def test_signed_out_gets_401(client, team):
    response = client.get(f"/api/v1/workspaces/{team['workspace'].id}/export?format=csv")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "format"),
        ("format=xlsx", "format"),
        ("format=vcard&version=2.1", "version"),
        ("format=csv&version=3.0", "version"),
    ],
)
def test_a_bad_choice_is_a_clear_400_naming_the_parameter(team, query, field):
    response = get_export(team["owner"], query)
    assert response.status_code == 400
    body = response.get_json()
    assert field in body["errors"]
    assert body["message"]


def test_each_export_is_audited_with_format_and_counts_never_contents(team, app):
    get_export(team["owner"], "format=csv")
    get_export(team["editor"], "format=json")
    get_export(team["owner"], "format=vcard&version=3.0")
    events = audit_events(app, team["workspace"].id)
    assert [e["format"] for e in events] == ["csv", "json", "vcard"]
    assert events[0]["contacts"] == 3
    assert (events[1]["playbooks"], events[1]["incidents"], events[1]["incident_entries"]) == (
        1,
        1,
        1,
    )
    assert events[2]["version"] == "3.0"
    text = repr(events)
    for secret in (ANA["name"], "+525512345678", SECRET["name"], "ana@example.com"):
        assert secret not in text


# --- an export read back by the import ---------------------------------------------------------


def preview_of(member: Any, body: bytes, filename: str) -> dict[str, Any]:
    response = member.client.post(
        f"/api/v1/workspaces/{member.workspace}/imports",
        data={"file": (io.BytesIO(body), filename)},
        headers={"X-CSRFToken": member.token()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize(
    ("query", "filename", "fmt"),
    [
        ("format=vcard", "a.vcf", "vcard"),
        ("format=vcard&version=3.0", "a.vcf", "vcard"),
        ("format=csv&lang=es", "a.csv", "csv"),
        ("format=csv&lang=en", "a.csv", "csv"),
        ("format=json", "a.json", "json"),
    ],
)
def test_an_export_imported_back_previews_as_all_duplicates(team, query, filename, fmt):
    owner = team["owner"]
    preview = preview_of(owner, get_export(owner, query).get_data(), filename)
    assert preview["format"] == fmt
    assert preview["counts"] == {"new": 0, "duplicate": 3, "error": 0}, preview["rows"]
    ids = team["ids"]
    by_name = {
        columns.restore(row["fields"]["name"]): row["duplicate_of"] for row in preview["rows"]
    }
    assert by_name == {
        ANA["name"]: str(ids["ana"]),
        FORMULAS["name"]: str(ids["formulas"]),
        SECRET["name"]: str(ids["secret"]),
    }


def test_a_json_export_moves_its_contacts_into_a_new_workspace_with_their_numbers(
    team, device, make_user, add_member
):
    owner = team["owner"]
    body = get_export(owner, "format=json").get_data()
    elsewhere = device(user=owner.user)  # a new workspace of the same owner, another country
    preview = preview_of(elsewhere, body, "brand.json")
    assert preview["counts"] == {"new": 3, "duplicate": 0, "error": 0}, preview["rows"]
    rows = {row["fields"]["name"]: row["fields"] for row in preview["rows"]}
    ana = rows[ANA["name"]]
    assert [p["number"] for p in ana["phones"]] == ["+525512345678", "+34600123456"]
    assert ana["kind"] == "partner"
    assert rows[SECRET["name"]]["visibility"] == "restricted"  # its own, not the upload's
    applied = elsewhere.client.post(
        f"/api/v1/workspaces/{elsewhere.workspace}/imports/{preview['id']}/apply",
        json={"skip_errors": False, "duplicates": "skip"},
        headers={"X-CSRFToken": elsewhere.token()},
    )
    assert applied.status_code == 200, applied.get_data(as_text=True)
    assert applied.get_json()["applied"] == 3


def test_a_json_file_that_is_not_an_export_is_a_clear_400(team):
    owner = team["owner"]
    response = owner.client.post(
        f"/api/v1/workspaces/{owner.workspace}/imports",
        data={"file": (io.BytesIO(b'{"contacts": []}'), "x.json")},
        headers={"X-CSRFToken": owner.token()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Enlace" in response.get_json()["message"]
