"""A realistic directory: Spanish names, organizations, E.164 phones, notes, tags."""

from __future__ import annotations

import random
import re
from typing import Any

FIRST = (  # noqa: SIM905
    "Ana María José Luis Carmen Javier Lucía Miguel Sofía Diego Valeria Andrés Fernanda Jorge "
    "Daniela Ricardo Paula Alejandro Gabriela Héctor Mariana Raúl Ximena Tomás Renata Emilio "
    "Regina Santiago Camila Óscar Natalia Iñigo Begoña Joaquín Ainhoa Rodrigo Alba Ramón"
).split()
LAST = (  # noqa: SIM905
    "García Hernández López Martínez González Pérez Rodríguez Sánchez Ramírez Cruz Flores "
    "Gómez Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz "
    "Castillo Romero Álvarez Navarro Domínguez Muñoz Iglesias Ibáñez Peña Santos Zubizarreta "
    "Echeverría"
).split()
ORGS = [
    "Finanzas Corporativas",
    "Atención a Clientes",
    "Calidad y Seguridad Alimentaria",
    "Dirección General",
    "Marketing Digital",
    "Operaciones CDMX",
    "Jurídico Interno",
    "Despacho Ruiz & Asociados",
    "Hospital Ángeles del Valle",
    "Cruz Roja Mexicana",
    "Policía Cibernética SSC",
    "Taquería El Fogón",
    "Sushi Koi Roma Norte",
    "Pizzería Don Vito",
    "Mensajería Rápida del Centro",
    "Protección Civil Benito Juárez",
]
ROLES = [
    "Director de Finanzas",
    "Responsable de reembolsos",
    "Jefa de Atención a Clientes",
    "Supervisor de turno nocturno",
    "Gerente de Calidad",
    "Abogada de guardia",
    "Médico de empresa",
    "Encargado del local",
    "Coordinadora de Marketing",
    "Jefe de Operaciones",
    "Agente de enlace",
    "Community manager senior",
]
KINDS = ["internal"] * 6 + ["partner"] * 3 + ["legal", "medical", "authority", "emergency"]
AREAS = ["finance", "customer_service", "quality", "leadership", "marketing", "operations"]
TAGS = [
    "reembolsos",
    "guardia",
    "24h",
    "prensa",
    "legal",
    "alimentos",
    "seguridad",
    "proveedor",
    "cdmx",
    "escalamiento",
    "vip",
    "turno-noche",
    "whatsapp",
    "crisis",
]
SENTENCES = [
    "Llamar primero al móvil; si no contesta en 5 minutos, dejar mensaje de voz y escribir por WhatsApp.",
    "Atiende reclamaciones de reembolso fuera de horario y puede autorizar devoluciones hasta 5.000 MXN.",
    "Prefiere que se le envíe un resumen del incidente antes de llamar, con enlaces a las publicaciones.",
    "En caso de amenazas o material ilegal, no responder en redes: avisar a esta persona y a la policía.",
    "Tiempo medio de preparación de pedidos: 25 minutos; los fines de semana puede llegar a 40 minutos.",
    "Validado por el equipo legal en la última revisión trimestral; confirmar el número cada seis meses.",
    "Habla inglés y español; disponible para entrevistas con medios solo con autorización de Dirección.",
]
PHONE_LABELS = ["móvil", "oficina", "guardia"]


def make_contact(rnd: random.Random, index: int) -> dict[str, Any]:
    """Return the fields of one realistic contact (phones already in E.164)."""
    first, last1, last2 = rnd.choice(FIRST), rnd.choice(LAST), rnd.choice(LAST)
    organization = rnd.choice(ORGS)
    phones = []
    for n in range(rnd.randint(1, 3)):
        prefix = rnd.choice(["+5255", "+5255", "+5281", "+346"])
        number = prefix + "".join(rnd.choice("0123456789") for _ in range(8))
        phones.append({"label": PHONE_LABELS[n], "number": number, "whatsapp": rnd.random() < 0.5})
    domain = re.sub(r"[^a-z]", "", organization.lower().split()[0]) or "empresa"
    user = re.sub(r"[^a-z]", "", (first + "." + last1).lower().encode("ascii", "ignore").decode())
    notes = ""
    while len(notes) < 180:
        notes = (notes + " " + rnd.choice(SENTENCES)).strip()
    visibility = rnd.choices(["team", "restricted", "public"], weights=[85, 10, 5])[0]
    contact: dict[str, Any] = {
        "name": f"{first} {last1} {last2}",
        "organization": organization,
        "role_title": rnd.choice(ROLES),
        "kind": rnd.choice(KINDS),
        "area": rnd.choice(AREAS),
        "phones": phones,
        "emails": [{"label": "trabajo", "address": f"{user}{index}@{domain}.example.mx"}],
        "city": "Ciudad de México",
        "country": "MX",
        "notes": notes[:220],
        "tags": rnd.sample(TAGS, rnd.randint(1, 4)),
        "visibility": visibility,
    }
    if rnd.random() < 0.3:
        contact["availability"] = {
            "timezone": "America/Mexico_City",
            "always": False,
            "hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}],
        }
    return contact
