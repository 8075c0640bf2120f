"""The document's import operations (webapp/porting/import_routes.py; docs/ARCHITECTURE.md, 4.13)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi.components import json_response, ref
from webapp.api.openapi.paths import (
    API_PREFIX,
    LANG,
    SESSION,
    SESSION_AND_CSRF,
    UNLOCK,
    _body,
    _use,
)
from webapp.errors import ErrorBody
from webapp.porting.import_schemas import ApplyRequest, ImportPreview, ImportResult, RowFix

BASE = f"{API_PREFIX}/workspaces/{{workspace_id}}/imports"
WORKSPACE = {"$ref": "#/components/parameters/WorkspaceId"}
IMPORT = {
    "name": "import_id",
    "in": "path",
    "required": True,
    "description": "The preview's id (`id` of the upload's answer).",
    "schema": {"type": "string", "format": "uuid"},
}
ROW = {
    "name": "row",
    "in": "path",
    "required": True,
    "description": "The row's `row` (its position in the file).",
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
EDITORS_UNLOCKED = json_response(
    "A viewer (error `forbidden`: importing is for editors and owners; not a removal, keep "
    "local data), or a locked device (error `locked`: send `X-Enlace-Unlock`, or prove the "
    "password again).",
    ErrorBody,
)
NO_PREVIEW = json_response(
    "No such workspace for this user, or no preview with this id uploaded by this user in it "
    "(error `not_found`), or no such row.",
    ErrorBody,
)
EXPIRED = json_response(
    "The preview is older than an hour (error `import_expired`): upload the file again.",
    ErrorBody,
)
APPLIED = json_response(
    "The import was applied already (error `import_applied`): its rows cannot change.",
    ErrorBody,
)
PREVIEW_DESCRIPTION = (
    "Each row is `new`, a `duplicate` (one of its E.164 numbers or emails is a contact's the "
    "user can see: `duplicate_of`; or an earlier valid row's: `duplicate_of_row`) or an "
    "`error` (`errors` by path, as sync reports them). Statuses are decided again at every "
    "answer, against the directory as it is then."
)


def paths() -> dict[str, Any]:
    """Return the import operations, by path."""
    common = {
        "400": _use("BadRequest"),
        "401": _use("Unauthorized"),
        "403": EDITORS_UNLOCKED,
        "404": NO_PREVIEW,
        "410": EXPIRED,
    }
    return {
        BASE: {
            "parameters": [WORKSPACE],
            "post": {
                "operationId": "uploadImport",
                "tags": ["import"],
                "summary": "Read a vCard or CSV file into a preview; writes no contact.",
                "description": (
                    "Editors and owners, unlocked. vCard 2.1, 3.0, 4.0 (a file that starts "
                    "with `BEGIN:VCARD`) or CSV (Google Contacts, Outlook, Enlace's template; "
                    "UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252; commas, "
                    "semicolons or tabs). Every row gets `visibility` and `kind`. A file that "
                    "is empty, binary, holds no contact or more than 10,000 gets 400 (`errors."
                    "file`); over 5 MiB, 413. Audited with counts (`import.previewed`). "
                    + PREVIEW_DESCRIPTION
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [UNLOCK, LANG],
                "requestBody": {
                    "required": True,
                    "description": "The file and the choices for every row.",
                    "content": {"multipart/form-data": {"schema": ref("ImportUpload")}},
                },
                "responses": {
                    "201": json_response("The preview.", ImportPreview),
                    "400": _use("BadRequest"),
                    "401": _use("Unauthorized"),
                    "403": EDITORS_UNLOCKED,
                    "404": _use("NotFound"),
                    "413": json_response("The file is over 5 MiB (error `too_large`).", ErrorBody),
                },
            },
        },
        f"{BASE}/template.csv": {
            "parameters": [WORKSPACE],
            "get": {
                "operationId": "getImportTemplate",
                "tags": ["import"],
                "summary": "The CSV template: a header row in the user's language, one example.",
                "description": (
                    "UTF-8 with BOM, comma separated, as an attachment. Import reads its "
                    "headers in Spanish or English, in any order. Editors and owners."
                ),
                "security": SESSION,
                "parameters": [LANG],
                "responses": {
                    "200": {
                        "description": "The template.",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    "400": _use("BadRequest"),
                    "401": _use("Unauthorized"),
                    "403": EDITORS_UNLOCKED,
                    "404": _use("NotFound"),
                },
            },
        },
        f"{BASE}/{{import_id}}": {
            "parameters": [WORKSPACE, IMPORT],
            "get": {
                "operationId": "getImport",
                "tags": ["import"],
                "summary": "A preview again (after a reload); `applied` once applied.",
                "description": PREVIEW_DESCRIPTION,
                "security": SESSION,
                "parameters": [UNLOCK, LANG],
                "responses": {"200": json_response("The preview.", ImportPreview), **common},
            },
        },
        f"{BASE}/{{import_id}}/rows/{{row}}": {
            "parameters": [WORKSPACE, IMPORT, ROW],
            "patch": {
                "operationId": "fixImportRow",
                "tags": ["import"],
                "summary": "Fix a row: its fields replaced by the user's correction.",
                "description": (
                    "`fields` is the whole contact as corrected (`ContactData`'s names); it is "
                    "checked again at once and at apply. Answers the whole preview: other rows' "
                    "`duplicate_of_row` may change too."
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [UNLOCK, LANG],
                "requestBody": _body(RowFix),
                "responses": {
                    "200": json_response("The preview as it now stands.", ImportPreview),
                    **common,
                    "409": APPLIED,
                },
            },
            "delete": {
                "operationId": "removeImportRow",
                "tags": ["import"],
                "summary": "Leave a row out of the import.",
                "security": SESSION_AND_CSRF,
                "parameters": [UNLOCK, LANG],
                "responses": {
                    "200": json_response("The preview without the row.", ImportPreview),
                    **common,
                    "409": APPLIED,
                },
            },
        },
        f"{BASE}/{{import_id}}/apply": {
            "parameters": [WORKSPACE, IMPORT],
            "post": {
                "operationId": "applyImport",
                "tags": ["import"],
                "summary": "Write the preview's rows through sync, all in one transaction.",
                "description": (
                    "Under the workspace's writer lock the rows are checked again, then written "
                    "as sync mutations (revisions, push, `sync.mutation` audit events) and "
                    "committed together with `import.applied` (counts only). A second apply "
                    "of the same import writes nothing and answers the first result, whatever "
                    "its body. An empty body means the defaults."
                ),
                "security": SESSION_AND_CSRF,
                "parameters": [UNLOCK, LANG],
                "requestBody": {**_body(ApplyRequest), "required": False},
                "responses": {
                    "200": json_response("What was written.", ImportResult),
                    **common,
                    "409": json_response(
                        "Error rows remain and `skip_errors` is false (error "
                        "`import_has_errors`); nothing was written.",
                        ErrorBody,
                    ),
                },
            },
        },
    }
