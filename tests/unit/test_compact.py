"""The snapshot's compact plaintext (webapp/snapshot/compact.py): a document comes back whole,
and smaller. The JavaScript reader is checked against the same fixture
(tests/js/compact.test.mjs reads tests/js/fixtures/compact.json, written here)."""

from __future__ import annotations

import copy
import gzip
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from bench.lib.dataset import make_contacts
from webapp.directory.service import validate, with_display
from webapp.jsonprovider import dumps_bytes
from webapp.snapshot.compact import Columns, FormatError, Shared, column_pieces, compact, expand

FIXTURE = Path(__file__).resolve().parents[1] / "js" / "fixtures" / "compact.json"
HIDDEN = "99999999-9999-4999-8999-999999999999"  # a contact this class does not see


def _id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"enlace-test:{name}"))


def realistic_document(count: int = 300) -> dict[str, Any]:
    """Return a full snapshot's plaintext of `count` contacts of the benchmarks' data (unique
    names and notes, backups, hours, partners, Mexican and Spanish phones with their display),
    two playbooks, an incident and its entries, as the server writes it (format 1)."""
    contacts = []
    for revision, fields in enumerate(make_contacts(count), start=1):
        fields = dict(fields)
        entity_id = _id(fields.pop("id"))
        if "backup_contact_id" in fields:
            fields["backup_contact_id"] = _id(fields["backup_contact_id"])
        validated, errors = validate("contact", fields, "MX")
        assert validated is not None, errors
        data = dict(validated.json)
        data["phones"] = with_display(data["phones"], "MX")
        contacts.append(
            {"id": entity_id, "version": 1 + revision % 3, "revision": revision, **data}
        )
    at = count + 1
    playbooks = [
        {
            "id": _id("playbook-1"),
            "version": 1,
            "revision": at,
            "name": "Ola de reembolsos",
            "crisis_kind": "refunds",
            "severity": "high",
            "steps": ["Avisar a Finanzas", "Publicar aviso"],
            "contact_ids": [contacts[3]["id"], HIDDEN, contacts[0]["id"]],
            "guidance": None,
            "visibility": "team",
        },
        {
            "id": _id("playbook-2"),
            "version": 2,
            "revision": at + 1,
            "name": "Sin contactos",
            "crisis_kind": None,
            "severity": "low",
            "steps": [],
            "contact_ids": [],
            "guidance": "Nada",
            "visibility": "restricted",
        },
    ]
    incident = {
        "id": _id("incident-1"),
        "version": 3,
        "revision": at + 2,
        "title": "Reembolsos duplicados",
        "kind": "refunds",
        "severity": "high",
        "status": "closed",
        "started_at": "2026-12-03T21:00:00Z",
        "closed_at": "2026-12-03T22:15:30.500000Z",
        "summary": "Resuelto",
        "playbook_id": playbooks[0]["id"],
    }
    entries = [
        {
            "id": _id(f"entry-{n}"),
            "version": 1,
            "revision": at + 3 + n,
            "incident_id": incident["id"],
            "at": f"2026-12-03T21:0{n}:01Z",
            "kind": kind,
            "text": text,
            "contact_id": contact,
            "outcome": outcome,
            "reference": None,
            "step": step,
            "author": "Marta",
        }
        for n, (kind, text, contact, outcome, step) in enumerate(
            [
                ("call", None, contacts[3]["id"], "answered", 0),
                ("call", None, HIDDEN, "no_answer", None),
                ("note", "Finanzas confirma", None, None, None),
            ]
        )
    ]
    return {
        "v": 1,
        "workspace": {
            "id": _id("workspace"),
            "name": "Comida Ya México",
            "country": "MX",
            "city": "Ciudad de México",
            "timezone": "America/Mexico_City",
        },
        "revision": at + 5,
        "generated_at": "2026-12-04T12:00:00.123456Z",
        "contacts": contacts,
        "playbooks": playbooks,
        "incidents": [incident],
        "incident_entries": entries,
    }


