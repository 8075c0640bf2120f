"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Every schema in it is generated from a pydantic model that the server also uses: the request
models validate what comes in; the answer models build the session, the snapshot key and every
error, and describe the answers built elsewhere for speed or from stored records (the sync
answer, the snapshot envelope, the public contacts), which the tests check against them. By
concern: `components` (schemas), `responses` (shared responses, parameters, headers), `paths`
(the operations).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from flask import current_app, has_app_context

from webapp.api.openapi import (
    components,
    export_paths,
    import_paths,
    paths,
    responses,
    workspace_paths,
)


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of /api/v1, built once per session cookie name.

    The same dictionary is returned on every call: treat it as read-only (copy it to change it).
    """
    # `__Host-enlace` when served over https (ENLACE_PUBLIC_URL), `enlace_session` otherwise.
    return _document(_cookie())


def openapi_version() -> str:
    """Return a tag of the document (a deploy that changes it, a new one): the app reads its
    field limits from it at every online open, and a 304 is 22 KB less each time."""
    return _version(_cookie())


def limits_document() -> dict[str, Any]:
    """Return the part of the document the app's forms read their field limits from (`edit.js`
    `limitsFromOpenApi`): the sync request's entity types, and each type's record schema
    (`ContactMutation` carries a `ContactData`) with every schema it refers to, exactly as in
    the whole document. Served at /api/v1/limits.json: a new device's first sync downloads
    2 KB of it instead of the whole document's 22."""
    return _limits(_cookie())


def limits_version() -> str:
    """Return a tag of the limits document (a deploy that changes a limit, a new one)."""
    return _version_of(_limits(_cookie()))


REF = "#/components/schemas/"


def _refs(node: Any) -> set[str]:
    """Return the schema names a JSON Schema node refers to, at any depth."""
    if isinstance(node, dict):
        found = {node["$ref"].removeprefix(REF)} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


@cache
def _limits(cookie: str) -> dict[str, Any]:
    document = _document(cookie)
    schemas = document["components"]["schemas"]
    mapping = schemas["SyncRequest"]["properties"]["mutations"]["items"]["discriminator"]["mapping"]
    # The app names each type's record schema as the mapping's, `Mutation` read as `Data`.
    wanted = {ref.removeprefix(REF).removesuffix("Mutation") + "Data" for ref in mapping.values()}
    kept: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        kept[name] = schemas[name]
        wanted |= _refs(schemas[name]) - kept.keys()
    request = {"properties": {"mutations": {"items": {"discriminator": {"mapping": mapping}}}}}
    return {
        "openapi": document["openapi"],
        "info": {
            "title": document["info"]["title"],
            "version": document["info"]["version"],
            "summary": "The record schemas of /api/v1/openapi.json that forms check before sending.",
        },
        "components": {"schemas": {"SyncRequest": request, **dict(sorted(kept.items()))}},
    }


def _cookie() -> str:
    return current_app.config["SESSION_COOKIE_NAME"] if has_app_context() else "enlace_session"


@cache
def _version(cookie: str) -> str:
    return _version_of(_document(cookie))


def _version_of(document: dict[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@cache
def _document(cookie: str) -> dict[str, Any]:
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
                f"Authentication: the session cookie `{cookie}`, set by signing in with "
                "the form at `/login`. Requests that change state (POST, PUT, DELETE) also send the "
                "`X-CSRFToken` header with the token from `GET /api/v1/session`; fetch a fresh "
                "one when a request is refused with error `csrf`.\n\n"
                'Errors under /api/ are JSON: `{"error": <stable code>, "message": '
                "<text in the user's language>}`, plus `errors` (by field path) where known.\n\n"
                "Any operation may answer 503 with error `unavailable` and `Retry-After` when "
                "the server cannot reach its database or Redis: wait, then send the same "
                "request again (mutation ids make a resent sync safe)."
            ),
        },
        "tags": [
            {"name": "session", "description": "The signed-in user and the CSRF token."},
            {"name": "sync", "description": "The one write path for directory data."},
            {"name": "snapshot", "description": "The encrypted offline copy and its key."},
            {"name": "readiness", "description": "What the workspace lacks before a crisis."},
            {"name": "push", "description": "Push notifications and crisis alerts."},
            {
                "name": "workspaces",
                "description": "Members, invitations and settings of a workspace.",
            },
            {"name": "poster", "description": "The office poster's contacts, chosen by an owner."},
            {"name": "account", "description": "The user's account, devices and activity."},
            {"name": "audit", "description": "What happened in a workspace, for its owners."},
            {
                "name": "import",
                "description": "Contacts from a vCard or CSV file: preview, fix, apply.",
            },
            {"name": "export", "description": "Files of what a member may see: vCard, CSV, JSON."},
            {"name": "meta", "description": "This document."},
        ],
        "paths": responses.with_unavailable(
            {
                **paths.paths(),
                **workspace_paths.paths(),
                **import_paths.paths(),
                **export_paths.paths(),
            }
        ),
        "components": {
            "schemas": components.schemas(),
            "responses": responses.responses(),
            "parameters": responses.parameters(),
            "headers": responses.headers(),
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": cookie,
                    "description": "The signed session cookie set by signing in at `/login`.",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": (
                        "The `csrf_token` of `GET /api/v1/session`; required on every POST, PUT and DELETE. "
                        "A request without a valid token gets 400 with error `csrf`."
                    ),
                },
            },
        },
    }
