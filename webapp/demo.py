"""The demo workspace and user that `make run` starts with.

A fictional food-delivery brand in Mexico City ("Antojo Express"): the six internal areas with a
day and an after-hours contact each, legal, medical, three partner restaurants, city
authorities and a restricted executive line, and the default playbooks linked to them. The
national emergency numbers and the playbooks come from creating the workspace (webapp/toolkit),
as for any workspace.

Every person is invented. Every number is in the block +52 55 0000 01xx: phonenumbers accepts
it as a Mexico City number, but no subscriber can hold it (see fictional_number).
"""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth import service as auth_service
from webapp.db import session_scope
from webapp.directory.models import Contact, Playbook, Visibility
from webapp.sync import service as sync
from webapp.sync.schemas import Mutation
from webapp.toolkit import seed
from webapp.workspaces import service as workspaces
from webapp.workspaces.models import Membership

DEMO_EMAIL = "demo@enlace.example"
DEMO_NAME = "Demo Community Manager"
DEMO_WORKSPACE = "Demo — Antojo Express"
TIMEZONE = "America/Mexico_City"


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
            user = auth_service.create_user(session, DEMO_EMAIL, DEMO_NAME, password, locale="es")
        elif not auth_service.verify_password(user, password):
            # The credentials file was lost: give the demo account the password printed now.
            user.password_hash = auth_service.hash_password(password)
        if not workspaces.memberships_of(session, user):
            # With its national numbers and default playbooks, as any new workspace.
            seed.create_workspace(
                session, DEMO_WORKSPACE, user, "MX", "Ciudad de México", TIMEZONE, "es"
            )
    with session_scope() as session:
        user = auth_service.find_user(session, DEMO_EMAIL)
        assert user is not None
        membership = workspaces.memberships_of(session, user)[0]
        if not _has_directory(session, membership):
            # Through the sync service, the one write path, as the demo user's device would.
            sync.apply_mutations(session, membership, demo_mutations(session, membership))
    return {"email": DEMO_EMAIL, "password": password}


def _has_directory(session: Session, membership: Membership) -> bool:
    """Tell whether the demo directory is there (anything beyond the national numbers)."""
    return (
        session.scalar(
            select(Contact.id)
            .where(Contact.workspace_id == membership.workspace_id, Contact.kind != "emergency")
            .limit(1)
        )
        is not None
    )


def fictional_number(n: int) -> str:
    """Return the demo's n-th phone number, +52 55 0000 01nn.

    Mexico has no official fictional range (like the US 555-01xx). Before the 2019 ten-digit
    plan, a Mexico City number was dialled as 8 local digits after the prefixes 01/044/045, so
    no local number began with 0; the ten-digit plan kept existing numbers, so 55 0xxx xxxx is
    held by nobody, while phonenumbers (whose MX pattern for area 55 is any 8 digits) accepts it.
    """
    if not 0 <= n <= 99:
        raise ValueError("the demo block has 100 numbers")
    return f"+52 55 0000 01{n:02d}"


OFFICE_HOURS = {
    "timezone": TIMEZONE,
    "hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}],
}
AFTER_HOURS = {
    "timezone": TIMEZONE,
    "hours": [
        {"days": [1, 2, 3, 4, 5], "from": "18:00", "to": "24:00"},
        {"days": [1, 2, 3, 4, 5], "from": "00:00", "to": "09:00"},
        {"days": [6, 7], "from": "00:00", "to": "24:00"},
    ],
}
ALWAYS = {"timezone": TIMEZONE, "always": True}

