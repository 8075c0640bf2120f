"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Request and entity schemas are generated from the pydantic models that validate the input
(`webapp.sync.schemas`, `webapp.directory.schemas`), then annotated with what the protocol says
beyond their types; the answers that are not pydantic models (session, keys, snapshot envelope,
public contacts, errors) are written here by hand.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from webapp.directory.schemas import SCHEMAS
from webapp.sync.schemas import MAX_INT64, MAX_MUTATIONS, SyncRequest, SyncResponse

API_PREFIX = "/api/v1"
MAX_BODY = "1 MiB"
REF = "#/components/schemas/{model}"
JSON = "application/json"

# The entity types of the sync protocol and the name their schemas take in the document.
ENTITY_NAMES = {
    "contact": "Contact",
    "playbook": "Playbook",
    "incident": "Incident",
    "incident_entry": "IncidentEntry",
}

# Stable codes of the error body (webapp/errors/__init__.py).
ERROR_CODES = [
    "bad_request",
    "csrf",
    "unauthorized",
    "reauthentication_required",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "conflict",
    "too_large",
    "rate_limited",
    "internal_error",
    "error",
]

BASE64URL = "^[A-Za-z0-9_-]*$"


def ref(name: str) -> dict[str, str]:
    """Return a reference to a component schema."""
    return {"$ref": REF.format(model=name)}


