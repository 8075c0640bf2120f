"""Accounts: password hashing, creation, sign-in checks and password changes."""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.models import User
from webapp.db import utcnow
from webapp.errors import Conflict, ServiceError

MIN_PASSWORD_LENGTH = 10
# A real hash of a random password, verified when the email is unknown so that the answer takes
# as long as for a known email and does not tell which emails exist.
_dummy_hash: str | None = None


def _hasher() -> PasswordHasher:
    if has_app_context():
        return PasswordHasher(
            time_cost=current_app.config["ARGON2_TIME_COST"],
            memory_cost=current_app.config["ARGON2_MEMORY_COST"],
        )
    return PasswordHasher()


def normalize_email(email: str) -> str:
    """Return the email as stored: trimmed and lower-cased."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Return an Argon2id hash of the password."""
    return _hasher().hash(password)


def check_password_strength(password: str) -> None:
    """Refuse a password that is too short or too long.

    :raises ServiceError: naming the field ``password``.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)), field="password"
        )
    if len(password) > 256:
        raise ServiceError(str(_l("Use at most 256 characters.")), field="password")


def find_user(session: Session, email: str) -> User | None:
    """Return the user with this email (any case), or None."""
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def get_user(session: Session, user_id: uuid.UUID) -> User | None:
    """Return the user with this id, or None."""
    return session.get(User, user_id)


def create_user(
    session: Session, email: str, name: str, password: str, locale: str | None = None
) -> User:
    """Create a user after checking the email, name and password.

    :raises ServiceError: for a bad field; :raises Conflict: when the email is taken.
    """
    from email_validator import EmailNotValidError, validate_email

    name = name.strip()
    if not name or len(name) > 200:
        raise ServiceError(str(_l("Enter a name of 1 to 200 characters.")), field="name")
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ServiceError(str(_l("Enter a valid email address.")), field="email") from None
    check_password_strength(password)
    if find_user(session, email) is not None:
        raise Conflict(str(_l("An account with this email already exists.")), field="email")
    user = User(
        email=normalize_email(email),
        name=name,
        password_hash=hash_password(password),
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def verify_password(user: User | None, password: str) -> bool:
    """Tell whether the password is right, taking as long for an unknown user."""
    global _dummy_hash
    hasher = _hasher()
    if user is None:
        if _dummy_hash is None:
            _dummy_hash = hasher.hash(uuid.uuid4().hex)
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(_dummy_hash, password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password and sign out every other device.

    :raises ServiceError: when the current password is wrong or the new one is too weak.
    """
    if not verify_password(user, current):
        raise ServiceError(str(_l("The current password is incorrect.")), field="current_password")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.session_version += 1
    rotate_key(user)
    session.flush()


def sign_out_everywhere(session: Session, user: User) -> None:
    """Invalidate every session of this user, this one included, and rotate the snapshot key."""
    user.session_version += 1
    rotate_key(user)
    session.flush()


# --- the per-user snapshot key, encrypted under the server master key ----------------------


def _key_aad(user: User) -> bytes:
    return b"enlace-user-key:v1:" + user.id.bytes


def _master(master_key: bytes | None = None) -> AESGCM:
    return AESGCM(master_key or current_app.config["MASTER_KEY"])


def rotate_key(user: User, master_key: bytes | None = None) -> str:
    """Give the user a new snapshot key (and kid); return the kid.

    Old envelopes no longer open with the new key: devices fetch the key again after sign-in.
    """
    key = secrets.token_bytes(32)
    nonce = os.urandom(12)
    user.snapshot_key_enc = nonce + _master(master_key).encrypt(nonce, key, _key_aad(user))
    user.snapshot_kid = secrets.token_hex(8)
    return user.snapshot_kid


def user_key(user: User, master_key: bytes | None = None) -> tuple[str, bytes]:
    """Return the user's (kid, key), creating the key on first use."""
    if user.snapshot_key_enc is None or user.snapshot_kid is None:
        rotate_key(user, master_key)
    assert user.snapshot_key_enc is not None and user.snapshot_kid is not None
    blob = user.snapshot_key_enc
    key = _master(master_key).decrypt(blob[:12], blob[12:], _key_aad(user))
    return user.snapshot_kid, key
