"""Envelopes made by the Python code, for the browser's crypto tests (tests/js/crypto.test.mjs).

The committed files in tests/js/fixtures/ must still open with the Python code and hold exactly
the documents built here, so the JavaScript tests never test against a format the server has
left. To rewrite them (after a deliberate format change):
    ENLACE_WRITE_JS_FIXTURES=1 pytest tests/unit/test_js_fixtures.py
"""

from __future__ import annotations

import gzip
import json
import os
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from webapp.directory.service import validate
from webapp.encoding import b64url, b64url_decode
from webapp.snapshot.compact import compact, expand
from webapp.snapshot.service import (
    COLLECTIONS,
    aad,
    as_binary,
    envelope,
    open_envelope,
    read_binary,
    seal,
)

FIXTURES = Path(__file__).resolve().parents[1] / "js" / "fixtures"
# A key for tests only: it protects nothing but these fixtures.
KEY = bytes(range(32))
KID = "k-fixture-1"
USER = SimpleNamespace(id=uuid.UUID("6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"))
WORKSPACE = SimpleNamespace(
    id=uuid.UUID("0b7e4f2a-9c1d-4e8b-a6f3-5d2c1b0a9e8f"),
    name="Comida Ya México",
    country="MX",
    city="Ciudad de México",
    timezone="America/Mexico_City",
    revision=7,
)
ANA = "11111111-1111-4111-8111-111111111111"
LUIS = "22222222-2222-4222-8222-222222222222"
SERVICE = "33333333-3333-4333-8333-333333333333"
PLAYBOOK = "44444444-4444-4444-8444-444444444444"
DELTA_BASE, DELTA_REVISION = 7, 9


def _contact(fields: dict[str, Any]) -> dict[str, Any]:
    validated, errors = validate("contact", fields, WORKSPACE.country)
    assert not errors, errors
    return validated.json


