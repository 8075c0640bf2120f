"""The document's reusable responses, parameters and headers."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi.components import MAX_BODY, json_response
from webapp.db import MAX_INT8
from webapp.errors import ErrorBody


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return json_response(description, ErrorBody, headers)


def responses() -> dict[str, Any]:
    """Return the error answers that several operations share."""
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
            "by one instead); clients treat a 403 `forbidden`, like a 401, as removal and wipe "
            "local data. The device lock's 403s (`locked`, `reauthentication_required`, "
            "`wrong_password`) are not removals."
        ),
        "Locked": _error(
            "The answer holds directory data in clear and this device is locked (error "
            "`locked`): send this device session's unlock token as `X-Enlace-Unlock`, or prove "
            "the password again (`POST /api/v1/session/reauth`). Not a removal: keep local data."
        ),
        "ReauthenticationRequired": _error(
            "Neither this device session's unlock token nor a password entered within the "
            "re-authentication window (error `reauthentication_required`): ask for the password "
            "(`POST /api/v1/session/reauth`), then ask again. Not a removal: keep local data."
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
        "Unavailable": _error(
            UNAVAILABLE,
            headers={"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        ),
    }


UNAVAILABLE = (
    "Come back later (error `unavailable`): the server cannot reach its database or Redis "
    "right now, or every password-hashing slot is busy. Nothing was changed; wait "
    "`Retry-After` seconds and send the same request again. Not a removal: keep local data "
    "and queued mutations."
)


def with_unavailable(paths: dict[str, Any]) -> dict[str, Any]:
    """Add the 503 `unavailable` answer to every operation: any of them may meet an outage."""
    for item in paths.values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:  # not `parameters`
                operation["responses"]["503"] = {"$ref": "#/components/responses/Unavailable"}
    return paths


def parameters() -> dict[str, Any]:
    """Return the parameters that several operations share."""
    return {
        "UnlockToken": {
            "name": "X-Enlace-Unlock",
            "in": "header",
            "required": False,
            "description": (
                "This device session's unlock token (the `unlock_token` of GET "
                "/api/v1/keys/snapshot, 43 characters of base64url), sent while the app is "
                "unlocked. Without it, or with a token of another or an ended device session, "
                "only a password entered within the re-authentication window (default 10 "
                "minutes, `ENLACE_REAUTH_SECONDS`) reads directory data in clear."
            ),
            "schema": {"type": "string"},
        },
        "WorkspaceId": {
            "name": "workspace_id",
            "in": "path",
            "required": True,
            "description": "The workspace's id.",
            "schema": {"type": "string", "format": "uuid"},
        },
        "Before": {
            "name": "before",
            "in": "query",
            "required": False,
            "description": (
                "Only events older than this one (the answer's `next_before`): the next page. "
                "Pages hold 100 events, newest first. Not a whole number from 1 up: 400."
            ),
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT8},
        },
        "Lang": {
            "name": "lang",
            "in": "query",
            "required": False,
            "description": (
                "The language of the answer's texts and messages (the app's language on this "
                "device, which may differ from the account's); the user's own language when "
                "left out. Any other value gets 400 with `errors.lang`."
            ),
            "schema": {"type": "string", "enum": ["es", "en"]},
        },
    }


def headers() -> dict[str, Any]:
    """Return the response headers that several operations share."""
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