def odd_document() -> dict[str, Any]:
    """Return a document with what the codecs must leave alone: a key some records lack, phones
    of other shapes, a display that is not the number's digits, an id that is not a UUID."""
    document = realistic_document(4)
    first, second, third, fourth = document["contacts"]
    del second["notes"]  # a key one record lacks
    first["phones"] = [
        {"label": "", "number": "911", "whatsapp": False, "display": "911"},
        {"label": "Casa", "number": "+525512345678", "whatsapp": True, "display": "55 1234-5678"},
        {"label": "Ext", "number": "+525512345678", "display": "55 1234 5678"},  # no whatsapp
        {"label": "Raro", "number": "+34612345678", "whatsapp": 1, "display": "+34 612 34 56 78"},
        {
            "label": "Intl",
            "number": "+34612345678",
            "whatsapp": False,
            "display": "+34 612 34 56 78",
        },
    ]
    third["phones"] = None
    fourth["backup_contact_id"] = HIDDEN
    document["incident_entries"][2]["id"] = "not-a-uuid"
    return document


def empty_document() -> dict[str, Any]:
    """Return a new workspace's document: no record at all."""
    document = realistic_document(4)
    return document | {
        name: [] for name in ("contacts", "playbooks", "incidents", "incident_entries")
    }


@pytest.mark.parametrize("make", [realistic_document, odd_document, empty_document])
def test_a_compact_document_expands_to_the_document_it_was_made_from(make):
    document = make()
    kept = copy.deepcopy(document)
    # Through its JSON, as a device receives it.
    assert expand(json.loads(dumps_bytes(compact(document)))) == kept
    assert document == kept  # the records given were not changed


@pytest.mark.parametrize("make", [realistic_document, odd_document, empty_document])
def test_a_build_written_column_by_column_with_shared_values_is_the_same_document(make):
    # What a snapshot build does (snapshot/service.py `_build`): records gathered as parsed
    # from their JSON, equal values kept once, the document written a column at a time.
    document = make()
    shared = Shared()
    tables = {}
    for name in ("contacts", "playbooks", "incidents", "incident_entries"):
        tables[name] = Columns(shared)
        for record in json.loads(dumps_bytes(document[name])):
            tables[name].add(record)
    head = {key: value for key, value in document.items() if key not in tables}
    written = b"".join(column_pieces(tables, head)) + b"}"
    assert expand(json.loads(written)) == document
    assert all(not table.values for table in tables.values())  # let go as written


def test_equal_values_are_kept_once_and_a_long_text_as_it_comes():
    shared = Shared()
    hours = [{"days": "mon-fri", "from": "09:00", "to": "18:00"}]
    first = shared(json.loads(dumps_bytes(hours)))
    assert shared(json.loads(dumps_bytes(hours))) is first
    assert shared("".join(["fin", "ance"])) is shared("".join(["finan", "ce"]))
    note = "x" * 200
    assert shared(note) is note and shared("".join(["x"] * 200)) is not note
    assert shared([1, 2]) == [1, 2] and shared([2, 1]) == [2, 1]


def test_the_compact_document_gzips_to_well_under_the_records():
    # 0.64 at 300 contacts, 0.50 at 5,000 (docs/DECISIONS.md, session 9).
    document = realistic_document(300)
    records = gzip.compress(dumps_bytes(document), 6)
    columns = gzip.compress(dumps_bytes(compact(document)), 6)
    assert len(columns) < 0.7 * len(records), (len(columns), len(records))