def _record(entity_id: str, version: int, revision: int, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": entity_id, "version": version, "revision": revision, **data}


def snapshot_document() -> dict[str, Any]:
    """Return the full snapshot's plaintext at revision 7, in the server's record format."""
    ana = _contact(
        {
            "name": "Ana Rodríguez",
            "organization": "Comida Ya",
            "role_title": "Jefa de Atención al cliente",
            "area": "customer_service",
            "phones": [{"label": "móvil", "number": "55 1234 5678", "whatsapp": True}],
            "availability": {
                "timezone": "America/Mexico_City",
                "hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}],
            },
            "backup_contact_id": LUIS,
            "tags": ["reembolsos"],
            "visibility": "team",
        }
    )
    luis = _contact(
        {
            "name": "Luis Peña <img src=x onerror=alert(1)>",
            "area": "finance",
            "phones": [{"label": "", "number": "+52 55 8765 4321"}],
            "availability": {"always": True},
            "visibility": "restricted",
        }
    )
    service = _contact(
        {"name": "Emergencias", "kind": "emergency", "phones": [{"number": "911"}]}
        | {"visibility": "public", "tags": ["verify-locally"]}
    )
    playbook = {
        "name": "Amenaza a un empleado",
        "crisis_kind": "threat",
        "severity": "high",
        "steps": ["Llamar al 911", "Avisar a Dirección"],
        "contact_ids": [SERVICE, ANA],
        "guidance": "No respondas al agresor.",
        "visibility": "team",
    }
    head = {
        "v": 1,
        "workspace": {
            "id": str(WORKSPACE.id),
            "name": WORKSPACE.name,
            "country": WORKSPACE.country,
            "city": WORKSPACE.city,
            "timezone": WORKSPACE.timezone,
        },
        "revision": WORKSPACE.revision,
        "generated_at": "2026-11-25T12:00:00Z",
    }
    collections: dict[str, list[dict[str, Any]]] = dict.fromkeys(COLLECTIONS.values(), [])
    collections["contacts"] = [
        _record(SERVICE, 1, 1, service),
        _record(ANA, 3, 5, ana),
        _record(LUIS, 1, 6, luis),
    ]
    collections["playbooks"] = [_record(PLAYBOOK, 1, 7, playbook)]
    return head | collections


def delta_document() -> dict[str, Any]:
    """Return the delta's plaintext from revision 7 to 9: Ana's phone changes, Luis is deleted."""
    ana = snapshot_document()["contacts"][1]
    data = {key: value for key, value in ana.items() if key not in ("id", "version", "revision")}
    data["phones"] = [{"label": "móvil", "number": "+525511112222", "whatsapp": True}]
    return {
        "changes": [
            {
                "type": "contact",
                "entity_id": ANA,
                "version": 4,
                "revision": 8,
                "deleted": False,
                "data": data,
            },
            {
                "type": "contact",
                "entity_id": LUIS,
                "version": 2,
                "revision": 9,
                "deleted": True,
                "data": None,
            },
        ]
    }


def outbox_mutation() -> dict[str, Any]:
    """Return a pending mutation as the page keeps it in the outbox."""
    return {
        "id": "55555555-5555-4555-8555-555555555555",
        "type": "contact",
        "entity_id": ANA,
        "op": "put",
        "base_version": 3,
        "fields": {"notes": "Prefiere WhatsApp después de las 20:00"},
        "base": {"notes": None},
    }


def _gzip_json(document: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(document, ensure_ascii=False).encode(), mtime=0)


def delta_aad(base: int, revision: int) -> str:
    """Return the delta envelope's associated data as docs/ARCHITECTURE.md pins it."""
    return f"enlace-delta:v1:{USER.id}:{WORKSPACE.id}:{base}:{revision}"


def delta_envelope(document: dict[str, Any]) -> dict[str, Any]:
    """Encrypt a delta as docs/ARCHITECTURE.md pins it (the server's `?since=` is not built yet)."""
    iv = os.urandom(12)
    associated = delta_aad(DELTA_BASE, DELTA_REVISION)
    ciphertext = AESGCM(KEY).encrypt(iv, _gzip_json(document), associated.encode())
    return {
        "v": 1,
        "alg": "A256GCM",
        "kid": KID,
        "revision": DELTA_REVISION,
        "base": DELTA_BASE,
        "iv": b64url(iv),
        "aad": associated,
        "ciphertext": b64url(ciphertext),
    }


def seal_outbox(mutation: dict[str, Any]) -> dict[str, Any]:
    """Seal a mutation as the outbox does: AES-GCM over its JSON, bound to user and workspace."""
    iv = os.urandom(12)
    associated = f"enlace-outbox:v1:{USER.id}:{WORKSPACE.id}:{mutation['id']}"
    ciphertext = AESGCM(KEY).encrypt(iv, json.dumps(mutation).encode(), associated.encode())
    return {"kid": KID, "iv": b64url(iv), "aad": associated, "ciphertext": b64url(ciphertext)}


def open_sealed(sealed: dict[str, Any]) -> dict[str, Any]:
    """Open a sealed mutation (what the server does with a posted outbox)."""
    data = AESGCM(KEY).decrypt(
        b64url_decode(sealed["iv"]), b64url_decode(sealed["ciphertext"]), sealed["aad"].encode()
    )
    return json.loads(data)


def _fixture(envelope_: dict[str, Any], plaintext: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": b64url(KEY),
        "kid": KID,
        "user_id": str(USER.id),
        "workspace_id": str(WORKSPACE.id),
        "envelope": envelope_,
        "plaintext": plaintext,
    }


def binary_delta_fixture() -> dict[str, Any]:
    """Return the delta in the binary format (`binary`: the whole answer body, base64url), and
    its public fields as `envelope`."""
    at = SimpleNamespace(**{**vars(WORKSPACE), "revision": DELTA_REVISION})
    data = _gzip_json(delta_document())
    sealed = seal(USER, at, data, KID, KEY, base=DELTA_BASE)  # type: ignore[arg-type]
    return {**_fixture(sealed.fields, delta_document()), "binary": b64url(as_binary(sealed))}


def build_fixtures() -> dict[str, dict[str, Any]]:
    """Return the fixture files' contents, freshly encrypted."""
    full = envelope(USER, WORKSPACE, _gzip_json(snapshot_document()), KID, KEY)  # type: ignore[arg-type]
    return {
        "full.json": _fixture(full, snapshot_document()),
        # The same snapshot in the compact format (webapp/snapshot/compact.py); its plaintext
        # is what the page must read it as: the records.
        "full-compact.json": _fixture(
            envelope(USER, WORKSPACE, _gzip_json(compact(snapshot_document())), KID, KEY),  # type: ignore[arg-type]
            snapshot_document(),
        ),
        "delta.json": _fixture(delta_envelope(delta_document()), delta_document()),
        "delta-binary.json": binary_delta_fixture(),
        "outbox.json": _fixture(seal_outbox(outbox_mutation()), outbox_mutation()),
    }


@pytest.fixture(scope="module")
def committed() -> dict[str, dict[str, Any]]:
    fresh = build_fixtures()
    if os.environ.get("ENLACE_WRITE_JS_FIXTURES") == "1":
        FIXTURES.mkdir(parents=True, exist_ok=True)
        for name, content in fresh.items():
            text = json.dumps(content, ensure_ascii=False, indent=2) + "\n"
            (FIXTURES / name).write_text(text, encoding="utf-8")
    return {name: json.loads((FIXTURES / name).read_text("utf-8")) for name in fresh}


def _unsealed_fields(content: dict[str, Any]) -> dict[str, Any]:
    """Return a fixture without what differs on each encryption (iv and ciphertext)."""
    sealed = {k: v for k, v in content["envelope"].items() if k not in ("iv", "ciphertext")}
    return {**{k: v for k, v in content.items() if k != "binary"}, "envelope": sealed}


@pytest.mark.parametrize(
    "name", ["full.json", "full-compact.json", "delta.json", "delta-binary.json", "outbox.json"]
)
def test_committed_js_fixture_is_what_the_python_code_makes_today(committed, name):
    assert _unsealed_fields(committed[name]) == _unsealed_fields(build_fixtures()[name])


def test_committed_full_snapshot_opens_with_the_server_code_to_its_document(committed):
    content = committed["full.json"]
    assert content["envelope"]["aad"] == aad(USER.id, WORKSPACE.id, WORKSPACE.revision)
    assert open_envelope(content["envelope"], KEY) == snapshot_document()


def test_committed_compact_snapshot_opens_to_the_same_document(committed):
    opened = open_envelope(committed["full-compact.json"]["envelope"], KEY, records=False)
    assert opened["v"] == 2
    assert expand(opened) == snapshot_document()


def test_committed_delta_opens_with_its_aad_to_its_changes(committed):
    content = committed["delta.json"]
    assert content["envelope"]["aad"] == delta_aad(DELTA_BASE, DELTA_REVISION)
    assert open_envelope(content["envelope"], KEY) == delta_document()


def test_committed_binary_delta_reads_as_the_json_one_and_opens_to_its_changes(committed):
    content = committed["delta-binary.json"]
    body = read_binary(b64url_decode(content["binary"]))
    assert {k: v for k, v in body.items() if k not in ("iv", "ciphertext")} == content["envelope"]
    assert body["aad"] == delta_aad(DELTA_BASE, DELTA_REVISION)
    assert open_envelope(body, KEY) == delta_document()


def test_committed_outbox_mutation_opens_as_the_server_would(committed):
    assert open_sealed(committed["outbox.json"]["envelope"]) == outbox_mutation()
