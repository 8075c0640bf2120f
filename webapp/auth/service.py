"""Accounts: password hashing, creation, sign-in checks, password changes, device sessions."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from webapp import text
from webapp.audit import service as audit
from webapp.auth.models import DeviceSession, User
from webapp.db import utcnow
from webapp.errors import Conflict, NotFound, ServiceError

MIN_PASSWORD_LENGTH = 10
# last_seen_at is written at most this often per device (not on every request).
TOUCH_INTERVAL = timedelta(minutes=5)
# A real hash of a random password, verified when the email is unknown so that the answer takes
# as long as for a known email and does not tell which emails exist.
_dummy_hash: str | None = None


class HashingBusy(ServiceError):
    """Every password-hashing slot stayed taken while this request waited: answer 503."""

    status = 503
    retry_after = 5

    def __init__(self) -> None:
        super().__init__(str(_l("The server is busy. Wait a few seconds, then try again.")))


_slots_lock = threading.Lock()


class HashSlots:
    """The process's password-hashing slots: at most `slots` Argon2 hashes at once (each takes
    ARGON2_MEMORY_COST), and at most `waiting` requests waiting for one.

    A request past both is refused at once (503): a burst of sign-ins then holds at most
    slots + waiting of a process's threads, and the others go on serving syncs and pages
    (README, "Running on PostgreSQL with gunicorn").
    """

    def __init__(self, slots: int, waiting: int):
        self.semaphore = threading.BoundedSemaphore(slots)
        self.max_waiting = waiting
        self.waiting = 0
        self._lock = threading.Lock()

    def acquire(self, timeout: float) -> bool:
        """Take a slot, waiting up to `timeout` seconds if there is room to wait; else False."""
        if self.semaphore.acquire(blocking=False):
            return True
        with self._lock:
            if self.waiting >= self.max_waiting:
                return False
            self.waiting += 1
        try:
            return self.semaphore.acquire(timeout=timeout)
        finally:
            with self._lock:
                self.waiting -= 1

    def release(self) -> None:
        """Give a slot back."""
        self.semaphore.release()


def hash_slots() -> HashSlots:
    """Return the app's password-hashing slots (ARGON2_MAX_CONCURRENT, ARGON2_MAX_WAITING)."""
    extensions = current_app.extensions
    with _slots_lock:
        if "enlace_hash_slots" not in extensions:
            extensions["enlace_hash_slots"] = HashSlots(
                int(current_app.config["ARGON2_MAX_CONCURRENT"]),
                int(current_app.config["ARGON2_MAX_WAITING"]),
            )
        return extensions["enlace_hash_slots"]


@contextlib.contextmanager
def _hash_slot() -> Iterator[None]:
    if not has_app_context():
        yield
        return
    slots = hash_slots()
    if not slots.acquire(timeout=float(current_app.config["ARGON2_WAIT_SECONDS"])):
        raise HashingBusy()
    try:
        yield
    finally:
        slots.release()


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
    """Return an Argon2id hash of the password.

    :raises HashingBusy: when no hashing slot frees up in time.
    """
    with _hash_slot():
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


def check_name(name: str) -> str:
    """Return a user's name stripped: 1 to 200 characters that read as written (webapp/text.py).

    :raises ServiceError: naming `name`.
    """
    name = name.strip()
    if not name or len(name) > 200:
        raise ServiceError(str(_l("Enter a name of 1 to 200 characters.")), field="name")
    return text.check(name, "name")


def create_user(
    session: Session, email: str, name: str, password: str, locale: str | None = None
) -> User:
    """Create a user after checking the email, name and password.

    Records `auth.account_created` in the session.

    :raises ServiceError: for a bad field; :raises Conflict: when the email is taken;
        :raises HashingBusy: when no hashing slot frees up in time.
    """
    from email_validator import EmailNotValidError, validate_email

    name = check_name(name)
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ServiceError(str(_l("Enter a valid email address.")), field="email") from None
    check_password_strength(password)
    # Hash first: the answer then takes as long whether the email is taken or not, and no
    # write lock is held while hashing when the caller's transaction has not begun.
    password_hash = hash_password(password)
    if find_user(session, email) is not None:
        raise Conflict(str(_l("An account with this email already exists.")), field="email")
    user = User(email=normalize_email(email), name=name, password_hash=password_hash, locale=locale)
    session.add(user)
    session.flush()
    audit.record(session, "auth.account_created", actor_id=user.id, subject_id=user.id)
    return user


