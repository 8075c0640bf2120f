"""The account's API (/api/v1/account): one declaration for the routes and the OpenAPI document."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from webapp.auth.models import DeviceSession, User

# extra="forbid" on answers documents `additionalProperties: false`; on requests it refuses
# a field the server does not know (a typo must not look saved).
STRICT = ConfigDict(extra="forbid")

Language = Literal["es", "en"]


class Account(BaseModel):
    """The signed-in user's account, as the account screen shows it."""

    model_config = STRICT

    id: uuid.UUID
    # Checked when the account was made; described here, not checked again on the way out.
    email: str = Field(json_schema_extra={"format": "email"})
    name: str
    locale: Language | None = Field(
        description="The account's language (pages, messages); null until the user chooses one."
    )
    password_changed_at: datetime = Field(description="When the password was last set (UTC).")

    @classmethod
    def of(cls, user: User) -> Account:
        """Build the answer from a user."""
        locale = user.locale if user.locale in ("es", "en") else None
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            locale=locale,
            password_changed_at=user.password_changed_at,
        )


class AccountUpdate(BaseModel):
    """The fields to change: the name, the language, or both."""

    model_config = STRICT

    name: str | None = Field(None, min_length=1, max_length=200)
    locale: Language | None = None


class PasswordChange(BaseModel):
    """The current password (counted against the sign-in failure limit) and the new one."""

    model_config = STRICT

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(
        min_length=1,
        max_length=256,
        description="At least 10 characters (a shorter one gets 400 naming `new_password`).",
    )


class Device(BaseModel):
    """One signed-in device session of the user."""

    model_config = STRICT

    id: uuid.UUID
    browser: str = Field(description="Recognised from the User-Agent; empty when not.")
    platform: str = Field(description="Recognised from the User-Agent; empty when not.")
    created_at: datetime = Field(description="When it signed in (UTC).")
    last_seen_at: datetime = Field(description="Its last use, to within 5 minutes (UTC).")
    ip: str | None
    current: bool = Field(description="Whether this is the device that made the request.")

    @classmethod
    def of(cls, device: DeviceSession, current: DeviceSession | None) -> Device:
        """Build one row from a device session."""
        return cls(
            id=device.id,
            browser=device.browser,
            platform=device.platform,
            created_at=device.created_at,
            last_seen_at=device.last_seen_at,
            ip=device.ip,
            current=current is not None and device.id == current.id,
        )


class Devices(BaseModel):
    """The user's live device sessions, most recently used first."""

    model_config = STRICT

    devices: list[Device]
