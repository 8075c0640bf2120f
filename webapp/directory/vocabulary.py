"""The directory's vocabulary: the codes stored for areas, kinds and crisis kinds, their names
in both languages, and the words people type for them.

The one source of these facts: the server reads it here, and the app reads the copy that
`make labels` (tools/export_labels.py) writes into `static/js/data/labels.js`, with the
emergency services' order (tests/unit/test_facts.py fails when that copy is stale).
"""

from __future__ import annotations

import json
from typing import Any

from webapp import emergency_numbers
from webapp.directory.models import Visibility

LANGUAGES = ("es", "en")
Names = dict[str, str]

# Area codes and their names; the readiness checklist asks for the first six (`readiness.AREAS`).
AREAS: dict[str, Names] = {
    "finance": {"es": "Finanzas", "en": "Finance"},
    "customer_service": {"es": "Atención al cliente", "en": "Customer service"},
    "quality": {"es": "Calidad", "en": "Quality"},
    "leadership": {"es": "Dirección", "en": "Leadership"},
    "marketing": {"es": "Marketing", "en": "Marketing"},
    "operations": {"es": "Operaciones", "en": "Operations"},
    "legal": {"es": "Legal", "en": "Legal"},
    "security": {"es": "Seguridad", "en": "Security"},
    "human_resources": {"es": "Recursos humanos", "en": "Human resources"},
    "communications": {"es": "Comunicación", "en": "Communications"},
    "it": {"es": "Sistemas", "en": "IT"},
}
# Areas typed in words (folded: lower case, no accents, single spaces) → the code they name.
AREA_WORDS: dict[str, str] = {
    "finanzas": "finance",
    "customer service": "customer_service",
    "atencion al cliente": "customer_service",
    "servicio al cliente": "customer_service",
    "calidad": "quality",
    "direccion": "leadership",
    "liderazgo": "leadership",
    "mercadotecnia": "marketing",
    "operaciones": "operations",
    "legales": "legal",
    "juridico": "legal",
    "medico": "medical",
    "medica": "medical",
}
# Contact kinds, in the order the form offers them.
KINDS: dict[str, Names] = {
    "internal": {"es": "Interno", "en": "Internal"},
    "partner": {"es": "Socio o proveedor", "en": "Partner or supplier"},
    "legal": {"es": "Legal", "en": "Legal"},
    "medical": {"es": "Médico", "en": "Medical"},
    "authority": {"es": "Autoridad", "en": "Authority"},
    "emergency": {"es": "Emergencias", "en": "Emergency services"},
}
# The default playbooks' crisis kinds (webapp/toolkit/playbooks.py); a playbook may type others.
CRISIS_KINDS: dict[str, Names] = {
    "payments": {"es": "Pagos y reembolsos", "en": "Payments and refunds"},
    "outage": {"es": "Caída del servicio", "en": "Service outage"},
    "quality": {"es": "Calidad", "en": "Quality"},
    "campaign": {"es": "Campaña", "en": "Campaign"},
    "operations": {"es": "Operaciones", "en": "Operations"},
    "partner": {"es": "Socio", "en": "Partner"},
    "medical": {"es": "Emergencia médica", "en": "Medical emergency"},
    "legal": {"es": "Legal", "en": "Legal"},
    "fire": {"es": "Incendio o evacuación", "en": "Fire or evacuation"},
    "road_accident": {"es": "Accidente de tránsito", "en": "Road accident"},
    "safety_threat": {"es": "Amenaza a la seguridad", "en": "Threat to safety"},
    "illegal_content": {"es": "Contenido ilegal", "en": "Illegal content"},
    "account_takeover": {"es": "Cuenta hackeada", "en": "Hacked account"},
}

