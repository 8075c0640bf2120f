"""A realistic directory for every benchmark: the field mix of the demo (`enlace demo`).

Each contact has a unique name (given name, two surnames; a second given name past the
combinations) and its own notes of about 200 characters written from phrases, as people write
them (no two alike among 50,000), and the fields the first hour of a real user fills in:
when to contact, a partner's procedure and times, the city, tags, hours, an address, a backup.
Deterministic for a given `random.Random` seed, so runs compare.

`python -m bench.lib.dataset 5000 > contacts.json` writes the same contacts as JSON (for the
node benches).
"""

from __future__ import annotations

import json
import random
import re
import sys
from typing import Any

FIRST = (  # noqa: SIM905
    "Ana María José Luis Carmen Javier Lucía Miguel Sofía Diego Valeria Andrés Fernanda Jorge "
    "Daniela Ricardo Paula Alejandro Gabriela Héctor Mariana Raúl Ximena Tomás Renata Emilio "
    "Regina Santiago Camila Óscar Natalia Iñigo Begoña Joaquín Ainhoa Rodrigo Alba Ramón "
    "Graciela Kenji Marisol Iván Paola Hugo Isabel Rocío Elena Fabiola Ernesto Guadalupe Arturo "
    "Beatriz Leticia Mauricio Patricia Salvador Verónica Rafael Montserrat Julián"
).split()
LAST = (  # noqa: SIM905
    "García Hernández López Martínez González Pérez Rodríguez Sánchez Ramírez Cruz Flores "
    "Gómez Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz "
    "Castillo Romero Álvarez Navarro Domínguez Muñoz Iglesias Ibáñez Peña Santos Zubizarreta "
    "Echeverría Méndez Salas Villalobos Herrera Ortega Castañeda Núñez Chávez Vargas Rivera "
    "Medina Aguirre Guerrero Cortés Luna Delgado Ríos Sandoval Carrillo Espinoza Valenzuela "
    "Figueroa Campos Vega Soto"
).split()
ORGS = [
    "Finanzas Corporativas",
    "Atención a Clientes",
    "Calidad y Seguridad Alimentaria",
    "Dirección General",
    "Marketing Digital",
    "Operaciones CDMX",
    "Operaciones Occidente",
    "Jurídico Interno",
    "Despacho Ruiz & Asociados",
    "Ortiz & Asociados (despacho externo)",
    "Hospital Ángeles del Valle",
    "Servicio médico de la empresa",
    "Cruz Roja Mexicana",
    "Policía Cibernética SSC",
    "Protección Civil Benito Juárez",
    "Protección Civil Zapopan",
    "Restaurante asociado",
    "Mensajería Rápida del Centro",
    "Logística Norte",
    "Farmacia Central",
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
    "Finanzas — guardia fuera de horario",
    "Centro de control de flota",
]
# The demo's mix: mostly internal people, then partners; a few legal, medical and authorities.
KINDS = ["internal"] * 6 + ["partner"] * 3 + ["legal", "medical", "authority"]
AREAS = [
    "finance",
    "customer_service",
    "quality",
    "leadership",
    "marketing",
    "operations",
    "legal",
    "security",
    "communications",
]
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
    "city",
    "verify-locally",
]
CITIES = ["Ciudad de México"] * 5 + ["Guadalajara", "Zapopan", "Monterrey", "Puebla", "Querétaro"]
STREETS = [
    "Av. Álvaro Obregón",
    "Av. Insurgentes Sur",
    "Calle Tonalá",
    "Av. Chapultepec",
    "Calle Durango",
    "Av. Vallarta",
    "Av. López Mateos",
    "Calle Colima",
    "Av. Revolución",
    "Calle Orizaba",
]
NEIGHBOURHOODS = [
    "Roma Norte",
    "Roma Sur",
    "Del Valle",
    "Condesa",
    "Narvarte",
    "Americana",
    "Providencia",
    "Centro",
    "Polanco",
    "Juárez",
]
# What each area is called for, as the demo's cards say it.
WHEN = {
    "finance": [
        "Reembolsos masivos, cobros duplicados, fallas de la pasarela de pago.",
        "Fallas de pago de noche y en fin de semana.",
    ],
    "customer_service": [
        "Soluciones en tiempo real a quejas de clientes; olas de quejas.",
        "Quejas fuera de horario; puede emitir cupones y reembolsos pequeños.",
    ],
    "quality": ["Producto en mal estado, objetos extraños, empaques dañados."],
    "leadership": [
        "Aprueba disculpas públicas y posturas de la marca.",
        "Solo crisis críticas, cuando Dirección de guardia no responde.",
    ],
    "marketing": ["Pausar o cambiar campañas; administra las cuentas de redes."],
    "operations": [
        "Entregas atrasadas, pedidos perdidos, fallas de logística.",
        "Repartidores, accidentes y entregas fuera de horario.",
    ],
    "legal": ["Amenazas legales, difamación, requerimientos de autoridad."],
    "security": ["Cuentas hackeadas, fraudes en línea, amenazas por redes."],
    "communications": ["Preguntas de medios y entrevistas; comunicados de prensa."],
}
PROCEDURES = [
    "Quejas por WhatsApp a la cocina con foto del pedido y número de orden; si no responde "
    "en {n} min, llamar a la encargada.",
    "Reclamos de calidad: correo con fotos al encargado y retiro del lote; reposición del "
    "pedido en la siguiente hora.",
    "Llamar a la cocina; la encargada decide reposición o reembolso en el momento.",
    "Avisar por el grupo de proveedores y confirmar por teléfono en {n} minutos; sin "
    "respuesta, escalar al gerente de zona.",
]
# Notes are written phrase by phrase: who or when, what to do, with what, unless what.
OPENERS = [
    "Llamar primero al {channel}",
    "Antes de las {hour} escribir por {channel}",
    "Fuera de horario usar el {channel}",
    "Los {day} preguntar por {person}",
    "Si atiende {person}, pedir que avise",
    "En temporada alta marcar al {channel}",
    "Para pedidos de {place} llamar al {channel}",
    "Desde {month} el contacto es {person}",
]
ACTIONS = [
    "y dejar mensaje con el número de orden",
    "y confirmar el folio del reclamo",
    "y mandar fotos del empaque dañado",
    "y pedir que revise el lote {lot}",
    "y explicar el caso en dos líneas",
    "y compartir la captura de la publicación",
    "y avisar a {person} por correo",
    "y anotar la hora de la llamada",
]
LIMITS = [
    "; autoriza reembolsos hasta {amount} MXN",
    "; tarda unos {n} minutos en responder",
    "; no contesta números desconocidos",
    "; atiende también a la sucursal de {place}",
    "; su suplente los {day} es {person}",
    "; habla inglés y español",
    "; prefiere llamadas cortas y un resumen por escrito",
    "; confirmar el número cada {n} meses",
]
CLOSERS = [
    "Sin respuesta en {n} min, escalar a Dirección.",
    "Validado por Jurídico en {month}.",
    "No dar este número a clientes.",
    "Tiene acceso al panel de pedidos de {place}.",
    "Coordina con Protección Civil de {place}.",
    "Visitó la oficina en {month} para el simulacro.",
    "El conmutador cambia de extensión a la {ext}.",
    "Cubre a {person} en vacaciones.",
]
CHANNELS = ["móvil", "conmutador", "WhatsApp", "fijo de la oficina", "teléfono de guardia"]
DAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábados", "domingos"]
MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
PHONE_LABELS = ["Móvil", "Oficina", "Guardia"]
TIMEZONE = "America/Mexico_City"
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
# Index -> (given, surname, surname) is a bijection below this many contacts (the multiplier is
# prime to it); past it a second given name keeps names unique.
NAME_COMBINATIONS = len(FIRST) * len(LAST) * len(LAST)
NAME_STEP = 7_919


