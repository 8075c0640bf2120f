"""The document's component schemas, generated from the pydantic models.

Requests and entities come from the models that validate them (`webapp.sync.schemas`,
`webapp.directory.schemas`); answers from the models the routes build them with
(`webapp.api.schemas`, `webapp.snapshot.schemas`, `webapp.errors.ErrorBody`). What the protocol
says beyond their types is added here as descriptions and keywords, never as a second copy.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from webapp.activity.schemas import AccountActivity, WorkspaceAudit
from webapp.api.schemas import ReauthRequest, Session
from webapp.auth.schemas import Account, AccountUpdate, Devices, PasswordChange
from webapp.db import MAX_INT8
from webapp.directory.models import ENTITY_TYPES
from webapp.directory.schemas import SCHEMAS
from webapp.errors import ErrorBody
from webapp.porting.export_schemas import WorkspaceExport
from webapp.porting.import_schemas import (
    ApplyRequest,
    ImportPreview,
    ImportResult,
    ImportUpload,
    RowFix,
)
from webapp.poster.schemas import PosterChoice, PosterChoiceRequest
from webapp.push.schemas import (
    AlertCreated,
    AlertRequest,
    PushPreferences,
    SubscriptionCreated,
    SubscriptionDelete,
    SubscriptionRequest,
    VapidKey,
)
from webapp.readiness.schemas import Readiness
from webapp.snapshot.schemas import PublicContacts, SnapshotEnvelope, SnapshotKey
from webapp.sync.schemas import MAX_MUTATIONS, SyncRequest, SyncResponse
from webapp.workspaces.schemas import (
    InvitationRequest,
    Members,
    PendingInvitation,
    RoleRequest,
    SettingsUpdate,
    WorkspaceSettings,
)

MAX_BODY = "1 MiB"
REF = "#/components/schemas/{model}"
JSON = "application/json"

# The entity types of the sync protocol and the name their schemas take in the document.
ENTITY_NAMES = {entity_type: model.__name__ for entity_type, model in ENTITY_TYPES.items()}

# The answers besides the sync protocol's; each schema takes its model's name.
ANSWERS: tuple[type[BaseModel], ...] = (
    ErrorBody,
    Session,
    SnapshotKey,
    SnapshotEnvelope,
    PublicContacts,
    Readiness,
    VapidKey,
    SubscriptionCreated,
    PushPreferences,
    AlertCreated,
    Members,
    PendingInvitation,
    WorkspaceSettings,
    PosterChoice,
    Account,
    Devices,
    AccountActivity,
    WorkspaceAudit,
    WorkspaceExport,
    ImportPreview,
    ImportResult,
)

# Request bodies besides the sync protocol's.
REQUESTS: tuple[type[BaseModel], ...] = (
    SubscriptionRequest,
    SubscriptionDelete,
    AlertRequest,
    ReauthRequest,
    InvitationRequest,
    RoleRequest,
    SettingsUpdate,
    PosterChoiceRequest,
    AccountUpdate,
    PasswordChange,
    ApplyRequest,
    RowFix,
    ImportUpload,
)


def ref(target: str | type[BaseModel]) -> dict[str, str]:
    """Return a reference to a component schema, by name or by its model."""
    name = target if isinstance(target, str) else target.__name__
    return {"$ref": REF.format(model=name)}


def json_response(
    description: str, schema: type[BaseModel], headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a response object whose JSON body follows the model's schema."""
    response: dict[str, Any] = {
        "description": description,
        "content": {JSON: {"schema": ref(schema)}},
    }
    if headers:
        response["headers"] = headers
    return response


