"""Workspaces, memberships, roles and invitations."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from functools import cache
from zoneinfo import available_timezones

import phonenumbers
from babel import Locale
from babel.core import get_global
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from webapp import text
from webapp.audit import service as audit
from webapp.auth.models import User
from webapp.auth.service import rotate_key
from webapp.db import utcnow
from webapp.encoding import b64url
from webapp.errors import Conflict, Forbidden, NotFound, ServiceError
from webapp.urls import external_url
from webapp.workspaces.models import Invitation, Membership, Role, UnlockPolicy, Workspace

ROLES = tuple(r.value for r in Role)
# What each role may do, checked by require_role.
RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


@cache
def countries() -> frozenset[str]:
    """Return the ISO 3166-1 alpha-2 codes of real countries and territories.

    Babel (CLDR) names them; phonenumbers' regions leave out CLDR's pseudo-regions (ZZ, EU, UN).
    """
    named = {c for c in Locale("en").territories if len(c) == 2 and c.isalpha()}
    return frozenset(named & phonenumbers.SUPPORTED_REGIONS)


def country_name(code: str, locale: str = "en") -> str:
    """Return the country's name in the given language."""
    return Locale.parse(locale).territories.get(code, code)


# CLDR lists a country's zones in no particular order; for countries with several, the zone of
# the capital is the sensible default. Others fall back to CLDR's only (or first) zone.
PRIMARY_ZONES = {
    "AR": "America/Argentina/Buenos_Aires",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CL": "America/Santiago",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "MX": "America/Mexico_City",
    "PT": "Europe/Lisbon",
    "US": "America/New_York",
}


def default_timezone(country: str) -> str:
    """Return the main time zone of a country, or UTC when CLDR knows none."""
    code = country.upper()
    if code in PRIMARY_ZONES:
        return PRIMARY_ZONES[code]
    zones = get_global("territory_zones").get(code, [])
    return zones[0] if zones else "UTC"


def check_country(country: str) -> str:
    """Return the upper-cased country code.

    :raises ServiceError: when it is not an ISO 3166-1 alpha-2 code.
    """
    code = (country or "").strip().upper()
    if code not in countries():
        raise ServiceError(
            str(
                _l(
                    "“%(code)s” is not a country code; use two letters such as MX or ES.",
                    code=country,
                )
            ),
            field="country",
        )
    return code


# The languages the server writes a workspace's own records in (Workspace.language).
WORKSPACE_LANGUAGES = ("es", "en")
ENGLISH_COUNTRIES = frozenset({"US", "GB", "IE", "AU", "NZ"})
SPANISH_COUNTRIES = frozenset(
    {"MX", "ES", "CO", "AR", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY", "SV"}
    | {"NI", "CR", "PA", "UY", "PR", "GQ"}
)


def default_language(country: str, locale: str | None) -> str:
    """Return a new workspace's language: its country's, else the creator's, else Spanish."""
    code = (country or "").strip().upper()
    if code in ENGLISH_COUNTRIES:
        return "en"
    if code in SPANISH_COUNTRIES:
        return "es"
    base = (locale or "").split("_")[0].split("-")[0].lower()
    return base if base in WORKSPACE_LANGUAGES else "es"


def suggested_place(locales: list[tuple[str, str | None]]) -> tuple[str | None, str | None]:
    """Return the country and language a new workspace's form starts with, from the browser's
    locales as (language, region), most wanted first (`i18n.browser_locales`).

    The country is the first region that is a country (`es-MX`: MX; `es-419`, Latin America,
    is none); a language without a region names no country: the user chooses it, since a wrong
    guess would seed another country's emergency numbers. The language is the first one the
    workspace can speak. Either is None when the locales do not say.
    """
    known = countries()
    country = next((region for _lang, region in locales if region in known), None)
    language = next((lang for lang, _region in locales if lang in WORKSPACE_LANGUAGES), None)
    return country, language


def create_workspace(
    session: Session,
    name: str,
    owner: User,
    country: str,
    city: str,
    timezone: str | None = None,
    language: str | None = None,
) -> Workspace:
    """Create a workspace with its first owner (a bare one: webapp/toolkit adds the defaults).

    `language` (es or en) defaults by country, else by the owner's locale.

    :raises ServiceError: for a bad name, country, city, time zone or language.
    """
    name = (name or "").strip()
    city = (city or "").strip()
    if not name or len(name) > 120:
        raise ServiceError(str(_l("Enter a name of 1 to 120 characters.")), field="name")
    text.check(name, "name")
    code = check_country(country)
    if not city or len(city) > 120:
        raise ServiceError(str(_l("Enter a city of 1 to 120 characters.")), field="city")
    text.check(city, "city")
    tz = (timezone or "").strip() or default_timezone(code)
    if tz not in available_timezones():
        raise ServiceError(
            str(_l("“%(tz)s” is not a time zone; use a name such as America/Mexico_City.", tz=tz)),
            field="timezone",
        )
    lang = (language or "").strip().lower() or default_language(code, owner.locale)
    if lang not in WORKSPACE_LANGUAGES:
        raise ServiceError(str(_l("Choose Spanish or English.")), field="language")
    workspace = Workspace(name=name, country=code, city=city, timezone=tz, language=lang)
    session.add(workspace)
    session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner.id, role=Role.OWNER.value))
    audit.record(
        session, "workspace.created", actor_id=owner.id, workspace_id=workspace.id, name=name
    )
    session.flush()
    return workspace


