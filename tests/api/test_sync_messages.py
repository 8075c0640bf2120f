"""The messages of a sync result's `errors`: short, for the input at their path, in the user's
language (or the request's `?lang=`), with paths and codes unchanged; on every backend.
"""

from __future__ import annotations

import uuid
from typing import Any

import phonenumbers
import pytest

from tests.api.test_openapi import SYNC, conforms
from tests.api.test_sync_sealed import key_of, seal
from tests.conftest import mutation

OTHER = {"es": "en", "en": "es"}


def example(region: str) -> str:
    """The country's example mobile number in national form, as the message shows it."""
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# One rejected create per case: its fields, and its `errors` (paths and messages) in each language.
CASES: dict[str, tuple[dict[str, Any], dict[str, dict[str, str]]]] = {
    "name too long": (
        {"name": "x" * 201},
        {
            "en": {"name": "At most 200 characters."},
            "es": {"name": "Como máximo 200 caracteres."},
        },
    ),
    "name missing": (
        {"name": "   ", "kind": "legal"},
        {"en": {"name": "Required."}, "es": {"name": "Obligatorio."}},
    ),
    "too many phones": (
        {"name": "Ana", "phones": [{"number": "55 1234 5678"}] * 11},
        {
            "en": {"phones": "At most 10 phones."},
            "es": {"phones": "Como máximo 10 teléfonos."},
        },
    ),
    "bad phone": (
        {"name": "Ana", "phones": [{"number": "55 1234 5678"}, {"number": "123 4567 890"}]},
        {
            "en": {
                "phones.1.number": f"Not a valid number for Mexico: write it like {example('MX')}."
            },
            "es": {
                "phones.1.number": f"No es un número válido de México: escríbelo como {example('MX')}."
            },
        },
    ),
    "short phone": (
        {"name": "Ana", "country": "ES", "phones": [{"number": "612 34 56"}]},
        {
            "en": {
                "phones.0.number": f"Too short for a number in Spain: write it like {example('ES')}."
            },
            "es": {
                "phones.0.number": (
                    f"Demasiado corto para un número de España: escríbelo como {example('ES')}."
                )
            },
        },
    ),
    "bad email": (
        {"name": "Ana", "emails": [{"address": "ana@example.com"}, {"address": "ana.example"}]},
        {
            "en": {"emails.1.address": "Not a valid email address: write it as name@example.com."},
            "es": {
                "emails.1.address": "No es un correo válido: escríbelo como nombre@example.com."
            },
        },
    ),
    "unknown time zone": (
        {"name": "Ana", "availability": {"timezone": "Mars/Olympus_Mons"}},
        {
            "en": {
                "availability.timezone": "Unknown time zone: choose one such as America/Mexico_City."
            },
            "es": {
                "availability.timezone": "Zona horaria desconocida: elige una como America/Mexico_City."
            },
        },
    ),
    "wrong kind": (
        {"name": "Ana", "kind": "boss"},
        {
            "en": {
                "kind": "Choose one of: internal, partner, legal, medical, authority, emergency."
            },
            "es": {
                "kind": "Elige uno de: internal, partner, legal, medical, authority, emergency."
            },
        },
    ),
    "wrong type": (
        {
            "name": "Ana",
            "partner": {"response_minutes": "15"},
            "phones": [{"number": "911", "whatsapp": "yes"}],
        },
        {
            "en": {
                "partner.response_minutes": "Must be a whole number.",
                "phones.0.whatsapp": "Must be true or false.",
            },
            "es": {
                "partner.response_minutes": "Debe ser un número entero.",
                "phones.0.whatsapp": "Debe ser verdadero o falso.",
            },
        },
    ),
    "minutes over a week": (
        {"name": "Ana", "partner": {"preparation_minutes": 10081}},
        {
            "en": {"partner.preparation_minutes": "Must be 10080 or less."},
            "es": {"partner.preparation_minutes": "Debe ser 10080 o menos."},
        },
    ),
    "bad hours": (
        {"name": "Ana", "availability": {"hours": [{"days": [0], "from": "9am", "to": "18:00"}]}},
        {
            "en": {
                "availability.hours.0.days.0": "Use 1 (Monday) to 7 (Sunday).",
                "availability.hours.0.from": "Use 24-hour time, e.g. 09:00 or 18:30.",
            },
            "es": {
                "availability.hours.0.days.0": "Usa del 1 (lunes) al 7 (domingo).",
                "availability.hours.0.from": "Usa la hora en formato de 24 horas, p. ej. 09:00 o 18:30.",
            },
        },
    ),
    "unknown reference": (
        {"name": "Ana", "backup_contact_id": "8a5d7d55-0000-4000-8000-000000000000"},
        {
            "en": {"backup_contact_id": "This contact is not in the workspace: choose another."},
            "es": {
                "backup_contact_id": "Este contacto no está en el espacio de trabajo: elige otro."
            },
        },
    ),
}


def speaker(make_user, make_workspace, device, lang: str, how: str):  # type: ignore[no-untyped-def]
    """A signed-in owner whose answers should come in `lang`: by their locale, or by ?lang."""
    user = make_user(locale=lang if how == "locale" else OTHER[lang])
    client = device(make_workspace(owner=user), user=user)
    query = {"lang": lang} if how == "param" else {}
    return client, query


