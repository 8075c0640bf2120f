"""The document's paths: one operation per /api/v1 route."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi.components import JSON, MAX_BODY, json_response, ref
from webapp.api.schemas import ReauthRequest, Session
from webapp.errors import ErrorBody
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
from webapp.sync.schemas import SyncRequest, SyncResponse

API_PREFIX = "/api/v1"

SESSION = [{"session": []}]
SESSION_AND_CSRF = [{"session": [], "csrf": []}]


LANG = {"$ref": "#/components/parameters/Lang"}


def _use(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


UNLOCK = {"$ref": "#/components/parameters/UnlockToken"}


def paths() -> dict[str, Any]:
    """Return the operations of /api/v1, by path."""
    workspace = [{"$ref": "#/components/parameters/WorkspaceId"}]
    return {
        f"{API_PREFIX}/session": {
            "get": {
                "operationId": "getSession",
                "tags": ["session"],
                "summary": "The signed-in user, a CSRF token for API writes, the workspaces.",
                "security": SESSION,
                "responses": {
                    "200": json_response("The signed-in user.", Session),
                    "401": _use("Unauthorized"),
                },
            }
        },
        f"{API_PREFIX}/session/reauth": {
            "post": {
                "operationId": "reauthenticate",
                "tags": ["session"],
                "summary": "Prove the password again on this device.",
                "description": (
                    'For "Forgot PIN" and a device whose local data is gone. The right '
                    "password marks this device session as recently authenticated, like the "
                    "`/reauth` form: for the re-authentication window it may fetch the "
                    "snapshot key, which then comes with a new unlock token. Wrong passwords "
                    "count against the same limit as signing in (429 with Retry-After)."
                ),
                "security": SESSION_AND_CSRF,
                "requestBody": {
                    "required": True,
                    "description": "JSON.",
                    "content": {JSON: {"schema": ref(ReauthRequest)}},
                },
                "responses": {
                    "204": {"description": "The password is right."},
                    "400": _use("BadRequest"),
                    "401": _use("Unauthorized"),
                    "403": json_response(
                        "The password is wrong (error `wrong_password`).", ErrorBody
                    ),
                    "413": _use("TooLarge"),
                    "429": _use("RateLimited"),
                    "503": json_response(
                        "Every password-hashing slot is busy (error `unavailable`); wait "
                        "`Retry-After` seconds.",
                        ErrorBody,
                        headers={"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
                    ),
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
                    "(docs/ARCHITECTURE.md, 4.3). Invalid entity fields give a per-mutation "
                    "`rejected` result in a 200; a body that does not follow the protocol gives "
                    '400. A viewer\'s mutations are rejected with `{"_": "forbidden"}`. '
                    "`sealed` carries mutations sealed with the user's snapshot key (the outbox "
                    "as the device keeps it): each is opened and then applied as a clear one, or "
                    'rejected alone with `{"_": "sealed", ...}`. The messages of `errors` are '
                    "in the user's language, or in `lang`'s.\n\n"
                    "Without a valid `X-Enlace-Unlock` or a recent password (a locked device: "
                    "the service worker flushing the sealed outbox), the mutations still apply, "
                    "but the answer has no `changes`, `cursor` is the request's, `more` is "
                    "false, and conflicts leave out the server's values."
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [UNLOCK, LANG],
                "requestBody": {
                    "required": True,
                    "description": f"JSON, at most {MAX_BODY}.",
                    "content": {JSON: {"schema": ref(SyncRequest)}},
                },
                "responses": {
                    "200": json_response("One result per mutation, and the changes.", SyncResponse),
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
                "summary": "The user's snapshot key and this device's unlock token (no-store).",
                "description": (
                    "Only with this device session's unlock token (`X-Enlace-Unlock`: the "
                    "answer's `unlock_token` is that token, unchanged) or a password entered on "
                    "this device session within the re-authentication window (signing in "
                    "counts): then, without a valid token, a new one is made and replaces the "
                    "device session's old one. Signing out, ending the device session or "
                    "changing the password ends its token."
                ),
                "security": SESSION,
                "parameters": [UNLOCK],
                "responses": {
                    "200": json_response("The key and the unlock token.", SnapshotKey),
                    "401": _use("Unauthorized"),
                    "403": _use("ReauthenticationRequired"),
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
                    "200": json_response(
                        "The encrypted snapshot (Cache-Control: private, no-cache).",
                        SnapshotEnvelope,
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
                    "200": json_response("The public contacts.", PublicContacts),
                    "401": _use("Unauthorized"),
                    "403": _use("Forbidden"),
                    "404": _use("NotFound"),
                },
            },
        },
        f"{API_PREFIX}/workspaces/{{workspace_id}}/readiness": {
            "parameters": workspace,
            "get": {
                "operationId": "getReadiness",
                "tags": ["readiness"],
                "summary": "The workspace's readiness checklist, as the user may see it.",
                "description": (
                    "A score (0–100, the weighted share of checks passed) and the checks, each "
                    "with `fix`: what to do, in the user's language, and `url`, a path on this "
                    "site where to do it (null when the check passes). Computed from what the "
                    "user may see: a viewer's answer never counts or names restricted contacts. "
                    "Cache-Control: no-store. It names contacts and playbooks: a locked device "
                    "(no valid `X-Enlace-Unlock`, no recent password) gets 403 `locked`."
                ),
                "security": SESSION,
                "parameters": [UNLOCK, LANG],
                "responses": {
                    "200": json_response("The checklist.", Readiness),
                    "400": _use("BadRequest"),
                    "401": _use("Unauthorized"),
                    "403": _use("Locked"),
                    "404": _use("NotFound"),
                },
            },
        },
        **push_paths(workspace),
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


def _body(model: Any, description: str = "JSON.") -> dict[str, Any]:
    return {"required": True, "description": description, "content": {JSON: {"schema": ref(model)}}}


def push_paths(workspace: list[dict[str, str]]) -> dict[str, Any]:
    """The push operations (docs/ARCHITECTURE.md, 4.8)."""
    signed_in = {"401": _use("Unauthorized")}
    return {
        f"{API_PREFIX}/push/vapid-public-key": {
            "get": {
                "operationId": "getVapidPublicKey",
                "tags": ["push"],
                "summary": "The server's VAPID public key (applicationServerKey).",
                "security": SESSION,
                "responses": {"200": json_response("The key.", VapidKey), **signed_in},
            }
        },
        f"{API_PREFIX}/push/subscriptions": {
            "post": {
                "operationId": "subscribePush",
                "tags": ["push"],
                "summary": "Store this device's push subscription for the signed-in user.",
                "description": (
                    "One row per endpoint, tied to the user; the same endpoint again updates "
                    "its keys (200), an endpoint another user registered moves to this user. "
                    "The device then gets notifications for every workspace the user is a "
                    "member of. An endpoint outside the server's allowed push services, or "
                    "keys that are not a P-256 point and a 16-byte secret, get 400 naming the "
                    "field.\n\nPayloads (JSON, encrypted for the device; never directory text): "
                    '`{"type": "directory-changed", "workspace", "revision", "count"}` (level '
                    '`all`, coalesced, one `Topic` per workspace); `{"type": "crisis-alert", '
                    '"workspace", "alert", "playbook", "message"}` and `{"type": '
                    '"incident-started", "workspace", "revision"}` (an incident created open '
                    "through sync; levels `all` and `urgent`, `Urgency: high`, no `Topic`, never "
                    'to the author\'s devices); `{"type": "stale-contacts", "workspace", '
                    '"count"}` (to owners with level `all`, at most once in 30 days per '
                    "workspace: how many contacts were neither checked nor added in 180 days)."
                ),
                "security": SESSION_AND_CSRF,
                "requestBody": _body(SubscriptionRequest),
                "responses": {
                    "201": json_response("Stored.", SubscriptionCreated),
                    "200": json_response("Already stored: keys updated.", SubscriptionCreated),
                    "400": _use("BadRequest"),
                    **signed_in,
                    "413": _use("TooLarge"),
                },
            },
            "delete": {
                "operationId": "unsubscribePush",
                "tags": ["push"],
                "summary": "Forget this device's subscription (only the user's own).",
                "security": SESSION_AND_CSRF,
                "requestBody": _body(SubscriptionDelete),
                "responses": {
                    "204": {"description": "Gone (or never there)."},
                    "400": _use("BadRequest"),
                    **signed_in,
                    "413": _use("TooLarge"),
                },
            },
        },
        f"{API_PREFIX}/push/preferences": {
            "get": {
                "operationId": "getPushPreferences",
                "tags": ["push"],
                "summary": "Which notifications the user's devices get.",
                "security": SESSION,
                "responses": {"200": json_response("The choice.", PushPreferences), **signed_in},
            },
            "put": {
                "operationId": "setPushPreferences",
                "tags": ["push"],
                "summary": (
                    "Choose: all changes, only urgent (crisis alerts, incidents started), or none."
                ),
                "security": SESSION_AND_CSRF,
                "requestBody": _body(PushPreferences),
                "responses": {
                    "200": json_response("The choice.", PushPreferences),
                    "400": _use("BadRequest"),
                    **signed_in,
                    "413": _use("TooLarge"),
                },
            },
        },
        f"{API_PREFIX}/workspaces/{{workspace_id}}/alerts": {
            "parameters": workspace,
            "post": {
                "operationId": "sendCrisisAlert",
                "tags": ["push"],
                "summary": "Send a crisis alert to every other member's devices (Urgency: high).",
                "description": (
                    "Owners and editors. A playbook (live, not restricted), a message of at "
                    "most 140 characters, or both. The payload carries ids and the message "
                    "only. The sender's own devices are not alerted. Rate-limited per "
                    "workspace and sender; audited."
                ),
                "security": SESSION_AND_CSRF,
                "requestBody": _body(AlertRequest),
                "responses": {
                    "202": json_response("Queued for the members' devices.", AlertCreated),
                    "400": _use("BadRequest"),
                    **signed_in,
                    "403": _use("Forbidden"),
                    "404": _use("NotFound"),
                    "413": _use("TooLarge"),
                    "429": _use("RateLimited"),
                },
            },
        },
    }
