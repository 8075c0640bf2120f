"""Data for the crisis-toolkit tests (readiness, poster), made through the sync service.

The national numbers follow the seeding contract (docs/ARCHITECTURE.md, 6.3): public
contacts of kind `emergency`, tagged `verify-locally`, `national` and `service:<service>`, never
verified. The tests make them themselves so that they do not depend on the seeding.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers import SyncClient, mutation
from webapp import emergency_numbers
from webapp.directory import vocabulary

# (service, name, number) — Mexico's national numbers as the seeding would add them (names of
# their own, so that a test finds them beside whatever the seeding adds).
MX_NUMBERS = [
    ("general", "Emergencias (general)", "911"),
    ("cybercrime", "Guardia Nacional (denuncia ciudadana)", "088"),
    ("police", "Denuncia anónima (policía)", "089"),
]


def seeded_number(service: str, name: str, number: str) -> dict[str, Any]:
    """Return the fields of one seeded national emergency number."""
    return {
        "name": name,
        "kind": "emergency",
        "visibility": "public",
        "phones": [{"label": "", "number": number}],
        "tags": ["verify-locally", "national", f"service:{service}"],
    }


def seed_numbers(device: SyncClient, numbers: list[tuple[str, str, str]] = MX_NUMBERS) -> list[str]:
    """Create the national numbers through sync; return their ids in order."""
    ids = [str(uuid.uuid4()) for _ in numbers]
    answer = device.sync(
        *(mutation(i, seeded_number(*n)) for i, n in zip(ids, numbers, strict=True))
    )
    assert [r["status"] for r in answer["results"]] == ["applied"] * len(numbers), answer
    return ids


def put(
    device: SyncClient, fields: dict[str, Any], entity_id: str | None = None, **kwargs: Any
) -> str:
    """Create or change one record through sync; return its id."""
    entity_id = entity_id or str(uuid.uuid4())
    answer = device.sync(mutation(entity_id, fields, **kwargs))
    assert answer["results"][0]["status"] == "applied", answer
    return entity_id


# Readiness in its failing states (issue 16): a directory with something of each check there,
# but not enough. Its names are no code of the vocabulary (the no-code tests look for codes as
# words), and its national numbers leave out the cybercrime one so that that check fails too.
OFFICE_HOURS = {
    "timezone": "America/Mexico_City",
    "hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}],
}
UNCHECKED_NATIONAL = [
    ("general", "Línea de emergencias", "911"),
    ("police", "Denuncia anónima", "089"),
]


def incomplete_directory(device: SyncClient, areas: tuple[str, ...]) -> dict[str, str]:
    """Make a directory in which every readiness check fails with something there to name.

    One person per area who answers only in office hours, two national and two city numbers
    never checked, a playbook with nobody to call, a contact unverified for months; nothing
    legal, medical or about cybercrime. Returns the ids by name.
    """
    ids = {}
    for number, area in enumerate(areas, start=10):
        name = f"Persona {number}"
        ids[name] = put(
            device,
            {
                "name": name,
                "area": area,
                "phones": [{"number": f"+52 55 5555 01{number}"}],
                "availability": OFFICE_HOURS,
            },
        )
    for (_service, name, _number), entity in zip(
        UNCHECKED_NATIONAL, seed_numbers(device, UNCHECKED_NATIONAL), strict=True
    ):
        ids[name] = entity
    for name, number in (("SSC", "+52 55 5208 9898"), ("ERUM", "+52 55 5683 2222")):
        ids[name] = put(
            device,
            {
                "name": name,
                "kind": "authority",
                "city": "Ciudad de México",
                "phones": [{"number": number}],
            },
        )
    ids["Protocolo sin nadie"] = put(
        device, {"name": "Protocolo sin nadie", "steps": ["Llamar"]}, type="playbook"
    )
    ids["Contacto antiguo"] = put(
        device,
        {
            "name": "Contacto antiguo",
            "phones": [{"number": "+52 55 5555 0199"}],
            "last_verified_at": (datetime.now(UTC) - timedelta(days=200)).isoformat(),
        },
    )
    return ids


# Every code a user must never read: areas, kinds, crisis kinds, emergency services, the tags
# that mean something — except a code that is its own Spanish name (“legal”, “marketing”).
CODES = (
    set(vocabulary.AREAS)
    | set(vocabulary.KINDS)
    | set(vocabulary.CRISIS_KINDS)
    | set(emergency_numbers.SERVICES)
    | set(vocabulary.TAGS)
)
SPANISH_NAMES = {
    code
    for table in (
        vocabulary.AREAS,
        vocabulary.KINDS,
        vocabulary.CRISIS_KINDS,
        emergency_numbers.SERVICE_LABELS,
    )
    for code, names in table.items()
    if names["es"].casefold() == code
}


def codes_in(text: str) -> set[str]:
    """Return the codes that appear as words in a text (and the service tag's prefix)."""
    found = {
        code
        for code in CODES - SPANISH_NAMES
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text, re.IGNORECASE)
    }
    if emergency_numbers.SERVICE_TAG in text:
        found.add(emergency_numbers.SERVICE_TAG)
    return found


def break_number(app: Any, contact_id: str) -> None:
    """Give a contact a number saved under older rules (the server now refuses it)."""
    from sqlalchemy import update

    from webapp.db import session_scope
    from webapp.directory.models import Contact

    with app.app_context(), session_scope(app) as session:
        session.execute(
            update(Contact)
            .where(Contact.id == uuid.UUID(contact_id))
            .values(phones=[{"label": "", "number": "12"}])
        )
