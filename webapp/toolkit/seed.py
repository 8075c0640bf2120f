"""Create a workspace with its defaults: the country's emergency numbers and the playbooks.

Everything is written through the sync service (the one write path) in the caller's
transaction, with no author, so that a workspace and its defaults commit or fail together.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from webapp.auth.models import User
from webapp.directory.models import Visibility
from webapp.emergency_numbers import SERVICE_LABELS, EmergencyNumber, numbers_for, service_tag
from webapp.sync import service as sync
from webapp.sync.schemas import Mutation
from webapp.toolkit.playbooks import PLAYBOOKS
from webapp.workspaces import service as workspaces
from webapp.workspaces.models import Workspace

# The tags of a seeded number; the readiness checklist relies on them.
VERIFY_LOCALLY = "verify-locally"
NATIONAL = "national"

SOURCE = {"es": "Fuente", "en": "Source"}
CHECKED = {"es": "revisado el", "en": "checked on"}
ONLINE = {"es": "En línea", "en": "Online"}


def create_workspace(
    session: Session,
    name: str,
    owner: User,
    country: str,
    city: str,
    timezone: str | None = None,
    language: str | None = None,
) -> Workspace:
    """Create a workspace with its owner and its defaults, without committing.

    :raises ServiceError: for bad input (nothing is written then).
    """
    workspace = workspaces.create_workspace(session, name, owner, country, city, timezone, language)
    seed_defaults(session, workspace)
    return workspace


def seed_defaults(session: Session, workspace: Workspace) -> None:
    """Add the national emergency numbers and the default playbooks to a new workspace."""
    contacts = contact_mutations(workspace)
    sync.apply_as_system(session, workspace, [m for m, _service in contacts])
    by_service: dict[str, list[str]] = {}
    for mutation, service in contacts:
        by_service.setdefault(service, []).append(str(mutation.entity_id))
    sync.apply_as_system(session, workspace, playbook_mutations(workspace.language, by_service))


def _put(entity_type: str, fields: dict[str, Any]) -> Mutation:
    return Mutation(
        id=uuid.uuid4(),
        type=entity_type,
        entity_id=uuid.uuid4(),
        op="put",
        base_version=None,
        fields=fields,
    )


def contact_fields(number: EmergencyNumber, language: str, country: str) -> dict[str, Any]:
    """Return a national number as a public emergency contact's fields, in a language."""
    label = SERVICE_LABELS.get(number.service, {}).get(language) or number.name[language][:60]
    notes = [f"{SOURCE[language]}: {number.source} ({CHECKED[language]} {number.checked})"]
    if number.url:
        notes.insert(0, f"{ONLINE[language]}: {number.url}")
    fields: dict[str, Any] = {
        "name": number.name[language],
        "kind": "emergency",
        "phones": [{"label": label, "number": number.number}],
        "country": country,
        "notes": "\n".join(notes),
        "tags": [VERIFY_LOCALLY, NATIONAL, service_tag(number.service)],
        "visibility": Visibility.PUBLIC.value,
    }
    if number.email:
        fields["emails"] = [{"label": label, "address": number.email}]
    if number.always:
        fields["availability"] = {"always": True}
    elif number.hours:
        hours = number.hours
        fields["availability"] = {
            "timezone": hours["timezone"],
            "always": False,
            "hours": [{"days": hours["days"], "from": hours["from"], "to": hours["to"]}],
        }
    if number.note:
        fields["when_to_contact"] = number.note[language]
    return fields


def contact_mutations(workspace: Workspace) -> list[tuple[Mutation, str]]:
    """Return the workspace country's numbers as contact creates, each with its service."""
    return [
        (_put("contact", contact_fields(n, workspace.language, workspace.country)), n.service)
        for n in numbers_for(workspace.country)
    ]


def playbook_mutations(language: str, by_service: dict[str, list[str]]) -> list[Mutation]:
    """Return the default playbooks as creates; their contacts are the numbers of their services."""
    mutations = []
    for playbook in PLAYBOOKS:
        contact_ids: list[str] = []
        for service in playbook.services:
            contact_ids += [i for i in by_service.get(service, []) if i not in contact_ids]
        mutations.append(
            _put(
                "playbook",
                {
                    "name": playbook.name[language],
                    "crisis_kind": playbook.crisis_kind,
                    "severity": playbook.severity,
                    "guidance": playbook.guidance[language],
                    "steps": list(playbook.steps[language]),
                    "contact_ids": contact_ids,
                    "visibility": Visibility.TEAM.value,
                },
            )
        )
    return mutations