def verify_password(user: User | None, password: str) -> bool:
    """Tell whether the password is right, taking as long for an unknown user.

    Hold no database write lock while calling it: it takes a while by design.

    :raises HashingBusy: when no hashing slot frees up in time.
    """
    global _dummy_hash
    hasher = _hasher()
    with _hash_slot():
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


def update_profile(session: Session, user: User, name: str, locale: str | None) -> None:
    """Set the user's name and language (the account page and PATCH /api/v1/account).

    :raises ServiceError: naming the field (`name`, `locale`); nothing is changed then.
    """
    name = check_name(name)
    if locale is not None and locale not in current_app.config["LANGUAGES"]:
        raise ServiceError(str(_l("Choose one of the languages offered.")), field="locale")
    user.name = name
    if locale is not None:
        user.locale = locale
    session.flush()


def record_wrong_password(action: str, user: User | None, email: str, *, by_user: bool) -> None:
    """Audit a wrong password (or the limit reached) at once, in its own transaction.

    `by_user` when the signed-in user typed it (re-authentication), not a stranger signing in.
    """
    user_id = user.id if user is not None else None
    audit.record_now(
        action, actor_id=user_id if by_user else None, subject_id=user_id, email=email[:254]
    )


def change_password(
    session: Session, user: User, new: str, keep: DeviceSession | None = None
) -> None:
    """Set a new password, end every other device session and rotate the snapshot key.

    The caller has checked the current password (counted against the failure limit).

    :raises ServiceError: when the new password is too weak.
    """
    check_password_strength(new)
    new_hash = hash_password(new)  # before the first statement: no write lock while hashing
    user.password_hash = new_hash
    user.password_changed_at = utcnow()
    _end_devices(session, user, keep=keep)
    if keep is not None:
        # The key rotates: what this device wrapped under its PIN is stale, and so is its token.
        session.execute(
            update(DeviceSession).where(DeviceSession.id == keep.id).values(unlock_token_hash=None)
        )
    rotate_key(user)
    audit.record(session, "auth.password_changed", actor_id=user.id, subject_id=user.id)
    session.flush()


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every device session of this user, this one included, and rotate the snapshot key."""
    _end_devices(session, user)
    rotate_key(user)
    audit.record(session, "auth.signed_out_everywhere", actor_id=user.id, subject_id=user.id)
    session.flush()


# --- device sessions: one row per sign-in, named by the session cookie --------------------


def token_hash(token: str) -> str:
    """Return the stored form of a device-session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_device_session(session: Session, user: User, user_agent: str, address: str | None) -> str:
    """Record a sign-in as a new device session; return its token (for the cookie only)."""
    now = utcnow()
    # A session unused for its whole lifetime is over; clear the user's old ones here.
    session.execute(
        delete(DeviceSession).where(
            DeviceSession.user_id == user.id, DeviceSession.last_seen_at < now - _lifetime()
        )
    )
    token = secrets.token_urlsafe(32)
    browser, platform = describe_user_agent(user_agent)
    session.add(
        DeviceSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            browser=browser,
            platform=platform,
            ip=address,
        )
    )
    audit.record(session, "auth.sign_in", actor_id=user.id, subject_id=user.id)
    session.flush()
    return token


def new_unlock_token(session: Session, device_id: uuid.UUID) -> str | None:
    """Give the device session a new unlock token, replacing the old; return it (None: ended).

    32 random bytes, base64url without padding; only its SHA-256 is stored. Wraps of the old
    token on the device stop opening anything: the user has just proved the password again.
    """
    token = secrets.token_urlsafe(32)
    found = session.execute(
        update(DeviceSession)
        .where(DeviceSession.id == device_id)
        .values(unlock_token_hash=token_hash(token))
    )
    return token if found.rowcount == 1 else None  # type: ignore[attr-defined]