def test_references_to_records_in_the_document_are_rows_and_hidden_ones_stay_ids():
    document = realistic_document(10)
    columns = {c[0]: c for c in compact(document)["playbooks"]["columns"]}
    codec, rows = columns["contact_ids"][1], columns["contact_ids"][2]
    assert codec == "refs:contacts"
    hidden = uuid.UUID(HIDDEN).bytes
    assert rows[0][0] == 3 and rows[0][2] == 0
    assert isinstance(rows[0][1], str) and uuid.UUID(bytes=_b64(rows[0][1])).bytes == hidden


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "==")


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(v=1),
        lambda d: d["contacts"]["columns"][0].__setitem__(2, "AAAA"),  # ids of the wrong length
        lambda d: d["contacts"]["columns"][0].__setitem__(
            2,
            "B" + d["contacts"]["columns"][0][2][1:21] + "B" + d["contacts"]["columns"][0][2][22:],
        ),  # not canonical
        lambda d: d["contacts"].update(rows=d["contacts"]["rows"] + 1),
        lambda d: d["contacts"]["columns"][-1].__setitem__(1, "zip"),
        lambda d: d["playbooks"]["columns"][-1].__setitem__(1, "ref:nowhere"),
    ],
)
def test_a_document_this_code_cannot_read_is_refused(spoil):
    document = json.loads(dumps_bytes(compact(realistic_document(5))))
    spoil(document)
    with pytest.raises(FormatError):
        expand(document)


def with_changes() -> tuple[dict[str, Any], dict[str, Any]]:
    """Return a compact document followed by sync changes (as the server's tail carries them),
    and the document it must read as: a changed record moved to the end, a deleted one and a
    hidden one gone, a new one last, a type this code does not know skipped."""
    before = realistic_document(6)
    columns = compact(before)
    changed = {
        k: v for k, v in before["contacts"][1].items() if k not in ("id", "version", "revision")
    }
    changed["name"] = "Nombre cambiado"
    new_id = _id("new")
    changes = [
        {
            "type": "contact",
            "entity_id": before["contacts"][1]["id"],
            "version": 5,
            "revision": 20,
            "deleted": False,
            "data": changed,
        },
        {
            "type": "contact",
            "entity_id": before["contacts"][2]["id"],
            "version": 2,
            "revision": 21,
            "deleted": True,
            "data": None,
        },
        {
            "type": "contact",
            "entity_id": new_id,
            "version": 1,
            "revision": 22,
            "deleted": False,
            "data": {"name": "Nueva", "phones": []},
        },
        {
            "type": "playbook",
            "entity_id": before["playbooks"][0]["id"],
            "version": 2,
            "revision": 23,
            "deleted": True,
            "data": None,
        },  # hidden from this class now
        {
            "type": "recipe",
            "entity_id": _id("x"),
            "version": 1,
            "revision": 24,
            "deleted": False,
            "data": {"name": "?"},
        },
        {
            "type": "contact",
            "entity_id": before["contacts"][1]["id"],
            "version": 6,
            "revision": 25,
            "deleted": False,
            "data": changed | {"name": "Otra vez"},
        },
    ]
    columns |= {"base": before["revision"], "revision": 25, "changes": changes}
    after = copy.deepcopy(before)
    moved = after["contacts"][1] | {"name": "Otra vez", "version": 6, "revision": 25}
    after["contacts"] = [c for i, c in enumerate(after["contacts"]) if i not in (1, 2)]
    after["contacts"] += [
        {"id": new_id, "version": 1, "revision": 22, "name": "Nueva", "phones": []},
        moved,
    ]
    after["playbooks"] = after["playbooks"][1:]
    after["revision"] = 25
    return columns, after


def test_the_changes_after_the_columns_are_applied_in_revision_order():
    columns, after = with_changes()
    assert expand(json.loads(dumps_bytes(columns))) == after
    assert [c["name"] for c in expand(columns)["contacts"]][-2:] == ["Nueva", "Otra vez"]


def test_committed_js_fixture_is_what_the_python_code_makes_today():
    document = odd_document()
    columns, after = with_changes()
    fresh = {
        "document": document,
        "compact": compact(document),
        "with_changes": {"compact": columns, "document": after},
    }
    if os.environ.get("ENLACE_WRITE_JS_FIXTURES") == "1":
        FIXTURE.write_text(json.dumps(fresh, ensure_ascii=False) + "\n", encoding="utf-8")
    assert json.loads(FIXTURE.read_text("utf-8")) == json.loads(json.dumps(fresh))