# (area, day contact, after-hours contact). The day contact's backup is the after-hours one.
AREAS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "finance",
        {
            "name": "Laura Méndez",
            "role_title": "Líder de Finanzas",
            "phones": [{"label": "Móvil", "number": fictional_number(1), "whatsapp": True}],
            "emails": [{"label": "Trabajo", "address": "laura.mendez@antojo.example"}],
            "when_to_contact": "Reembolsos masivos, cobros duplicados, fallas de la pasarela de pago.",
        },
        {
            "name": "Ricardo Salas",
            "role_title": "Finanzas — guardia fuera de horario",
            "phones": [{"label": "Guardia", "number": fictional_number(2)}],
            "when_to_contact": "Fallas de pago de noche y en fin de semana.",
        },
    ),
    (
        "customer_service",
        {
            "name": "Paola Jiménez",
            "role_title": "Coordinadora de Atención al Cliente",
            "phones": [{"label": "Móvil", "number": fictional_number(3), "whatsapp": True}],
            "emails": [{"label": "Trabajo", "address": "paola.jimenez@antojo.example"}],
            "when_to_contact": "Soluciones en tiempo real a quejas de clientes; olas de quejas.",
        },
        {
            "name": "Atención al Cliente — turno nocturno",
            "role_title": "Supervisor de turno",
            "phones": [{"label": "Guardia", "number": fictional_number(4)}],
            "when_to_contact": "Quejas fuera de horario; puede emitir cupones y reembolsos pequeños.",
        },
    ),
    (
        "quality",
        {
            "name": "Andrés Villalobos",
            "role_title": "Jefe de Calidad",
            "phones": [{"label": "Móvil", "number": fictional_number(5)}],
            "emails": [{"label": "Trabajo", "address": "andres.villalobos@antojo.example"}],
            "when_to_contact": "Producto en mal estado, objetos extraños, empaques dañados.",
        },
        {
            "name": "Sofía Herrera",
            "role_title": "Calidad — guardia fuera de horario",
            "phones": [{"label": "Guardia", "number": fictional_number(6)}],
        },
    ),
    (
        "leadership",
        {
            "name": "Héctor Ramírez",
            "role_title": "Director de Comunicación",
            "phones": [{"label": "Móvil", "number": fictional_number(7)}],
            "emails": [{"label": "Trabajo", "address": "hector.ramirez@antojo.example"}],
            "when_to_contact": "Aprueba disculpas públicas y posturas de la marca.",
        },
        {
            "name": "Natalia Cruz",
            "role_title": "Dirección — guardia fuera de horario",
            "phones": [{"label": "Guardia", "number": fictional_number(8)}],
        },
    ),
    (
        "marketing",
        {
            "name": "Daniela Ortega",
            "role_title": "Gerente de Marketing",
            "phones": [{"label": "Móvil", "number": fictional_number(9), "whatsapp": True}],
            "emails": [{"label": "Trabajo", "address": "daniela.ortega@antojo.example"}],
            "when_to_contact": "Pausar o cambiar campañas; administra las cuentas de redes.",
        },
        {
            "name": "Iván Morales",
            "role_title": "Community manager de guardia",
            "phones": [{"label": "Guardia", "number": fictional_number(10), "whatsapp": True}],
        },
    ),
    (
        "operations",
        {
            "name": "Jorge Rodríguez",
            "role_title": "Director de Operaciones",
            "phones": [{"label": "Móvil", "number": fictional_number(11)}],
            "emails": [{"label": "Trabajo", "address": "jorge.rodriguez@antojo.example"}],
            "when_to_contact": "Entregas atrasadas, pedidos perdidos, fallas de logística.",
        },
        {
            "name": "Centro de control de flota — nocturno",
            "role_title": "Jefe de turno",
            "phones": [{"label": "Control", "number": fictional_number(12)}],
            "when_to_contact": "Repartidores, accidentes y entregas fuera de horario.",
        },
    ),
]

PARTNERS: list[dict[str, Any]] = [
    {
        "name": "Taquería El Güero",
        "organization": "Restaurante asociado",
        "role_title": "Encargada: Marisol Peña",
        "phones": [
            {"label": "Cocina", "number": fictional_number(20), "whatsapp": True},
            {"label": "Encargada", "number": fictional_number(21)},
        ],
        "address": "Av. Álvaro Obregón 120, Roma Norte, Cuauhtémoc, CDMX",
        "availability": {
            "timezone": TIMEZONE,
            "hours": [{"days": [1, 2, 3, 4, 5, 6, 7], "from": "12:00", "to": "23:00"}],
        },
        "partner": {
            "response_minutes": 25,
            "procedure": "Preparación: 25 min. Quejas por WhatsApp a la cocina con foto del "
            "pedido y número de orden; si no responde en 10 min, llamar a la encargada.",
        },
    },
    {
        "name": "Sushi Kaito",
        "organization": "Restaurante asociado",
        "role_title": "Encargado: Kenji Morales",
        "phones": [
            {"label": "Recepción", "number": fictional_number(22)},
            {"label": "Encargado", "number": fictional_number(23), "whatsapp": True},
        ],
        "address": "Av. Insurgentes Sur 1450, Del Valle, Benito Juárez, CDMX",
        "availability": {
            "timezone": TIMEZONE,
            "hours": [{"days": [2, 3, 4, 5, 6, 7], "from": "13:00", "to": "22:30"}],
        },
        "partner": {
            "response_minutes": 35,
            "procedure": "Preparación: 35 min. Reclamos de calidad: correo con fotos al "
            "encargado y retiro del lote; reposición del pedido en la siguiente hora.",
        },
        "emails": [{"label": "Encargado", "address": "kenji@sushikaito.example"}],
    },
    {
        "name": "Pozolería Doña Chela",
        "organization": "Restaurante asociado",
        "role_title": "Encargada: Graciela Núñez",
        "phones": [{"label": "Cocina", "number": fictional_number(24), "whatsapp": True}],
        "address": "Calle Tonalá 88, Roma Sur, Cuauhtémoc, CDMX",
        "availability": {
            "timezone": TIMEZONE,
            "hours": [{"days": [1, 2, 3, 4, 5, 6, 7], "from": "09:00", "to": "21:00"}],
        },
        "partner": {
            "response_minutes": 20,
            "procedure": "Preparación: 20 min. Llamar a la cocina; la encargada decide "
            "reposición o reembolso en el momento.",
        },
    },
]

