"""The document's reusable responses, parameters and headers."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi.components import MAX_BODY, json_response
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


def parameters() -> dict[str, Any]:
    """Return the parameters that several operations share."""
    return {
        "WorkspaceId": {
            "name": "workspace_id",
            "in": "path",
            "required": True,
            "description": "The workspace's id.",
            "schema": {"type": "string", "format": "uuid"},
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