@cache
def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of /api/v1, built once.

    The same dictionary is returned on every call: treat it as read-only (copy it to change it).
    """
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Enlace API",
            "version": "v1",
            "summary": "Emergency directory: sync protocol, encrypted offline snapshot.",
            "description": (
                "Every change to directory data (contacts, playbooks, incidents, incident "
                "entries) is a mutation sent to `POST /api/v1/sync`; reads come from the "
                "changes that sync returns, or from the encrypted snapshot.\n\n"
                "Authentication: the session cookie `enlace_session`, set by signing in with "
                "the form at `/login`. Requests that change state (POST) also send the "
                "`X-CSRFToken` header with the token from `GET /api/v1/session`; fetch a fresh "
                "one when a request is refused with error `csrf`.\n\n"
                'Errors under /api/ are JSON: `{"error": <stable code>, "message": '
                "<text in the user's language>}`, plus `errors` (by field path) where known."
            ),
        },
        "tags": [
            {"name": "session", "description": "The signed-in user and the CSRF token."},
            {"name": "sync", "description": "The one write path for directory data."},
            {"name": "snapshot", "description": "The encrypted offline copy and its key."},
            {"name": "meta", "description": "This document."},
        ],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "responses": _responses(),
            "parameters": _parameters(),
            "headers": _headers(),
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "enlace_session",
                    "description": "The signed session cookie set by signing in at `/login`.",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": (
                        "The `csrf_token` of `GET /api/v1/session`; required on every POST. "
                        "A request without a valid token gets 400 with error `csrf`."
                    ),
                },
            },
        },
    }


# --- schemas ----------------------------------------------------------------------------------


def _schemas() -> dict[str, Any]:
    models = [(SyncRequest, "validation"), (SyncResponse, "serialization")]
    # One schema per entity serves both directions: pydantic names them `-Input`/`-Output`
    # when the two modes differ, and they do not (every field is plain data).
    models += [(model, "validation") for model in SCHEMAS.values()]
    _keys, generated = models_json_schema(models, ref_template=REF)  # type: ignore[arg-type]
    schemas: dict[str, Any] = dict(generated["$defs"])
    for entity_type, model in SCHEMAS.items():
        name = ENTITY_NAMES[entity_type]
        data = model.__name__
        schemas[data]["description"] = (
            f"A {entity_type.replace('_', ' ')} as the API and the snapshot carry it "
            f"(sync `changes[].data` of type `{entity_type}`, and the `fields` of its mutations)."
        )
        schemas[f"{name}Fields"] = _partial(schemas[data], f"{name}Fields", entity_type)
        schemas[f"{name}Mutation"] = {
            "title": f"{name}Mutation",
            "description": f"A mutation of a `{entity_type}`: `fields` follows {name}Fields.",
            "allOf": [ref("Mutation")],
            "properties": {"type": {"const": entity_type}, "fields": ref(f"{name}Fields")},
        }
        schemas[f"{name}Change"] = {
            "title": f"{name}Change",
            "description": f"A change of a `{entity_type}`: `data` follows {data}, or is null.",
            "allOf": [ref("Change")],
            "properties": {
                "type": {"const": entity_type},
                "data": {"anyOf": [ref(data), {"type": "null"}]},
            },
        }
    _document_sync(schemas)
    schemas.update(_hand_written(schemas))
    return dict(sorted(schemas.items()))


def _partial(schema: dict[str, Any], title: str, entity_type: str) -> dict[str, Any]:
    """Return an entity schema with no required field: a mutation sends only what changed."""
    partial = copy.deepcopy(schema)
    partial.pop("required", None)
    partial["title"] = title
    partial["description"] = (
        f"The changed fields of a `{entity_type}` mutation: any subset of "
        f"{schema['title']}'s fields, with the same types and limits. A create must include "
        f"the fields {schema['title']} requires; the server validates the whole record and "
        "answers a per-mutation `rejected` with errors by field path, not a 400."
    )
    return partial


def _one_of_types(suffix: str) -> dict[str, Any]:
    names = {entity_type: f"{name}{suffix}" for entity_type, name in ENTITY_NAMES.items()}
    return {
        "oneOf": [ref(name) for name in names.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {entity_type: REF.format(model=name) for entity_type, name in names.items()},
        },
    }


def _document_sync(schemas: dict[str, Any]) -> None:
    """Add what the protocol says beyond the models' types (DESIGN.md, "Sync protocol")."""
    mutation = schemas["Mutation"]
    mutation["description"] = (
        "One change to one entity. `fields` holds only the changed fields, typed by `type`: "
        "`contact` → ContactFields (ContactData), `playbook` → PlaybookFields (PlaybookData), "
        "`incident` → IncidentFields (IncidentData), `incident_entry` → IncidentEntryFields "
        "(IncidentEntryData). `base` holds those fields' values at `base_version`, for the "
        "field-level merge. `delete` ignores `fields` and `base`; incident entries are "
        "append-only."
    )
    mutation["properties"]["fields"]["description"] = (
        "Only the changed fields, as the entity's schema types them (see the description of "
        "Mutation and the typed variants ContactMutation, PlaybookMutation, IncidentMutation, "
        "IncidentEntryMutation)."
    )
    request = schemas["SyncRequest"]
    request["description"] = (
        f"At most {MAX_MUTATIONS} mutations and {MAX_BODY} per request. Mutations apply in order, "
        "each on its own; a retried mutation id returns its first result and changes nothing."
    )
    request["properties"]["workspace"]["description"] = "The workspace's id."
    request["properties"]["cursor"]["description"] = (
        "The `cursor` of the last answer (0 the first time): changes after it are returned."
    )
    # Revisions are 64-bit integers in the database.
    request["properties"]["cursor"]["maximum"] = MAX_INT64
    request["properties"]["mutations"]["items"] = _one_of_types("Mutation")

    result = schemas["MutationResult"]
    result["description"] = (
        "The result of one mutation, in request order. `applied`: the change is in (or changed "
        "nothing); `conflict`: some fields kept the server's value (`conflicts`), the others "
        "applied, `version` is the entity's new version, and `deleted` is true when a put met a "
        "deleted entity; `rejected`: nothing changed, `errors` says why by field path "
        '(`{"_": "forbidden"}` for a viewer). Empty `conflicts`/`errors` and null '
        "`version`/`deleted` are left out."
    )

    change = schemas["Change"]
    change["description"] = (
        "An entity changed after the request's cursor, in revision order. A tombstone (deleted, "
        "or restricted and the user is a viewer) has `deleted` true and `data` null."
    )
    change["if"] = {"properties": {"deleted": {"const": True}}, "required": ["deleted"]}
    change["then"] = {"properties": {"data": {"type": "null"}}}
    change["else"] = {"properties": {"data": {"type": "object"}}}

    response = schemas["SyncResponse"]
    response["description"] = (
        "`results` has one entry per mutation; `changes` lists what the user may see with "
        "revision > cursor, paged: send `cursor` back, and again while `more` is true."
    )
    response["properties"]["changes"]["items"] = _one_of_types("Change")