def post(client, query: dict[str, str], mutations=(), sealed=()) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {
        "workspace": client.workspace,
        "cursor": 0,
        "mutations": list(mutations),
        "sealed": list(sealed),
    }
    response = client.post(body, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return conforms("post", SYNC, response)


@pytest.mark.parametrize("how", ["locale", "param"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_rejected_field_gets_its_message_in_the_users_language(
    make_user, make_workspace, device, lang, how
):
    client, query = speaker(make_user, make_workspace, device, lang, how)
    names = list(CASES)
    body = post(client, query, [mutation(uuid.uuid4(), CASES[name][0]) for name in names])
    for name, result in zip(names, body["results"], strict=True):
        assert result["status"] == "rejected", (name, result)
        # The paths are the input's, and the messages exactly these (nothing else is wrong).
        assert result["errors"] == CASES[name][1][lang], name
    assert body["changes"] == []


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_edit_is_answered_like_a_create(make_user, make_workspace, device, lang):
    client, query = speaker(make_user, make_workspace, device, lang, "param")
    entity_id = uuid.uuid4()
    assert client.sync(mutation(entity_id, {"name": "Ana"}))["results"][0]["status"] == "applied"
    fields = {"kind": "boss", "phones": [{"number": "123 4567 890"}]}
    [result] = post(client, query, [mutation(entity_id, fields, base_version=1)])["results"]
    # The schema is checked first: the phone is read only once the record fits it.
    assert result["errors"] == CASES["wrong kind"][1][lang]
    [unknown] = post(client, query, [mutation(entity_id, {"nickname": "A"}, base_version=1)])[
        "results"
    ]
    assert unknown["errors"] == {
        "nickname": {"en": "Unknown field.", "es": "Campo desconocido."}[lang]
    }


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_sealed_mutation_gets_the_same_messages_and_its_code_stays_a_code(
    app, make_user, make_workspace, device, lang
):
    client, query = speaker(make_user, make_workspace, device, lang, "locale")
    kid, key = key_of(app, client.user)
    bad = mutation(uuid.uuid4(), CASES["bad phone"][0])
    elsewhere = mutation(uuid.uuid4(), {"name": "Ana"})
    body = post(
        client,
        query,
        sealed=[
            seal(bad, key, kid, client.user.id, client.workspace),
            seal(elsewhere, key, "another-kid", client.user.id, client.workspace),
        ],
    )
    opened, refused = body["results"]
    assert opened["errors"] == CASES["bad phone"][1][lang]
    assert refused["errors"] == {
        "_": "sealed",  # a code: the same in every language
        "kid": {
            "en": "Sealed under another key: fetch the current one.",
            "es": "Sellada con otra clave: descarga la actual.",
        }[lang],
    }


def test_a_viewers_refusal_is_a_code_in_every_language(
    make_user, make_workspace, add_member, device
):
    workspace = make_workspace()
    viewer = make_user(locale="es")
    add_member(workspace, viewer, "viewer")
    client = device(workspace, user=viewer)
    for query in ({}, {"lang": "en"}, {"lang": "es"}):
        [result] = post(client, query, [mutation(uuid.uuid4(), {"name": "x" * 201})])["results"]
        assert result["errors"] == {"_": "forbidden"}


def test_lang_overrides_the_users_locale_both_ways(make_user, make_workspace, device):
    client, _query = speaker(make_user, make_workspace, device, "es", "locale")
    fields = CASES["name too long"][0]
    mine = post(client, {}, [mutation(uuid.uuid4(), fields)])["results"][0]["errors"]
    english = post(client, {"lang": "en"}, [mutation(uuid.uuid4(), fields)])["results"][0]
    assert mine == {"name": "Como máximo 200 caracteres."}
    assert english["errors"] == {"name": "At most 200 characters."}


@pytest.mark.parametrize("lang", ["fr", "", "ES", "%FF"])
def test_an_unknown_lang_gets_400_naming_it(device, lang):
    client = device()
    body = {"workspace": client.workspace, "cursor": 0, "mutations": []}
    response = client.post(body, query_string=f"lang={lang}")
    assert response.status_code == 400
    answer = conforms("post", SYNC, response)
    assert list(answer["errors"]) == ["lang"] and "es, en" in answer["errors"]["lang"]


def test_preparation_minutes_is_kept_beside_response_minutes(device):
    client = device()
    entity_id = uuid.uuid4()
    partner = {"response_minutes": 10, "preparation_minutes": 25, "procedure": "Llamar."}
    body = client.sync(
        mutation(entity_id, {"name": "Taquería", "kind": "partner", "partner": partner})
    )
    assert body["results"][0]["status"] == "applied", body
    [change] = body["changes"]
    assert change["data"]["partner"] == partner
    # Both are optional: a partner with one of them (as the demo's) is still valid.
    only = {"response_minutes": 20, "preparation_minutes": None, "procedure": None}
    edit = client.sync(
        mutation(entity_id, {"partner": {"response_minutes": 20}}, base_version=1),
    )
    assert edit["results"][0]["status"] == "applied", edit
    assert edit["changes"][0]["data"]["partner"] == only
