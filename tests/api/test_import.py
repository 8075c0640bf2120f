"""Import, server side (issue 19): POST …/imports reads a vCard or CSV file into a preview
and writes nothing; rows are fixed or left out; …/apply writes them through sync in one
transaction, once. Editors and owners, unlocked, CSRF; audited with counts only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.api.test_device_lock import forget_password
from tests.api.test_openapi import conforms
from tests.api.test_poster import events
from tests.conftest import mutation
from webapp.db import session_scope, utcnow
from webapp.directory.models import Contact
from webapp.directory.service import to_api
from webapp.porting import imports
from webapp.workspaces.models import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "porting"
BASE = "/api/v1/workspaces/{workspace_id}/imports"
ONE = BASE + "/{import_id}"
ROW = ONE + "/rows/{row}"
APPLY = ONE + "/apply"
TEMPLATE = BASE + "/template.csv"
GOOGLE_HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
]


def multipart(fields: dict) -> tuple[bytes, str]:
    """Encode a form in memory (the test client spools big bodies to files it never closes)."""
    values = {
        key: FileStorage(io.BytesIO(value[0]), filename=value[1])
        if isinstance(value, tuple)
        else value
        for key, value in fields.items()
    }
    boundary, body = encode_multipart(values)
    return body, f"multipart/form-data; boundary={boundary}"


def upload(device, data: bytes, filename: str = "contacts.vcf", csrf: bool = True, **form):
    query = form.pop("query", "")
    headers = {"X-CSRFToken": device.token()} if csrf else {}
    body, content_type = multipart({"file": (data, filename), **form})
    return device.client.post(
        BASE.format(workspace_id=device.workspace) + query,
        data=body,
        content_type=content_type,
        headers=headers,
    )


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def preview_of(device, data: bytes, filename: str = "contacts.vcf", **form) -> dict:
    response = upload(device, data, filename, **form)
    assert response.status_code == 201, response.get_data(as_text=True)
    return conforms("post", BASE, response)


def apply(device, import_id: str, **body):
    return device.client.post(
        APPLY.format(workspace_id=device.workspace, import_id=import_id),
        json=body,
        headers={"X-CSRFToken": device.token()},
    )


def fix(device, import_id: str, row: int, fields: dict):
    return device.client.patch(
        ROW.format(workspace_id=device.workspace, import_id=import_id, row=row),
        json={"fields": fields},
        headers={"X-CSRFToken": device.token()},
    )


def leave_out(device, import_id: str, row: int):
    return device.client.delete(
        ROW.format(workspace_id=device.workspace, import_id=import_id, row=row),
        headers={"X-CSRFToken": device.token()},
    )


def contacts(app, workspace_id) -> dict[str, dict]:
    """The workspace's live contacts by name, as the API would give them."""
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(
            select(Contact).where(Contact.workspace_id == workspace_id, Contact.deleted.is_(False))
        )
        return {row.name: to_api(row) for row in rows}


def count(app, workspace_id) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(
            select(func.count()).select_from(Contact).where(Contact.workspace_id == workspace_id)
        )


def revision(app, workspace_id) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.get(Workspace, workspace_id).revision