def memberships_of(session: Session, user: User) -> list[Membership]:
    """Return the user's memberships, by workspace name."""
    query = (
        select(Membership)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Membership.user_id == user.id)
        .order_by(func.lower(Workspace.name), Workspace.created_at)
    )
    return list(session.scalars(query))


def get_membership(session: Session, workspace_id: uuid.UUID, user: User) -> Membership | None:
    """Return the user's membership of the workspace (with the workspace), or None.

    The user is not joined again: the caller holds it, and `membership.user` finds it in the
    session without a query (every request asks this; a device polls the snapshot often).
    """
    return session.scalar(
        select(Membership)
        .options(lazyload(Membership.user))
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user.id)
    )


def require_role(session: Session, workspace_id: uuid.UUID, user: User, role: Role) -> Membership:
    """Return the user's membership when it has at least this role.

    :raises NotFound: for a non-member (the workspace's existence is not revealed);
    :raises Forbidden: for a member with a lower role.
    """
    membership = get_membership(session, workspace_id, user)
    if membership is None:
        raise NotFound(str(_l("There is no such workspace, or you are not a member of it.")))
    if RANK[Role(membership.role)] < RANK[role]:
        raise Forbidden(str(_l("Your role in this workspace does not allow this.")))
    return membership


def sees_restricted(role: str) -> bool:
    """Tell whether a role sees restricted entities (owners and editors do)."""
    return role in (Role.OWNER.value, Role.EDITOR.value)


def current_workspace(session: Session, workspace_id: uuid.UUID, lock: bool = False) -> Workspace:
    """Load the workspace as the database has it now (not as the session last saw it)."""
    query = select(Workspace).where(Workspace.id == workspace_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one()


def list_members(session: Session, workspace_id: uuid.UUID) -> list[Membership]:
    """Return the workspace's memberships, owners first, then by name."""
    order = {Role.OWNER.value: 0, Role.EDITOR.value: 1, Role.VIEWER.value: 2}
    members = list(
        session.scalars(select(Membership).where(Membership.workspace_id == workspace_id))
    )
    return sorted(members, key=lambda m: (order[m.role], m.user.name.lower()))


def sole_owner(members: list[Membership]) -> uuid.UUID | None:
    """Return the user id of the only owner among a workspace's members, or None when several.

    That member may neither leave nor step down (a workspace needs an owner).
    """
    owners = [m.user_id for m in members if m.role == Role.OWNER.value]
    return owners[0] if len(owners) == 1 else None


def check_role(role: str) -> str:
    """Return the role when it is one of owner, editor, viewer.

    :raises ServiceError: naming the field ``role``.
    """
    if not isinstance(role, str) or role not in ROLES:
        raise ServiceError(
            str(_l("“%(role)s” is not a role; use owner, editor or viewer.", role=role)),
            field="role",
        )
    return role


def _owner_count(session: Session, workspace_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Membership.workspace_id == workspace_id, Membership.role == Role.OWNER.value
            )
        )
        or 0
    )


def is_last_owner(session: Session, membership: Membership) -> bool:
    """Tell whether the member is the workspace's only owner (who may not leave or step down)."""
    return (
        membership.role == Role.OWNER.value and _owner_count(session, membership.workspace_id) <= 1
    )


def _keep_an_owner(session: Session, membership: Membership) -> None:
    """:raises Conflict: when the member is the last owner (a workspace needs one)."""
    if is_last_owner(session, membership):
        raise Conflict(
            str(_l("A workspace needs at least one owner: make someone else owner first."))
        )


