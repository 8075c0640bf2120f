"""The answers of the snapshot routes: one declaration for the routes and the OpenAPI document."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from webapp.directory.models import Visibility
from webapp.directory.schemas import ContactData
from webapp.directory.service import QUICK_DIAL_FIELDS

# extra="forbid" on answers documents `additionalProperties: false`: a client may rely on
# knowing every field.
ANSWER = ConfigDict(extra="forbid")
BASE64URL = "^[A-Za-z0-9_-]*$"


class SnapshotKey(BaseModel):
    """The user's AES-256-GCM snapshot key.

    It rotates on password change, sign-out of all devices, removal from a workspace or a role
    that loses sight of restricted records (`kid` changes).
    """

    model_config = ANSWER

    kid: str = Field(min_length=1, description="The key's id.")
    key: str = Field(
        pattern="^[A-Za-z0-9_-]{43}$", description="32 bytes, base64url without padding."
    )
    unlock_token: str = Field(
        pattern="^[A-Za-z0-9_-]{43}$",
        description=(
            "This device session's unlock token: 32 random bytes, base64url without padding. "
            "The app wraps it with the key under its PIN, passphrase or passkey, and sends it as "
            "`X-Enlace-Unlock` while unlocked. The one the request sent when it was valid; "
            "otherwise a new one, which replaces the old (docs/ARCHITECTURE.md, 4.4)."
        ),
    )


class SnapshotEnvelope(BaseModel):
    """The workspace's snapshot, encrypted for one user.

    `ciphertext` is AES-256-GCM (key: SnapshotKey `kid`, nonce: `iv`, associated data: the UTF-8
    bytes of `aad`) over gzip(JSON of everything the user may see: workspace, contacts,
    playbooks, incidents, incident_entries). Binary values are base64url without padding.
    """

    model_config = ANSWER

    v: Literal[1]
    alg: Literal["A256GCM"]
    kid: str = Field(min_length=1)
    revision: int = Field(ge=0)
    iv: str = Field(pattern="^[A-Za-z0-9_-]{16}$", description="12 bytes.")
    aad: str = Field(
        pattern="^enlace-snapshot:v1:[^:]+:[^:]+:[0-9]+$",
        description="`enlace-snapshot:v1:<user id>:<workspace id>:<revision>`.",
    )
    ciphertext: str = Field(min_length=1, pattern=BASE64URL)


class _Listed(BaseModel):
    model_config = ANSWER

    id: uuid.UUID
    version: int = Field(ge=1)


# A public contact (an emergency service) in clear, with what quick dial shows while the device
# is locked: `QUICK_DIAL_FIELDS` of the record, as ContactData types and limits them.
PublicContact = create_model(
    "PublicContact",
    __base__=_Listed,
    __doc__=(
        "A public contact (an emergency service) in clear, with what quick dial shows while "
        "the device is locked: its name, phones (each with `display`) and tags (a `service:` "
        "tag orders the buttons), and its visibility. The whole record is in the encrypted "
        "snapshot."
    ),
    **{
        name: (ContactData.model_fields[name].annotation, ContactData.model_fields[name])
        for name in QUICK_DIAL_FIELDS
    }
    | {"visibility": (Literal[Visibility.PUBLIC.value], ...)},
)


class PublicContacts(BaseModel):
    """The workspace's public contacts, by name, for quick dial while locked."""

    model_config = ANSWER

    workspace: uuid.UUID
    revision: int = Field(ge=0)
    contacts: list[PublicContact]