def google_csv(total: int, bad: dict[int, str]) -> bytes:
    """Google Contacts' export of `total` contacts; the rows in `bad` get that phone number."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GOOGLE_HEADER, lineterminator="\r\n")
    writer.writeheader()
    for index in range(1, total + 1):
        writer.writerow(
            {
                "First Name": f"Persona{index}",
                "Last Name": "Núñez",
                "Organization Name": "Protección Civil",
                "Labels": "* myContacts ::: Brigada",
                "E-mail 1 - Label": "* Work",
                "E-mail 1 - Value": f"persona{index}@example.mx",
                "Phone 1 - Label": "Mobile",
                "Phone 1 - Value": bad.get(index, f"55 1{index:03d} {index:04d}"),
                "Phone 2 - Label": "Guardia",
                "Phone 2 - Value": f"+52 33 2{index:03d} {index:04d}",
            }
        )
    return out.getvalue().encode("utf-8")


def test_done_when_google_csv_of_500_with_3_bad_rows_imports_nothing_until_fixed_or_skipped(
    app, device
):
    owner = device()
    workspace_id = owner.workspace_obj.id
    bad = {17: "123", 250: "no tengo", 499: "+999 5555"}
    preview = preview_of(owner, google_csv(500, bad), "contacts.csv")
    assert preview["format"] == "csv"
    assert preview["counts"] == {"new": 497, "duplicate": 0, "error": 3}
    errors = {row["row"]: row for row in preview["rows"] if row["status"] == "error"}
    assert sorted(errors) == [17, 250, 499]
    for number, row in errors.items():
        # By path, as sync says it, with the number as written so that the user can fix it.
        assert set(row["errors"]) == {"phones.0.number"}
        assert row["fields"]["phones"][0]["number"] == bad[number]
    good = preview["rows"][0]
    assert good["fields"]["name"] == "Persona1 Núñez"
    assert good["fields"]["phones"][0] == {
        "label": "Mobile",
        "number": "+525510010001",
        "whatsapp": False,
        "display": "55 1001 0001",
    }
    assert good["fields"]["tags"] == ["Brigada"]
    assert count(app, workspace_id) == 0

    # Applying with errors left: 409 and nothing written.
    before = revision(app, workspace_id)
    refused = apply(owner, preview["id"], skip_errors=False, duplicates="skip")
    assert conforms("post", APPLY, refused)["error"] == "import_has_errors"
    assert "3 rows need fixing" in refused.get_json()["message"]
    assert count(app, workspace_id) == 0 and revision(app, workspace_id) == before

    # Fix one row, leave one out: still one error, still nothing written.
    fixed_fields = {
        **errors[17]["fields"],
        "phones": [{"label": "Mobile", "number": "55 9999 0017"}],
    }
    after_fix = fix(owner, preview["id"], 17, fixed_fields)
    body = conforms("patch", ROW, after_fix)
    assert body["counts"] == {"new": 498, "duplicate": 0, "error": 2}
    row17 = next(row for row in body["rows"] if row["row"] == 17)
    assert row17["status"] == "new" and row17["fields"]["phones"][0]["number"] == "+525599990017"
    assert row17["fields"]["visibility"] == "team"  # kept from the upload
    body = conforms("delete", ROW, leave_out(owner, preview["id"], 250))
    assert body["counts"] == {"new": 498, "duplicate": 0, "error": 1}
    assert 250 not in [row["row"] for row in body["rows"]]
    assert apply(owner, preview["id"]).status_code == 409
    assert count(app, workspace_id) == 0

    # Skip the last one: the rest is written in one go.
    done = apply(owner, preview["id"], skip_errors=True, duplicates="skip")
    result = conforms("post", APPLY, done)
    assert result == {"applied": 498, "skipped": 1, "revision": before + 498}
    stored = contacts(app, workspace_id)
    assert len(stored) == 498
    assert stored["Persona17 Núñez"]["phones"][0]["number"] == "+525599990017"
    assert "Persona250 Núñez" not in stored and "Persona499 Núñez" not in stored
    assert stored["Persona2 Núñez"]["phones"] == [
        {"label": "Mobile", "number": "+525510020002", "whatsapp": False},
        {"label": "Guardia", "number": "+523320020002", "whatsapp": False},
    ]
    assert stored["Persona2 Núñez"]["emails"] == [
        {"label": "Work", "address": "persona2@example.mx"}
    ]


def test_done_when_android_and_iphone_exports_import_with_accents_labels_and_numbers(app, device):
    owner = device()
    workspace_id = owner.workspace_obj.id
    android = preview_of(owner, fixture("android_21.vcf"))
    assert android["format"] == "vcard"
    assert android["counts"] == {"new": 2, "duplicate": 0, "error": 1}
    (error,) = [row for row in android["rows"] if row["status"] == "error"]
    assert error["row"] == 3 and set(error["errors"]) == {"phones.0.number"}
    assert apply(owner, android["id"], skip_errors=True).get_json()["applied"] == 2

    iphone = preview_of(owner, fixture("iphone_30.vcf"))
    assert iphone["counts"] == {"new": 2, "duplicate": 0, "error": 0}
    assert apply(owner, iphone["id"]).get_json()["applied"] == 2

    stored = contacts(app, workspace_id)
    jose = stored["José María Núñez Ibáñez"]
    assert jose["organization"] == "Protección Civil de la Alcaldía Cuauhtémoc"
    assert jose["role_title"] == "Jefe de Operación"
    assert [(p["label"], p["number"]) for p in jose["phones"]] == [
        ("Mobile", "+525512345678"),
        ("Work", "+525587654321"),  # national form, read with the workspace's country (MX)
        ("Guardia", "+525551112222"),
    ]
    assert jose["notes"].endswith("alcaldía.\nSólo emergencias.")
    assert stored["Farmacia San Pablo Sucursal Álvaro Obregón"]["phones"][0]["number"] == (
        "+525553543535"
    )
    maria = stored["Dra. María Fernanda Pérez Güemes"]
    labels = [p["label"] for p in maria["phones"]]
    assert labels == ["Mobile", "Guardia 24 h", "Home fax"]
    # Saved before Mexico dropped the mobile "1" (+52 1 55…): imported as dialled today.
    assert maria["phones"][0]["number"] == "+525523456789"
    assert maria["phones"][1]["number"] == "+525534567890"
    assert maria["phones"][2]["number"] == "+523333334444"
    assert maria["notes"] == "Turno de noche los martes.\nSi no contesta, dejar mensaje."
    assert stored["Óscar Ñandú"]["emails"] == [{"label": "Escuela", "address": "oscar@example.net"}]


def test_labels_come_in_the_requested_language(device):
    owner = device()
    preview = preview_of(owner, fixture("iphone_30.vcf"), query="?lang=es")
    labels = [p["label"] for p in preview["rows"][0]["fields"]["phones"]]
    assert labels == ["Móvil", "Guardia 24 h", "Fax de casa"]


def test_a_preview_writes_nothing_and_is_audited_with_counts_only(app, device):
    owner = device()
    workspace_id = owner.workspace_obj.id
    preview = preview_of(owner, fixture("google_contacts.csv"), "google.csv")
    assert preview["counts"] == {"new": 2, "duplicate": 0, "error": 1}
    assert count(app, workspace_id) == 0
    apply(owner, preview["id"], skip_errors=True)
    (previewed,) = events(app, workspace_id, "import.previewed")
    assert previewed[1] == {"format": "csv", "rows": 3, "new": 2, "duplicate": 0, "error": 1}
    (applied,) = events(app, workspace_id, "import.applied")
    assert applied[0] == owner.user.id
    assert applied[1] == {"applied": 2, "skipped": 1, "revision": 2}
    # Each contact is written as any sync change is: one event naming its fields, no values.
    changes = events(app, workspace_id, "sync.mutation")
    assert len(changes) == 2
    assert "Lucía" not in str(changes + [previewed, applied])


def test_a_second_apply_writes_nothing_more_and_answers_the_first_result(app, device):
    owner = device()
    workspace_id = owner.workspace_obj.id
    preview = preview_of(owner, fixture("vcard_40.vcf"))
    first = apply(owner, preview["id"]).get_json()
    assert first["applied"] == 2
    again = apply(owner, preview["id"], duplicates="create", skip_errors=True)
    assert again.status_code == 200 and again.get_json() == first
    assert count(app, workspace_id) == 2
    assert revision(app, workspace_id) == first["revision"]
    shown = owner.client.get(ONE.format(workspace_id=owner.workspace, import_id=preview["id"]))
    body = conforms("get", ONE, shown)
    assert body["applied"] == first and body["rows"] == []
    # Applied, its rows cannot change any more.
    refused = fix(owner, preview["id"], 1, {"name": "Otra"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "import_applied"


def test_duplicates_of_the_directory_and_of_the_file_itself(app, device):
    owner = device()
    workspace_id = owner.workspace_obj.id
    existing = "0b7c2f7e-0000-4000-8000-000000000001"
    owner.sync(
        mutation(
            existing,
            {
                "name": "Ya está",
                "phones": [{"number": "+52 55 1234 5678"}],
                "emails": [{"address": "Ana.Lopez@Example.org"}],
            },
        )
    )
    text = (
        "Name,Phone 1,Email 1\r\n"
        "Nueva,55 0000 1111,\r\n"
        "Mismo número,55 1234 5678,\r\n"
        "Mismo correo,,ana.lopez@example.org\r\n"
        "Repetida en el archivo,+52 55 0000 1111,\r\n"
    ).encode()
    preview = preview_of(owner, text, "dups.csv")
    rows = {row["row"]: row for row in preview["rows"]}
    assert preview["counts"] == {"new": 1, "duplicate": 3, "error": 0}
    assert rows[1]["status"] == "new"
    assert rows[2]["duplicate_of"] == existing and rows[2]["duplicate_of_row"] is None
    assert rows[3]["duplicate_of"] == existing  # emails compare without case
    assert rows[4]["duplicate_of"] is None and rows[4]["duplicate_of_row"] == 1

    skipped = apply(owner, preview["id"], duplicates="skip").get_json()
    assert skipped["applied"] == 1 and skipped["skipped"] == 3
    assert set(contacts(app, workspace_id)) == {"Ya está", "Nueva"}

    again = preview_of(owner, text, "dups.csv")
    assert again["counts"] == {"new": 0, "duplicate": 4, "error": 0}
    created = apply(owner, again["id"], duplicates="create").get_json()
    assert created["applied"] == 4 and created["skipped"] == 0
    assert count(app, workspace_id) == 6


def test_a_contact_added_after_the_preview_makes_its_row_a_duplicate_at_apply(app, device):
    owner = device()
    preview = preview_of(owner, b"Name,Phone 1\r\nNueva,55 0000 2222\r\n", "one.csv")
    assert preview["counts"]["new"] == 1
    owner.sync(
        mutation(
            "0b7c2f7e-0000-4000-8000-000000000002",
            {"name": "Otro teléfono", "phones": [{"number": "5500002222"}]},
        )
    )
    result = apply(owner, preview["id"]).get_json()
    assert result["applied"] == 0 and result["skipped"] == 1


def test_visibility_and_kind_apply_to_every_row_and_bad_ones_are_named(app, device):
    owner = device()
    preview = preview_of(owner, fixture("vcard_40.vcf"), visibility="restricted", kind="emergency")
    assert {row["fields"]["visibility"] for row in preview["rows"]} == {"restricted"}
    apply(owner, preview["id"])
    stored = contacts(app, owner.workspace_obj.id)
    assert stored["Ana López"]["visibility"] == "restricted"
    assert stored["Ana López"]["kind"] == "emergency"
    refused = upload(owner, fixture("vcard_40.vcf"), visibility="secret")
    assert refused.status_code == 400 and "visibility" in refused.get_json()["errors"]
    refused = upload(owner, fixture("vcard_40.vcf"), kind="friend")
    assert refused.status_code == 400 and "kind" in refused.get_json()["errors"]


def test_viewers_get_403_non_members_404_and_another_editors_preview_is_404(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    editor = device(owner.workspace_obj, "editor")
    outsider = device()
    refused = upload(viewer, fixture("vcard_40.vcf"))
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    body, content_type = multipart({"file": (fixture("vcard_40.vcf"), "a.vcf")})
    outside = outsider.client.post(
        BASE.format(workspace_id=owner.workspace),
        data=body,
        content_type=content_type,
        headers={"X-CSRFToken": outsider.token()},
    )
    assert outside.status_code == 404
    preview = preview_of(editor, fixture("vcard_40.vcf"))
    assert apply(owner, preview["id"]).status_code == 404
    assert fix(owner, preview["id"], 1, {"name": "x"}).status_code == 404
    assert apply(viewer, preview["id"]).status_code == 403
    assert apply(editor, preview["id"]).status_code == 200
    assert count(app, owner.workspace_obj.id) == 2


def test_a_locked_device_gets_403_locked_and_csrf_is_required(device):
    owner = device()
    missing = upload(owner, fixture("vcard_40.vcf"), csrf=False)
    assert missing.status_code == 400 and missing.get_json()["error"] == "csrf"
    forget_password(owner.client)
    locked = upload(owner, fixture("vcard_40.vcf"))
    assert locked.status_code == 403 and locked.get_json()["error"] == "locked"


def test_files_over_5_mib_get_413_with_a_clear_message(app, device):
    owner = device()
    just_over = b"Name,Phone 1\r\n" + b"x" * (5 * 1024 * 1024)
    refused = upload(owner, just_over, "big.csv")
    body = conforms("post", BASE, refused)
    assert refused.status_code == 413 and body["error"] == "too_large"
    assert "5 MiB" in body["message"]
    far_over = upload(owner, b"x" * (8 * 1024 * 1024), "huge.csv")
    assert far_over.status_code == 413 and "5 MiB" in far_over.get_json()["message"]
    # Other routes keep their 1 MiB limit.
    big_sync = owner.client.post(
        "/api/v1/sync",
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        content_type="application/json",
        headers={"X-CSRFToken": owner.token()},
    )
    assert big_sync.status_code == 413
    assert count(app, owner.workspace_obj.id) == 0


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "photo.png", "vCard"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "contacts.xlsx", "vCard"),
        (b"", "empty.csv", "empty"),
        (b"Name,Phone 1\r\n", "header-only.csv", "no contacts"),
        (b"hello,world\r\n1,2\r\n", "other.csv", "template"),
    ],
    ids=["png", "xlsx", "empty", "header-only", "unknown-columns"],
)
def test_files_that_are_not_contacts_get_400_with_a_clear_message(
    app, device, data, filename, words
):
    owner = device()
    refused = upload(owner, data, filename)
    body = conforms("post", BASE, refused)
    assert refused.status_code == 400 and body["error"] == "bad_request"
    assert words in body["message"] and "file" in body["errors"]
    assert count(app, owner.workspace_obj.id) == 0


def test_an_upload_without_the_file_field_is_400(device):
    owner = device()
    body, content_type = multipart({"other": (b"x", "a.csv")})
    refused = owner.client.post(
        BASE.format(workspace_id=owner.workspace),
        data=body,
        content_type=content_type,
        headers={"X-CSRFToken": owner.token()},
    )
    assert refused.status_code == 400 and "file" in refused.get_json()["errors"]


def test_a_form_part_without_a_name_is_ignored_not_a_500(device):
    # Found by the OpenAPI fuzzing: Werkzeug keeps a nameless part under the key None, on which
    # the CSRF check failed before any view ran.
    owner = device()
    boundary = "b0undary"
    card = fixture("android_21.vcf")
    body = (
        (
            f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nno name\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.vcf"\r\n'
            "Content-Type: text/vcard\r\n\r\n"
        ).encode()
        + card
        + f"\r\n--{boundary}--\r\n".encode()
    )
    answer = owner.client.post(
        BASE.format(workspace_id=owner.workspace),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"X-CSRFToken": owner.token()},
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["counts"]["new"] > 0


def test_bad_fix_and_apply_bodies_are_400(device):
    owner = device()
    preview = preview_of(owner, fixture("vcard_40.vcf"))
    url = ROW.format(workspace_id=owner.workspace, import_id=preview["id"], row=1)
    headers = {"X-CSRFToken": owner.token()}
    assert owner.client.patch(url, json={"fields": "x"}, headers=headers).status_code == 400
    assert owner.client.patch(url, json=[], headers=headers).status_code == 400
    assert fix(owner, preview["id"], 99, {"name": "x"}).status_code == 404
    bad_row = ROW.format(workspace_id=owner.workspace, import_id=preview["id"], row="0")
    assert owner.client.delete(bad_row, headers=headers).status_code == 400
    refused = apply(owner, preview["id"], duplicates="merge")
    assert refused.status_code == 400 and "duplicates" in refused.get_json()["errors"]
    assert apply(owner, preview["id"], skip_errors="yes").status_code == 400
    # A fix that is still wrong keeps the row an error, with the new errors.
    body = fix(owner, preview["id"], 1, {"name": "", "phones": [{"number": "1"}]}).get_json()
    row = next(row for row in body["rows"] if row["row"] == 1)
    assert row["status"] == "error" and set(row["errors"]) == {"name"}
    body = fix(owner, preview["id"], 1, {"name": "Ana", "phones": [{"number": "1"}]}).get_json()
    row = next(row for row in body["rows"] if row["row"] == 1)
    assert row["status"] == "error" and set(row["errors"]) == {"phones.0.number"}
    assert row["fields"]["phones"] == [{"number": "1"}]


def test_a_preview_expires_after_an_hour(app, device, monkeypatch):
    owner = device()
    preview = preview_of(owner, fixture("vcard_40.vcf"))
    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(imports, "_now", lambda: later)
    expired = apply(owner, preview["id"])
    body = conforms("post", APPLY, expired)
    assert expired.status_code == 410 and body["error"] == "import_expired"
    assert fix(owner, preview["id"], 1, {"name": "x"}).status_code == 410
    assert count(app, owner.workspace_obj.id) == 0
    # A day later it is gone at the next upload.
    monkeypatch.setattr(imports, "_now", lambda: later + timedelta(days=1))
    preview_of(owner, fixture("vcard_40.vcf"))
    gone = apply(owner, preview["id"])
    assert gone.status_code == 404


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_template_has_a_header_row_in_the_users_language_and_imports_back(device, lang):
    owner = device()
    response = owner.client.get(TEMPLATE.format(workspace_id=owner.workspace) + f"?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Nombre,Organización" if lang == "es" else "Name,Organization")
    preview = preview_of(owner, response.get_data(), "template.csv")
    assert preview["counts"] == {"new": 1, "duplicate": 0, "error": 0}
    fields = preview["rows"][0]["fields"]
    assert fields["name"] == "María Pérez" and fields["country"] == "MX"
    assert [p["number"] for p in fields["phones"]] == ["+525512345678", "+525587654321"]


def test_a_windows_1252_csv_with_semicolons_reads_numbers_in_each_rows_country(device):
    owner = device()
    preview = preview_of(owner, fixture("excel_1252_semicolon.csv"), "contactos.csv")
    rows = {row["row"]: row for row in preview["rows"]}
    assert sorted(rows) == [1, 2, 4]
    assert rows[1]["fields"]["name"] == "José Muñoz"
    assert rows[2]["fields"]["phones"][0]["number"] == "+523312345678"
    assert rows[4]["status"] == "error" and set(rows[4]["errors"]) == {"emails.0.address"}
    fields = {**rows[4]["fields"], "emails": [{"address": "bguell@example.es"}]}
    fixed = fix(owner, preview["id"], 4, fields).get_json()
    row = next(row for row in fixed["rows"] if row["row"] == 4)
    assert row["status"] == "new" and row["fields"]["phones"][0]["number"] == "+34911234567"


def test_outlook_csv_previews_its_contacts(device):
    owner = device()
    preview = preview_of(owner, fixture("outlook.csv"), "outlook.csv")
    assert preview["counts"] == {"new": 2, "duplicate": 0, "error": 0}
    tomas = preview["rows"][1]["fields"]
    assert tomas["phones"][0]["number"] == "+35312345678"