def _member(session: Session, workspace_id: uuid.UUID, user_id: uuid.UUID) -> Membership:
    membership = session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )
    if membership is None:
        raise NotFound(str(_l("This person is not a member of the workspace.")))
    return membership


def add_member(
    session: Session, workspace_id: uuid.UUID, user: User, role: str, actor: User | None = None
) -> Membership:
    """Add a user to a workspace with a role, or change the role of an existing member.

    :raises ServiceError: for a bad role.
    """
    check_role(role)
    membership = get_membership(session, workspace_id, user)
    if membership is not None:
        if membership.role != role:
            change_role(session, workspace_id, user.id, role, actor)
        return membership
    membership = Membership(workspace_id=workspace_id, user_id=user.id, role=role)
    session.add(membership)
    audit.record(
        session,
        "member.added",
        actor_id=actor.id if actor else None,
        workspace_id=workspace_id,
        subject_id=user.id,
        role=role,
    )
    session.flush()
    return membership


def change_role(
    session: Session, workspace_id: uuid.UUID, user_id: uuid.UUID, role: str, actor: User | None
) -> Membership:
    """Give a member another role; the last owner keeps theirs.

    :raises Conflict: when the change would leave the workspace without an owner.
    """
    check_role(role)
    membership = _member(session, workspace_id, user_id)
    if membership.role == role:
        return membership
    _keep_an_owner(session, membership)
    old = membership.role
    _set_role(membership, role)
    audit.record(
        session,
        "member.role_changed",
        actor_id=actor.id if actor else None,
        workspace_id=workspace_id,
        subject_id=user_id,
        old=old,
        new=role,
    )
    session.flush()
    return membership


def _set_role(membership: Membership, role: str) -> None:
    """Give the membership a role; rotate the user's snapshot key when it changes what they see.

    Losing sight of restricted records, the devices must drop those they hold; gaining it, they
    must fetch the restricted records older than their cursor, which a pull would never send.
    A new kid makes every device wipe its copy and download afresh (docs/ARCHITECTURE.md).
    """
    if sees_restricted(membership.role) != sees_restricted(role):
        rotate_key(membership.user)
    membership.role = role


def remove_member(
    session: Session, workspace_id: uuid.UUID, user_id: uuid.UUID, actor: User | None
) -> None:
    """Remove a member; the last owner cannot be removed.

    :raises Conflict: when the member is the workspace's last owner.
    """
    membership = _member(session, workspace_id, user_id)
    _keep_an_owner(session, membership)
    session.delete(membership)
    # The removed member's devices can no longer open new envelopes of any workspace.
    rotate_key(membership.user)
    audit.record(
        session,
        "member.removed",
        actor_id=actor.id if actor else None,
        workspace_id=workspace_id,
        subject_id=user_id,
        role=membership.role,
    )
    session.flush()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Invitation tokens are derived, not stored: HMAC-SHA256 under a key derived from the server's
# master key (in the instance folder, never in the database) over the invitation's workspace
# and id. The database keeps only the token's SHA-256, as before; the server can show a pending
# link again to its owners, and a leaked database still leaks no usable link.
_INVITATION_KEY_LABEL = b"enlace-invitation-token:v1"


def _derive_token(invitation: Invitation, master_key: bytes | None = None) -> str:
    master = master_key or current_app.config["MASTER_KEY"]
    key = hmac.new(master, _INVITATION_KEY_LABEL, hashlib.sha256).digest()
    message = f"{invitation.workspace_id}:{invitation.id}".encode()
    return b64url(hmac.new(key, message, hashlib.sha256).digest())


def invitation_token(invitation: Invitation, master_key: bytes | None = None) -> str | None:
    """Return the secret token of an invitation, or None when it cannot be made again.

    Invitations made before tokens were derived hold a random token the server never kept.
    """
    token = _derive_token(invitation, master_key)
    return token if hmac.compare_digest(_hash_token(token), invitation.token_hash) else None


def invitation_link(invitation: Invitation) -> str | None:
    """Return the invitation's link (absolute, on ENLACE_PUBLIC_URL when set), or None."""
    token = invitation_token(invitation)
    return external_url("workspaces.accept", token=token) if token else None