def unique_name(index: int) -> str:
    """Return the index's name: no two indexes share one."""
    spread, extra = (index * NAME_STEP) % NAME_COMBINATIONS, index // NAME_COMBINATIONS
    first, rest = divmod(spread, len(LAST) * len(LAST))
    last1, last2 = divmod(rest, len(LAST))
    given = FIRST[first] if not extra else f"{FIRST[first]} {FIRST[(first + extra) % len(FIRST)]}"
    return f"{given} {LAST[last1]} {LAST[last2]}"


def make_notes(rnd: random.Random) -> str:
    """Return about 200 characters of notes, phrase by phrase as a person writes them."""

    def fill(text: str) -> str:
        return text.format(
            channel=rnd.choice(CHANNELS),
            hour=f"{rnd.randint(7, 11)}:{rnd.choice(['00', '15', '30', '45'])}",
            day=rnd.choice(DAYS),
            person=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
            place=rnd.choice(NEIGHBOURHOODS),
            month=rnd.choice(MONTHS),
            lot=f"{rnd.choice('ABCDEFGH')}-{rnd.randint(100, 9999)}",
            amount=f"{rnd.randint(1, 50) * 500:,}".replace(",", "."),
            n=rnd.randint(2, 45),
            ext=rnd.randint(100, 999),
        )

    notes = ""
    while len(notes) < 170:
        for _ in range(20):  # a sentence that keeps the notes within 240 characters
            if rnd.random() < 0.6:
                sentence = fill(rnd.choice(OPENERS)) + " " + fill(rnd.choice(ACTIONS))
                if rnd.random() < 0.5:
                    sentence += fill(rnd.choice(LIMITS))
                sentence += "."
            else:
                sentence = fill(rnd.choice(CLOSERS))
            if len(notes) + len(sentence) < 240:
                break
        notes = f"{notes} {sentence}".strip()
    return notes