def _hand_written(schemas: dict[str, Any]) -> dict[str, Any]:
    uuid_string = {"type": "string", "format": "uuid"}
    public_contact = copy.deepcopy(schemas["ContactData"])
    public_contact["title"] = "PublicContact"
    public_contact["description"] = "A public contact (an emergency service) in clear."
    public_contact["properties"] = {
        "id": uuid_string,
        "version": {"type": "integer", "minimum": 1},
        **public_contact["properties"],
        "visibility": {"const": "public"},
    }
    public_contact["required"] = ["id", "version", *public_contact.get("required", [])]
    return {
        "Error": {
            "title": "Error",
            "type": "object",
            "description": "The body of every error under /api/.",
            "properties": {
                "error": {
                    "type": "string",
                    "enum": ERROR_CODES,
                    "description": "A stable, untranslated code for programs.",
                },
                "message": {"type": "string", "description": "For people, in their language."},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Messages by field path (`mutations.0.id`), where known.",
                },
            },
            "required": ["error", "message"],
            "additionalProperties": False,
        },
        "Session": {
            "title": "Session",
            "type": "object",
            "properties": {
                "user": {
                    "type": "object",
                    "properties": {
                        "id": uuid_string,
                        "email": {"type": "string", "format": "email"},
                        "name": {"type": "string"},
                        "locale": {"type": ["string", "null"], "examples": ["es", "en"]},
                    },
                    "required": ["id", "email", "name", "locale"],
                    "additionalProperties": False,
                },
                "csrf_token": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Send it as `X-CSRFToken` on POST requests.",
                },
                "workspaces": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": uuid_string,
                            "name": {"type": "string"},
                            "role": {"enum": ["owner", "editor", "viewer"]},
                        },
                        "required": ["id", "name", "role"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": ["user", "csrf_token", "workspaces"],
            "additionalProperties": False,
        },
        "SnapshotKey": {
            "title": "SnapshotKey",
            "type": "object",
            "description": (
                "The user's AES-256-GCM snapshot key. It rotates on password change, sign-out "
                "of all devices, or removal from a workspace (`kid` changes)."
            ),
            "properties": {
                "kid": {"type": "string", "minLength": 1, "description": "The key's id."},
                "key": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]{43}$",
                    "description": "32 bytes, base64url without padding.",
                },
            },
            "required": ["kid", "key"],
            "additionalProperties": False,
        },
        "SnapshotEnvelope": {
            "title": "SnapshotEnvelope",
            "type": "object",
            "description": (
                "`ciphertext` is AES-256-GCM (key: SnapshotKey `kid`, nonce: `iv`, associated "
                "data: the UTF-8 bytes of `aad`) over gzip(JSON of everything the user may see: "
                "workspace, contacts, playbooks, incidents, incident_entries). Binary values are "
                "base64url without padding."
            ),
            "properties": {
                "v": {"const": 1},
                "alg": {"const": "A256GCM"},
                "kid": {"type": "string", "minLength": 1},
                "revision": {"type": "integer", "minimum": 0},
                "iv": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]{16}$",
                    "description": "12 bytes.",
                },
                "aad": {
                    "type": "string",
                    "pattern": "^enlace-snapshot:v1:[^:]+:[^:]+:[0-9]+$",
                    "description": "`enlace-snapshot:v1:<user id>:<workspace id>:<revision>`.",
                },
                "ciphertext": {"type": "string", "minLength": 1, "pattern": BASE64URL},
            },
            "required": ["v", "alg", "kid", "revision", "iv", "aad", "ciphertext"],
            "additionalProperties": False,
        },
        "PublicContact": public_contact,
        "PublicContacts": {
            "title": "PublicContacts",
            "type": "object",
            "description": "The workspace's public contacts, by name, for quick dial while locked.",
            "properties": {
                "workspace": uuid_string,
                "revision": {"type": "integer", "minimum": 0},
                "contacts": {"type": "array", "items": ref("PublicContact")},
            },
            "required": ["workspace", "revision", "contacts"],
            "additionalProperties": False,
        },
    }


# --- reusable responses, parameters, headers ----------------------------------------------------


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {JSON: {"schema": ref("Error")}},
    }
    if headers:
        response["headers"] = headers
    return response


