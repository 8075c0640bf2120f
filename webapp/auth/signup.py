"""Creating an account from a sign-up form: the open /signup page and an invitation's form.

Saying "this email has an account" tells whoever asks that the email exists. Each such answer
is counted like a failed sign-in (the counters of limits.py, shared with sign-in) and audited,
so that a sign-up form cannot test a list of emails faster than the sign-in form guesses.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.auth import limits, service
from webapp.auth.models import User
from webapp.errors import Conflict


def create_account(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    locale: str | None,
    counters: tuple[str, ...],
    audit_taken: Callable[[], None],
) -> User:
    """Create an account (Argon2id, the password rules of `service.create_user`).

    The attempt is admitted by `counters` before anything else (limits.reserve); it counts as
    a failure only when the email is taken, and `audit_taken` then records it (at once: the
    session holds nothing).

    :raises limits.TooManyFailures: when a counter has too many taken emails or failed sign-ins;
    :raises service.HashingBusy: when no password-hashing slot came free;
    :raises Conflict: when an account has this email;
    :raises ServiceError: for another field's error (its `field` names it).
    """
    with limits.reserve(*counters) as attempt:
        session.commit()  # hold no write lock while the password is hashed
        try:
            return service.create_user(session, email, name, password, locale=locale)
        except Conflict:
            session.rollback()  # hold no write lock: the audit row is written on its own
            attempt.failed()
            audit_taken()
            raise


def sign_up(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    locale: str,
    user_agent: str,
    address: str,
) -> tuple[User, str]:
    """Create an account on the open sign-up page and start a device session; return the user
    and the device session's token (the caller commits, then signs in).

    A taken email counts against the same counters as a failed sign-in for that email and this
    address, and is audited on that account (its owner sees that someone tried).

    :raises: as `create_account`.
    """

    def audit_taken() -> None:
        known = service.find_user(session, email)
        known_id = known.id if known is not None else None
        session.rollback()  # no lock held (a POST's transaction is IMMEDIATE on SQLite)
        audit.record_now(
            "auth.signup_existing_email",
            subject_id=known_id,
            email=service.normalize_email(email)[:254],
        )

    user = create_account(
        session,
        email=email,
        name=name,
        password=password,
        locale=locale,
        counters=(limits.account_key(email), limits.address_key(address)),
        audit_taken=audit_taken,
    )
    return user, service.start_device_session(session, user, user_agent, address)
