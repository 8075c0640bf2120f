"""The document's export operation (webapp/porting/export_routes.py)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi.components import JSON, json_response, ref
from webapp.api.openapi.paths import API_PREFIX, LANG, SESSION, _use
from webapp.errors import ErrorBody

BASE = f"{API_PREFIX}/workspaces/{{workspace_id}}"
WORKSPACE = {"$ref": "#/components/parameters/WorkspaceId"}
FORMAT = {
    "name": "format",
    "in": "query",
    "required": True,
    "description": (
        "`vcard`: one file of vCards for a phone's contacts or another address book; `csv`: "
        "the import template's columns (headers in `lang`'s language), for a spreadsheet; "
        "`json`: the whole workspace (contacts, playbooks, incidents and their entries) for a "
        "backup or a move to another workspace."
    ),
    "schema": {"type": "string", "enum": ["vcard", "csv", "json"]},
}
VERSION = {
    "name": "version",
    "in": "query",
    "required": False,
    "description": "vCard only: `4.0` (RFC 6350, the default) or `3.0` for older phones.",
    "schema": {"type": "string", "enum": ["4.0", "3.0"], "default": "4.0"},
}
ATTACHMENT = {
    "Content-Disposition": {
        "description": 'Always `attachment; filename="enlace-<workspace>-<date>.<vcf|csv|json>"`.',
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "Always `no-store`.",
        "required": True,
        "schema": {"type": "string", "const": "no-store"},
    },
}


def paths() -> dict[str, Any]:
    """Return the export operation, by path."""
    return {
        f"{BASE}/export": {
            "parameters": [WORKSPACE],
            "get": {
                "operationId": "exportWorkspace",
                "tags": ["export"],
                "summary": "Download what the member may see as vCard, CSV or JSON (owners, "
                "editors; recent password); audited.",
                "description": (
                    "Only the records the member's own offline copy would hold. The file leaves "
                    "Enlace's protection, so it needs a password entered within the "
                    "re-authentication window; the unlock token alone is not enough. The audit "
                    "event keeps the format and the counts, never the contents. CSV cells that "
                    "a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a "
                    "tab or a carriage return) start with `'`; the import takes it off again. "
                    "The JSON's contacts import into another workspace through "
                    "`POST /api/v1/workspaces/{workspace_id}/imports`."
                ),
                "security": SESSION,
                "parameters": [FORMAT, VERSION, LANG],
                "responses": {
                    "200": {
                        "description": "The file.",
                        "headers": ATTACHMENT,
                        "content": {
                            "text/vcard": {"schema": {"type": "string"}},
                            "text/csv": {"schema": {"type": "string"}},
                            JSON: {"schema": ref("WorkspaceExport")},
                        },
                    },
                    "400": _use("BadRequest"),
                    "401": _use("Unauthorized"),
                    "403": json_response(
                        "A viewer (error `forbidden`), or no password entered within the "
                        "re-authentication window (error `reauthentication_required`: "
                        "`POST /api/v1/session/reauth`, then ask again).",
                        ErrorBody,
                    ),
                    "404": _use("NotFound"),
                },
            },
        },
    }