# The words people type for an area, a kind or a crisis kind besides its names, in each language:
# what the team does, who they are, what goes wrong. Search (static/js/search.js) finds a contact
# or a playbook by them, with AREA_WORDS. Keyed by code: a code of several tables (`legal` is an
# area, a kind and a crisis kind) has one list for all of them. Phrases separated by ", ", lower
# case, written as people write them (search folds accents).
SEARCH_WORDS: dict[str, Names] = {
    "finance": {
        "es": "pagos, cobros, reembolsos, devoluciones, facturación, facturas, tesorería, contabilidad, contador, dinero",
        "en": "payments, refunds, billing, invoices, accounting, treasury, money",
    },
    "customer_service": {
        "es": "quejas, reclamos, clientes, soporte, ayuda, call center",
        "en": "complaints, customers, support, help desk, call center",
    },
    "quality": {
        "es": "inocuidad, higiene, producto, intoxicación, mal estado, contaminado",
        "en": "food safety, hygiene, product, food poisoning, spoiled",
    },
    "leadership": {
        "es": "gerencia, gerente general, director general, dueño, ceo",
        "en": "management, executive, owner, board, ceo",
    },
    "marketing": {
        "es": "publicidad, campañas, redes sociales, community manager, anuncios",
        "en": "advertising, campaigns, social media, community manager, ads",
    },
    "operations": {
        "es": "logística, entregas, reparto, repartidores, flota, pedidos, cocina",
        "en": "logistics, delivery, deliveries, riders, fleet, orders, kitchen",
    },
    "security": {
        "es": "vigilancia, vigilante, ciberseguridad, guardias de seguridad",
        "en": "surveillance, security guard, cybersecurity",
    },
    "human_resources": {
        "es": "rrhh, personal, nómina, empleados, contratación",
        "en": "hr, payroll, staff, employees, hiring, people",
    },
    "communications": {
        "es": "prensa, medios, vocero, vocera, relaciones públicas, comunicados",
        "en": "press, media, spokesperson, public relations, pr",
    },
    "it": {
        "es": "tecnología, informática, soporte técnico, servidores, contraseñas",
        "en": "tech, technology, servers, passwords, helpdesk",
    },
    "internal": {
        "es": "equipo, empleado, colaborador",
        "en": "team, employee, colleague",
    },
    "partner": {
        "es": "proveedor, proveedores, restaurante, restaurantes, aliado, aliados, comercio",
        "en": "supplier, suppliers, vendor, restaurant, restaurants",
    },
    "legal": {
        "es": "abogado, abogada, abogados, jurídico, jurídica, notario, demanda, contrato",
        "en": "lawyer, attorney, counsel, lawsuit, contract, law",
    },
    "medical": {
        "es": "médico, médica, doctor, doctora, clínica, hospital, enfermería, enfermera, salud, primeros auxilios",
        "en": "doctor, physician, nurse, clinic, hospital, health, first aid",
    },
    "authority": {
        "es": "gobierno, autoridades, dependencia, regulador, inspector",
        "en": "government, authorities, regulator, agency, officials, inspector",
    },
    "emergency": {
        "es": "urgencias, emergencia, ambulancia, bomberos, policía, auxilio",
        "en": "emergencies, ambulance, fire brigade, police",
    },
    "payments": {
        "es": "pagos, reembolsos, cobros duplicados, pasarela de pago, contracargos",
        "en": "payments, refunds, double charges, payment gateway, chargebacks",
    },
    "outage": {
        "es": "caída, app caída, sin servicio, falla, no funciona",
        "en": "outage, down, app down, not working",
    },
    "campaign": {
        "es": "polémica, boicot, publicación, anuncio, redes sociales, viral",
        "en": "backlash, boycott, post, ad, social media, viral",
    },
    "fire": {
        "es": "fuego, incendio, humo, evacuación, bomberos",
        "en": "fire, smoke, evacuation, firefighters",
    },
    "road_accident": {
        "es": "choque, accidente, atropello, repartidor, motocicleta",
        "en": "crash, collision, accident, rider, motorbike",
    },
    "safety_threat": {
        "es": "amenaza, amenazas, violencia, acoso, agresión, bomba",
        "en": "threat, threats, violence, harassment, assault, bomb",
    },
    "illegal_content": {
        "es": "abuso sexual infantil, abuso infantil, pornografía infantil, explotación, contenido ilegal",
        "en": "child sexual abuse, child abuse, csam, exploitation, illegal content",
    },
    "account_takeover": {
        "es": "hackeo, hackeada, hackeado, contraseña, suplantación, phishing, robo de cuenta",
        "en": "hacked, hack, password, impersonation, phishing, account takeover",
    },
}


# Tags that mean something to the app: the seeded numbers carry `verify-locally` and `national`
# (webapp/toolkit/seed.py), and the readiness checklist counts `national` and `city`. Codes: what a
# user reads names the fields that count instead (a kind, a city), never these.
NATIONAL_TAG = "national"
CITY_TAG = "city"
VERIFY_LOCALLY_TAG = "verify-locally"
TAGS = (NATIONAL_TAG, CITY_TAG, VERIFY_LOCALLY_TAG)


def name_of(table: dict[str, Names], code: str, language: str) -> str:
    """Return a code's name in a language (Spanish when that one is missing; the code if unknown)."""
    names = table.get(code)
    return code if names is None else names.get(language, names["es"])


def client_data() -> dict[str, Any]:
    """Return what the app needs of these facts, by the names its modules export."""
    return {
        "AREA_LABELS": AREAS,
        "AREA_WORDS": AREA_WORDS,
        "KIND_LABELS": KINDS,
        "CRISIS_KIND_LABELS": CRISIS_KINDS,
        "SEARCH_WORDS": SEARCH_WORDS,
        "SERVICE_ORDER": list(emergency_numbers.SERVICES),
        "QUICK_DIAL_RANKED": emergency_numbers.QUICK_DIAL_RANKED,
        "SERVICE_TAG": emergency_numbers.SERVICE_TAG,
        "SERVICE_LABELS": emergency_numbers.SERVICE_LABELS,
        "VISIBILITY": {level.name: level.value for level in Visibility},
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def client_module() -> str:
    """Return static/js/data/labels.js: the client data as a plain ES module (no bundler, and a
    JSON import would need import attributes), each table frozen."""
    lines = [
        "// Generated by `make labels` (tools/export_labels.py) from webapp/directory/vocabulary.py",
        "// and webapp/emergency_numbers: do not edit; change those and run `make labels`.",
        "",
    ]
    for name, value in client_data().items():
        if isinstance(value, dict):
            items = [f"  {_json(key)}: {_json(item)}," for key, item in value.items()]
            text = "Object.freeze({\n" + "\n".join(items) + "\n})"
        elif isinstance(value, list):
            text = f"Object.freeze({_json(value)})"
        else:
            text = _json(value)
        lines.append(f"export const {name} = {text};")
    return "\n".join(lines) + "\n"
