"""National emergency numbers, as data: one JSON file per country in `data/`, plus the EU's 112.

Each entry names its source (an official page wherever one exists) and the date it was checked;
a number no source confirms is left out. Nothing here imports the rest of the app: it is data
that the crisis toolkit (webapp/toolkit) turns into a new workspace's public contacts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("es", "en")
# Every service an entry may have, the most general first: the poster lists public numbers in
# this order, and quick dial puts the first QUICK_DIAL_RANKED first in it.
SERVICES = (
    "general",
    "police",
    "fire",
    "ambulance",
    "medical",
    "civil_protection",
    "cybercrime",
    "child_abuse_report",
    "gender_violence",
    "investigations_police",
    "kidnapping_extortion",
    "anonymous_report",
    "crisis_line",
    "poison_control",
    "maritime_rescue",
)
QUICK_DIAL_RANKED = 5
# A seeded number's contact is tagged `service:<service>`; the poster, quick dial and the
# readiness checklist find the service by this tag.
SERVICE_TAG = "service:"
EU = "EU"
# A service's short name, for a phone's label.
SERVICE_LABELS = {
    "general": {"es": "Emergencias", "en": "Emergency"},
    "police": {"es": "Policía", "en": "Police"},
    "fire": {"es": "Bomberos", "en": "Fire"},
    "ambulance": {"es": "Ambulancia", "en": "Ambulance"},
    "medical": {"es": "Urgencias médicas", "en": "Medical"},
    "cybercrime": {"es": "Ciberdelitos", "en": "Cybercrime"},
    "child_abuse_report": {"es": "Denuncia de abuso infantil", "en": "Child abuse report"},
    "gender_violence": {"es": "Violencia de género", "en": "Gender violence"},
    "civil_protection": {"es": "Protección civil", "en": "Civil protection"},
    "investigations_police": {"es": "Policía de investigaciones", "en": "Investigations police"},
    "kidnapping_extortion": {"es": "Secuestro y extorsión", "en": "Kidnapping and extortion"},
    "anonymous_report": {"es": "Denuncia anónima", "en": "Anonymous report"},
    "crisis_line": {"es": "Línea de crisis", "en": "Crisis line"},
    "poison_control": {"es": "Toxicología", "en": "Poison control"},
    "maritime_rescue": {"es": "Rescate marítimo", "en": "Maritime rescue"},
}


def service_tag(service: str) -> str:
    """Return the tag that marks a contact as this service's number (`police` → `service:police`)."""
    return SERVICE_TAG + service


def service_of(tags: Iterable[Any] | None) -> str | None:
    """Return the service a contact's tags name (`service:police` → `police`), or None."""
    for tag in tags or ():
        if isinstance(tag, str) and tag.startswith(SERVICE_TAG):
            return tag.removeprefix(SERVICE_TAG).strip().lower() or None
    return None


def service_rank(service: str | None) -> int:
    """Return a service's place in SERVICES (after every one of them when it is none)."""
    return SERVICES.index(service) if service in SERVICES else len(SERVICES)


@dataclass(frozen=True)
class EmergencyNumber:
    """One national emergency number as dialled in its country."""

    country: str  # the data file's code: ISO 3166-1 alpha-2, or "EU"
    number: str
    service: str
    name: dict[str, str]  # {"es": ..., "en": ...}
    source: str  # an https URL, the authority's page wherever one exists
    checked: date
    always: bool = True  # answered 24/7
    note: dict[str, str] | None = None  # regional, limited hours, advice only...
    url: str | None = None  # an online reporting channel
    email: str | None = None
    # Limited hours: {"timezone", "days": [1-7], "from": "08:00", "to": "23:00"}.
    hours: dict[str, Any] | None = None

    def text(self, field: str, language: str) -> str | None:
        """Return the name or note in a language (es or en)."""
        value = getattr(self, field)
        return None if value is None else value[language]


def _entry(country: str, raw: dict[str, Any]) -> EmergencyNumber:
    return EmergencyNumber(
        country=country,
        number=raw["number"],
        service=raw["service"],
        name=dict(raw["name"]),
        source=raw["source"],
        checked=date.fromisoformat(raw["checked"]),
        always=raw.get("always", True),
        note=dict(raw["note"]) if raw.get("note") else None,
        url=raw.get("url"),
        email=raw.get("email"),
        hours=dict(raw["hours"]) if raw.get("hours") else None,
    )


@cache
def _files() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for item in resources.files(__package__).joinpath("data").iterdir():
        if item.name.endswith(".json"):
            raw = json.loads(item.read_text(encoding="utf-8"))
            found[raw["country"]] = raw
    return found


def countries() -> list[str]:
    """Return the codes that have a data file (countries, and "EU")."""
    return sorted(_files())


def eu_members() -> frozenset[str]:
    """Return the EU member states, to which the EU-wide numbers (112) apply."""
    return frozenset(_files()[EU]["applies_to"])


def entries(code: str) -> list[EmergencyNumber]:
    """Return the entries of one data file (a country's own, or "EU"), as written."""
    raw = _files().get(code.upper())
    return [] if raw is None else [_entry(raw["country"], item) for item in raw["numbers"]]


def numbers_for(country: str) -> list[EmergencyNumber]:
    """Return the emergency numbers of a country: the EU-wide ones first for members, then its own.

    A country with no data file gets only the EU's numbers (when a member), else nothing.
    """
    code = (country or "").upper()
    if code == EU:
        return []
    shared = entries(EU) if code in eu_members() else []
    return shared + entries(code)