def create_invitation(
    session: Session, workspace_id: uuid.UUID, role: str, actor: User, days: int = 7, note: str = ""
) -> tuple[Invitation, str]:
    """Create a single-use invitation; return it with its secret token.

    :raises ServiceError: for a bad role or note.
    """
    check_role(role)
    if note is not None and not isinstance(note, str):
        raise ServiceError(str(_l("Must be text.")), field="note")
    note = (note or "").strip()
    if len(note) > 200:
        raise ServiceError(str(_l("Use at most 200 characters.")), field="note")
    text.check(note, "note")
    invitation = Invitation(
        workspace_id=workspace_id,
        # Replaced below, once the row has its id (the token is derived from it).
        token_hash=secrets.token_hex(32),
        role=role,
        note=note or None,
        created_by=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    token = _derive_token(invitation)
    invitation.token_hash = _hash_token(token)
    session.flush()
    audit.record(
        session,
        "invitation.created",
        actor_id=actor.id,
        workspace_id=workspace_id,
        role=role,
        invitation=invitation.id,
    )
    return invitation, token


def pending_invitations(session: Session, workspace_id: uuid.UUID) -> list[Invitation]:
    """Return the invitations not yet accepted, revoked or expired, newest first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.workspace_id == workspace_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def revoke_invitation(
    session: Session, workspace_id: uuid.UUID, invitation_id: int, actor: User
) -> None:
    """Revoke a pending invitation of this workspace.

    :raises NotFound: when there is no such pending invitation.
    """
    invitation = session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.workspace_id == workspace_id
        )
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        raise NotFound(str(_l("This invitation is no longer pending.")))
    invitation.revoked_at = utcnow()
    audit.record(
        session,
        "invitation.revoked",
        actor_id=actor.id,
        workspace_id=workspace_id,
        invitation=invitation_id,
    )
    session.flush()


def find_invitation(session: Session, token: str) -> Invitation:
    """Return the usable invitation for a token.

    :raises NotFound: when the link is unknown, used, revoked or expired (each says which).
    """
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token))
    )
    if invitation is None:
        raise NotFound(str(_l("This invitation link is not valid. Ask for a new one.")))
    if invitation.accepted_at is not None:
        raise NotFound(str(_l("This invitation has already been used. Ask for a new one.")))
    if invitation.revoked_at is not None:
        raise NotFound(str(_l("This invitation was revoked. Ask for a new one.")))
    if invitation.expires_at <= utcnow():
        raise NotFound(str(_l("This invitation has expired. Ask for a new one.")))
    return invitation


def accept_invitation(session: Session, token: str, user: User) -> Membership:
    """Use an invitation: the user joins with its role (an existing member keeps a higher role).

    :raises NotFound: when the invitation cannot be used.
    """
    invitation = find_invitation(session, token)
    # Mark it used first so that two concurrent acceptances cannot both succeed.
    claimed = session.execute(
        Invitation.__table__.update()
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by=user.id)
    )
    if claimed.rowcount != 1:
        raise NotFound(str(_l("This invitation has already been used. Ask for a new one.")))
    membership = get_membership(session, invitation.workspace_id, user)
    if membership is None:
        membership = Membership(
            workspace_id=invitation.workspace_id, user_id=user.id, role=invitation.role
        )
        session.add(membership)
    elif RANK[Role(invitation.role)] > RANK[Role(membership.role)]:
        _set_role(membership, invitation.role)
    audit.record(
        session,
        "invitation.accepted",
        actor_id=user.id,
        workspace_id=invitation.workspace_id,
        subject_id=user.id,
        role=invitation.role,
        invitation=invitation.id,
    )
    session.flush()
    session.refresh(invitation)
    return membership


def set_unlock_policy(session: Session, membership: Membership, policy: str) -> None:
    """Choose how members' devices may unlock the app (an owner's membership); audited.

    :raises Forbidden: for an editor or viewer; :raises ServiceError: for an unknown policy.
    """
    if membership.role != Role.OWNER.value:
        raise Forbidden(str(_l("Your role in this workspace does not allow this.")))
    if not isinstance(policy, str) or policy not in {p.value for p in UnlockPolicy}:
        raise ServiceError(str(_l("Choose PIN or passphrase.")), field="unlock_policy")
    workspace = membership.workspace
    if workspace.unlock_policy == policy:
        return
    old, workspace.unlock_policy = workspace.unlock_policy, policy
    audit.record(
        session,
        "workspace.unlock_policy_changed",
        actor_id=membership.user_id,
        workspace_id=workspace.id,
        policy=policy,
        previous=old,
    )
    session.flush()


def get_workspace(session: Session, workspace_id: uuid.UUID) -> Workspace | None:
    """Return the workspace, or None."""
    return session.get(Workspace, workspace_id)


def parse_uuid(value: str) -> uuid.UUID:
    """Return the UUID in a string.

    :raises NotFound: when it is not a UUID (an unknown id and a malformed one look the same).
    """
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(
            str(_l("There is no such workspace, or you are not a member of it."))
        ) from None
