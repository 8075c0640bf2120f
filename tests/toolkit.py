"""Data for the crisis-toolkit tests (readiness, poster), made through the sync service.

The national numbers follow the seeding contract (docs/ARCHITECTURE.md, 6.3): public
contacts of kind `emergency`, tagged `verify-locally`, `national` and `service:<service>`, never
verified. The tests make them themselves so that they do not depend on the seeding.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.helpers import SyncClient, mutation

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


# Hours of the poster's chooser tests: office hours, a night shift, weekends.
DAY = {"hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}]}
NIGHT = {"hours": [{"days": [1, 2, 3, 4, 5], "from": "18:00", "to": "09:00"}]}
WEEKENDS = {"hours": [{"days": [6, 7], "from": "10:00", "to": "14:00"}]}


def after_hours_team(device: SyncClient) -> dict[str, str]:
    """Create the contacts of the poster's chooser tests; return their ids by role.

    Whoever answers after hours themselves (a night shift, 24-hour customer care, a restricted
    director on weekends, a lawyer without an area, always) and day staff whose backup is the
    night shift (not after hours themselves).
    """
    night = put(
        device,
        {
            "name": "Guardia nocturna",
            "area": "operations",
            "phones": [{"label": "móvil", "number": "+52 33 0000 0201"}],
            "availability": NIGHT,
        },
    )
    people: dict[str, dict[str, Any]] = {
        "refunds": {
            "name": "Fernanda Reembolsos",
            "area": "finance",
            "availability": DAY,
            "backup_contact_id": night,
        },
        "care": {
            "name": "Atención 24 h",
            "area": "customer_service",
            "availability": {"always": True},
        },
        "director": {
            "name": "Directora General",
            "area": "leadership",
            "visibility": "restricted",
            "availability": WEEKENDS,
        },
        "lawyer": {"name": "Lic. Adriana", "kind": "legal", "availability": {"always": True}},
    }
    ids = {"night": night}
    for n, (role, fields) in enumerate(people.items(), start=2):
        ids[role] = put(device, {**fields, "phones": [{"number": f"+52 33 0000 020{n}"}]})
    return ids