def schemas() -> dict[str, Any]:
    """Return every component schema of the document, by name."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (SyncRequest, "validation"),
        (SyncResponse, "serialization"),
    ]
    # One schema per entity serves both directions: pydantic names them `-Input`/`-Output`
    # when the two modes differ, and they do not (every field is plain data).
    models += [(model, "validation") for model in SCHEMAS.values()]
    models += [(model, "serialization") for model in ANSWERS]
    models += [(model, "validation") for model in REQUESTS]
    _keys, generated = models_json_schema(models, ref_template=REF)
    found: dict[str, Any] = dict(generated["$defs"])
    for entity_type, model in SCHEMAS.items():
        name = ENTITY_NAMES[entity_type]
        data = model.__name__
        found[data]["description"] = (
            f"A {entity_type.replace('_', ' ')} as the API and the snapshot carry it "
            f"(sync `changes[].data` of type `{entity_type}`, and the `fields` of its mutations)."
        )
        found[f"{name}Fields"] = _partial(found[data], f"{name}Fields", entity_type)
        found[f"{name}Mutation"] = {
            "title": f"{name}Mutation",
            "description": f"A mutation of a `{entity_type}`: `fields` follows {name}Fields.",
            "allOf": [ref("Mutation")],
            "properties": {"type": {"const": entity_type}, "fields": ref(f"{name}Fields")},
        }
        found[f"{name}Change"] = {
            "title": f"{name}Change",
            "description": f"A change of a `{entity_type}`: `data` follows {data}, or is null.",
            "allOf": [ref("Change")],
            "properties": {
                "type": {"const": entity_type},
                "data": {"anyOf": [ref(data), {"type": "null"}]},
            },
        }
    _document_sync(found)
    return dict(sorted(found.items()))


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
    """Add what the protocol says beyond the models' types (docs/ARCHITECTURE.md, 4.3)."""
    mutation = schemas["Mutation"]
    mutation["description"] = (
        "One change to one entity. `fields` holds only the changed fields, typed by `type`: "
        "`contact` → ContactFields (ContactData), `playbook` → PlaybookFields (PlaybookData), "
        "`incident` → IncidentFields (IncidentData), `incident_entry` → IncidentEntryFields "
        "(IncidentEntryData). `base` holds those fields' values at `base_version`, for the "
        "field-level merge. `delete` ignores `fields` and `base`; incident entries are "
        "append-only. An entry's `outcome` belongs to a `call`, its `reference` (case or folio "
        "number) to a `report` (with the authority as `contact_id`), its `step` to an `action`; "
        "on another kind they are refused by path. An incident created with status `open` "
        "sends `incident-started` to the other members' devices."
    )
    mutation["properties"]["fields"]["description"] = (
        "Only the changed fields, as the entity's schema types them (see the description of "
        "Mutation and the typed variants ContactMutation, PlaybookMutation, IncidentMutation, "
        "IncidentEntryMutation)."
    )
    request = schemas["SyncRequest"]
    request["description"] = (
        f"At most {MAX_MUTATIONS} mutations (`mutations` and `sealed` together) and {MAX_BODY} "
        "per request. Mutations apply in order, each on its own: the clear ones first, then the "
        "sealed ones; `results` follows the same order. A retried mutation id, clear or sealed, "
        "returns its first result and changes nothing."
    )
    request["properties"]["sealed"]["description"] = (
        "Mutations as the device's outbox keeps them, sealed with the user's snapshot key (the "
        "service worker, which never holds the key, posts them as they are). Each opens to a "
        "Mutation's JSON and then applies exactly as a clear one; one that does not open is "
        "rejected alone (see MutationResult)."
    )
    request["properties"]["workspace"]["description"] = "The workspace's id."
    request["properties"]["cursor"]["description"] = (
        "The `cursor` of the last answer (0 the first time): changes after it are returned."
    )
    # Revisions are 64-bit integers in the database.
    request["properties"]["cursor"]["maximum"] = MAX_INT8
    request["properties"]["mutations"]["items"] = _one_of_types("Mutation")

    result = schemas["MutationResult"]
    result["description"] = (
        "The result of one mutation, in request order. `applied`: the change is in (or changed "
        "nothing); `conflict`: some fields kept the server's value (`conflicts`), the others "
        "applied, `version` is the entity's new version, and `deleted` is true when a put met a "
        "deleted entity; `rejected`: nothing changed, `errors` says why by field path "
        '(`{"_": "forbidden"}` for a viewer). Empty `conflicts`/`errors` and null '
        "`version`/`deleted` are left out. The values of `errors` are short messages for the "
        "input at that path, in the user's language (or the request's `lang`), except the codes "
        'of key `_`: `"forbidden"` and `"sealed"`, never translated; any other value of `_` is '
        "a message about the whole record. A sealed item that does not open has only `id` (the "
        "mutation id its `aad` names, null when the `aad` is not an outbox one), `status` "
        '`rejected` and `errors` `{"_": "sealed"}` plus one key naming the part at fault, with a '
        "message: `aad` (malformed, or another user's or workspace's), `kid` (another key), `iv`, "
        "`ciphertext` (not base64url, a wrong length, does not open, not a JSON object) or `id` "
        "(the mutation inside carries another id). A sealed item that opens to something that is "
        "not a valid Mutation is `rejected` with `errors` by field path (`op`, `base_version`...)."
    )

    sealed = schemas["SealedMutation"]
    sealed["description"] = (
        "A mutation sealed with the user's snapshot key (docs/ARCHITECTURE.md, 4.3): AES-256-GCM "
        "over the Mutation's JSON (UTF-8, not compressed), with the UTF-8 bytes of `aad` as "
        "associated data. The `aad` must name the signed-in user and this request's workspace, "
        "and the mutation inside must carry the id it names. Binary values are base64url "
        "without padding."
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
        "revision > cursor, paged: send `cursor` back, and again while `more` is true. A "
        "locked device (no valid `X-Enlace-Unlock`, no recent password) gets no `changes`, "
        "its own `cursor` back and `more` false (docs/ARCHITECTURE.md, 4.4). A cursor ahead of "
        "the server's revision (a restored database) gets `reset` true and `changes` from "
        "cursor 0 (a locked device: cursor 0): the device drops its copy, keeps its outbox, "
        "and starts again from a full snapshot."
    )
    # Left out of a locked device's answer, which holds no directory data in clear.
    response["required"] = [name for name in response["required"] if name != "changes"]
    conflict = schemas["FieldConflict"]
    conflict["description"] = (
        "A field that kept the server's value. `server` is left out of a locked device's "
        "answer: the app reads the value from its next pull, once unlocked."
    )
    conflict["required"] = [name for name in conflict["required"] if name != "server"]
    response["properties"]["changes"]["items"] = _one_of_types("Change")
