"""Joining a workspace through an invitation link with a new account (the `accept` page's
decisions, without the request)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.auth import limits
from webapp.auth import service as auth_service
from webapp.auth.models import User
from webapp.auth.signup import create_account
from webapp.workspaces import service
from webapp.workspaces.models import Invitation


def sign_up_and_join(
    session: Session,
    invitation: Invitation,
    token: str,
    *,
    email: str,
    name: str,
    password: str,
    locale: str,
    user_agent: str,
    address: str,
) -> tuple[User, str]:
    """Create an account, join with the invitation and start a device session; return the user
    and the device session's token (the caller commits, then signs in).

    Signing up with an existing account's email says so (the person should sign in instead):
    each such attempt counts like a failed sign-in, per address and per invitation, and is
    audited, so that the form cannot be used to test a list of emails.

    :raises limits.TooManyFailures: when the invitation or the address has too many of those;
    :raises auth_service.HashingBusy: when no password-hashing slot came free;
    :raises Conflict: when an account has this email;
    :raises ServiceError: for another field's error (its `field` names it).
    """
    workspace_id, invitation_id = invitation.workspace_id, str(invitation.id)
    user = create_account(
        session,
        email=email,
        name=name,
        password=password,
        locale=locale,
        counters=(limits.invitation_key(invitation.id), limits.address_key(address)),
        audit_taken=lambda: audit.record_now(
            "invitation.signup_existing_email", workspace_id=workspace_id, invitation=invitation_id
        ),
    )
    service.accept_invitation(session, token, user)
    return user, auth_service.start_device_session(session, user, user_agent, address)
