"""The document's paths: one operation per /api/v1 route."""

from __future__ import annotations

from typing import Any

from webapp.activity.schemas import AccountActivity, WorkspaceAudit
from webapp.api.openapi.components import JSON, MAX_BODY, json_response, ref
from webapp.api.schemas import ReauthRequest, Session
from webapp.auth.schemas import Account, AccountUpdate, Devices, PasswordChange
from webapp.errors import ErrorBody
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
from webapp.snapshot.service import BINARY_TYPE
from webapp.sync.schemas import SyncRequest, SyncResponse

API_PREFIX = "/api/v1"

SESSION = [{"session": []}]
SESSION_AND_CSRF = [{"session": [], "csrf": []}]


LANG = {"$ref": "#/components/parameters/Lang"}


def _with_binary(response: dict[str, Any]) -> dict[str, Any]:
    """Add the binary envelope's media type beside the JSON one."""
    content = response["content"]
    content[BINARY_TYPE] = {"schema": {"type": "string", "format": "binary"}}
    return response


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
                    "false, and conflicts leave out the server's values.\n\n"
                    "A `cursor` ahead of the server's revision (the database was restored from "
                    "an older backup) is never an error: the mutations apply as usual, and the "
                    "answer carries `reset: true` with `changes` listed from cursor 0 (a locked "
                    "device: `cursor` 0). The device drops its copy of the workspace, keeps its "
                    "unsent outbox, and takes the full snapshot, which "
                    "`GET .../snapshot?since=` gives for the same cursor."
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
                    "200": _with_binary(
                        json_response(
                            "The encrypted snapshot (Cache-Control: no-store). With `Accept: "
                            f"{BINARY_TYPE}` the same envelope in binary: `ENV1`, the header's "
                            "length (4 bytes, big-endian), a JSON header of the public fields "
                            "(`v`, `alg`, `kid`, `revision`, `base` for a delta, `aad`), the "
                            "12-byte `iv`, then the ciphertext with its tag as raw bytes. The "
                            "ETag names the contents, in either format.",
                            SnapshotEnvelope,
                            headers={"ETag": {"$ref": "#/components/headers/ETag"}},
                        )
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
                "parameters": [
                    {
                        "name": "If-None-Match",
                        "in": "header",
                        "required": False,
                        "description": "The (weak) ETag of the list the device holds.",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": json_response(
                        "The public contacts, with a weak ETag that changes with the list.",
                        PublicContacts,
                        headers={"ETag": {"$ref": "#/components/headers/ETag"}},
                    ),
                    "304": {
                        "description": "The device's list (If-None-Match) is current.",
                        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                    },
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
        **poster_paths(workspace),
        **account_paths(workspace),
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
        f"{API_PREFIX}/limits.json": {
            "get": {
                "operationId": "getLimits",
                "tags": ["meta"],
                "summary": "The record schemas forms check before sending.",
                "description": (
                    "The part of this document that an app reads its field limits from: "
                    "`components.schemas` with `SyncRequest`'s entity types (its mutations' "
                    "discriminator mapping) and each type's record schema (`ContactMutation` "
                    "carries a `ContactData`) with every schema it refers to, as they are here. "
                    "Revalidated with its weak ETag (304)."
                ),
                "security": [],
                "responses": {
                    "200": {
                        "description": "An OpenAPI 3.1 document with only those components.",
                        "content": {
                            JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["openapi", "info", "components"],
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


def poster_paths(workspace: list[dict[str, str]]) -> dict[str, Any]:
    """The owner's choice of the contacts the office poster prints."""
    everyone = {
        "name": "all",
        "in": "query",
        "required": False,
        "description": (
            "`true`: list every contact the poster may show (not public, with a phone). "
            "`false` (the default): those available after hours themselves and those already "
            "chosen. Any other value gets 400 with `errors.all`."
        ),
        "schema": {"type": "boolean", "default": False},
    }
    common = {
        "401": _use("Unauthorized"),
        "404": _use("NotFound"),
    }
    return {
        f"{API_PREFIX}/workspaces/{{workspace_id}}/poster/choice": {
            "parameters": workspace,
            "get": {
                "operationId": "getPosterChoice",
                "tags": ["poster"],
                "summary": "The contacts an owner may print on the office poster (owners only).",
                "description": (
                    "Each with the version and fingerprint to send back when choosing it, "
                    "whether its own hours cover after hours, and whether it is printed now "
                    "(`confirmed`) or waits for an owner to choose it again (`changed`). "
                    "Cache-Control: no-store. It names contacts, restricted ones included: a "
                    "locked device (no valid `X-Enlace-Unlock`, no recent password) gets 403 "
                    "`locked`; an editor or a viewer 403 `forbidden`."
                ),
                "security": SESSION,
                "parameters": [UNLOCK, everyone],
                "responses": {
                    "200": json_response("The chooser.", PosterChoice),
                    "400": _use("BadRequest"),
                    "403": json_response(
                        "Not an owner (error `forbidden`), or a locked device (error `locked`, "
                        "see the Locked response).",
                        ErrorBody,
                    ),
                    **common,
                },
            },
            "put": {
                "operationId": "setPosterChoice",
                "tags": ["poster"],
                "summary": "Choose the contacts the office poster prints (owners only).",
                "description": (
                    "The whole choice, in order (an empty list prints none); audited "
                    "(`poster.contacts_chosen`), like the poster page's form. Choosing publishes "
                    "the contacts' numbers on the office wall, restricted ones included, so it "
                    "needs a password entered within the re-authentication window: without one, "
                    "403 `reauthentication_required` — prove it with `POST "
                    "/api/v1/session/reauth` and send the same request again. A contact that "
                    "changed since the chooser showed it (another version or fingerprint) gets "
                    "409 and changes nothing; an id that names no contact the poster may show "
                    "(another workspace's, deleted, public, without a phone) gets 400 with "
                    "`errors` by path (`contacts.0.id`). Answers the chooser as GET does, with "
                    "the same `all`; messages in `lang`'s language."
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [UNLOCK, everyone, LANG],
                "requestBody": _body(PosterChoiceRequest),
                "responses": {
                    "200": json_response("Saved: the chooser as it is now.", PosterChoice),
                    "400": _use("BadRequest"),
                    "403": json_response(
                        "Not an owner (error `forbidden`), a locked device (error `locked`), or "
                        "no recent password (error `reauthentication_required`: see the "
                        "ReauthenticationRequired response).",
                        ErrorBody,
                    ),
                    "409": json_response(
                        "A chosen contact changed while the owner was choosing (error "
                        "`conflict`, `errors` naming `contacts.<n>.version` or "
                        "`contacts.<n>.fingerprint`): nothing was saved.",
                        ErrorBody,
                    ),
                    "413": _use("TooLarge"),
                    **common,
                },
            },
        },
    }


BEFORE = {"$ref": "#/components/parameters/Before"}


def account_paths(workspace: list[dict[str, str]]) -> dict[str, Any]:
    """The account and audit operations: what the account and audit pages do, for the app."""
    signed_in = {"401": _use("Unauthorized")}
    return {
        f"{API_PREFIX}/account": {
            "get": {
                "operationId": "getAccount",
                "tags": ["account"],
                "summary": "The signed-in user's name, email and language.",
                "security": SESSION,
                "responses": {"200": json_response("The account.", Account), **signed_in},
            },
            "patch": {
                "operationId": "updateAccount",
                "tags": ["account"],
                "summary": "Change the name, the language, or both.",
                "description": (
                    "The language is the account's: server pages and messages follow it. A "
                    "name that is blank or over 200 characters, or another language, gets 400 "
                    "naming the field, and nothing is changed."
                ),
                "security": SESSION_AND_CSRF,
                "requestBody": _body(AccountUpdate),
                "responses": {
                    "200": json_response("The account as saved.", Account),
                    "400": _use("BadRequest"),
                    **signed_in,
                    "413": _use("TooLarge"),
                },
            },
        },
        f"{API_PREFIX}/account/password": {
            "post": {
                "operationId": "changePassword",
                "tags": ["account"],
                "summary": "Change the password; every other device is signed out.",
                "description": (
                    "Like the account page's form. A new password under 10 characters gets 400 "
                    "(`errors.new_password`) before the current one is checked; a wrong current "
                    "password gets 403 `wrong_password` and counts against the sign-in failure "
                    "limit (429 with Retry-After), and is audited. On success every other device "
                    "session ends, the snapshot key rotates (a new `kid`) and this device's "
                    "unlock token is void; this device stays signed in with a fresh password "
                    "entry, so `GET /api/v1/keys/snapshot` gives it the new key and a new token."
                ),
                "security": SESSION_AND_CSRF,
                "requestBody": _body(PasswordChange),
                "responses": {
                    "204": {"description": "Changed."},
                    "400": _use("BadRequest"),
                    **signed_in,
                    "403": json_response(
                        "The current password is wrong (error `wrong_password`).", ErrorBody
                    ),
                    "413": _use("TooLarge"),
                    "429": _use("RateLimited"),
                },
            }
        },
        f"{API_PREFIX}/account/devices": {
            "get": {
                "operationId": "listDevices",
                "tags": ["account"],
                "summary": "The user's signed-in devices, this one marked `current`.",
                "security": SESSION,
                "responses": {"200": json_response("The devices.", Devices), **signed_in},
            }
        },
        f"{API_PREFIX}/account/devices/{{device_id}}": {
            "parameters": [
                {
                    "name": "device_id",
                    "in": "path",
                    "required": True,
                    "description": "The device session's id (from the list).",
                    "schema": {"type": "string", "format": "uuid"},
                }
            ],
            "delete": {
                "operationId": "endDevice",
                "tags": ["account"],
                "summary": "Sign out one device (a lost phone): its cookie stops working at once.",
                "description": (
                    "Audited. Ending this device signs it out: later requests get 401. Another "
                    "user's device, or one already ended, gets 404."
                ),
                "security": SESSION_AND_CSRF,
                "responses": {
                    "204": {"description": "Signed out."},
                    "400": _use("BadRequest"),
                    **signed_in,
                    "404": json_response("No such device of this user.", ErrorBody),
                },
            },
        },
        f"{API_PREFIX}/account/sign-out-everywhere": {
            "post": {
                "operationId": "signOutEverywhere",
                "tags": ["account"],
                "summary": "Sign out every device, this one included; the snapshot key rotates.",
                "description": "Audited. Afterwards this device's requests get 401 too.",
                "security": SESSION_AND_CSRF,
                "responses": {
                    "204": {"description": "Every device is signed out."},
                    "400": _use("BadRequest"),
                    **signed_in,
                },
            }
        },
        f"{API_PREFIX}/account/activity": {
            "get": {
                "operationId": "getAccountActivity",
                "tags": ["account"],
                "summary": "The user's own account events: sign-ins, password, devices.",
                "description": (
                    "Newest first, 100 a page. Only the user sees them; a workspace's owners "
                    "never do. Labels in the language of `lang`. Cache-Control: no-store."
                ),
                "security": SESSION,
                "parameters": [BEFORE, LANG],
                "responses": {
                    "200": json_response("A page of events.", AccountActivity),
                    "400": _use("BadRequest"),
                    **signed_in,
                },
            }
        },
        f"{API_PREFIX}/workspaces/{{workspace_id}}/audit": {
            "parameters": workspace,
            "get": {
                "operationId": "getWorkspaceAudit",
                "tags": ["audit"],
                "summary": "The workspace's audit log, for its owners.",
                "description": (
                    "Newest first, 100 a page, with who acted and whom it was about; the "
                    "members' account events are on their own account. Owners only (403 "
                    "`forbidden` for editors and viewers). Like the audit page, which asks for "
                    "a recent password: here this device's unlock token counts too, else 403 "
                    "`locked`. Labels in the language of `lang`. Cache-Control: no-store."
                ),
                "security": SESSION,
                "parameters": [UNLOCK, BEFORE, LANG],
                "responses": {
                    "200": json_response("A page of events.", WorkspaceAudit),
                    "400": _use("BadRequest"),
                    **signed_in,
                    "403": json_response(
                        "Not an owner (error `forbidden`), or a locked device (error `locked`: "
                        "send the unlock token or prove the password again).",
                        ErrorBody,
                    ),
                    "404": _use("NotFound"),
                },
            },
        },
    }