def _responses() -> dict[str, Any]:
    return {
        "BadRequest": _error(
            "Malformed JSON, wrong types or a protocol violation (error `bad_request`, with "
            "`errors` by field path where known), or a missing or expired CSRF token (error "
            "`csrf`: fetch a fresh token from GET /api/v1/session and retry)."
        ),
        "Unauthorized": _error("Not signed in (error `unauthorized`); never a redirect."),
        "Forbidden": _error(
            "The user's role in the workspace does not allow this (error `forbidden`). Members "
            "of every role may use this endpoint today (a viewer's mutations are rejected one "
            "by one instead); clients treat a 403, like a 401, as removal and wipe local data."
        ),
        "NotFound": _error(
            "No such workspace, or the user is not a member of it: the two look the same "
            "(error `not_found`). A workspace id in the path that is not a UUID gets this too."
        ),
        "TooLarge": _error(f"The body is over {MAX_BODY} (error `too_large`)."),
        "RateLimited": _error(
            "Too many requests (error `rate_limited`); wait `Retry-After` seconds.",
            headers={"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        ),
    }


def _parameters() -> dict[str, Any]:
    return {
        "WorkspaceId": {
            "name": "workspace_id",
            "in": "path",
            "required": True,
            "description": "The workspace's id.",
            "schema": {"type": "string", "format": "uuid"},
        },
    }


def _headers() -> dict[str, Any]:
    return {
        "RetryAfter": {
            "description": "Seconds to wait before retrying.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        },
        "ETag": {
            "description": "Changes with the revision, the user's key and what the role sees.",
            "required": True,
            "schema": {"type": "string"},
        },
    }


# --- paths ------------------------------------------------------------------------------------

SESSION = [{"session": []}]
SESSION_AND_CSRF = [{"session": [], "csrf": []}]


def _use(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _ok(description: str, schema: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {JSON: {"schema": ref(schema)}},
    }
    if headers:
        response["headers"] = headers
    return response


def _paths() -> dict[str, Any]:
    workspace = [{"$ref": "#/components/parameters/WorkspaceId"}]
    return {
        f"{API_PREFIX}/session": {
            "get": {
                "operationId": "getSession",
                "tags": ["session"],
                "summary": "The signed-in user, a CSRF token for API writes, the workspaces.",
                "security": SESSION,
                "responses": {
                    "200": _ok("The signed-in user.", "Session"),
                    "401": _use("Unauthorized"),
                },
            }
        },
        f"{API_PREFIX}/sync": {
            "post": {
                "operationId": "sync",
                "tags": ["sync"],
                "summary": "Apply the device's mutations, then return what changed since its cursor.",
                "description": (
                    "Mutations apply in order, each on its own, with a field-level merge "
                    "(DESIGN.md, Sync protocol). Invalid entity fields give a per-mutation "
                    "`rejected` result in a 200; a body that does not follow the protocol gives "
                    '400. A viewer\'s mutations are rejected with `{"_": "forbidden"}`.'
                ),
                "security": SESSION_AND_CSRF,
                "requestBody": {
                    "required": True,
                    "description": f"JSON, at most {MAX_BODY}.",
                    "content": {JSON: {"schema": ref("SyncRequest")}},
                },
                "responses": {
                    "200": _ok("One result per mutation, and the changes.", "SyncResponse"),
                    "400": _use("BadRequest"),
                    "401": _use("Unauthorized"),
                    "403": _use("Forbidden"),
                    "404": _use("NotFound"),
                    "413": _use("TooLarge"),
                    "429": _use("RateLimited"),
                },
            }
        },
        f"{API_PREFIX}/keys/snapshot": {
            "get": {
                "operationId": "getSnapshotKey",
                "tags": ["snapshot"],
                "summary": "The signed-in user's snapshot key (Cache-Control: no-store).",
                "security": SESSION,
                "responses": {
                    "200": _ok("The key.", "SnapshotKey"),
                    "401": _use("Unauthorized"),
                },
            }
        },
        f"{API_PREFIX}/workspaces/{{workspace_id}}/snapshot": {
            "parameters": workspace,
            "get": {
                "operationId": "getSnapshot",
                "tags": ["snapshot"],
                "summary": "The workspace's snapshot, encrypted for this user.",
                "security": SESSION,
                "parameters": [
                    {
                        "name": "If-None-Match",
                        "in": "header",
                        "required": False,
                        "description": "The ETag of the copy the device holds.",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": _ok(
                        "The encrypted snapshot (Cache-Control: private, no-cache).",
                        "SnapshotEnvelope",
                        headers={"ETag": {"$ref": "#/components/headers/ETag"}},
                    ),
                    "304": {
                        "description": "The device's copy (If-None-Match) is current.",
                        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                    },
                    "401": _use("Unauthorized"),
                    "403": _use("Forbidden"),
                    "404": _use("NotFound"),
                },
            },
        },
        f"{API_PREFIX}/workspaces/{{workspace_id}}/public": {
            "parameters": workspace,
            "get": {
                "operationId": "getPublicContacts",
                "tags": ["snapshot"],
                "summary": "The workspace's public contacts in clear, for quick dial while locked.",
                "security": SESSION,
                "responses": {
                    "200": _ok("The public contacts.", "PublicContacts"),
                    "401": _use("Unauthorized"),
                    "403": _use("Forbidden"),
                    "404": _use("NotFound"),
                },
            },
        },
        f"{API_PREFIX}/openapi.json": {
            "get": {
                "operationId": "getOpenAPI",
                "tags": ["meta"],
                "summary": "This document.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document of /api/v1.",
                        "content": {
                            JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["openapi", "info", "paths"],
                                }
                            }
                        },
                    }
                },
            }
        },
    }
