"""What the server publishes and canonicalises, for the app's edit tests (tests/js/edit.test.mjs).

`openapi.json` holds /api/v1/limits.json, the part of /api/v1/openapi.json that the app reads
its field limits from (the entity schemas and what they reference); `canonical.json` holds form values and the values
the server stores for them, so that the app's canonicalisation is tested against the server's
and not against a copy of it. The committed files must be what the code makes today. To
rewrite them (after a deliberate change of the schemas):
    ENLACE_WRITE_JS_FIXTURES=1 pytest tests/unit/test_js_edit_fixtures.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from webapp.api.openapi import limits_document
from webapp.directory.service import validate

FIXTURES = Path(__file__).resolve().parents[1] / "js" / "fixtures"


# Form values as a user may type them, one case per canonicalisation rule of the schemas.
CONTACT_CASES: list[dict[str, Any]] = [
    {"name": "  Jose\u0301 Pe\u0301rez\u3000", "organization": "\tComida Ya \n"},
    {"name": "\x85Ana\xa0", "role_title": " Jefa ", "city": " Ciudad de Me\u0301xico "},
    {"name": "Ana", "country": " mx\x1c", "area": " finance "},
    {"name": "Ana", "notes": "  Llamar despue\u0301s de las 20:00  ", "address": " Calle 1 "},
    {"name": "Ana", "tags": [" reembolsos ", "Prensa\u00a0"], "when_to_contact": "\tsiempre"},
    {"name": "Ana", "emails": [{"label": " trabajo ", "address": " Ana.Ro\u0301@Ejemplo.COM "}]},
    {"name": "Ana", "phones": [{"label": " móvil ", "number": "+52 55 1234 5678"}]},
    # A phone as the app holds it, with the server's `display`: never stored, never compared.
    {"name": "Ana", "phones": [{"number": "+523300000202", "display": "33 0000 0202"}]},
    {"name": "Ana", "availability": {"timezone": "America/Mexico_City", "always": True}},
    {"name": "Ana", "availability": {"hours": [{"days": [1, 2], "from": "09:00", "to": "18:00"}]}},
    {"name": "Ana", "partner": {"response_minutes": 30, "procedure": " Queja por escrito "}},
    {"name": "Ana", "backup_contact_id": "22222222-2222-4222-8222-22222222AAAA"},
    {"name": "Ana", "last_verified_at": "2026-11-25T03:00:00-06:00"},
    {"name": "Ana", "last_verified_at": "2026-11-25T09:00:00.250Z"},
    {"name": "Ana", "kind": "partner", "visibility": "restricted"},
]
PLAYBOOK_CASES: list[dict[str, Any]] = [
    {"name": " Amenaza ", "crisis_kind": " threat ", "severity": "high"},
    {"name": "Amenaza", "steps": [" Llamar al 911 ", "Avisar a Direccio\u0301n"]},
    {"name": "Amenaza", "contact_ids": ["33333333-3333-4333-8333-33333333AAAA"]},
    {"name": "Amenaza", "guidance": "  No respondas al agresor. ", "visibility": "public"},
]

INCIDENT = "55555555-5555-4555-8555-55555555AAAA"
INCIDENT_CASES: list[dict[str, Any]] = [
    {"title": " Tormenta de pagos ", "severity": "high", "kind": " payment_storm "},
    {"title": "Tormenta", "started_at": "2026-12-03T15:05:00-06:00", "playbook_id": INCIDENT},
    {"title": "Tormenta", "status": "closed", "closed_at": "2026-12-03T23:00:00.250Z"},
    {"title": "Tormenta", "summary": "  Pagos reanudados\n folio 123 "},
]
ENTRY_CASES: list[dict[str, Any]] = [
    {"incident_id": INCIDENT, "at": "2026-12-03T15:05:00-06:00", "text": " Ana\u0301 "},
    {
        "incident_id": INCIDENT,
        "at": "2026-12-03T21:05:00.250Z",
        "kind": "call",
        "text": "Ana",
        "contact_id": INCIDENT,
        "outcome": "no_answer",
    },
    {
        "incident_id": INCIDENT,
        "at": "2026-12-03T21:05:00Z",
        "kind": "report",
        "text": "Policía",
        "reference": " FGJ/CDMX/123 ",
    },
    {
        "incident_id": INCIDENT,
        "at": "2026-12-03T21:05:00Z",
        "kind": "action",
        "text": "Paso",
        "step": 2,
    },
]
CASES = {
    "contact": CONTACT_CASES,
    "playbook": PLAYBOOK_CASES,
    "incident": INCIDENT_CASES,
    "incident_entry": ENTRY_CASES,
}


def canonical_cases() -> list[dict[str, Any]]:
    """Return each case with the values the server stores for its fields."""
    cases = []
    for entity_type, inputs in CASES.items():
        for values in inputs:
            validated, errors = validate(entity_type, values, "MX")
            assert validated is not None, errors
            canonical = {name: validated.json[name] for name in values}
            cases.append({"type": entity_type, "values": values, "canonical": canonical})
    return cases


def build_fixtures() -> dict[str, Any]:
    """Return the fixture files' contents."""
    return {"openapi.json": limits_document(), "canonical.json": canonical_cases()}


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    fresh = build_fixtures()
    if os.environ.get("ENLACE_WRITE_JS_FIXTURES") == "1":
        for name, content in fresh.items():
            text = json.dumps(content, ensure_ascii=False, indent=2) + "\n"
            (FIXTURES / name).write_text(text, encoding="utf-8")
    return {name: json.loads((FIXTURES / name).read_text("utf-8")) for name in fresh}


@pytest.mark.parametrize("name", ["openapi.json", "canonical.json"])
def test_committed_edit_fixture_is_what_the_server_publishes_today(committed, name):
    assert committed[name] == build_fixtures()[name]


def test_the_excerpt_holds_the_limits_the_app_checks(committed):
    schemas = committed["openapi.json"]["components"]["schemas"]
    assert schemas["ContactData"]["properties"]["phones"]["maxItems"] == 10
    assert schemas["ContactData"]["properties"]["name"]["maxLength"] == 200
    assert schemas["PlaybookData"]["properties"]["steps"]["maxItems"] == 50
