"""Sealed mutations: the outbox as a device keeps it, opened with the user's snapshot key.

docs/ARCHITECTURE.md, 4.3 (sealed mutations) and 5.1 (the outbox). The service
worker never holds the key, so it posts what the page sealed; each item is opened here and then
applied by the sync service exactly as a clear mutation. An item that does not open becomes a
`Refused` result that changes nothing; whatever it holds, it never fails the request.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask_babel import gettext as _
from pydantic import ValidationError

from webapp.auth.models import User
from webapp.auth.service import user_key
from webapp.directory.schemas import error_map
from webapp.encoding import b64url_decode
from webapp.sync.schemas import Mutation, SealedMutation

AAD_PREFIX = "enlace-outbox:v1:"
IV_BYTES = 12
TAG_BYTES = 16
# Unpadded base64url, as docs/ARCHITECTURE.md pins binary values; the standard decoder would skip stray
# characters instead of refusing them.
B64URL = re.compile(r"[A-Za-z0-9_-]*")
SEALED = "sealed"


@dataclass(frozen=True)
class Refused:
    """A sealed item that cannot apply (it did not open, or not as a mutation): its result."""

    result: dict[str, Any]


class _NotOpened(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def outbox_aad(user_id: uuid.UUID, workspace_id: uuid.UUID, mutation_id: uuid.UUID | str) -> str:
    """Return the associated data of a sealed outbox mutation."""
    return f"{AAD_PREFIX}{user_id}:{workspace_id}:{mutation_id}"


def open_all(
    user: User, workspace_id: uuid.UUID, items: Sequence[Mutation | SealedMutation]
) -> list[Mutation | Refused]:
    """Open the sealed items with the user's current key; clear mutations pass as they are."""
    sealed = any(isinstance(item, SealedMutation) for item in items)
    # A user without a key yet cannot have sealed anything; asking for one would create it.
    key = user_key(user) if sealed and user.snapshot_kid and user.snapshot_key_enc else None
    return [
        open_one(item, user.id, workspace_id, key) if isinstance(item, SealedMutation) else item
        for item in items
    ]


def open_one(
    item: SealedMutation,
    user_id: uuid.UUID,
    workspace_id: uuid.UUID,
    key: tuple[str, bytes] | None,
) -> Mutation | Refused:
    """Open one sealed item as a mutation of this user and workspace, or refuse it."""
    mutation_id = _mutation_id(item.aad)
    try:
        if mutation_id is None:
            raise _NotOpened(
                {
                    "aad": _(
                        "Not an outbox aad: %(shape)s.",
                        shape=f"{AAD_PREFIX}<user>:<workspace>:<id>",
                    )
                }
            )
        if item.aad != outbox_aad(user_id, workspace_id, mutation_id):
            raise _NotOpened({"aad": _("Sealed for another user or workspace.")})
        if key is None or item.kid != key[0]:
            raise _NotOpened({"kid": _("Sealed under another key: fetch the current one.")})
        data = _open(item, key[1])
        if data.get("id") != mutation_id:
            raise _NotOpened({"id": _("The mutation does not carry the id its aad names.")})
    except _NotOpened as refused:
        return _refused(mutation_id, {"_": SEALED} | refused.errors)
    try:
        return Mutation.model_validate(data)
    except ValidationError as error:
        # It opened: what is wrong is the mutation itself, named by field as in a clear one
        # (which would get a 400, but one sealed item must not fail the others).
        return _refused(mutation_id, error_map(error))


def _refused(mutation_id: str | None, errors: dict[str, str]) -> Refused:
    return Refused({"id": mutation_id, "status": "rejected", "errors": errors})


def _mutation_id(aad: str) -> str | None:
    """Return the mutation id an outbox aad names, if it is one (three lowercase UUIDs)."""
    if not aad.startswith(AAD_PREFIX):
        return None
    parts = aad[len(AAD_PREFIX) :].split(":")
    if len(parts) != 3 or not all(_is_uuid(part) for part in parts):
        return None
    return parts[2]


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _b64url(text: str, name: str) -> bytes:
    if B64URL.fullmatch(text) is None or len(text) % 4 == 1:
        raise _NotOpened({name: _("Not base64url without padding.")})
    return b64url_decode(text)


def _open(item: SealedMutation, key: bytes) -> dict[str, Any]:
    """Decrypt and parse a sealed item whose aad and kid were checked; return a JSON object."""
    iv = _b64url(item.iv, "iv")
    if len(iv) != IV_BYTES:
        raise _NotOpened({"iv": _("Must be %(num)d bytes.", num=IV_BYTES)})
    ciphertext = _b64url(item.ciphertext, "ciphertext")
    if len(ciphertext) < TAG_BYTES:
        raise _NotOpened({"ciphertext": _("Shorter than its %(num)d-byte tag.", num=TAG_BYTES)})
    try:
        plaintext = AESGCM(key).decrypt(iv, ciphertext, item.aad.encode())
    except InvalidTag:
        raise _NotOpened(
            {
                "ciphertext": _(
                    "Does not open with this user's key: altered, or sealed for another aad."
                )
            }
        ) from None
    try:
        # The parser of clear requests (the app's JSON provider), so both read the same values.
        data = orjson.loads(plaintext)
    except (orjson.JSONDecodeError, RecursionError):
        raise _NotOpened({"ciphertext": _("The sealed mutation is not JSON.")}) from None
    if not isinstance(data, dict):
        raise _NotOpened({"ciphertext": _("The sealed mutation is not a JSON object.")})
    return data
