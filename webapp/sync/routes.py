"""POST /api/v1/sync: the one write path for directory data."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import force_locale
from flask_login import current_user, login_required
from pydantic import ValidationError
from werkzeug.wrappers import Response

from webapp.auth.session import unlocked
from webapp.db import begin_read, get_session
from webapp.directory.schemas import error_map
from webapp.errors import error_response
from webapp.extensions import limiter
from webapp.i18n import requested_language
from webapp.sync import service
from webapp.sync.schemas import MAX_MUTATIONS, SyncRequest, item_count
from webapp.workspaces.access import member_of
from webapp.workspaces.models import Role

bp = Blueprint("sync", __name__, url_prefix="/api/v1")


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _sync_limit() -> str:
    return current_app.config["SYNC_RATE_LIMIT"]


def bad_request(message: str, errors: dict[str, str] | None = None) -> Response:
    """Answer 400 with a message and, where known, errors keyed by field path."""
    return error_response(400, message, errors=errors)


@bp.post("/sync")
@login_required
@limiter.limit(_sync_limit, key_func=_user_key)
def sync() -> Response:
    """Apply the device's mutations, then return what changed since its cursor.

    `?lang=es|en` (the app's language, which may differ from the account's) sets the language
    of the messages in `errors`.
    """
    lang = requested_language()
    with force_locale(lang) if lang else nullcontext():
        return _sync()


def _sync() -> Response:
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        payload = None  # nested deeper than any real request
    if not isinstance(payload, dict):
        return bad_request("Send a JSON object: {workspace, cursor, mutations}.")
    if item_count(payload) > MAX_MUTATIONS:
        return bad_request(f"Send at most {MAX_MUTATIONS} mutations, clear and sealed, at once.")
    try:
        body = SyncRequest.model_validate(payload)
    except ValidationError as error:
        return bad_request("The request does not follow the sync protocol.", error_map(error))
    session = get_session()
    if not body.items:
        begin_read(session)  # a pull writes nothing: no write lock on SQLite
    membership = member_of(body.workspace, Role.VIEWER)
    locked = not unlocked()
    # A locked device gets no changes: list none before this request's own (a cheap read).
    cursor = max(body.cursor, membership.workspace.revision) if locked else body.cursor
    answer = service.sync(
        session, membership, cursor, body.items, current_app.config["SYNC_PAGE_SIZE"]
    )
    if locked:
        answer = _locked_answer(answer["results"], body.cursor, bool(answer.get("reset")))
    return jsonify(answer)


def _locked_answer(results: list[dict[str, Any]], cursor: int, reset: bool) -> dict[str, Any]:
    """Answer a device without its unlock token or a recent password (docs/ARCHITECTURE.md, 4.4).

    The service worker flushes the sealed outbox while the app is locked, so the mutations
    apply; the answer gives nothing of the directory away: no `changes`, the cursor as sent, and
    no conflict's server value (the app reads it from its next pull, once unlocked). A cursor
    ahead of the server gets cursor 0 and `reset` (the copy must start again).
    """
    answer: dict[str, Any] = {
        "results": [_without_server_values(r) for r in results],
        "cursor": 0 if reset else cursor,
        "more": False,
    }
    if reset:
        answer["reset"] = True
    return answer


def _without_server_values(result: dict[str, Any]) -> dict[str, Any]:
    if not result.get("conflicts"):
        return result
    conflicts = [{"field": c["field"], "client": c["client"]} for c in result["conflicts"]]
    return {**result, "conflicts": conflicts}