OTHERS: dict[str, dict[str, Any]] = {
    "legal": {
        "name": "Lic. Fernanda Ortiz",
        "organization": "Ortiz & Asociados (despacho externo)",
        "kind": "legal",
        "phones": [{"label": "Urgencias legales", "number": fictional_number(30)}],
        "emails": [{"label": "Despacho", "address": "urgencias@ortiz-asociados.example"}],
        "when_to_contact": "Amenazas legales, difamación, requerimientos de autoridad. "
        "Contacto acordado con el departamento legal.",
        "availability": ALWAYS,
    },
    "medical": {
        "name": "Dr. Tomás Aguilar",
        "organization": "Servicio médico de la empresa",
        "kind": "medical",
        "phones": [{"label": "Guardia médica", "number": fictional_number(31)}],
        "when_to_contact": "Después de llamar al 911: orientación médica y seguimiento de "
        "empleados y repartidores. Contacto acordado con el departamento legal.",
        "availability": ALWAYS,
    },
    "civil_protection": {
        "name": "Protección Civil — alcaldía (ejemplo)",
        "kind": "authority",
        "phones": [{"label": "Protección Civil", "number": fictional_number(40)}],
        "city": "Ciudad de México",
        "notes": "Número ficticio del demo: busca el de tu alcaldía y verifícalo.",
        "tags": ["verify-locally", "city"],
    },
    "cyber_police": {
        "name": "Policía Cibernética de la ciudad (ejemplo)",
        "kind": "authority",
        "phones": [{"label": "Denuncias", "number": fictional_number(41)}],
        "city": "Ciudad de México",
        "when_to_contact": "Cuentas hackeadas, fraudes en línea, amenazas por redes.",
        "notes": "Número ficticio del demo: busca el de tu ciudad y verifícalo.",
        "tags": ["verify-locally", "city"],
    },
    "executive": {
        "name": "Línea ejecutiva — Dirección General",
        "role_title": "Mariana Castañeda, Directora General",
        "kind": "internal",
        "area": "leadership",
        "phones": [{"label": "Directa", "number": fictional_number(50)}],
        "when_to_contact": "Solo crisis críticas, cuando Dirección de guardia no responde.",
        "availability": ALWAYS,
        "visibility": Visibility.RESTRICTED.value,
    },
}

# The default playbooks (by crisis kind) and which demo contacts they call, in order; the
# national numbers they already hold stay first for emergencies and last otherwise.
LINKS: dict[str, tuple[list[str], bool]] = {
    "payments": (["finance", "finance:night", "customer_service"], False),
    "outage": (["customer_service", "customer_service:night", "operations"], False),
    "quality": (["quality", "quality:night", "partner:0", "partner:1", "partner:2"], False),
    "campaign": (["marketing", "marketing:night", "leadership", "leadership:night"], False),
    "operations": (["operations", "operations:night", "finance"], False),
    "partner": (["partner:0", "partner:1", "partner:2", "operations"], False),
    "medical": (["medical", "leadership:night"], True),
    "legal": (["legal", "leadership", "executive"], False),
    "fire": (["civil_protection", "operations:night"], True),
    "road_accident": (["operations:night", "medical", "legal"], True),
    "safety_threat": (["legal", "leadership:night"], True),
    "illegal_content": (["cyber_police", "legal"], True),
    "account_takeover": (["marketing", "marketing:night", "cyber_police"], True),
}


def _put(entity_type: str, entity_id: uuid.UUID, fields: dict[str, Any]) -> Mutation:
    return Mutation(
        id=uuid.uuid4(),
        type=entity_type,
        entity_id=entity_id,
        op="put",
        base_version=None,
        fields=fields,
    )


def demo_mutations(session: Session, membership: Membership) -> list[Mutation]:
    """Return the demo directory as sync mutations: contacts, then the playbooks' links."""
    mutations: list[Mutation] = []
    ids: dict[str, uuid.UUID] = {}

    def add(key: str, fields: dict[str, Any]) -> None:
        ids[key] = uuid.uuid4()
        mutations.append(_put("contact", ids[key], fields))

    for area, day, night in AREAS:
        add(
            f"{area}:night",
            {**night, "kind": "internal", "area": area, "availability": AFTER_HOURS},
        )
        add(
            area,
            {
                **day,
                "kind": "internal",
                "area": area,
                "availability": OFFICE_HOURS,
                "backup_contact_id": str(ids[f"{area}:night"]),
            },
        )
    for index, partner in enumerate(PARTNERS):
        add(f"partner:{index}", {**partner, "kind": "partner"})
    for key, fields in OTHERS.items():
        add(key, fields)
    playbooks = session.scalars(
        select(Playbook).where(
            Playbook.workspace_id == membership.workspace_id, Playbook.deleted.is_(False)
        )
    )
    for playbook in playbooks:
        if playbook.crisis_kind not in LINKS:
            continue
        keys, emergency = LINKS[playbook.crisis_kind]
        linked = [str(ids[key]) for key in keys]
        current = list(playbook.contact_ids)
        contact_ids = current + linked if emergency else linked + current
        mutations.append(
            Mutation(
                id=uuid.uuid4(),
                type="playbook",
                entity_id=playbook.id,
                op="put",
                base_version=playbook.version,
                fields={"contact_ids": contact_ids},
                base={"contact_ids": current},
            )
        )
    return mutations
