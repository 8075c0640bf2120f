"""The demo workspace and user that `make run` starts with."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path
from typing import Any

from flask import current_app

from webapp.auth import service as auth_service
from webapp.db import session_scope
from webapp.sync import service as sync
from webapp.sync.schemas import Mutation
from webapp.workspaces import service as workspaces

DEMO_EMAIL = "demo@enlace.example"
DEMO_NAME = "Demo Community Manager"
DEMO_WORKSPACE = "Demo — Enlace"


def demo_password(instance_path: str) -> str:
    """Return the demo password kept in the instance folder (0600), creating a random one."""
    path = Path(instance_path) / "demo-credentials"
    if path.exists():
        return path.read_text().strip()
    password = "-".join(secrets.token_hex(3) for _ in range(3))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def ensure_demo() -> dict[str, str]:
    """Create the demo user and its workspace when missing; return the sign-in."""
    password = demo_password(current_app.instance_path)
    with session_scope() as session:
        user = auth_service.find_user(session, DEMO_EMAIL)
        if user is None:
            user = auth_service.create_user(session, DEMO_EMAIL, DEMO_NAME, password)
        elif not auth_service.verify_password(user, password):
            # The credentials file was lost: give the demo account the password printed now.
            user.password_hash = auth_service.hash_password(password)
        if not workspaces.memberships_of(session, user):
            workspaces.create_workspace(
                session, DEMO_WORKSPACE, user, "MX", "Ciudad de México", "America/Mexico_City"
            )
    with session_scope() as session:
        user = auth_service.find_user(session, DEMO_EMAIL)
        assert user is not None
        membership = workspaces.memberships_of(session, user)[0]
        if membership.workspace.revision == 0:
            # Through the sync service, the one write path, as any device would.
            sync.apply_mutations(session, membership, demo_mutations())
    return {"email": DEMO_EMAIL, "password": password}


# Invented people and companies with numbers of Mexico City's format; the emergency numbers are
# Mexico's real national ones (911 emergencies, 089 anonymous reports), so that quick dial shows
# what a real workspace would.
OFFICE_HOURS = {
    "timezone": "America/Mexico_City",
    "hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}],
}
DEMO_CONTACTS: list[dict[str, Any]] = [
    {
        "name": "Emergencias 911",
        "kind": "emergency",
        "visibility": "public",
        "phones": [{"label": "Emergencias", "number": "911"}],
        "when_to_contact": "Fuego, accidentes, amenazas a la seguridad de alguien.",
        "availability": {"always": True},
        "tags": ["verify-locally"],
    },
    {
        "name": "Denuncia anónima 089",
        "kind": "authority",
        "visibility": "public",
        "phones": [{"label": "Denuncia", "number": "089"}],
        "availability": {"always": True},
        "tags": ["verify-locally"],
    },
    {
        "name": "Laura Méndez",
        "role_title": "Líder de Finanzas",
        "kind": "internal",
        "area": "finance",
        "phones": [{"label": "Móvil", "number": "+52 55 4123 8890", "whatsapp": True}],
        "emails": [{"label": "Trabajo", "address": "laura.mendez@example.com"}],
        "when_to_contact": "Reembolsos masivos, cobros duplicados, fallas de pago.",
        "availability": OFFICE_HOURS,
    },
    {
        "name": "Atención al cliente — guardia",
        "kind": "internal",
        "area": "customer_service",
        "phones": [{"label": "Guardia", "number": "+52 55 4123 7000"}],
        "when_to_contact": "Soluciones en tiempo real a quejas de clientes.",
        "availability": {"always": True},
    },
    {
        "name": "Jorge Rodríguez",
        "role_title": "Director de Operaciones",
        "kind": "internal",
        "area": "operations",
        "phones": [{"label": "Móvil", "number": "+52 55 4123 5512"}],
        "availability": OFFICE_HOURS,
        "visibility": "restricted",
    },
    {
        "name": "Despacho Legal Ortiz",
        "kind": "legal",
        "organization": "Ortiz & Asociados",
        "phones": [{"label": "Urgencias legales", "number": "+52 55 5208 1400"}],
        "when_to_contact": "Amenazas legales, difamación, requerimientos de autoridad.",
    },
    {
        "name": "Taquería El Güero",
        "kind": "partner",
        "organization": "Restaurante asociado",
        "role_title": "Encargada: Marisol Peña",
        "phones": [{"label": "Cocina", "number": "+52 55 5564 2210", "whatsapp": True}],
        "address": "Av. Álvaro Obregón 120, Roma Norte, CDMX",
        "partner": {
            "response_minutes": 25,
            "procedure": "Quejas por WhatsApp con foto del pedido.",
        },
    },
]


def demo_mutations() -> list[Mutation]:
    """Return the demo directory's contacts as sync mutations (creates)."""
    return [
        Mutation(
            id=uuid.uuid4(),
            type="contact",
            entity_id=uuid.uuid4(),
            op="put",
            base_version=None,
            fields=fields,
        )
        for fields in DEMO_CONTACTS
    ]
