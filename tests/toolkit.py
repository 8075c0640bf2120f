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