def make_contact(
    rnd: random.Random, index: int, earlier: list[str] | None = None
) -> dict[str, Any]:
    """Return the fields of one realistic contact (phones already in E.164).

    `earlier`: ids of contacts created before it, any of which it may name as its backup.
    """
    kind = rnd.choice(KINDS)
    area = rnd.choice(AREAS) if kind == "internal" or rnd.random() < 0.3 else None
    organization = rnd.choice(ORGS)
    name = unique_name(index)
    phones = []
    for n in range(rnd.choices([1, 2, 3], weights=[55, 35, 10])[0]):
        prefix = rnd.choice(["+5255", "+5255", "+5233", "+5281", "+346"])
        number = prefix + "".join(rnd.choice("0123456789") for _ in range(8))
        phones.append({"label": PHONE_LABELS[n], "number": number, "whatsapp": rnd.random() < 0.5})
    domain = re.sub(r"[^a-z]", "", organization.lower().split()[0]) or "empresa"
    given, last1 = name.split()[0], name.split()[-2]
    user = re.sub(r"[^a-z.]", "", (given + "." + last1).lower().encode("ascii", "ignore").decode())
    city = rnd.choice(CITIES)
    contact: dict[str, Any] = {
        "name": name,
        "organization": organization,
        "role_title": rnd.choice(ROLES),
        "kind": kind,
        "phones": phones,
        "city": city,
        "country": "MX",
        "notes": make_notes(rnd),
        "tags": rnd.sample(TAGS, rnd.randint(1, 4)),
        "visibility": rnd.choices(["team", "restricted", "public"], weights=[85, 10, 5])[0],
    }
    if area is not None:
        contact["area"] = area
    if rnd.random() < 0.8:
        contact["emails"] = [{"label": "Trabajo", "address": f"{user}{index}@{domain}.example.mx"}]
    if area is not None and rnd.random() < 0.7:
        contact["when_to_contact"] = rnd.choice(WHEN[area])
    if kind == "partner":
        contact["partner"] = {
            "response_minutes": rnd.choice([10, 15, 20, 25, 35]),
            "preparation_minutes": rnd.choice([15, 20, 25, 30, 40]),
            "procedure": rnd.choice(PROCEDURES).format(n=rnd.choice([5, 10, 15])),
        }
    if kind == "partner" or rnd.random() < 0.2:
        contact["address"] = (
            f"{rnd.choice(STREETS)} {rnd.randint(1, 2500)}, {rnd.choice(NEIGHBOURHOODS)}, {city}"
        )
    hours = rnd.random()
    if hours < 0.35:
        contact["availability"] = OFFICE_HOURS
    elif hours < 0.5:
        contact["availability"] = AFTER_HOURS
    elif hours < 0.6:
        contact["availability"] = ALWAYS
    if earlier and rnd.random() < 0.3:
        contact["backup_contact_id"] = rnd.choice(earlier[-500:])
    if rnd.random() < 0.4:
        day = rnd.randint(1, 28)
        contact["last_verified_at"] = f"2026-{rnd.randint(1, 11):02d}-{day:02d}T12:00:00Z"
    return contact


def make_contacts(count: int, seed: int = 20261125) -> list[dict[str, Any]]:
    """Return `count` contacts with ids (`c<index>`), backups naming earlier ones."""
    rnd = random.Random(seed)
    ids: list[str] = []
    contacts = []
    for index in range(count):
        contact = make_contact(rnd, index, ids)
        ids.append(f"c{index}")
        contacts.append({"id": ids[-1], **contact})
    return contacts


if __name__ == "__main__":
    json.dump(make_contacts(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000), sys.stdout)