def find_device(session: Session, token: str) -> DeviceSession | None:
    """Return the live device session named by this token, or None (unknown or expired)."""
    if not token or len(token) > 128:
        return None
    device = session.scalar(
        select(DeviceSession).where(DeviceSession.token_hash == token_hash(token))
    )
    if device is None or device.last_seen_at < utcnow() - _lifetime():
        return None
    return device


def device_needs_touch(device: DeviceSession) -> bool:
    """Tell whether the device's last use is old enough to be written again."""
    return utcnow() - device.last_seen_at >= TOUCH_INTERVAL


def touch_device(session: Session, device_id: uuid.UUID, address: str | None) -> None:
    """Note the device's use now (and its address), unless another request just did."""
    now = utcnow()
    session.execute(
        update(DeviceSession)
        .where(DeviceSession.id == device_id, DeviceSession.last_seen_at < now - TOUCH_INTERVAL)
        .values(last_seen_at=now, ip=address)
    )


def devices_of(session: Session, user: User) -> list[DeviceSession]:
    """Return the user's live device sessions, most recently used first."""
    query = (
        select(DeviceSession)
        .where(
            DeviceSession.user_id == user.id, DeviceSession.last_seen_at >= utcnow() - _lifetime()
        )
        .order_by(DeviceSession.last_seen_at.desc(), DeviceSession.created_at.desc())
    )
    return list(session.scalars(query))


def end_device(session: Session, user: User, device_id: uuid.UUID) -> None:
    """End one of the user's device sessions: its cookie stops working at once.

    :raises NotFound: when the user has no such device session.
    """
    found = session.execute(
        delete(DeviceSession).where(DeviceSession.id == device_id, DeviceSession.user_id == user.id)
    )
    if found.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(str(_l("That device is not signed in.")))
    audit.record(
        session, "auth.device_ended", actor_id=user.id, subject_id=user.id, device=str(device_id)
    )
    session.flush()


def end_this_device(session: Session, user: User) -> None:
    """End the device session this user's request came with (signing out)."""
    if user.device_token:
        session.execute(
            delete(DeviceSession).where(DeviceSession.token_hash == token_hash(user.device_token))
        )
    audit.record(session, "auth.signed_out", actor_id=user.id, subject_id=user.id)


def _end_devices(session: Session, user: User, keep: DeviceSession | None = None) -> None:
    query = delete(DeviceSession).where(DeviceSession.user_id == user.id)
    if keep is not None:
        query = query.where(DeviceSession.id != keep.id)
    session.execute(query)


def _lifetime() -> timedelta:
    # A device session lasts as long as the cookie: 30 days from its last use.
    return current_app.config["PERMANENT_SESSION_LIFETIME"]


_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
]
_PLATFORMS = [
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("ChromeOS", r"CrOS"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
]


def describe_user_agent(user_agent: str) -> tuple[str, str]:
    """Summarise a User-Agent header as (browser, platform); "" for what is not recognised."""
    text = (user_agent or "")[:512]
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, text)), "")
    platform = next((name for name, pattern in _PLATFORMS if re.search(pattern, text)), "")
    return browser, platform


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


def ensure_key(session: Session, user_id: uuid.UUID) -> None:
    """Give the user a snapshot key if they have none yet.

    Under a row lock (SQLite: the writer's `BEGIN IMMEDIATE`), so that two first requests at
    once cannot make two keys and hand out one that is already replaced. The row is read again
    under the lock (`populate_existing`): the request's user was loaded before it, and the
    session keeps loaded objects as they were (no expiry on commit), so it would still show
    no key after another request made one.
    """
    query = select(User).where(User.id == user_id).with_for_update()
    user = session.scalars(query.execution_options(populate_existing=True)).one()
    if user.snapshot_key_enc is None or user.snapshot_kid is None:
        rotate_key(user)


def user_key(user: User, master_key: bytes | None = None) -> tuple[str, bytes]:
    """Return the user's (kid, key), creating the key on first use."""
    if user.snapshot_key_enc is None or user.snapshot_kid is None:
        rotate_key(user, master_key)
    assert user.snapshot_key_enc is not None and user.snapshot_kid is not None
    blob = user.snapshot_key_enc
    key = _master(master_key).decrypt(blob[:12], blob[12:], _key_aad(user))
    return user.snapshot_kid, key
